"""``regime diff [FILE|-]``: a unified diff from a file or stdin (git, svn, plain)."""

from __future__ import annotations

import sys

from regime.changeset import ChangeSet
from regime.diff.reader import changed_files
from regime.engine import check_changeset
from regime.hooks.base import (
    Options,
    UsageError,
    git_root_or_cwd,
    policy_for,
    report,
    watched_outcome,
)
from regime.sources.process import read_blocks


def run(source: str, opts: Options) -> int:
    policy = policy_for(opts, git_root_or_cwd())
    outcome = watched_outcome(policy, opts, "change")
    limit = policy.limits.max_file_size
    if source == "-":
        stream = sys.stdin.buffer
        files = changed_files(read_blocks(stream), limit=limit)
        check_changeset(ChangeSet(files=files), policy, outcome)
    else:
        try:
            fh = open(source, "rb")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot read {source}: {exc.strerror}") from exc
        with fh:
            files = changed_files(read_blocks(fh), limit=limit)
            check_changeset(ChangeSet(files=files), policy, outcome)
    return report(outcome, opts, "change")
