"""Fuzzing the diff reader through its public entry points, ``changed_files`` and ``commits``.

Inputs are random bytes and near-valid diffs: git, svnlook, ``diff -u``, combined
(merge) diffs and ``git diff-tree --stdin`` output with commit records, mutated the
way streams go wrong (cut short, hunk counts that lie or hold thousands of digits,
headers in the wrong place, NUL and CR, bytes that are not UTF-8, very long lines).
The properties: the reader returns normally; every file it could not read carries a
problem that says something and names a line of the stream; added lines are numbered
from 1; and the result does not depend on how the stream was cut into blocks (a pipe
hands them over in pieces of any size). Then ``regime diff -`` on the same input never
exits 3 and never prints a traceback.

Examples are derandomized; ``REGIME_FUZZ_EXAMPLES=N`` runs N per property.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import pytest
from conftest import run_regime
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_readers import EXAMPLES, fuzz, mutated

from regime.changeset import ChangedFile
from regime.diff.reader import changed_files, commits

GIT = (
    b"diff --git a/etc/app.conf b/etc/app.conf\nindex 1111111..2222222 100644\n"
    b"--- a/etc/app.conf\n+++ b/etc/app.conf\n@@ -1,3 +1,4 @@\n ctx\n-old\n+new\t\n"
    b"++plus plus\n ctx2\n@@ -10 +11,2 @@\n-x\n+y \r\n+z\n\\ No newline at end of file\n"
    b"diff --git a/new.sh b/new.sh\nnew file mode 100755\nindex 0000000..3333333\n"
    b"--- /dev/null\n+++ b/new.sh\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+--x\n"
    b"diff --git a/img.png b/img.png\nindex 1..2 100644\nBinary files a/img.png and b/img.png differ\n"
    b'diff --git "a/sp \\303\\244.c" "b/sp \\303\\244.c"\nsimilarity index 90%\n'
    b'rename from "sp \\303\\244.c"\nrename to "sp \\303\\244.c"\n'
    b"diff --git a/gone b/gone\ndeleted file mode 100644\n--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n"
)
SVN = (
    b"Modified: trunk/a.c\n" + b"=" * 67 + b"\n--- trunk/a.c\t(revision 1)\n"
    b"+++ trunk/a.c\t(working copy)\n@@ -1,2 +1,2 @@\n int a;\n-int b;\n+\tint b;\n\n"
    b"Added: trunk/c/x.py\n" + b"=" * 67 + b"\n--- trunk/c/x.py\t(nonexistent)\n"
    b"+++ trunk/c/x.py\t(revision 2)\n@@ -0,0 +1 @@\n+x = 1 \n\n"
    b"Property changes on: trunk/a.c\n" + b"_" * 67 + b"\nAdded: svn:eol-style\n"
    b"## -0,0 +1 ##\n+++native\n"
    b"Copied: trunk/d.c (from rev 1, trunk/a.c)\n" + b"=" * 67 + b"\n"
    b"Deleted: trunk/old.c\n" + b"=" * 67 + b"\n(Binary files differ)\n"
)
PLAIN = (
    b"diff -ruN a/x.conf b/x.conf\n--- a/x.conf\t2024-01-01 00:00:00\n"
    b"+++ b/x.conf\t2024-01-02 00:00:00\n@@ -1 +1,2 @@\n-a\n+b\n+c\t\n"
    b"--- y.conf\n+++ y.conf\n@@ -5,0 +6 @@\n+late\n"
)
COMBINED = (
    b"diff --cc m.c\nindex 1,2..3\n--- a/m.c\n+++ b/m.c\n@@@ -1,2 -1,2 +1,3 @@@\n"
    b"  same\n- one\n +two\n++both\t\n"
)
TREE = (
    b"\x00" + b"a" * 40 + b" " + b"b" * 40 + b"\nsubject line\n\nbody\n\x00\n" + GIT
    + b"\x00" + b"c" * 40 + b"\nsecond\n\x00\n" + PLAIN + COMBINED
)  # fmt: skip
SEEDS = (GIT, SVN, PLAIN, COMBINED, TREE)
INSERTS = (
    b"@@ -1,3 +1,4 @@\n", b"@@ -1 +1 @@\n", b"@@ -0,0 +0,0 @@\n", b"@@ -1,2 +1 @@ fn()\n",
    b"@@ -1," + b"9" * 5000 + b" +1 @@\n", b"@@ -1,99999999999999999999 +1,2 @@\n",
    b"@@@ -1,2 -1,2 +1,3 @@@\n", b"@@@@ -1 -1 -1 +1 @@@@\n", b"## -0,0 +1 ##\n",
    b"--- a/x\n", b"+++ b/x\n", b"--- \n+++ \n", b"diff --git a/x b/x\n", b"diff --git \n",
    b"diff --cc \n", b"Index: x\n" + b"=" * 67 + b"\n", b"Modified: \n" + b"=" * 67 + b"\n",
    b"Property changes on: x\n" + b"_" * 67 + b"\n", b"\\ No newline at end of file\n",
    b"Binary files a/x and b/x differ\n", b"GIT binary patch\nliteral 0\n",
    b"rename from a\nrename to b\n", b"new file mode 100644\n", b"old mode 100644\nnew mode 100755\n",
    b'"\\303\\251\\"', b"\x00", b"\x00deadbeef\n", b"+", b"-", b" ", b"++", b"--",
    b"+" * 20000 + b"\n",
)  # fmt: skip


def diffs() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=600), mutated(SEEDS, INSERTS), mutated(SEEDS, INSERTS))


@st.composite
def cut(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """The stream in blocks of the sizes a pipe might hand over (even one byte)."""
    points = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges) if b > a]


def lines_of(data: bytes) -> list[bytes]:
    parts = data.split(b"\n")
    last = parts.pop()
    return [p + b"\n" for p in parts] + ([last] if last else [])


def seen(files: Iterable[ChangedFile], total_lines: int) -> list[tuple[object, ...]]:
    """Each file as a user would see it, checked on the way."""
    out: list[tuple[object, ...]] = []
    for f in files:
        # a file whose added lines are not read as a real path's is a DIFF001, never a pass
        assert isinstance(f.path, str) and (f.path or f.problem or not list(f.lines())), f
        if f.problem is not None:
            assert f.problem.strip() and "Traceback" not in f.problem, f
            assert 1 <= f.problem_line <= total_lines + 1, (f.problem_line, total_lines, f)
        added = [(a.number, a.text, a.eol) for a in f.lines()]
        for number, _text, eol in added:
            assert number >= 1 and eol in ("\n", "\r\n", ""), (number, eol, f)
        out.append((f.path, f.status, f.binary, f.old_path, f.problem, f.problem_line, added))
    return out


@fuzz()
@given(st.data(), diffs())
def test_changed_files_reads_any_stream_the_same_however_it_is_cut(
    data: st.DataObject, diff: bytes
) -> None:
    total = len(lines_of(diff))
    whole = seen(changed_files([diff]), total)
    assert seen(changed_files(data.draw(cut(diff))), total) == whole
    assert seen(changed_files(lines_of(diff)), total) == whole


@fuzz()
@given(st.data(), diffs())
def test_commits_reads_any_stream_the_same_however_it_is_cut(
    data: st.DataObject, diff: bytes
) -> None:
    total = len(lines_of(diff))

    def read(blocks: Iterable[bytes]) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for record, change in commits(blocks):
            assert isinstance(record.sha, str) and isinstance(record.message, str)
            out.append((record.sha, record.parents, record.message, seen(change.files, total)))
        return out

    whole = read([diff])
    assert read(data.draw(cut(diff))) == whole
    assert read(lines_of(diff)) == whole


@fuzz(max(EXAMPLES // 10, 5))
@given(diffs())
def test_regime_diff_never_fails_internally(
    tmp_path_factory: pytest.TempPathFactory, diff: bytes
) -> None:
    result = run_regime("diff", "-", cwd=tmp_path_factory.mktemp("diff"), stdin=diff)
    assert "Traceback" not in result.text
    assert "internal error" not in result.text, result.text
    assert result.code in (0, 1), result.text
