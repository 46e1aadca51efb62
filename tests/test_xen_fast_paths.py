"""The quick paths of the vif readers agree with the long ones on every input.

``parse_mac`` reads a canonical MAC in one go and ``ip_ranges`` computes plain IPv4
itself instead of asking netaddr; both exist for speed (30,000 vifs per check), so
here they are compared with the authority they stand in for, over many generated
inputs that sit on and around the edges of the quick forms.
"""

from __future__ import annotations

import random

import pytest

from regime.xen.vif import (
    _CANONICAL_MAC_RE,
    _PLAIN_IPV4_RE,
    _parse_mac_as_strtoul,
    ip_ranges,
    parse_ips,
    parse_mac,
)

HEX = "0123456789abcdefABCDEF"


def mac_like(r: random.Random) -> str:
    """A MAC-like text: half of them in the quick path's form, the rest around it."""
    canonical = r.random() < 0.5
    digits = (2,) if canonical else (2, 2, 2, 1, 3)
    parts = ["".join(r.choice(HEX) for _ in range(r.choice(digits))) for _ in range(6)]
    seps = [r.choice(":-" if canonical else ":::---. x") for _ in range(5)]
    if canonical or r.random() < 0.7:
        seps = [seps[0]] * 5
    text = parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=True))
    if r.random() < 0.1:
        text = text[: r.randrange(len(text))]
    if r.random() < 0.1:
        text += r.choice(("x", ":", " ", "0", "\n"))
    return text


@pytest.mark.parametrize("seed", range(5))
def test_parse_mac_quick_path_agrees_with_strtoul(seed: int) -> None:
    r = random.Random(seed)
    quick = 0
    for _ in range(4000):
        text = mac_like(r)
        assert parse_mac(text) == _parse_mac_as_strtoul(text), text
        quick += _CANONICAL_MAC_RE.fullmatch(text) is not None
    assert quick > 1000  # the quick path was exercised, not only the long one


def test_parse_mac_spellings_of_one_address() -> None:
    want = (0x00163E010203, None)
    for text in ("00:16:3e:01:02:03", "00-16-3E-01-02-03", "0:16:3e:1:2:3"):
        assert parse_mac(text) == want
    assert parse_mac("00:16:3e:01-02:03") == want  # mixed: the long path, same answer
    assert parse_mac("00163eaabbcc")[0] is None


def octet(r: random.Random) -> str:
    if r.random() < 0.85:
        return str(r.randrange(256))
    return r.choice((str(r.randrange(250, 300)), "0", "00", "01", "010", "255", "256", "-1"))


def ip_word(r: random.Random) -> str:
    kind = r.random()
    if kind < 0.1:
        return r.choice(("::1", "2001:db8::5", "2001:db8::/64", "fe80::1%eth0", "::ffff:10.0.0.1"))
    if kind < 0.15:
        return r.choice(("10.1", "10.0.0", "10.0.0.1.", "10..0.1", "a.b.c.d", "10.0.0.1/", "/24"))
    text = ".".join(octet(r) for _ in range(4))
    if r.random() < 0.4:
        text += "/" + r.choice(("0", "8", "16", "24", "30", "31", "32", "33", "08", "024", "-1"))
    return text


@pytest.mark.parametrize("seed", range(5))
def test_ip_ranges_agrees_with_netaddr(seed: int) -> None:
    r = random.Random(seed)
    quick = 0
    for _ in range(3000):
        words = [ip_word(r) for _ in range(r.choice((1, 1, 2, 3)))]
        text = " ".join(words)
        networks, bad = parse_ips(text)
        want = ([(n.version, n.first, n.last) for n in networks], bad)
        assert ip_ranges(text) == want, text
        quick += sum(_PLAIN_IPV4_RE.fullmatch(w) is not None for w in words)
    assert quick > 1000  # the quick path was exercised, not only netaddr


def test_ip_ranges_of_an_address_and_a_network() -> None:
    assert ip_ranges("10.0.0.5 10.0.0.1/24") == (
        [(4, 0x0A000005, 0x0A000005), (4, 0x0A000000, 0x0A0000FF)],
        [],
    )
    assert ip_ranges("010.0.0.1") == ([], ["010.0.0.1"])


# ---------------------------------------------------------------------------
# xl: the quick statement pattern against the token path


KEYS = ("vif", "name", "memory", "disk", "on_reboot", "a.b_0", "A", "_x", "vif-x")
OPS = (" = ", "=", " += ", "+=", " + = ", " == ")
STRING_CHARS = ("a", " ", "#", ",", "=", "[", "]", "'", '"', "\\", "\\n", "\r", "\0", "é", "\t")
NUMBERS = ("0", "1", "512", "010", "08", "0x1f", "0x1F", "512M", "1e5", "0x", "-1", "1.5")
GAPS = ("", " ", " ", "\t", "\n", " # note 'x' 1\n", "\n  ")
ENDS = ("\n", "\n", "\n", " # done\n", ";", "; ", "", "\r\n", "#", " x\n")


