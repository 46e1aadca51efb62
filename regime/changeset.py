"""The change set: what every door hands to the checks.

A change set is a log message (or none) plus a stream of changed files, each
carrying only the lines the change ADDS. Doors build it; checks read it and
never run git or svn themselves. Files are produced lazily so a huge change is
never held in memory at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from regime.added import NO_LINES, Added, AddedLine, text_lines

if TYPE_CHECKING:
    from regime.diff.svn_lines import SvnNumbering

__all__ = ["Added", "AddedLine", "ChangeSet", "ChangedFile", "FileStatus", "Tree", "text_lines"]


class FileStatus(Enum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"
    WHOLE = "whole"  # a whole file checked as it is (tree mode): every line counts


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
    # The lines the change adds, in one form (bytes and a line index, see
    # regime/added.py): a check screens them and makes line objects only of the lines
    # it picks out. A whole file (tree mode) is every line of it.
    added: Added = NO_LINES
    binary: bool = False
    link: bool = False  # a symbolic link: its "content" is where it points, never text
    old_path: str | None = None
    problem: str | None = None
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
    # An svn diff not showing the file whole: svn counts a lone CR as a line end,
    # so its numbers can be off by the lone CRs above a hunk. With a reader (the svn
    # door), the added lines are taken from the file itself when a check first needs
    # them (see diff/svn_lines.py).
    numbering: SvnNumbering | None = None

    def lines(self) -> Iterator[AddedLine]:
        """The added lines: those of the diff, or every line of a whole file."""
        self._renumber()
        return self.added.lines()

    def added_content(self) -> bytes:
        """The added lines as the file holds them, each with its line end: for a file
        the change adds whole (svn "Added", git "new file"), the file itself."""
        return self.added.content()

    def lines_where(self, patterns: Sequence[re.Pattern[bytes]]) -> Iterator[AddedLine]:
        """At least every added line in whose bytes one of ``patterns`` finds a match
        (``Added.where``; ``tests/test_diff_fast_paths.py`` holds them equal to
        unidiff's reading, ``tests/test_whitespace_screens.py`` the findings equal to a
        walk over every line). A check still applies its own rule to each."""
        numbering = self.numbering
        if numbering is not None and numbering.read is not None:
            # svn: only a file with a line the screens pick out is read for its numbers
            # (every one whose diff shows a lone CR: its lines may be cut short there)
            if not numbering.always and next(self.added.where(patterns), None) is None:
                return iter(())
            self._renumber()
        return self.added.where(patterns)

    def _renumber(self) -> None:
        """svn: the added lines as the file itself numbers them, once (see numbering)."""
        if self.numbering is not None:
            exact, self.numbering = self.numbering.exact(), None
            if exact is not None:
                self.added = Added.of_lines(exact)


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


class Tree(Protocol):
    """The whole tree after a change, as the checks that need both sides of a duplicate
    read it (regime/sources/trees.py holds the readers: files on disk, a git tree, an
    svn transaction)."""

    #: Whether the tree's links are files of :meth:`paths` (svn: a file with
    #: svn:special holding ``link TARGET``), found when those are read.
    links_are_files: bool

    def paths(self) -> list[str]:
        """Every file of the tree, repository-relative."""

    def read_many(
        self,
        paths: Sequence[str],
        limit: int | None = None,
        too_big: list[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        """The content of each path that is a file of the tree, in the order given;
        a file larger than ``limit`` bytes is not read but added to ``too_big``."""

    def link_paths(self) -> list[str] | None:
        """Symbolic links of the tree known without reading its files (:meth:`paths`
        may list them too); None: which files are links cannot be told that cheaply."""

    def link(self, path: str) -> str | None:
        """The target of ``path`` when it is a symbolic link of the tree (as the
        link holds it), else None (a file, a folder, nothing). Never followed here:
        regime.sources.links follows links, inside the tree only."""


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
