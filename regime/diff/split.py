"""Cut a diff stream into one chunk per file, following hunk line counts.

The stream arrives in blocks of any size (a pipe read of a MB, or single lines)
and is never held whole. A chunk starts at a file header (``diff --git``,
``diff --cc``, an svnlook ``Modified: P`` line followed by its ``====`` rule,
``Property changes on: P``, or a plain ``--- / +++`` pair). Inside a hunk, lines
are consumed by the counts of the hunk header, so an added line that starts with
``++`` or a removed one that starts with ``--`` can never be mistaken for a
header (the classic bug of hand-written scanners).

Hunk lines are taken a run at a time: one search finds the first line that does
not start like the run's first (``+``, ``-`` or a space) and the counts drop by the
number of lines in the run, so the bytes of a big change are touched by C code only. A run longer
than the count still due is cut at the count, which gives exactly the result of
taking the lines one by one. The ``+`` runs are kept apart as well (``Chunk.plus``)
so that checks can screen the added text without building a line of it.

Commit records written by ``git diff-tree --stdin --format=%x00...%x00`` are
recognised by their NUL byte and handed out between the chunks of each commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

ChunkKind = Literal["git", "combined", "svn", "svnprop", "plain"]

_SVN_HEADER = re.compile(rb"^(Index|Modified|Added|Deleted|Copied|Replaced): ")
_SVN_RULE = b"=" * 67
_SVN_PROP_RULE = b"_" * 67
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_PROP_HUNK = re.compile(rb"^## -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? ##")
_COMBINED_HUNK = re.compile(rb"^(@@@+) ((?:-\d+(?:,\d+)? )+)\+(\d+)(?:,(\d+))? @@@+")

# Where a run of hunk lines of one kind ends: at the first line of another kind.
# A context line is a space line (an empty one is taken on its own).
_PLUS_END = re.compile(rb"\n[^+]")
_MINUS_END = re.compile(rb"\n[^-]")
_CONTEXT_END = re.compile(rb"\n[^ ]")
_PLUS, _MINUS, _SPACE = ord("+"), ord("-"), ord(" ")


@dataclass(slots=True)
class Chunk:
    """The raw bytes of one file's part of a diff.

    ``pieces`` joined are the chunk as it stood in the stream; the first ``head``
    of them are the header lines before the first hunk, one line each. ``plus`` are
    the added lines (with their ``+`` and the diff's line ends), in runs, and
    ``plus_at`` the line number (new side) of each run's first line. ``plain`` is True
    when every hunk held nothing but ``+``, ``-`` and space lines, each ending in a
    newline, and nothing stood between hunks: a chunk any unified-diff reader reads
    the same way.
    """

    kind: ChunkKind
    pieces: list[bytes]
    first_line: int  # 1-based line number of the chunk in the stream
    problem: str | None = None
    problem_line: int = 0
    hunks: int = 0
    head: int = 0
    plus: list[bytes] = field(default_factory=list)
    plus_at: list[int] = field(default_factory=list)  # new-side line number of each plus
    plain: bool = True
    trailer: int = 0  # empty lines after the last hunk (svnlook prints one)

    def lines(self) -> list[bytes]:
        """The chunk's lines, each with its line end (split at \\n only)."""
        return split_lines(b"".join(self.pieces))


def split_lines(data: bytes) -> list[bytes]:
    """Lines of bytes, each keeping its \\n (never split at \\r as bytes.splitlines does)."""
    parts = data.split(b"\n")
    last = parts.pop()
    lines = [p + b"\n" for p in parts]
    if last:
        lines.append(last)
    return lines


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
    start: int = 1  # the new side's first line number
    combined: bool = False
    parents: int = 1


def _rule(line: bytes, rule: bytes) -> bool:
    return line.rstrip(b"\r\n") == rule


def _count(text: bytes | None) -> int:
    return 1 if text is None else int(text)


class _Source:
    """The stream as a buffer refilled block by block, read a line or a run at a time.

    ``lineno`` is the number of lines handed out so far. One line can be pushed
    back (to look ahead at the line after a header).
    """

    __slots__ = ("_blocks", "_pending", "buf", "lineno", "pos")

    def __init__(self, blocks: Iterable[bytes]) -> None:
        self._blocks = iter(blocks)
        self.buf = b""
        self.pos = 0
        self.lineno = 0
        self._pending: list[bytes] = []

    def _next_block(self) -> bytes | None:
        for block in self._blocks:
            if block:
                return block
        return None

    def next(self) -> bytes | None:
        """The next line with its \\n (the last one may lack it), or None at the end."""
        self.lineno += 1
        if self._pending:
            return self._pending.pop()
        buf, pos = self.buf, self.pos
        end = buf.find(b"\n", pos)
        if end >= 0:
            self.pos = end + 1
            return buf[pos : end + 1]
        # The line goes on in the next blocks: gather them without copying the
        # buffer again for each (a 200 MB line must not cost 200 MB per block).
        parts = [buf[pos:]]
        while True:
            block = self._next_block()
            if block is None:
                self.buf, self.pos = b"", 0
                line = b"".join(parts)
                if not line:
                    self.lineno -= 1
                    return None
                return line
            end = block.find(b"\n")
            if end >= 0:
                parts.append(block[: end + 1])
                self.buf, self.pos = block, end + 1
                return b"".join(parts)
            parts.append(block)

    def peek(self) -> bytes | None:
        if not self._pending:
            line = self.next()
            if line is None:
                return None
            self.push_back(line)
        return self._pending[-1]

    def push_back(self, line: bytes) -> None:
        self._pending.append(line)
        self.lineno -= 1

    def run(self, lead: int, stop: re.Pattern[bytes], limit: int) -> tuple[bytes, int] | None:
        """Up to ``limit`` whole lines from here on that start with the byte ``lead``
        (``stop`` finds the first that does not), with their number; None when the
        next line does not start so or is not yet whole."""
        if self._pending:
            return None
        buf, pos = self.buf, self.pos
        if pos >= len(buf) or buf.find(b"\n", pos) < 0:
            if not self._refill():
                return None
            buf, pos = self.buf, self.pos
        if buf[pos] != lead:
            return None
        m = stop.search(buf, pos)
        end = m.start() + 1 if m is not None else buf.rfind(b"\n", pos) + 1
        if end <= pos:
            return None
        count = buf.count(b"\n", pos, end)
        if count > limit:
            count = limit
            end = pos
            for _ in range(limit):
                end = buf.index(b"\n", end) + 1
        self.pos = end
        self.lineno += count
        return buf[pos:end], count

    def _refill(self) -> bool:
        """Make sure the buffer holds a whole line (or the stream's last bytes)."""
        parts = [self.buf[self.pos :]]
        while True:
            block = self._next_block()
            if block is None:
                self.buf, self.pos = b"".join(parts), 0
                return bool(self.buf)
            parts.append(block)
            if b"\n" in block:
                # the start of a line split across blocks is joined to the new block
                self.buf, self.pos = b"".join(parts), 0
                return True


def split(blocks: Iterable[bytes]) -> Iterator[Chunk | CommitRecord]:
    """Yield the chunks (and commit records) of a diff, in order.

    ``blocks`` are the bytes of the stream in order, cut anywhere (lines will do).
    """
    src = _Source(blocks)
    chunk: Chunk | None = None

    def start(kind: ChunkKind, line: bytes) -> Chunk:
        return Chunk(kind=kind, pieces=[line], first_line=src.lineno, head=1)

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
            _append(chunk, line)
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
                chunk.pieces.append(line)
                if chunk.trailer:
                    chunk.plain = False
            chunk.hunks += 1
            if hunk.combined:
                _read_combined_hunk(hunk, chunk, src)
            else:
                _read_hunk(hunk, chunk, src)
            continue
        if chunk is not None:
            _append(chunk, line)
        # lines before the first header (a mail preamble, `git log` headers) are not ours
    if chunk is not None:
        yield chunk


def _append(chunk: Chunk, line: bytes) -> None:
    """A line outside any hunk: a header line, or something odd between hunks."""
    chunk.pieces.append(line)
    if not chunk.hunks:
        chunk.head += 1
    elif line in (b"\n", b"\r\n"):
        chunk.trailer += 1
    else:
        chunk.plain = False


def _header_kind(
    line: bytes, src: _Source, chunk: Chunk | None
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
        if (
            chunk is not None
            and chunk.hunks == 0
            and chunk.kind != "svnprop"
            and not any(x.startswith(b"--- ") for x in chunk.pieces)
        ):
            return "continue"
        return "plain"
    return None


def _hunk_header(line: bytes, chunk: Chunk | None) -> _Hunk | None:
    if line.startswith(b"@@@"):
        m = _COMBINED_HUNK.match(line)
        if m is None:
            return None
        parents = len(m.group(1)) - 1
        olds = [_count(x.split(b",")[1] if b"," in x else None) for x in m.group(2).split()]
        if len(olds) != parents:
            return None
        return _Hunk(
            old=olds, new=_count(m.group(4)), start=int(m.group(3)), combined=True, parents=parents
        )
    if line.startswith(b"@@"):
        m = _HUNK.match(line)
        if m is None:
            return None
        return _Hunk(old=[_count(m.group(2))], new=_count(m.group(4)), start=int(m.group(3)))
    if line.startswith(b"##") and chunk is not None and chunk.kind == "svnprop":
        m = _PROP_HUNK.match(line)
        if m is None:
            return None
        return _Hunk(old=[_count(m.group(2))], new=_count(m.group(4)), start=int(m.group(3)))
    return None


def _read_hunk(hunk: _Hunk, chunk: Chunk, src: _Source) -> None:
    """Append the lines of one hunk to the chunk, as many as the header counts.

    Whole runs first; a line no run takes (a ``\\`` marker, an empty context line,
    the last line of the stream without a newline, anything after a pushed-back
    line) is taken on its own, with the same counting.
    """
    pieces, plus, plus_at = chunk.pieces, chunk.plus, chunk.plus_at
    o, new = hunk.old[0], hunk.new
    at = hunk.start  # the new-side number of the next added or context line
    if o == 0 and new == 0:
        chunk.plain = False  # no tool writes an empty hunk, and unidiff reads on past it
    while o > 0 or new > 0:
        if new > 0 and (got := src.run(_PLUS, _PLUS_END, new)) is not None:
            pieces.append(got[0])
            plus.append(got[0])
            plus_at.append(at)
            new -= got[1]
            at += got[1]
            continue
        if o > 0 and (got := src.run(_MINUS, _MINUS_END, o)) is not None:
            pieces.append(got[0])
            o -= got[1]
            continue
        if o > 0 and new > 0 and (got := src.run(_SPACE, _CONTEXT_END, min(o, new))) is not None:
            pieces.append(got[0])
            o -= got[1]
            new -= got[1]
            at += got[1]
            continue
        line = src.next()
        if line is None:
            _problem(chunk, src.lineno, "the diff ends inside a hunk (truncated?)")
            return
        c = line[:1]
        if not line.endswith(b"\n"):
            chunk.plain = False  # the stream's last line, cut off: no line end to screen
        if c == b"+":
            new -= 1
            plus.append(line)
            plus_at.append(at)
            at += 1
        elif c == b"-":
            o -= 1
        elif c == b" " or line in (b"\n", b"\r\n"):
            o -= 1
            new -= 1
            at += 1
            if c != b" ":
                chunk.plain = False
        elif c == b"\\":
            chunk.plain = False
        else:
            src.push_back(line)
            _problem(chunk, src.lineno + 1, "a hunk is shorter than its header says")
            return
        pieces.append(line)
        if o < 0 or new < 0:
            _problem(chunk, src.lineno, "a hunk is longer than its header says")
            return


def _read_combined_hunk(hunk: _Hunk, chunk: Chunk, src: _Source) -> None:
    """A hunk of a merge's combined diff: one column per parent, line by line."""
    append = chunk.pieces.append
    old, new, n = hunk.old, hunk.new, hunk.parents
    chunk.plain = False
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


def _read_commit(first: bytes, src: _Source) -> CommitRecord:
    """A record ends at its closing NUL, which is not always at a line's start: a
    message without a final newline (``git commit-tree`` makes one) ends in
    ``text\x00``. Reading on to a NUL at a line's start would swallow the commit's
    diff and the next record."""
    head = first[1:].decode("ascii", "replace").split()
    body: list[bytes] = []
    while True:
        line = src.next()
        if line is None:
            break
        cut = line.find(b"\x00")
        if cut >= 0:
            body.append(line[:cut])
            if line[cut + 1 :].strip(b"\r\n"):  # more on the line: read it as a line
                src.push_back(line[cut + 1 :])
            break
        body.append(line)
    message = b"".join(body).decode("utf-8", "surrogateescape")
    return CommitRecord(sha=head[0] if head else "", parents=tuple(head[1:]), message=message)
