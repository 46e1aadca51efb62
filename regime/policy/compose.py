"""A server policy tightened by the policy a repository carries.

On a server the admin's policy is the authority. The ``.regime.yaml`` committed to
the repository may only make it stricter: a rule's severity becomes the higher of
the two, a file is checked if either policy says so, every required or forbidden
pattern of either counts, the shorter subject limit wins, and the lower size and
time limits win (a change over them blocks if either says so). Only the rules the
server lists in ``server.may_loosen`` take the repository's settings as they are.
"""

from __future__ import annotations

from dataclasses import replace

from regime.findings import Severity
from regime.policy.model import InfraSettings, Limits, Policy, RulePolicy

_RANK = {Severity.OFF: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def _stricter(a: Severity, b: Severity) -> Severity:
    return a if _RANK[a] >= _RANK[b] else b


def _tighten_rule(server: RulePolicy, repo: RulePolicy) -> RulePolicy:
    lengths = [r.max_length for r in (server, repo) if r.active and r.max_length is not None]
    base = server if server.active else replace(server, pattern=None, help=None)
    extra = (repo,) if repo.active else ()
    return replace(
        base,
        severity=_stricter(server.severity, repo.severity),
        max_length=min(lengths) if lengths else server.max_length,
        also=base.also + extra,
        _filter=None,
    )


def tighten(server: Policy, repo: Policy | None) -> Policy:
    """The policy in force on a server for a repository that carries ``repo``."""
    if repo is None or server.server.repository_policy == "ignore":
        return server
    rules = {}
    for code, rule in server.rules.items():
        if code in server.server.may_loosen:
            rules[code] = repo.rules[code]
        else:
            rules[code] = _tighten_rule(rule, repo.rules[code])
    return Policy(
        rules=rules,
        source=f"{server.source} + {repo.source}",
        server=server.server,
        infra=_tighten_infra(server.infra, repo.infra),
        limits=_tighten_limits(server.limits, repo.limits),
        # the repository's .editorconfig files only ever tighten on a server, so its
        # policy may turn them off (as removing them would) but not on
        editorconfig=server.editorconfig and repo.editorconfig,
        on_server=server.on_server,
    )


def _tighten_limits(server: Limits, repo: Limits) -> Limits:
    """The repository may lower the limits and make a change over them block, never
    raise them or let such a change through: a repository that could raise
    max_file_size could hide a file from every check. Only what its file says counts
    (a file silent on limits leaves the server's as they are)."""
    given = repo.given
    return replace(
        server,
        max_file_size=min(server.max_file_size, repo.max_file_size)
        if "max_file_size" in given
        else server.max_file_size,
        max_seconds=min(server.max_seconds, repo.max_seconds)
        if "max_seconds" in given
        else server.max_seconds,
        over_limit="block"
        if "over_limit" in given and repo.over_limit == "block"
        else server.over_limit,
    )


def _tighten_infra(server: InfraSettings, repo: InfraSettings) -> InfraSettings:
    """The server says how its hosts are set up; the repository may only widen which
    files are checked, lower the vif limit, and make pre-existing problems block."""

    def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
        return a + tuple(x for x in b if x not in a)

    return replace(
        server,
        xen_configs=union(server.xen_configs, repo.xen_configs),
        rt_tables=union(server.rt_tables, repo.rt_tables),
        table_scripts=union(server.table_scripts, repo.table_scripts),
        max_vifs=min(server.max_vifs, repo.max_vifs),
        preexisting="block" if "block" in (server.preexisting, repo.preexisting) else "report",
    )
