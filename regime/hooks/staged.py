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
    limit = policy.limits.max_file_size
    with git.staged_diff(limit=limit) as stream, git.BlobSizes() as sizes:
        files = changed_files(stream, selection(paths, root), limit)
        changeset = ChangeSet(files=files, tree=GitTree(None), blob_sizes=(sizes, limit))
        check_changeset(changeset, policy, outcome)
    return report(outcome, opts, "commit")