def xl_string(r: random.Random) -> str:
    quote = r.choice("'\"")
    body = "".join(r.choice(STRING_CHARS) for _ in range(r.randrange(6)))
    if r.random() < 0.85:  # mostly strings the quick pattern takes
        body = body.replace("\\", "").replace("\r", "").replace("\0", "")
        body = body.replace(quote, "").replace("\\n", "")
    return quote + body + quote


def gap(r: random.Random) -> str:
    return "\r\n" if r.random() < 0.01 else r.choice(GAPS)


def xl_value(r: random.Random, depth: int = 0) -> str:
    roll = r.random()
    if roll < 0.35:
        return xl_string(r)
    if roll < 0.5:
        return r.choice(NUMBERS)
    if roll < 0.52:
        return r.choice(("x", "True", "(1, 2)", "'a' 'b'", ""))
    items = [xl_value(r, depth + 1) if depth < 2 and r.random() < 0.1 else
             (xl_string(r) if r.random() < 0.8 else r.choice(NUMBERS))
             for _ in range(r.randrange(5))]  # fmt: skip
    text = "[" + gap(r)
    for i, item in enumerate(items):
        text += item + gap(r)
        if i < len(items) - 1 or r.random() < 0.3:
            text += (r.choice((",,", "")) if r.random() < 0.05 else ",") + gap(r)
    return text + ("]" if r.random() < 0.95 else "")


def xl_config(r: random.Random) -> str:
    lines = []
    for _ in range(r.randrange(1, 5)):
        roll = r.random()
        if roll < 0.1:
            lines.append(r.choice(("# comment 'q' 1\n", "\n", "  \n", ";\n")))
            continue
        key = r.choice(KEYS) if r.random() < 0.1 else r.choice(KEYS[:5])
        op = r.choice(OPS) if r.random() < 0.1 else r.choice(OPS[:4])
        end = r.choice(ENDS) if r.random() < 0.15 else "\n"
        lines.append(r.choice(("", " ", "\t")) + key + op + xl_value(r) + end)
    return "".join(lines)


def parsed(text: str, quick: bool) -> object:
    from regime.xen.xlcfg import XlSyntaxError, _Parser

    try:
        return _Parser(text, quick=quick).parse()
    except XlSyntaxError as exc:
        return ("error", str(exc), exc.line, exc.col, exc.looks_like_python, exc.hint)


@pytest.mark.parametrize("seed", range(8))
def test_xl_quick_statements_read_exactly_as_the_token_path(seed: int) -> None:
    from regime.xen.xlcfg import _QUICK_RE

    r = random.Random(seed)
    quick_used = errors = 0
    for _ in range(1500):
        text = xl_config(r)
        got = parsed(text, quick=True)
        assert got == parsed(text, quick=False), repr(text)
        quick_used += _QUICK_RE.match(text) is not None
        errors += isinstance(got, tuple)
    # the generator reaches both paths and both outcomes
    assert quick_used > 300
    assert 300 < errors < 1000


# ---------------------------------------------------------------------------
# xl: the whole-file pattern (parse_xl's first try) against the token path

PERTURB = (
    "chunk", "octal", "escape", "crlf", "no final newline", "stray byte", "bom", "semicolon",
    "append", "nested", "cr in string", "tab key",
)  # fmt: skip


def everyday_value(r: random.Random) -> str:
    roll = r.random()
    if roll < 0.4:
        return xl_string(r).replace("\\", "").replace("\r", "").replace("\0", "")
    if roll < 0.55:
        return r.choice(NUMBERS[:7])
    items = [xl_string(r) if r.random() < 0.8 else r.choice(NUMBERS[:7]) for _ in range(4)]
    items = [i.replace("\\", "").replace("\r", "").replace("\0", "") for i in items]
    items = items[: r.randrange(5)]
    parts = ["[", r.choice(GAPS)]
    for i, item in enumerate(items):
        parts += [item, r.choice(GAPS)]
        if i < len(items) - 1 or r.random() < 0.3:
            parts += [",", r.choice(GAPS)]
    return "".join(parts) + "]"


