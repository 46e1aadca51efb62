"""``regime diff [FILE|-]``: a unified diff from a file or stdin (git, svn, plain)."""

from __future__ import annotations

import sys
from typing import IO

from regime.changeset import ChangeSet
from regime.diff.reader import Seen, changed_files
from regime.engine import Outcome, check_changeset
from regime.findings import Finding
from regime.hooks.base import (
    Options,
    UsageError,
    git_root_or_cwd,
    policy_for,
    report,
    watched_outcome,
)
from regime.policy.model import Policy
from regime.sources.process import read_blocks


def run(source: str, opts: Options) -> int:
    policy = policy_for(opts, git_root_or_cwd())
    outcome = watched_outcome(policy, opts, "change")
    if source == "-":
        _check(sys.stdin.buffer, "<stdin>", policy, outcome)
    else:
        try:
            fh = open(source, "rb")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot read {source}: {exc.strerror}") from exc
        with fh:
            _check(fh, source, policy, outcome)
    return report(outcome, opts, "change")


def _check(stream: IO[bytes], name: str, policy: Policy, outcome: Outcome) -> None:
    seen = Seen()
    files = changed_files(read_blocks(stream), limit=policy.limits.max_file_size, seen=seen)
    check_changeset(ChangeSet(files=files), policy, outcome)
    if seen.text and not seen.chunks and policy.rule("DIFF001").active:
        outcome.findings.append(_no_diff(name, seen, policy))


def _no_diff(name: str, seen: Seen, policy: Policy) -> Finding:
    """Input that is not empty but holds no file of a diff: nothing was checked, and
    passing it as "0 files" would let any mistake in a pipeline pass too."""
    why = (
        "it holds terminal colour codes: make the diff with --no-color"
        if seen.colour
        else "give regime a unified diff (git diff, svn diff, diff -u)"
    )
    return Finding(
        name, 1, 0, "DIFF001",
        f"no diff found in this input (no `diff`, `---`/`+++`, `Index:` or svnlook file "
        f"header), so nothing was checked: {why}",
        policy.rule("DIFF001").severity, None, None,
    )  # fmt: skip
