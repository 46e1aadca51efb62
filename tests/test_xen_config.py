"""The Xen config readers: xl's grammar (xlcfg), xm configs read as data (xmcfg), vif specs (vif).

Expectations come from Xen's own parser (libxlu_cfg_l.l, libxlu_cfg.c: dequote, strtol and
+=), xl_parse.c (parse_nic_config: strtok on ",", the strtoul MAC loop) and the checked notes
in /work/shared/notes/xen-and-iproute2.md. Where this machine has 64-bit glibc, strtol and
xl's MAC loop are also compared with the real C functions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regime.xen.vif import (
    format_mac,
    has_xen_oui,
    ip_ranges,
    is_locally_administered,
    is_multicast,
    is_zero,
    mac_quirks,
    padded_values,
    parse_ips,
    parse_mac,
    parse_vif,
    rate_problem,
)
from regime.xen.xlcfg import LONG_MAX, MAX_NESTING, XlSyntaxError, parse_xl, strtol
from regime.xen.xmcfg import NotStatic, XmSyntaxError, parse_xm

RANGE = "could not be parsed as a number: Numerical result out of range"


def xl_error(text: str) -> XlSyntaxError:
    with pytest.raises(XlSyntaxError) as info:
        parse_xl(text)
    return info.value


# ---------------------------------------------------------------------------
# xl: strings and numbers


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'plain'", "plain"),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        ('"it\'s"', "it's"),  # the other quote needs no escape
        ("'say \"hi\"'", 'say "hi"'),
        ("'a\\\\b'", "a\\b"),
        ("'\\a\\b\\f\\n\\r\\t\\v'", "\a\b\f\n\r\t\v"),
        ("'# not a comment'", "# not a comment"),
        ("'héllo ✓'", "héllo ✓"),
        ("'cr\r inside'", "cr\r inside"),  # a CR is only an error outside strings
        ("''", ""),
    ],
)
def test_strings_and_their_escapes(source: str, expected: str) -> None:
    value = parse_xl(f"a = {source}\n").get("a")
    assert value is not None
    assert (value.kind, value.value, value.source) == ("string", expected, source)


# Each checked against Xen's libxlu (libxlu_cfg.c, NUMERIC_CHAR(1,3,10,"octal")) built
# from source: after the backslash and an octal digit, strtoul(base 10) must use more
# than one of the next three characters; then the escape vanishes, value and all.
@pytest.mark.parametrize(
    ("source", "expected", "escapes"),
    [
        ('"A\\101B"', "AB", ["\\101"]),
        ('"A\\123"', "A", ["\\123"]),
        ('"A\\1234B"', "AB", ["\\1234"]),  # 8 and 9 are digits to strtoul base 10
        ('"\\1 5x"', "x", ["\\1 5"]),  # so are white space and a sign before them
        ('"\\1-5x"', "x", ["\\1-5"]),
        ('"\\0000"', "", ["\\0000"]),
        ("'\\101\\102c'", "c", ["\\101", "\\102"]),
    ],
)
def test_octal_escapes_xl_accepts_are_dropped(
    source: str, expected: str, escapes: list[str]
) -> None:
    cfg = parse_xl(f"a = {source}\n")
    assert cfg.get_string("a") == (expected, None)
    assert [(d.line, d.escape, d.source, d.value) for d in cfg.dropped] == [
        (1, e, source, expected) for e in escapes
    ]
    assert cfg.dropped[0].col == 5 + source.index("\\")


@pytest.mark.parametrize(
    "text",
    # flex's error rule takes the byte and waits for the rest of the bad run: at end of
    # file there is none, xl reports nothing (checked against Xen's libxlu)
    ["a = 1\n@", "a = 1\n#", "a = 1 #", "a = 1\r", "a = 1 @", "a = 1 \\", "a = 1\n-",
     "a = 1\n+", "a = 1\nA", "a = 1\n'", 'a = 1\n"', "a = 1;@", "a = 1\n\0",
     "a = 1\n\udce9"],  # the last: a byte that is not UTF-8, as surrogateescape keeps it
)  # fmt: skip
def test_a_stray_last_byte_is_not_an_error_as_in_xl(text: str) -> None:
    assert parse_xl(text).get_string("a") == ("1", None)
    assert parse_xl("@").settings == []


def test_a_stray_last_byte_ends_the_file_where_it_is() -> None:
    err = xl_error("a = [1, @")
    assert (err.line, err.at, err.hint) == (1, "end", "the list is not closed with ]")


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("123", 123),
        ("010", 8),  # strtol base 0: a leading 0 is octal
        ("0x1f", 31),
        ("0x7fffffffffffffff", LONG_MAX),
        ("9223372036854775807", LONG_MAX),
        # Valid NUMBER tokens strtol cannot read: kept as text, xl only warns on use.
        ("08", "08"),
        ("1e5", "1e5"),
        ("0x", "0x"),
        ("9223372036854775808", "9223372036854775808"),
    ],
)
def test_numbers_are_read_with_strtol_base_0(token: str, value: int | str) -> None:
    parsed = parse_xl(f"memory = {token}\n").get("memory")
    assert parsed is not None and parsed.xl_string == token
    assert (parsed.kind, parsed.value, parsed.source) == ("number", value, token)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", (0, None)),
        ("010", (8, None)),
        ("0x1f", (31, None)),
        ("0X1F", (31, None)),
        ("-0x10", (-16, None)),
        (" \t12", (12, None)),
        ("+7", (7, None)),
        ("-9223372036854775808", (-(2**63), None)),
        ("08", (None, "not a valid number")),
        ("12 ", (None, "not a valid number")),
        ("", (None, "not a valid number")),
        ("0x", (None, "not a valid number")),
        ("+-1", (None, "not a valid number")),
        ("9223372036854775808", (None, RANGE)),
        ("-9223372036854775809", (None, RANGE)),
        ("0" * 5000 + "17", (15, None)),  # leading zeros cost nothing, no int() limit
    ],
)
def test_strtol(text: str, expected: tuple[int | None, str | None]) -> None:
    assert strtol(text) == expected


def test_strtol_overflow_with_trailing_text_reports_the_range_like_xl() -> None:
    assert strtol("99999999999999999999x") == (None, RANGE)


# ---------------------------------------------------------------------------
# xl: lists, comments, statements, +=


def test_nested_lists_trailing_commas_newlines_and_comments() -> None:
    cfg = parse_xl("vif = [ # first\n  'a', [ 'b', 1, ],\n  # between\n  [],\n]\n")
    vif = cfg.get("vif")
    assert vif is not None and (vif.kind, vif.line, vif.col) == ("list", 1, 7)
    a, inner, empty = vif.items
    assert (a.value, a.line, a.col) == ("a", 2, 3)
    assert [(i.value, i.line, i.col) for i in inner.items] == [("b", 2, 10), (1, 2, 15)]
    assert (empty.kind, empty.items, empty.line) == ("list", (), 4)
    # xl's device loops stop at the first element that is not a string (or number),
    # and a vif written as one string instead of a list gives the guest no interface.
    assert [i.xl_string for i in vif.xl_string_items()] == ["a"]
    one = parse_xl("vif = 'mac=00:16:3e:00:00:01'\n").get("vif")
    assert one is not None and one.xl_string_items() == []


# Where xl's bison stack (YYMAXDEPTH 10000) runs out, found with Xen's parser built
# from source: the depth depends on the shape, as each level holds 2 entries ('[' nlok),
# 5 after an element and a comma; bench/xl_differential.py --deep compares more shapes.
@pytest.mark.parametrize(
    ("opener", "accepted", "near"),
    [("[", MAX_NESTING, "`]'"), ("[1,", 1999, "`['"), ("[1,\n", 1998, "<newline>")],
)
def test_list_nesting_limit_is_xls(opener: str, accepted: int, near: str) -> None:
    assert MAX_NESTING == 4996
    ok = "v = " + opener * accepted + "]" * accepted + "\n"
    assert parse_xl(ok).get("v") is not None
    err = xl_error("v = " + opener * (accepted + 1) + "]" * (accepted + 1) + "\n")
    assert str(err) == f"config parsing error near {near}: memory exhausted"
    assert err.hint is not None and "YYMAXDEPTH" in err.hint


def test_semicolons_empty_statements_comments_and_end_of_file() -> None:
    cfg = parse_xl("a = 1;;\n;b = 'x'; c = [2] # note\n\n;\nd = 'last'")
    got = [(s.key, s.line, s.col) for s in cfg.settings]
    assert got == [("a", 1, 1), ("b", 2, 2), ("c", 2, 11), ("d", 5, 1)]
    assert cfg.get_string("d") == ("last", None)  # the last statement may end at end of file


def test_empty_files() -> None:
    for text in ("", "\n\n", "# only a comment\n", ";\n"):
        cfg = parse_xl(text)
        assert (cfg.settings, cfg.keys(), cfg.get("name")) == ([], [], None)


def test_keys_may_have_dots_and_underscores() -> None:
    cfg = parse_xl("device_model_version = 'qemu-xen'\nvif.default.script = 'vif-route'\n")
    assert cfg.keys() == ["device_model_version", "vif.default.script"]
    assert [(s.key, s.col) for s in parse_xl("n = 'héllo ✓'; m = 1\n").settings] == [
        ("n", 1),
        ("m", 16),
    ]


def test_last_assignment_wins() -> None:
    cfg = parse_xl("memory = 512\nname = 'a'\nmemory = 1024\n")
    assert cfg.get_long("memory") == (1024, None)
    where = cfg.where("memory")
    assert where is not None and (where.line, where.col) == (3, 1)
    assert cfg.keys() == ["memory", "name"]
    assert cfg.get_long("maxmem") == (None, None)


def test_plus_equals_appends_lists_and_concatenates_strings() -> None:
    cfg = parse_xl(
        "vif = ['a']\nvif += ['b', 'c']\nk = 'x'; k += \"y\"\nm = 512\nm += 0\nfresh += 'z'\n"
    )
    vif = cfg.get("vif")
    assert vif is not None
    assert [(i.value, i.line, i.col) for i in vif.items] == [("a", 1, 8), ("b", 2, 9), ("c", 2, 14)]
    assert cfg.get_string("k") == ("xy", None)
    assert cfg.get_string("m") == ("5120", None)  # numbers are text to xl
    assert cfg.get_long("m") == (None, "can't use += with numbers for parameter `m'")
    assert cfg.get_string("fresh") == ("z", None)  # nothing before: a plain assignment
    assert cfg.get_string("vif") == (None, "parameter `vif' is a list but should be a single value")


# (text, line, col, what str() shows after "config parsing error ", looks like Python, hint)
# fmt: off
SYNTAX_ERRORS = [
    ("name = 'vm1\nmemory = 512\n", 1, 8, "near `'vm1': lexical error", False, "a string must close on the same line"),
    ("name 'vm1'\n", 1, 6, "near `'vm1'': syntax error, unexpected STRING, expecting += or '='", False, None),
    ("vif = ['a'\nname = 'x'\n", 2, 1, "near `name': syntax error, unexpected IDENT, expecting NEWLINE or ']' or ','", False, "separated by commas"),
    ("vif = [\n", 2, 1, "near <end of file>: syntax error, unexpected $end", False, "the list is not closed with ]"),
    ("vif = ['a',,'b']\n", 1, 12, "near `,': syntax error, unexpected ','", False, "no empty elements"),
    ("vif = ['a'] + x\n", 1, 13, "near `+': lexical error", True, "xl cannot add strings or lists with +"),
    ("import os\n", 1, 8, "near `os': syntax error, unexpected IDENT, expecting += or '='", True, "this is Python, which xl does not run"),
    ("kernel = KERNEL\n", 1, 10, "near `KERNEL': lexical error", False, "values need quotes"),
    ("name = vm1\n", 1, 8, "near `vm1': syntax error, unexpected IDENT, expecting STRING or NUMBER or '['", True, "put the word in quotes"),
    ("name = 'x' \\\n", 1, 12, "near `\\': lexical error", True, "no line continuation"),
    ("a = '''x'''\n", 1, 7, "near `'x'': syntax error, unexpected STRING, expecting $end or NEWLINE or ';'", True, "one statement per line"),
    ("a =\nb = 1\n", 1, 4, "near <newline>: syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['", False, "same line"),
    ("a = 1, 2\n", 1, 6, "near `,': syntax error, unexpected ',', expecting $end or NEWLINE or ';'", False, "write [ a, b ]"),
    ("a = 1\nb = 2 3\n", 2, 7, "near `3': syntax error, unexpected NUMBER, expecting $end or NEWLINE or ';'", False, "one statement per line"),
    # Numbers and escapes xl does not read.
    ("m = 0x1F\n", 1, 8, "near `F': lexical error", False, "no unit or suffix and hex digits are lower case"),
    ("m = 512M\n", 1, 8, "near `M': lexical error", False, "no unit or suffix"),
    ("m = -1\n", 1, 5, "near `-1': lexical error", True, "xl has no negative numbers"),
    ("m = 1.5\n", 1, 6, "near `.5': lexical error", True, "xl numbers are whole numbers"),
    ("m = True\n", 1, 5, "near `True': lexical error", True, "True, False and None are Python"),
    ("a = 'a\\qb'\n", 1, 7, "near `'a\\qb'': invalid character after backlash in quoted string", False, "the escapes xl knows are"),
    # xl's own words, checked against Xen's libxlu built from source: "hex" and "octal"
    # are glued to "numerical" in its C string
    ("a = '\\x41'\n", 1, 6, "near `'\\x41'': invalid digit after backslash hexnumerical character escape in quoted string", False, "cannot read \\x escapes"),
    ("a = 'x\\1'\n", 1, 7, "near `'x\\1'': invalid digit after backslash octalnumerical character escape in quoted string", False, "cannot read octal escapes"),
    ("a = 'x\\12'\n", 1, 7, "near `'x\\12'': invalid digit after backslash octalnumerical character escape in quoted string", False, "cannot read octal escapes"),
    ("a = 'x\\1 '\n", 1, 7, "near `'x\\1 '': invalid digit after backslash octalnumerical character escape in quoted string", False, "cannot read octal escapes"),
    ("a = '\\1\\\\'\n", 1, 6, "near `'\\1\\\\'': invalid digit after backslash octalnumerical character escape in quoted string", False, "cannot read octal escapes"),
    ("a = 'x\0'\n", 1, 7, "near `'x\\x00'': NUL character in quoted string", False, "stops reading the string at a NUL"),
    # Keys, line ends, a byte order mark, a comment with no newline at the end.
    ("Memory = 1\n", 1, 1, "near `Memory': lexical error", False, "keys are lower case"),
    ("_a = 1\n", 1, 1, "near `_a': lexical error", False, "keys are lower case"),
    ("name = 'vm1'\r\nmemory = 512\r\n", 1, 13, "near `\\r': lexical error", False, "CRLF (Windows) line ends"),
    ("\ufeffname = 'vm1'\n", 1, 1, "near `\\ufeffname': lexical error", False, "byte order mark"),
    ("memory = 512 # MiB", 1, 14, "near `#': lexical error", False, "ends in a comment with no newline"),
    ("memory = 512\n# end", 2, 1, "near `#': lexical error", False, "ends in a comment with no newline"),
    # a stray last byte is only one when it is ONE byte: a BOM or a UTF-8 letter is more
    ("a = 1\n\ufeff", 2, 1, "near `\\ufeff': lexical error", False, None),
    ("a = 1\n\u00e9", 2, 1, "near `\u00e9': lexical error", False, None),
    ("a = 1\n@@", 2, 1, "near `@@': lexical error", False, None),
    ("a = 1\n@ ", 2, 1, "near `@': lexical error", False, None),
    ("n = 'é✓'; m = 512M\n", 1, 18, "near `M': lexical error", False, "no unit"),  # columns count characters
    # += of another type than the earlier value.
    ("vif = ['a']\nvif += 'b'\n", 2, 8, "near `'b'': can't add [list] to \"string\" or vice versa", False, "(line 1)"),
    ("memory = 512\nmemory += [1]\n", 2, 11, "near `[': can't add [list] to \"string\" or vice versa", False, "(line 1)"),
]
# fmt: on


@pytest.mark.parametrize(("text", "line", "col", "shown", "python", "hint"), SYNTAX_ERRORS)
def test_syntax_error_positions_and_messages(
    text: str, line: int, col: int, shown: str, python: bool, hint: str | None
) -> None:
    err = xl_error(text)
    assert (err.line, err.col, str(err)) == (line, col, "config parsing error " + shown)
    assert err.looks_like_python is python
    if hint is None:
        assert err.hint is None
    else:
        assert err.hint is not None and hint in err.hint


# ---------------------------------------------------------------------------
# xm: read with ast, never executed


def test_xm_literal_assignments() -> None:
    cfg, not_static = parse_xm(
        "name = 'vm'  # comment\nmemory = 512\nvif = ['mac=00:16:3e:00:00:01', 'bridge=x']\n"
        "extra = 'a' + 'b'\ndisk = ('x',)\nacpi = True\nshadow = -1\nn = 'é'; m = 1\n"
    )
    assert not_static == []
    assert cfg.get_string("name") == ("vm", None)
    assert cfg.get_long("memory") == (512, None)
    vif = cfg.get("vif")
    assert vif is not None
    assert [(i.value, i.col) for i in vif.items] == [("mac=00:16:3e:00:00:01", 8), ("bridge=x", 33)]
    assert cfg.get_string("extra") == ("ab", None)
    disk = cfg.get("disk")
    assert disk is not None and disk.kind == "list"
    assert (cfg.get_long("acpi"), cfg.get_long("shadow")) == ((1, None), (-1, None))
    assert [(s.key, s.line, s.col) for s in cfg.settings[-2:]] == [("n", 8, 1), ("m", 8, 10)]


def test_xm_what_cannot_be_read_is_reported_and_dropped() -> None:
    cfg, not_static = parse_xm(
        "name = 'vm'\nfrom os import system\nmemory = 256\nmemory = 256 * 2\nkernel = KERNEL\n"
        "vif = ['a']\nvif.append('bridge=x')\nroot = find_root()\nfor i in range(3): pass\n"
    )
    assert not_static == [
        NotStatic(2, 1, None, "from os import system"),
        NotStatic(4, 1, "memory", "an expression (256 * 2), which is not evaluated"),
        NotStatic(5, 1, "kernel", "a reference to the variable KERNEL"),
        NotStatic(7, 1, "vif", "a call to vif.append(), which may change vif"),
        NotStatic(8, 1, "root", "a call to find_root()"),
        NotStatic(9, 1, None, "a for loop, which may set i"),
    ]
    # A later non-literal hides the earlier literal: "not set", never a stale value.
    assert cfg.keys() == ["name"]


PAYLOADS = [
    ("name = 'x'\nvif = [open({path!r}, 'w').write('pwned')]\n", 2),
    ("import os\nos.system('touch ' + {path!r})\n", 2),
    ("__import__('os').system('touch ' + {path!r})\n", 1),
    ("memory = [f.close() for f in [open({path!r}, 'w')]]\n", 1),
    ("class C:\n    open({path!r}, 'w')\n", 1),
    ("if open({path!r}, 'w'):\n    memory = 1\n", 1),
    ("name = (lambda: open({path!r}, 'w'))()\n", 1),
]


@pytest.mark.parametrize(("template", "line"), PAYLOADS)
def test_xm_config_is_never_executed(template: str, line: int, tmp_path: Path) -> None:
    target = tmp_path / "PWNED"
    config = template.format(path=str(target))
    _cfg, not_static = parse_xm(config)
    assert not target.exists()
    assert not_static[-1].line == line
    # The payload is live: running the same text (as xm did) does create the file.
    exec(compile(config, "xm.cfg", "exec"), {})
    assert target.exists()


def test_xm_syntax_error_executes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "PWNED"
    with pytest.raises(XmSyntaxError) as info:
        parse_xm(f"open({str(target)!r}, 'w')\nname = 'vm1\n")
    assert not target.exists()
    assert (info.value.line, info.value.col) == (2, 8)
    assert str(info.value) == "line 2, column 8: unterminated string literal (detected at line 2)"


LEADING_ZEROS = "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        ("name = 'x'\n)\n", 2, 1, "unmatched ')'"),
        ("name = 'x'\nvif = ['a',\n", 2, 7, "'[' was never closed"),
        ("\tname = 'x'\n", 1, 1, "unexpected indent"),
        ("print 'x'\n", 1, 1, "Missing parentheses in call to 'print'. Did you mean print(...)?"),
        ("memory = 0755\n", 1, 10, LEADING_ZEROS),
    ],
)
def test_xm_syntax_errors(text: str, line: int, col: int, message: str) -> None:
    with pytest.raises(XmSyntaxError) as info:
        parse_xm(text)
    assert (info.value.line, info.value.col, info.value.message) == (line, col, message)


def test_xm_syntax_error_column_counts_characters() -> None:
    with pytest.raises(XmSyntaxError) as info:
        parse_xm("n = 'éééé' x\n")
    assert (info.value.line, info.value.col) == (1, 12)


def test_xm_columns_count_the_byte_order_mark_python_skips() -> None:
    cfg, _ = parse_xm("\ufeffname = 'x'; memory = 1\n")
    assert [(s.key, s.line, s.col) for s in cfg.settings] == [("name", 1, 2), ("memory", 1, 14)]


# ---------------------------------------------------------------------------
# vif specs

MAC = 0x00163E010203
ODD = "not written as six hex numbers separated by : or -"
USE_COLONS = " (separate the bytes with :)"
RATE_FORM = "not of the form NUMBER[GMK]{B|b}/s[@NUMBER[m|u][s]], e.g. 10MB/s@20ms: xl create stops (invalid rate)"


@pytest.mark.parametrize(
    ("spec", "items", "unknown"),
    [
        ("mac=00:16:3e:00:00:01, ip=10.0.0.1", {"mac": "00:16:3e:00:00:01", "ip": "10.0.0.1"}, []),
        ("", {}, []),
        (",,bridge=br0,,", {"bridge": "br0"}, []),  # empty items vanish (strtok)
        ("bridge=br0  ", {"bridge": "br0  "}, []),  # trailing spaces stay
        ("\tmac=00:16:3e:00:00:01", {}, ["\tmac=00:16:3e:00:00:01"]),  # only spaces are dropped
        (" mac = 00:16:3e:00:00:01", {}, ["mac = 00:16:3e:00:00:01"]),
        ("MAC=00:16:3e:00:00:01,bridge", {}, ["MAC=00:16:3e:00:00:01", "bridge"]),
        ("ip=10.0.0.1,10.0.0.2", {"ip": "10.0.0.1"}, ["10.0.0.2"]),
        ("bridge=a,bridge=b", {"bridge": "b"}, []),  # the last one wins
        ("script=vif-route a=b,foo=1", {"script": "vif-route a=b"}, ["foo=1"]),
        ("bridge=br0\0,ip=10.0.0.1", {"bridge": "br0"}, []),  # a C string ends at NUL
    ],
)
def test_vif_is_split_as_xl_splits_it(spec: str, items: dict[str, str], unknown: list[str]) -> None:
    vif = parse_vif(spec)
    assert (vif.items, vif.unknown) == (items, unknown)


def test_vif_quotes_are_part_of_the_values() -> None:
    vif = parse_vif('ip="10.0.0.1",bridge="xenbr0"')
    assert (vif.bridge, vif.ips, vif.quoted) == ('"xenbr0"', ['"10.0.0.1"'], ["ip", "bridge"])
    assert parse_ips(vif.items["ip"]) == ([], ['"10.0.0.1"'])


def test_vif_flags_xm_only_keys_and_gatewaydev_alias() -> None:
    vif = parse_vif("trusted,policy=x,accel=y,netdev=eth0,gatewaydev=eth1,netdev=eth2,trusted ")
    assert (vif.flags, vif.unknown, vif.xm_only) == (["trusted"], ["trusted "], ["policy"])
    assert vif.gatewaydev == "eth2"
    assert vif.pairs[:2] == [("policy", "x"), ("accel", "y")]


def test_vif_problems() -> None:
    vif = parse_vif("mac=00163eaabbcc,rate=10kB/s,type=foo,devid=-1,mtu=1500x")
    assert vif.problems == [
        "mac=00163eaabbcc: '00163eaabbcc' is not a number from 00 to ff" + USE_COLONS,
        "rate=10kB/s: " + RATE_FORM,
        'type=foo: xl knows only vif and ioemu, in lower case; it says "Invalid parameter '
        "`type'\" and the vif keeps the default type",
        "devid=-1: out of range (xl stops: failed to convert)",
        "mtu=1500x: xl ignores the text after the number ('x')",
    ]
    assert parse_vif("mac=00:16:3e:00:00:01,rate=10MB/s@20ms,type=ioemu,mtu=1500").problems == []


@pytest.mark.parametrize(
    "text", ["0:16:3e:1:2:3", "00-16-3E-01-02-03", "00:16:3e:01:02:03", "00:16:3E:01-02:03"]
)
def test_mac_spellings_of_one_address(text: str) -> None:
    assert parse_mac(text) == (MAC, None)
    assert format_mac(MAC) == "00:16:3e:01:02:03"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("00163eaabbcc", "'00163eaabbcc' is not a number from 00 to ff" + USE_COLONS),
        ("00:16:3e:01:02:100", "'100' is not a number from 00 to ff"),
        ("00:16:3e:01:02:1ff", "'1ff' is not a number from 00 to ff"),
        ("00:16:3e:01:02:gg", "number 6 is missing or not hexadecimal"),
        ("00::16:3e:01:02:03", "number 2 is missing or not hexadecimal"),
        ("00:16:3e:01:02:", "number 6 is missing or not hexadecimal"),
        ("00:16:3e:01:02", "only 5 of the 6 numbers"),
        ("-1:0:0:0:0:0", "'-1' is not a number from 00 to ff"),
        ("", "number 1 is missing or not hexadecimal"),
    ],
)
def test_malformed_macs_are_rejected(text: str, problem: str) -> None:
    assert parse_mac(text) == (None, problem)


@pytest.mark.parametrize(
    ("text", "value", "quirks"),
    [
        ("00:16:3e:01:02:03:04", MAC, ["text after the address (':04'), which xl ignores"]),
        ("00.16.3e.01.02.03", MAC, [ODD]),
        ("00 16 3e 01 02 03", MAC, [ODD]),
        ("0x10:0:0:0:0:0", 0x100000000000, [ODD]),
        ("0:16:3e:1:2:3", MAC, ["has one-digit numbers"]),
        ("00:16-3e:01:02:03", MAC, ["mixes : and - separators"]),
    ],
)
def test_macs_xl_accepts_but_are_probably_typos(text: str, value: int, quirks: list[str]) -> None:
    # xl skips any one character after each number and ignores what follows the sixth.
    assert parse_mac(text) == (value, None)
    assert mac_quirks(text) == quirks


def test_mac_bits() -> None:
    group, local, xen = 0x01005E000001, 0xDEADBEEF0000, 0x00163E000001
    assert [is_multicast(m) for m in (group, local, xen, 0xFF0000000000)] == [1, 0, 0, 1]
    assert [is_locally_administered(m) for m in (group, local, xen)] == [0, 1, 0]
    assert [has_xen_oui(m) for m in (group, local, xen, 0x00163F000000)] == [0, 0, 1, 0]
    assert [is_zero(m) for m in (0, 1)] == [True, False]
    with pytest.raises(ValueError):
        format_mac(2**48)


def test_ip_list_is_space_separated_addresses_and_networks() -> None:
    vif = parse_vif("ip=10.0.0.1 10.0.0.2/32\t10.0.1.0/24  2001:db8::1")
    assert vif.ips == ["10.0.0.1", "10.0.0.2/32", "10.0.1.0/24", "2001:db8::1"]
    networks, bad = parse_ips(vif.items["ip"] + " bogus 10.1 010.0.0.1")
    assert [str(n) for n in networks] == [w if "/" in w else w + "/32" for w in vif.ips[:3]] + [
        "2001:db8::1/128"
    ]
    assert bad == ["bogus", "10.1", "010.0.0.1"]
    v6 = 0x20010DB8 << 96
    assert ip_ranges("10.0.0.1 10.0.1.5/24 2001:db8::/127 x") == (
        [(4, 0x0A000001, 0x0A000001), (4, 0x0A000100, 0x0A0001FF), (6, v6, v6 + 1)],
        ["x"],
    )


@pytest.mark.parametrize(
    ("rate", "problem"),
    [
        ("10MB/s", None),
        ("10Mb/s@20ms", None),
        ("10MB/s@20m", None),  # libxlu_vif.c: the interval is ^[0-9]+[mu]?s?$
        ("10MB/s@2", None),  # seconds
        ("10mb/s", RATE_FORM),
        ("10MB/s@20ms ", RATE_FORM),
        ("1GB/s@500us", None),
        ("10kB/s", RATE_FORM),
        ("10MB/s ", RATE_FORM),
        ("0MB/s", "a zero rate, which xl rejects"),
        ("010MB/s", "a leading 0 makes xl read the number as octal"),
        ("1GB/s@0s", "a zero interval, which xl rejects"),
        ("5000000000B/s", "above 4294967295, which xl rejects as an overflow"),
        ("10MB/s@5000s", "an interval above 4294967295 microseconds, which xl rejects"),
    ],
)
def test_rate(rate: str, problem: str | None) -> None:
    assert rate_problem(rate) == problem


# ---------------------------------------------------------------------------
# The emulations against the real C library, where it is 64-bit glibc


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name or "libc.so.6" not in name or ctypes.sizeof(ctypes.c_long) != 8:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
    except (OSError, AttributeError):
        return None
    for func, restype in ((libc.strtol, ctypes.c_long), (libc.strtoul, ctypes.c_ulong)):
        func.restype = restype
        func.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.c_int]
    return libc


LIBC = _glibc()
needs_glibc = pytest.mark.skipif(LIBC is None, reason="needs 64-bit glibc")


def _c_number(name: str, data: bytes, offset: int, base: int) -> tuple[int, int, int]:
    """(value, end offset, errno) of strtol/strtoul on ``data`` from ``offset``."""
    assert LIBC is not None
    buf = ctypes.create_string_buffer(data)
    end = ctypes.c_void_p()
    ctypes.set_errno(0)
    value = getattr(LIBC, name)(ctypes.addressof(buf) + offset, ctypes.byref(end), base)
    return int(value), (end.value or 0) - ctypes.addressof(buf), ctypes.get_errno()


def _xl_mac(text: str) -> int | None:
    """parse_nic_config's loop: strtoul base 16 six times, skip one character after each."""
    data = text.encode()
    pos, value = 0, 0
    for _ in range(6):
        if pos > len(data):
            return None  # xl would read past the end of the string
        number, end, _errno = _c_number("strtoul", data, pos, 16)
        if end == pos or number > 255:
            return None
        value, pos = value << 8 | number, end + 1
    return value


