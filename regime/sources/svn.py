"""Subversion as a source of changes: svnlook on a transaction.

A hook runs with an empty environment (no PATH, C locale), so svnlook is called
by absolute path and with LC_ALL=C.UTF-8: without it svnlook fails on any
non-ASCII path (E000022) and garbles non-ASCII log messages.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from regime.sources.process import ProducerError, Stream, TooBig, read_at_most

SEARCH_DIRS = (
    "/usr/bin",
    "/usr/local/bin",
    "/opt/local/bin",
    "/usr/pkg/bin",
    "/opt/csw/bin",
    "/bin",
)


def find_svnlook(explicit: str | None = None) -> str:
    """svnlook by absolute path: as given, else next to our Python, else the usual places."""
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise ProducerError(f"svnlook not found or not executable at {explicit}")
        return explicit
    import sys

    candidates = [os.path.dirname(sys.executable), *SEARCH_DIRS]
    for folder in candidates:
        path = os.path.join(folder, "svnlook")
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise ProducerError(
        "svnlook not found (looked in " + ", ".join(candidates) + "); "
        "reinstall the hook with `regime install svn --svnlook PATH`"
    )


def svn_env() -> dict[str, str]:
    """The environment for svnlook and svn: ours, with a UTF-8 locale."""
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"
    return env


class Transaction:
    """One svn transaction (or revision, for testing hooks after the fact)."""

    def __init__(self, repos: str, txn: str, svnlook: str, *, revision: bool = False) -> None:
        self.repos = repos
        self.svnlook = svnlook
        self.which = ["-r", txn] if revision else ["-t", txn]
        self._special: dict[str, bool] = {}  # svn:special, by path (see special)
        self._tree_ids: dict[str, str] | None = None
        self._tree_lock = threading.Lock()

    def _run(
        self, command: str, *options: str, operands: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess[bytes]:
        """``svnlook COMMAND OPTIONS -t TXN -- REPOS OPERANDS...``. The ``--`` ends the
        options, so a path that starts with "-" (``-rf.c``, ``--help.conf``) is a path."""
        return self._svnlook(command, *options, *self.which, "--", self.repos, *operands)

    def log_message(self) -> str:
        """svn:log as the committer wrote it; absent means empty."""
        proc = self._run("propget", "--revprop", operands=("svn:log",))
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            if "E200017" in err:  # the property is not set: an empty message
                return ""
            raise ProducerError(_failed("svnlook propget svn:log", proc.returncode, err))
        return proc.stdout.decode("utf-8", "surrogateescape")

    def propget(self, path: str, name: str) -> bytes | None:
        """A property of a path of the transaction; None when it is not set."""
        proc = self._run("propget", operands=(name, path))
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            if "E200017" in err or "E160013" in err:  # no such property / no such path
                return None
            raise ProducerError(_failed(f"svnlook propget {name} {path}", proc.returncode, err))
        return proc.stdout

    def special(self, path: str) -> bool:
        """Whether a file of the transaction has svn:special (a symlink: its text is
        "link TARGET", never lines to check). Asked once a path: the diff's reader,
        the whole-file reader and the tree's links all ask it of the same files."""
        known = self._special.get(path)
        if known is None:
            known = self._special[path] = self.propget(path, "svn:special") is not None
        return known

    def base_revision(self) -> str:
        """The revision a transaction's changes are made on (the youngest: svn refuses
        the commit of a file changed since), or the one before a revision."""
        if self.which[0] == "-r":
            return str(max(int(self.which[1]) - 1, 0))
        return self.youngest()

    def cat(self, path: str, limit: int | None = None, revision: str | None = None) -> bytes | None:
        """A file of the transaction's tree (or of ``revision``), or None when it is not
        there. With ``limit``, svnlook is stopped once it has printed more than that
        and TooBig raised with the file's size: a file over the limit is never held."""
        if revision is not None:
            return Transaction(self.repos, revision, self.svnlook, revision=True).cat(path, limit)
        if limit is not None:
            return self._cat_limited(path, limit)
        proc = self._run("cat", operands=(path,))
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            if "E160013" in err or "E160017" in err:  # no such path / not a file
                return None
            raise ProducerError(_failed(f"svnlook cat {path}", proc.returncode, err))
        return proc.stdout

    def head(self, path: str, size: int) -> bytes | None:
        """At most the first ``size`` bytes of a file of the transaction (svnlook is
        stopped once they are read), or None when it is not a file there."""
        data, _more = self._cat_at_most(path, size - 1)
        return None if data is None else data[:size]

    def _cat_limited(self, path: str, limit: int) -> bytes | None:
        data, more = self._cat_at_most(path, limit)
        if data is not None and more:
            raise TooBig(self._filesize(path, len(data)), data[:8000])
        return data

    def _cat_at_most(self, path: str, most: int) -> tuple[bytes | None, bool]:
        """``svnlook cat`` of a file, stopped once it has printed more than ``most``
        bytes: (what it printed, whether that was more than ``most``); (None, False)
        when the path is not a file of the transaction."""
        argv = [self.svnlook, "cat", *self.which, "--", self.repos, path]
        try:
            proc = subprocess.Popen(
                argv, env=svn_env(), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
        except OSError as exc:
            raise ProducerError(f"cannot run {self.svnlook}: {exc.strerror}") from exc
        assert proc.stdout is not None and proc.stderr is not None
        with proc:
            data = read_at_most(proc.stdout, most)
            if len(data) > most:
                proc.kill()
                proc.wait()
                return data, True
            err = proc.stderr.read()
            code = proc.wait()
        if code != 0:
            text = err.decode("utf-8", "replace")
            if "E160013" in text or "E160017" in text:  # no such path / not a file
                return None, False
            raise ProducerError(_failed(f"svnlook cat {path}", code, text))
        return data, False

    def _filesize(self, path: str, at_least: int) -> int:
        """``svnlook filesize``: the size of a file of the transaction (or, should
        svnlook fail, the bytes already seen)."""
        proc = self._run("filesize", operands=(path,))
        text = proc.stdout.decode("ascii", "replace").strip()
        return int(text) if proc.returncode == 0 and text.isdigit() else at_least

    def changes(self) -> Changes:
        """What ``svnlook changed --copy-info`` says the transaction does. Its output is
        read strictly: a line it would never print means svnlook is not what it
        seems, and the change is not checked rather than half checked."""
        proc = self._run("changed", "--copy-info")
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            raise ProducerError(_failed("svnlook changed", proc.returncode, err))
        return _parse_changed(proc.stdout)

    def tree_ids(self) -> dict[str, str]:
        """Every file of the transaction's tree with its node-revision id (folders,
        which end with "/", are left out); listed once (the tree of the infrastructure
        checks and the .editorconfig files both ask)."""
        with self._tree_lock:  # the tree's read-ahead thread and the door both ask
            if self._tree_ids is None:
                self._tree_ids = _parse_tree(self._run("tree", "--full-paths", "--show-ids"))
            return self._tree_ids

    def youngest(self) -> str:
        """The youngest revision of the repository."""
        proc = self._svnlook("youngest", "--", self.repos)
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            raise ProducerError(_failed("svnlook youngest", proc.returncode, err))
        return proc.stdout.decode("ascii", "replace").strip()

    def youngest_tree_ids(self) -> tuple[str, dict[str, str]]:
        """The youngest revision and every file of it with its node-revision id."""
        rev = self.youngest()
        tree = self._svnlook("tree", "--full-paths", "--show-ids", "-r", rev, "--", self.repos)
        return rev, _parse_tree(tree)

    def _svnlook(self, *argv: str) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                [self.svnlook, *argv],
                env=svn_env(), capture_output=True, stdin=subprocess.DEVNULL, check=False,
            )  # fmt: skip
        except OSError as exc:
            raise ProducerError(f"cannot run {self.svnlook}: {exc.strerror}") from exc

    @contextmanager
    def diff(self) -> Iterator[Stream]:
        """The lines the transaction adds. Deleted files and properties are left out;
        a copy is shown against its source, so copying old code is not new code."""
        argv = [
            self.svnlook, "diff", "--no-diff-deleted", "--ignore-properties", "--diff-copy-from",
            *self.which, "--", self.repos,
        ]  # fmt: skip
        stream = Stream(argv, env=svn_env())
        try:
            yield stream
        except BaseException as exc:
            stream.__exit__(type(exc), exc, exc.__traceback__)
            raise
        try:
            stream.finish()
        except ProducerError as exc:
            # svnlook diff writes both sides of each file to temporary files, and
            # says only "Couldn't perform atomic initialization" when it finds no room
            problem = _no_temporary_room()
            if problem is None:
                raise
            raise ProducerError(f"{exc}; {problem}") from exc


