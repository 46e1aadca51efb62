"""A tree of files as a change set in which every line counts (CI tree mode)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator

from regime.changeset import ChangedFile, FileStatus

Keep = Callable[[str, bytes], None]

BINARY_SNIFF = 8000  # like git: a NUL byte in the first 8000 bytes means binary


def whole_file(path: str, shown_as: str, keep: Keep | None = None) -> ChangedFile:
    """A file read as it is, every line an "added" line. ``keep`` is offered the bytes
    (a tree that will need them again, so a file is read once)."""
    changed = ChangedFile(path=shown_as, status=FileStatus.WHOLE)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        changed.problem = f"cannot read the file: {exc.strerror}"
        return changed
    if keep is not None:
        keep(shown_as, data)
    if b"\0" in data[:BINARY_SNIFF]:
        changed.binary = True
        return changed
    changed.text = data.decode("utf-8", "surrogateescape")
    return changed


def walk(root: str) -> Iterator[str]:
    """Every regular file under root, relative with "/", sorted: a directory's files,
    then its subdirectories (os.walk's top-down order). Symlinks are never followed.

    One ``scandir`` per directory and no ``stat`` per file (the directory entry says
    what it is), with an explicit stack so a deep tree cannot exhaust the recursion.
    An unreadable directory is skipped, as os.walk does.
    """
    stack = [("", root)]
    while stack:
        prefix, path = stack.pop()
        files: list[str] = []
        dirs: list[str] = []
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in _VCS_DIRS:
                            dirs.append(entry.name)
                    elif entry.is_file(follow_symlinks=False):
                        files.append(entry.name)
        except OSError:
            continue
        files.sort()
        for name in files:
            yield prefix + name
        dirs.sort(reverse=True)
        stack.extend((f"{prefix}{d}/", os.path.join(path, d)) for d in dirs)


_VCS_DIRS = frozenset((".git", ".svn", ".hg"))


def is_regular_file(path: str) -> bool:
    """A regular file, not a symlink (never followed) nor a directory (a submodule)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def whole_files(root: str, names: Iterable[str], keep: Keep | None = None) -> Iterator[ChangedFile]:
    for name in names:
        full = os.path.join(root, name)
        if is_regular_file(full):
            yield whole_file(full, name, keep)
