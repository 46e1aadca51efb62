"""Fix WS101 (tabs) and WS102 (trailing whitespace) on given lines of a file's bytes.

Pure functions: bytes in, bytes out, nothing read or written here (``regime fix``,
regime/hooks/fix.py, reads and writes the index and the work tree). A file is
worked on as bytes: each line is decoded with surrogateescape, so a file that is not
UTF-8 comes back byte for byte except for what is fixed. What counts as trailing
whitespace is exactly what WS102 reports (regime.checks.whitespace.trailing_start);
the CR of a CRLF line end is the line end, never trailing whitespace, and stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from regime.checks.whitespace import trailing_start
from regime.diff.split import split_lines
from regime.diff.textdiff import MATCHER_BUDGET, matcher_cost

__all__ = [
    "DEFAULT_TAB_WIDTH",
    "Fixed",
    "carry_over",
    "fix_line",
    "fix_lines",
    "same_lines",
    "split_lines",
]

#: The tab stop when neither .editorconfig nor the policy gives one (git's tabwidth).
DEFAULT_TAB_WIDTH = 8


@dataclass(frozen=True, slots=True)
class Fixed:
    """One line changed: its number, the rules fixed, and what was done."""

    line: int
    codes: tuple[str, ...]
    what: str


def _body(line: bytes) -> tuple[bytes, bytes]:
    """A line's text and its line end (b"\\r\\n", b"\\n" or b"")."""
    if line.endswith(b"\r\n"):
        return line[:-2], b"\r\n"
    if line.endswith(b"\n"):
        return line[:-1], b"\n"
    return line, b""


def fix_line(
    line: bytes, codes: Iterable[str], tab_width: int = DEFAULT_TAB_WIDTH
) -> tuple[bytes, tuple[str, ...], str]:
    """One line (with its line end) fixed for ``codes``, the rules it was fixed for
    (none: nothing to do) and what was done. Trailing whitespace goes first, so a
    trailing tab is removed, not expanded; tabs are expanded to the next multiple of
    ``tab_width`` columns, counting a character a column."""
    wanted = set(codes)
    raw, eol = _body(line)
    text = raw.decode("utf-8", "surrogateescape")
    done, did = [], []
    if "WS102" in wanted:
        start = trailing_start(text)
        if start < len(text):
            n = len(text) - start
            text = text[:start]
            done.append(f"removed {n} trailing whitespace character{'s' if n > 1 else ''}")
            did.append("WS102")
    if "WS101" in wanted and "\t" in text:
        n = text.count("\t")
        text = text.expandtabs(tab_width)
        done.append(f"expanded {n} tab{'s' if n > 1 else ''} (tab width {tab_width})")
        did.append("WS101")
    if not done:
        return line, (), ""
    return text.encode("utf-8", "surrogateescape") + eol, tuple(sorted(did)), ", ".join(done)


def fix_lines(
    data: bytes,
    lines: Mapping[int, Iterable[str]],
    tab_width: int = DEFAULT_TAB_WIDTH,
) -> tuple[bytes, list[Fixed]]:
    """``data`` with the given lines (1-based number -> the rules to fix there)
    fixed. Lines not named are returned untouched, byte for byte."""
    split = split_lines(data)
    fixed: list[Fixed] = []
    todo = {n: tuple(c) for n, c in lines.items()}
    for index, line in enumerate(split):
        number = index + 1
        codes = todo.get(number)
        if not codes:
            continue
        new, done, what = fix_line(line, codes, tab_width)
        if done:
            split[index] = new
            fixed.append(Fixed(number, done, what))
    return b"".join(split), fixed


def same_lines(old: Sequence[bytes], new: Sequence[bytes]) -> dict[int, int]:
    """Which line of ``new`` is which unchanged line of ``old`` (0-based both), by a
    line diff: a line edited, added or removed in between maps to nothing. Lines are
    compared without their line end (git may check a file out with CRLF ends that
    the index holds as LF). Used to carry a fix of the index over to a work tree file
    with unstaged edits: only the lines that are the same get it."""
    a = [_body(x)[0] for x in old]
    b = [_body(x)[0] for x in new]
    mapping: dict[int, int] = {}
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        mapping[start] = start
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        mapping[len(a) - 1 - end] = len(b) - 1 - end
        end += 1
    mid_a, mid_b = a[start : len(a) - end], b[start : len(b) - end]
    # past the budget (a pusher's file of one repeated line), the common start and end
    # only: a line not matched is never changed
    if mid_a and mid_b and matcher_cost(mid_a, mid_b) <= MATCHER_BUDGET:
        from difflib import SequenceMatcher

        matcher = SequenceMatcher(None, mid_a, mid_b, autojunk=False)
        for i, j, size in matcher.get_matching_blocks():
            for k in range(size):
                mapping[start + i + k] = start + j + k
    return mapping


def carry_over(
    index_before: bytes, work: bytes, fixed: Sequence[Fixed], tab_width: int = DEFAULT_TAB_WIDTH
) -> tuple[bytes, list[Fixed]]:
    """The work tree's copy ``work`` with the fixes made to the index's copy
    (``index_before``, before the fix) made to the same lines, where the work tree
    still holds them unchanged; a line the user has edited since is left as it is."""
    mapping = same_lines(split_lines(index_before), split_lines(work))
    lines = {mapping[f.line - 1] + 1: f.codes for f in fixed if f.line - 1 in mapping}
    return fix_lines(work, lines, tab_width)
