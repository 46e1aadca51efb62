"""WS101 (tab) and WS102 (trailing whitespace) on the lines a change adds."""

from __future__ import annotations

import re
from collections.abc import Iterator

from regime.changeset import ChangedFile, FileStatus
from regime.findings import Finding
from regime.policy.model import Policy, TypedFile

# Whitespace that may trail a line: what str.isspace() says, less the characters
# that end a line (Unicode line and paragraph separators, NEL) and the ASCII
# information separators that Python counts as space but editors do not show.
_NOT_TRAILING = frozenset("\n\x1c\x1d\x1e\x1f\x85\u2028\u2029")


# Every character str.isspace() accepts (a unit test compares this with all of
# Unicode; computing it here would cost 50 ms at every start).
UNICODE_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

# The screens for the added lines of a diff as raw bytes (each line with its "+"
# and the diff's own line end, which is always there: a chunk whose last line has
# "\ No newline at end of file" is never read as raw runs, see diff/chunks.py), and
# for a whole file's bytes (no "+"; a last line without its end is always looked at):
# a tab anywhere, or a line whose last byte before its \n (or its CRLF) can end a
# trailing-space character in UTF-8 (any other character ending in such a byte
# only costs that line a look by the rules). The search goes from \n to \n and
# looks back, so the spaces inside lines are never tried: near the speed of memchr.
# ChangedFile.lines_where hands the rules the lines it matches, and only those.
# The tab is one of those bytes: this screen must find a trailing tab on its own, for
# a file where WS101 is off (a Makefile, rt_tables) or under a policy without WS101.
# Only the CR is left out (before \n it is the CRLF's, not trailing space; a CR before
# a CRLF is the second branch).
_TRAILING_LAST_BYTES = re.escape(
    bytes(sorted({ch.encode()[-1] for ch in UNICODE_SPACES if ch not in _NOT_TRAILING} - {13}))
)
TRAILING_AT_EOL = re.compile(
    b"\n(?:(?<=[" + _TRAILING_LAST_BYTES + b"]\n)|(?<=[\r" + _TRAILING_LAST_BYTES + b"]\r\n))"
)
TAB = re.compile(b"\t")


def _is_trailing_space(ch: str) -> bool:
    return ch.isspace() and ch not in _NOT_TRAILING


# The characters _is_trailing_space accepts, for one rstrip (a C loop: a line of a
# million spaces is walked once, not a character at a time in Python).
_TRAILING_CHARS = "".join(ch for ch in UNICODE_SPACES if ch not in _NOT_TRAILING)


def trailing_start(text: str) -> int:
    """Index where trailing whitespace starts, or len(text) when there is none."""
    return len(text.rstrip(_TRAILING_CHARS))


def check_file(
    changed: ChangedFile,
    policy: Policy,
    context: str | None = None,
    only: frozenset[str] | None = None,
    *,
    typed: TypedFile | None = None,
) -> Iterator[Finding]:
    """Findings for the added lines of one file; with ``only``, of those rules alone
    (a file shown whole to the rules a rename brings it under: regime/undiffed.py);
    with ``typed``, a rule that names file types applies by the file's type too."""
    tab = policy.rule("WS101")
    trail = policy.rule("WS102")
    path = changed.path
    check_tab = tab.active and tab.applies_to(path, typed) and (only is None or "WS101" in only)
    check_trail = (
        trail.active and trail.applies_to(path, typed) and (only is None or "WS102" in only)
    )
    if not (check_tab or check_trail) or changed.binary:
        return
    # a whole file (tree mode, --all-files) has lines, not added lines
    where = "" if changed.status is FileStatus.WHOLE else " in an added line"
    # the added lines of a diff, or the lines of a whole file: only those the
    # screens pick out (a clean file costs one regex pass a screen, no line)
    screens = ([TAB] if check_tab else []) + ([TRAILING_AT_EOL] if check_trail else [])
    for line in changed.lines_where(screens):
        text = line.text
        if check_tab and "\t" in text:
            count = text.count("\t")
            what = "a tab character" if count == 1 else f"{count} tab characters"
            yield Finding(
                path, line.number, text.index("\t") + 1, "WS101",
                f"{what}{where}: indent with spaces",
                tab.severity, text, context,
            )  # fmt: skip
        if check_trail and text and _is_trailing_space(text[-1]):
            start = trailing_start(text)
            yield Finding(
                path, line.number, start + 1, "WS102",
                f"trailing whitespace ({_describe(text[start:])}): remove it",
                trail.severity, text, context,
            )  # fmt: skip


def _describe(ws: str) -> str:
    """How much of what: "2 spaces, 1 tab", in the order each first appears. ``ws``
    holds only trailing-space characters, so one str.count each (a trailing run of
    20 MB took 3 s counted a character at a time in Python)."""
    names = {" ": "space", "\t": "tab", "\r": "carriage return", "\xa0": "no-break space"}
    present = sorted((at, ch) for ch in _TRAILING_CHARS if (at := ws.find(ch)) >= 0)
    kinds = {names.get(ch, f"U+{ord(ch):04X}"): ws.count(ch) for _, ch in present}
    parts = []
    for name, n in kinds.items():
        parts.append(f"{n} {name}" + ("s" if n > 1 and not name.startswith("U+") else ""))
    return ", ".join(parts)