def everyday_config(r: random.Random) -> str:
    """A config of the everyday shape (the whole-file pattern's), then, often, one
    thing that takes it off that shape (or only seems to)."""
    lines = []
    for _ in range(r.randrange(0, 7)):
        roll = r.random()
        if roll < 0.15:
            lines.append(r.choice(("# a comment 'q' [1]\n", "\n", "  \t\n", "#\n", " # x = 1\n")))
            continue
        key = r.choice(KEYS[:6])
        op = r.choice(("=", " = ", "\t=  "))
        end = r.choice(("\n", "\n", " # done 'x'\n", "\t\n"))
        lines.append(r.choice(("", " ", "\t")) + key + op + everyday_value(r) + end)
    text = "".join(lines)
    if r.random() < 0.5:
        return text
    kind = r.choice(PERTURB)
    at = r.randrange(len(text) + 1)
    if kind == "chunk":
        return text[: text.rfind("\n", 0, at) + 1] + xl_config(r) + text[at:]
    if kind == "octal":
        return text + r.choice(("name = 'A\\101B'\n", 'vif = ["mac=\\0601"]\n', "x = '\\7'\n"))
    if kind == "escape":
        return text + r.choice(("name = 'a\\'b'\n", 'name = "\\\\"\n', "name = '\\q'\n"))
    if kind == "crlf":
        return text.replace("\n", "\r\n") or "name = 'x'\r\n"
    if kind == "no final newline":
        return text.rstrip("\n") + r.choice(("", " # end", " name = 'x'", "]"))
    if kind == "stray byte":
        return text + r.choice(("#", "x", "\udcff", "\r", "\0", "'", "[", " ", "="))
    if kind == "bom":
        return "\ufeff" + text
    if kind == "semicolon":
        return text.replace("\n", r.choice((";\n", "; ", ";")), 1) or "a = 1; b = 2\n"
    if kind == "append":
        return text + r.choice(("vif += ['mac=x']\n", "name += 'x'\n", "memory += 1\n"))
    if kind == "nested":
        return text + "vif = [ 'a', [ 'b' ], 'c' ]\n"
    if kind == "cr in string":
        return text + "name = 'a\rb'\n"
    return text + r.choice(("Name = 'x'\n", "_x = 1\n", "vif-x = 1\n", "x = 512M\n"))


def read_both(text: str) -> tuple[object, object]:
    """What parse_xl (whole-file pattern first) and the exact token path make of a
    text, as (get, where) of every key asked for first, then the settings, the keys
    and the dropped escapes."""
    from regime.xen.xlcfg import XlSyntaxError, _Parser, parse_xl

    def view(config: object) -> object:
        assert hasattr(config, "get") and hasattr(config, "where")
        asked = [(key, config.get(key), config.where(key)) for key in (*KEYS, "name")]
        return asked, config.settings, config.keys(), list(config.dropped)  # type: ignore[attr-defined]

    out = []
    for read in (parse_xl, lambda t: _Parser(t, quick=False).parse()):
        try:
            out.append(view(read(text)))
        except XlSyntaxError as exc:
            out.append(("error", str(exc), exc.line, exc.col, exc.looks_like_python, exc.hint))
    return out[0], out[1]


@pytest.mark.parametrize("seed", range(8))
def test_xl_whole_file_pattern_reads_exactly_as_the_token_path(seed: int) -> None:
    from regime.xen.xlcfg import _FILE_RE

    r = random.Random(seed)
    whole = off = errors = 0
    for _ in range(1500):
        text = everyday_config(r)
        fast, exact = read_both(text)
        assert fast == exact, repr(text)
        if _FILE_RE.fullmatch(text):
            whole += 1
        else:
            off += 1
        errors += isinstance(exact, tuple) and exact[0] == "error"
    # both paths taken, and the files the pattern refuses hold valid and invalid ones
    assert whole > 600 and off > 400 and 100 < errors < off


def test_xl_whole_file_pattern_refuses_every_form_it_does_not_know() -> None:
    """Each of these is valid xl but not an everyday form (or not valid at all): the
    pattern must leave it to the token path, which alone knows what it means."""
    from regime.xen.xlcfg import _FILE_RE

    base = "name = 'g'\nvif = [ 'mac=00:16:3e:00:00:01' ]\n"
    assert _FILE_RE.fullmatch(base)
    for tail in (
        "name = 'A\\101B'\n",  # an octal escape (XEN115)
        "name = 'a\\nb'\n",
        "a = 1; b = 2\n",
        "vif += [ 'x' ]\n",
        "vif = [ [ 'x' ] ]\n",
        "name = 'x'",  # no final newline
        "#",  # a stray last byte
        "name = 'x'\r\n",
        "name = 'a\0b'\n",
    ):
        assert not _FILE_RE.fullmatch(base + tail), tail
    assert not _FILE_RE.fullmatch("\ufeff" + base)


@pytest.mark.parametrize("seed", range(2))
def test_vif_parsed_mac_is_parse_mac_read_once(seed: int) -> None:
    """The MAC the XEN rules compare and check is the one parse_mac reads, kept on the
    vif (two rules read it, 30,000 vifs per check)."""
    from regime.xen.vif import parse_vif

    r = random.Random(seed)
    for _ in range(2000):
        text = mac_like(r).replace(",", "")
        spec = parse_vif(f"bridge=xenbr0,mac={text}")
        assert spec.parsed_mac == parse_mac(text), text
        assert spec.parsed_mac is spec.parsed_mac  # read once
    assert parse_vif("bridge=xenbr0").parsed_mac == (None, None)
