"""``regime diff [FILE|-]``: a unified diff from a file or stdin (git, svn, plain)."""

from __future__ import annotations

import sys

from regime.changeset import ChangeSet
from regime.diff.reader import changed_files
from regime.engine import Outcome, check_changeset
from regime.hooks.base import Options, UsageError, git_root_or_cwd, policy_for, report
from regime.sources.process import read_blocks


def run(source: str, opts: Options) -> int:
    policy = policy_for(opts, git_root_or_cwd())
    outcome = Outcome()
    if source == "-":
        stream = sys.stdin.buffer
        check_changeset(ChangeSet(files=changed_files(read_blocks(stream))), policy, outcome)
    else:
        try:
            fh = open(source, "rb")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot read {source}: {exc.strerror}") from exc
        with fh:
            check_changeset(ChangeSet(files=changed_files(read_blocks(fh))), policy, outcome)
    return report(outcome, opts, "change")
