"""Run the checks over change sets and gather the outcome.

This is the one place that knows which checks exist; doors hand it change sets,
reporters read its Outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from regime.changeset import ChangeSet, FileStatus
from regime.checks import log_message, whitespace
from regime.checks.rules import RULES
from regime.findings import Finding
from regime.policy.model import Policy

if TYPE_CHECKING:
    from regime.sources.trees import Tree


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


def check_changeset(changeset: ChangeSet, policy: Policy, outcome: Outcome) -> set[str]:
    """Check one change (its files as they stream, then its message, then the tree
    after it when the change touches infrastructure files); return the paths it touches."""
    if changeset.label is not None:
        outcome.commits += 1
    add = outcome.findings.append
    context = changeset.label
    unreadable = policy.rule("DIFF001")
    touched: set[str] = set(changeset.also_touched)
    for changed in changeset.files:
        outcome.files += 1
        touched.add(changed.path)
        if changed.old_path is not None:
            touched.add(changed.old_path)
        if changed.problem is not None:
            if unreadable.active:
                what = (
                    f"not checked: {changed.problem}"
                    if changed.status is FileStatus.WHOLE
                    else f"this file's diff could not be read ({changed.problem}); "
                    "its added lines were not checked"
                )
                add(
                    Finding(
                        changed.path, changed.problem_line, 0, "DIFF001", what,
                        unreadable.severity, None, context,
                    )
                )  # fmt: skip
            continue
        outcome.findings.extend(whitespace.check_file(changed, policy, context))
    if changeset.message is not None:
        outcome.findings.extend(
            log_message.check_message(changeset.message, policy, changeset.message_path, context)
        )
    if changeset.tree is not None:
        check_tree(changeset.tree, None if changeset.all_touched else touched, policy, outcome)
    return touched


def check_tree(
    tree: Tree,
    touched: set[str] | None,
    policy: Policy,
    outcome: Outcome,
    context: str | None = None,
) -> None:
    """The infrastructure checks over a whole tree. They read every infrastructure file
    (a duplicate needs both sides), so they run only when the change touches one
    (``touched`` None: every file counts, as in CI tree mode)."""
    infra = policy.infra
    if not any(rule.active for code, rule in policy.rules.items() if RULES[code].scope == "infra"):
        return
    if touched is not None and not any(infra.is_infra(p) for p in touched):
        return
    from regime.checks.infra import check_infra

    paths = [p for p in tree.paths() if infra.is_infra(p)]
    files = dict(tree.read_many(paths))
    for finding in check_infra(files, touched, policy):
        outcome.findings.append(replace(finding, context=context) if context else finding)


def check_all(changesets: Iterable[ChangeSet], policy: Policy) -> Outcome:
    outcome = Outcome()
    for changeset in changesets:
        check_changeset(changeset, policy, outcome)
    return outcome
