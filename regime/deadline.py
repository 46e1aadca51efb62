"""limits.max_seconds as a hard deadline, whatever regime is doing.

The engine reads the clock once a file, so a regex on a huge line or a producer
that never ends (git or svnlook stuck) would run on past the limit, and past the
push or commit that started it. This watchdog, a daemon thread, fires at the
deadline however busy the main thread is: it kills the processes regime started
(and theirs), reports what was found so far plus LIM002 through the door's own
renderer, and ends the process with the status the policy's ``over_limit`` gives
(1 block, 0 allow), with ``os._exit`` after flushing: nothing that is stuck can
hold it.

The CLI arms it with the default limit at start; a door re-arms it, counting from
the same start, once it knows its policy (on a server, after the server's and the
repository's policies are read) and hands it the outcome and how to render it. The
door's final report takes the lock, so the two never write at once.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from regime.engine import Outcome
    from regime.policy.model import Policy

#: How long after max_seconds the watchdog fires: the engine's own check (once a
#: file) has that long to finish reading the change and name every file it passed
#: over; only a run that cannot (a stuck producer, one long regex) is cut short.
SLACK = 1.0

#: How long the watchdog waits for a report being written when the deadline comes
#: (a client that stopped reading): then it ends the run without it.
_GRACE = 1.0

lock = threading.Lock()
_expiring = threading.Event()


@dataclass(slots=True)
class _Watch:
    outcome: Outcome | None = None
    policy: Policy | None = None
    fmt: str = "text"
    stream: TextIO | None = None
    door: str = "commit"
    headline: bool = False


_watch = _Watch()
_timer: threading.Timer | None = None
_started = time.monotonic()


def arm(seconds: float, started: float | None = None) -> None:
    """Fire ``seconds`` (and :data:`SLACK`) after ``started`` (the run's start by default)."""
    global _timer, _started
    if started is not None:
        _started = started
    if _timer is not None:
        _timer.cancel()
    _timer = threading.Timer(max(0.0, _started + seconds + SLACK - time.monotonic()), _expire)
    _timer.daemon = True
    _timer.start()


def watch(
    outcome: Outcome,
    policy: Policy,
    fmt: str,
    stream: TextIO,
    door: str,
    *,
    headline: bool = False,
) -> None:
    """The door's outcome and policy are known: the deadline is the policy's,
    counted from the run's start, and it reports through ``stream``."""
    _watch.outcome, _watch.policy = outcome, policy
    _watch.fmt, _watch.stream, _watch.door, _watch.headline = fmt, stream, door, headline
    arm(policy.limits.max_seconds)


def disarm() -> None:
    """The door is about to give its own answer (hold :data:`lock` while it does)."""
    global _timer
    if _timer is not None:
        _timer.cancel()
        _timer = None


def hold_if_expiring() -> None:
    """Called where the main thread would give an answer of its own (an error that
    killing the producers caused): once the deadline fires, its answer is the one."""
    if _expiring.is_set():
        threading.Event().wait()  # for ever: the watchdog ends the process


def _expire() -> None:
    from regime.sources.process import kill_producers

    _expiring.set()
    code = 1
    # a closed pipe, anything: the status still stands (1 when the report fails)
    locked = lock.acquire(timeout=_GRACE)
    kill_producers()
    if locked:
        with contextlib.suppress(BaseException):
            code = _report()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    kill_producers()  # any started meanwhile
    os._exit(code)


def _report() -> int:
    """What was found so far and LIM002, through the door's renderer; the exit status."""
    from regime.engine import Outcome
    from regime.findings import Finding
    from regime.policy.model import Limits

    watched, policy = _watch.outcome, _watch.policy
    limits = policy.limits if policy is not None else Limits()
    source = policy.source if policy is not None else "<built-in defaults>"
    lim002 = Finding(
        "<change>", 0, 0, "LIM002",
        f"the time limit (limits.max_seconds: {limits.max_seconds:g} s) was reached while "
        "regime was still reading or checking the change: the rest of it was not checked "
        "(the programs reading it were stopped); split the change into smaller ones, or "
        f"raise limits.max_seconds in the policy ({source})",
        limits.severity,
    )  # fmt: skip
    found = list(watched.findings) if watched is not None else []
    if not any(f.code == "LIM002" for f in found):  # the engine's names what it passed over
        found.append(lim002)
    outcome = Outcome(
        findings=found,
        files=watched.files if watched is not None else 0,
        commits=watched.commits if watched is not None else 0,
    )
    if _watch.stream is None:
        sys.stderr.write(f"regime: LIM002 {lim002.message}\n")
        return 1 if lim002.blocking else 0
    from regime.report import render

    render(outcome, _watch.fmt, _watch.stream, door=_watch.door, with_headline=_watch.headline)
    return outcome.exit_code
