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
from collections.abc import Callable

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
    sys.stderr.write(text)
    try:
        import syslog

        syslog.openlog("regime", 0, syslog.LOG_USER)
        syslog.syslog(syslog.LOG_ERR, f"{door} hook: internal error, change let through: {what}")
    except Exception:  # logging must never turn into a second failure
        pass
    if server.server.log_file:
        try:
            with open(server.server.log_file, "a", encoding="utf-8") as fh:
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
                fh.write(f"{stamp} {text}")
                fh.write("".join(traceback.format_exception(exc)))
        except OSError as err:
            sys.stderr.write(f"regime: could not write {server.server.log_file}: {err.strerror}\n")
