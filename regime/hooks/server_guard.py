"""What the server doors share: the admin's choice for internal errors.

By default an internal error blocks (exit 3, via the CLI). A server policy may say
``on_internal_error: allow``: then the change goes through, and the failure is
logged loudly (stderr, syslog, and the policy's ``log_file`` when set), because
an admin who chose availability still needs to know the gate was open.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Sequence

from regime.policy.model import Policy


def guarded(work: Callable[[], int], server: Policy, door: str) -> int:
    try:
        return work()
    except Exception as exc:
        if server.server.on_internal_error != "allow":
            raise
        from regime import deadline

        deadline.hold_if_expiring()  # the error came from the deadline: it answers
        _log_allowed(exc, server, door)
        return 0


def _log_allowed(exc: Exception, server: Policy, door: str) -> None:
    what = f"{type(exc).__name__}: {exc}"
    text = (
        f"regime: INTERNAL ERROR in the {door} hook: {what}\n"
        "regime: the change was NOT checked and was LET THROUGH, because the server policy "
        f"({server.source}) says on_internal_error: allow\n"
    )
    log_loudly(
        server, text, [f"{door} hook: internal error, change let through: {what}"], "error",
        text + "".join(traceback.format_exception(exc)),
    )  # fmt: skip


def log_loudly(
    server: Policy, said: str, lines: Sequence[str], level: str, filed: str | None = None
) -> None:
    """What a server door let through unchecked, said where the admin and the pusher
    see it: ``said`` on stderr, each of ``lines`` in syslog (at ``level``: "error" or
    "warning"), and ``filed`` (else the lines) after a time stamp in the server
    policy's ``log_file``. Logging never turns into a second failure."""
    sys.stderr.write(said)
    sys.stderr.flush()
    try:
        import syslog

        syslog.openlog("regime", 0, syslog.LOG_USER)
        for line in lines:
            syslog.syslog(syslog.LOG_ERR if level == "error" else syslog.LOG_WARNING, line)
    except Exception:
        pass
    if server.server.log_file:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        text = filed if filed is not None else "".join(f"{line}\n" for line in lines)
        try:
            with open(server.server.log_file, "a", encoding="utf-8") as fh:
                if filed is not None:
                    fh.write(f"{stamp} {text}")
                else:
                    fh.writelines(f"{stamp} {line}\n" for line in lines)
        except OSError as err:
            sys.stderr.write(f"regime: could not write {server.server.log_file}: {err.strerror}\n")
