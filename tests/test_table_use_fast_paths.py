"""The shortcuts of the shell reader in table_use agree with reading every character.

RT105 reads every committed script each time a change touches infrastructure, so the
lexer skips what cannot name a table: a script without an ``ip`` word, lines that
carry no lexer state and no ``ip`` word, and runs of plain word characters taken in
one match. Here each script of a generated corpus (ip commands, wrappers, quotes,
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
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "\n", "\n", "\t", ""]


def _ip_command(r: random.Random) -> str:
    words = [
        r.choice(("", "", "sudo ", "up ", "env A=1 ", "ip netns exec ns ")),
        r.choice(("ip", "ip", "/sbin/ip", "i\\p", "'ip'", '"i"p', "ipset", "skip")),
        r.choice((" route", " r", " rule", " ro", " mroute")),
        r.choice((" add", " a", " del", " show")),
        r.choice((" 10.0.0.0/8", " default", " 1.2.3.4")),
        r.choice((" table", " t", " tab", " lookup", " dev")),
        r.choice((" uplink", " dmz", " 100", " 0x10", " $T", " main")),
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
    never = re.compile(r"(?!)")
    monkeypatch.setattr(table_use, "_QUIET_LINES", never)
    monkeypatch.setattr(table_use, "_MAY_RUN_IP", re.compile(r""))
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
