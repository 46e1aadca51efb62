"""The whole tree as it will be after a change, for checks that need both sides of
a duplicate (a MAC in a changed guest config and the same MAC in an old one).

Every kind of tree lists its paths and reads many files in one go: git streams all
the blobs through one ``git cat-file --batch`` process, never one process per file.

``read_many`` with a ``limit`` never holds a file larger than that: git's answer
gives the size first and the content is read through in small pieces and dropped,
svn's listing gives the sizes before anything is read, ``svnlook cat`` is stopped
at the limit. Such files are left out and listed in ``too_big`` with their size.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from regime.sources.git import git
from regime.sources.links import SVN_LINK_PREFIX
from regime.sources.process import ProducerError, TooBig, run_text

if TYPE_CHECKING:
    from regime.sources.svn import Transaction


class FsTree:
    """Files on disk under a root (CI tree mode, ``regime inventory``); symlinks are
    never followed, FIFOs and devices never opened.

    ``wanted`` names the files the infrastructure checks will read: when the same run
    reads every file whole anyway, it hands their bytes to :meth:`keep`, so each file
    is read from disk once.

    ``unreadable`` lists the folders the walk could not read, with the reason, for
    the caller to report. A file :meth:`read_many` cannot read raises ProducerError
    naming it; with ``report_unreadable`` it is left out and listed in
    ``unreadable_files`` instead, for a caller that reports it as a finding.
    """

    links_are_files = False

    def __init__(
        self,
        root: str,
        names: Sequence[str] | None = None,
        wanted: Callable[[str], bool] | None = None,
        *,
        report_unreadable: bool = False,
    ) -> None:
        self.root = root
        self._report_unreadable = report_unreadable
        self._names = list(names) if names is not None else None
        self._wanted = wanted
        self._kept: dict[str, bytes] = {}
        self._seen_regular: set[str] = set()  # offered to keep(): read as regular files, no link
        self.unreadable: list[tuple[str, str]] = []
        self.unreadable_files: list[tuple[str, str]] = []
        self._links: list[str] | None = None

    def paths(self) -> list[str]:
        if self._names is None:
            from regime.sources.tree import walk

            self._links = []  # met by the walk
            self._names = list(walk(self.root, self.unreadable, self._links))
        return self._names

    def link_paths(self) -> list[str]:
        names = self.paths()
        if self._links is None:  # names given (git's tracked files): links among them
            read, root = self._seen_regular, self.root  # no lstat again for a file read as one
            self._links = [
                p for p in names if p not in read and os.path.islink(os.path.join(root, p))
            ]
        return list(self._links)

    def link(self, path: str) -> str | None:
        try:
            return os.readlink(os.path.join(self.root, path))
        except OSError:  # not a link (EINVAL), nothing there, or a path through a file
            return None

    def keep(self, path: str, data: bytes) -> None:
        self._seen_regular.add(path)
        if self._wanted is not None and self._wanted(path):
            self._kept[path] = data

    def read_many(
        self,
        paths: Sequence[str],
        limit: int | None = None,
        too_big: list[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        from regime.sources.tree import read_regular

        for path in paths:
            kept = self._kept.pop(path, None)
            if kept is not None:
                yield path, kept
                continue
            try:
                data = read_regular(os.path.join(self.root, path), limit)
            except TooBig as big:
                _note_too_big(too_big, path, big.size)
                continue
            except OSError as exc:
                if not self._report_unreadable:
                    raise ProducerError(f"cannot read {path}: {exc.strerror}") from exc
                self.unreadable_files.append((path, exc.strerror or str(exc)))
                continue
            if data is not None:
                yield path, data


class GitTree:
    """A commit's tree (``treeish`` a commit id) or the index (``treeish`` None)."""

    links_are_files = False

    def __init__(self, treeish: str | None, cwd: str | None = None) -> None:
        self.treeish = treeish
        self.cwd = cwd
        self._blobs: dict[str, str] | None = None
        self._link_blobs: dict[str, str] = {}  # a link's blob holds its target
        self._targets: dict[str, str] | None = None

    def _listing(self) -> dict[str, str]:
        if self._blobs is None:
            blobs: dict[str, str] = {}
            links = self._link_blobs
            if self.treeish is None:
                out = run_text(git("ls-files", "-s", "-z", "--full-name"), cwd=self.cwd)
                for entry in out.split("\0"):
                    if entry:
                        meta, path = entry.split("\t", 1)
                        mode, blob, stage = meta.split()
                        if stage in ("0", "2"):
                            if mode.startswith("10"):
                                blobs[path] = blob
                            elif mode == "120000":
                                links[path] = blob
            else:
                out = run_text(
                    git("ls-tree", "-r", "-z", "--full-tree", self.treeish), cwd=self.cwd
                )
                for entry in out.split("\0"):
                    if entry:
                        meta, path = entry.split("\t", 1)
                        mode, kind, blob = meta.split()
                        if kind == "blob" and mode.startswith("10"):
                            blobs[path] = blob
                        elif kind == "blob" and mode == "120000":
                            links[path] = blob
            self._blobs = blobs
        return self._blobs

    def link_paths(self) -> list[str]:
        self._listing()
        return list(self._link_blobs)

    def link(self, path: str) -> str | None:
        self._listing()
        if path not in self._link_blobs:
            return None
        if self._targets is None:  # every link's target at once: one git process
            wanted = list(self._link_blobs.items())
            self._targets = {
                p: data.decode("utf-8", "surrogateescape")
                for p, data in cat_blobs(wanted, self.cwd, _MAX_LINK_BYTES, [])
            }
        return self._targets.get(path, "")

    def paths(self) -> list[str]:
        return list(self._listing())

    def read_many(
        self,
        paths: Sequence[str],
        limit: int | None = None,
        too_big: list[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        listing = self._listing()
        wanted = [(p, listing[p]) for p in paths if p in listing]
        if not wanted:
            return
        yield from cat_blobs(wanted, self.cwd, limit, too_big)


def _note_too_big(too_big: list[tuple[str, int]] | None, path: str, size: int) -> None:
    """A file over the limit is left out: listed for the caller to report, or, for a
    caller that gave a limit but no list, an error (never a silent gap)."""
    if too_big is None:
        raise ProducerError(f"{path} is larger than the size limit ({size} bytes)")
    too_big.append((path, size))


_SKIP_PIECE = 1024 * 1024

#: Longest link target read (Linux's PATH_MAX); a longer one is followed as "" (to
#: the link's own folder: not a file, so reported).
_MAX_LINK_BYTES = 4096


def cat_blobs(
    wanted: Sequence[tuple[str, str]],
    cwd: str | None,
    limit: int | None = None,
    too_big: list[tuple[str, int]] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """The content of each (path, blob id) of ``wanted``, in order, from one ``git
    cat-file --batch`` fed by a thread; a blob over ``limit`` is read through and
    dropped, and noted in ``too_big``. Shared by the trees and the push's policy files."""
    proc = subprocess.Popen(
        git("cat-file", "--batch"),
        cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        assert proc.stdin is not None
        try:
            for _, blob in wanted:
                proc.stdin.write(blob.encode("ascii") + b"\n")
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        for path, blob in wanted:
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[0].decode() != blob:
                raise ProducerError(
                    f"git cat-file --batch: unexpected answer for {path}: {header!r}"
                )
            size = int(header[2])
            if limit is not None and size > limit:
                # read through and dropped, a MB at a time: never held
                left = size + 1  # and the newline after the content
                while left:
                    got = len(proc.stdout.read(min(left, _SKIP_PIECE)))
                    if not got:
                        raise ProducerError(f"git cat-file --batch: {path} is cut short")
                    left -= got
                _note_too_big(too_big, path, size)
                continue
            data = proc.stdout.read(size)
            if len(data) != size:
                raise ProducerError(f"git cat-file --batch: {path} is cut short")
            proc.stdout.read(1)  # the newline after the content
            yield path, data
    finally:
        proc.stdout.close()
        proc.wait()
        feeder.join()


class SvnTree:
    """The tree of an svn transaction. svnlook reads one file per process, so the
    files the transaction leaves as they are in the youngest revision (the same
    node-revision id) are read in batches with the svn client; the files it changes,
    and every file when the client is missing or its answer does not add up, with
    ``svnlook cat``. A file the transaction adds whole is not read at all when the
    door hands over its content from the diff (:meth:`keep`, for the paths
    ``wanted`` names): svnlook cat costs a process per file."""

    FEW = 8  # below this, listing the youngest tree costs more than it saves
    links_are_files = True

    def __init__(
        self, transaction: Transaction, wanted: Callable[[str], bool] | None = None
    ) -> None:
        self.txn = transaction
        self._ids: dict[str, str] | None = None
        self._wanted = wanted
        self._kept: dict[str, bytes] = {}
        self._big: dict[str, int] = {}  # read ahead and found over the limit
        self._ahead: threading.Thread | None = None
        self._ahead_error: BaseException | None = None
        self._links: dict[str, str] | None = None  # see link_paths
        self._youngest_ids: tuple[str, dict[str, str]] | None = None

    def keep(self, path: str, data: bytes) -> None:
        if self._wanted is not None and self._wanted(path):
            self._kept[path] = data

    def read_ahead(self, skip: frozenset[str], limit: int | None) -> None:
        """Start reading, in a thread, the files ``wanted`` names but for those in
        ``skip`` (the ones the diff will hand over): their svnlook cats, a process
        each, then run while the diff streams. read_many takes what was read, and
        raises what went wrong."""
        wanted = self._wanted
        if wanted is None:
            return

        def run() -> None:
            try:
                paths = [p for p in self._tree() if wanted(p) and p not in skip]
                big: list[tuple[str, int]] = []
                self._kept.update(self._read(paths, limit, big))
                self._big.update(big)
            except BaseException as exc:  # raised again by _join
                self._ahead_error = exc

        self._ahead = threading.Thread(target=run, name="regime-svn-read", daemon=True)
        self._ahead.start()

    def _join(self) -> None:
        if self._ahead is not None:
            self._ahead.join()
            self._ahead = None
            if self._ahead_error is not None:
                raise self._ahead_error

    def _tree(self) -> dict[str, str]:
        if self._ids is None:
            self._ids = self.txn.tree_ids()
        return self._ids

    def paths(self) -> list[str]:
        self._join()
        return list(self._tree())

    def link_paths(self) -> list[str] | None:
        """The links the transaction leaves as the youngest revision has them: the
        svn client lists them (and reads them) in two calls. A link the transaction
        adds or changes is a file it touches, found when the files are read (its
        content is ``link TARGET``). None without the svn client."""
        self._join()
        if self._links is None:
            from regime.sources.svn import svn_env
            from regime.sources.svn_client import find_svn, read_files, special_files

            svn = find_svn(self.txn.svnlook)
            if svn is None:
                return None
            ids = self._tree()
            wanted = self._wanted
            infra = [p for p in ids if wanted is None or wanted(p)]
            if not infra:
                self._links = {}
                return []
            # only the folder that holds every infrastructure file is asked (svn walks
            # all it is given: 0.3 s for 5,000 files)
            under = os.path.commonpath([p.rpartition("/")[0] or "." for p in infra])
            revision = self.txn.youngest()
            try:
                special = special_files(
                    svn, self.txn.repos, revision, svn_env(), "" if under == "." else under
                )
                if not special:
                    self._links = {}
                    return []
                old_revision, youngest = self._youngest()
                same = [p for p in special if p in ids and youngest.get(p) == ids[p]]
                if old_revision != revision:  # a commit landed in between: cannot tell
                    return None
                read = read_files(
                    svn, self.txn.repos, revision, same, svn_env(), _MAX_LINK_BYTES, {}
                )
                self._links = {
                    p: data[len(SVN_LINK_PREFIX) :].decode("utf-8", "surrogateescape")
                    for p, data in read
                    if data.startswith(SVN_LINK_PREFIX)
                }
            except ProducerError:
                return None
        return list(self._links)

    def link(self, path: str) -> str | None:
        """An svn link is a file whose content is ``link TARGET`` and which has the
        property svn:special; both are asked of the transaction (a process each, for
        the few files that may be links)."""
        if self._links is not None and path in self._links:
            return self._links[path]
        if path not in self._tree():
            return None
        try:
            data = self.txn.cat(path, _MAX_LINK_BYTES)
        except TooBig:
            return None
        if data is None or not data.startswith(SVN_LINK_PREFIX):
            return None
        if not self.txn.special(path):
            return None
        return data[len(SVN_LINK_PREFIX) :].decode("utf-8", "surrogateescape")

    def _youngest(self) -> tuple[str, dict[str, str]]:
        if self._youngest_ids is None:
            self._youngest_ids = self.txn.youngest_tree_ids()
        return self._youngest_ids

    def read_many(
        self,
        paths: Sequence[str],
        limit: int | None = None,
        too_big: list[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        self._join()
        return self._read(paths, limit, too_big)

    def _read(
        self, paths: Sequence[str], limit: int | None, too_big: list[tuple[str, int]] | None
    ) -> Iterator[tuple[str, bytes]]:
        from regime.sources.svn import svn_env
        from regime.sources.svn_client import find_svn, read_files

        ids = self._tree()
        kept = self._kept
        wanted = [p for p in paths if p in ids and p not in kept and p not in self._big]
        batched: dict[str, bytes] = {}
        big: dict[str, int] = {}
        svn = find_svn(self.txn.svnlook)
        if svn is not None and len(wanted) > self.FEW:
            revision, youngest = self._youngest()
            same = [p for p in wanted if youngest.get(p) == ids[p]]
            try:
                batched = dict(
                    read_files(svn, self.txn.repos, revision, same, svn_env(), limit, big)
                )
            except ProducerError:
                batched, big = {}, {}  # svnlook below reads them all, one by one
        for path in paths:
            if path not in ids:
                continue
            data = kept.pop(path, None)
            if data is None and (path in big or path in self._big):
                _note_too_big(too_big, path, big.get(path) or self._big[path])
                continue
            if data is None:
                data = batched.get(path)
            if data is None:
                try:
                    data = self.txn.cat(path, limit)
                except TooBig as exc:
                    _note_too_big(too_big, path, exc.size)
                    continue
            if data is not None:
                yield path, data
