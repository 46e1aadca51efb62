"""Make the invisible visible: tabs as arrows, trailing whitespace marked up to <EOL>."""

from __future__ import annotations

import re
from functools import cache

from regime.checks.whitespace import trailing_start

MAX_SHOWN = 160


def _glyphs(unicode_ok: bool) -> tuple[str, str, str]:
    return ("→", "·", "¤") if unicode_ok else (">", ".", "#")


def _char(ch: str, tab: str) -> str:
    if ch == "\t":
        return tab
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x20 or code == 0x7F:
        return "^" + chr(code ^ 0x40)
    if 0x80 <= code < 0xA0 or code in (0x2028, 0x2029, 0xFEFF):
        return f"<U+{code:04X}>"
    return ch


# The characters _char changes (everything else is shown as it is).
# (Compiled when first needed, as _control: a clean run shows no line and no name.)
@cache
def _shown_otherwise() -> re.Pattern[str]:
    return re.compile("[\t\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\udc80-\udcff]")


def _shown(text: str, tab: str) -> str:
    pattern = _shown_otherwise()
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: _char(m.group(), tab), text)


# Where the markers stand in a shown line: (start, end) of each, in order.
Spans = list[tuple[int, int]]


def _shown_spans(text: str, tab: str) -> tuple[str, Spans]:
    """_shown, and where each character it changed stands in the result."""
    pattern = _shown_otherwise()
    if pattern.search(text) is None:
        return text, []
    out: list[str] = []
    spans: Spans = []
    pos = size = 0
    for m in pattern.finditer(text):
        out.append(text[pos : m.start()])
        size += m.start() - pos
        shown = _char(m.group(), tab)
        spans.append((size, size + len(shown)))
        out.append(shown)
        size += len(shown)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), spans


def visible(text: str, col: int, unicode_ok: bool = True) -> tuple[str, int]:
    """The line as shown under a finding, and where the caret goes (0-based): the
    text before its trailing whitespace with tabs, controls and undecodable bytes
    made visible, then one glyph per trailing character up to ``<EOL>``.

    Only about MAX_SHOWN characters around the column are shown, so a long line is
    made visible only there: a finding on a line of 200 MB costs what one on a short
    line does (tests/test_limits.py holds the window equal to the whole line)."""
    line, caret, _ = visible_marked(text, col, unicode_ok)
    return line, caret


def visible_marked(text: str, col: int, unicode_ok: bool = True) -> tuple[str, int, Spans]:
    """visible(), and where its markers stand (a tab's arrow, the glyphs of trailing
    whitespace and ``<EOL>``, a control character's escape), for a report in colour."""
    if len(text) > _WINDOW_FROM:
        return _window(text, col, unicode_ok)
    return _whole(text, col, unicode_ok)


_WINDOW_FROM = 4 * MAX_SHOWN


def _whole(text: str, col: int, unicode_ok: bool = True) -> tuple[str, int, Spans]:
    line, caret, spans = _render(text, 0, len(text), col, unicode_ok)
    if len(line) > MAX_SHOWN:
        return _cut(line, caret, unicode_ok, spans)
    return line, caret, spans


def _window(text: str, col: int, unicode_ok: bool) -> tuple[str, int, Spans]:
    """The same as _whole for a line longer than _WINDOW_FROM, from the MAX_SHOWN + 1
    characters on each side of the column (each shows as one character or more, so
    they hold everything the cut keeps)."""
    at = min(max(col - 1, 0), len(text))
    lo, hi = max(0, at - MAX_SHOWN - 1), min(len(text), at + MAX_SHOWN + 1)
    line, caret, spans = _render(text, lo, hi, col, unicode_ok)
    return _cut(line, caret, unicode_ok, spans)


def _render(text: str, lo: int, hi: int, col: int, unicode_ok: bool) -> tuple[str, int, Spans]:
    """text[lo:hi] made visible, ``<EOL>`` when it reaches the end of a line with
    trailing whitespace, and the caret: the part before the trailing whitespace in
    one substitution at most, then a glyph per trailing character."""
    tab, space, other = _glyphs(unicode_ok)
    end = trailing_start(text)
    cut = min(max(end, lo), hi)
    head, spans = _shown_spans(text[lo:cut], tab)
    tail = "".join(tab if ch == "\t" else space if ch == " " else other for ch in text[cut:hi])
    at = min(max(col - 1, lo), hi)
    caret = len(_shown(text[lo:at], tab)) if at <= cut else len(head) + at - cut
    line = head + tail
    if hi == len(text) and end < len(text):
        line += "<EOL>"
    if len(line) > len(head):
        spans.append((len(head), len(line)))
    return line, caret, spans


def _cut(line: str, caret: int, unicode_ok: bool, spans: Spans) -> tuple[str, int, Spans]:
    """MAX_SHOWN characters of the line around the caret, with dots where cut. (From
    a window, ``start`` is never 0 when the window does not start the line: more than
    MAX_SHOWN // 2 characters stand before the caret.)"""
    start = max(0, min(caret - MAX_SHOWN // 2, len(line) - MAX_SHOWN))
    dots = "…" if unicode_ok else "..."
    line = (dots if start else "") + line[start : start + MAX_SHOWN] + dots
    shift = (len(dots) if start else 0) - start
    kept = [
        (max(a, start) + shift, min(b, start + MAX_SHOWN) + shift)
        for a, b in spans
        if b > start and a < start + MAX_SHOWN
    ]
    return line, caret + shift, kept


# What must never reach a terminal raw: C0 controls (a newline would split a finding
# in two, an escape sequence could rewrite the screen), DEL, C1 controls, the Unicode
# line and paragraph separators, and undecodable bytes.
@cache
def _control() -> re.Pattern[str]:
    return re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]")


_C_ESCAPES = {
    "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", '"': '\\"', "\\": "\\\\",
}  # fmt: skip


def shown_path(path: str) -> str:
    """A path as the text report shows it: as it is, unless it holds a control
    character (a newline, a tab, an escape), an undecodable byte, or starts with a
    double quote; then in double quotes with C escapes, the way git quotes names
    (``"new\\nline.c"``, ``"caf\\351.c"``), so a finding is always one line, a
    terminal shows what is really there, and a quoted name cannot be forged."""
    if not path.startswith('"') and _control().search(path) is None:
        return path
    out: list[str] = []
    for ch in path:
        if ch in _C_ESCAPES:
            out.append(_C_ESCAPES[ch])
        elif 0xDC80 <= ord(ch) <= 0xDCFF:
            out.append(f"\\{ord(ch) - 0xDC00:03o}")
        elif _control().match(ch):
            out.append("".join(f"\\{byte:03o}" for byte in ch.encode("utf-8")))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def printable(text: str) -> str:
    """A message, note or commit subject with its control characters made visible
    (``^[`` for an escape, ``<U+2028>``), so it stays on its line and cannot
    drive the terminal."""
    if _control().search(text) is None:
        return text
    return _control().sub(lambda m: _char(m.group(), "^I"), text)
