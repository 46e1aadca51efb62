"""A problem found by an infrastructure check, before the policy decides its weight."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """The rule, the place, and the other places involved (path, line)."""

    code: str
    path: str
    line: int
    col: int
    message: str
    related: tuple[tuple[str, int], ...] = ()
    source: str | None = None
