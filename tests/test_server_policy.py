"""A server policy tightened by a repository's .regime.yaml: only stricter, unless allowed."""

from __future__ import annotations

import pytest

from regime.findings import Severity
from regime.policy.load import PolicyError, parse_policy
from regime.policy.server import effective_policy


def test_repository_cannot_loosen_by_default() -> None:
    srv = parse_policy("rules:\n  WS102:\n    severity: warning\n", "server.yaml", server=True)
    repo = (
        b"rules:\n  WS101:\n    severity: off\n    exclude: ['**']\n  WS102:\n    severity: error\n"
    )
    eff = effective_policy(srv, repo)
    assert eff.findings == []
    ws101, ws102 = eff.policy.rule("WS101"), eff.policy.rule("WS102")
    assert ws101.severity is Severity.ERROR and ws101.applies_to("a.c")
    assert ws102.severity is Severity.ERROR  # tightened from warning


def test_repository_may_widen_scope_and_add_patterns() -> None:
    srv = parse_policy(
        "rules:\n  LOG103:\n    severity: error\n    pattern: 'WIP'\n", "server.yaml", server=True
    )
    repo = (
        b"rules:\n  WS101:\n    extend_include: ['.txt']\n"
        b"  LOG102:\n    severity: warning\n    pattern: 'OPS-[0-9]+'\n"
        b"  LOG103:\n    severity: error\n    pattern: 'fixup!'\n"
        b"  LOG104:\n    severity: error\n    max_length: 50\n"
    )
    policy = effective_policy(srv, repo).policy
    assert policy.rule("WS101").applies_to("notes.txt") and policy.rule("WS101").applies_to("a.c")
    assert [p.pattern for p, _ in policy.rule("LOG102").patterns()] == ["OPS-[0-9]+"]
    assert [p.pattern for p, _ in policy.rule("LOG103").patterns()] == ["WIP", "fixup!"]
    assert policy.rule("LOG104").severity is Severity.ERROR
    assert policy.rule("LOG104").max_length == 50


def test_may_loosen_hands_a_rule_to_the_repository() -> None:
    srv = parse_policy("server:\n  may_loosen: [WS101]\n", "server.yaml", server=True)
    policy = effective_policy(srv, b"rules:\n  WS101:\n    severity: off\n").policy
    assert policy.rule("WS101").severity is Severity.OFF
    assert policy.rule("WS102").severity is Severity.ERROR


def test_repository_policy_ignore() -> None:
    srv = parse_policy("server:\n  repository_policy: ignore\n", "server.yaml", server=True)
    eff = effective_policy(srv, b"rules: [broken\n")
    assert eff.findings == [] and eff.policy is srv


def test_invalid_repository_policy_is_pol001_with_position() -> None:
    srv = parse_policy("", "server.yaml", server=True)
    eff = effective_policy(srv, b"rules:\n  WS101:\n    colour: red\n")
    assert [(f.path, f.line, f.col, f.code) for f in eff.findings] == [
        (".regime.yaml", 3, 5, "POL001")
    ]
    assert "unknown key 'colour' in rules.WS101" in eff.findings[0].message
    eff = effective_policy(srv, b"server:\n  on_internal_error: allow\n")
    assert eff.findings[0].code == "POL001"
    assert "belongs in the server's policy file" in eff.findings[0].message
    eff = effective_policy(srv, b"\xff\xfe")
    assert "is not UTF-8 text" in eff.findings[0].message


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("server:\n  on_internal_error: maybe\n", "must be one of block, allow"),
        ("server:\n  may_loosen: [WS999]\n", "no rule 'WS999'"),
        ("server:\n  colour: red\n", "unknown key 'colour' in server"),
    ],
)
def test_bad_server_section(text: str, what: str) -> None:
    with pytest.raises(PolicyError, match=what):
        parse_policy(text, "server.yaml", server=True)
