"""Small pure pieces: name unquoting, path filters, the visible line, trailing space."""

from __future__ import annotations

import random

import pytest

from regime.changeset import Added, ChangedFile, FileStatus, text_lines
from regime.checks.whitespace import TAB, TRAILING_AT_EOL, _is_trailing_space, trailing_start
from regime.diff.names import split_git_header, unquote
from regime.diff.reader import changed_files
from regime.diff.split import Chunk, CommitRecord, split
from regime.pathmatch import PathFilter
from regime.report.visible import visible
from regime.sources.svn_roots import svn_root


@pytest.mark.parametrize(
    ("quoted", "plain"),
    [
        ("plain.c", "plain.c"),
        ('"b/\\303\\251t\\303\\251.c"', "b/été.c"),
        ('"a\\tb\\nc\\"d\\\\e"', 'a\tb\nc"d\\e'),
        ('"b/caf\\351"', "b/caf\udce9"),  # Latin-1 byte in a name survives
    ],
)
def test_unquote(quoted: str, plain: str) -> None:
    assert unquote(quoted) == plain


def test_split_git_header() -> None:
    assert split_git_header("a/x b/y b/x b/y") == ("a/x b/y", "b/x b/y")
    assert split_git_header('"a/q\\"" "b/q\\""') == ('a/q"', 'b/q"')
    assert split_git_header("a/old b/new") is None  # a rename: ambiguous, use rename to


def test_path_filter() -> None:
    f = PathFilter([".c", "Makefile", "etc/**/*.conf"], ["vendor/**", "*.mk"])
    assert f.matches("src/a.c")
    assert not f.matches("src/a.C")
    assert f.matches("x/Makefile")
    assert f.matches("etc/a/b/c.conf") and f.matches("etc/c.conf")
    assert not f.matches("srv/etc/c.conf")
    assert not f.matches("vendor/lib/a.c")


def test_trailing_start() -> None:
    assert trailing_start("abc") == 3
    assert trailing_start("a \t\u00a0") == 1
    assert trailing_start("   ") == 0
    assert trailing_start("a\u2028") == 2  # a line separator is not trailing space
    assert trailing_start("a\x1c") == 2


def test_visible_marks_tabs_trailing_space_and_bad_bytes() -> None:
    assert visible("\tx  ", 1) == ("→x··<EOL>", 0)
    assert visible("caf\udce9 ", 5) == ("caf\\xe9·<EOL>", 7)
    assert visible("\tx", 1, unicode_ok=False) == (">x", 0)
    long_line = "x" * 500 + " "
    shown, caret = visible(long_line, 501)
    assert shown.endswith("·<EOL>…") and shown[caret] == "·"


