"""The findings of the policy's limits: LIM001 (a file over limits.max_file_size, not
read and not checked) and LIM002 (limits.max_seconds reached, the rest not checked).

Both say what was not checked, and why, and what to do; their severity follows
``limits.over_limit`` (block: an error, allow: a warning that does not block), so a
change that was not fully checked is never passed in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regime.findings import Finding
from regime.policy.model import Policy, TypedFile

_BINARY = ((1024**4, "TiB"), (1024**3, "GiB"), (1024**2, "MiB"), (1024, "KiB"))
_DECIMAL = ((1000**4, "TB"), (1000**3, "GB"), (1000**2, "MB"), (1000, "kB"))

# The most names of unchecked files a LIM002 message lists (the count is always there).
NAMES_SHOWN = 10


def size_text(n: int) -> str:
    """A size as a person reads it: exact units when it is a round number of them
    ("64 MiB", "500 kB"), else one decimal with the bytes ("1.2 GB (1,234,567,890
    bytes)")."""
    for unit, name in (*_BINARY, *_DECIMAL):
        if n >= unit and n % unit == 0:
            return f"{n // unit} {name}"
    for unit, name in _DECIMAL:
        if n >= unit:
            return f"{n / unit:.1f} {name} ({n:,} bytes)"
    return f"{n} byte{'s' if n != 1 else ''}"


def would_check(path: str, policy: Policy, typed: TypedFile | None = None) -> bool:
    """Whether any active rule would have looked at this file: its lines (WS101,
    WS102 by their file lists, and by its type with ``typed``) or its content (an
    infrastructure file). A file no rule looks at is not reported when it is too big:
    nothing in it was to be checked."""
    lines, infra = policy.active_rules()
    if any(rule.applies_to(path, typed) for rule in lines):
        return True
    return infra and policy.infra.is_infra(path)


# What LIM001 says was not read, and what was not checked, by where the file was met.
_TOO_BIG = {
    "diff": ("its part of the diff", "none of the lines it adds were checked"),
    "file": ("the file", "none of its lines were checked"),
    "tree": ("the file", "the infrastructure checks went on without it"),
}


def too_big_finding(
    path: str, size: int, limit: int, policy: Policy, where: str, context: str | None = None
) -> Finding:
    """LIM001 for a file not read because it is larger than the limit, met in a diff,
    as a whole file (tree mode) or by the infrastructure checks (``where``)."""
    subject, what = _TOO_BIG[where]
    return Finding(
        path, 0, 0, "LIM001",
        f"not checked: {subject} is {size_text(size)}, over limits.max_file_size "
        f"({size_text(limit)}), so it was not read and {what}: keep files this large out "
        f"of the repository, or raise limits.max_file_size in the policy ({policy.source})",
        policy.limits.severity, None, context,
    )  # fmt: skip


@dataclass(slots=True)
class TimeLimit:
    """What was passed over once limits.max_seconds was reached, and where its LIM002
    finding stands in the outcome (it is rewritten as more is passed over)."""

    seconds: float
    index: int
    files: list[str] = field(default_factory=list)
    file_count: int = 0
    messages: int = 0
    trees: int = 0

    def message(self, source: str) -> str:
        parts = []
        if self.file_count:
            names = ", ".join(self.files)
            more = self.file_count - len(self.files)
            names += f" and {more} more" if more else ""
            s = "s" if self.file_count != 1 else ""
            parts.append(f"{self.file_count} file{s} not checked ({names})")
        if self.messages:
            s = "s" if self.messages != 1 else ""
            parts.append(f"the log message{s} of {self.messages} commit{s} not checked")
        if self.trees:
            parts.append("the infrastructure checks not run")
        left = "; ".join(parts) or "nothing more was left to check"
        return (
            f"the time limit (limits.max_seconds: {self.seconds:g} s) was reached: {left}; "
            f"split the change into smaller ones, or raise limits.max_seconds in the policy "
            f"({source})"
        )
