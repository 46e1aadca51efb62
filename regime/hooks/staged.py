"""``regime staged [FILE...]``: what a commit of this git work tree would add."""

from __future__ import annotations

from collections.abc import Sequence

from regime.changeset import ChangeSet
from regime.diff.reader import changed_files
from regime.engine import Outcome, check_changeset
from regime.hooks.base import Options, policy_for, report, selection
from regime.sources import git
from regime.sources.trees import GitTree


def run(paths: Sequence[str], opts: Options) -> int:
    root = git.toplevel()
    policy = policy_for(opts, root)
    outcome = Outcome()
    with git.staged_diff() as stream:
        files = changed_files(stream, selection(paths, root), policy.limits.max_file_size)
        check_changeset(ChangeSet(files=files, tree=GitTree(None)), policy, outcome)
    return report(outcome, opts, "commit")
