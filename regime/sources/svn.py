"""Subversion as a source of changes: svnlook on a transaction.

A hook runs with an empty environment (no PATH, C locale), so svnlook is called
by absolute path and with LC_ALL=C.UTF-8: without it svnlook fails on any
non-ASCII path (E000022) and garbles non-ASCII log messages.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from regime.sources.process import ProducerError, Stream

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

    def _run(self, command: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        """``svnlook COMMAND -t TXN REPOS ARGS...`` (svnlook wants REPOS before the rest)."""
        options = [a for a in args if a.startswith("-")]
        operands = [a for a in args if not a.startswith("-")]
        try:
            return subprocess.run(
                [self.svnlook, command, *options, *self.which, self.repos, *operands],
                env=svn_env(), capture_output=True, stdin=subprocess.DEVNULL, check=False,
            )  # fmt: skip
        except OSError as exc:
            raise ProducerError(f"cannot run {self.svnlook}: {exc.strerror}") from exc

    def log_message(self) -> str:
        """svn:log as the committer wrote it; absent means empty."""
        proc = self._run("propget", "--revprop", "svn:log")
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            if "E200017" in err:  # the property is not set: an empty message
                return ""
            raise ProducerError(_failed("svnlook propget svn:log", proc.returncode, err))
        return proc.stdout.decode("utf-8", "surrogateescape")

    def cat(self, path: str) -> bytes | None:
        """A file of the transaction's tree, or None when it is not there."""
        proc = self._run("cat", path.lstrip("-"))
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            if "E160013" in err or "E160017" in err:  # no such path / not a file
                return None
            raise ProducerError(_failed(f"svnlook cat {path}", proc.returncode, err))
        return proc.stdout

    def changed_paths(self) -> list[str]:
        """Every path the transaction adds, changes, copies or deletes (``svnlook
        changed``): a plain copy shows no diff but still brings a file."""
        proc = self._run("changed")
        if proc.returncode != 0:
            raise ProducerError(
                _failed("svnlook changed", proc.returncode, proc.stderr.decode("utf-8", "replace"))
            )
        text = proc.stdout.decode("utf-8", "surrogateescape")
        return [line[4:] for line in text.split("\n") if len(line) > 4 and not line.endswith("/")]

    def tree_ids(self) -> dict[str, str]:
        """Every file of the transaction's tree with its node-revision id (folders,
        which end with "/", are left out)."""
        return _parse_tree(self._run("tree", "--full-paths", "--show-ids"))

    def youngest_tree_ids(self) -> tuple[str, dict[str, str]]:
        """The youngest revision and every file of it with its node-revision id."""
        proc = self._svnlook("youngest", self.repos)
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            raise ProducerError(_failed("svnlook youngest", proc.returncode, err))
        rev = proc.stdout.decode("ascii", "replace").strip()
        tree = self._svnlook("tree", "--full-paths", "--show-ids", "-r", rev, self.repos)
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
            *self.which, self.repos,
        ]  # fmt: skip
        with Stream(argv, env=svn_env()) as stream:
            yield stream


def _parse_tree(proc: subprocess.CompletedProcess[bytes]) -> dict[str, str]:
    """``svnlook tree --full-paths --show-ids``: lines ``PATH <ID>``, folders end in "/"."""
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        raise ProducerError(_failed("svnlook tree", proc.returncode, err))
    files: dict[str, str] = {}
    for line in proc.stdout.decode("utf-8", "surrogateescape").split("\n"):
        path, sep, node = line.rpartition(" <")
        if sep and node.endswith(">") and path and not path.endswith("/"):
            files[path] = node[:-1]
    return files


def _failed(what: str, code: int, err: str) -> str:
    how = f"exit status {code}" if code >= 0 else f"killed by signal {-code}"
    return f"{what} failed ({how})" + (f": {err.strip()}" if err.strip() else "")
