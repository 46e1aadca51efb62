"""The start of a number as C's ``strtol``/``strtoul`` read it, shared by the readers
that must read numbers exactly as the real tools do: xl (config numbers, MACs) and
iproute2 (table ids)."""

from __future__ import annotations

C_SPACE = " \t\n\v\f\r"  # isspace() in the C locale
HEX_DIGITS = "0123456789abcdefABCDEF"
DEC_DIGITS = "0123456789"
DIGITS_OF_BASE = {16: HEX_DIGITS, 8: "01234567", 10: DEC_DIGITS}


def number_start(text: str, i: int = 0) -> tuple[int, bool, int]:
    """Where the digits begin at ``text[i:]``, whether a ``-`` came first, and the base
    ``strtol(..., 0)`` picks: leading white space and one sign are skipped; ``0x`` or
    ``0X`` followed by a hex digit is base 16 (the digits start after it), another
    leading ``0`` base 8, anything else base 10. A base-16 reader (``strtoul(..., 16)``)
    uses the index alone: it skips ``0x`` under the same condition."""
    n = len(text)
    while i < n and text[i] in C_SPACE:
        i += 1
    negative = False
    if i < n and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    if text[i : i + 2] in ("0x", "0X") and i + 2 < n and text[i + 2] in HEX_DIGITS:
        return i + 2, negative, 16
    if text[i : i + 1] == "0":
        return i, negative, 8
    return i, negative, 10
