"""The lines a change adds to a file, computed from the file's two sides.

Used where the producer printed no diff for a file that is text: git's "Binary files
differ" for a file a committer declared binary (``-diff``, ``binary`` in
.gitattributes or info/attributes), svnlook's "(Binary files differ)" for one whose
svn:mime-type is not text/*. Whether a file is binary is decided by its content (a NUL
in its first 8000 bytes, git's own rule), never by what a committer can set.

The lines common to the start and the end of both sides are set aside first (an edit
is usually local, and that is linear), and difflib's matcher compares what is left;
where many equal lines would make the matcher quadratic, a line counts as added when
the new side holds it more often than the old side (linear, and never less than what
is new to the file).
A merge has one old side a parent: a line counts as added when it is added against
every parent, as in git's combined diff.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from regime.added import AddedLine, text_lines
from regime.diff.split import split_lines
from regime.sources.tree import BINARY_SNIFF

# Past this many line comparisons in the matcher's first pass, the linear count of
# each line's copies stands in for it (a pusher must not buy quadratic time).
MATCHER_BUDGET = 2_000_000


def is_binary(data: bytes) -> bool:
    """git's rule: a NUL byte among the first 8000."""
    return b"\0" in data[:BINARY_SNIFF]


def _added_against(old: list[bytes], new: list[bytes]) -> set[int]:
    """The 0-based indexes of the lines of ``new`` a diff from ``old`` adds."""
    from difflib import SequenceMatcher

    start = 0
    while start < len(old) and start < len(new) and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    middle_old, middle_new = old[start:end_old], new[start:end_new]
    if not middle_old:
        return set(range(start, end_new))
    if matcher_cost(middle_old, middle_new) > MATCHER_BUDGET:
        return {start + i for i in _added_by_count(middle_old, middle_new)}
    added: set[int] = set()
    matcher = SequenceMatcher(None, middle_old, middle_new, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            added.update(range(start + j1, start + j2))
    return added


def matcher_cost(old: Sequence[bytes], new: Sequence[bytes]) -> int:
    """What the matcher's first pass costs: for each old line, the new lines equal to
    it (many equal lines, a file of one repeated line, make the matcher quadratic)."""
    counts = Counter(new)
    return sum(counts[line] for line in old)


def _added_by_count(old: list[bytes], new: list[bytes]) -> list[int]:
    """Linear, for what the matcher would take too long on: a line is added when the
    new side holds it more often than the old side (its last such copies)."""
    left = Counter(old)
    added = []
    for i, line in enumerate(new):
        if left[line] > 0:
            left[line] -= 1
        else:
            added.append(i)
    return added


def added_lines(new: bytes, olds: Sequence[bytes]) -> list[AddedLine]:
    """The lines of ``new`` the change adds: every line when there is no old side,
    else those added against each old side."""
    every = list(text_lines(new.decode("utf-8", "surrogateescape")))
    if not olds:
        return every
    new_lines = split_lines(new)
    wanted: set[int] | None = None
    for old in olds:
        against = _added_against(split_lines(old), new_lines)
        wanted = against if wanted is None else wanted & against
    return [line for i, line in enumerate(every) if wanted and i in wanted]
