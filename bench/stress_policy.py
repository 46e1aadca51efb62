#!/usr/bin/env python3
"""Time the patterns and globs a repository's .regime.yaml may supply, at growing
sizes, to show they match in time linear in the subject (issue 14, item 9).

A benchmark, not a test (pytest does not collect it); ``tests/test_hostile_policy.py``
runs the same cases once, at one size. The cases, each at n and 4n:

- ``pattern``: ``^(a|aa)+$`` (RE2, as the loader compiles it) on n ``a`` and a ``!``:
  Python's engine took 23 s at n = 40 and doubles with each ``a`` more;
- ``glob-stars``: a glob of 30 ``*a`` and a ``*b`` against a name of n ``a``;
- ``glob-globstars``: ``**/a*/**/a*/...`` (15 globstars) and ``/b`` against n/2
  folders named ``a``;
- ``glob-default``: the built-in include list of WS101 against a path of n ``x``.

``check`` is ok when the time at 4n is under 16 times that at n (linear would be 4;
quadratic 16), so a super-linear matcher is caught on a noisy machine too.

Usage::

    .venv/bin/python bench/stress_policy.py [--n 100000]

What it printed on this 2-core machine (Python 3.11, shared and loaded; the ratios
wander between 3.5 and 9 from run to run under load)::

    case            n        time at n  time at 4n  ratio  check
    pattern         100,000  0.2 ms     0.7 ms      4.0    ok
    glob-stars      100,000  0.3 ms     1.2 ms      3.9    ok
    glob-globstars  100,000  0.8 ms     3.4 ms      4.2    ok
    glob-default    100,000  0.8 ms     7.7 ms      9.2    ok

The backtracking translation of the glob-stars glob did not finish against a name of
200 ``a`` (the test's case, killed after minutes).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measure import print_table

from regime.pathmatch import PathFilter
from regime.policy.defaults import DEFAULT_INCLUDE
from regime.policy.pattern import compile_pattern


def best_of(fn: Callable[[], object], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def cases() -> dict[str, Callable[[int], Callable[[], object]]]:
    """Each case: from a size, the call to time (its subject made beforehand)."""
    catastrophic = compile_pattern("^(a|aa)+$")
    stars = PathFilter(["*a" * 30 + "*b"])
    globstars = PathFilter(["**/" + "a*/**/" * 15 + "b"])
    default = PathFilter(DEFAULT_INCLUDE)

    def pattern(k: int) -> Callable[[], object]:
        subject = "a" * k + "!"
        return lambda: catastrophic.search(subject)

    def glob(matcher: PathFilter, subject: str) -> Callable[[], object]:
        return lambda: matcher.matches(subject)

    return {
        "pattern": pattern,
        "glob-stars": lambda k: glob(stars, "a" * k),
        "glob-globstars": lambda k: glob(globstars, "/".join(["a"] * (k // 2))),
        "glob-default": lambda k: glob(default, "x" * k),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    n = parser.parse_args().n
    rows = []
    for name, make in cases().items():
        small, large = best_of(make(n)), best_of(make(4 * n))
        ratio = large / small if small > 0 else 0.0
        rows.append(
            [name, f"{n:,}", f"{small * 1000:.1f} ms", f"{large * 1000:.1f} ms", f"{ratio:.1f}",
             "ok" if ratio < 16 else "SUPER-LINEAR"]
        )  # fmt: skip
    return print_table(["case", "n", "time at n", "time at 4n", "ratio", "check"], rows)


if __name__ == "__main__":
    sys.exit(main())
