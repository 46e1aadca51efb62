"""Fuzzing the readers: every input either parses or gets a clear problem with a position.

Each reader (xl and xm guest configs, vif specs and MACs, rt_tables, table uses in
scripts, the policy file) is fed random bytes and *near-valid* inputs: valid files
mutated the way files go wrong (cut short, a quote, bracket, backslash, NUL or CR put
in, bytes that are not UTF-8, a byte order mark, huge numbers, deep nesting, very long
lines). The property is the same everywhere: the reader returns normally, and every
error or problem it reports names a line that exists (1 to the number of lines), a
column on that line where the reader has columns, and says something. No other
exception may escape. Then the same through the real command line: ``regime check DIR``
on a tree with fuzzed files never exits 3 and never prints a traceback.

The depth and size cases (lists nested 100,000 deep, a guest with 20,000 vifs on one
line, rt_tables with thousands of entries for one id) are here in a fast version;
``bench/stress_readers.py`` runs them at full size (a million vifs) and measures them.

Examples are derandomized, so CI always runs the same ones. ``REGIME_FUZZ_EXAMPLES=N``
runs N examples per property instead of the default (e.g. 5000 for a long local run).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from conftest import run_regime
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regime.checks.guests import read_guests
from regime.checks.infra import check_infra
from regime.findings import Problem
from regime.iproute2.rt_tables import check_tables, read_rt_tables
from regime.iproute2.table_use import find_table_uses, undefined_tables
from regime.policy.load import PolicyError, load_policy, parse_policy
from regime.policy.model import default_policy
from regime.policy.server import effective_policy, load_server_policy
from regime.xen.vif import (
    format_mac,
    ip_ranges,
    mac_quirks,
    parse_ips,
    parse_mac,
    parse_vif,
    rate_problem,
)
from regime.xen.xlcfg import Value, XlSyntaxError, parse_xl
from regime.xen.xmcfg import XmSyntaxError, parse_xm

EXAMPLES = int(os.environ.get("REGIME_FUZZ_EXAMPLES", "100"))


def fuzz(examples: int = EXAMPLES) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for CI: the same examples on every run, no example database,
    no per-example deadline (the machine is shared and noisy)."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---------------------------------------------------------------------------
# Near-valid inputs: valid files, mutated


#: What goes wrong in real files, and what breaks hand-written readers.
COMMON_INSERTS: tuple[bytes, ...] = (
    b"'", b'"', b"[", b"]", b"(", b")", b"{", b"}", b",", b";", b"=", b"#", b":",
    b"\\", b"\\x41", b"\\0", b"\\\n", b"\x00", b"\r", b"\r\n", b"\n", b"\t", b" ",
    b"\xef\xbb\xbf",  # a byte order mark
    b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80",  # not UTF-8 (a surrogate, a cut sequence)
    "\u2028".encode(), "\u00a0".encode(), "é".encode(), "✓".encode(),
    b"\x0b", b"\x0c", b"\x7f", b"\x85",
    b"9" * 5000, b"0x" + b"f" * 80, b"-1", b"1e3", b"0X1F", b"010", b"08",
    b"[" * 3000, b"(" * 300, b"-" * 3000, b"a" * 20000,
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: Sequence[bytes], inserts: Sequence[bytes] = ()) -> bytes:
    """A seed with one to four mutations: cut short, a piece inserted, a range deleted
    or repeated, a byte changed, two lines swapped."""
    pool = (*inserts, *COMMON_INSERTS)
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(("cut", "insert", "insert", "delete", "repeat", "byte", "swap"))
        )
        pos = draw(st.integers(0, len(data)))
        if kind == "cut":
            del data[pos:]
        elif kind == "insert":
            data[pos:pos] = draw(st.sampled_from(pool))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 8))]
        elif kind == "repeat":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 40))] * draw(st.integers(1, 50))
        elif kind == "byte" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif kind == "swap":
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def inputs(seeds: Sequence[bytes], inserts: Sequence[bytes] = ()) -> st.SearchStrategy[bytes]:
    """Random bytes, random text, and mutations of the seeds (most of the examples)."""
    return st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        mutated(seeds, inserts),
        mutated(seeds, inserts),
        mutated(seeds, inserts),
    )


def decode(data: bytes) -> str:
    """As regime reads every file: UTF-8, undecodable bytes kept as lone surrogates."""
    return data.decode("utf-8", "surrogateescape")


def assert_place(
    lines: Sequence[str], line: int, col: int | None, what: object, *, whole_file_ok: bool = False
) -> None:
    """``line`` is one of ``lines`` (1-based), ``col`` a column on it or just after it."""
    if whole_file_ok and line == 0:
        assert col in (0, None), what
        return
    assert 1 <= line <= len(lines), (line, len(lines), what)
    if col is not None:
        assert 1 <= col <= len(lines[line - 1]) + 1, (col, len(lines[line - 1]), what)


def assert_problems(problems: Sequence[Problem], lines_of: Callable[[str], Sequence[str]]) -> None:
    for p in problems:
        assert re.fullmatch(r"(XEN|RT)\d{3}", p.code), p
        assert p.message.strip(), p
        assert "Traceback" not in p.message
        assert_place(lines_of(p.path), p.line, p.col, p, whole_file_ok=True)
        for path, line in p.related:
            assert_place(lines_of(path), line, None, p)


# ---------------------------------------------------------------------------
# xl guest configs

XL_SEEDS: tuple[bytes, ...] = (
    b"name = 'web'\nmemory = 2048\nvcpus = 2\n"
    b"vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0,ip=192.0.2.10',\n"
    b"        'mac=00:16:3e:00:00:02,script=vif-route,ip=192.0.2.11 10.0.0.0/24' ]\n"
    b"disk = [ 'phy:/dev/vg0/web,xvda,w' ]\n",
    b'# a guest\nname = "db" ; memory = 0x400\non_crash = "restart"\n'
    b"vif = [\n  # first\n  'mac=00-16-3E-00-00-10, ip=2001:db8::10',\n  ,\n]\n",
    b"name = 'x'\nvif += [ 'bridge=xenbr1' ]\nvif += [ 'mac=0:16:3e:1:2:3' ]\nextra = 'a\\'b\\\\c'\n",
    b"cpus = [ [ 1, 2 ], [ 3 ] ]\nkernel = \"/boot/vmlinuz\"\nvif = 'mac=00:16:3e:00:00:03'\n",
)
XL_INSERTS: tuple[bytes, ...] = (b"+=", b"+", b"[[", b"]]", b"\\q", b"512M", b"True", b"import os")


def xl_lines(text: str) -> list[str]:
    return text.split("\n")  # xl's lexer knows only \n


def xl_values(config_values: Sequence[Value]) -> Iterator[Value]:
    """Every value and nested element, without recursion."""
    stack = list(config_values)
    while stack:
        value = stack.pop()
        yield value
        stack.extend(value.items)


@fuzz()
@given(inputs(XL_SEEDS, XL_INSERTS))
def test_xl_reader_returns_a_config_or_an_error_with_a_place(data: bytes) -> None:
    text = decode(data)
    lines = xl_lines(text)
    try:
        config = parse_xl(text)
    except XlSyntaxError as exc:
        assert_place(lines, exc.line, exc.col, exc)
        assert exc.message and str(exc).startswith("config parsing error near ")
        return
    for setting in config.settings:
        assert_place(lines, setting.line, setting.col, setting)
    for value in xl_values([s.value for s in config.settings]):
        assert_place(lines, value.line, value.col, value)
    keys = config.keys()  # XlConfig's, every key once
    for key in keys:
        config.get_long(key)
        config.get_string(key)


@fuzz()
@given(inputs(XL_SEEDS, XL_INSERTS))
def test_xl_guests_and_infra_rules_report_places_in_the_file(data: bytes) -> None:
    path = "etc/xen/g.cfg"
    files = {path: data, "etc/xen/other.cfg": XL_SEEDS[0]}
    guests, problems = read_guests({path: data}, "xl")
    assert len(guests) + sum(p.code == "XEN001" for p in problems) == 1
    findings = check_infra(files, None, default_policy())
    texts = {p: xl_lines(decode(d)) for p, d in files.items()}
    for f in findings:
        assert f.message.strip()
        assert_place(texts[f.path], f.line, f.col, f, whole_file_ok=True)


# ---------------------------------------------------------------------------
# xm guest configs (Python, read with ast, never run)

XM_SEEDS: tuple[bytes, ...] = (
    b"name = 'web'\nmemory = 2048\nvif = [ 'mac=00:16:3e:00:00:01, bridge=xenbr0' ]\n"
    b"disk = ['phy:/dev/vg0/web,xvda,w']\n",
    b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nvif = ['mac=00:16:3e:00:00:02'] + ['ip=10.0.0.1']\n"
    b"vif += ('bridge=xenbr1',)\n",
    b"import os\nname = os.environ['X']\nvif = []\nfor i in range(3):\n"
    b"    vif.append('mac=00:16:3e:00:00:%02x' % i)\nmemory = 512 * 2\n",
    b"def f(x):\n    return x\nkernel: str = '/boot/x'\nextra = f'console={1}'\n"
    b"on_crash = None\ncpus = -1\nvcpus = True\n",
)
XM_INSERTS: tuple[bytes, ...] = (
    b"lambda: ",
    b"not ",
    b"+'a'",
    b" if 1 else ",
    b"**",
    b"f'{",
    b'"""',
    b"0755",
    b"10L",
    b"print 'x'",
    b"\\N{",
    b"async ",
    b"await ",
    b"\n    ",
    b"*",
    b"@",
    b":=",
)


