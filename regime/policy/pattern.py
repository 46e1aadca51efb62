"""The regular expressions a policy supplies (LOG102, LOG103), compiled with RE2.

On a server a repository's ``.regime.yaml`` is hostile input, and Python's
backtracking engine lets a pattern take exponential time: ``^(a|aa)+$`` against
forty ``a`` and a ``!`` held a push for 23 s. RE2 matches in time linear in the
text, whatever the pattern, at the cost of the constructs only a backtracking
engine can offer (look-behind and look-ahead, back-references): such a pattern is
refused with RE2's reason, and patterns are at most :data:`MAX_PATTERN_LENGTH`
characters (GitLab's push rules: RE2, 511). Every policy pattern goes through here,
the server's own too: one engine, one syntax. RE2 is imported only when a policy
has a pattern (it costs ~15 ms at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

#: The longest pattern accepted (GitLab's push rules use the same limit).
MAX_PATTERN_LENGTH = 511


class PatternError(ValueError):
    """A pattern RE2 cannot use; the message says why."""


class Match(Protocol):
    def start(self) -> int: ...

    def group(self, index: int = 0) -> str: ...


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled policy pattern; ``pattern`` is the text as the policy wrote it."""

    pattern: str
    _regex: Any

    def search(self, text: str) -> Match | None:
        match: Match | None = self._regex.search(text)
        return match


def compile_pattern(text: str) -> Pattern:
    """``text`` compiled with RE2, ``^`` and ``$`` at each line (as re.MULTILINE)."""
    if len(text) > MAX_PATTERN_LENGTH:
        raise PatternError(
            f"is {len(text)} characters long, over the limit of {MAX_PATTERN_LENGTH}: "
            "make it shorter"
        )
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would write its reason to the hook's stderr
    try:
        regex = re2.compile("(?m)" + text, options)
    except re2.error as exc:
        why = exc.args[0] if exc.args else str(exc)
        if isinstance(why, bytes):
            why = why.decode("utf-8", "replace")
        why = why.replace("(?m)", "", 1)  # RE2 quotes the pattern: as the policy wrote it
        raise PatternError(f"is not a valid regular expression (RE2 says: {why})") from None
    return Pattern(text, regex)
