"""The shortcuts of the shell reader in table_use agree with reading every character.

RT105 reads every committed script each time a change touches infrastructure, so the
lexer skips what cannot name a table: a script without an ``ip`` word, a script whose
every table keyword outside its comments is followed by a number or a built-in name,
lines that carry no lexer state and no ``ip`` word, and runs of plain word characters
taken in one match. Here each script of a generated corpus (ip commands, wrappers, quotes,
continuations, substitutions, here-documents, comments, braces, ``i\\p`` and friends)
is read with the shortcuts and with all of them turned off, and the uses must be equal.
"""

from __future__ import annotations

import random
import re

import pytest

from regime.iproute2 import table_use

PIECES = [
    "ip", "ip", "/sbin/ip", "i\\p", "'ip'", '"i"p', "ipset", "skip", "route", "r", "add",
    "rule", "lookup", "table", "t", "tab", "uplink", "dmz", "100", "0x10", "$T", "${T}",
    "sudo", "up", "env", "sh -c '", "'", '"', "\\\n", "$(", ")", "`", "(", "{", "}", ";",
    "&&", "|", "#", "# it's", "<<EOF\nip route add 1.2.3.4 table inheredoc\nEOF",
    "<<-X\n\tx\n\tX", ">/dev/null", "2>&1", "vrf", "exec", "netns", "ExecStart=-/sbin/ip",
    "iptables -A INPUT -j DROP", "echo", "x", "dev", "eth0", "via", "10.0.0.1",
    "# table up", "#", "x#", "table 5", "lookup 100", "t main", "table 0x10", '"t"able',
    "ta\\\nble", "$'table'", "\\table", "table 5>/dev/null", "table 99999999999", "l", "'#'",
    '"#"', "vrftable", "tables", "$x", '"$x"', "\\\n#",
    # ip -batch - with a here-document: its lines are ip commands, split by ip
    "ip -batch -", "ip -force -b -", "'ip' --batch /dev/stdin", "-",
    "<<EOF\nroute add 1.2.3.4 table inbatch\nrule add lookup \"q\"x # c\nEOF",
    "<<-'E'\n\troute add x t $T\n\tr a y \"table\"foo\\\n\ttable z\n\tE",
    '<<"X"\nroute add x table a#b\nroute add x table \'sp ace\'\nX',
    "<<EOF\nroute add x table ${T}x\nroute add \\\ny table \\$z\nEOF",
    "<<EOF\nroute add x table 'open\nroute add y table never\nEOF", "3<<EOF\nr a x t fd3\nEOF",
    "<<EOF\nroute add x 'table'only # no other keyword\nEOF",
    "cat <<EOF | ip -b -\nroute add x table piped\nEOF", "cat", "|", "||",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "\n", "\n", "\t", ""]


def _ip_command(r: random.Random) -> str:
    words = [
        r.choice(("", "", "sudo ", "up ", "env A=1 ", "ip netns exec ns ")),
        r.choice(("ip", "ip", "/sbin/ip", "i\\p", "'ip'", '"i"p', "ipset", "skip")),
        r.choice((" route", " r", " rule", " ro", " mroute")),
        r.choice((" add", " a", " del", " show")),
        r.choice((" 10.0.0.0/8", " default", " 1.2.3.4")),
        r.choice((" table", " t", " tab", " lookup", " dev", ' "table"', " ta\\\nble")),
        r.choice((" uplink", " dmz", " 100", " 0x10", " $T", " main", " 7", " local", " 5#")),
    ]
    if r.random() < 0.3:
        words.insert(r.randrange(1, len(words)), r.choice((" \\\n", " ", " \\\n  ")))
    return "".join(words)


def generated_script(r: random.Random) -> str:
    out = []
    for _ in range(r.randrange(1, 30)):
        if r.random() < 0.4:
            out.append(_ip_command(r))
        else:
            out.append(r.choice(PIECES))
        out.append(r.choice(SEPARATORS))
    return "".join(out)


