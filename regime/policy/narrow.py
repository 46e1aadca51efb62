"""``--select`` and ``--ignore``: a run of fewer rules than the policy's.

The policy is the gate: these options only ever turn rules off. ``--select`` keeps
the checks it names (WS101, or a prefix: ``WS``, ``XEN1``, as ruff takes them) and
turns the other checks off; ``--ignore`` turns the ones it names off (after
``--select``, as in ruff). A selected rule the policy turns off stays off, and the
report says so: a command-line option cannot make a rule stricter than the policy
file, nor looser behind its back.

The rules that say something was NOT checked are not checks: ``--select`` leaves
them as the policy has them (a narrowed run still says which file it could not
read), ``--ignore`` turns off DIFF001 only when it names it, and LIM001/LIM002 not
at all (they follow ``limits.over_limit``). The server doors (svn-pre-commit,
git-pre-receive) have neither option: there the server policy alone decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from regime.checks.rules import RULES
from regime.findings import Severity
from regime.policy.model import Policy

# The scopes of the checks proper; the others say what could not be checked.
_CHECKS = frozenset(("lines", "message", "infra"))


class CodeError(ValueError):
    """An option names a code that is not a rule (a usage error: exit 2)."""


def expand(values: Iterable[str], option: str) -> frozenset[str]:
    """The rule codes the comma-separated ``values`` of ``option`` name: whole codes
    or prefixes of them, any case. CodeError names every one that matches no rule."""
    wanted: set[str] = set()
    unknown: list[str] = []
    for value in values:
        for word in value.split(","):
            word = word.strip().upper()
            if not word:
                continue
            matched = {code for code in RULES if code.startswith(word)}
            if option == "--ignore":
                if word in RULES and RULES[word].scope == "limits":
                    raise CodeError(
                        f"--ignore {word}: {word} says a file or the rest of a change was "
                        "not checked; it cannot be ignored (limits.over_limit: allow in the "
                        "policy makes it a warning)"
                    )
                matched = {c for c in matched if RULES[c].scope != "limits"}
            if not matched:
                unknown.append(word)
            wanted |= matched
    if unknown:
        s = "s" if len(unknown) > 1 else ""
        raise CodeError(
            f"{option}: unknown rule code{s} {', '.join(unknown)} (codes or their prefixes, "
            f"e.g. WS101 or WS; `regime explain` lists them)"
        )
    return frozenset(wanted)


def narrow(
    policy: Policy, select: frozenset[str] | None, ignore: frozenset[str]
) -> tuple[Policy, list[str]]:
    """The policy with the rules ``--select`` leaves out and ``--ignore`` names off, and
    a note for each selected rule the policy itself turns off."""
    if select is None and not ignore:
        return policy, []
    rules = dict(policy.rules)
    notes = []
    for code, rule in policy.rules.items():
        selectable = RULES[code].scope in _CHECKS
        off = code in ignore or (select is not None and selectable and code not in select)
        if off and rule.active:
            rules[code] = replace(rule, severity=Severity.OFF, also=())
        elif select is not None and code in select and selectable and not rule.active:
            notes.append(
                f"--select {code}: the policy ({policy.source}) turns {code} off, so it "
                "does not run (the options only narrow the policy)"
            )
    return replace(policy, rules=rules), notes
