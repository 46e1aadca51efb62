"""A repository's .regime.yaml is hostile input on a server (issue 14, items 8 and 9).

Every value is validated when the file is loaded: a size of 400 nines, a glob
``[z-a]``, a pattern RE2 refuses are POL001 at their line and column, never an
internal error (nor a pass under ``on_internal_error: allow``). Hypothesis builds
policies as YAML structures (known and unknown keys, values of every type) and the
loader must either return a policy that works on every path and message, or raise
PolicyError with a place. Patterns run on RE2 and globs match in linear time: the
catastrophic cases that held a push for minutes go through the real doors here.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import GitRepo
from hypothesis import event, given
from hypothesis import strategies as st
from test_fuzz_readers import EXAMPLES, fuzz
from test_git_pre_receive import assert_refused, make_server, policy_server
from test_svn_door import Svn

from regime.checks.rules import RULES
from regime.pathmatch import PathFilter, glob_to_regex
from regime.policy.load import PolicyError, parse_policy
from regime.policy.server import effective_policy, load_server_policy

# --- item 8: every value validated at load -----------------------------------


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("limits:\n  max_file_size: " + "9" * 400 + "\n", (2, 18),
         "limits.max_file_size is too large: at most 1 PiB, not '9999999999999999999999999999999999999...'"),
        ("limits:\n  max_file_size: '" + "9" * 400 + " MB'\n", (2, 18),
         "limits.max_file_size is too large: at most 1 PiB, not '9999999999999999999999999999999999999...'"),
        ("limits:\n  max_file_size: 2000 TiB\n", (2, 18),
         "limits.max_file_size is too large: at most 1 PiB, not '2000 TiB'"),
        ("limits:\n  max_seconds: 1.0e+400\n", (2, 16),
         "limits.max_seconds is too large: at most 86400 (a day), not '1.0e+400'"),
        ("limits:\n  max_seconds: " + "9" * 400 + "\n", (2, 16),
         "limits.max_seconds is too large: at most 86400 (a day), not '9999999999999999999999999999999999999...'"),
        ("xen:\n  max_vifs: " + "9" * 5000 + "\n", (2, 13),
         "xen.max_vifs is too large: at most 2147483647, not '9999999999999999999999999999999999999...'"),
        ("rules:\n  LOG104:\n    max_length: 1_000_000_000_000\n", (3, 17),
         "rules.LOG104.max_length is too large: at most 2147483647, not '1_000_000_000_000'"),
        ("rules:\n  WS101:\n    include: ['*.c', '[z-a]*']\n", (3, 22),
         "rules.WS101.include: the glob '[z-a]*' is not valid: the range z-a in [z-a] runs backwards: write a-z"),
        ("exclude:\n  - 'src/[!9-0].c'\n", (2, 5),
         "exclude: the glob 'src/[!9-0].c' is not valid: the range 9-0 in [!9-0] runs backwards: write 0-9"),
        ("xen:\n  configs: ['etc/[x-a]en/*.cfg']\n", (2, 13),
         "xen.configs: the glob 'etc/[x-a]en/*.cfg' is not valid: the range x-a in [x-a] runs backwards: write a-x"),
        ("iproute2:\n  scripts: ['[b-a]']\n", (2, 13),
         "iproute2.scripts: the glob '[b-a]' is not valid: the range b-a in [b-a] runs backwards: write a-b"),
    ],
)  # fmt: skip
def test_a_bad_value_is_an_error_at_its_place(
    text: str, where: tuple[int, int], message: str
) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, ".regime.yaml")
    assert ((info.value.line, info.value.col), info.value.message) == (where, message)
    # on a server: POL001 at the same place, the server's policy for the rest
    eff = effective_policy(load_server_policy(None), text.encode())
    assert [(f.code, f.line, f.col) for f in eff.findings] == [("POL001", *where)]
    assert message in eff.findings[0].message


# Values of every type, the edges included: what a hostile file would try.
_HOSTILE = st.sampled_from(
    ["off", "error", "warning", "block", "allow", "xl", "xm", "report", "tighten",
     "ignore", "64 MB", "1 GiB", "9" * 400 + " MB", "0 B", "1.5 kB", "-3", "1e400",
     "", "[z-a]", "[!b-a]*", "*" * 60 + "x", "**/xen/**/*.cfg", "a[", "[]]", "\\",
     "(?<=a)b", "^(a|aa)+$", "(" * 600, "(a)\\1", "WS101", "LOG999", ".c", "*.mk",
     "etc/**", "/abs/**/x", "é*ü", "\t", "x" * 600]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(max_value=0),
    st.floats(allow_nan=True, allow_infinity=True),
    _HOSTILE,
    st.integers(min_value=10**18).map(lambda n: n * 10**380),
    st.text(max_size=30),
)  # fmt: skip
_KEYS = sorted(
    {"version", "exclude", "rules", "xen", "iproute2", "preexisting", "limits", "server",
     "max_file_size", "max_seconds", "over_limit", "grammar", "configs", "default_script",
     "max_vifs", "rt_tables", "scripts", "severity", "include", "extend_include",
     "extend_exclude", "pattern", "help", "max_length", "repository_policy", "may_loosen",
     "on_internal_error", "message_prefix", "log_file", "colour", "", "1"} | set(RULES)
)  # fmt: skip


def _values(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return _SCALARS
    inner = _values(depth - 1)
    return st.one_of(
        _SCALARS,
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5),
    )


_GLOB_LIST = st.lists(
    st.sampled_from(
        [".c", "*.mk", "vendor/**", "[z-a]", "*" * 40 + "b", "[!b-a]", "src/[a-c]*.h", "é*"]
    ),
    max_size=3,
)
_SIZE = st.sampled_from([1, 64, "64 MB", "1 GiB", "9" * 400, "9" * 400 + " MB", "2000 TiB"])
_SECONDS = st.sampled_from([1, 2.5, 300, "9" * 400, float("inf"), float("nan"), 10**30])
_COUNT = st.sampled_from([1, 72, "9" * 400, 10**12, 2**31])
_PATTERN = st.sampled_from(["OPS-[0-9]+", "^(a|aa)+$", "(?<=a)b", "x" * 600, "(?i)wip", "(a)\\1"])
# What each key takes when it is right, and what a hostile file puts there instead.
_LIKELY = {
    "severity": st.sampled_from(["error", "warning", "off"]), "include": _GLOB_LIST,
    "exclude": _GLOB_LIST, "extend_include": _GLOB_LIST, "extend_exclude": _GLOB_LIST,
    "pattern": _PATTERN, "help": st.just("say it"), "max_length": _COUNT,
    "grammar": st.sampled_from(["xl", "xm"]), "configs": _GLOB_LIST,
    "default_script": st.just("vif-bridge"), "max_vifs": _COUNT, "rt_tables": _GLOB_LIST,
    "scripts": _GLOB_LIST, "max_file_size": _SIZE, "max_seconds": _SECONDS,
    "over_limit": st.sampled_from(["block", "allow"]),
    "repository_policy": st.sampled_from(["tighten", "ignore"]),
    "may_loosen": st.lists(st.sampled_from(["WS101", "LOG102", "LIM001", "NOPE"]), max_size=2),
    "on_internal_error": st.sampled_from(["block", "allow"]), "message_prefix": st.just("x"),
    "log_file": st.just("/dev/null"),
}  # fmt: skip


def _section(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping of these keys (now and then an unknown one), mostly with the kind of
    value each takes, sometimes anything at all."""
    return st.dictionaries(st.sampled_from(keys), st.just(None), max_size=len(keys)).flatmap(
        lambda d: st.fixed_dictionaries(
            {k: st.one_of(_LIKELY[k], _LIKELY[k], _LIKELY[k], _values(2)) for k in d},
            optional={"colour": _values(1)} if len(keys) > 2 else {},
        )
    )


