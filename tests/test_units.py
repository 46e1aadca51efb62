"""Small pure pieces: name unquoting, path filters, the visible line, trailing space."""

from __future__ import annotations

import pytest

from regime.checks.whitespace import trailing_start
from regime.diff.names import split_git_header, unquote
from regime.diff.reader import changed_files
from regime.pathmatch import PathFilter
from regime.report.visible import visible


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


def test_combined_diff_keeps_only_lines_the_merge_introduced() -> None:
    diff = (
        b"diff --cc m.c\nindex 1,2..3\n--- a/m.c\n+++ b/m.c\n"
        b"@@@ -1,3 -1,2 +1,4 @@@\n  one\n+ from-first\n + from-second\n++evil \n"
        b"- removed-from-first\n"
    )
    files = list(changed_files([*diff.splitlines(keepends=True)]))
    assert [(a.number, a.text) for a in files[0].added] == [(4, "evil ")]
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
    assert [(f.path, [a.text for a in f.added], f.problem) for f in files] == [
        ("trunk/mod.c", [], None),
        ("trunk/b.c", ["b "], None),
    ]
