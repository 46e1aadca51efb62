#!/usr/bin/env python3
"""Stress the readers with inputs of extreme size and depth, through ``regime check DIR``.

A benchmark, not a test (pytest does not collect it); ``tests/test_fuzz_readers.py``
has a fast version of each case. Every case is a plain directory holding one hostile
file (and nothing else the checks would read), checked once by a ``regime check .``
child, measured with ``measure.Meter`` (wall time, peak RSS of the child). Each run is
also checked: the exit status, the codes found and where, and that no internal error
or traceback came out. The cases:

- ``vifs-lines N``: one xl guest with N vifs, one per line, every MAC unique (the only
  finding: XEN104, more vifs than 8); ``vifs-xm N`` the same read as xm (Python, ast);
  ``vifs-one-line N`` the N vifs on one line; ``vifs-no-mac N`` one per line without
  ``mac=``, so N XEN109 warnings are reported;
- ``xl-deep`` / ``xm-deep`` / ``xm-brackets``: a value nested 100,000 deep (xl lists,
  Python unary minus, Python lists), each an XEN001 at its line and column;
- ``rt-one-id N``: rt_tables with N names for one id (N-1 RT101);
- ``rt-one-name N``: rt_tables with one name for N ids (N-1 RT102);
- ``script-uses N``: a script with N ``ip route ... table`` lines naming tables no
  rt_tables of 2,000 tables defines (N RT105, each with a "Did you mean");
- ``policy-flow``: a .regime.yaml of just under 64 KiB, one flow list (PyYAML's
  slowest), and ``policy-deep`` lists nested 20,000 deep (refused at level 32, exit 2).

Sizes scale with ``--scale`` (1.0: a million vifs, 100,000 rt_tables lines and script
lines); ``--cases`` picks some. For the vif cases, ``--scaling`` also runs N/4 and N/2
and prints the cost of doubling (linear is 2x).

Usage::

    .venv/bin/python bench/stress_readers.py                 # everything, full size
    .venv/bin/python bench/stress_readers.py --scale 0.1     # a tenth (a minute)
    .venv/bin/python bench/stress_readers.py --cases vifs-lines --scaling

What ``--scaling`` printed on this 2-core machine (Python 3.11, full size, one run
each; peak RSS by GNU time; the machine is shared, so times vary by a third)::

    case           size       input    wall     peak RSS  exit  findings                    check
    vifs-lines     250,000    10.3 MB  5.65 s   420 MB    1     XEN104 x1                   ok
    vifs-lines     500,000    20.5 MB  10.52 s  823 MB    1     XEN104 x1                   ok
    vifs-lines     1,000,000  41.0 MB  19.02 s  1599 MB   1     XEN104 x1                   ok
    vifs-xm        250,000    10.3 MB  6.40 s   518 MB    1     XEN104 x1                   ok
    vifs-xm        500,000    20.5 MB  10.93 s  1017 MB   1     XEN104 x1                   ok
    vifs-xm        1,000,000  41.0 MB  20.44 s  2015 MB   1     XEN104 x1                   ok
    vifs-one-line  250,000    9.8 MB   3.64 s   419 MB    1     XEN104 x1                   ok
    vifs-one-line  500,000    19.5 MB  7.74 s   821 MB    1     XEN104 x1                   ok
    vifs-one-line  1,000,000  39.0 MB  14.61 s  1596 MB   1     XEN104 x1                   ok
    vifs-no-mac    250,000    4.8 MB   5.82 s   423 MB    1     XEN104 x1, XEN109 x250000   ok
    vifs-no-mac    500,000    9.5 MB   12.57 s  828 MB    1     XEN104 x1, XEN109 x500000   ok
    vifs-no-mac    1,000,000  19.0 MB  25.79 s  1639 MB   1     XEN104 x1, XEN109 x1000000  ok
    xl-deep        100,000    0.2 MB   0.15 s   18 MB     1     XEN001 x1                   ok
    xm-deep        100,000    0.1 MB   0.16 s   20 MB     1     XEN001 x1                   ok
    xm-brackets    100,000    0.2 MB   0.17 s   20 MB     1     XEN001 x1                   ok
    rt-one-id      100,000    1.2 MB   4.37 s   175 MB    1     RT101 x99999                ok
    rt-one-name    100,000    1.1 MB   4.15 s   193 MB    1     RT102 x99999                ok
    script-uses    100,000    5.4 MB   9.45 s   362 MB    1     RT105 x100000               ok
    policy-flow    1          0.1 MB   3.97 s   72 MB     0     -                           ok
    policy-deep    1          0.0 MB   0.44 s   19 MB     2     -                           ok

Everything is linear: twice the vifs cost twice the time and memory, about 19 us and
1.6 KB per vif (40 times the config's size: a Value, a VifSpec with its dict and lists,
and the MAC and address tables of the cross-guest checks). Before the fixes of this
issue, 3,000 findings on one line took 8 minutes (the report walked the line for each),
a guest of 40,000 vifs on one line read as xm took 5.7 s (0.5 s now), 8,000 ip lines in
a script 10 s, one rt_tables id with 8,000 names 48 s and 128 million related places,
and 8,000 undefined tables against 8,000 defined more than 5 minutes. The policy case
is bounded by the 64 KiB limit on a policy file; most of its 4 s is the path filter
compiling 32,000 globs, the rest PyYAML.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from measure import Meter, find_gnu_time, print_table

REGIME = str(Path(sys.executable).parent / "regime")
GUEST = "etc/xen/big.cfg"


def mac(n: int) -> str:
    return f"00:16:3e:{(n >> 16) & 0xFF:02x}:{(n >> 8) & 0xFF:02x}:{n & 0xFF:02x}"


@dataclass(frozen=True)
class Case:
    name: str
    files: Callable[[int], dict[str, str]]  # size -> {path: text}
    size: int  # at scale 1.0
    exit_code: int
    expect: Callable[[int], dict[str, int]]  # size -> {code: count} (at least)
    where: str = ""  # text the first finding line must start with


def vifs(n: int, spec: Callable[[int], str], sep: str) -> str:
    """A guest with n vifs: one per line after `vif = [` (sep "\\n"), or all on one line."""
    lead = sep if sep == "\n" else " "
    return (
        f"name = 'big'\nmemory = 512\nvif = [{lead}" + sep.join(spec(i) for i in range(n)) + " ]\n"
    )


CASES = [
    Case(
        "vifs-lines",
        lambda n: {GUEST: vifs(n, lambda i: f"  'mac={mac(i)},bridge=xenbr0',", "\n")},
        1_000_000,
        1,
        lambda n: {"XEN104": 1},
        f"{GUEST}:12:3: XEN104",
    ),
    Case(
        "vifs-xm",
        lambda n: {
            GUEST: vifs(n, lambda i: f"  'mac={mac(i)},bridge=xenbr0',", "\n"),
            ".regime.yaml": "xen: {grammar: xm}\n",
        },
        1_000_000,
        1,
        lambda n: {"XEN104": 1},
        f"{GUEST}:12:3: XEN104",
    ),
    Case(
        "vifs-one-line",
        lambda n: {GUEST: vifs(n, lambda i: f"'mac={mac(i)},bridge=xenbr0'", ", ")},
        1_000_000,
        1,
        lambda n: {"XEN104": 1},
        f"{GUEST}:3:",
    ),
    Case(
        "vifs-no-mac",
        lambda n: {GUEST: vifs(n, lambda i: f"  'bridge=xenbr{i % 4}',", "\n")},
        1_000_000,
        1,
        lambda n: {"XEN104": 1, "XEN109": n},
        f"{GUEST}:4:3: XEN109",
    ),
    Case(
        "xl-deep",
        lambda n: {GUEST: "name = 'deep'\nvif = " + "[" * n + "]" * n + "\n"},
        100_000,
        1,
        lambda n: {"XEN001": 1},
        f"{GUEST}:2:1007: XEN001",
    ),
    Case(
        "xm-deep",
        lambda n: {
            GUEST: "name = 'deep'\nvif = " + "-" * n + "1\n",
            ".regime.yaml": "xen: {grammar: xm}\n",
        },
        100_000,
        1,
        lambda n: {"XEN001": 1},
        f"{GUEST}:2:1: XEN001",
    ),
    Case(
        "xm-brackets",
        lambda n: {
            GUEST: "name = 'deep'\nvif = " + "[" * n + "]" * n + "\n",
            ".regime.yaml": "xen: {grammar: xm}\n",
        },
        100_000,
        1,
        lambda n: {"XEN001": 1},
        f"{GUEST}:2:207: XEN001",
    ),
    Case(
        "rt-one-id",
        lambda n: {"etc/iproute2/rt_tables": "".join(f"7 name{i}\n" for i in range(n))},
        100_000,
        1,
        lambda n: {"RT101": n - 1},
        "etc/iproute2/rt_tables:2:1: RT101",
    ),
    Case(
        "rt-one-name",
        lambda n: {"etc/iproute2/rt_tables": "".join(f"{1000 + i} same\n" for i in range(n))},
        100_000,
        1,
        lambda n: {"RT102": n - 1},
        "etc/iproute2/rt_tables:2:6: RT102",
    ),
    Case(
        "script-uses",
        lambda n: {
            "etc/iproute2/rt_tables": "".join(f"{1000 + i} uplink{i}\n" for i in range(2000)),
            "etc/network/if-up.d/routes": "".join(
                f"ip route add 10.{i >> 8 & 255}.{i & 255}.0/24 dev eth0 table uplinq{i % 3000}\n"
                for i in range(n)
            ),
        },
        100_000,
        1,
        lambda n: {"RT105": n},
        "etc/network/if-up.d/routes:1:41: RT105",
    ),
    Case(
        "policy-flow",
        lambda n: {".regime.yaml": "exclude: [" + ",".join("a" for _ in range(32_000)) + "]\n"},
        1,
        0,
        lambda n: {},
        "regime: no problems",
    ),
    Case(
        "policy-deep",
        lambda n: {".regime.yaml": "exclude: " + "[" * 20_000 + "]" * 20_000 + "\n"},
        1,
        2,
        lambda n: {},
        "./.regime.yaml:1:41: lists and mappings nested more than 32 deep",
    ),
]
SCALING = ("vifs-lines", "vifs-xm", "vifs-one-line", "vifs-no-mac")


def run_case(case: Case, size: int, meter: Meter, work: Path) -> tuple[str, ...]:
    root = Path(tempfile.mkdtemp(prefix=f"{case.name}-", dir=work))
    total = 0
    for rel, text in case.files(size).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        total += len(text.encode())
    out = root.parent / f"{root.name}.out"
    sample = meter.run([REGIME, "check", "."], root, stdout_path=str(out))
    text = out.read_text("utf-8", "replace")
    codes = Counter(re.findall(r"^\S+:\d+(?::\d+)?: ([A-Z]+\d{3})", text, re.M))
    problems = []
    if sample.exit_code != case.exit_code:
        problems.append(f"exit {sample.exit_code}, expected {case.exit_code}")
    for code, count in case.expect(size).items():
        if codes[code] != count:
            problems.append(f"{codes[code]} {code}, expected {count}")
    first = (text + sample.stderr).lstrip().splitlines()[:1]
    if case.where and not (first and first[0].startswith(case.where)):
        problems.append(f"first line {first[0][:100] if first else ''!r}, expected {case.where!r}")
    if "Traceback" in text + sample.stderr or "internal error" in sample.stderr:
        problems.append("internal error: " + sample.stderr[-300:])
    found = ", ".join(f"{c} x{n}" for c, n in sorted(codes.items())) or "-"
    verdict = "ok" if not problems else "WRONG: " + "; ".join(problems)
    return (
        case.name,
        f"{size:,}",
        f"{total / 1e6:.1f} MB",
        f"{sample.wall_s:.2f} s",
        f"{sample.maxrss_kib / 1000:.0f} MB",
        str(sample.exit_code),
        found,
        verdict,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--cases", nargs="*", default=[c.name for c in CASES])
    parser.add_argument("--scaling", action="store_true", help="vif cases also at N/4, N/2")
    args = parser.parse_args()
    unknown = set(args.cases) - {c.name for c in CASES}
    if unknown:
        parser.error(f"no case {', '.join(sorted(unknown))}")
    meter = Meter(find_gnu_time())
    print(f"peak RSS measured by {meter.method}")
    header = ("case", "size", "input", "wall", "peak RSS", "exit", "findings", "check")
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory(prefix="regime-stress-") as tmp:
        for case in CASES:
            if case.name not in args.cases:
                continue
            full = max(1, int(case.size * args.scale)) if case.size > 1 else 1
            sizes = (
                [full // 4, full // 2, full] if args.scaling and case.name in SCALING else [full]
            )
            for size in sizes:
                row = run_case(case, size, meter, Path(tmp))
                rows.append(row)
                print("  ".join(row), flush=True)
    return print_table(header, rows)


if __name__ == "__main__":
    sys.exit(main())
