"""The policy in memory, after loading and validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

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
    DEFAULT_TYPES,
    DEFAULT_XEN_CONFIGS,
)
from regime.policy.pattern import Pattern

if TYPE_CHECKING:
    from collections.abc import Callable

    from regime.editorconfig import EditorConfigs


class TypedFile(Protocol):
    """A changed file's type tags (identify's: ``shell``, ``python``, ``text``...),
    found only when first asked (regime/filetypes.py reads a shebang then)."""

    def tags(self) -> frozenset[str]: ...

    def named(self, path: str) -> TypedFile:
        """The same bytes' type under another name (a rename's or copy's old one)."""
        ...


@dataclass(slots=True)
class RulePolicy:
    code: str
    severity: Severity
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # identify tags: a file no include pattern names, and no exclude pattern, is in
    # scope when its type is one of these (a shell script without a .sh suffix)
    types: tuple[str, ...] = ()
    pattern: Pattern | None = None
    help: str | None = None
    max_length: int | None = None
    # WS101: the tab stop `regime fix` expands tabs to when no .editorconfig gives one
    tab_width: int | None = None
    # Rules of other policies this one was tightened with (see policy.compose):
    # a file is in scope if any of them says so, and every pattern of theirs counts.
    also: tuple[RulePolicy, ...] = ()
    _filter: PathFilter | None = field(default=None, repr=False)
    # The repository's .editorconfig files (regime/editorconfig.py): True or False
    # when they decide whether the rule applies to a path, None when they do not.
    decide: Callable[[str], bool | None] | None = field(default=None, repr=False)
    # The last file asked about and the answer: the engine asks whether any rule
    # looks at a file, then the check asks again (not copied by replace: a copy may
    # decide otherwise)
    _last: tuple[str, TypedFile | None, bool] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def active(self) -> bool:
        return self.severity is not Severity.OFF

    def applies_to(self, path: str, typed: TypedFile | None = None) -> bool:
        """Whether the rule looks at this file: what the .editorconfig files say of it
        first (``decide``, regime/editorconfig.py), else its path is included and not
        excluded, or (with ``typed``) no pattern names it either way and its type is
        one of ``types``. The name decides before the type, so a file a pattern names
        is never read for its type; without ``typed`` (a diff without content) the name
        alone."""
        last = self._last
        if last is not None and last[0] == path and last[1] is typed:
            return last[2]
        said = self._applies(path, typed)
        self._last = (path, typed, said)
        return said

    def _applies(self, path: str, typed: TypedFile | None) -> bool:
        if self.decide is not None:
            said = self.decide(path)
            if said is not None:
                return said
        if self._filter is None:
            # one filter for each set of patterns: a policy copied for every commit of
            # a push (its .editorconfig files) must not compile them again each time
            self._filter = _rule_filter(self.include, self.exclude)
        if self._filter.matches(path):
            return True
        if (
            self.types
            and typed is not None
            and not self._filter.excluded(path)
            and not typed.tags().isdisjoint(self.types)
        ):
            return True
        return any(o.applies_to(path, typed) for o in self.also)

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
def _rule_filter(include: tuple[str, ...], exclude: tuple[str, ...]) -> PathFilter:
    return PathFilter(include, exclude)


@lru_cache(maxsize=256)
def _filter(patterns: tuple[str, ...]) -> PathFilter:
    return PathFilter(patterns)


@dataclass(slots=True)
class Policy:
    rules: dict[str, RulePolicy]
    source: str = "<built-in defaults>"
    server: ServerSettings = field(default_factory=ServerSettings)
    infra: InfraSettings = field(default_factory=InfraSettings)
    limits: Limits = field(default_factory=Limits)
    # Whether the .editorconfig files count (``editorconfig: false`` turns them off),
    # whether this is a server's policy (they may only tighten it), and those in
    # force once a door has read them (regime.editorconfig.apply).
    editorconfig: bool = True
    on_server: bool = False
    editorconfigs: EditorConfigs | None = field(default=None, repr=False)
    # What --select/--ignore did that the report must say (regime/policy/narrow.py)
    notes: tuple[str, ...] = ()
    # active_rules' answer, found once (not copied by replace: a copy has its own rules)
    _active: tuple[list[RulePolicy], bool] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def active_rules(self) -> tuple[list[RulePolicy], bool]:
        """The active rules that look at a file's lines, and whether any rule of the
        infrastructure checks is on: asked for every file (a loop over every rule a
        file was a third of what a file of 20,000 cost), found once a policy."""
        if self._active is None:
            scope = {code: RULES[code].scope for code in self.rules}
            lines = [r for c, r in self.rules.items() if r.active and scope[c] == "lines"]
            infra = any(r.active for c, r in self.rules.items() if scope[c] == "infra")
            self._active = (lines, infra)
        return self._active

    def rule(self, code: str) -> RulePolicy:
        return self.rules[code]


def default_rule(code: str, global_exclude: tuple[str, ...] = ()) -> RulePolicy:
    rule = RULES[code]
    rp = RulePolicy(code=code, severity=rule.default)
    if rule.scope == "lines":
        rp.include = DEFAULT_INCLUDE
        rp.types = DEFAULT_TYPES
        rp.exclude = DEFAULT_EXCLUDE.get(code, ()) + global_exclude
    if code == "LOG104":
        rp.max_length = DEFAULT_SUBJECT_LENGTH
    return rp


def default_policy() -> Policy:
    return Policy(rules={code: default_rule(code) for code in RULES})
