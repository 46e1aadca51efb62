"""``regime staged [FILE...]``: what a commit of this git work tree would add."""

from __future__ import annotations

from collections.abc import Sequence

from regime import editorconfig
from regime.changeset import ChangeSet
from regime.diff.reader import changed_files
from regime.engine import check_changeset
from regime.hooks.base import Options, policy_for, report, selection, watched_outcome
from regime.sources import git
from regime.sources.trees import GitTree


def run(paths: Sequence[str], opts: Options) -> int:
    state = git.work_tree()
    policy = policy_for(opts, state.root)
    outcome = watched_outcome(policy, opts, "commit")
    only = selection(paths, state.root)
    limit = policy.limits.max_file_size
    # git starts on the diff first (its pipe holds a MB) and the touched paths are
    # listed meanwhile (one quick listing; for 2,000 files it took as long as regime's
    # start-up), so the infrastructure files of the index are read while the diff
    # streams when the change touches one
    with git.staged_diff(state=state, limit=limit) as stream, git.BlobSizes() as sizes:
        names = git.staged_names(head=state.has_head)
        touched = frozenset(p for p in names if only is None or only(p))
        # the .editorconfig files of the index: what the commit will carry
        policy = editorconfig.apply(policy, editorconfig.git_reader(sizes, None))
        files = changed_files(stream, only, limit)
        changeset = ChangeSet(
            files=files, tree=GitTree(None), touched_early=touched,
            contents=git.GitContents(sizes, None),
        )  # fmt: skip
        check_changeset(changeset, policy, outcome)
    return report(outcome, opts, "commit")
