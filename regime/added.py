"""What a change adds to one file, in one form: bytes, and an index from a byte
offset to the new side's line number.

Every door hands the checks a changed file's added content this way, whatever the
source: the hunks of a diff exactly as the diff carries them (one scan of the stream
cuts them out, nothing is copied line by line), a whole file as it was read (tree
mode), or lines a reader had to make one by one (unidiff for the rare chunks the
scanners do not take, a merge's combined diff, svn's lone CRs, a text diff of blobs).
A check screens the bytes with a regex (``where``) and gets line objects only for the
lines a screen picks out: a clean file of a million lines costs a regex pass, and a
50 MB file with one tab makes one line, not 956,000.

The layouts behind the one form:

- ``diff``: ``data`` is a file's hunks as a unified diff holds them, each ``@@``
  header followed by its lines, each line with its one-byte mark (``+``, ``-``, a
  space) and its newline, which is always there (the splitter and the scanner give
  only such hunks this layout: every hunk counted, no ``\\ No newline`` marker, no
  line cut off). The added lines are the ``+`` lines; the index is the hunk headers
  (a ``@@`` can start a line only there, as every hunk line starts with its mark).
- otherwise ``data`` is the added lines themselves, each with its line end, in runs
  of consecutive line numbers: ``starts`` (the offset of each run) and ``numbers``
  (the number of its first line). A run boundary is a line boundary: a line without a
  line end (the last of a file, one svn cut at a lone CR) ends its run.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from regime.diff.marks import HUNK_HEADER


@dataclass(frozen=True, slots=True)
class AddedLine:
    """One line the change adds.

    ``text`` is the line without its line ending, decoded as UTF-8 with
    surrogateescape (undecodable bytes survive as lone surrogates).
    ``eol`` is the line ending that followed it: "\\n", "\\r\\n" or "" at end of
    file without a newline.
    """

    number: int
    text: str
    eol: str = "\n"


_HUNK_HEAD = re.compile(HUNK_HEADER + rb"[^\n]*\n")  # group 3: the new side's start
# the next hunk header: searched by its first bytes (a ^ in MULTILINE mode made re try
# every position: 0.28 s for the 58 MB change with 1% bad lines)
_NEXT_HUNK_HEAD = re.compile(rb"\n" + HUNK_HEADER + rb"[^\n]*\n")
_PLUS = 43  # b"+"


class Added:
    """The lines a change adds to one file (see the module's docstring)."""

    __slots__ = ("_index", "data", "diff", "numbers", "starts")

    def __init__(
        self, data: bytes, starts: Sequence[int], numbers: Sequence[int], diff: bool = False
    ) -> None:
        self.data = data
        self.starts = starts
        self.numbers = numbers
        self.diff = diff
        self._index: tuple[list[int], list[int]] | None = None

    @classmethod
    def whole(cls, content: bytes) -> Added:
        """A whole file, every line of which counts (tree mode)."""
        return cls(content, (0,), (1,))

    @classmethod
    def hunks(cls, body: bytes) -> Added:
        """A plain chunk's hunks as the diff carries them (the ``diff`` layout)."""
        return cls(body, (), (), diff=True)

    @classmethod
    def of_lines(cls, lines: Iterable[AddedLine]) -> Added:
        """Lines a reader made one by one."""
        parts: list[bytes] = []
        starts: list[int] = []
        numbers: list[int] = []
        size = 0
        follows = -1  # the number a line must have to go on the current run
        for line in lines:
            raw = (line.text + line.eol).encode("utf-8", "surrogateescape")
            if line.number != follows:
                starts.append(size)
                numbers.append(line.number)
            parts.append(raw)
            size += len(raw)
            follows = line.number + 1 if line.eol else -1
        return cls(b"".join(parts), starts, numbers)

    def __bool__(self) -> bool:
        return bool(self.data) and (not self.diff or b"\n+" in self.data)

    def lines(self) -> Iterator[AddedLine]:
        """Every added line, in order."""
        if self.diff:
            return self._diff_lines()
        return self._run_lines()

    def content(self) -> bytes:
        """The added lines as the file holds them, each with its line end: for a file
        the change adds whole, the file itself."""
        if self.diff:
            return b"".join(self._hunk_content(k) for k in range(len(self._hunk_index()[0])))
        return self.data

    def _hunk_content(self, k: int) -> bytes:
        """The added lines of hunk ``k`` as the file holds them: a hunk of ``+`` lines
        only (a file added whole) loses its marks in one replace, any other keeps its
        ``+`` lines."""
        bodies = self._hunk_index()[0]
        data = self.data
        end = bodies[k + 1] if k + 1 < len(bodies) else len(data)
        # up to the next hunk's header, or the chunk's end (svnlook's empty line after)
        lines = data[bodies[k] : end].rstrip(b"\n")
        if k + 1 < len(bodies):
            lines = lines.rpartition(b"\n")[0]  # the next hunk's header
        if not lines:
            return b""
        lines += b"\n"
        if lines[0] == _PLUS and b"\n-" not in lines and b"\n " not in lines:
            return lines[1:].replace(b"\n+", b"\n")
        return b"".join(x[1:] + b"\n" for x in lines.split(b"\n")[:-1] if x[:1] == b"+")

    def line_one(self) -> bytes | None:
        """The file's line 1 with its line end when this shows it (an added line 1, or
        in the diff layout a context line 1 too: either is the file's first line);
        None when it does not."""
        data = self.data
        if self.diff:
            bodies, numbers = self._hunk_index()
            if not bodies or numbers[0] != 1:
                return None
            start = bodies[0]
            end = data.find(b"\n", start)
            while data[start] == 45:  # "-": a removed line, not the new side's
                start = end + 1
                if start >= len(data) or data[start] not in b"+- ":
                    return None
                end = data.find(b"\n", start)
            return data[start + 1 : end + 1] if data[start] in b"+ " else None
        if not self.starts or self.numbers[0] != 1 or not data:
            return None
        run_end = self.starts[1] if len(self.starts) > 1 else len(data)
        end = data.find(b"\n", 0, run_end)
        return data[: end + 1] if end >= 0 else data[:run_end]

    def line_numbers(self) -> list[int]:
        """The number of every added line."""
        return [line.number for line in self.lines()]

    def where(self, patterns: Sequence[re.Pattern[bytes]]) -> Iterator[AddedLine]:
        """At least every added line in whose bytes (text and line end; in the diff
        layout, the ``+`` before them) one of ``patterns`` finds a match, each once, in
        order; a line without a line end is always one of them (a pattern looking at a
        line end cannot see it). A check still applies its own rule to each. Several
        simple patterns, each searched on its own, are much faster than one
        alternation of them (re tries every branch at every byte)."""
        if self.diff:
            return self._diff_where(patterns)
        return self._run_where(patterns)

    # -- the diff layout ----------------------------------------------------------

    def _hunk_index(self) -> tuple[list[int], list[int]]:
        """Where each hunk's lines start, and the new-side number of its first."""
        if self._index is None:
            bodies: list[int] = []
            numbers: list[int] = []
            first = _HUNK_HEAD.match(self.data)  # the layout starts with a hunk header
            if first is not None:
                bodies.append(first.end())
                numbers.append(int(first.group(3)))
            for m in _NEXT_HUNK_HEAD.finditer(self.data):
                bodies.append(m.end())
                numbers.append(int(m.group(3)))
            self._index = (bodies, numbers)
        return self._index

    def _diff_where(self, patterns: Sequence[re.Pattern[bytes]]) -> Iterator[AddedLine]:
        data = self.data
        found = {start for p in patterns for start in _matching_line_starts(data, p)}
        # the context and removed lines are screened too (one search over the bytes as
        # they are), and dropped here
        starts = sorted(x for x in found if data[x] == _PLUS)
        if not starts:
            return
        bodies, numbers = self._hunk_index()
        at = -1
        for start in starts:
            k = bisect_right(bodies, start) - 1
            if k != at:
                at, number, counted = k, numbers[k], bodies[k]
            # the lines between count on the new side when they are "+" or " " lines
            since = counted - 1
            number += data.count(b"\n+", since, start) + data.count(b"\n ", since, start)
            counted = start
            end = data.find(b"\n", start)
            yield _line(number, data[start + 1 : end], True)

    def _diff_lines(self) -> Iterator[AddedLine]:
        number = 0
        for raw in self.data.split(b"\n"):
            mark = raw[:1]
            if mark == b"+":
                yield _line(number, raw[1:], True)
                number += 1
            elif mark == b" ":
                number += 1
            elif mark == b"@":
                m = _HUNK_HEAD.match(raw + b"\n")
                if m is not None:
                    number = int(m.group(3))

    # -- the runs layout ----------------------------------------------------------

    def _run_where(self, patterns: Sequence[re.Pattern[bytes]]) -> Iterator[AddedLine]:
        data, starts = self.data, self.starts
        ends = [*starts[1:], len(data)]
        # A run boundary is a line boundary. When every run but the last ends in a
        # newline, the bytes are screened at once; else (a line svn cut at a lone CR)
        # run by run, so that no line is taken to go on into the next run.
        if all(data[end - 1] == 10 for end in ends[:-1] if end):
            pieces = [(0, data)]
        else:
            pieces = [(first, data[first:end]) for first, end in zip(starts, ends, strict=True)]
        found: set[int] = set()
        for base, piece in pieces:
            found.update(base + x for p in patterns for x in _matching_line_starts(piece, p))
            if piece and piece[-1] != 10:  # a line without a line end: always looked at
                found.add(base + piece.rfind(b"\n") + 1)
        for start in sorted(found):
            k = bisect_right(starts, start) - 1
            number = self.numbers[k] + data.count(b"\n", starts[k], start)
            end = data.find(b"\n", start, ends[k])
            if end < 0:
                yield _line(number, data[start : ends[k]], False)
            else:
                yield _line(number, data[start:end], True)

    def _run_lines(self) -> Iterator[AddedLine]:
        data, starts = self.data, self.starts
        ends = [*starts[1:], len(data)]
        for k, first in enumerate(starts):
            number, pos, end = self.numbers[k], first, ends[k]
            while pos < end:
                cut = data.find(b"\n", pos, end)
                if cut < 0:
                    yield _line(number, data[pos:end], False)
                    break
                yield _line(number, data[pos:cut], True)
                number += 1
                pos = cut + 1


NO_LINES = Added(b"", (), ())


def _line(number: int, raw: bytes, newline: bool) -> AddedLine:
    """A line from its bytes without the newline (``newline``: one followed them)."""
    if newline and raw.endswith(b"\r"):
        return AddedLine(number, raw[:-1].decode("utf-8", "surrogateescape"), "\r\n")
    return AddedLine(number, raw.decode("utf-8", "surrogateescape"), "\n" if newline else "")


def text_lines(text: str) -> Iterator[AddedLine]:
    """Lines split at \\n only (never at \\x0c, \\x85 or \\u2028 as str.splitlines
    would); the CR of a CRLF is the line ending, not part of the text."""
    number = 0
    pos = 0
    size = len(text)
    while pos < size:
        number += 1
        end = text.find("\n", pos)
        if end == -1:
            yield AddedLine(number, text[pos:], "")
            return
        if end > pos and text[end - 1] == "\r":
            yield AddedLine(number, text[pos : end - 1], "\r\n")
        else:
            yield AddedLine(number, text[pos:end], "\n")
        pos = end + 1


def _matching_line_starts(data: bytes, pattern: re.Pattern[bytes]) -> Iterator[int]:
    """Where each line holding a match of ``pattern`` starts, each line once. After a
    match the search goes on at the next line, so a line is looked back over once
    however many matches it holds (a line of a million tabs: one look, not a look
    back to its start for each tab, which was quadratic). A pattern of one plain byte
    (the tab) is found with ``bytes.find``, which is memchr: a tenth of re's search
    (2 ms against 23 ms over 50 MB). A match belongs to the line of its first byte
    (the ``\\n`` that ends a line is part of it)."""
    plain = pattern.pattern if _is_plain_byte(pattern) else None
    pos, size = 0, len(data)
    while pos < size:
        if plain is not None:
            at = data.find(plain, pos)
            if at < 0:
                return
        else:
            m = pattern.search(data, pos)
            if m is None:
                return
            at = m.start()
        yield data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        if end < 0:
            return
        pos = end + 1


@cache
def _is_plain_byte(pattern: re.Pattern[bytes]) -> bool:
    """Whether ``pattern`` matches exactly one given byte (no regex syntax, no flag
    that widens it). Asked once a pattern: it is asked for each file of a tree."""
    source = pattern.pattern
    return (
        len(source) == 1
        and source not in b"()[]{}?*+|^$\\.#"
        and not pattern.flags & (re.IGNORECASE | re.VERBOSE)
    )
