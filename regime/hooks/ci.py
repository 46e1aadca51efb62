"""``regime check``: the CI lint step.

``--from A [--to B]``: every commit in A..B on its own (its message and the
lines it adds; a merge only for what it introduces itself).
``[PATH...]``: whole files, every line counts (the tracked files of a git work
tree, or every file under a plain directory).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from itertools import chain

from regime.changeset import ChangeSet
from regime.engine import check_changeset, check_tree
from regime.hooks.base import (
    Options,
    UsageError,
    policy_for,
    report,
    report_unreadable,
    watched_outcome,
)
from regime.hooks.commit_range import check_commits
from regime.sources import git, tree
from regime.sources.process import ProducerError
from regime.sources.trees import FsTree, GitTree


def run_range(base: str, tip: str, opts: Options) -> int:
    root = git.toplevel()
    if base.strip("0") == "":
        raise UsageError(
            f"--from {base} is the zero id (a new branch): give the branch it starts from, "
            "e.g. --from origin/main"
        )
    try:
        base_id = git.resolve(base)
        tip_id = git.resolve(tip)
    except LookupError as exc:
        raise UsageError(
            f"{exc} (in a shallow CI clone, fetch more history: fetch-depth: 0)"
        ) from exc
    policy = policy_for(opts, root)
    outcome = watched_outcome(policy, opts, "change")
    touched = check_commits(git.rev_list([tip_id, "--not", base_id]), lambda _sha: policy, outcome)
    # the infrastructure checks look at the tree at the end of the range
    check_tree(GitTree(tip_id), set().union(*touched.values()), policy, outcome, f"tree of {tip}")
    if outcome.commits == 0:
        outcome.notes.append(f"no commits in {base}..{tip}")
    return report(outcome, opts, "change")


def _tree_files(
    paths: Sequence[str], infra: Callable[[str], bool], limit: int
) -> Iterator[tuple[ChangeSet, FsTree | None]]:
    try:
        root = git.toplevel()
    except ProducerError:
        root = None
    if root is not None:
        names = git.tracked_files(paths)
        _all_matched(paths, names, root)
        # the infrastructure checks see the whole tracked tree (a duplicate needs both
        # sides); with PATHs, what involves them counts
        whole = FsTree(root, git.tracked_files() if paths else names, infra, report_unreadable=True)
        changeset = ChangeSet(
            files=tree.whole_files(root, names, whole.keep, limit),
            tree=whole,
            also_touched=frozenset(names),
            all_touched=not paths,
        )
        yield changeset, whole
        return
    for path in paths or ["."]:
        if os.path.isdir(path):
            files = FsTree(path, wanted=infra, report_unreadable=True)
            names = files.paths()  # walks now, so the unreadable folders are known
            changeset = ChangeSet(
                files=chain(
                    tree.whole_files(path, names, files.keep, limit),
                    tree.unreadable_folders(files.unreadable),
                ),
                tree=files,
                all_touched=True,
            )
            yield changeset, files
        elif os.path.isfile(path):
            changed = tree.whole_file(path, path, limit=limit)
            yield ChangeSet(files=iter([changed] if changed is not None else [])), None
        else:
            raise UsageError(f"{path}: no such file or directory")


def _all_matched(paths: Sequence[str], names: Sequence[str], root: str) -> None:
    """In a git work tree a PATH must name tracked files: a typing error must not
    pass as "no problems in 0 files"."""
    for path in paths:
        rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        if rel == ".":
            continue
        under = rel.rstrip("/") + "/"
        if not any(name == rel or name.startswith(under) for name in names):
            raise UsageError(
                f"{path}: no file git tracks is there (in a git work tree, regime check "
                "checks the tracked files; `git add` it first, or check a folder outside git)"
            )


def _no_links(paths: Sequence[str]) -> None:
    """A PATH that is a symlink is refused, like every symlink inside a tree: regime
    never follows one. A FIFO, socket or device is not a file to check."""
    for path in paths:
        if os.path.islink(path):
            target = os.readlink(path)
            raise UsageError(
                f"{path} is a symbolic link (to {target}); regime never follows links: "
                "give the path it points to"
                + (f", or {path}/ for the folder" if os.path.isdir(path) else "")
            )
        kind = _special_kind(path)
        if kind:
            raise UsageError(f"{path} is {kind}, not a file or folder to check")


def _special_kind(path: str) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return kind
    return None


def run_tree(paths: Sequence[str], opts: Options) -> int:
    _no_links(paths)
    try:
        root: str | None = git.toplevel()
    except ProducerError:
        root = paths[0] if len(paths) == 1 and os.path.isdir(paths[0]) else os.getcwd()
    policy = policy_for(opts, root)
    outcome = watched_outcome(policy, opts, "tree")
    for changeset, files in _tree_files(paths, policy.infra.is_infra, policy.limits.max_file_size):
        check_changeset(changeset, policy, outcome)
        if files is not None:
            report_unreadable(files, outcome, policy)
    return report(outcome, opts, "tree")