_FILE_RULE = _section(["severity", "include", "exclude", "extend_include", "extend_exclude"])
_RULES = st.fixed_dictionaries(
    {},
    optional={
        "WS101": _FILE_RULE, "WS102": _FILE_RULE,
        "LOG103": _section(["severity", "pattern", "help"]),
        "LOG104": _section(["severity", "max_length"]),
    },
)  # fmt: skip
POLICIES = st.fixed_dictionaries(
    {},
    optional={
        "version": st.one_of(st.just(1), st.just(1), _SCALARS),
        "exclude": st.one_of(_GLOB_LIST, _GLOB_LIST, _values(2)),
        "rules": st.one_of(_RULES, _RULES, _values(2)),
        "xen": _section(["grammar", "configs", "default_script", "max_vifs"]),
        "iproute2": _section(["rt_tables", "scripts"]),
        "preexisting": st.one_of(st.sampled_from(["report", "block"]), _SCALARS),
        "limits": _section(["max_file_size", "max_seconds", "over_limit"]),
        "server": _section(
            ["repository_policy", "may_loosen", "on_internal_error", "message_prefix", "log_file"]
        ),
    },
)

_PATHS = [
    "a.c",
    "src/deep/x.mk",
    "etc/xen/vm/web.cfg",
    "a" * 300,
    "/".join("ab" * 5 for _ in range(40)),
]
_MESSAGES = ["fix it", "a" * 70 + "!", "OPS-12 ok\nline two", ""]


