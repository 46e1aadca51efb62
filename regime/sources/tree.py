"""A tree of files as a change set in which every line counts (CI tree mode).

Only regular files are read. A symlink is never followed (not to a file, not to a
folder, so nothing outside the tree is ever read); a FIFO, socket or device is never
opened (one put in a listed file's place while the tree is read may be, without
blocking, and is then left alone, unread). A file or folder that cannot be read is
never skipped in silence: it comes back as a file with a ``problem``, which the checks
report (and which blocks).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator

from regime.changeset import Added, ChangedFile, FileStatus
from regime.sources.process import TooBig

Keep = Callable[[str, bytes], None]
# (path as shown, what went wrong): the folders a walk could not read
Unreadable = list[tuple[str, str]]

BINARY_SNIFF = 8000  # like git: a NUL byte in the first 8000 bytes means binary

# A path that is not there (any more): nothing to read, nothing to report.
_GONE = (errno.ENOENT, errno.ENOTDIR)


def read_regular(path: str, limit: int | None = None, *, listed: bool = False) -> bytes | None:
    """The bytes of a regular file; None when ``path`` is not one (a symlink, a
    folder, a FIFO, a socket, a device, or nothing). Raises OSError when it is a
    file that cannot be read, and TooBig when it is larger than ``limit`` bytes (then
    only its first 8000 bytes are read: never more than the limit, even when the
    file grows while it is read).

    The file is opened without following a symlink and without blocking, and
    checked again once open, so a path swapped for a link or a FIFO after it was
    listed is neither followed nor waited on. A path is looked at (``lstat``) before
    it is opened, so a FIFO or device is not even opened; ``listed``: the caller's
    directory listing has just said it is a regular file (:func:`walk`), so that look
    is left out (it would only narrow the moment in which it could be swapped, and
    it cost 2.3 us a file, 24 ms for a tree of 10,000 guests)."""
    try:
        if not listed and not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in _GONE or exc.errno == errno.ELOOP:  # ELOOP: it became a symlink
            return None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        if limit is None:
            return _read_fd(fd, None, max(st.st_size + 1, _BLOCK))
        if st.st_size > limit:
            raise TooBig(st.st_size, _read_fd(fd, BINARY_SNIFF, BINARY_SNIFF))
        # as much as the file is in one read (not the limit: read(n) makes room for n);
        # all of it that fstat promised, and nothing more: that is the file (no second
        # read to see its end, a tenth of the cost of a small file)
        data = os.read(fd, st.st_size + 1)
        if len(data) != st.st_size:  # it grew since fstat, or a short read: read on,
            data += _read_fd(fd, limit + 1 - len(data), _BLOCK)  # as far as the limit
        if len(data) > limit:  # it grew since fstat
            raise TooBig(max(os.fstat(fd).st_size, len(data)), data[:BINARY_SNIFF])
        return data
    finally:
        os.close(fd)


_BLOCK = 65536


def _read_fd(fd: int, most: int | None, block: int) -> bytes:
    """Up to ``most`` bytes of an open file (None: to its end), ``block`` at most a
    read; fewer only at its end. On the descriptor itself: a buffered file object
    for each of 20,000 small files cost a third of reading them."""
    parts: list[bytes] = []
    size = 0
    while most is None or size < most:
        want = block if most is None else min(block, most - size)
        piece = os.read(fd, want)
        if not piece:
            break
        parts.append(piece)
        size += len(piece)
        if len(piece) < want:
            break  # a regular file reads short only at its end: no read more to see it
    return parts[0] if len(parts) == 1 else b"".join(parts)


def whole_file(
    path: str,
    shown_as: str,
    keep: Keep | None = None,
    limit: int | None = None,
    *,
    listed: bool = False,
) -> ChangedFile | None:
    """A file read as it is, every line an "added" line; None when ``path`` is not a
    regular file. ``keep`` is offered the bytes (a tree that will need them again,
    so a file is read once). A file larger than ``limit`` is not read: it comes with
    ``too_big`` (unless its start shows it is binary: nothing to check then).
    ``listed``: as for :func:`read_regular`."""
    changed = ChangedFile(path=shown_as, status=FileStatus.WHOLE)
    try:
        data = read_regular(path, limit, listed=listed)
    except OSError as exc:
        changed.problem = f"cannot read the file: {exc.strerror}"
        return changed
    except TooBig as big:
        if b"\0" in big.head:
            changed.binary = True
        else:
            changed.too_big = (big.size, limit or 0)
        return changed
    if data is None:
        return None
    if keep is not None:
        keep(shown_as, data)
    if b"\0" in data[:BINARY_SNIFF]:
        changed.binary = True
        return changed
    changed.added = Added.whole(data)
    return changed


def walk(
    root: str, unreadable: Unreadable | None = None, links: list[str] | None = None
) -> Iterator[str]:
    """Every regular file under root, relative with "/", sorted: a directory's files,
    then its subdirectories (os.walk's top-down order). Symlinks are never followed;
    with ``links``, their paths are added to it (for a caller that follows some of
    them inside the tree: regime.sources.links).

    One ``scandir`` per directory and no ``stat`` per file (the directory entry says
    what it is), with an explicit stack so a deep tree cannot exhaust the recursion.
    A folder that cannot be read is added to ``unreadable`` (``root`` itself as given,
    others as ``sub/dir/``) with the reason; the walk goes on with the rest.
    """
    stack = [("", root)]
    while stack:
        prefix, path = stack.pop()
        files: list[str] = []
        dirs: list[str] = []
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if entry.name not in _VCS_DIRS:
                                dirs.append(entry.name)
                        elif entry.is_file(follow_symlinks=False):
                            files.append(entry.name)
                        elif links is not None and entry.is_symlink():
                            links.append(prefix + entry.name)
                    except OSError as exc:  # no type in the entry, and lstat failed
                        if unreadable is not None and exc.errno not in _GONE:
                            unreadable.append((prefix + entry.name, exc.strerror or str(exc)))
        except OSError as exc:
            if unreadable is not None and exc.errno not in _GONE:
                unreadable.append((prefix or root, exc.strerror or str(exc)))
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


def whole_files(
    root: str,
    names: Iterable[str],
    keep: Keep | None = None,
    limit: int | None = None,
    *,
    listed: bool = False,
) -> Iterator[ChangedFile]:
    """Each of ``names`` (under root) that is a regular file, read whole; one that
    cannot be read comes with a ``problem``, one larger than ``limit`` with ``too_big``.
    ``listed``: the names are those :func:`walk` just found (see :func:`read_regular`)."""
    for name in names:
        changed = whole_file(os.path.join(root, name), name, keep, limit, listed=listed)
        if changed is not None:
            yield changed


def unreadable_folders(unreadable: Unreadable) -> Iterator[ChangedFile]:
    """The folders a walk could not read, as files with a problem: the files in them
    were not checked, and that must not look like a pass."""
    for path, reason in unreadable:
        yield ChangedFile(
            path=path,
            status=FileStatus.WHOLE,
            problem=f"cannot read the folder: {reason}; no file in it was checked",
        )
