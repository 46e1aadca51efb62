"""The line-by-line diff splitter of commit a699a78, kept as the oracle for the block
splitter of regime/diff/split.py (tests/test_diff_fast_paths.py compares the two on
generated diffs). Not used by regime itself; do not "fix" it without a reason the
block splitter must follow too."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

# "note": a line of `diff -r` that belongs to no file's lines (`Only in a: x`)
ChunkKind = Literal["git", "combined", "svn", "svnprop", "plain", "note"]

_SVN_HEADER = re.compile(rb"^(Index|Modified|Added|Deleted|Copied|Replaced): ")
_SVN_RULE = b"=" * 67
_SVN_PROP_RULE = b"_" * 67
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_PROP_HUNK = re.compile(rb"^## -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? ##")
_COMBINED_HUNK = re.compile(rb"^(@@@+) ((?:-\d+(?:,\d+)? )+)\+(\d+)(?:,(\d+))? @@@+")
# svn's diff ends a line at LF, CRLF and a lone CR (libsvn_diff), git and GNU diff at
# LF only: the lines of an svn chunk's hunks are svn's.
_SVN_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


@dataclass(slots=True)
class Chunk:
    """The raw lines of one file's part of a diff."""

    kind: ChunkKind
    lines: list[bytes]
    first_line: int  # 1-based line number of the chunk in the stream
    problem: str | None = None
    problem_line: int = 0
    hunks: int = 0


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """A commit header from ``git diff-tree --stdin`` (``%x00%H %P%n%B%x00``)."""

    sha: str
    parents: tuple[str, ...]
    message: str


@dataclass(slots=True)
class _Hunk:
    old: list[int]  # remaining lines per parent (one for a plain diff)
    new: int
    start: int
    combined: bool = False
    parents: int = 1
    counts: list[int] = field(default_factory=list)


def _rule(line: bytes, rule: bytes) -> bool:
    return line.rstrip(b"\r\n") == rule


def _count(text: bytes | None) -> int:
    return 1 if text is None else int(text)


class _Peekable:
    __slots__ = ("_it", "_pending", "_rest", "lineno")

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._it = iter(lines)
        self._pending: list[bytes] = []
        self._rest: list[bytes] = []  # svn's lines left of a line cut, counted already
        self.lineno = 0

    def next(self) -> bytes | None:
        if self._rest and not self._pending:
            return self._rest.pop()
        line = self._pending.pop() if self._pending else next(self._it, None)
        if line is not None:
            self.lineno += 1
        return line

    def peek(self) -> bytes | None:
        if not self._pending and self._rest:
            return self._rest[-1]
        if not self._pending:
            line = next(self._it, None)
            if line is None:
                return None
            self._pending.append(line)
        return self._pending[-1]

    def push_back(self, line: bytes) -> None:
        self._pending.append(line)
        self.lineno -= 1


def split(lines: Iterable[bytes]) -> Iterator[Chunk | CommitRecord]:
    """Yield the chunks (and commit records) of a diff, in order."""
    src = _Peekable(lines)
    chunk: Chunk | None = None

    def start(kind: ChunkKind, line: bytes) -> Chunk:
        return Chunk(kind=kind, lines=[line], first_line=src.lineno)

    while True:
        line = src.next()
        if line is None:
            break
        if line.startswith(b"\x00"):
            if chunk is not None:
                yield chunk
                chunk = None
            yield _read_commit(line, src)
            continue
        nxt_kind = _header_kind(line, src, chunk)
        if nxt_kind == "continue":
            assert chunk is not None
            chunk.lines.append(line)
            continue
        if nxt_kind is not None:
            if chunk is not None:
                yield chunk
            chunk = start(nxt_kind, line)
            continue
        hunk = _hunk_header(line, chunk)
        if hunk is not None:
            if chunk is None:
                chunk = start("plain", line)
                chunk.problem = "a hunk with no file header before it"
                chunk.problem_line = src.lineno
            else:
                chunk.lines.append(line)
            chunk.hunks += 1
            hunk.start = src.lineno
            _read_hunk(hunk, chunk, src)
            continue
        if chunk is not None:
            if (
                line.startswith(b"@@")
                and chunk.kind not in ("svnprop", "note")
                and chunk.problem is None
            ):
                chunk.problem = "a line starts like a hunk header (@@) but is not one, so its lines cannot be counted"
                chunk.problem_line = src.lineno
            chunk.lines.append(line)
        # lines before the first header (a mail preamble, `git log` headers) are not ours
    if chunk is not None:
        yield chunk


