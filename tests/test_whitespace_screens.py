"""The whitespace check finds exactly what a per-line reading finds, whichever of its
rules are on for a file, and its screens are linear in their input.

Before: the screen for trailing whitespace left the tab out, trusting the tab screen
to pick such lines up; where WS101 is off (a Makefile, rt_tables, a policy without
it) a trailing tab passed, though ``git diff --check`` flags it. And the tab screen
looked back to the line start for each tab it found, so a line of a million tabs
took seconds (quadratic).

- a property test: every combination of active rules, four kinds of path, random
  lines from the characters the screens care about, read three ways (the diff's raw
  runs, unidiff's reading of the same chunk, the whole file): the findings equal a
  reference written line by line, from the rules' words alone;
- the same attack through every real door: ``regime staged``, a real push into a
  bare repository with the hook, a real ``svn commit`` through the hook, ``regime
  check`` of whole files (the pre-commit framework's case is in
  test_pre_commit_framework.py).
"""

from __future__ import annotations

import dataclasses
import random
import re
import subprocess
from pathlib import Path

import pytest
from conftest import GitRepo, added_hunks, base_env, run_regime
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_git_pre_receive import assert_accepted, assert_refused, make_server
from test_svn_door import Svn

from regime.added import _matching_line_starts
from regime.changeset import Added, AddedLine, ChangedFile, FileStatus, text_lines
from regime.checks.whitespace import TAB, TRAILING_AT_EOL, check_file
from regime.diff.chunks import to_changed_file
from regime.diff.split import Chunk, split
from regime.policy.load import parse_policy

# a character of each kind the screens and rules tell apart
ALPHABET = ["a", "é", " ", "\t", "\r", "\x0b", "\x0c", "\xa0", "\u3000", "\u2028", "\x85", "\x1c"]
# what the defaults say of each: (WS101 applies, WS102 applies)
PATHS = {
    "a.c": (True, True),
    "Makefile": (False, True),
    "etc/iproute2/rt_tables": (False, True),
    "notes.md": (True, False),
}
POLICIES = {
    (tab, trail): parse_policy(
        "rules:\n"
        f"  WS101: {{severity: {'error' if tab else 'off'}}}\n"
        f"  WS102: {{severity: {'error' if trail else 'off'}}}\n",
        ".regime.yaml",
    )
    for tab in (True, False)
    for trail in (True, False)
}
TRAILING = frozenset(" \t\x0b\x0c\xa0\u3000\r")  # of ALPHABET: what may trail a line


def reference(lines: list[AddedLine], tab: bool, trail: bool) -> list[tuple[int, int, str]]:
    """The rules read line by line from their words: a tab anywhere in the text is
    WS101 at the first tab; whitespace at the end of the text (a CR too, unless it is
    the CRLF's) is WS102 where it starts."""
    out = []
    for line in lines:
        if tab and "\t" in line.text:
            out.append((line.number, line.text.index("\t") + 1, "WS101"))
        if trail and line.text and line.text[-1] in TRAILING:
            start = len(line.text)
            while start and line.text[start - 1] in TRAILING:
                start -= 1
            out.append((line.number, start + 1, "WS102"))
    return out


def found(changed: ChangedFile, policy_key: tuple[bool, bool]) -> list[tuple[int, int, str]]:
    return [(f.line, f.col, f.code) for f in check_file(changed, POLICIES[policy_key])]


