"""The fast reading of xl configs is the exact parser's reading, on every input.

``parse_xl`` first tries one ``fullmatch`` of the whole file against the everyday
statement forms (``regime.xen.xlcfg._FILE_RE``) and reads ``name`` and ``vif`` from
that match; a file it does not cover goes to the exact parser (the token path, which
mirrors Xen's libxlu). The fast reading exists for speed only (10,000 guests a
check), so here it is held to the exact parser's on generated configs full of what
goes wrong: comments with quotes and brackets, both kinds of quote, escapes, a
backslash at the end of a line, lists over many lines with comments and trailing
commas, CRLF, bytes that are not UTF-8, a byte order mark, ``;``, ``+=``, keys given
twice, a last line without its newline. Where the two could differ, the fast path
must refuse the file and leave it to the exact parser: equal answers (the same
settings, values, places, dropped escapes, or the same error) are the proof.

The same holds for real configs (the examples, the fuzz seeds, the benchmark's
guest) and mutations of them, through the whole XEN rules: the findings are the
same whichever reader reads the files.
"""

from __future__ import annotations

import contextlib
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_readers import EXAMPLES, XL_INSERTS, XL_SEEDS, decode, fuzz, mutated

from regime.checks.infra import check_infra
from regime.findings import Finding
from regime.policy.model import default_policy
from regime.xen import xlcfg
from regime.xen.xlcfg import XlSyntaxError, _Parser, parse_xl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

#: Keys asked of every config: the two the guest checks read, others, and keys
#: that only look like them.
ASKED = ("name", "vif", "memory", "disk", "on_crash", "names", "vif.x", "vif_x", "nam")


def exact(text: str) -> xlcfg.XlConfig:
    return _Parser(text, quick=False).parse()


def readings(config: xlcfg.XlConfig, key: str) -> tuple[object, ...]:
    """``key``'s value, deciding assignment, and its reading as xl reads a number and
    as it reads a string."""
    return config.get(key), config.where(key), config.get_long(key), config.get_string(key)


def reading(read: object, text: str) -> object:
    """What a reader makes of ``text``: every asked key's string and string elements
    (as the guest checks read ``name`` and walk ``vif``), value, deciding assignment,
    xl number and string readings, then the settings in order, the keys and the
    dropped escapes; or the error with its place, hint and Python word. The keys are
    asked first: a fast config reads its settings only when asked."""
    assert callable(read)
    try:
        config = read(text)
    except XlSyntaxError as exc:
        return ("error", str(exc), exc.line, exc.col, exc.looks_like_python, exc.hint, exc.at)
    keys = list(ASKED)
    with contextlib.suppress(XlSyntaxError):  # the keys the exact parser finds, if any
        keys += [s.key for s in exact(text).settings]
    asked = [
        (key, config.string_value(key), config.string_items(key), *readings(config, key))
        for key in keys
    ]
    return asked, config.settings, config.keys(), list(config.dropped)


def assert_same_reading(text: str) -> bool:
    """The fast and the exact reading of ``text`` agree; returns whether the fast
    path took the file."""
    fast = reading(parse_xl, text)
    assert fast == reading(exact, text), repr(text)
    return xlcfg._FILE_RE.fullmatch(text) is not None


# --------------------------------------------------------------------------- generated

KEYS = ("name", "vif", "memory", "disk", "on_crash", "names", "vif.x", "Name", "_x", "vif-x")
OPS = ("=", " = ", "\t=\t", " =  ", " += ", "+=", " == ", " + = ")
STRING_PARTS = ("a", "mac=00:16:3e:00:00:01", ",", " ", "\t", "#", "=", "[", "]", ";", "'", '"',
                "\\", "\\n", "\\'", '\\"', "\\\\", "\\101", "\\7", "\\x41", "\\q", "\r", "\0",
                "é", "\udcff", "\udce9", "\u2028", "\n")  # fmt: skip