def _exercise(text: str, server: bool) -> bool:
    """Load ``text``; a policy that loads must also work: every rule on every path,
    every pattern on every message (a glob or pattern compiled late crashed here)."""
    try:
        policy = parse_policy(text, ".regime.yaml", server=server)
    except PolicyError as exc:
        assert exc.line >= 1 and exc.col >= 1 and exc.message.strip()
        assert str(exc).startswith(f".regime.yaml:{exc.line}:{exc.col}: ")
        return False
    for rule in policy.rules.values():
        for path in _PATHS:
            rule.applies_to(path)
        for pattern, _ in rule.patterns():
            for message in _MESSAGES:
                pattern.search(message)
    for path in _PATHS:
        policy.infra.is_infra(path)
    assert math.isfinite(policy.limits.max_seconds) and policy.limits.max_seconds > 0
    return True


@fuzz(max(EXAMPLES * 3, 30))
@given(POLICIES)
def test_generated_policies_load_or_fail_at_a_place(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    _exercise(text, server=True)
    event(f"loads: {_exercise(text, server=False)}")
    # the server's path: POL001 or a policy, never an exception
    eff = effective_policy(load_server_policy(None), text.encode())
    for finding in eff.findings:
        assert finding.code == "POL001" and finding.line >= 1 and finding.col >= 1
    for rule in eff.policy.rules.values():
        rule.applies_to("src/a.c")


# --- item 9: patterns on RE2, linear globs ---------------------------------------


def _reference(glob: str, path: str) -> bool:
    """What a glob means, said slowly: segment by segment, ``**`` (a whole segment)
    any number of folders, ``*`` any run within a segment, ``?`` and classes one
    character that is not "/"; without a "/" the glob is matched to the base name."""
    anchored = "/" in glob.rstrip("/")
    gsegs = (glob.lstrip("/") if anchored else glob).split("/")
    if not anchored:
        gsegs = ["**", *gsegs]

    def seg_ok(g: str, s: str) -> bool:
        rx = ""
        i = 0
        while i < len(g):
            c = g[i]
            if c == "*":
                rx += "[^/]*"
            elif c == "?":
                rx += "[^/]"
            elif c == "[" and "]" in g[i + 2 :]:
                end = g.index("]", i + 2)
                body = g[i + 1 : end]
                neg = body.startswith("!")
                chars = re.escape(body[1:] if neg else body).replace("\\-", "-")
                rx += f"[^/{chars}]" if neg else f"[{chars}]"
                i = end
            else:
                rx += re.escape(c)
            i += 1
        return re.fullmatch(rx, s) is not None

    def go(gi: int, si: int, psegs: list[str]) -> bool:
        if gi == len(gsegs):
            return si == len(psegs)
        if gsegs[gi] == "**":
            if gi + 1 == len(gsegs):
                return si < len(psegs)  # a trailing ** needs something below
            return any(go(gi + 1, k, psegs) for k in range(si, len(psegs) + 1))
        return si < len(psegs) and seg_ok(gsegs[gi], psegs[si]) and go(gi + 1, si + 1, psegs)

    return go(0, 0, path.split("/"))


_GLOB_SEG = st.lists(
    st.sampled_from(["a", "b", "*", "?", "[ab]", "[!a]", "[a-b]", "ab"]), min_size=1, max_size=4
).map("".join)
GLOBS = st.lists(st.one_of(_GLOB_SEG, st.just("**")), min_size=1, max_size=5).map("/".join)
PATHS = st.lists(st.text(alphabet="ab", min_size=1, max_size=6), min_size=1, max_size=6).map(
    "/".join
)


@fuzz(max(EXAMPLES * 5, 50))
@given(GLOBS, st.lists(PATHS, min_size=1, max_size=8))
def test_glob_translation_matches_the_reference(glob: str, paths: list[str]) -> None:
    """The linear translation (atomic groups) loses no match and adds none."""
    rx = glob_to_regex(glob)
    for path in paths:
        assert (rx.match(path) is not None) == _reference(glob, path), (glob, path, rx.pattern)


def test_globs_of_many_stars_match_long_names_in_linear_time() -> None:
    """A backtracking translation takes hours on each of these (it tries every way of
    placing the stars); the linear one answers at once, so this test ends."""
    name = "a" * 20_000
    cases = [
        ("*a" * 40 + "*b", name),
        ("*" * 60 + "x", name + "y"),
        ("**/" + "a*/**/" * 15 + "b", "/".join(["a"] * 5000)),
        ("*[a]*?*[!b]*" * 10 + "c", name),
    ]
    for glob, path in cases:
        assert not PathFilter([glob]).matches(path)


def _stars_policy() -> str:
    return "rules:\n  WS101:\n    extend_exclude: ['" + "*a" * 30 + "*b']\n"


def test_catastrophic_pattern_and_glob_through_a_real_push(tmp_path: Path) -> None:
    """The pattern that held a push for 23 s with 40 `a`s (and for ever with 70), and a
    glob of many stars against a long name: the push is answered, and blocked only for
    its tab. The server's own policy patterns go through RE2 as well."""
    srv = policy_server(
        tmp_path, "rules:\n  LOG103:\n    severity: error\n    pattern: '^(a|aa)+$'\n"
    )
    srv.clone.write(".regime.yaml", _stars_policy())
    srv.clone.write("a" * 200 + ".c", "\tx\n")
    srv.clone.commit("a" * 70 + "!")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(f"{'a' * 200}.c:1:1: WS101" in line for line in lines), lines
    assert not any("LOG103" in line for line in lines), lines


def test_a_pattern_re2_refuses_is_pol001_at_a_push(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write(
        ".regime.yaml",
        "rules:\n  LOG103:\n    severity: error\n    pattern: '(?<=fix)up'\n",
    )
    srv.clone.commit("Forbid fixups")
    lines = assert_refused(srv.push("origin", "main"))
    assert (
        "refs/heads/main:.regime.yaml:4:14: POL001 the repository's policy file is not valid: "
        "rules.LOG103.pattern is not a valid regular expression (RE2 says: invalid perl "
        "operator: (?<=); fix it (`regime check` names the problem) or remove it"
    ) in lines, lines


def test_hostile_values_are_pol001_at_a_push(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write(".regime.yaml", "limits:\n  max_file_size: " + "9" * 400 + "\n")
    srv.clone.commit("A huge size")
    lines = assert_refused(srv.push("origin", "main"))
    pol = [line for line in lines if " POL001 " in line]
    assert len(pol) == 1 and pol[0].startswith("refs/heads/main:.regime.yaml:2:18: POL001 "), lines
    assert "limits.max_file_size is too large: at most 1 PiB" in pol[0]


def test_hostile_values_are_pol001_at_an_svn_commit(tmp_path: Path) -> None:
    s = Svn(tmp_path)
    s.install()
    s.write(".regime.yaml", "rules:\n  WS102:\n    exclude: ['[z-a]']\n")
    s.write("a.c", "int x;\n")
    c = s.block("A bad glob")
    assert c.findings == [".regime.yaml:3:15: POL001"], c.hook
    assert "the range z-a in [z-a] runs backwards: write a-z" in c.hook
    s.write(
        ".regime.yaml", "rules:\n  LOG102:\n    severity: error\n    pattern: '" + "x" * 600 + "'\n"
    )
    c = s.block("A long pattern")
    assert c.findings == [".regime.yaml:4:14: POL001"], c.hook
    assert "is 600 characters long, over the limit of 511: make it shorter" in c.hook


def test_a_bad_glob_is_exit_2_in_a_work_tree(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "exclude: ['vendor/**', '[9-0]*.c']\n")
    repo.write("a.c", "int x;\n")
    repo.add("a.c")
    res = repo.regime("staged")
    assert res.code == 2, res.text
    assert res.err.startswith(f"{repo.path}/.regime.yaml:1:24: exclude: the glob '[9-0]*.c'"), (
        res.err
    )
