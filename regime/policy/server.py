"""The policy in force on a server: the admin's file, tightened by the repository's.

A broken ``.regime.yaml`` in the change is not silently ignored (the committer
meant something by it): it becomes a POL001 finding and the server policy alone
applies to the rest of the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regime.findings import Finding, Severity
from regime.policy.compose import tighten
from regime.policy.load import (
    MAX_POLICY_BYTES,
    POLICY_FILE,
    PolicyError,
    load_policy,
    parse_policy,
)
from regime.policy.model import Policy


def load_server_policy(path: str | None) -> Policy:
    """The server's own policy file (a ``server:`` section is allowed), or the defaults."""
    return load_policy(path, server=True)


@dataclass(slots=True)
class Effective:
    policy: Policy
    findings: list[Finding] = field(default_factory=list)


def effective_policy(
    server: Policy, repo_file: bytes | None, shown_as: str = POLICY_FILE
) -> Effective:
    """The server policy tightened by the repository's policy file, if it has one."""
    if repo_file is None or server.server.repository_policy == "ignore":
        return Effective(server)
    rule = server.rule("POL001")
    if len(repo_file) > MAX_POLICY_BYTES:  # the doors read no more than one byte over
        return Effective(server, _bad(rule.severity, shown_as, 1, 1, _too_big_text()))
    try:
        text = repo_file.decode("utf-8")
    except UnicodeDecodeError:
        return Effective(server, _bad(rule.severity, shown_as, 1, 1, "is not UTF-8 text"))
    try:
        repo = parse_policy(text, shown_as)
    except PolicyError as exc:
        return Effective(server, _bad(rule.severity, shown_as, exc.line, exc.col, exc.message))
    return Effective(tighten(server, repo))


def _too_big_text() -> str:
    return f"is larger than {MAX_POLICY_BYTES // 1024} KiB, far more than a policy needs"


def too_big_policy(server: Policy, shown_as: str = POLICY_FILE) -> Effective:
    """The server policy alone, and POL001: the repository's policy file is too big
    to be one (it was not read); the server policy alone when it ignores the file."""
    if server.server.repository_policy == "ignore":
        return Effective(server)
    return Effective(server, _bad(server.rule("POL001").severity, shown_as, 1, 1, _too_big_text()))


def _bad(sev: Severity, path: str, line: int, col: int, what: str) -> list[Finding]:
    if sev is Severity.OFF:
        return []
    return [
        Finding(
            path, line, col, "POL001",
            f"the repository's policy file is not valid: {what}; fix it (`regime check` "
            "names the problem) or remove it",
            sev,
        )
    ]  # fmt: skip