def xm_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)  # Python's own line ends


@fuzz()
@given(inputs(XM_SEEDS, XM_INSERTS))
def test_xm_reader_returns_literals_or_an_error_with_a_place(data: bytes) -> None:
    text = decode(data)
    lines = xm_lines(text)
    try:
        config, not_static = parse_xm(text)
    except XmSyntaxError as exc:
        assert_place(lines, exc.line, exc.col, exc)
        assert exc.message.strip()
        return
    for ns in not_static:
        assert_place(lines, ns.line, ns.col, ns)
        assert ns.reason.strip()
    for setting in config.settings:
        assert_place(lines, setting.line, setting.col, setting)
    for value in xl_values([s.value for s in config.settings]):
        assert_place(lines, value.line, value.col, value)


@fuzz()
@given(inputs(XM_SEEDS, XM_INSERTS))
def test_xm_guests_and_infra_rules_report_places_in_the_file(data: bytes) -> None:
    path = "etc/xen/g.cfg"
    policy = default_policy()
    policy.infra = type(policy.infra)(xen_grammar="xm")
    findings = check_infra({path: data}, None, policy)
    lines = xm_lines(decode(data))
    for f in findings:
        assert f.message.strip()
        assert_place(lines, f.line, f.col, f, whole_file_ok=True)