STRING_BODY = st.lists(st.sampled_from(STRING_PARTS), max_size=6).map("".join)
NUMBERS = ("0", "1", "512", "010", "08", "0x1f", "0x1F", "512M", "1e5", "0x", "-1", "1.5")
GAPS = ("", " ", "\t", "\n", "\n    ", " # a 'q' [1]\n", "#\n", "\\\n", "\r\n", " ,")
ENDS = ("\n", "\n", "\n", " # done 'x'\n", "\t\n", ";", "; ", ";\n", "\r\n", "", "\\\n", " x\n")
LINES = ("\n", "  \t\n", "# comment 'q' [1] \"\n", "#\n", ";\n", " # x = 1\n", "\\\n")


@st.composite
def strings(draw: st.DrawFn) -> str:
    quote = draw(st.sampled_from("'\""))
    body = draw(STRING_BODY)
    if draw(st.integers(0, 9)) < 7:  # mostly strings the fast path may take
        for bad in ("\\", "\r", "\0", "\n", quote):
            body = body.replace(bad, "")
    return quote + body + quote


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 19))
    if kind < 8:
        return draw(strings())
    if kind < 11:
        return draw(st.sampled_from(NUMBERS))
    if kind == 11:
        return draw(st.sampled_from(("x", "True", "(1, 2)", "'a' 'b'", "", "'a' + 'b'")))
    items = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 2 and draw(st.integers(0, 9)) == 0:
            items.append(draw(values(depth + 1)))
        else:
            items.append(draw(strings() if draw(st.booleans()) else st.sampled_from(NUMBERS)))
    text = "[" + draw(st.sampled_from(GAPS))
    for i, item in enumerate(items):
        text += item + draw(st.sampled_from(GAPS))
        if i < len(items) - 1 or draw(st.booleans()):  # a trailing comma, often
            text += draw(st.sampled_from((",", ",", ",", ",,", ""))) + draw(st.sampled_from(GAPS))
    return text + ("]" if draw(st.integers(0, 19)) else "")


@st.composite
def statements(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(LINES))
    key = draw(st.sampled_from(KEYS[:4] if draw(st.integers(0, 3)) else KEYS))
    op = draw(st.sampled_from(OPS[:4] if draw(st.integers(0, 4)) else OPS))
    end = draw(st.sampled_from(ENDS[:5] if draw(st.integers(0, 3)) else ENDS))
    indent = draw(st.sampled_from(("", "", " ", "\t")))
    return indent + key + op + draw(values()) + end


@st.composite
def configs(draw: st.DrawFn) -> str:
    """A config of a few statements (keys often given twice), with, now and then, CRLF
    line ends, a byte order mark or a last line cut short."""
    text = "".join(draw(st.lists(statements(), max_size=7)))
    roll = draw(st.integers(0, 29))
    if roll == 0:
        text = text.replace("\n", "\r\n")
    elif roll == 1:
        text = "\ufeff" + text
    elif roll == 2:
        text = text.rstrip("\n")
    elif roll == 3:
        text += draw(st.sampled_from(("#", "x", "\udcff", "\r", "\0", "'", "[", " ", "=")))
    return text


@fuzz(max(300, EXAMPLES))
@given(configs())
def test_fast_reading_is_the_exact_parsers_on_generated_configs(text: str) -> None:
    assert_same_reading(text)


# --------------------------------------------------------------------------- chosen cases

