"""svn's diff counts lines its own way: a lone CR ends a line as LF and CRLF do.

libsvn_diff (``svnlook diff``, ``svn diff``) cuts a file into lines at LF, CRLF and a
lone CR, so a file ``a\\rb\\n`` is two lines of its diff (``+a\\r`` and ``+b``), and
its hunk counts and line numbers count them so. git, and regime's checks, see lines
ended by LF only: the file has one line, ``a\\rb``. The splitter (split.py) counts an
svn chunk's hunks in svn's lines; here they are put back together into the file's
lines (what git shows of the same content), so that an svn commit is judged as the
git door judges the same content:

- :func:`svn_added` reads the hunks of a chunk that holds a lone CR: each line of
  the file that holds a line the diff adds is an added line, whole as far as the
  diff shows it;
- the diff's numbers are svn's: a lone CR above a hunk, outside what the diff shows,
  makes them larger than the file's. Only the file itself can say by how much:
  :class:`SvnNumbering` remembers which of svn's lines the diff adds, and a door
  that can read the file (the svn door, with ``svnlook cat``) hands it a reader:
  :func:`exact_added` then gives the added lines as the file holds them. It is asked
  only when a check needs the lines of a file the diff does not show whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from regime.added import AddedLine, text_lines
from regime.diff.marks import HUNK_HEADER

_HUNK = re.compile(HUNK_HEADER)
_SVN_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def svn_split_lines(data: bytes) -> list[bytes]:
    """Lines as svn's diff counts them: each ends at LF, CRLF or a lone CR."""
    return _SVN_LINE.findall(data)


_Line = tuple[int, bytes, bool]


def _count(text: bytes | None) -> int:
    return 1 if text is None else int(text)


def svn_added(lines: list[bytes]) -> tuple[list[AddedLine], list[int]]:
    """The added lines of an svn chunk's hunks (its lines from the first hunk on,
    in svn's lines, as the splitter counted them), in the file's lines; and the
    numbers of svn's lines that the diff adds.

    The file's line numbers are svn's less the lone CRs the diff shows above: exact
    when the diff shows the file from its first line (an added file), else see
    :class:`SvnNumbering`."""
    added: list[AddedLine] = []
    segments: list[int] = []
    lone_above = 0  # lone CRs the diff shows on the new side, above
    i, size = 0, len(lines)
    while i < size:
        m = _HUNK.match(lines[i])
        i += 1
        if m is None:
            continue  # svnlook's empty line after the hunks
        old, new, number = _count(m.group(2)), _count(m.group(4)), int(m.group(3))
        # the new side of the hunk: (svn's number, the line's bytes, added)
        side: list[_Line] = []
        last_new = False
        while i < size and (old > 0 or new > 0 or lines[i].startswith(b"\\")):
            line = lines[i]
            i += 1
            kind, body = line[:1], line[1:]
            if kind == b"\\":
                if last_new and side:
                    # "\ No newline at end of file": the newline was the diff's own
                    at, text, plus = side[-1]
                    side[-1] = (at, text[:-1] if text.endswith(b"\n") else text, plus)
                continue
            if kind == b"-":
                old -= 1
                last_new = False
                continue
            if kind not in (b"+", b" "):  # an empty context line, its space stripped
                kind, body = b" ", line
            if kind == b" ":
                old -= 1
            new -= 1
            side.append((number, body, kind == b"+"))
            number += 1
            last_new = True
        # the file's lines: svn's lines joined up to each LF
        group: list[_Line] = []
        for entry in side:
            group.append(entry)
            if entry[1].endswith(b"\n"):
                lone_above = _close(group, lone_above, added, segments)
        if group:
            lone_above = _close(group, lone_above, added, segments)
    return added, segments


def _close(group: list[_Line], lone_above: int, added: list[AddedLine], segments: list[int]) -> int:
    """One line of the file from svn's lines (emptied); the lone CRs above it after."""
    first = group[0][0]
    raw = b"".join(x[1] for x in group)
    news = [x[0] for x in group if x[2]]
    if news:
        segments.extend(news)
        if raw.endswith(b"\r\n"):
            body, eol = raw[:-2], "\r\n"
        elif raw.endswith(b"\n"):
            body, eol = raw[:-1], "\n"
        else:
            body, eol = raw, ""
        added.append(AddedLine(first - lone_above, body.decode("utf-8", "surrogateescape"), eol))
    lone = len(group) - 1 + (1 if group[-1][1].endswith(b"\r") else 0)
    group.clear()
    return lone_above + lone


def exact_added(content: bytes, segments: Iterable[int]) -> list[AddedLine] | None:
    """The lines of ``content`` (the file after the change) that hold one of svn's
    lines numbered ``segments``, as the file holds them (numbered, split and ended
    as git shows them). None when the file is shorter than the numbers say: then it
    is not the file the diff was made from, and the diff's own reading stands."""
    wanted = sorted(set(segments))
    out: list[AddedLine] = []
    if not wanted:
        return out
    k, seen = 0, 0  # svn's lines before the current line of the file
    for line in text_lines(content.decode("utf-8", "surrogateescape")):
        # every CR left in the text is a lone one, and ends one of svn's lines
        # (one last in the file ends the line itself)
        text = line.text
        seen += 1 + text.count("\r") - (1 if not line.eol and text.endswith("\r") else 0)
        if wanted[k] <= seen:
            out.append(line)
            while k < len(wanted) and wanted[k] <= seen:
                k += 1
            if k == len(wanted):
                return out
    return None


class SvnNumbering:
    """Which of svn's lines an svn chunk adds, to renumber its added lines by the
    file itself (see the module's docstring). ``read``, set by a door that can read
    the file after the change, gives its bytes (or None: the diff's reading stands)."""

    __slots__ = ("_segments", "always", "read")

    def __init__(self, segments: Callable[[], list[int]], *, always: bool = False) -> None:
        self._segments = segments
        # the diff shows a lone CR: a line it adds may go on above or below what it shows
        self.always = always
        self.read: Callable[[], bytes | None] | None = None

    def exact(self) -> list[AddedLine] | None:
        """The added lines as the file holds them, or None (no reader, or the file
        does not fit the diff)."""
        if self.read is None:
            return None
        content = self.read()
        if content is None:
            return None
        return exact_added(content, self._segments())