line_texts = st.lists(st.sampled_from(ALPHABET), max_size=6).map("".join)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    texts=st.lists(st.tuples(line_texts, st.sampled_from(["\n", "\r\n"])), min_size=1, max_size=8),
    path=st.sampled_from(sorted(PATHS)),
    tab_on=st.booleans(),
    trail_on=st.booleans(),
)
def test_findings_equal_the_per_line_reference_for_every_combination_of_rules(
    texts: list[tuple[str, str]], path: str, tab_on: bool, trail_on: bool
) -> None:
    applies_tab, applies_trail = PATHS[path]
    tab, trail = tab_on and applies_tab, trail_on and applies_trail
    content = "".join(t + e for t, e in texts)
    lines = list(text_lines(content))  # as a file holds them: a CR before \n is a CRLF
    expected = reference(lines, tab, trail)

    body = "".join("+" + t + e for t, e in texts).encode("utf-8", "surrogateescape")
    header = f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
    diff = header.encode() + f"@@ -0,0 +1,{len(texts)} @@\n".encode() + body
    chunks = [c for c in split([diff]) if isinstance(c, Chunk)]
    assert len(chunks) == 1
    fast = to_changed_file(chunks[0])
    slow = to_changed_file(dataclasses.replace(chunks[0], plain=False))
    assert fast is not None and slow is not None
    assert fast.added.diff, "the hunks as bytes are the path under test"
    key = (tab_on, trail_on)
    assert found(fast, key) == expected
    assert found(slow, key) == expected
    whole = ChangedFile(
        path, FileStatus.WHOLE, added=Added.whole(content.encode("utf-8", "surrogateescape"))
    )
    assert found(whole, key) == expected


# ------------------------------------------------------------------ whole files as bytes

# What a whole file may hold that a diff's runs never do, besides the above: a last line
# without its line end (a lone CR there trails), bytes that are not UTF-8 (a cut
# U+3000, a lone continuation byte: some end like a Unicode space's last byte),
# Unicode spaces whose last byte is another's, and line separators inside a line.
WHOLE_PIECES = [
    *(bytes([b]) for b in b"a\n\r \t\x0c\x0b\xff\x80"),
    b"\r\n",
    b"\xe3\x80",
    *(ch.encode() for ch in "é\xa0\u3000\u2000\u205f\u2028\u2029\x85\x1c\x1f"),
]


def trails(ch: str) -> bool:
    """The rule's words: whitespace, but not what ends a line (\\n, NEL, U+2028/9) nor
    the ASCII information separators."""
    return ch.isspace() and ch not in "\n\x1c\x1d\x1e\x1f\x85\u2028\u2029"


def walk_every_line(content: bytes, tab: bool, trail: bool) -> list[tuple[int, int, str]]:
    """The slow reference: the file split at each \\n (a CR before it is the CRLF's,
    a last line without one keeps a CR), every line decoded and read by the rules."""
    pieces = content.split(b"\n")
    out = []
    for number, raw in enumerate(pieces, 1):
        if number == len(pieces):
            if not raw:
                break
        elif raw.endswith(b"\r"):
            raw = raw[:-1]
        text = raw.decode("utf-8", "surrogateescape")
        if tab and "\t" in text:
            out.append((number, text.index("\t") + 1, "WS101"))
        if trail and text and trails(text[-1]):
            start = len(text)
            while start and trails(text[start - 1]):
                start -= 1
            out.append((number, start + 1, "WS102"))
    return out


@settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    pieces=st.lists(st.sampled_from(WHOLE_PIECES), max_size=40),
    path=st.sampled_from(sorted(PATHS)),
    tab_on=st.booleans(),
    trail_on=st.booleans(),
)
def test_a_whole_file_read_as_bytes_finds_what_a_walk_over_every_line_finds(
    pieces: list[bytes], path: str, tab_on: bool, trail_on: bool
) -> None:
    applies_tab, applies_trail = PATHS[path]
    content = b"".join(pieces)
    expected = walk_every_line(content, tab_on and applies_tab, trail_on and applies_trail)
    whole = ChangedFile(path, FileStatus.WHOLE, added=Added.whole(content))
    assert found(whole, (tab_on, trail_on)) == expected
    # and the lines a whole file has are the same lines, read either way
    picked = list(whole.lines_where([TAB, TRAILING_AT_EOL]))
    every = {x.number: x for x in whole.lines()}
    assert all(every[x.number] == x for x in picked)
    assert {n for n, _, _ in walk_every_line(content, True, True)} <= {x.number for x in picked}


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        (b"", []),
        (b"a\nb\n", []),
        (b"a\nb", [(2, "b", "")]),  # no line end: always looked at
        (b"a\r\nb\r", [(2, "b\r", "")]),  # a lone CR at the end is not a CRLF
        (b"a \r\nb\r\n", [(1, "a ", "\r\n")]),
        (b"x\n" * 1000 + b"a\tb\n" + b"y\n" * 1000, [(1001, "a\tb", "\n")]),
    ],
)
def test_a_whole_file_makes_only_the_lines_its_screens_pick(
    content: bytes, lines: list[tuple[int, str, str]]
) -> None:
    whole = ChangedFile("a.c", FileStatus.WHOLE, added=Added.whole(content))
    picked = whole.lines_where([TAB, TRAILING_AT_EOL])
    assert [(x.number, x.text, x.eol) for x in picked] == lines