@needs_glibc
@settings(max_examples=1000)
@given(st.text("0123456789abcdefxX+- \t\v", max_size=24))
def test_strtol_matches_glibc(text: str) -> None:
    value, end, errno = _c_number("strtol", text.encode(), 0, 0)
    expected = value if errno == 0 and 0 < end == len(text) else None
    assert strtol(text)[0] == expected


MAC_PART = st.text("0123456789abcdefABCDEFxX+- \t", max_size=3)
MAC_LIKE = st.lists(
    st.tuples(MAC_PART, st.sampled_from([":", "-", ".", " ", "", "::"])), min_size=4, max_size=8
)


@needs_glibc
@settings(max_examples=1000)
@given(MAC_LIKE.map(lambda parts: "".join(a + b for a, b in parts)))
def test_parse_mac_matches_xl_loop_with_glibc_strtoul(text: str) -> None:
    assert parse_mac(text)[0] == _xl_mac(text)


@pytest.mark.parametrize(
    ("spec", "padded"),
    [
        ("mac=00:16:3e:00:00:01,bridge=xenbr0", []),
        ("mac=00:16:3e:00:00:01, bridge=xenbr0", []),  # xl drops the spaces before a key
        ("bridge=xenbr0 ", [("bridge", "xenbr0 ")]),
        ("bridge= xenbr0", [("bridge", " xenbr0")]),
        ("bridge=xenbr0\t", [("bridge", "xenbr0\t")]),  # every kind of white space
        ("vifname=web\u00a0,script=vif-route\u3000", [("vifname", "web\u00a0"), ("script", "vif-route\u3000")]),
        ("ip=10.0.0.1 ,mac=00:16:3e:00:00:01 ", []),  # read as words and numbers: harmless
    ],
)  # fmt: skip
def test_vif_names_xl_keeps_with_white_space(spec: str, padded: list[tuple[str, str]]) -> None:
    from regime.checks.guests import VifPlace
    from regime.checks.vif_values import vif_value_problems

    vif = parse_vif(spec)
    assert padded_values(vif) == padded
    found = vif_value_problems("g.cfg", VifPlace(0, 1, 1, vif), "vif 0")
    assert [p.message.split("=", 1)[0] for p in found] == [f"vif 0: {key}" for key, _ in padded]
