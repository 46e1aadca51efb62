#!/usr/bin/env python3
"""Benchmark the infrastructure checks (XEN, RT) on a generated host-configuration tree.

This is a benchmark, not a test (pytest does not collect it). It:

1. generates, for each size N (``--guests``, default 10,000 and 20,000), a git work
   tree holding N xl guest configs under ``etc/xen/<site>/`` (three vifs each: a bridged
   one, a routed one with ``script=vif-route`` and ``ip=``, a second bridge with a
   ``vifname``; every MAC and address unique), ``etc/iproute2/rt_tables`` with 200
   tables and ``rt_tables.d/*.conf`` with 50 more, ``etc/network/interfaces`` and
   ``if-up.d`` scripts whose ``ip route ... table`` / ``ip rule ... lookup`` lines use
   those tables, and a few hundred other config files. Deterministic (seeded).

2. runs, alternately, R times each, for each size:

   - ``regime check DIR`` on a plain directory (CI tree mode: every file is read, the
     whitespace rules see every line, the infra checks see every guest);
   - ``regime check`` in the git work tree (the tracked files, read from the index);
   - ``regime staged`` with one guest config edited and staged (the commit case: the
     infra checks read every config of the index, because a duplicate needs both sides),
     next to ``git diff --cached --check`` for the floor of a commit;
   - ``regime inventory DIR`` (the table of every guest and vif).

   Wall time and peak RSS of each child are taken with ``measure.Meter``.

3. checks correctness once per size: the clean tree passes (exit 0, no finding), and a
   staged guest that reuses another guest's MAC is refused (exit 1) with ``XEN101``
   naming both files.

4. prints, per case, the median/min/max at each size, the peak RSS, and the ratio of
   the largest size to the smallest (the target: under 2 s for 10,000 guests and a
   doubling of guests costing at most 2.2x).

Usage::

    .venv/bin/python bench/bench_infra.py                       # 10,000 and 20,000 guests
    .venv/bin/python bench/bench_infra.py --guests 1000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from measure import Meter, Sample, child_env, find_gnu_time

REGIME = str(Path(sys.executable).parent / "regime")
MB = 1_000_000
SITES = 40
TABLES = 200
TABLES_D = 50
OTHER_FILES = 300


# --------------------------------------------------------------------------------------
# The tree.
# --------------------------------------------------------------------------------------


def mac(n: int) -> str:
    """The n-th MAC in Xen's OUI (unique for n < 2**24)."""
    return f"00:16:3e:{(n >> 16) & 0xFF:02x}:{(n >> 8) & 0xFF:02x}:{n & 0xFF:02x}"


def address(n: int) -> str:
    """The n-th host address in 10.0.0.0/8, skipping .0 and .255 of each /24."""
    block, host = divmod(n, 250)
    return f"10.{(block >> 8) & 0xFF}.{block & 0xFF}.{host + 2}"


def table_name(t: int) -> str:
    return f"uplink{t:03d}"


def guest_config(i: int, r: random.Random) -> str:
    name = f"g{i:05d}"
    base = 3 * i
    memory = r.choice((512, 1024, 2048, 4096))
    return (
        f"# {name}: generated guest {i}\n"
        f'name = "{name}"\n'
        f"memory = {memory}\n"
        f"vcpus = {r.choice((1, 2, 4))}\n"
        'kernel = "/usr/lib/xen/boot/pv-grub-x86_64.gz"\n'
        f"disk = [ 'phy:/dev/vg0/{name}-disk,xvda,w',\n"
        f"         'phy:/dev/vg0/{name}-swap,xvdb,w' ]\n"
        "vif = [\n"
        f"    'mac={mac(base)},bridge=xenbr0,ip={address(base)}',\n"
        f"    'mac={mac(base + 1)},script=vif-route,ip={address(base + 1)}',\n"
        f"    'mac={mac(base + 2)},bridge=xenbr1,vifname={name}-b',\n"
        "]\n"
        'on_crash = "restart"\n'
    )


def rt_tables() -> str:
    lines = [
        "#",
        "# reserved values",
        "#",
        "255\tlocal",
        "254\tmain",
        "253\tdefault",
        "0\tunspec",
        "#",
        "# local",
        "#",
    ]
    lines += [f"{1000 + t}\t{table_name(t)}" for t in range(TABLES)]
    return "\n".join(lines) + "\n"


def rt_tables_d(part: int) -> str:
    first = TABLES + part * 10
    return "".join(f"{1000 + t} {table_name(t)}\n" for t in range(first, first + 10))


def interfaces() -> str:
    out = ["auto lo", "iface lo inet loopback", ""]
    for t in range(0, TABLES + TABLES_D, 5):
        out += [
            f"auto eth{t}",
            f"iface eth{t} inet static",
            f"    address 192.0.{t % 250}.1/24",
            f"    up ip route add default via 192.0.{t % 250}.254 table {table_name(t)}",
            f"    up ip rule add from 192.0.{t % 250}.0/24 lookup {table_name(t)}",
            f"    down ip rule del from 192.0.{t % 250}.0/24 lookup {table_name(t)}",
            "",
        ]
    return "\n".join(out)


