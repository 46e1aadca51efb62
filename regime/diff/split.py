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
taking the lines one by one. A chunk whose hunks hold nothing odd (``Chunk.plain``)
hands its hunks on as bytes (regime/added.py), so that checks can screen the added
text without building a line of it.

For a stream git writes, ``regime/diff/scan.py`` cuts the files out faster and hands
this splitter only the files it does not take.

Commit records written by ``git diff-tree --stdin --format=%x00...%x00`` are
recognised by their NUL byte and handed out between the chunks of each commit.

Memory stays bounded by the policy's ``limits.max_file_size``: once a chunk holds
more bytes than that, its hunk lines are no longer kept (``Chunk.too_big`` says how
big it was), but its hunks are still followed by their counts, so the next file
starts where it should and a malformed hunk is still found. A line longer than the
limit is never joined whole: it is read through block by block and only its two
ends are kept (which is all a header or a commit record needs of it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from regime.diff.marks import HUNK_HEADER, LONE_CR, NO_LIMIT, SVN_HEADER, SVN_PROP_RULE, SVN_RULE
from regime.diff.svn_lines import svn_split_lines

# "note": a line of `diff -r` that belongs to no file's lines (`Only in a: x`)
ChunkKind = Literal["git", "combined", "svn", "svnprop", "plain", "note"]

_SVN_HEADER = re.compile(SVN_HEADER)
_HUNK = re.compile(HUNK_HEADER)
_PROP_HUNK = re.compile(rb"^## -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? ##")
_COMBINED_HUNK = re.compile(rb"^(@@@+) ((?:-\d+(?:,\d+)? )+)\+(\d+)(?:,(\d+))? @@@+")

# Where a run of hunk lines of one kind ends: at the first line of another kind.
# A context line is a space line (an empty one is taken on its own).
_PLUS_END = re.compile(rb"\n[^+]")
_MINUS_END = re.compile(rb"\n[^-]")
_CONTEXT_END = re.compile(rb"\n[^ ]")
_PLUS, _MINUS, _SPACE = ord("+"), ord("-"), ord(" ")
# The same in a run, which ends in a newline (faster); a run with no CR at all, the
# usual case, costs only the memchr of ``b"\r" in run``.
_RUNLONE_CR = re.compile(rb"\r[^\n]")
# The +++ label svnlook writes ("(rev 3)", "(txn 3-4)"): svnlook ends each file's diff
# with an empty line, the svn client does not.
_SVNLOOK_LABEL = re.compile(rb"^\+\+\+ [^\t]*\t.*\((?:rev \d+|txn [^()]*)\)\r?\n$")

_NOT_A_HUNK = "a line starts like a hunk header (@@) but is not one, so its lines cannot be counted"
# What is kept of a line too long to hold: its start (a header names its file there)
# and its end (a commit record's closing NUL).
_LINE_HEAD = 64 * 1024
_LINE_TAIL = 4096


@dataclass(slots=True)
class Chunk:
    """The raw bytes of one file's part of a diff.

    ``pieces`` joined are the chunk as it stood in the stream; the first ``head``
    of them are the header lines before the first hunk, one line each. ``plain`` is True
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
    plain: bool = True
    trailer: int = 0  # empty lines after the last hunk (svnlook prints one)
    # Over the size limit: the chunk's size in bytes and the limit (else 0). Only the
    # header lines are kept then (``pieces``), nothing of the hunks, and no ``plus``.
    too_big: int = 0
    limit: int = 0
    # An svn chunk holding a CR that is not the CR of a CRLF: svn's diff ends a line
    # there (see svn_lines.py), so its hunks were counted so and are read so.
    lone_cr: bool = False

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

    @classmethod
    def of(cls, head: bytes, message: bytes) -> CommitRecord:
        """The record of its head line (``SHA PARENTS``, after the NUL) and message."""
        words = head.decode("ascii", "replace").split()
        return cls(
            sha=words[0] if words else "",
            parents=tuple(words[1:]),
            message=message.decode("utf-8", "surrogateescape"),
        )


@dataclass(slots=True)
class _Hunk:
    old: list[int]  # remaining lines per parent (one for a plain diff)
    new: int
    combined: bool = False
    parents: int = 1


def _rule(line: bytes, rule: bytes) -> bool:
    return line.rstrip(b"\r\n") == rule


def _count(text: bytes | None) -> int:
    return 1 if text is None else int(text)


class _Discard(list[bytes]):
    """Where the lines of a chunk over the size limit go: nowhere. Whether one was
    a ``---`` line is remembered: it decides where the next file starts."""

    __slots__ = ("minus",)

    def __init__(self, kept: Iterable[bytes] = ()) -> None:
        super().__init__(kept)
        self.minus = False

    def append(self, item: bytes) -> None:
        if item.startswith(b"--- "):
            self.minus = True


# Pushed back by _refill for a line too long to hold: next() reads it on from
# _Source._carry. Compared by identity (a slice of the stream is never this object).
_CARRY = bytes(bytearray(b"<a line too long to hold>"))


class _Source:
    """The stream as a buffer refilled block by block, read a line or a run at a time.

    ``lineno`` is the number of lines handed out so far, ``consumed`` their bytes
    (a line too long to hold counts whole, though only its ends are handed out).
    One line can be pushed back (to look ahead at the line after a header).
    ``stop``: where the current chunk goes over the size limit (``consumed``).
    """

    __slots__ = (
        "_blocks", "_carry", "_pending", "_rest", "buf", "consumed", "lineno", "long", "pos",
        "start", "stop",
    )  # fmt: skip

    def __init__(self, blocks: Iterable[bytes], long: int = NO_LIMIT) -> None:
        self._blocks = iter(blocks)
        self.buf = b""
        self.pos = 0
        self.lineno = 0
        self.consumed = 0
        self.long = max(long, _LINE_HEAD + _LINE_TAIL)  # a line longer is not held
        self.start = 0
        self.stop = NO_LIMIT
        self._pending: list[bytes] = []
        self._rest: list[bytes] = []  # svn's lines left of a line cut (last first)
        self._carry: list[bytes] = []

    def _next_block(self) -> bytes | None:
        for block in self._blocks:
            if block:
                return block
        return None

    def next(self) -> bytes | None:
        """The next line with its \\n (the last one may lack it), or None at the end."""
        if self._rest and not self._pending:
            line = self._rest.pop()  # part of the line counted already
            self.consumed += len(line)
            return line
        self.lineno += 1
        if self._pending:
            line = self._pending.pop()
            if line is not _CARRY:
                self.consumed += len(line)
                return line
            parts, self._carry = self._carry, []
            return self._gather(parts)
        buf, pos = self.buf, self.pos
        end = buf.find(b"\n", pos)
        if end >= 0:
            self.pos = end + 1
            self.consumed += end + 1 - pos
            return buf[pos : end + 1]
        return self._gather([buf[pos:]])

    def _gather(self, parts: list[bytes]) -> bytes | None:
        """The line that starts with ``parts`` and goes on in the next blocks, gathered
        without copying the buffer again for each (a 200 MB line must not cost 200 MB
        per block); one longer than ``long`` is read through and cut (_read_through)."""
        size = sum(len(x) for x in parts)
        while True:
            if size > self.long:
                return self._read_through(parts, size)
            block = self._next_block()
            if block is None:
                self.buf, self.pos = b"", 0
                line = b"".join(parts)
                if not line:
                    self.lineno -= 1
                    return None
                self.consumed += len(line)
                return line
            end = block.find(b"\n")
            if end >= 0:
                parts.append(block[: end + 1])
                self.buf, self.pos = block, end + 1
                line = b"".join(parts)
                self.consumed += len(line)
                return line
            parts.append(block)
            size += len(block)

    def _read_through(self, parts: list[bytes], size: int) -> bytes:
        """The rest of a line too long to hold, read block by block and dropped; what
        is handed out is its first and last bytes (and its newline), what is counted
        in ``consumed`` its whole size. Only a chunk over the size limit has such a
        line, and of that chunk only the header is kept."""
        head = bytearray()
        for part in parts:
            head += part[: _LINE_HEAD - len(head)]
            if len(head) >= _LINE_HEAD:
                break
        tail = b"".join(parts[-2:])[-_LINE_TAIL:]
        del parts[:]
        newline = b""
        while True:
            block = self._next_block()
            if block is None:
                self.buf, self.pos = b"", 0
                break
            end = block.find(b"\n")
            if end >= 0:
                size += end + 1
                tail = (tail + block[:end][-_LINE_TAIL:])[-_LINE_TAIL:]
                self.buf, self.pos = block, end + 1
                newline = b"\n"
                break
            size += len(block)
            tail = (tail + block[-_LINE_TAIL:])[-_LINE_TAIL:]
        self.consumed += size
        return bytes(head) + tail + newline

    def peek(self) -> bytes | None:
        if not self._pending:
            line = self.next()
            if line is None:
                return None
            self.push_back(line)
        return self._pending[-1]

    def cut(self, parts: list[bytes]) -> bytes:
        """The line just read, cut into ``parts`` (svn's lines): the first now, the
        others as the next lines, each once (no line is cut again, so a line of many
        lone CRs costs its length once), all counted as the one line of the stream."""
        self._rest.extend(reversed(parts[1:]))
        self.consumed -= sum(len(x) for x in parts[1:])
        return parts[0]

    def push_back(self, line: bytes) -> None:
        self._pending.append(line)
        self.lineno -= 1
        self.consumed -= len(line)

    def lead(self) -> int:
        """The first byte of the next line when that line is whole in the buffer and
        nothing is pushed back (what :meth:`run` needs), else -1."""
        if self._pending or self._rest:
            return -1
        buf, pos = self.buf, self.pos
        if pos >= len(buf) or buf.find(b"\n", pos) < 0:
            if not self._refill():
                return -1
            buf, pos = self.buf, self.pos
            if buf.find(b"\n", pos) < 0:
                return -1  # the stream's last line, without a newline: no run takes it
        return buf[pos]

    def run(self, stop: re.Pattern[bytes], limit: int) -> tuple[bytes, int]:
        """Up to ``limit`` whole lines from here on that start with the byte
        :meth:`lead` just gave (``stop`` finds the first that does not), with their
        number."""
        buf, pos = self.buf, self.pos
        m = stop.search(buf, pos)
        end = m.start() + 1 if m is not None else buf.rfind(b"\n", pos) + 1
        count = buf.count(b"\n", pos, end)
        if count > limit:
            count = limit
            end = pos
            for _ in range(limit):
                end = buf.index(b"\n", end) + 1
        self.pos = end
        self.lineno += count
        self.consumed += end - pos
        return buf[pos:end], count

    def cut_run(self, data: bytes, at: re.Pattern[bytes]) -> tuple[bytes, int]:
        """The run just taken (``data``), given back from the line in which ``at``
        first matches: the lines before it, with their number."""
        m = at.search(data)
        assert m is not None
        keep = data.rfind(b"\n", 0, m.start()) + 1
        back = len(data) - keep
        count = data.count(b"\n", 0, keep)
        self.pos -= back
        self.consumed -= back
        self.lineno -= data.count(b"\n", keep)
        return data[:keep], count

    def _refill(self) -> bool:
        """Make sure the buffer holds a whole line (or the stream's last bytes)."""
        parts = [self.buf[self.pos :]]
        size = len(parts[0])
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
            size += len(block)
            if size > self.long:
                # too long to hold: next() reads it on and cuts it (no run takes it)
                self._carry = parts
                self.buf, self.pos = b"", 0
                self._pending.append(_CARRY)
                return False


def split(
    blocks: Iterable[bytes], limit: int | Callable[[], int] | None = None
) -> Iterator[Chunk | CommitRecord]:
    """Yield the chunks (and commit records) of a diff, in order.

    ``blocks`` are the bytes of the stream in order, cut anywhere (lines will do).
    ``limit``: the most bytes of one chunk to keep (see the module's docstring); a
    function is asked at each chunk's start (each commit can have its own policy).
    """
    ask = limit if callable(limit) else None
    budget = ask() if ask is not None else (limit if isinstance(limit, int) else NO_LIMIT)
    src = _Source(blocks, budget)
    chunk: Chunk | None = None
    before = 0  # src.consumed before the current line

    def start(kind: ChunkKind, line: bytes) -> Chunk:
        nonlocal budget
        if ask is not None:
            budget = ask()
            src.long = max(budget, _LINE_HEAD + _LINE_TAIL)
        src.start, src.stop = before, before + budget
        return Chunk(kind=kind, pieces=[line], first_line=src.lineno, head=1)

    def done(chunk: Chunk) -> Chunk:
        if chunk.too_big:
            chunk.too_big, chunk.limit = before - src.start, budget
        elif chunk.kind == "svn" and chunk.hunks and not chunk.trailer:
            _lone_cr_last(chunk)
        return chunk

    while True:
        if src.consumed > src.stop and chunk is not None:
            _over_limit(chunk, src)
        before = src.consumed
        line = src.next()
        if line is None:
            break
        if line.startswith(b"\x00"):
            if chunk is not None:
                yield done(chunk)
                chunk = None
            yield _read_commit(line, src)
            continue
        # a hunk header first: most lines outside hunks are one, and no file header
        # starts with "@"
        hunk = _hunk_header(line, chunk) if line.startswith(b"@@") else None
        if hunk is None:
            nxt_kind = _header_kind(line, src, chunk)
            if nxt_kind == "continue":
                assert chunk is not None
                _append(chunk, line)
                continue
            if nxt_kind is not None:
                if chunk is not None:
                    yield done(chunk)
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
            if line.startswith(b"@@") and chunk.kind not in ("svnprop", "note"):
                _problem(chunk, src.lineno, _NOT_A_HUNK)
            _append(chunk, line)
        # lines before the first header (a mail preamble, `git log` headers) are not ours
    if chunk is not None:
        if src.consumed > src.stop:
            _over_limit(chunk, src)
        before = src.consumed
        yield done(chunk)


def _over_limit(chunk: Chunk, src: _Source) -> None:
    """The chunk has more bytes than the limit: keep its header (all of it, when the
    header itself is that big), drop its lines, keep nothing more of it."""
    kept = chunk.pieces[: chunk.head] if chunk.hunks else chunk.pieces
    chunk.pieces = _Discard(kept)
    chunk.too_big = 1  # its size is known when it ends
    chunk.plain = False
    src.stop = NO_LIMIT


def _lone_cr_last(chunk: Chunk) -> None:
    """svnlook ends each file's diff with an empty line; when a file's last hunk
    ends in a line ending in a lone CR, that newline follows the CR and the two look
    like a CRLF (``+o\\r`` then ``\\n``): a chunk of svnlook's with no empty line after
    its hunks and a last line in CRLF had a lone CR there (chunks.py cuts the
    newline off again)."""
    head = chunk.pieces[: chunk.head]
    if (
        chunk.problem is None
        and chunk.pieces[-1].endswith(b"\r\n")
        and any(_SVNLOOK_LABEL.match(x) for x in head[-2:])
    ):
        chunk.lone_cr = True
        chunk.plain = False


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
        if nxt is not None and _rule(nxt, SVN_RULE):
            return "svn"
        return None
    if first == b"P" and line.startswith(b"Property changes on: "):
        nxt = src.peek()
        if nxt is not None and _rule(nxt, SVN_PROP_RULE):
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
    """Whether the chunk has its ``---`` line already (the next file starts at one)."""
    pieces = chunk.pieces
    return any(x.startswith(b"--- ") for x in pieces) or (
        isinstance(pieces, _Discard) and pieces.minus
    )


def _hunk_header(line: bytes, chunk: Chunk | None) -> _Hunk | None:
    if line.startswith(b"@@@"):
        m = _COMBINED_HUNK.match(line)
        if m is None:
            return None
        parents = len(m.group(1)) - 1
        olds = [_count(x.split(b",")[1] if b"," in x else None) for x in m.group(2).split()]
        if len(olds) != parents:
            return None
        return _Hunk(old=olds, new=_count(m.group(4)), combined=True, parents=parents)
    if line.startswith(b"@@"):
        m = _HUNK.match(line)
        if m is None:
            return None
        return _Hunk(old=[_count(m.group(2))], new=_count(m.group(4)))
    if line.startswith(b"##") and chunk is not None and chunk.kind == "svnprop":
        m = _PROP_HUNK.match(line)
        if m is None:
            return None
        return _Hunk(old=[_count(m.group(2))], new=_count(m.group(4)))
    return None


def _read_hunk(hunk: _Hunk, chunk: Chunk, src: _Source) -> None:
    """Append the lines of one hunk to the chunk, as many as the header counts.

    Whole runs first; a line no run takes (a ``\\`` marker, an empty context line,
    the last line of the stream without a newline, anything after a pushed-back
    line) is taken on its own, with the same counting. In an svn chunk a lone CR
    ends a line too: a run is cut before the first line that holds one, and the rest
    of the hunk is read a line at a time (:func:`_read_by_line`), so a run of lines
    of many lone CRs is never searched again for each.
    """
    pieces = chunk.pieces
    o, new = hunk.old[0], hunk.new
    svn = chunk.kind == "svn"
    if o == 0 and new == 0:
        chunk.plain = False  # no tool writes an empty hunk, and unidiff reads on past it
    while o > 0 or new > 0:
        if src.consumed > src.stop:
            _over_limit(chunk, src)
            pieces = chunk.pieces
        lead = src.lead()
        if lead == _PLUS and new > 0:
            data, count = src.run(_PLUS_END, new)
            lone = svn and b"\r" in data and _RUNLONE_CR.search(data) is not None
            if lone:
                data, count = src.cut_run(data, LONE_CR)
            if count:
                pieces.append(data)
                new -= count
            if lone:
                _read_by_line(chunk, src, o, new)
                return
            continue
        if lead == _MINUS and o > 0:
            data, count = src.run(_MINUS_END, o)
            lone = svn and b"\r" in data and _RUNLONE_CR.search(data) is not None
            if lone:
                data, count = src.cut_run(data, LONE_CR)
            if count:
                pieces.append(data)
                o -= count
            if lone:
                _read_by_line(chunk, src, o, new)
                return
            continue
        if lead == _SPACE and o > 0 and new > 0:
            data, count = src.run(_CONTEXT_END, min(o, new))
            lone = svn and b"\r" in data and _RUNLONE_CR.search(data) is not None
            if lone:
                data, count = src.cut_run(data, LONE_CR)
            if count:
                pieces.append(data)
                o -= count
                new -= count
            if lone:
                _read_by_line(chunk, src, o, new)
                return
            continue
        line = src.next()
        if line is None:
            _problem(chunk, src.lineno, "the diff ends inside a hunk (truncated?)")
            return
        lone = svn and b"\r" in line and LONE_CR.search(line) is not None
        counts = _take_line(chunk, src, _svn_cut(chunk, src, line) if lone else line, o, new)
        if counts is None:
            return
        o, new = counts
        if lone:
            _read_by_line(chunk, src, o, new)
            return


def _read_by_line(chunk: Chunk, src: _Source, o: int, new: int) -> None:
    """The rest of a hunk of an svn chunk, a line at a time, each line cut into svn's
    lines (what is left of a line when the counts are done, such as the next hunk's
    header glued to a line ending in a lone CR, is read on as lines of their own)."""
    while o > 0 or new > 0:
        if src.consumed > src.stop:
            _over_limit(chunk, src)
        line = src.next()
        if line is None:
            _problem(chunk, src.lineno, "the diff ends inside a hunk (truncated?)")
            return
        if b"\r" in line and LONE_CR.search(line):
            line = _svn_cut(chunk, src, line)
        counts = _take_line(chunk, src, line, o, new)
        if counts is None:
            return
        o, new = counts


def _svn_cut(chunk: Chunk, src: _Source, line: bytes) -> bytes:
    """The first of svn's lines in a line holding a lone CR (the others come next)."""
    chunk.lone_cr = True
    chunk.plain = False
    return src.cut(svn_split_lines(line))


def _take_line(chunk: Chunk, src: _Source, line: bytes, o: int, new: int) -> tuple[int, int] | None:
    """One hunk line taken on its own: the counts after it, or None when the hunk
    ends there with a problem."""
    c = line[:1]
    if c == b"+":
        new -= 1
    elif c == b"-":
        o -= 1
    elif c == b" " or line in (b"\n", b"\r\n"):
        o -= 1
        new -= 1
        if c != b" ":
            chunk.plain = False
    elif c == b"\\":
        chunk.plain = False
    else:
        src.push_back(line)
        _problem(chunk, src.lineno + 1, "a hunk is shorter than its header says")
        return None
    if not line.endswith(b"\n"):
        chunk.plain = False  # the stream's last line, cut off: no line end to screen
    chunk.pieces.append(line)
    if o < 0 or new < 0:
        _problem(chunk, src.lineno, "a hunk is longer than its header says")
        return None
    return o, new


def _read_combined_hunk(hunk: _Hunk, chunk: Chunk, src: _Source) -> None:
    """A hunk of a merge's combined diff: one column per parent, line by line."""
    append = chunk.pieces.append
    old, new, n = hunk.old, hunk.new, hunk.parents
    chunk.plain = False
    while new > 0 or any(x > 0 for x in old):
        if src.consumed > src.stop:
            _over_limit(chunk, src)
            append = chunk.pieces.append
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
    return CommitRecord.of(first[1:], b"".join(body))
