"""The change set: what every door hands to the checks.

A change set is a log message (or none) plus a stream of changed files, each
carrying only the lines the change ADDS. Doors build it; checks read it and
never run git or svn themselves. Files are produced lazily so a huge change is
never held in memory at once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from itertools import accumulate
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from regime.diff.svn_lines import SvnNumbering
    from regime.sources.trees import Tree


class FileStatus(Enum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"
    WHOLE = "whole"  # a whole file checked as it is (tree mode): every line counts


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


@dataclass(slots=True)
class ChangedFile:
    """One file of a change.

    ``path`` is the name after the change (the target side), relative to the
    repository root, unquoted. ``problem`` is set when the part of the diff that
    describes this file could not be read: the checks then report it instead of
    silently passing it.
    """

    path: str
    status: FileStatus = FileStatus.MODIFIED
    added: list[AddedLine] = field(default_factory=list)  # may be pending: walk lines()
    binary: bool = False
    link: bool = False  # a symbolic link: its "content" is where it points, never text
    old_path: str | None = None
    problem: str | None = None
    # A whole file (tree mode): its bytes as read, every line of which counts. The
    # checks screen it like the diff's runs (``lines_where``: one run from line 1,
    # without the "+"), so a big file with one bad line makes one line, not all.
    content: bytes | None = None
    problem_line: int = 0
    # Over limits.max_file_size: (its size in bytes, the limit). Nothing of it was
    # kept or read, so nothing in it can be checked; the checks report it (LIM001).
    too_big: tuple[int, int] | None = None
    # The new side's blob id (a git diff's index line): the content of a file git calls
    # binary can be asked for (git calls every file over the size limit binary).
    blob: str | None = None
    # The old side's blob ids (one; a merge's combined diff: one a parent; none when the
    # file is new): the side a file git calls binary is compared with when it is text.
    old_blobs: tuple[str, ...] = ()
    # A file of a big diff: its added lines exactly as the diff carries them, in runs
    # of consecutive lines (each line with its "+" and its line end, which is always
    # there), with the number of each run's first line. A check that looks for a few
    # bad lines finds them with one regex pass (``lines_where``); all the AddedLines
    # are made, by unidiff through ``pending``, only when a check walks every line.
    added_runs: list[tuple[int, bytes]] | None = None
    pending: Callable[[], list[AddedLine]] | None = None
    # An svn diff not showing the file whole: svn counts a lone CR as a line end,
    # so its numbers can be off by the lone CRs above a hunk. With a reader (the svn
    # door), the added lines are taken from the file itself when a check first needs
    # them (see diff/svn_lines.py).
    numbering: SvnNumbering | None = None

    def lines(self) -> Iterator[AddedLine]:
        """The added lines: those of the diff, or every line of a whole file."""
        if self.content is not None:
            return text_lines(self.content.decode("utf-8", "surrogateescape"))
        if self.numbering is not None:
            exact, self.numbering = self.numbering.exact(), None
            if exact is not None:
                self.added, self.pending, self.added_runs = exact, None, None
        if self.pending is not None:
            self.added, self.pending = self.pending(), None
        return iter(self.added)

    def added_content(self) -> bytes:
        """The added lines as the file holds them, each with its line end: for a file
        the change adds whole (svn "Added", git "new file"), the file itself."""
        if self.content is not None:
            return self.content
        if self.added_runs is not None:
            return b"".join(run[1:].replace(b"\n+", b"\n") for _, run in self.added_runs)
        return b"".join((x.text + x.eol).encode("utf-8", "surrogateescape") for x in self.lines())

    def lines_where(self, patterns: Sequence[re.Pattern[bytes]]) -> Iterator[AddedLine]:
        """At least every added line in whose raw bytes (``+``, text, line end) one
        of ``patterns`` finds a match: exactly those when the diff's runs are at
        hand (``tests/test_diff_fast_paths.py`` holds them equal to unidiff's
        reading), else every line. A check still applies its own rule to each.
        Several simple patterns, each searched on its own, are much faster than one
        alternation of them (re tries every branch at every byte).

        A whole file is one run from line 1 whose lines carry no "+"; its last line
        may lack its line end, and is then always one of the lines (a pattern that
        looks at a line end cannot see it: ``tests/test_whitespace_screens.py``
        holds the findings equal to a walk over every line)."""
        if self.content is not None:
            return _lines_where([(1, self.content)], patterns, prefix=0)
        if self.numbering is not None and self.numbering.read is not None:
            # svn: only a file with a line the screens pick out is read for its numbers
            # (every one whose diff shows a lone CR: its lines may be cut short there)
            if not self.numbering.always:
                runs = self.added_runs or [(x.number, _raw(x)) for x in self.added]
                if next(_lines_where(runs, patterns), None) is None:
                    return iter(())
            return self.lines()
        if self.added_runs is None:
            return self.lines()
        return _lines_where(self.added_runs, patterns)


class Contents(Protocol):
    """A changed file's whole content, read from the repository's objects (never the
    disk) by a reader the door puts in the change set, for what a diff does not show:
    a text file the committer declared binary, a file a rename or copy brings under a
    rule (see regime/undiffed.py). Both raise TooBig over ``limit``."""

    def after(self, changed: ChangedFile, limit: int) -> bytes | None:
        """The file after the change; None when it is not a file there."""

    def before(self, changed: ChangedFile, limit: int) -> list[bytes]:
        """The file before the change: one side (a merge: one a parent; none: a new file)."""

    def head(self, changed: ChangedFile, size: int) -> bytes | None:
        """At most the first ``size`` bytes of the file after the change (its shebang,
        regime/filetypes.py), never the whole of a large one; None when it is not a
        file there (a symlink, a submodule)."""


@dataclass(slots=True)
class ChangeSet:
    """A log message and the files of one change (one commit, one transaction,
    one staged change, one diff or one tree)."""

    files: Iterable[ChangedFile]
    message: str | None = None
    message_path: str = "<log message>"
    label: str | None = None  # e.g. "commit 1a2b3c4 on refs/heads/main: subject"
    # The whole tree after the change, for checks that need both sides of a
    # duplicate (infrastructure). None: those checks do not run for this change.
    tree: Tree | None = None
    # Paths the change touches beyond its diff (an svn copy shows no diff), and
    # whether every file counts as touched (CI tree mode).
    also_touched: frozenset[str] = frozenset()
    all_touched: bool = False
    # Every path the change touches, when the door knows them before the files
    # stream: the tree can then be read for the infrastructure checks meanwhile.
    touched_early: frozenset[str] | None = None
    # The whole content of a changed file, for what the diff does not show (above);
    # a file git calls binary because it is over the size limit (a diff made under
    # core.bigFileThreshold) is LIM001 through it too.
    contents: Contents | None = None


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


def _raw(line: AddedLine) -> bytes:
    """An added line as a diff carries it, for the screens (a line end always)."""
    return b"+" + (line.text + (line.eol or "\n")).encode("utf-8", "surrogateescape")


def _lines_where(
    runs: list[tuple[int, bytes]], patterns: Sequence[re.Pattern[bytes]], prefix: int = 1
) -> Iterator[AddedLine]:
    """The lines of the runs that hold a match of a pattern (each once, in order),
    made from the runs' bytes alone. The runs are searched joined, one search a
    pattern for the file (one a run cost twice as much: --unified=0 makes a run of
    every change); each run ends with a newline, so no line spans two. A match
    belongs to the line of its first byte (the ``\n`` that ends a line is part of
    it), and the line's number is its run's first plus the newlines before it.
    ``prefix``: the bytes before each line's text (a diff's "+"; none in a whole
    file, whose last line, when it has no line end, is always one of the lines)."""
    data = runs[0][1] if len(runs) == 1 else b"".join(run for _, run in runs)
    starts = {start for p in patterns for start in _matching_line_starts(data, p)}
    if data and not data.endswith(b"\n"):
        starts.add(data.rfind(b"\n") + 1)
    if not starts:
        return
    offsets = list(accumulate((len(run) for _, run in runs), initial=0))
    index, number, counted = -1, 0, 0
    for start in sorted(starts):
        at = bisect_right(offsets, start) - 1
        if at != index:
            index, number, counted = at, runs[at][0], offsets[at]
        number += data.count(b"\n", counted, start)
        counted = start
        end = data.find(b"\n", start)
        if end < 0:
            end = len(data)
        raw = data[start + prefix : end]
        if raw.endswith(b"\r") and end < len(data):
            yield AddedLine(number, raw[:-1].decode("utf-8", "surrogateescape"), "\r\n")
        else:
            eol = "\n" if end < len(data) else ""
            yield AddedLine(number, raw.decode("utf-8", "surrogateescape"), eol)


def _matching_line_starts(data: bytes, pattern: re.Pattern[bytes]) -> Iterator[int]:
    """Where each line holding a match of ``pattern`` starts, each line once. After a
    match the search goes on at the next line, so a line is looked back over once
    however many matches it holds (a line of a million tabs: one look, not a look
    back to its start for each tab, which was quadratic). A pattern of one plain byte
    (the tab) is found with ``bytes.find``, which is memchr: a tenth of re's search
    (2 ms against 23 ms over 50 MB)."""
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