def _visible_char_by_char(text: str, col: int, unicode_ok: bool) -> tuple[str, int]:
    """The first visible(): every character on its own (the oracle of the one that
    shows runs of ordinary characters as they are)."""
    from regime.report.visible import MAX_SHOWN, _char, _glyphs

    tab, space, other = _glyphs(unicode_ok)
    end = trailing_start(text)
    shown: list[str] = []
    caret = 0
    for i, ch in enumerate(text):
        if i == col - 1:
            caret = sum(len(s) for s in shown)
        if i >= end:
            shown.append(tab if ch == "\t" else space if ch == " " else other)
        else:
            shown.append(_char(ch, tab))
    if col - 1 >= len(text):
        caret = sum(len(s) for s in shown)
    line = "".join(shown) + ("<EOL>" if end < len(text) else "")
    if len(line) > MAX_SHOWN:
        start = max(0, min(caret - MAX_SHOWN // 2, len(line) - MAX_SHOWN))
        dots = "…" if unicode_ok else "..."
        line = (dots if start else "") + line[start : start + MAX_SHOWN] + dots
        caret = caret - start + (len(dots) if start else 0)
    return line, caret


def test_visible_agrees_with_showing_each_character_on_its_own() -> None:
    r = random.Random(7)
    alphabet = "ab \t\x00\x1b\x7f\x85\xa0\u2028\u2029\ufeff\udce9\u3000é\r\x0c"
    for _ in range(20000):
        text = "".join(r.choice(alphabet) for _ in range(r.choice((0, 1, 3, 8, 200))))
        col = r.randrange(0, len(text) + 3)
        unicode_ok = r.random() < 0.5
        assert visible(text, col, unicode_ok) == _visible_char_by_char(text, col, unicode_ok)


def test_combined_diff_keeps_only_lines_the_merge_introduced() -> None:
    diff = (
        b"diff --cc m.c\nindex 1,2..3\n--- a/m.c\n+++ b/m.c\n"
        b"@@@ -1,3 -1,2 +1,4 @@@\n  one\n+ from-first\n + from-second\n++evil \n"
        b"- removed-from-first\n"
    )
    files = list(changed_files([*diff.splitlines(keepends=True)]))
    assert [(a.number, a.text) for a in files[0].lines()] == [(4, "evil ")]
    assert files[0].problem is None


def test_svn_property_block_with_plus_plus_value_is_not_a_file() -> None:
    diff = (
        b"Index: trunk/mod.c\n"
        + b"=" * 67
        + b"\n--- trunk/mod.c\t(rev 1)\n+++ trunk/mod.c\t(txn)\n"
        b"\nProperty changes on: trunk/mod.c\n" + b"_" * 67 + b"\nAdded: custom:notes\n"
        b"## -0,0 +1,2 ##\n+first\n+++ looks like header\n\\ No newline at end of property\n"
        b"Added: trunk/b.c\n" + b"=" * 67 + b"\n--- trunk/b.c\t(rev 0)\n+++ trunk/b.c\t(txn)\n"
        b"@@ -0,0 +1 @@\n+b \n"
    )
    files = list(changed_files(diff.splitlines(keepends=True)))
    assert [(f.path, [a.text for a in f.lines()], f.problem) for f in files] == [
        ("trunk/mod.c", [], None),
        ("trunk/b.c", ["b "], None),
    ]


# The byte screens of a whole file pick every line that holds a finding (each line the
# rules flag, read line by line) and, for a file that is clean, no line at all.
SCREEN_ALPHABET = "a é\t\r\n\x0b\x0c\xa0\u3000\u2028\x85\x1c\x1f\udcff#"


def line_by_line(text: str) -> set[int]:
    return {
        line.number
        for line in text_lines(text)
        if "\t" in line.text or (line.text != "" and _is_trailing_space(line.text[-1]))
    }


def screened(text: str) -> set[int]:
    whole = ChangedFile(
        "a.c", FileStatus.WHOLE, added=Added.whole(text.encode("utf-8", "surrogateescape"))
    )
    return {line.number for line in whole.lines_where([TAB, TRAILING_AT_EOL])}


@pytest.mark.parametrize("seed", range(4))
def test_whole_file_screen_picks_every_line_that_holds_a_finding(seed: int) -> None:
    r = random.Random(seed)
    flagged = 0
    for _ in range(5000):
        text = "".join(r.choice(SCREEN_ALPHABET) for _ in range(r.randrange(12)))
        if r.random() < 0.5:  # mostly clean text around the edges, as in real files
            text = text.replace("\t", "").replace("a", "ab\n")
        expected = line_by_line(text)
        assert expected <= screened(text), repr(text)
        flagged += bool(expected)
    assert 1000 < flagged < 4000


@pytest.mark.parametrize("text", ["a\r\n", "a\r\nb\n", "a\n\n", "a\x1c\r\n", "a\u2028\n", ""])
def test_whole_file_screen_clean_edges(text: str) -> None:
    assert screened(text) == set()
    assert not line_by_line(text)


@pytest.mark.parametrize(
    ("text", "lines"),
    [("a \r\n", {1}), ("a\r\r\n", {1}), ("b\na\r", {2}), ("a\xa0", {1}), ("\t", {1}),
     ("a\x0c\nb\n", {1})],
)  # fmt: skip
def test_whole_file_screen_dirty_edges(text: str, lines: set[int]) -> None:
    assert screened(text) == lines
    assert line_by_line(text) == lines


def test_reading_guests_pauses_the_cycle_collector_and_restores_it() -> None:
    import gc

    from regime.checks.guests import paused_gc, read_guests

    seen: list[bool] = []
    with paused_gc():
        seen.append(gc.isenabled())
    assert seen == [False]
    assert gc.isenabled()
    read_guests({"etc/xen/a.cfg": b"name = 'a'\n", "etc/xen/b.cfg": b"name = \n"}, "xl")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError
    assert gc.isenabled()


def test_a_commit_message_without_a_final_newline_ends_at_its_nul() -> None:
    # `git diff-tree --stdin --format=%x00%H %P%n%B%x00` of a message made by commit-tree
    stream = (
        b"\x001111 0000\nno newline\x00\n\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n"
        b"@@ -1,0 +2 @@\n+b \n\x002222 1111\nnext\n\x00\n\n"
    )
    items = list(split([stream]))
    assert [type(x).__name__ for x in items] == ["CommitRecord", "Chunk", "CommitRecord"]
    first, chunk, second = items
    assert isinstance(first, CommitRecord) and first.message == "no newline"
    assert isinstance(chunk, Chunk) and chunk.pieces[chunk.head :] == [b"@@ -1,0 +2 @@\n", b"+b \n"]
    assert isinstance(second, CommitRecord) and second.sha == "2222"


def test_the_commands_known_before_parsing_are_the_parsers_commands() -> None:
    import argparse

    from regime.cli import COMMANDS, build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(sub.choices) == sorted(COMMANDS)
    for name in COMMANDS:
        only = next(
            a for a in build_parser(name)._actions if isinstance(a, argparse._SubParsersAction)
        )
        assert list(only.choices) == [name]


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("trunk/etc/xen/a.cfg", "trunk"),
        ("trunk/.regime.yaml", "trunk"),
        ("branches/x/etc/a.conf", "branches/x"),
        ("tags/v1.0/a.c", "tags/v1.0"),
        ("proj/trunk/a.c", "proj/trunk"),
        ("proj/branches/b/c/d.c", "proj/branches/b"),
        ("etc/xen/a.cfg", ""),  # no standard layout: the repository is one tree
        (".regime.yaml", ""),
        ("trunk", ""),  # a file named trunk at the top
        ("branches/x", ""),  # a file in branches/, in no branch
        ("etc/trunk/a.c", "etc/trunk"),
    ],
)
def test_svn_roots(path: str, root: str) -> None:
    assert svn_root(path) == root


def test_line_one_is_the_files_first_line_when_the_change_shows_it() -> None:
    from regime.added import Added, AddedLine

    assert Added.hunks(b"@@ -1,2 +1,2 @@\n-old\n+#!/bin/sh\n ctx\n").line_one() == b"#!/bin/sh\n"
    assert Added.hunks(b"@@ -1,2 +1,2 @@\n #!/bin/sh\n-a\n+b\n").line_one() == b"#!/bin/sh\n"
    assert Added.hunks(b"@@ -5 +5 @@\n-a\n+b\n").line_one() is None
    assert Added.hunks(b"@@ -1 +0,0 @@\n-a\n").line_one() is None
    assert Added.whole(b"#!x\r\nrest").line_one() == b"#!x\r\n"
    assert Added.whole(b"only").line_one() == b"only"
    assert Added.of_lines([AddedLine(2, "x")]).line_one() is None
    assert Added.of_lines([AddedLine(1, "#!y", "")]).line_one() == b"#!y"
