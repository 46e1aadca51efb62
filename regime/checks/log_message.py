"""LOG1xx: the log message of a commit or a transaction."""

from __future__ import annotations

from collections.abc import Iterator

from regime.findings import Finding
from regime.policy.model import Policy


def says_something(message: str) -> bool:
    """True when the message has a letter or a digit, in any script."""
    return any(ch.isalnum() for ch in message)


def _position(message: str, index: int) -> tuple[int, int]:
    line = message.count("\n", 0, index) + 1
    col = index - (message.rfind("\n", 0, index) + 1) + 1
    return line, col


def _line_at(message: str, line: int) -> str:
    lines = message.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def check_message(
    message: str, policy: Policy, path: str, context: str | None = None
) -> Iterator[Finding]:
    """Findings for one log message (comments already stripped by the door)."""
    empty = policy.rule("LOG101")
    if empty.active and not says_something(message):
        what = "is empty" if not message.strip() else "has no letter or digit"
        yield Finding(
            path, 1, 0, "LOG101",
            f"the log message {what}: say what the change does and why",
            empty.severity, None, context,
        )  # fmt: skip
    required = policy.rule("LOG102")
    for pattern, help_text in required.patterns() if required.active else []:
        if not pattern.search(message):
            hint = help_text or f"add text matching /{pattern.pattern}/"
            yield Finding(
                path, 1, 0, "LOG102",
                f"the log message lacks the required pattern: {hint}",
                required.severity, None, context,
            )  # fmt: skip
    forbidden = policy.rule("LOG103")
    for pattern, help_text in forbidden.patterns() if forbidden.active else []:
        m = pattern.search(message)
        if m is not None:
            line, col = _position(message, m.start())
            hint = help_text or "reword the message"
            yield Finding(
                path, line, col, "LOG103",
                f"the log message contains {m.group(0)!r}, which the policy forbids: {hint}",
                forbidden.severity, _line_at(message, line), context,
            )  # fmt: skip
    subject = policy.rule("LOG104")
    if subject.active and subject.max_length is not None:
        lines = message.split("\n")
        for number, text in enumerate(lines, 1):
            if text.strip():
                if len(text) > subject.max_length:
                    yield Finding(
                        path, number, subject.max_length + 1, "LOG104",
                        f"the subject line is {len(text)} characters long, more than "
                        f"{subject.max_length}: shorten it and put details in the body",
                        subject.severity, text, context,
                    )  # fmt: skip
                break
