"""regime/diff/textdiff.py: the lines a change adds to a file no diff was printed for
(a text file declared binary), computed from both sides.

What a diff must be, whatever its algorithm: the lines it does not call added are the
old file's lines in order (a common subsequence), and it calls added only lines of the
new file, each as the file holds it. A merge: added against every parent.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from regime.diff.textdiff import added_lines, is_binary

LINES = st.lists(st.sampled_from([b"a\n", b"b\n", b"\tc\n", b"d \r\n", b"\n", b"e"]), max_size=30)


def _is_subsequence(part: list[bytes], whole: list[bytes]) -> bool:
    it = iter(whole)
    return all(any(x == y for y in it) for x in part)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@settings(max_examples=300, deadline=None)
@given(old=LINES, new=LINES)
def test_what_is_not_added_is_kept_from_the_old_side(old: list[bytes], new: list[bytes]) -> None:
    old_b = b"".join(x if x.endswith(b"\n") else x + b"\n" for x in old)
    new_b = b"".join(new)
    added = added_lines(new_b, [old_b])
    numbers = {line.number for line in added}
    new_lines = _lines(new_b)
    assert numbers <= set(range(1, len(new_lines) + 1))
    kept = [x for i, x in enumerate(new_lines, 1) if i not in numbers]
    assert _is_subsequence(kept, _lines(old_b))
    for line in added:  # each added line is the new file's own line
        raw = new_lines[line.number - 1]
        assert raw == (line.text + line.eol).encode("utf-8", "surrogateescape")


def test_sides_alike_add_nothing_and_no_old_side_adds_every_line() -> None:
    data = b"a\n\tb\nc"
    assert added_lines(data, [data]) == []
    assert [x.number for x in added_lines(data, [])] == [1, 2, 3]
    assert [x.text for x in added_lines(b"a\nX\nb\n", [b"a\nb\n"])] == ["X"]


def test_a_merge_counts_what_is_added_against_every_parent() -> None:
    ours, theirs = b"a\nO\nb\nc\n", b"a\nb\nT\nc\n"
    merged = b"a\nO\nb\nT\nc\nevil\n"
    assert [x.text for x in added_lines(merged, [ours, theirs])] == ["evil"]


def test_binary_is_a_nul_in_the_first_8000_bytes() -> None:
    assert is_binary(b"x\x00")
    assert not is_binary(b"x" * 8000 + b"\x00")
    assert not is_binary("\tä".encode())


def test_many_equal_lines_take_the_linear_count() -> None:
    """A file of one repeated line would make the matcher quadratic: the count of each
    line's copies decides, and a tab line new to the file is still found."""
    old = b"x;\n" * 50_000 + b"\told;\n" + b"y;\n" * 50_000
    new = b"x;\n" * 30_000 + b"\tnew;\n" + b"x;\n" * 20_001 + b"y;\n" * 25_000 + b"\told;\n"
    new += b"y;\n" * 25_000
    added = added_lines(new, [old])
    assert "\tnew;" in [x.text for x in added]
    assert "\told;" not in [x.text for x in added]
    assert len(added) == 2  # the tab line and the one extra "x;"
