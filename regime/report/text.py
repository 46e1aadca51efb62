"""The text report: ``PATH:LINE:COL: CODE message``, the line made visible, a summary."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from regime.engine import Outcome
from regime.findings import Finding
from regime.report.visible import printable, shown_path, visible_marked

BLOCKED = {
    "commit": "the commit is blocked",
    "message": "the commit is blocked",
    "change": "the change is blocked",
    "push": "the push is blocked",
    "tree": "the check fails",
}


def _unicode_ok(out: TextIO) -> bool:
    enc = (getattr(out, "encoding", None) or "ascii").lower().replace("-", "")
    return enc in ("utf8", "utf16", "utf32")


def format_finding(f: Finding, unicode_ok: bool = True, colour: bool = False) -> str:
    """One finding; with ``colour``, its path, code, markers and caret in colour
    (regime/report/colour.py), added after everything is made printable."""
    path = shown_path(f.path)
    code = f.code
    if colour:
        from regime.report.colour import paint

        path, code = paint(path, "path"), paint(code, "error" if f.blocking else "warning")
    where = f"{path}:{f.line}:{f.col}" if f.col else f"{path}:{f.line}"
    level = "" if f.blocking else " (warning)"
    text = f"{where}: {code}{level} {printable(f.message)}"
    if f.source is not None:
        shown, caret, spans = visible_marked(f.source, f.col, unicode_ok)
        if not unicode_ok and not shown.isascii():
            # written as ASCII ({U+00F6}: several columns a character): the caret is
            # placed in the line as it will be seen (the markers move: not painted)
            from regime.report.streams import ascii_escaped

            shown, caret = ascii_escaped(shown), len(ascii_escaped(shown[:caret]))
            spans = []
        mark = "^"
        if colour:
            from regime.report.colour import paint, paint_spans

            shown, mark = paint_spans(shown, spans, "marker"), paint(mark, "caret")
        text += f"\n    {shown}"
        if f.col:
            text += "\n    " + " " * caret + mark
    return text


def files_text(outcome: Outcome) -> str:
    """How many files were checked, and how many skipped and why: "12 files", or
    "12 files checked, 3 skipped (not selected by any rule)"."""
    checked = outcome.checked
    text = f"{checked} file{'s' if checked != 1 else ''}"
    skipped = sum(outcome.skipped.values())
    if not skipped:
        return text
    if len(outcome.skipped) == 1:
        why = next(iter(outcome.skipped))
    else:
        most = sorted(outcome.skipped.items(), key=lambda item: (-item[1], item[0]))
        why = ", ".join(f"{n} {reason}" for reason, n in most)
    return f"{text} checked, {skipped} skipped ({why})"


def summary(outcome: Outcome, door: str) -> str:
    errors = outcome.blocking
    warnings = len(outcome.findings) - errors
    files = files_text(outcome)
    scope = "the log message" if door == "message" else files
    if door == "push" and not outcome.commits:
        scope = "this push"
    if outcome.commits:
        scope = f"{files} in {outcome.commits} commit{'s' if outcome.commits != 1 else ''}"
    elif door != "message" and any(f.code.startswith("LOG") for f in outcome.findings):
        scope = f"{files} and the log message"  # svn: the message is not one of the files
    if not outcome.findings:
        if door == "push" and not outcome.commits:
            return "regime: no new commits in this push; nothing to check."
        return f"regime: no problems in {scope}."
    codes = Counter(f.code for f in outcome.findings)
    by_code = ", ".join(f"{code} x{n}" for code, n in sorted(codes.items()))
    counts = f"{errors} error{'s' if errors != 1 else ''}"
    if warnings:
        counts += f", {warnings} warning{'s' if warnings != 1 else ''}"
    verdict = (
        f"{BLOCKED.get(door, 'the change is blocked')}: fix the errors above "
        "(`regime explain CODE` says why and how)."
        if errors
        else "nothing blocks."
    )
    return f"regime: {counts} ({by_code}) in {scope}; {verdict}"


def headline(outcome: Outcome, door: str) -> str:
    """The first line a committer sees on a server: blocked, and why, plainly
    (in the spirit of the classic ``*** Transaction blocked, FILE contains tab character``)."""
    from regime.checks.rules import RULES

    first = next(f for f in outcome.findings if f.blocking)
    more = outcome.blocking - 1
    rest = f" (and {more} more error{'s' if more != 1 else ''}, all listed below)" if more else ""
    where = "" if first.path.startswith("<") else f"{shown_path(first.path)}: "
    return f"*** {door.capitalize()} blocked by regime: {where}{RULES[first.code].summary}{rest}"


def render_text(
    outcome: Outcome,
    out: TextIO,
    *,
    door: str,
    prefix: str = "",
    with_headline: bool = False,
    colour: bool = False,
) -> None:
    unicode_ok = _unicode_ok(out)
    lines: list[str] = []
    if with_headline and outcome.blocking:
        lines.append(headline(outcome, door))
    lines += [f"regime: {printable(note)}" for note in outcome.notes]
    context: str | None = None
    for f in outcome.findings:
        if f.context != context:
            context = f.context
            if context:
                lines += ["", f"*** {printable(context)}"]
        lines.append(format_finding(f, unicode_ok, colour))
    lines.append(summary(outcome, door))
    text = "\n".join(lines)
    if prefix:
        text = "\n".join(prefix + line for line in text.split("\n"))
    out.write(text + "\n")
