"""``regime check``: the CI lint step.

``--from A [--to B]``: every commit in A..B on its own (its message and the
lines it adds; a merge only for what it introduces itself).
``[PATH...]``: whole files, every line counts (the tracked files of a git work
tree, or every file under a plain directory).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

from regime.changeset import ChangeSet
from regime.engine import Outcome, check_changeset, check_tree
from regime.hooks.base import Options, UsageError, policy_for, report
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
    outcome = Outcome()
    touched = check_commits(git.rev_list([tip_id, "--not", base_id]), lambda _sha: policy, outcome)
    # the infrastructure checks look at the tree at the end of the range
    check_tree(GitTree(tip_id), set().union(*touched.values()), policy, outcome, f"tree of {tip}")
    if outcome.commits == 0:
        outcome.notes.append(f"no commits in {base}..{tip}")
    return report(outcome, opts, "change")


def _tree_files(paths: Sequence[str], infra: Callable[[str], bool]) -> Iterator[ChangeSet]:
    try:
        root = git.toplevel()
    except ProducerError:
        root = None
    if root is not None:
        names = git.tracked_files(paths)
        # the infrastructure checks see the whole tracked tree (a duplicate needs both
        # sides); with PATHs, what involves them counts
        whole = FsTree(root, git.tracked_files() if paths else names, infra)
        yield ChangeSet(
            files=tree.whole_files(root, names, whole.keep),
            tree=whole,
            also_touched=frozenset(names),
            all_touched=not paths,
        )
        return
    for path in paths or ["."]:
        if os.path.isdir(path):
            files = FsTree(path, wanted=infra)
            yield ChangeSet(
                files=tree.whole_files(path, files.paths(), files.keep),
                tree=files,
                all_touched=True,
            )
        elif os.path.isfile(path) and not os.path.islink(path):
            yield ChangeSet(files=iter([tree.whole_file(path, path)]))
        else:
            raise UsageError(f"{path}: no such file or directory")


def run_tree(paths: Sequence[str], opts: Options) -> int:
    try:
        root: str | None = git.toplevel()
    except ProducerError:
        root = paths[0] if len(paths) == 1 and os.path.isdir(paths[0]) else os.getcwd()
    policy = policy_for(opts, root)
    outcome = Outcome()
    for changeset in _tree_files(paths, policy.infra.is_infra):
        check_changeset(changeset, policy, outcome)
    return report(outcome, opts, "tree")
