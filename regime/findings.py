"""Findings: what a check reports, in the shape linters use (path, line, col, code)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place.

    ``line`` and ``col`` are 1-based; 0 means "the whole file" or "no column".
    ``source`` is the offending line as text, shown under the finding.
    ``context`` names the change the finding belongs to (a commit), if any.
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = Severity.ERROR
    source: str | None = None
    context: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class Problem:
    """What a reader or rule found, before the policy gives it a severity: the rule,
    the place (1-based; line 0 is the whole file), and the other places involved
    as (path, line). ``source`` is the text to show when the file's own line is not
    at hand."""

    code: str
    path: str
    line: int
    col: int
    message: str
    related: tuple[tuple[str, int], ...] = ()
    source: str | None = None