# ---------------------------------------------------------------------------
# vif specs, MACs, ip=, rate=

VIF_SEEDS: tuple[bytes, ...] = (
    b"mac=00:16:3e:01:02:03,bridge=xenbr0,ip=10.0.0.1/24 2001:db8::1,script=vif-route",
    b"mac=0:16:3E:a:b:c, rate=10MB/s@20ms,devid=3,mtu=1500,vifname=vif1.0,type=vif",
    b"ip=10.0.0.1,10.0.0.2,trusted,gatewaydev=eth0,netdev=eth1,model=e1000,accel=x",
    b"mac=00-16-3e-aa-bb-cc,ip=\"10.0.0.3\",bridge='br0',policy=x,label=y",
)
VIF_INSERTS: tuple[bytes, ...] = (
    b"/",
    b"/33",
    b"::",
    b"ffff:",
    b"256",
    b"0x",
    b"-",
    b"+",
    b"%eth0",
    b"1.2.3.4/255.255.0.0",
    b"::ffff:1.2.3.4",
    b"1" * 50,
    b"@",
    b"Kb/s",
    b"Gb/s@0us",
)


@fuzz()
@given(inputs(VIF_SEEDS, VIF_INSERTS))
def test_vif_spec_mac_ip_and_rate_readers_never_raise(data: bytes) -> None:
    spec = parse_vif(decode(data))
    for text in (spec.mac, spec.rate, spec.items.get("ip"), decode(data)):
        if text is None:
            continue
        value, problem = parse_mac(text)
        if value is None:
            assert problem and problem.strip()
        else:
            assert problem is None and 0 <= value < 2**48
            assert parse_mac(format_mac(value)) == (value, None)
            mac_quirks(text)
        networks, bad = parse_ips(text)
        ranges, bad_too = ip_ranges(text)
        assert bad == bad_too
        assert [(n.version, n.first, n.last) for n in networks] == ranges
        for version, first, last in ranges:
            assert version in (4, 6) and 0 <= first <= last < 2 ** (32 if version == 4 else 128)
        problem = rate_problem(text)
        assert problem is None or problem.strip()
    assert all(p.strip() for p in spec.problems)
    assert spec.gatewaydev is None or isinstance(spec.gatewaydev, str)


# ---------------------------------------------------------------------------
# rt_tables and the scripts that use tables

RT_PATH = "etc/iproute2/rt_tables"
RT_SEEDS: tuple[bytes, ...] = (
    b"#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n#\n"
    b"# local\n#\n#1\tinr.ruhep\n100\tuplink\n0x65 backup # spare\n",
    b"  200 dmz\r\n201\tlab\n1e3 x\n12abc n\n0X10 y\n 2147483648 big\n-1 neg\n",
    b"100 uplink\n100 other\n101 uplink\n252 compat\n" + b"7 " + b"n" * 600 + b"\n9 last\n",
)
RT_INSERTS: tuple[bytes, ...] = (b"0x", b"4294967296", b"#", b"all", b"cache", b"\x00", b"\v")


def _files_lines(files: dict[str, str]) -> Callable[[str], list[str]]:
    return lambda path: files[path].split("\n")


@fuzz()
@given(inputs(RT_SEEDS, RT_INSERTS), inputs(RT_SEEDS, RT_INSERTS))
def test_rt_tables_reader_reports_every_problem_at_a_place(main: bytes, dropin: bytes) -> None:
    texts = {RT_PATH: decode(main), "etc/iproute2/rt_tables.d/vpn.conf": decode(dropin)}
    lines_of = _files_lines(texts)
    entries, problems = read_rt_tables(texts[RT_PATH], RT_PATH)
    assert_problems(problems, lines_of)
    for entry in entries:
        line = lines_of(RT_PATH)[entry.line - 1]
        assert line[entry.col - 1] in "+-0123456789", (line, entry)  # the id
        assert line[entry.name_col - 1 :].startswith(entry.name), (line, entry)
        assert 0 <= entry.id <= 2**31 - 1 and entry.name
    defined, problems = check_tables(list(texts.items()))
    assert_problems(problems, lines_of)
    for p in problems:
        if p.line:  # an id, a name, or where the line iproute2 misreads starts
            assert lines_of(p.path)[p.line - 1][p.col - 1] not in " \t", p
    assert all(name == entry.name for name, entry in defined.items())


