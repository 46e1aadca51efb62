"""git as a source of changes: fixed plumbing flags so no user configuration
(color, prefixes, external diff drivers, textconv, quoting) can change the
format regime reads."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from regime.sources.process import ProducerError, Stream, run_text

GIT = os.environ.get("REGIME_GIT", "git")

# Options every diff regime reads is produced with.
DIFF_FLAGS = (
    "-p",
    "--unified=0",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
    "--irreversible-delete",
)
COMMIT_FORMAT = "--format=%x00%H %P%n%B%x00"


def git(*args: str) -> list[str]:
    return [GIT, "--literal-pathspecs", "-c", "core.quotePath=false", *args]


class NotARepository(ProducerError):
    """regime was asked for a git change outside a git work tree (a usage error)."""


def toplevel(cwd: str | None = None) -> str:
    proc = subprocess.run(
        git("rev-parse", "--show-toplevel"), cwd=cwd, capture_output=True, check=False
    )
    out = proc.stdout.decode("utf-8", "surrogateescape").strip()
    if proc.returncode != 0 or not out:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise NotARepository(f"not inside a git work tree ({err or 'no work tree'})")
    return out


def empty_tree(cwd: str | None = None) -> str:
    """The id of the empty tree in this repository's hash (SHA-1 or SHA-256)."""
    proc = subprocess.run(
        git("hash-object", "-t", "tree", "--stdin"),
        cwd=cwd, input=b"", capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise ProducerError(f"git hash-object failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode().strip()


def has_head(cwd: str | None = None) -> bool:
    proc = subprocess.run(
        git("rev-parse", "--verify", "--quiet", "HEAD^{commit}"),
        cwd=cwd, capture_output=True, check=False,
    )  # fmt: skip
    return proc.returncode == 0


def resolve(rev: str, cwd: str | None = None) -> str:
    proc = subprocess.run(
        git("rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"),
        cwd=cwd, capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise LookupError(f"{rev!r} is not a commit in this repository")
    return proc.stdout.decode().strip()


def merge_heads(cwd: str | None = None) -> list[str]:
    """The other parents of the commit being made when a merge is in progress."""
    path = run_text(git("rev-parse", "--git-path", "MERGE_HEAD"), cwd=cwd).strip()
    if cwd is not None and not os.path.isabs(path):
        path = os.path.join(cwd, path)
    try:
        with open(path, encoding="ascii") as fh:
            return [line.strip() for line in fh if line.strip()]
    except OSError:
        return []


@contextmanager
def staged_diff(cwd: str | None = None) -> Iterator[Stream]:
    """What a commit would add: the index against HEAD (or the empty tree).

    The diff is never limited by pathspec: git could not pair a renamed file with
    its old name and the whole file would look added. Doors filter by path.
    While a merge is being committed, only what the merge itself introduces
    counts: a combined diff of the index against HEAD and the merged heads, so
    resolving a conflict never blames the other branch's accepted lines.
    """
    if not has_head(cwd):
        argv = git("diff-index", "--cached", *DIFF_FLAGS, empty_tree(cwd))
    elif heads := merge_heads(cwd):
        tree = run_text(git("write-tree"), cwd=cwd).strip()
        argv = git("diff", "--no-relative", "--cc", *DIFF_FLAGS, tree, "HEAD", *heads)
    else:
        argv = git("diff-index", "--cached", *DIFF_FLAGS, "HEAD")
    with Stream(argv, cwd=cwd) as stream:
        yield stream


@contextmanager
def range_diff(base: str, tip: str, cwd: str | None = None) -> Iterator[Stream]:
    """The change from base to tip as one diff (pre-commit's --from-ref/--to-ref),
    never limited by pathspec (see staged_diff)."""
    argv = git("diff-tree", "-r", *DIFF_FLAGS, base, tip)
    with Stream(argv, cwd=cwd) as stream:
        yield stream


@contextmanager
def commit_diffs(rev_args: Sequence[str], cwd: str | None = None) -> Iterator[Stream]:
    """Every commit of ``git rev-list REV_ARGS``, oldest first, each with its message
    and its diff, streamed by one rev-list and one diff-tree process.

    Merges show only what they introduce themselves (combined diff, ``--cc``).
    """
    rev_list = subprocess.Popen(
        git("rev-list", "--reverse", "--topo-order", *rev_args),
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        argv = git(
            "diff-tree", "--stdin", "-r", "--root", "--always", "--cc", *DIFF_FLAGS, COMMIT_FORMAT
        )
        assert rev_list.stdout is not None
        with Stream(argv, cwd=cwd, stdin=rev_list.stdout.fileno()) as stream:
            rev_list.stdout.close()
            yield stream
    finally:
        if rev_list.stdout is not None and not rev_list.stdout.closed:
            rev_list.stdout.close()
        err = rev_list.stderr.read() if rev_list.stderr is not None else b""
        code = rev_list.wait()
        if rev_list.stderr is not None:
            rev_list.stderr.close()
    if code != 0:
        raise ProducerError(f"git rev-list failed: {err.decode('utf-8', 'replace').strip()}")


def merge_base(a: str, b: str, cwd: str | None = None) -> str | None:
    proc = subprocess.run(git("merge-base", a, b), cwd=cwd, capture_output=True, check=False)
    return proc.stdout.decode().strip() or None if proc.returncode == 0 else None


def staged_names(paths: Sequence[str] = (), cwd: str | None = None) -> set[str]:
    """Paths with a staged change (as git names them, unquoted via -z)."""
    base = "HEAD" if has_head(cwd) else empty_tree(cwd)
    out = run_text(
        git("diff-index", "--cached", "--name-only", "-z", "--no-renames", base, "--", *paths),
        cwd=cwd,
    )
    return {p for p in out.split("\0") if p}


def tracked_files(paths: Sequence[str] = (), cwd: str | None = None) -> list[str]:
    out = run_text(git("ls-files", "-z", "--full-name", "--", *paths), cwd=cwd)
    return [p for p in out.split("\0") if p]


def config_value(key: str, cwd: str | None = None) -> str | None:
    proc = subprocess.run(git("config", "--get", key), cwd=cwd, capture_output=True, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape").rstrip("\n")
