"""Reporters: an Outcome as text, JSON, GitHub workflow commands, SARIF or a GitLab
Code Quality report."""

from __future__ import annotations

from typing import TextIO

from regime.engine import Outcome

FORMATS = ("text", "json", "github", "sarif", "gitlab")


def render(
    outcome: Outcome,
    fmt: str,
    out: TextIO,
    *,
    door: str,
    prefix: str = "",
    with_headline: bool = False,
    colour: bool = False,
) -> None:
    """``colour``: the text report in colour (never the other formats, which a
    program reads)."""
    if fmt == "json":
        from regime.report.json_format import render_json

        render_json(outcome, out)
    elif fmt == "github":
        from regime.report.github import render_github

        render_github(outcome, out)
    elif fmt == "sarif":
        from regime.report.sarif import render_sarif

        render_sarif(outcome, out)
    elif fmt == "gitlab":
        from regime.report.gitlab import render_gitlab

        render_gitlab(outcome, out)
    else:
        from regime.report.text import render_text

        render_text(
            outcome, out, door=door, prefix=prefix, with_headline=with_headline, colour=colour
        )
