"""Cut a stream git writes into its files with a few C-speed searches per file.

The splitter (split.py) reads any diff a line or a run at a time, following the hunk
counts; in Python that is about 4 us a hunk and 30 us a file, most of the time regime
spends on a big change. A stream git writes (``git diff``, ``git diff-tree --stdin``
with regime's commit records) has a shape that can be checked without walking it:
every file starts at a ``diff --git`` line, every commit record at a NUL at a line's
start, and inside a file every hunk line starts with its mark (``+``, ``-``, a space),
so a line starting with ``@`` is a hunk header and nothing else is. Here a file's part
of the stream is found with one search for the next start; its header lines are
checked to be git's own; its hunks are validated with one regex over their headers and
three newline counts each (lines, ``+`` lines, ``-`` lines against the header's
counts); and the file is handed on as the same Chunk the splitter would make, its
hunks as one piece of bytes (regime/added.py screens them).

Whatever is not exactly that shape (a ``\\ No newline at end of file`` marker, an
empty line, a hunk whose counts lie, a header line git does not write, a file over the
size limit, a stream that does not start like git's) goes to the splitter, which then
reads it as it reads any diff: a file's part of a git stream (from its ``diff --git``
line to the next file or record) is where the splitter itself would start and end
that file, so handing it just that part gives the splitter's reading of the whole
stream. ``tests/test_diff_scan.py`` holds the two readings equal on generated streams.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from regime.diff.marks import (
    HUNK_HEADER,
    LONE_CR,
    NO_LIMIT,
    SVN_HEADER,
    SVN_PROP_RULE,
    SVN_RULE,
)  # fmt: skip
from regime.diff.split import Chunk, CommitRecord, split, split_lines

_FILE = b"\ndiff --git "  # a file's first line (a record's: a NUL at a line's start)
_HUNK = re.compile(HUNK_HEADER + rb"[^\n]*\n")  # at a line's start
# the first line that is not a "+", "-" or context line: a hunk header, or not git's
_NOT_A_HUNK_LINE = re.compile(rb"\n[^-+ ]")
# git's header of a file: its first line, its extended header lines (git-diff(1),
# "generating patches with -p"), and the ---/+++ pair before the hunks
_GIT_LINES = (
    rb"diff --git [^\n]*\n(?:(?:old mode |new mode |deleted file mode |new file mode "
    rb"|copy from |copy to |rename from |rename to |similarity index "
    rb"|dissimilarity index |index )[^\n]*\n)*"
)
_GIT_HEADER = re.compile(_GIT_LINES)
_GIT_HEADER_LABELS = re.compile(_GIT_LINES + rb"--- [^\n]*\n\+\+\+ [^\n]*\n")
_START = (_FILE[1:], b"\x00")


def scan(
    blocks: Iterable[bytes], limit: int | Callable[[], int] | None = None
) -> Iterator[Chunk | CommitRecord]:
    """The chunks (and commit records) of a diff, as ``split.split`` yields them (same
    arguments), faster when git or svnlook wrote the stream."""
    it = iter(blocks)
    head = bytearray()
    for block in it:
        head += block
        if head.count(b"\n") >= 2 or len(head) > 4096:
            break
    if not head:
        return
    start = bytes(head[: len(SVN_RULE) + 200])
    if start.startswith(_START):
        yield from _Scanner(head, it, limit, svn=False).items()
    elif _SVN_START.match(start):
        yield from _Scanner(head, it, limit, svn=True).items()
    else:
        yield from split(chain([bytes(head)], it), limit)


class _Scanner:
    """The stream in a buffer that grows by blocks and drops what was handed out.
    ``svn``: svnlook's stream (a file starts at its header line and ``=`` rule),
    else git's."""

    def __init__(
        self,
        head: bytearray,
        rest: Iterator[bytes],
        limit: int | Callable[[], int] | None,
        svn: bool,
    ) -> None:
        self.buf = head
        self.pos = 0  # where the next item starts
        self.rest = rest
        self.ask = limit if callable(limit) else None
        self.budget = limit if isinstance(limit, int) else NO_LIMIT
        self.lineno = 0  # lines before pos
        self.svn = svn
        self.next_item = _next_svn_item if svn else _next_item
        self.keep = len(_SVN_MARK if svn else _FILE) - 1  # see _find

    def _more(self) -> bool:
        """One more block into the buffer (what was handed out is dropped first)."""
        for block in self.rest:
            if block:
                if self.pos > len(self.buf) // 2:
                    del self.buf[: self.pos]
                    self.pos = 0
                self.buf += block
                return True
        return False

    def _find(self, search: Callable[[bytearray, int, int], int], start: int, hold: int) -> int:
        """Where ``search`` next finds its mark from ``start`` (-1: not before the end
        of the stream), reading blocks as needed; each byte is searched once (a mark
        may begin in the last bytes already searched). Over ``hold`` bytes from the
        item's start without one: -2 (the splitter takes over)."""
        while True:
            found = search(self.buf, start, self.pos)
            if found >= 0:
                return found
            start = max(start, len(self.buf) - self.keep)
            if len(self.buf) - self.pos > hold:
                return -2
            base = self.pos
            if not self._more():
                return -1
            start -= base - self.pos  # the buffer may have dropped its start

    def items(self) -> Iterator[Chunk | CommitRecord]:
        while True:
            if self.pos >= len(self.buf) and not self._more():
                return
            if self.ask is not None:
                self.budget = self.ask()
            hold = self.budget + (1 << 20)
            pos = self.pos
            if self.svn:
                end = self._find(self.next_item, pos + 1, hold)
            elif self.buf[pos] == 0:
                close = self._find(_nul, pos + 1, hold)
                end = -1 if close < 0 else self._find(_next_item, close + 1, hold)
            elif self.buf.startswith(_FILE[1:], pos):
                end = self._find(_next_item, pos, hold)
            else:
                end = -3  # not a git stream from here on
            pos = self.pos
            stop = len(self.buf) if end < 0 else end + 1
            if end in (-2, -3) or (self.svn and self.buf.find(b"\x00", pos, stop) >= 0):
                # too big to hold, not git's, or a NUL (the splitter reads a commit
                # record from a line starting with one): the splitter reads the rest
                rest = chain([bytes(self.buf[pos:])], self.rest)
                yield from _offset(split(rest, self.ask or self.budget), self.lineno)
                return
            piece = bytes(self.buf[pos:stop])
            after = (
                b"" if end < 0 else _SVN_SENTINEL if self.svn else _SENTINEL[self.buf[stop] == 0]
            )
            self.pos = stop
            items, lines = self._read(piece, after)
            yield from items
            self.lineno += lines

    def _read(self, piece: bytes, after: bytes) -> tuple[list[Chunk | CommitRecord], int]:
        """One file or record, and its number of lines; what is not git's shape, the
        splitter's reading of it. ``after`` stands for the next item's first line:
        what the splitter sees after the piece decides how it ends it (a hunk cut
        short by the next file is "shorter than its header says", not "the diff ends
        inside a hunk")."""
        if piece[0] == 0:
            record = _record(piece)
            if record is not None:
                return [record], piece.count(b"\n")
        elif len(piece) <= self.budget:
            read = (
                _svn_chunk(piece, self.lineno + 1)
                if self.svn
                else _git_chunk(piece, self.lineno + 1)
            )
            if read is not None:
                return [read[0]], read[1]
        items = list(_offset(split([piece, after], self.budget), self.lineno))
        return (items[:-1] if after else items), piece.count(b"\n")