def route_script(part: int) -> str:
    out = ["#!/bin/sh", "# policy routing for one uplink group", "set -e"]
    for t in range(part, TABLES + TABLES_D, 7):
        out += [
            f'ip route replace 198.51.{t % 250}.0/24 dev "$IFACE" table {table_name(t)}',
            f"ip rule add fwmark {t} table {table_name(t)} priority {1000 + t}",
        ]
    return "\n".join(out) + "\n"


def other_config(k: int, r: random.Random) -> str:
    words = ("cache", "peer", "relay", "timeout", "pool", "zone", "retries", "listen")
    lines = [f"# service {k}", "[main]"]
    lines += [f"{r.choice(words)}_{j} = {r.randint(1, 9999)}" for j in range(r.randint(10, 60))]
    return "\n".join(lines) + "\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def guest_path(i: int) -> str:
    return f"etc/xen/site{i % SITES:02d}/g{i:05d}.cfg"


def generate(root: Path, guests: int, seed: int) -> int:
    """Write the tree under root; returns its size in bytes."""
    r = random.Random(seed)
    for i in range(guests):
        write(root, guest_path(i), guest_config(i, r))
    write(root, "etc/iproute2/rt_tables", rt_tables())
    for part in range(TABLES_D // 10):
        write(root, f"etc/iproute2/rt_tables.d/uplinks-{part}.conf", rt_tables_d(part))
    write(root, "etc/network/interfaces", interfaces())
    for part in range(7):
        write(root, f"etc/network/if-up.d/routes-{part}.sh", route_script(part))
    for k in range(OTHER_FILES):
        write(root, f"etc/services/svc{k:03d}.conf", other_config(k, r))
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def git(args: Sequence[str], cwd: Path) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=child_env(), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"bench: git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def make_repo(src: Path, dest: Path) -> None:
    """A git work tree holding the tree in one commit."""
    shutil.copytree(src, dest)
    git(["init", "-q", "-b", "main"], dest)
    git(["add", "-A"], dest)
    git(["commit", "-q", "-m", "Host configuration"], dest)


def stage_edit(repo: Path, guests: int, reuse_mac: bool) -> str:
    """Edit one guest's config and stage it; returns the path. With reuse_mac its first
    vif takes the MAC of guest 0's first vif (a duplicate across two files)."""
    i = guests // 2
    rel = guest_path(i)
    text = (repo / rel).read_text(encoding="utf-8")
    text = text.replace("memory = ", "maxmem = 8192\nmemory = ", 1)
    if reuse_mac:
        text = text.replace(mac(3 * i), mac(0), 1)
    (repo / rel).write_text(text, encoding="utf-8")
    git(["add", rel], repo)
    return rel


# --------------------------------------------------------------------------------------
# Running.
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Case:
    name: str
    argv: list[str]
    where: str  # "dir" or "repo"
    want_exit: int


CASES = [
    Case("regime check DIR (plain directory)", [REGIME, "check", "."], "dir", 0),
    Case("regime check (git work tree)", [REGIME, "check"], "repo", 0),
    Case("regime staged (one guest edited)", [REGIME, "staged"], "repo", 0),
    Case(
        "git diff --cached --check (floor)",
        ["git", "diff", "--cached", "--check"],
        "repo",
        0,
    ),
    Case("regime inventory DIR", [REGIME, "inventory", "."], "dir", 0),
]


@dataclass(slots=True)
class Figures:
    case: str
    guests: int
    runs: int
    median_s: float
    min_s: float
    max_s: float
    peak_rss_mb: float
    exit_codes: list[int]


def figures(case: Case, guests: int, samples: Sequence[Sample]) -> Figures:
    walls = [s.wall_s for s in samples]
    codes = sorted({s.exit_code for s in samples})
    if codes != [case.want_exit]:
        tail = samples[-1].stderr[-2000:]
        sys.exit(f"bench: {case.name} at {guests} guests exited {codes}: {tail}")
    return Figures(
        case=case.name,
        guests=guests,
        runs=len(samples),
        median_s=statistics.median(walls),
        min_s=min(walls),
        max_s=max(walls),
        peak_rss_mb=max(s.maxrss_kib for s in samples) * 1024 / MB,
        exit_codes=codes,
    )


@dataclass(slots=True)
class Verdict:
    guests: int
    clean_exit: int
    clean_findings: int
    dup_exit: int
    dup_finding: str


def correctness(repo: Path, guests: int) -> Verdict:
    """The clean tree passes; a staged MAC reuse is refused naming both files."""
    env = child_env()
    clean = subprocess.run(
        [REGIME, "check", "--format", "json"], cwd=repo, env=env, capture_output=True, check=False
    )
    clean_findings = len(json.loads(clean.stdout)["findings"]) if clean.stdout else -1
    rel = stage_edit(repo, guests, reuse_mac=True)
    dup = subprocess.run(
        [REGIME, "staged", "--format", "json"], cwd=repo, env=env, capture_output=True, check=False
    )
    found = [
        f"{f['path']}:{f['line']}: {f['code']} {f['message']}"
        for f in json.loads(dup.stdout)["findings"]
        if f["code"] == "XEN101"
    ]
    git(["checkout", "-q", "HEAD", "--", rel], repo)
    ok = any(rel in f and guest_path(0) in f for f in found)
    return Verdict(guests, clean.returncode, clean_findings, dup.returncode, found[0] if ok else "")


def measure_size(
    base: Path, guests: int, runs: int, meter: Meter, seed: int
) -> tuple[list[Figures], Verdict, int]:
    tree = base / f"tree-{guests}"
    repo = base / f"repo-{guests}"
    progress(f"generating {guests:,} guests")
    size = generate(tree, guests, seed)
    make_repo(tree, repo)
    verdict = correctness(repo, guests)
    stage_edit(repo, guests, reuse_mac=False)
    samples: dict[str, list[Sample]] = {c.name: [] for c in CASES}
    for run in range(runs):
        progress(f"{guests:,} guests: run {run + 1}/{runs}")
        for case in CASES:
            cwd = tree if case.where == "dir" else repo
            samples[case.name].append(meter.run(case.argv, cwd))
    return [figures(c, guests, samples[c.name]) for c in CASES], verdict, size


# --------------------------------------------------------------------------------------
# Report.
# --------------------------------------------------------------------------------------


def print_report(
    all_figures: list[Figures], verdicts: list[Verdict], sizes: dict[int, int], meter: Meter
) -> None:
    sizes_list = sorted(sizes)
    print(
        f"regime infra benchmark · {platform.python_implementation()} {platform.python_version()}"
    )
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, {platform.release()}")
    print(f"peak RSS: {meter.method}")
    for g in sizes_list:
        vifs = 3 * g
        print(f"tree at {g:,} guests: {vifs:,} vifs, {sizes[g] / MB:.1f} MB")
    print()
    print("correctness:")
    for v in verdicts:
        verdict = "ok" if v.clean_exit == 0 and v.clean_findings == 0 and v.dup_finding else "FAIL"
        print(
            f"  {v.guests:,} guests: clean tree exit {v.clean_exit} with {v.clean_findings} "
            f"findings; staged MAC reuse exit {v.dup_exit}: {verdict}"
        )
        if v.dup_finding:
            print(f"    {v.dup_finding}")
    print()
    head = ["case"] + [f"{g:,} guests (median, min-max)" for g in sizes_list] + ["peak RSS"]
    if len(sizes_list) > 1:
        head.append(f"{sizes_list[-1] // sizes_list[0]}x guests costs")
    rows = [head]
    for case in CASES:
        mine = {f.guests: f for f in all_figures if f.case == case.name}
        row = [case.name]
        for g in sizes_list:
            f = mine[g]
            row.append(f"{f.median_s:.2f} s ({f.min_s:.2f}-{f.max_s:.2f})")
        row.append(f"{max(f.peak_rss_mb for f in mine.values()):.0f} MB")
        if len(sizes_list) > 1:
            row.append(f"{mine[sizes_list[-1]].median_s / mine[sizes_list[0]].median_s:.2f}x")
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for k, row in enumerate(rows):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--guests", type=int, nargs="+", default=[10_000, 20_000])
    p.add_argument("--runs", type=int, default=5, help="runs of each case per size (default 5)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="also save every figure to this file")
    p.add_argument("--keep", action="store_true", help="keep the generated trees")
    p.add_argument("--direct-wait4", action="store_true", help="do not use GNU time")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    meter = Meter(None if args.direct_wait4 else find_gnu_time())
    base = Path(tempfile.mkdtemp(prefix="regime-bench-infra-"))
    all_figures: list[Figures] = []
    verdicts: list[Verdict] = []
    sizes: dict[int, int] = {}
    try:
        for guests in sorted(args.guests):
            figs, verdict, size = measure_size(base, guests, args.runs, meter, args.seed)
            all_figures += figs
            verdicts.append(verdict)
            sizes[guests] = size
    finally:
        if args.keep:
            progress(f"trees kept under {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    print_report(all_figures, verdicts, sizes, meter)
    if args.json is not None:
        data = {
            "figures": [asdict(f) for f in all_figures],
            "correctness": [asdict(v) for v in verdicts],
            "tree_bytes": sizes,
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    ok = all(v.clean_exit == 0 and v.clean_findings == 0 and v.dup_finding for v in verdicts)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