def _uses(text: str) -> list[tuple[object, ...]]:
    return [
        (u.name, u.line, u.col, u.text, u.command, u.dynamic)
        for u in table_use.find_table_uses(text, "s.sh")
    ]


@pytest.mark.parametrize("seed", range(4))
def test_shortcuts_find_exactly_what_reading_every_character_finds(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = random.Random(seed)
    texts = [generated_script(r) for _ in range(2500)]
    fast = [_uses(t) for t in texts]
    # the whole-text shortcut decided many scripts that do run ip
    skipped = [t for t in texts if table_use._MAY_RUN_IP.search(t) and table_use._names_no_table(t)]
    assert len(skipped) > 100
    never = re.compile(r"(?!)")
    monkeypatch.setattr(table_use, "_QUIET_LINES", never)
    monkeypatch.setattr(table_use, "_MAY_RUN_IP", re.compile(r""))
    monkeypatch.setattr(table_use, "_names_no_table", lambda text: False)
    monkeypatch.setattr(table_use, "_PLAIN", re.compile(r"[^ \t\n\\#'\"$`;&|()<>]"))
    monkeypatch.setattr(table_use, "_PLAIN_IN_DOUBLE_QUOTES", re.compile(r'[^"\\$`]'))
    slow = [_uses(t) for t in texts]
    for text, got, want in zip(texts, fast, slow, strict=True):
        assert got == want, text
    assert sum(1 for x in slow if x) > 500  # the corpus does name tables


@pytest.mark.parametrize(
    "text",
    ["ip route add 1.2.3.4 table up", "x\n/sbin/ip r a 1/8 t up", "i\\\np r a x t up",
     "'ip' rule add lookup up", "echo ok\nip \\\n route add x table up"],
)  # fmt: skip
def test_an_ip_word_is_never_skipped(text: str) -> None:
    assert [u.name for u in table_use.find_table_uses(text, "s.sh")] == ["up"]


@pytest.mark.parametrize(
    "text",
    ["iptables -A INPUT -j DROP table", "skip route add x table up", "ipset add table up",
     "echo 'ip route add x table up'", "cat <<EOF\nip route add x table up\nEOF"],
)  # fmt: skip
def test_no_ip_command_no_table(text: str) -> None:
    assert table_use.find_table_uses(text, "s.sh") == []


@pytest.mark.parametrize(
    "text",
    [
        "ip route add 1.2.3.4 x\\\n#a table up",  # a continued word: "#" is no comment
        'echo "a\\" #"; ip route add x table up',  # an escaped quote inside quotes
        "echo 'a # b'; ip route add x table up",
        "ip route add x table 5 # ip route add x table up\nip r a y t up",
        "ip r a x ta\\\nble up", "ip r a x 'ta'ble up", "ip r a x $'table' up",
        "ip r a x table 99999999999", "ip r a x table 5>/dev/null up", "ip r a x table 5#",
        "ip rule add lookup local\nip rule add lookup up",
        "cat <<EOF\nit's\nEOF\necho ' #'; ip route add x table up",  # a quote in a here-doc
        # ip splits batch lines: "table"up is two words there, not one as in the shell
        'ip -batch - <<EOF\nroute add x "table"up\nEOF', "ip -b - <<E\nr a x 'ta'\"ble\" up\nE",
    ],
)  # fmt: skip
def test_whole_text_shortcut_edges(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _uses(text)
    monkeypatch.setattr(table_use, "_names_no_table", lambda text: False)
    assert fast == _uses(text) != []


@pytest.mark.parametrize(
    "text",
    [
        "ip route add x table 100\n# uses table up and lookup dmz\nip rule add lookup main",
        "ip r a x t 0x10 # t up\nip r a y dev \"$d\" table 7 2>&1 # table up",
    ],
)  # fmt: skip
def test_whole_text_shortcut_decides_numbers_built_ins_and_comments(text: str) -> None:
    assert table_use._names_no_table(text)
    assert _uses(text) == []