# The first line of a next file or record, as the splitter is shown it after a piece:
# it starts an item of its own there (dropped), whatever the piece ends in.
_SENTINEL = (b"diff --git \n", b"\x00\n")
_SVN_SENTINEL = b"Index: x\n" + SVN_RULE + b"\n"
_SVN_MARK = b"\n" + SVN_RULE + b"\n"
_SVN_PROP_MARK = b"\n" + SVN_PROP_RULE + b"\n"
_SVN_HEADER = re.compile(SVN_HEADER + rb"[^\n]*\n")
_SVN_START = re.compile(_SVN_HEADER.pattern + SVN_RULE + rb"\n")
_SVN_HEAD = re.compile(_SVN_START.pattern + rb"--- [^\n]*\n\+\+\+ [^\n]*\n")


def _next_svn_item(buf: bytearray, start: int, item: int) -> int:
    """Where the next file of svnlook's stream starts after ``start`` (the newline
    before it), or -1: the next header line (``Modified: P``, or ``Property changes
    on: P``) followed by its rule of 67 ``=`` (``_``), after the item starting at
    ``item``. A hunk line starts with its mark, so neither line is ever one."""
    while True:
        rule = buf.find(_SVN_MARK, start)
        prop = buf.find(_SVN_PROP_MARK, start, rule if rule >= 0 else len(buf))
        at = prop if prop >= 0 else rule
        if at < 0:
            return -1
        line = buf.rfind(b"\n", 0, at) + 1
        if line > item:
            if at == prop:
                if buf.startswith(b"Property changes on: ", line):
                    return line - 1
            elif _SVN_HEADER.match(buf, line) is not None:
                return line - 1
        start = at + 1


def _nul(buf: bytearray, start: int, item: int) -> int:
    return buf.find(b"\x00", start)


