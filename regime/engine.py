"""Run the checks over change sets and gather the outcome.

This is the one place that knows which checks exist; doors hand it change sets,
reporters read its Outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from regime.changeset import ChangeSet
from regime.checks import log_message, whitespace
from regime.findings import Finding
from regime.policy.model import Policy


@dataclass(slots=True)
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    commits: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> int:
        return sum(1 for f in self.findings if f.blocking)

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0


def check_changeset(changeset: ChangeSet, policy: Policy, outcome: Outcome) -> None:
    """Check one change (its files as they stream, then its message)."""
    if changeset.label is not None:
        outcome.commits += 1
    add = outcome.findings.append
    context = changeset.label
    unreadable = policy.rule("DIFF001")
    for changed in changeset.files:
        outcome.files += 1
        if changed.problem is not None:
            if unreadable.active:
                add(
                    Finding(
                        changed.path, changed.problem_line, 0, "DIFF001",
                        f"this file's diff could not be read ({changed.problem}); "
                        "its added lines were not checked",
                        unreadable.severity, None, context,
                    )
                )  # fmt: skip
            continue
        outcome.findings.extend(whitespace.check_file(changed, policy, context))
    if changeset.message is not None:
        outcome.findings.extend(
            log_message.check_message(changeset.message, policy, changeset.message_path, context)
        )


def check_all(changesets: Iterable[ChangeSet], policy: Policy) -> Outcome:
    outcome = Outcome()
    for changeset in changesets:
        check_changeset(changeset, policy, outcome)
    return outcome