EVERYDAY = (
    "# web\nname = 'web'\nmemory = 2048\n"
    "vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0,ip=192.0.2.10',\n"
    "        'mac=00:16:3e:00:00:02,script=vif-route,ip=192.0.2.11' ]\n"
)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        (EVERYDAY, True),
        ("", True),
        ('name = "db"\nvif = ["mac=00:16:3e:00:00:01", \'bridge=xenbr1\']\n', True),
        # a list over lines, with comments holding quotes and brackets, a trailing comma
        ("vif = [ # first 'q' [\n  'a',\n\n  # 'b', ]\n  'c', ]\n", True),
        ("vif = [\n]\nname = 'x' # 'y'\n", True),
        ("# 'n'\nname = 'a#b' # 'c'\nvif = [ 'x#y', \"z\" ]\nname = \"d'#e\"\n", True),
        ("name = 1\nvif = [ 'a', 2, 'b' ]\n", True),  # a number: no name, one vif
        ("vif = [ 1, 0x1f, '010', 08 ]\nmemory = 010\n", True),
        # the same key twice: the last one decides (xl's rule, the exact parser's too)
        ("name = 'a'\nvif = ['x']\nname = 'b'\nvif = []\n", True),
        ("memory = 1\nmemory = 'x'\nmemory = [ 2 ]\n", True),
        ("name = 'g\udcff\udce9'\nvif = [ 'mac=\udcff' ]\n", True),  # not UTF-8, kept as is
        # everything below is left to the exact parser
        ("name = 'a\\'b'\nvif = [ 'x' ]\n", False),  # an escape
        ("name = 'A\\101B'\n", False),  # an octal escape xl drops (XEN115)
        ("name = 'a\\qb'\n", False),  # an escape xl refuses
        ("vif = [ 'a', \\\n 'b' ]\n", False),  # a backslash "continuation": an error
        ("name = 'x' \\\nmemory = 1\n", False),
        (EVERYDAY.replace("\n", "\r\n"), False),  # CRLF: xl refuses it
        ("name = 'a\rb'\n", False),
        ("\ufeff" + EVERYDAY, False),  # a byte order mark
        (EVERYDAY.rstrip("\n"), False),  # no final newline
        (EVERYDAY + "#", False),  # a stray last byte, which xl lets pass
        ("name = 'x'; memory = 1\n", False),
        ("vif = [ 'a' ]\nvif += [ 'b' ]\n", False),
        ("name = 'a'\nname += 'b'\n", False),
        ("vif = [ 'a', [ 'b' ], 'c' ]\n", False),  # nested: xl stops at the list
        ("vif = [ 'a',, 'b' ]\n", False),
        ("vif = 'mac=00:16:3e:00:00:01'\n", True),  # a string, not a list (XEN106)
        ("Name = 'x'\n", False),
        ("memory = 512M\n", False),
        ("name = 'a\0b'\n", False),
        ("vif = [ 'a'\n", False),
    ],
)
def test_fast_reading_on_chosen_cases(text: str, fast: bool) -> None:
    assert assert_same_reading(text) is fast


# --------------------------------------------------------------------------- real configs


def real_configs() -> list[bytes]:
    import bench_infra

    found = [p.read_bytes() for p in sorted((ROOT / "examples").rglob("*.cfg"))]
    r = random.Random(1)
    bench = [bench_infra.guest_config(i, r).encode() for i in (0, 1, 77)]
    return found + list(XL_SEEDS) + bench


def test_real_configs_take_the_fast_path_and_read_the_same() -> None:
    configs = real_configs()
    assert len(configs) >= 10
    fast = sum(assert_same_reading(decode(data)) for data in configs)
    assert fast >= 7  # the examples and the benchmark's guests are everyday files


def findings_by(read: object, files: dict[str, bytes]) -> list[Finding]:
    """The XEN findings of ``files`` with ``read`` as the xl reader."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlcfg, "parse_xl", read)
        return check_infra(files, None, default_policy())


@fuzz(max(200, EXAMPLES))
@given(st.lists(mutated(tuple(real_configs()), XL_INSERTS), min_size=1, max_size=3))
def test_findings_are_the_same_whichever_reader_reads_mutated_real_configs(
    datas: list[bytes],
) -> None:
    files = {f"etc/xen/g{i}.cfg": data for i, data in enumerate(datas)}
    files["etc/xen/base.cfg"] = real_configs()[0]
    fast = findings_by(parse_xl, files)
    assert fast == findings_by(exact, files)
    for data in datas:
        assert_same_reading(decode(data))
