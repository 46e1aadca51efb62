#!/usr/bin/env python3
"""Every benchmark of regime in one run, and one table of the targets: medians, the
ratio to the floor each is held against, peak RSS, met or missed.

It runs, one after another (each alternates its own two sides ``--runs`` times):

- ``bench_staged.py``: a ~50 MB staged change of 2,000 files, clean and with 1% of the
  added lines bad, ``regime staged`` against ``git diff --cached --check``;
- ``bench_doors.py``: a push of 10,000 small commits (``regime git-pre-receive``
  against ``git log -p NEW --not --all``), a live svn transaction of ~50 MB
  (``regime svn-pre-commit`` against ``svnlook diff -t``), a one-file commit of 10
  lines (``regime staged``, which must take under 100 ms);
- ``bench_infra.py``: 10,000 and 20,000 Xen guests, ``regime check`` on the tree.

Each script also checks correctness (clean passes, bad is refused naming file and
line) and prints its own detailed table; this one gathers the figures. Takes about
10 minutes on 2 cores. Usage::

    .venv/bin/python bench/suite.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def run_script(name: str, args: list[str], out: Path) -> dict[str, Any]:
    print(f"suite: {name} {' '.join(args)}", file=sys.stderr, flush=True)
    proc = subprocess.run(
        [sys.executable, str(HERE / name), *args, "--json", str(out)], check=False
    )
    if proc.returncode != 0:
        print(
            f"suite: {name} exited {proc.returncode} (a correctness check failed?)", file=sys.stderr
        )
    data: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return data


def row(
    case: str, ours: dict[str, Any], floor: dict[str, Any] | None, target: str, met: bool
) -> str:
    floor_s = f"{floor['median_s']:.3f}" if floor else "-"
    ratio = f"{ours['median_s'] / floor['median_s']:.2f}x" if floor else "-"
    floor_rss = f"{floor['peak_rss_mb']:.0f}" if floor else "-"
    return (
        f"| {case} | {ours['median_s']:.3f} | {floor_s} | {ratio} | "
        f"{ours['peak_rss_mb']:.0f} / {floor_rss} | {target} | {'met' if met else 'MISSED'} |"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    runs = ["--runs", str(args.runs)]
    rows = [
        "| case | regime median s | floor median s | ratio | peak RSS MB regime / floor"
        " | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="regime-suite-") as tmp:
        t = Path(tmp)
        for label, extra in (("clean", []), ("1% bad", ["--bad-percent", "1"])):
            data = run_script("bench_staged.py", [*runs, *extra], t / "staged.json")
            ours, floor = data["results"]
            limit = 1.5 if label == "clean" else 2.0
            ratio = ours["median_s"] / floor["median_s"]
            ok = ratio <= limit and (label != "clean" or ours["peak_rss_mb"] <= 64)
            found = data["correctness"]
            ok = ok and found["regime_exact"] and not found["regime_other"]
            rss = ", peak RSS <= 64 MB" if label == "clean" else ", every finding"
            rows.append(row(f"staged ~50 MB, {label}", ours, floor, f"<= {limit}x{rss}", ok))
        data = run_script("bench_doors.py", runs, t / "doors.json")
        figs = data["figures"]
        for case, target, limit in (("push", "<= 2x", 2.0), ("svn", "<= 1.5x", 1.5)):
            ours = next(f for f in figs if f["case"] == case and not f["floor"])
            floor = next(f for f in figs if f["case"] == case and f["floor"])
            label = "push of 10,000 commits" if case == "push" else "svn transaction ~50 MB"
            rows.append(
                row(label, ours, floor, target, ours["median_s"] / floor["median_s"] <= limit)
            )
        ours = next(f for f in figs if f["case"] == "onefile" and not f["floor"])
        floor = next(f for f in figs if f["case"] == "onefile" and f["floor"])
        rows.append(
            row("one-file commit, 10 lines", ours, floor, "< 0.100 s", ours["median_s"] < 0.1)
        )
        data = run_script("bench_infra.py", [*runs, "--guests", "10000", "20000"], t / "infra.json")
        for f10 in (
            f
            for f in data["figures"]
            if f["guests"] == 10000 and f["case"].startswith("regime check")
        ):
            f20 = next(
                f for f in data["figures"] if f["guests"] == 20000 and f["case"] == f10["case"]
            )
            scale = f20["median_s"] / f10["median_s"]
            ok = f10["median_s"] < 2.0 and scale <= 2.2
            rows.append(
                f"| {f10['case']}: 10,000 guests, 20,000 | {f10['median_s']:.3f} | "
                f"{f20['median_s']:.3f} (20,000) | {scale:.2f}x | {f10['peak_rss_mb']:.0f} / "
                f"{f20['peak_rss_mb']:.0f} | < 2 s; 2x guests <= 2.2x | "
                f"{'met' if ok else 'MISSED'} |"
            )
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
