"""The policy in memory, after loading and validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from regime.checks.rules import RULES
from regime.findings import Severity
from regime.pathmatch import PathFilter
from regime.policy.defaults import (
    DEFAULT_EXCLUDE,
    DEFAULT_INCLUDE,
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_MAX_SECONDS,
    DEFAULT_RT_TABLES,
    DEFAULT_SUBJECT_LENGTH,
    DEFAULT_TABLE_SCRIPTS,
    DEFAULT_XEN_CONFIGS,
)
from regime.policy.pattern import Pattern


@dataclass(slots=True)
class RulePolicy:
    code: str
    severity: Severity
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    pattern: Pattern | None = None
    help: str | None = None
    max_length: int | None = None
    # Rules of other policies this one was tightened with (see policy.compose):
    # a file is in scope if any of them says so, and every pattern of theirs counts.
    also: tuple[RulePolicy, ...] = ()
    _filter: PathFilter | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        return self.severity is not Severity.OFF

    def applies_to(self, path: str) -> bool:
        if self._filter is None:
            self._filter = PathFilter(self.include, self.exclude)
        return self._filter.matches(path) or any(o.applies_to(path) for o in self.also)

    def patterns(self) -> list[tuple[Pattern, str | None]]:
        """Every (pattern, help) that applies: this policy's and those it was tightened with."""
        own = [(self.pattern, self.help)] if self.pattern is not None else []
        return own + [p for o in self.also for p in o.patterns()]


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """What only a server policy may say (the ``server:`` section)."""

    repository_policy: str = "tighten"  # tighten | ignore
    may_loosen: frozenset[str] = frozenset()
    on_internal_error: str = "block"  # block | allow
    message_prefix: str = ""
    log_file: str | None = None


@dataclass(frozen=True, slots=True)
class InfraSettings:
    """Where the infrastructure files are and how the hosts are set up."""

    xen_grammar: str = "xl"  # xl | xm: which reading of a guest config is authoritative
    xen_configs: tuple[str, ...] = DEFAULT_XEN_CONFIGS
    default_script: str = "vif-bridge"  # the host's vif script when a vif names none
    max_vifs: int = 8
    rt_tables: tuple[str, ...] = DEFAULT_RT_TABLES
    table_scripts: tuple[str, ...] = DEFAULT_TABLE_SCRIPTS
    preexisting: str = "report"  # report | block: problems only between untouched files
    # Guests are compared across the whole repository (their MACs and addresses share
    # networks) unless split into groups: a guest is in the first group whose glob
    # matches its config, the others together; MACs, addresses and names are compared
    # within a group only.
    xen_groups: tuple[str, ...] = ()

    def is_guest_config(self, path: str) -> bool:
        return _filter(self.xen_configs).matches(path)

    def is_rt_tables(self, path: str) -> bool:
        return _filter(self.rt_tables).matches(path)

    def is_table_script(self, path: str) -> bool:
        return _filter(self.table_scripts).matches(path)

    def guest_group(self, path: str) -> int:
        """The index of the first group of ``xen.groups`` that holds a guest config,
        or -1 for the guests of no group."""
        for i, pattern in enumerate(self.xen_groups):
            if _filter((pattern,)).matches(path):
                return i
        return -1

    def is_table_file(self, path: str) -> bool:
        """Whether ``path`` is an rt_tables file or a table script (or both): one match
        for each of 10,000 guest configs, which are neither, not two."""
        return _filter(self.rt_tables + self.table_scripts).matches(path)

    def is_infra(self, path: str) -> bool:
        # one filter of every kind's patterns (none excludes): one match a path, not three
        return _filter(self.xen_configs + self.rt_tables + self.table_scripts).matches(path)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one run may read and how long it may take (the ``limits:`` section).

    A file whose diff chunk (or whose whole content, in tree mode or when the
    infrastructure checks read it from a tree) is larger than ``max_file_size`` bytes
    is not read into memory and not checked: LIM001 says so. When a run has taken
    ``max_seconds``, the files not yet checked are passed over and LIM002 names them.
    ``over_limit`` says what such a change gets: ``block`` (an error) or ``allow``
    (a warning that does not block).
    """

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_seconds: float = DEFAULT_MAX_SECONDS
    over_limit: str = "block"  # block | allow
    # The keys the policy file gives: on a server, only those of a repository's file
    # tighten the server's (a file that says nothing of limits changes none of them).
    given: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def severity(self) -> Severity:
        """The severity of a LIM finding under this policy."""
        return Severity.ERROR if self.over_limit == "block" else Severity.WARNING


@lru_cache(maxsize=64)
def _filter(patterns: tuple[str, ...]) -> PathFilter:
    return PathFilter(patterns)


@dataclass(slots=True)
class Policy:
    rules: dict[str, RulePolicy]
    source: str = "<built-in defaults>"
    server: ServerSettings = field(default_factory=ServerSettings)
    infra: InfraSettings = field(default_factory=InfraSettings)
    limits: Limits = field(default_factory=Limits)

    def rule(self, code: str) -> RulePolicy:
        return self.rules[code]


def default_rule(code: str, global_exclude: tuple[str, ...] = ()) -> RulePolicy:
    rule = RULES[code]
    rp = RulePolicy(code=code, severity=rule.default)
    if rule.scope == "lines":
        rp.include = DEFAULT_INCLUDE
        rp.exclude = DEFAULT_EXCLUDE.get(code, ()) + global_exclude
    if code == "LOG104":
        rp.max_length = DEFAULT_SUBJECT_LENGTH
    return rp


def default_policy() -> Policy:
    return Policy(rules={code: default_rule(code) for code in RULES})