@pytest.mark.parametrize("path", ["Makefile", "etc/iproute2/rt_tables", "rules.mk"])
def test_a_trailing_tab_is_found_where_tabs_are_allowed(path: str) -> None:
    changed = ChangedFile(path, added=added_hunks([(1, b"+all: x\t\n+\tcc x.c\n+100\tfoo\t\n")]))
    assert found(changed, (True, True)) == [(1, 7, "WS102"), (3, 8, "WS102")]


def test_a_trailing_tab_is_found_when_ws101_is_off() -> None:
    changed = ChangedFile("a.c", added=added_hunks([(1, b"+int a;\t\n+\tint b;\n")]))
    assert found(changed, (False, True)) == [(1, 7, "WS102")]


@pytest.mark.parametrize(
    ("data", "starts"),
    [
        (b"+" + b"\t" * 100_000 + b"\n+a\n+\tb\t\n", [0, 100_005]),
        (b"+a\n+b\n", []),
        (b"+\t\n+\t\n+x\t", [0, 3, 6]),
    ],
)
def test_each_line_is_named_once_however_many_matches_it_holds(
    data: bytes, starts: list[int]
) -> None:
    assert list(_matching_line_starts(data, TAB)) == starts


@pytest.mark.parametrize("seed", range(3))
def test_a_one_byte_screen_found_with_find_names_the_lines_re_names(seed: int) -> None:
    """The tab screen is searched with bytes.find; a class of the same byte goes
    through re: the same lines, on random data (a tab first, last, doubled, alone)."""
    r = random.Random(seed)
    for _ in range(500):
        data = bytes(r.choice(b"\t\na+") for _ in range(r.randrange(20)))
        assert list(_matching_line_starts(data, TAB)) == list(
            _matching_line_starts(data, re.compile(b"[\t]"))
        ), data


def test_trailing_screen_names_the_line_its_newline_ends() -> None:
    data = b"+a \n+b\n+c\t\n"
    assert list(_matching_line_starts(data, TRAILING_AT_EOL)) == [0, 7]


# --------------------------------------------------------------------------- doors

ATTACK = {
    "Makefile": "all: x\t\n\tcc -o x x.c\n",
    "etc/iproute2/rt_tables": "100\tfoo\t\n",
}
EXPECTED = ["Makefile:1:7: WS102", "etc/iproute2/rt_tables:1:8: WS102"]


def test_staged_finds_a_trailing_tab_where_tabs_are_allowed(repo: GitRepo) -> None:
    repo.write("README.md", "start\n")
    repo.commit("start")
    for name, text in ATTACK.items():
        repo.write(name, text)
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    for where in EXPECTED:
        assert where in res.out, res.text
    assert "WS101" not in res.out, res.text


