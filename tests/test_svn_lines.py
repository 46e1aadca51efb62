"""svn's lines (a lone CR ends one) put back into the file's lines: regime/diff/svn_lines.py
and the svn reading of the splitter, on generated files.

An added file's diff is written here as ``svnlook diff`` writes it (the lines cut at LF,
CRLF and lone CR, each with its ``+``, ``\\ No newline at end of file`` after a last
line without a line end, the empty line after the file; tests/test_svn_tree.py holds
regime's reading of real svnlook output to ``svnlook cat``, and
tests/test_differential_svn.py real commits to the git door). Read through the
splitter in blocks cut anywhere, it must give the file's own lines (as
``text_lines``, what the git door sees) and its exact bytes; and the renumbering from
the file (:func:`exact_added`) must pick the lines that hold the given svn lines.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from regime.changeset import text_lines
from regime.diff.reader import changed_files
from regime.diff.svn_lines import exact_added, svn_split_lines

ATOMS = [b"a", b" ", b"\t", b"\r", b"\n", b"\r\n", b"+", b"@@ -1 +1 @@", b"Index: x", b"\xe9"]
contents = st.lists(st.sampled_from(ATOMS), max_size=12).map(b"".join)


def svnlook_added(name: str, content: bytes, label: str = "(txn 1-1)") -> bytes:
    lines = svn_split_lines(content)
    out = [f"Added: {name}\n".encode(), b"=" * 67 + b"\n"]
    out += [f"--- {name}\t(rev 0)\n".encode(), f"+++ {name}\t2026-01-01 UTC {label}\n".encode()]
    if not lines:
        return b"".join(out)
    out.append(f"@@ -0,0 +1{'' if len(lines) == 1 else ',' + str(len(lines))} @@\n".encode())
    for line in lines:
        out.append(b"+" + line)
    if not lines[-1].endswith((b"\n", b"\r")):
        out.append(b"\n\\ No newline at end of file\n")
    out.append(b"\n")  # svnlook's empty line after the file
    return b"".join(out)


def blocks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


@settings(max_examples=400, deadline=None)
@given(first=contents, second=contents, size=st.sampled_from([1, 2, 3, 7, 64, 4096]))
def test_an_added_file_reads_as_its_own_lines(first: bytes, second: bytes, size: int) -> None:
    diff = svnlook_added("a.c", first) + svnlook_added("b.c", second)
    files = {f.path: f for f in changed_files(blocks(diff, size))}
    for name, content in (("a.c", first), ("b.c", second)):
        if not content:
            continue
        changed = files[name]
        assert changed.problem is None, (changed.problem, diff)
        assert list(changed.lines()) == list(text_lines(content.decode("utf-8", "surrogateescape")))
        assert changed.added_content() == content
        assert changed.numbering is None  # shown whole: the diff's numbers are the file's


@settings(max_examples=400, deadline=None)
@given(content=contents, data=st.data())
def test_exact_added_picks_the_lines_holding_the_svn_lines(
    content: bytes, data: st.DataObject
) -> None:
    pieces = svn_split_lines(content)
    every = list(text_lines(content.decode("utf-8", "surrogateescape")))
    assert exact_added(content, range(1, len(pieces) + 1)) == every
    if not pieces:
        return
    chosen = data.draw(st.sets(st.integers(1, len(pieces)), min_size=1))
    # the file's line of each svn line: one more after each svn line ending in LF
    line_of, number = {}, 1
    for n, piece in enumerate(pieces, 1):
        line_of[n] = number
        number += piece.endswith(b"\n")
    assert exact_added(content, chosen) == [
        x for x in every if x.number in {line_of[n] for n in chosen}
    ]
    assert exact_added(content, [len(pieces) + 1]) is None  # not the file of the diff


def test_a_hunk_header_after_a_line_ending_in_a_lone_cr() -> None:
    """svn writes the next hunk's header (or, ``svn diff``, the next file's) right
    after a line ending in a lone CR: it starts a line of its own."""
    diff = (
        b"Index: a.c\n" + b"=" * 67 + b"\n--- a.c\t(revision 1)\n+++ a.c\t(working copy)\n"
        b"@@ -1,2 +1,2 @@\n x\n-y\r+z\r@@ -9 +9 @@\n-p\n+q \n"
        b"Index: b.c\n" + b"=" * 67 + b"\n--- b.c\t(nonexistent)\n+++ b.c\t(working copy)\n"
        b"@@ -0,0 +1 @@\n+o\rIndex: c.c\n" + b"=" * 67 + b"\n"
        b"--- c.c\t(nonexistent)\n+++ c.c\t(working copy)\n@@ -0,0 +1 @@\n+k\r\n"
    )
    for size in (1, 5, len(diff)):
        files = {f.path: f for f in changed_files(blocks(diff, size))}
        assert sorted(files) == ["a.c", "b.c", "c.c"]
        assert [f.problem for f in files.values()] == [None, None, None]
        assert [(x.number, x.text, x.eol) for x in files["a.c"].lines()] == [
            (2, "z\r", ""),  # the end of what the hunk shows
            (8, "q ", "\n"),  # svn's 9, less the lone CR it shows above
        ]
        assert [(x.text, x.eol) for x in files["b.c"].lines()] == [("o\r", "")]
        # the svn client writes no empty line after a file: this CRLF is one
        assert [(x.text, x.eol) for x in files["c.c"].lines()] == [("k", "\r\n")]
