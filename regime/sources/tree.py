"""A tree of files as a change set in which every line counts (CI tree mode)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from regime.changeset import AddedLine, ChangedFile, FileStatus

BINARY_SNIFF = 8000  # like git: a NUL byte in the first 8000 bytes means binary


def whole_file(path: str, shown_as: str) -> ChangedFile:
    """A file read as it is, every line an "added" line."""
    changed = ChangedFile(path=shown_as, status=FileStatus.WHOLE)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        changed.problem = f"cannot read the file: {exc.strerror}"
        return changed
    if b"\0" in data[:BINARY_SNIFF]:
        changed.binary = True
        return changed
    changed.added = list(lines_of(data))
    return changed


def lines_of(data: bytes) -> Iterator[AddedLine]:
    """Lines split at \\n only (never at \\x0c, \\x85 or \\u2028 as str.splitlines would)."""
    text = data.decode("utf-8", "surrogateescape")
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


def walk(root: str) -> Iterator[str]:
    """Every regular file under root, relative, sorted; symlinks are never followed."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", ".svn", ".hg"))
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            yield os.path.relpath(full, root).replace(os.sep, "/")


def whole_files(root: str, names: Iterable[str]) -> Iterator[ChangedFile]:
    for name in names:
        full = os.path.join(root, name)
        if os.path.islink(full) or not os.path.isfile(full):
            continue  # symlinks (never followed) and submodules
        yield whole_file(full, name)