SCRIPT_PATH = "etc/network/if-up.d/routes"
SCRIPT_SEEDS: tuple[bytes, ...] = (
    b"#!/bin/sh\nset -e\nip route add default via 192.0.2.1 table uplink\n"
    b"ip rule add from 192.0.2.10 lookup uplink prio 100\n"
    b"ip -4 route add 10.0.0.0/8 dev eth1 t backup && echo ok\n",
    b"iface eth0 inet static\n    up ip route add default dev eth0 table dmz\n"
    b"    post-down /sbin/ip rule del lookup dmz || true\n",
    b'T=vpn\nsudo ip route replace default dev tun0 table "$T"\n'
    b"cat <<EOF\nip route add x table nope\nEOF\nsh -c 'ip route add y table inner'\n"
    b"$(ip route show table sub) `ip route flush table cache`\n",
)
SCRIPT_INSERTS: tuple[bytes, ...] = (
    b"$(",
    b"`",
    b"${",
    b"$'",
    b"<<",
    b"<<-",
    b"\\\n",
    b"&&",
    b"||",
    b"|",
    b"&",
    b">",
    b"2>",
    b" table ",
    b" lookup ",
    b"ip ",
    b" netns exec x ",
    b"4294967296",
    b"0x10",
)


@fuzz()
@given(inputs(SCRIPT_SEEDS, SCRIPT_INSERTS), inputs(RT_SEEDS, RT_INSERTS))
def test_table_uses_in_scripts_are_found_at_their_place(script: bytes, tables: bytes) -> None:
    texts = {SCRIPT_PATH: decode(script), RT_PATH: decode(tables)}
    lines_of = _files_lines(texts)
    uses = find_table_uses(texts[SCRIPT_PATH], SCRIPT_PATH)
    for use in uses:
        assert_place(lines_of(SCRIPT_PATH), use.line, use.col, use)
        assert use.text == lines_of(SCRIPT_PATH)[use.line - 1].rstrip("\r")
    defined, _ = check_tables([(RT_PATH, texts[RT_PATH])])
    assert_problems(undefined_tables(uses, defined), lines_of)


# ---------------------------------------------------------------------------
# The policy file

POLICY_NAME = "repo/.regime.yaml"
POLICY_SEEDS: tuple[bytes, ...] = (
    (Path(__file__).parents[1] / "regime" / "policy" / "default.regime.yaml").read_bytes(),
    b"version: 1\nexclude: ['vendor/**']\nrules:\n  WS101:\n    severity: warning\n"
    b"    extend_exclude: [legacy/**]\n  LOG102:\n    severity: error\n"
    b"    pattern: '\\b(OPS|NET)-[0-9]+\\b'\n    help: \"name the ticket\"\n"
    b"xen: {grammar: xm, max_vifs: 3, default_script: vif-route}\npreexisting: block\n",
    b"server:\n  repository_policy: tighten\n  may_loosen: [WS102]\n  on_internal_error: block\n"
    b"  message_prefix: 'GL-HOOK-ERR: '\niproute2:\n  rt_tables: ['**/rt_tables']\n"
    b"  scripts: ['*.sh']\n",
)
POLICY_INSERTS: tuple[bytes, ...] = (
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!python/object/apply:os.system ['true'] ",
    b"!!python/name:os.system ",
    b"!!binary ",
    b"!local ",
    b"!!set ",
    b"? ",
    b"- ",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"|\n",
    b">-\n",
    b'"\\x',
    b'"\\u',
    b"\\",
    b"off",
    b"0x10",
    b"1_0",
    b"{",
    b"[",
    b"{{{{",
    b"[[[[",
    b"[" * 3000,
    b"{a: " * 500,
    b"- " * 500,
    b"((((((",
    b"a{99999999999}",
    b"(?P<",
    b"*",
    b"'\n'",
    b"  ",
    b"\t",
)


def yaml_lines(text: str) -> list[str]:
    return re.split("\r\n|[\r\n\x85\u2028\u2029]", text)  # YAML's line breaks


def assert_policy_error(exc: PolicyError, text: str) -> None:
    assert str(exc).startswith(f"{POLICY_NAME}:{exc.line}:{exc.col}: "), str(exc)
    assert exc.message.strip() and "None" not in exc.message.split(":")[-1], exc.message
    assert_place(yaml_lines(text), exc.line, exc.col, exc)


@fuzz()
@given(inputs(POLICY_SEEDS, POLICY_INSERTS), st.booleans())
def test_policy_loader_returns_a_policy_or_its_own_error(data: bytes, server: bool) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # load_policy refuses it before parsing (tested below)
    try:
        parse_policy(text, POLICY_NAME, server=server)
    except PolicyError as exc:
        assert_policy_error(exc, text)