def _no_temporary_room() -> str | None:
    """Why no temporary file can be written (svnlook looks where Python does: TMPDIR,
    TMP, TEMP, /tmp, /var/tmp, /usr/tmp, the current folder), or None."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=tempfile.gettempdir()) as fh:
            fh.write(b"!")
            fh.flush()
    except OSError as exc:
        return (
            "svnlook diff needs room for temporary files and found none (TMPDIR, /tmp, "
            f"/var/tmp, /usr/tmp and the hook's current folder: {exc.strerror or exc}): "
            "free some space there"
        )
    return None


@dataclass(frozen=True, slots=True)
class Changes:
    """``paths``: every file the transaction adds, changes, copies or deletes (a plain
    copy shows no diff but still brings a file). ``shown``: the files whose content
    it adds or changes, other than by a plain copy: ``svnlook diff`` shows each."""

    paths: list[str]
    shown: frozenset[str]
    added: frozenset[str] = frozenset()  # added without history: the diff shows them whole
    # what the transaction copies (a file, or a folder ending in "/"): its source
    # path and revision, from the "(from SRC:rN)" line under it
    copied: tuple[tuple[str, str, str], ...] = ()

    def copy_source(self, path: str) -> tuple[str, str] | None:
        """Where a file the transaction copies (itself, or in a copied folder) comes
        from: (source path, revision); None when it is not a copy."""
        for target, source, rev in self.copied:
            if target == path:
                return source, rev
            if target.endswith("/") and path.startswith(target):
                return source + path[len(target) :], rev
        return None


_CHANGED = re.compile(r"([ADU_])([U ])([+ ]) (.+)")
_COPIED_FROM = re.compile(r"    \(from (.*):r([0-9]+)\)")
_TREE_LINE = re.compile(r"(.+) <([^<>\s]+)>")


def _parse_changed(out: bytes) -> Changes:
    paths: list[str] = []
    shown: set[str] = set()
    added: set[str] = set()
    copies: list[tuple[str, str, str]] = []
    last = ""
    for line in _lines(out):
        m = _CHANGED.fullmatch(line)
        if m is None:
            if (c := _COPIED_FROM.fullmatch(line)) is not None:
                copies.append((last, c.group(1), c.group(2)))
                continue
            raise ProducerError(f"svnlook changed printed a line it never prints: {line[:200]!r}")
        status, _props, copied, path = m.groups()
        last = path
        if path.endswith("/"):
            continue
        paths.append(path)
        if status in "AU" and copied == " ":
            shown.add(path)
            if status == "A":
                added.add(path)
    copies.sort(key=lambda c: -len(c[0]))
    return Changes(paths, frozenset(shown), frozenset(added), tuple(copies))


def _parse_tree(proc: subprocess.CompletedProcess[bytes]) -> dict[str, str]:
    """``svnlook tree --full-paths --show-ids``: lines ``PATH <ID>``, folders end in "/"
    (the root is "/"). Any other line means the listing cannot be trusted."""
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        raise ProducerError(_failed("svnlook tree", proc.returncode, err))
    files: dict[str, str] = {}
    for line in _lines(proc.stdout):
        m = _TREE_LINE.fullmatch(line)
        if m is None:
            raise ProducerError(f"svnlook tree printed a line it never prints: {line[:200]!r}")
        path, node = m.groups()
        if not path.endswith("/"):
            files[path] = node
    return files


def _lines(out: bytes) -> list[str]:
    """svnlook's output as lines; it ends with a newline (or is empty)."""
    text = out.decode("utf-8", "surrogateescape")
    if text and not text.endswith("\n"):
        raise ProducerError(f"svnlook's output stops in the middle of a line: {text[-200:]!r}")
    return text.split("\n")[:-1] if text else []


def _failed(what: str, code: int, err: str) -> str:
    how = f"exit status {code}" if code >= 0 else f"killed by signal {-code}"
    return f"{what} failed ({how})" + (f": {err.strip()}" if err.strip() else "")
