"""The change set: what every door hands to the checks.

A change set is a log message (or none) plus a stream of changed files, each
carrying only the lines the change ADDS. Doors build it; checks read it and
never run git or svn themselves. Files are produced lazily so a huge change is
never held in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    added: list[AddedLine] = field(default_factory=list)
    binary: bool = False
    old_path: str | None = None
    problem: str | None = None
    problem_line: int = 0


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
