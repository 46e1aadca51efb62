"""A commit message file as git leaves it for the commit-msg hook, cleaned the
way ``git commit`` will clean it: comment lines and everything from the scissors
line on are not part of the message."""

from __future__ import annotations

import re

AUTO_CANDIDATES = "#;@!$%^&|:"
_SCISSORS = re.compile(r"^(.) -+ >8 -+\n?$")


def comment_prefix(raw: str, configured: str | None) -> str:
    """The comment character (or string) git used.

    ``core.commentChar=auto`` makes git pick the first of "#;@!$%^&|:" that no
    line of the message starts with, which a hook cannot redo after the fact; we
    recognise it from git's own lines (the scissors line or the "Please enter the
    commit message" help) and fall back to "#".
    """
    if configured and configured != "auto":
        return configured
    if configured == "auto":
        for line in raw.split("\n"):
            if len(line) > 2 and line[0] in AUTO_CANDIDATES and line[1] == " ":
                rest = line[2:]
                if rest.startswith("Please enter the commit message") or _SCISSORS.match(line):
                    return line[0]
    return "#"


def clean_message(raw: str, prefix: str = "#") -> str:
    """The message without comment lines and without the scissors part.

    Comment lines become empty lines rather than disappearing, so that a line
    number in the result is the line number in the file the user edits.
    """
    kept: list[str] = []
    scissors = f"{prefix} ------------------------ >8 ------------------------"
    for line in raw.split("\n"):
        if line.rstrip("\r") == scissors:
            break
        kept.append("" if line.startswith(prefix) else line)
    return "\n".join(kept)