def _header_kind(
    line: bytes, src: _Peekable, chunk: Chunk | None
) -> ChunkKind | Literal["continue"] | None:
    first = line[:1]
    if first == b"d":
        if line.startswith((b"diff --git ", b"diff --git\t")):
            return "git"
        if line.startswith((b"diff --cc ", b"diff --combined ")):
            return "combined"
        if line.startswith(b"diff "):  # `diff -u a b` / `diff -ruN a b`
            return "plain"
        return None
    if first in b"IMADCR" and first and _SVN_HEADER.match(line):
        nxt = src.peek()
        if nxt is not None and _rule(nxt, _SVN_RULE):
            return "svn"
        return None
    if first == b"P" and line.startswith(b"Property changes on: "):
        nxt = src.peek()
        if nxt is not None and _rule(nxt, _SVN_PROP_RULE):
            return "svnprop"
        return None
    if first == b"-" and line.startswith(b"--- "):
        nxt = src.peek()
        if nxt is None or not nxt.startswith(b"+++ "):
            return None
        if _in_header(chunk, ("git", "combined", "svn", "plain")):
            return "continue"
        return "plain"
    if (
        first == b"B"
        and line.startswith(b"Binary files ")
        and line.endswith((b" differ\n", b" differ\r\n"))
    ):
        # git prints it inside its header; GNU `diff -r` on a line of its own, between
        # the hunks of other files: then it is a file of its own, never part of the last
        if _in_header(chunk, ("git", "combined", "plain")):
            return "continue"
        return "plain"
    if first == b"O" and line.startswith(b"Only in "):
        return "note"  # GNU `diff -r` without -N: a file on one side only, no lines
    return None


def _in_header(chunk: Chunk | None, kinds: tuple[ChunkKind, ...]) -> bool:
    """Whether a ``---`` or ``Binary files`` line still belongs to the header of
    ``chunk``: one of ``kinds``, no hunk yet, no ``---`` line yet."""
    return chunk is not None and chunk.hunks == 0 and chunk.kind in kinds and not _has_labels(chunk)


def _has_labels(chunk: Chunk) -> bool:
    return any(x.startswith(b"--- ") for x in chunk.lines)


def _hunk_header(line: bytes, chunk: Chunk | None) -> _Hunk | None:
    if line.startswith(b"@@@"):
        m = _COMBINED_HUNK.match(line)
        if m is None:
            return None
        parents = len(m.group(1)) - 1
        olds = [_count(x.split(b",")[1] if b"," in x else None) for x in m.group(2).split()]
        if len(olds) != parents:
            return None
        return _Hunk(old=olds, new=_count(m.group(4)), start=0, combined=True, parents=parents)
    if line.startswith(b"@@"):
        m = _HUNK.match(line)
        if m is None:
            return None
        return _Hunk(old=[_count(m.group(2))], new=_count(m.group(4)), start=0)
    if line.startswith(b"##") and chunk is not None and chunk.kind == "svnprop":
        m = _PROP_HUNK.match(line)
        if m is None:
            return None
        return _Hunk(old=[_count(m.group(2))], new=_count(m.group(4)), start=0)
    return None


def _read_hunk(hunk: _Hunk, chunk: Chunk, src: _Peekable) -> None:
    """Append the lines of one hunk to the chunk, as many as the header counts."""
    append = chunk.lines.append
    old, new = hunk.old, hunk.new
    if not hunk.combined:
        o = old[0]
        while o > 0 or new > 0:
            line = src.next()
            if line is None:
                _problem(chunk, src.lineno, "the diff ends inside a hunk (truncated?)")
                return
            if chunk.kind == "svn":
                parts = _SVN_LINE.findall(line)
                line = parts[0]
                src._rest.extend(reversed(parts[1:]))  # the next lines, of the same line
            c = line[:1]
            if c == b"+":
                new -= 1
            elif c == b"-":
                o -= 1
            elif c == b" " or line in (b"\n", b"\r\n"):
                o -= 1
                new -= 1
            elif c == b"\\":
                pass
            else:
                src.push_back(line)
                _problem(chunk, src.lineno + 1, "a hunk is shorter than its header says")
                return
            append(line)
            if o < 0 or new < 0:
                _problem(chunk, src.lineno, "a hunk is longer than its header says")
                return
        return
    n = hunk.parents
    while new > 0 or any(x > 0 for x in old):
        line = src.next()
        if line is None:
            _problem(chunk, src.lineno, "the diff ends inside a hunk (truncated?)")
            return
        if line[:1] == b"\\":
            append(line)
            continue
        cols = line[:n]
        if len(cols) < n or any(ch not in b" +-" for ch in cols):
            src.push_back(line)
            _problem(chunk, src.lineno + 1, "a hunk is shorter than its header says")
            return
        append(line)
        if b"-" in cols:
            for i in range(n):
                if cols[i : i + 1] == b"-":
                    old[i] -= 1
        else:
            new -= 1
            for i in range(n):
                if cols[i : i + 1] == b" ":
                    old[i] -= 1
        if new < 0 or any(x < 0 for x in old):
            _problem(chunk, src.lineno, "a hunk is longer than its header says")
            return


def _problem(chunk: Chunk, line: int, text: str) -> None:
    if chunk.problem is None:
        chunk.problem = text
        chunk.problem_line = line


def _read_commit(first: bytes, src: _Peekable) -> CommitRecord:
    head = first[1:].decode("ascii", "replace").split()
    body: list[bytes] = []
    while True:
        line = src.next()
        if line is None or line.startswith(b"\x00"):
            break
        body.append(line)
    message = b"".join(body).decode("utf-8", "surrogateescape")
    return CommitRecord(sha=head[0] if head else "", parents=tuple(head[1:]), message=message)
