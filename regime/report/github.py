"""GitHub Actions workflow commands: one ``::error file=...`` annotation per finding."""

from __future__ import annotations

from typing import TextIO

from regime.engine import Outcome


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(outcome: Outcome, out: TextIO) -> None:
    for f in outcome.findings:
        level = "error" if f.blocking else "warning"
        props = [f"file={_escape_property(f.path)}", f"line={max(f.line, 1)}"]
        if f.col:
            props.append(f"col={f.col}")
        props.append(f"title={_escape_property(f.code)}")
        message = f.message if f.context is None else f"{f.context}: {f.message}"
        out.write(f"::{level} {','.join(props)}::{_escape_data(f.code + ' ' + message)}\n")
    errors = outcome.blocking
    out.write(
        f"regime: {errors} error(s), {len(outcome.findings) - errors} warning(s) "
        f"in {outcome.files} file(s)\n"
    )
