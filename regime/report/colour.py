"""Colour in the text report: the path, the code and the markers that make the
invisible visible (a tab's arrow, trailing whitespace up to ``<EOL>``).

Whether to colour follows the conventions most tools share: ``--color always`` and
``--color never`` decide; with ``auto`` (the default) ``NO_COLOR`` set to anything but
the empty string turns colour off (no-color.org), else ``FORCE_COLOR`` set to anything
but the empty string turns it on (force-color.org), else the report is in colour only
when it goes to a terminal whose TERM is not ``dumb``. NO_COLOR wins over FORCE_COLOR,
as in Python's own interpreter. A server's hook writes to a pipe (svn and git pass its
output on), so it has no colour unless forced. JSON, SARIF and the GitHub format never
carry colour.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

CHOICES = ("auto", "always", "never")

_RESET = "\x1b[0m"
# SGR parameters: bold for the path, bold red or yellow for the code (error or
# warning), cyan for the markers, bold red for the caret
STYLES = {
    "path": "1",
    "error": "1;31",
    "warning": "1;33",
    "marker": "36",
    "caret": "1;31",
}


def use_colour(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the text report written to ``stream`` is in colour (``choice``: the
    --color option; the option wins over the environment)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed, or not a real stream
        return False


def paint(text: str, style: str) -> str:
    return f"\x1b[{STYLES[style]}m{text}{_RESET}" if text else text


def paint_spans(line: str, spans: list[tuple[int, int]], style: str) -> str:
    """``line`` with each (start, end) span of it painted."""
    out: list[str] = []
    pos = 0
    for start, end in spans:
        if start < pos or end <= start:
            continue
        out.append(line[pos:start])
        out.append(paint(line[start:end], style))
        pos = end
    out.append(line[pos:])
    return "".join(out)