@fuzz(max(EXAMPLES // 2, 10))
@given(inputs(POLICY_SEEDS, POLICY_INSERTS))
def test_policy_file_on_disk_and_in_a_change(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("policy") / ".regime.yaml"
    path.write_bytes(data)
    try:
        load_policy(str(path))
    except PolicyError as exc:
        assert str(exc).startswith(f"{path}:{exc.line}:{exc.col}: ")
        assert exc.line >= 1 and exc.col >= 1 and exc.message.strip()
    # on a server, the repository's file becomes POL001 at its place, never an exception
    effective = effective_policy(load_server_policy(None), data, ".regime.yaml")
    for finding in effective.findings:
        assert finding.code == "POL001" and finding.line >= 1 and finding.col >= 1


# ---------------------------------------------------------------------------
# Through the real command line (a process per example, so few examples)


@fuzz(max(EXAMPLES // 10, 5))
@given(
    inputs(XL_SEEDS, XL_INSERTS),
    inputs(RT_SEEDS, RT_INSERTS),
    inputs(SCRIPT_SEEDS, SCRIPT_INSERTS),
    st.one_of(st.none(), inputs(POLICY_SEEDS, POLICY_INSERTS)),
)
def test_regime_check_on_fuzzed_files_never_fails_internally(
    tmp_path_factory: pytest.TempPathFactory,
    guest: bytes,
    tables: bytes,
    script: bytes,
    policy: bytes | None,
) -> None:
    root = tmp_path_factory.mktemp("tree")
    for name, data in (
        ("etc/xen/guest.cfg", guest),
        ("etc/xen/other.cfg", XL_SEEDS[1]),
        (RT_PATH, tables),
        ("etc/network/if-up.d/routes", script),
        (".regime.yaml", policy),
    ):
        if data is not None:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
    result = run_regime("check", ".", cwd=root)
    assert "Traceback" not in result.text
    assert "internal error" not in result.text
    assert result.code in (0, 1, 2), result.text
    if result.code == 2:
        assert re.search(r"^\./\.regime\.yaml:\d+:\d+: ", result.err, re.M), result.err


# ---------------------------------------------------------------------------
# What the fuzzing found, and the depth and size cases, one by one


def policy_error(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, POLICY_NAME)
    return info.value


def test_policy_nested_20000_deep_is_an_error_at_the_level_too_deep() -> None:
    # PyYAML's composer recursed once per level: RecursionError, exit 3
    error = policy_error("rules: " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert (error.line, error.col) == (1, 39)  # the 32nd "[" (the root mapping is level 1)
    assert "nested more than 32 deep" in error.message
    block = "".join(" " * i + "k:\n" for i in range(40))
    error = policy_error(block)
    assert (error.line, error.col) == (32, 32)


def test_policy_character_yaml_forbids_is_named_at_its_place() -> None:
    error = policy_error('version: 1\nexclude: ["a\x00b"]\n')
    assert str(error) == (
        f"{POLICY_NAME}:2:13: not valid YAML: the character U+0000 is not allowed in YAML "
        "(special characters are not allowed): remove it"
    )


@pytest.mark.parametrize(
    ("text", "where", "tag"),
    [
        ("preexisting: !!python/name:os.system report\n", (1, 14), "!!python/name:os.system"),
        ("exclude: !!python/tuple [a]\n", (1, 10), "!!python/tuple"),
        ("xen:\n  grammar: !local xm\n", (2, 12), "!local"),
        ("rules: {WS101: {severity: !!python/str off}}\n", (1, 27), "!!python/str"),
    ],
)
def test_policy_tags_that_ask_for_objects_are_refused(
    text: str, where: tuple[int, int], tag: str
) -> None:
    error = policy_error(text)
    assert (error.line, error.col) == where
    assert error.message == (
        f"the YAML tag {tag} asks for an object to be made; a policy file is plain data: "
        "remove the tag"
    )


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (
            "(" * 5000 + ")" * 5000,
            "is 10000 characters long, over the limit of 511: make it shorter",
        ),
        ("(?<=a)b", "is not a valid regular expression (RE2 says: invalid perl operator: (?<=)"),
        ("(a)\\1", "is not a valid regular expression (RE2 says: invalid escape sequence: \\1)"),
        (
            "((a{100}){100}){100}",
            "is not a valid regular expression (RE2 says: invalid repetition size: {100})",
        ),
    ],
)
def test_policy_pattern_re2_cannot_compile_is_a_policy_error(pattern: str, why: str) -> None:
    """Python's engine compiled these (or crashed on them); RE2 refuses them, and says why."""
    error = policy_error(f"rules:\n  LOG102:\n    severity: error\n    pattern: '{pattern}'\n")
    assert (error.line, error.col) == (4, 14)
    assert error.message == f"rules.LOG102.pattern {why}"


def test_policy_larger_than_64_kib_is_refused_before_yaml_reads_it(tmp_path: Path) -> None:
    text = "exclude:\n" + "  - 'vendor/**'\n" * 5000  # 80 KB of valid YAML
    error = policy_error(text)
    assert (error.line, error.col) == (1, 1)
    assert "is larger than 64 KiB" in error.message
    path = tmp_path / ".regime.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match="is larger than 64 KiB"):
        load_policy(str(path))
    # over 64 KiB of bytes, under 64 Ki characters: refused, not read in part
    path.write_text("exclude: []\n#" + "é" * 40_000 + "\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="is larger than 64 KiB"):
        load_policy(str(path))
    # on a server, a repository's oversized file is POL001, and the server policy applies
    [finding] = effective_policy(load_server_policy(None), text.encode(), ".regime.yaml").findings
    assert (finding.code, finding.line, finding.col) == ("POL001", 1, 1)


def test_policy_that_is_a_fifo_or_a_device_is_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # opening it would wait for a writer for ever
    with pytest.raises(PolicyError) as info:
        load_policy(str(fifo))
    assert (
        str(info.value)
        == f"{fifo}:1:1: is a FIFO (named pipe), not a policy file: give a regular file"
    )
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / ".regime.yaml").symlink_to("/dev/zero")  # reading never ends
    assert stat.S_ISCHR(os.stat(tmp_path / "tree" / ".regime.yaml").st_mode)
    with pytest.raises(PolicyError, match=r":1:1: is a device, not a policy file"):
        load_policy(str(tmp_path / "tree" / ".regime.yaml"))
    result = run_regime("check", ".", cwd=tmp_path / "tree")
    assert result.code == 2, result.text
    assert "./.regime.yaml:1:1: is a device, not a policy file" in result.err


def test_table_number_of_thousands_of_digits_is_an_undefined_table_not_a_crash(
    tmp_path: Path,
) -> None:
    # int() refuses more than 4300 digits: ValueError, exit 3
    huge = "1" * 10_000
    script = f"#!/bin/sh\nip route add default dev eth0 table {huge}\n"
    [use] = find_table_uses(script, "etc/rc.local")
    assert (use.name, use.line, use.col) == (huge, 2, 37)
    [problem] = undefined_tables([use], {})
    assert problem.message.startswith(f"table '{huge}' is not a valid table number")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "rc.local").write_text(script)
    result = run_regime("check", ".", cwd=tmp_path)
    assert result.code == 1, result.text
    assert "etc/rc.local:2:37: RT105 table '1111" in result.out


def test_one_table_id_with_thousands_of_names_names_one_place_per_file() -> None:
    # every RT101 listed every other line of the group: 3,000 names made 9 million places
    dropin_path = "etc/iproute2/rt_tables.d/a.conf"
    main = "".join(f"7 name{i}\n" for i in range(3000))
    dropin = "7 name5\n7 extra\n"
    _, problems = check_tables([(RT_PATH, main), (dropin_path, dropin)])
    rt101 = {(p.path, p.line): p for p in problems if p.code == "RT101"}
    assert len(rt101) == 2999 + 2
    # per file, the first entry with another name than this one's
    assert rt101[(RT_PATH, 2)].related == ((RT_PATH, 1), (dropin_path, 1))
    assert rt101[(RT_PATH, 6)].related == ((RT_PATH, 1), (dropin_path, 2))  # name5
    assert rt101[(dropin_path, 1)].related == ((RT_PATH, 1), (dropin_path, 2))
    assert rt101[(RT_PATH, 3000)].message.startswith(
        f"table id 7 has two names: 'name2999' here and 'name0' at {RT_PATH}:1."
    )


def test_one_table_name_with_thousands_of_ids_lists_a_few_of_them() -> None:
    text = "".join(f"{i} same\n" for i in range(1000, 4000))
    _, problems = check_tables([(RT_PATH, text)])
    rt102 = [p for p in problems if p.code == "RT102"]
    assert len(rt102) == 2999
    assert all(p.related == ((RT_PATH, 1),) for p in rt102)
    assert (
        "iproute2 resolves `table same` to id 3840; id 1000, 1001, 1002, 1003, 1004 and 2994 "
        "more cannot be reached by this name." in rt102[0].message
    )
    assert max(len(p.message) for p in rt102) < 400


def test_script_of_thousands_of_ip_lines_is_read_whole() -> None:
    # each line matched the rest of the script again: 8,000 lines took 10 s
    script = "".join(
        f"ip route add 10.{i // 256}.{i % 256}.0/24 dev eth0 table t{i}\n" for i in range(5000)
    )
    script += "echo done\nip rule add from all lookup last\n"
    uses = find_table_uses(script, SCRIPT_PATH)
    assert [(u.name, u.line, u.col) for u in uses[:2]] == [("t0", 1, 41), ("t1", 2, 41)]
    assert (uses[-2].name, uses[-2].line) == ("t4999", 5000)
    last = uses[-1]
    assert (last.name, last.line, last.col, last.command) == ("last", 5002, 29, "rule")
    assert len(uses) == 5001


def test_did_you_mean_among_thousands_of_tables() -> None:
    # each use compared its name with every defined name: 8,000 of each took 5 minutes
    tables = "".join(f"{1000 + i} uplink{i}\n" for i in range(3000)) + "99 DMZ\n"
    defined, _ = check_tables([(RT_PATH, tables)])
    script = "ip route add default table uplinq7\n" * 2 + "".join(
        f"ip rule add lookup other{i}\n" for i in range(3000)
    )
    script += "ip route add default table dmz\nip route add default table uplinq8\n"
    problems = undefined_tables(find_table_uses(script, SCRIPT_PATH), defined)
    assert len(problems) == 3004
    assert "Did you mean 'uplink7'?" in problems[0].message
    assert problems[0].related == ((RT_PATH, 8),)
    assert "Did you mean 'uplink7'?" in problems[1].message  # asked once, answered twice
    assert "Did you mean" not in problems[2].message
    # past the comparison budget (3,000 names against 3,000), only a name that differs
    # in case is still suggested
    assert "Did you mean 'DMZ'?" in problems[-2].message
    assert "Did you mean" not in problems[-1].message
    assert all("with the line `100 " in p.message for p in problems)


# ---------------------------------------------------------------------------
# Guest configs: depth and size


def xen_problems(path: str, text: str, grammar: str) -> list[Problem]:
    _guests, problems = read_guests({path: text.encode("utf-8", "surrogateescape")}, grammar)
    return problems


def test_xl_list_nested_100000_deep_is_xen001_at_the_level_too_deep() -> None:
    text = "name = 'deep'\nvif = " + "[" * 100_000 + "]" * 100_000 + "\n"
    [problem] = xen_problems("etc/xen/deep.cfg", text, "xl")
    # xl's bison stack is full at the 4998th level (Xen's parser built from source says
    # the same, near `[')
    assert (problem.code, problem.line, problem.col) == ("XEN001", 2, 7 + 4997)
    assert "config parsing error near `[': memory exhausted" in problem.message


@pytest.mark.parametrize(
    ("value", "line", "col", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, 3, 207, "too many nested parentheses"),
        ("-" * 100_000 + "1", 3, 1, "nested too deeply for Python's parser"),
        ("'a' + " * 30_000 + "'a'", 3, 1, "nested too deeply for Python's parser"),
        ("f" + "()" * 30_000, 3, 1, "nested too deeply for Python's parser"),
    ],
)
def test_xm_nested_too_deep_for_python_is_xen001_at_its_line(
    value: str, line: int, col: int, message: str
) -> None:
    # Python's parser gives no position when it runs out of stack: it was line 1, col 1
    text = "name = 'deep'\nmemory = 512\nvif = " + value + "\nvcpus = 2\n"
    [problem] = xen_problems("etc/xen/deep.cfg", text, "xm")
    assert (problem.code, problem.line, problem.col) == ("XEN001", line, col)
    assert message in problem.message
    assert problem.message.startswith("not valid Python, so xm would refuse it too: ")


def test_xm_lines_of_a_deep_value_name_the_line_where_it_gets_too_deep() -> None:
    # no line stands out, so a binary search over prefixes of the file finds it
    text = "name = 'deep'\nvif = \\\n" + " - \\\n" * 15_000 + " 1\nvcpus = 2\n"
    [problem] = xen_problems("etc/xen/deep.cfg", text, "xm")
    assert problem.code == "XEN001" and "nested too deeply for Python's parser (" in problem.message
    assert 3 < problem.line < 15_000 and problem.col == 2


def test_xm_deep_line_in_a_big_config_is_found_by_its_look() -> None:
    text = "memory = 512\n" * 20_000 + "vif = " + "-" * 50_000 + "1\nname = 'x'\n"
    [problem] = xen_problems("etc/xen/deep.cfg", text, "xm")
    assert (problem.code, problem.line, problem.col) == ("XEN001", 20_001, 1)
    # too big to search prefixes (each a parse of the file), and no line stands out
    text = "memory = 512\n" * 20_000 + "vif = \\\n" + " - \\\n" * 15_000 + " 1\n"
    [problem] = xen_problems("etc/xen/deep.cfg", text, "xm")
    assert (problem.code, problem.line, problem.col) == ("XEN001", 1, 1)
    assert "nested too deeply for Python's parser somewhere in this file (too big to search" in (
        problem.message
    )


def test_xm_list_deeper_than_the_reader_follows_is_not_checkable() -> None:
    text = "vif = " + "[" * 150 + "'mac=00:16:3e:00:00:01'" + "]" * 150 + "\n"
    [problem] = xen_problems("etc/xen/deep.cfg", text, "xm")
    # a vif regime cannot read is one the MAC rules cannot compare: XEN003, an error
    assert (problem.code, problem.line, problem.col) == ("XEN003", 1, 1)
    assert "a literal nested too deeply" in problem.message
    [problem] = xen_problems("etc/xen/deep.cfg", text.replace("vif", "extra"), "xm")
    assert (problem.code, problem.line, problem.col) == ("XEN002", 1, 1)


def test_xm_integer_literal_too_long_for_python_is_named_at_its_column() -> None:
    text = "name = 'é'\nmemory = 512\nmaxmem = " + "9" * 5000 + "\n"
    [problem] = xen_problems("etc/xen/big.cfg", text, "xm")
    assert (problem.code, problem.line, problem.col) == ("XEN001", 3, 10)
    assert problem.message.endswith(
        "an integer literal of 5000 digits, more than Python reads (4300)"
    )


def test_xm_unknown_coding_is_named_at_the_coding_line() -> None:
    text = "#!/usr/bin/python\n# -*- coding: klingon -*-\nname = 'x'\n"
    [problem] = xen_problems("etc/xen/c.cfg", text, "xm")
    assert (problem.code, problem.line, problem.col) == ("XEN001", 2, 15)
    assert problem.message.endswith("unknown encoding: klingon")


@fuzz()
@given(st.lists(st.text(st.characters(exclude_characters="'\\\r\n\x00"), max_size=6), max_size=30))
def test_xm_columns_count_characters_on_a_long_line(strings: list[str]) -> None:
    """Python's columns are UTF-8 byte offsets; each node's column is turned into a
    character column once per line (it decoded the line again for every node)."""
    line = "vif = [" + ", ".join(f"'{s}'" for s in strings) + "]"
    config, not_static = parse_xm("# é\n" + line + "\n")
    assert not_static == []
    value = config.get("vif")
    assert value is not None
    starts = [m.start() + 1 for m in re.finditer("'[^']*'", line)]
    assert [(e.line, e.col) for e in value.items] == [(2, c) for c in starts]
    assert [e.value for e in value.items] == strings


def mac(i: int) -> str:
    return f"00:16:3e:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x}"


@pytest.mark.parametrize("grammar", ["xl", "xm"])
def test_guest_with_20000_vifs_on_one_line_is_read_whole(grammar: str) -> None:
    vifs = [f"'mac={mac(i)},bridge=xenbr{i % 3}'" for i in range(20_000)]
    text = "name = 'big'\nvif = [ " + ", ".join(vifs) + " ]\n"
    guests, problems = read_guests({"etc/xen/big.cfg": text.encode()}, grammar)
    assert problems == []
    [guest] = guests
    assert len(guest.vifs) == 20_000
    last = guest.vifs[-1]
    assert (last.index, last.line, last.col) == (19_999, 2, text.split("\n")[1].rindex("'mac=") + 1)
    assert last.spec.mac == mac(19_999)


def test_findings_on_a_very_long_line_do_not_show_the_line() -> None:
    # the report walks the shown line once per finding: 3,000 findings on one 60 KB
    # line took 8 minutes; a line over 2,000 bytes is no longer shown (it is named)
    long_line = "vif = [ " + ", ".join(f"'bridge=xenbr{i}'" for i in range(3000)) + " ]"
    files = {
        "etc/xen/big.cfg": f"name = 'big'\n{long_line}\n".encode(),
        "etc/xen/small.cfg": b"name = 'small'\nvif = [ 'bridge=xenbr0' ]\n",
    }
    findings = check_infra(files, None, default_policy())
    big = [f for f in findings if f.path == "etc/xen/big.cfg"]
    assert sorted(f.code for f in big) == ["XEN104"] + ["XEN109"] * 3000
    assert all(f.source is None for f in big)
    assert big[-1].col == long_line.rindex("'bridge") + 1
    [small] = [f for f in findings if f.path == "etc/xen/small.cfg"]
    assert small.source == "vif = [ 'bridge=xenbr0' ]"


def test_regime_check_on_20000_findings_on_one_line(tmp_path: Path) -> None:
    long_line = "vif = [ " + ", ".join(f"'bridge=xenbr{i}'" for i in range(20_000)) + " ]"
    (tmp_path / "etc" / "xen").mkdir(parents=True)
    (tmp_path / "etc" / "xen" / "big.cfg").write_text(f"name = 'big'\n{long_line}\n")
    result = run_regime("check", ".", cwd=tmp_path)
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    assert len(lines) == 1 + 20_000 + 1  # XEN104, XEN109 for each vif, the summary
    assert lines[0].startswith("etc/xen/big.cfg:2:9: XEN109 (warning) vif 0 of guest 'big'")
    assert lines[8].startswith("etc/xen/big.cfg:2:145: XEN104 guest 'big' has 20000 vifs")
    assert lines[-1].startswith("regime: 1 error, 20000 warnings (XEN104 x1, XEN109 x20000)")


@pytest.mark.parametrize(
    ("grammar", "value", "where"),
    [("xl", "[" * 100_000 + "]" * 100_000, ":2:5004:"), ("xm", "-" * 100_000 + "1", ":2:1:")],
)
def test_regime_check_on_a_config_nested_100000_deep(
    tmp_path: Path, grammar: str, value: str, where: str
) -> None:
    (tmp_path / "etc" / "xen").mkdir(parents=True)
    (tmp_path / "etc" / "xen" / "deep.cfg").write_text(f"name = 'deep'\nvif = {value}\n")
    (tmp_path / ".regime.yaml").write_text(f"xen: {{grammar: {grammar}}}\n")
    result = run_regime("check", ".", cwd=tmp_path)
    assert result.code == 1, result.text
    assert result.out.startswith(f"etc/xen/deep.cfg{where} XEN001 ")
    assert "Traceback" not in result.text


LAUGHS = "".join(
    f"  - &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 10)
)  # ten to the ninth "lol" if it were ever expanded


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        (
            "exclude:\n  - &l0 lol\n" + LAUGHS,
            (3, 5),
            "each entry of exclude must be a single value",
        ),
        ("exclude: &a [*a]\n", (1, 10), "each entry of exclude must be a single value"),
        ("rules:\n\tWS101: {}\n", (2, 1), "not valid YAML: found character '\\t' that cannot"),
        ("exclude: [*nowhere]\n", (1, 11), "not valid YAML: found undefined alias 'nowhere'"),
        ("rules:\n  WS101: {severity: off}\n  WS101: {}\n", (3, 3), "'WS101' is given twice"),
        ("rules:\n  WS101:\n    <<: {severity: off}\n", (3, 5), "unknown key '<<' in rules.WS101"),
    ],
)
def test_policy_aliases_tabs_and_repeats_are_data_errors_at_their_place(
    text: str, where: tuple[int, int], what: str
) -> None:
    error = policy_error(text)  # composed as nodes: an alias is never expanded
    assert (error.line, error.col) == where
    assert error.message.startswith(what), error.message
