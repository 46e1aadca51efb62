"""Make the invisible visible: tabs as arrows, trailing whitespace marked up to <EOL>."""

from __future__ import annotations

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


def visible(text: str, col: int, unicode_ok: bool = True) -> tuple[str, int]:
    """The line as shown under a finding, and where the caret goes (0-based)."""
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
    line = "".join(shown)
    if end < len(text):
        line += "<EOL>"
    if len(line) > MAX_SHOWN:
        start = max(0, min(caret - MAX_SHOWN // 2, len(line) - MAX_SHOWN))
        dots = "…" if unicode_ok else "..."
        line = (dots if start else "") + line[start : start + MAX_SHOWN] + dots
        caret = caret - start + (len(dots) if start else 0)
    return line, caret