def test_staged_finds_a_trailing_tab_under_a_policy_without_ws101(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "rules:\n  WS101: {severity: off}\n")
    repo.commit("start")
    repo.write("a.c", "int a;\t\n\tint b;\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert "a.c:1:7: WS102 trailing whitespace (1 tab)" in res.out, res.text
    assert "WS101" not in res.out, res.text


def test_a_real_push_with_a_trailing_tab_in_a_makefile_is_refused(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    for name, text in ATTACK.items():
        srv.clone.write(name, text)
    srv.clone.commit("Add the build and the tables")
    lines = assert_refused(srv.push("origin", "main"))
    text = "\n".join(lines)
    for where in EXPECTED:
        assert where in text, text
    srv.clone.write("Makefile", "all: x\n\tcc -o x x.c\n")
    srv.clone.write("etc/iproute2/rt_tables", "100\tfoo\n")
    srv.clone.git("commit", "-q", "-a", "--amend", "-m", "Add the build and the tables")
    assert_accepted(srv.push("origin", "main"))


def test_a_real_svn_commit_with_a_trailing_tab_in_a_makefile_is_refused(tmp_path: Path) -> None:
    svn = Svn(tmp_path)
    svn.install()
    for name, text in ATTACK.items():
        svn.write(f"trunk/{name}", text)
    c = svn.block("Add the build and the tables")
    for where in EXPECTED:
        assert f"trunk/{where}" in c.err, c.err
    for name, text in ATTACK.items():
        svn.write(f"trunk/{name}", text.replace("\t\n", "\n"))
    svn.accept("Add the build and the tables")


def test_check_finds_a_trailing_tab_in_whole_files(tmp_path: Path) -> None:
    for name, text in ATTACK.items():
        target = tmp_path / "tree" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    res = run_regime("check", "tree", cwd=tmp_path)
    assert res.code == 1, res.text
    for where in EXPECTED:
        assert where in res.out, res.text  # named from the folder checked


def test_git_diff_check_agrees_on_the_attack(repo: GitRepo) -> None:
    """The reference the issue names: git flags a trailing tab in a Makefile too."""
    repo.write("README.md", "start\n")
    repo.commit("start")
    for name, text in ATTACK.items():
        repo.write(name, text)
    repo.add()
    proc = subprocess.run(
        ["git", "diff", "--cached", "--check"], cwd=repo.path, env=base_env(), capture_output=True
    )
    out = proc.stdout.decode()
    assert "Makefile:1: trailing whitespace." in out
    assert "etc/iproute2/rt_tables:1: trailing whitespace." in out


# A big file whose bad lines are near its end: one tab, and a last line with no line
# end whose trailing CR is lone. Before any number or column is right, bytes that are
# not UTF-8 and a CRLF file's CRs must not shift them; a form feed and a NEL inside a
# line do not end it.
BIG_LINES = 200_000
BIG = (
    b"key = value \xff\x0c\xc2\x85 here\r\n" * BIG_LINES + b"\xe3\x80\x80x =\tbad\r\n" + b"tail \r"
)
BIG_EXPECTED = [
    f"big.conf:{BIG_LINES + 1}:5: WS101 a tab character: indent with spaces",
    f"big.conf:{BIG_LINES + 2}:5: WS102 trailing whitespace (1 space, 1 carriage return): "
    "remove it",
]


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "plain"])
@pytest.mark.parametrize("named", ["file", "folder"])
def test_check_names_the_bad_lines_at_the_end_of_a_big_file(
    tmp_path: Path, in_git: bool, named: str
) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "conf").mkdir()
    (root / "conf/big.conf").write_bytes(BIG)
    (root / "conf/ok.conf").write_bytes(b"fine\n")
    if in_git:
        repo = GitRepo(root)
        repo.commit("base")
    res = run_regime("check", "conf/big.conf" if named == "file" else "conf", cwd=root)
    assert res.code == 1, res.text
    shown = [line for line in res.out.splitlines() if "big.conf:" in line]
    prefix = "conf/" if in_git or named == "file" else ""
    assert shown == [prefix + where for where in BIG_EXPECTED], res.text