def _next_item(buf: bytearray, start: int, item: int) -> int:
    """Where the next file or record starts after ``start`` (the newline before it),
    or -1: the next ``diff --git`` line, unless a NUL starts a line before it. Two
    finds, each over the bytes once (a regex for either stops at every newline)."""
    at = buf.find(_FILE, start)
    stop = at if at >= 0 else len(buf)
    nul = buf.find(b"\x00", start, stop)
    while nul >= 0:
        if buf[nul - 1] == 10:
            return nul - 1
        nul = buf.find(b"\x00", nul + 1, stop)
    return at


def _offset(items: Iterable[Chunk | CommitRecord], lines: int) -> Iterator[Chunk | CommitRecord]:
    """The splitter's items, its line numbers counted from the stream's start."""
    for item in items:
        if isinstance(item, Chunk) and lines:
            item.first_line += lines
            if item.problem_line:
                item.problem_line += lines
        yield item


def _record(piece: bytes) -> CommitRecord | None:
    """A commit record ``\\0SHA PARENTS\\nMESSAGE\\0`` and the empty lines after it;
    None for anything else (the splitter reads it)."""
    first = piece.find(b"\n")
    close = piece.find(b"\x00", 1)
    if first < 0 or close < first or piece[close + 1 :].strip(b"\r\n"):
        return None
    return CommitRecord.of(piece[1:first], piece[first + 1 : close])


def _svn_chunk(piece: bytes, first_line: int) -> tuple[Chunk, int] | None:
    """The chunk of one file's part of svnlook's stream when it has exactly the
    usual shape (its header, rule and labels, hunks, the empty line svnlook ends
    each file with; no CR but in a CRLF: svn ends a line at a lone CR), and its
    number of lines; None when the splitter must read it."""
    at = piece.find(b"\n@@")
    if at < 0 or _SVN_HEAD.fullmatch(piece, 0, at + 1) is None:
        return None
    if b"\r" in piece and LONE_CR.search(piece) is not None:
        return None
    trailer = len(piece) - len(piece.rstrip(b"\n")) - 1
    if trailer < 1:
        return None
    head = split_lines(piece[: at + 1])
    counted = _hunks(piece[at + 1 : len(piece) - trailer])
    if counted is None:
        return None
    body, hunks, lines = counted
    chunk = Chunk(
        kind="svn", pieces=[*head, body, *[b"\n"] * trailer], first_line=first_line,
        hunks=hunks, head=len(head), trailer=trailer,
    )  # fmt: skip
    return chunk, len(head) + lines + trailer


def _git_chunk(piece: bytes, first_line: int) -> tuple[Chunk, int] | None:
    """The chunk of one file's part of a git stream when it has exactly git's shape,
    and its number of lines; None when the splitter must read it."""
    if not piece.endswith(b"\n"):
        return None
    at = piece.find(b"\n@@")
    if at < 0:
        if _GIT_HEADER.fullmatch(piece) is None:
            return None
        head = split_lines(piece)
        return Chunk(kind="git", pieces=head, first_line=first_line, head=len(head)), len(head)
    if _GIT_HEADER_LABELS.fullmatch(piece, 0, at + 1) is None:
        return None
    head = split_lines(piece[: at + 1])
    counted = _hunks(piece[at + 1 :])
    if counted is None:
        return None
    body, hunks, lines = counted
    chunk = Chunk(
        kind="git", pieces=[*head, body], first_line=first_line, hunks=hunks,
        head=len(head),
    )  # fmt: skip
    return chunk, len(head) + lines


def _hunks(body: bytes) -> tuple[bytes, int, int] | None:
    """``body`` (from a hunk header on, to the end of the last hunk), its number of
    hunks and of lines, when every hunk holds exactly what its header counts; None
    when not (or when a line is anything else: the splitter says what)."""
    # every line is a "+", "-" or context line, or a hunk header; a hunk's lines run
    # from its header to the next line that is none of the three (one search, in C)
    count = body.count
    hunks = total = 0
    m = _HUNK.match(body)
    while m is not None:
        hunks += 1
        start = m.end()
        nxt = _NOT_A_HUNK_LINE.search(body, start - 1)
        if nxt is None:
            end = len(body)
            following = None
        else:
            end = nxt.start() + 1
            following = _HUNK.match(body, end)
            if following is None:
                return None  # anything else, or a line starting like a hunk header
        lines = count(b"\n", start, end)
        plus = count(b"\n+", start - 1, end)
        minus = count(b"\n-", start - 1, end)
        total += 1 + lines
        old, new = m.group(2), m.group(4)
        context = lines - plus - minus
        if (
            minus + context != (1 if old is None else int(old))
            or plus + context != (1 if new is None else int(new))
            or not lines
        ):
            return None
        m = following
    if not hunks or not body.endswith(b"\n"):
        return None
    return body, hunks, total
