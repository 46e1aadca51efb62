"""``regime pre-commit [FILE...]``: the door of the pre-commit framework.

pre-commit passes the files its ``files:``/``exclude:`` filters let through, so
the user's filters work. What is checked of them:
- under ``pre-commit run --from-ref A --to-ref B`` and in the pre-push stage
  (PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF set): the lines A..B adds, A taken
  at its merge base with B;
- in a normal commit: the staged lines of each file;
- a file with nothing staged (``--all-files``, ``--files``): the whole file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from regime import editorconfig
from regime.changeset import ChangeSet, Tree
from regime.diff.reader import changed_files
from regime.engine import Outcome, check_changeset, check_tree, infra_checks_run
from regime.hooks.base import (
    Options,
    UsageError,
    policy_for,
    report,
    report_unreadable,
    watched_outcome,
)
from regime.policy.model import Policy
from regime.sources import git, tree
from regime.sources.trees import FsTree, GitTree


def _range() -> tuple[str, str] | None:
    """(start, tip) under --from-ref/--to-ref or in pre-push, start at the merge base."""
    base = os.environ.get("PRE_COMMIT_FROM_REF")
    tip = os.environ.get("PRE_COMMIT_TO_REF")
    if not (base and tip):
        return None
    if base.strip("0") == "":  # pre-push of a new branch: nothing to compare with
        raise UsageError("PRE_COMMIT_FROM_REF is the zero id; run with --all-files instead")
    try:
        return git.merge_base(base, tip) or git.resolve(base), tip
    except LookupError as exc:
        raise UsageError(str(exc)) from exc


def run_infra(opts: Options) -> int:
    """regime-infra: the Xen and rt_tables checks of the tree after the change, run
    once (pass_filenames: false, always_run: true). In a commit: the index, what is
    staged counts (nothing staged inside `git commit`: nothing to check); run by hand
    with nothing staged (--all-files): the tracked tree, everything counts; under a
    range: the tree at its end, what the range changes counts. The files the checks
    read are the files the summary counts."""
    root = git.toplevel()
    policy = policy_for(opts, root)
    outcome = watched_outcome(policy, opts, "commit")
    span = _range()
    if span is not None:
        start, tip = span
        _check_infra(GitTree(tip), git.changed_names(start, tip), policy, outcome)
        return report(outcome, opts, "change")
    staged = git.staged_names()
    if staged:
        _check_infra(GitTree(None), staged, policy, outcome)
        return report(outcome, opts, "commit")
    if os.environ.get("GIT_INDEX_FILE"):
        # inside `git commit` (git names the index to its hooks) with nothing staged
        # (--amend of the message, --allow-empty): the tree does not change. The hook
        # runs always (pre-commit passes no file for a commit that only deletes one)
        return report(outcome, opts, "commit")
    files = FsTree(root, git.tracked_files(cwd=root), report_unreadable=True)
    _check_infra(files, None, policy, outcome)
    report_unreadable(files, outcome, policy)
    return report(outcome, opts, "tree")


def _check_infra(tree: Tree, touched: set[str] | None, policy: Policy, outcome: Outcome) -> None:
    if infra_checks_run(touched, policy):
        outcome.files += sum(1 for path in tree.paths() if policy.infra.is_infra(path))
    check_tree(tree, touched, policy, outcome)


def run(paths: Sequence[str], opts: Options) -> int:
    root = git.toplevel()
    policy = policy_for(opts, root)
    limit = policy.limits.max_file_size
    outcome = watched_outcome(policy, opts, "commit")
    span = _range()
    if span is not None:
        start, tip = span
        if paths:
            wanted = set(paths)
            with git.range_diff(start, tip, limit=limit) as stream, git.BlobSizes() as sizes:
                files = changed_files(stream, wanted.__contains__, limit)
                contents = git.GitContents(sizes, tip)
                ranged = editorconfig.apply(policy, editorconfig.git_reader(sizes, tip))
                check_changeset(ChangeSet(files=files, contents=contents), ranged, outcome)
        return report(outcome, opts, "change")
    staged = git.staged_names(paths) if paths else set()
    in_index = {p for p in paths if p in staged}
    whole = [p for p in paths if p not in staged]
    if in_index:
        with git.staged_diff(limit=limit) as stream, git.BlobSizes() as sizes:
            files = changed_files(stream, in_index.__contains__, limit)
            contents = git.GitContents(sizes, None)
            index = editorconfig.apply(policy, editorconfig.git_reader(sizes, None))
            check_changeset(ChangeSet(files=files, contents=contents), index, outcome)
    if whole:
        files = tree.whole_files(root, whole, limit=limit)
        on_disk = editorconfig.apply(policy, editorconfig.disk_reader(root))
        check_changeset(ChangeSet(files=files), on_disk, outcome)
    # --all-files, --files: whole files, no commit in sight
    return report(outcome, opts, "commit" if in_index else "tree")
