#!/usr/bin/env python3
"""Every target of regime's speed in one run, each case beside its floor: one table of
medians (min-max), CPU time, peak RSS, the ratio and the target, met or missed.

This is a benchmark, not a test (pytest does not collect it). Each case is generated in
a temporary directory, checked once untimed (the clean change passes; a bad one is
refused naming the file and the line, or every injected finding is reported and none
else), so a broken regime cannot look fast; then regime and the commands it is held
against run alternately (the order rotated each round) ``--runs`` times each, measured
by ``measure.Meter``: wall time, CPU time (user+sys of the child and what it waited
for, from wait4) and peak RSS (ru_maxrss, by GNU time). The case's directory is removed
before the next one is made.

Cases (``--cases`` picks some; the sizes are the issue's at ``--scale 1``):

- ``staged-interleaved``, ``staged-new-files``, ``staged-one-line``,
  ``staged-appended`` (``shapes.py``) and ``staged-mix`` (``bench_staged.py``'s ~50 MB
  change of 2,000 files): ``regime staged`` against three git commands in the same
  repository: ``git diff --cached`` to /dev/null, plain porcelain (git's default
  context; the floor of the target), ``git diff-index --cached`` with regime's own flags
  (``--unified=3 -M --full-index ...``, exactly as regime runs it), and ``git diff --cached
  --check`` (bench_staged's whitespace rules);
- ``staged-mix-bad``: the mix with 1% of the added lines bad (every finding reported,
  none extra; regime exits 1, git --check 2);
- ``check-small`` (20,000 small files) and ``check-big`` (one ~50 MB file with one tab):
  ``regime check`` in the git work tree against ``git grep -c -P '\\t|[ \\t]$'`` there;
- ``onefile``: a 10-line change of one file staged (``bench_doors.py``), ``regime
  staged`` wall time (at least 20 runs);
- ``guests``: ``regime check DIR`` of 10,000 xl guests (30,000 vifs) and of 20,000
  (``bench_infra.py``), the second as the first's "floor" (the scaling);
- ``push``: 10,000 small commits, ``regime git-pre-receive`` against ``git log -p NEW
  --not --all`` (``bench_doors.py``);
- ``svn``: a live transaction of ~50 MB, ``regime svn-pre-commit`` against
  ``svnlook diff -t`` (``bench_doors.py``).

Usage::

    .venv/bin/python bench/suite.py                         # everything, 5 runs: ~30 min
    .venv/bin/python bench/suite.py --quick                 # smoke: --scale 0.05 --runs 2
    .venv/bin/python bench/suite.py --cases staged-mix check-big --runs 7 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_doors
import bench_infra
import bench_staged
import shapes
from measure import Meter, Stats, alternate, child_env, find_gnu_time

from regime.sources.git import DIFF_FLAGS, git

REGIME = str(Path(sys.executable).parent / "regime")
MB = 1_000_000
NL = b"\n"
GREP = ["git", "grep", "-c", "-P", r"\t|[ \t]$"]


@dataclass(slots=True)
class Side:
    """One command of a case. role: ``regime``; ``floor`` (what the target is held
    against); ``flags`` (git with regime's own flags); ``check`` (git's --check)."""

    label: str
    argv: list[str]
    cwd: Path
    want_exit: int
    role: str
    stats: Stats | None = None


@dataclass(slots=True)
class Bench:
    """A case ready to measure: its commands, its target, what its verification found."""

    name: str
    size: str
    sides: list[Side]
    target: str
    # the verdict from regime's and the floor's figures: (met, how it is judged)
    judge: Callable[[Side, Side | None], bool]
    runs: int
    verified: list[str] = field(default_factory=list)  # what was checked, "FAILED: ..." if not
    key: str = ""  # its name in --cases
    scaling: bool = False  # the "floor" is regime on twice the input: its ratio is floor/regime


def ratio_at_most(limit: float) -> Callable[[Side, Side | None], bool]:
    def judge(ours: Side, floor: Side | None) -> bool:
        assert ours.stats and floor and floor.stats
        return ours.stats.median_s <= limit * floor.stats.median_s

    return judge


def run_text(argv: list[str], cwd: Path) -> tuple[int, str]:
    proc = subprocess.run(argv, cwd=cwd, env=child_env(), capture_output=True, check=False)
    return proc.returncode, (proc.stdout + proc.stderr).decode("utf-8", "surrogateescape")


def regime_json(argv: list[str], cwd: Path) -> tuple[int, list[tuple[str, int, str]]]:
    """regime's exit and its findings as (path, line, code), from ``--format json``."""
    proc = subprocess.run(
        [*argv, "--format", "json"], cwd=cwd, env=child_env(), capture_output=True, check=False
    )
    try:
        doc = json.loads(proc.stdout)
    except ValueError:
        return proc.returncode, [("(no json)", 0, proc.stderr.decode(errors="replace")[:300])]
    return proc.returncode, [(f["path"], f["line"], f["code"]) for f in doc["findings"]]


def verify(bench: Bench, ok: bool, what: str) -> None:
    bench.verified.append(what if ok else f"FAILED: {what}")


def probe(bench: Bench, repo: Path, argv: list[str], rel: str) -> None:
    """A line with a trailing space appended to rel (staged) is refused at its line;
    then the file is put back."""
    path = repo / rel
    data = path.read_bytes()
    bad = data + (b"" if data.endswith(b"\n") or not data else b"\n") + b"probe 1 \n"
    path.write_bytes(bad)
    bench_staged.git_run(["add", "--", rel], repo)
    code, text = run_text(argv, repo)
    where = f"{rel}:{bad.count(NL)}:"
    verify(bench, code == 1 and where in text, f"a trailing space refused at {where} (exit {code})")
    path.write_bytes(data)
    bench_staged.git_run(["add", "--", rel], repo)


def verify_clean(bench: Bench, argv: list[str], cwd: Path) -> None:
    code, found = regime_json(argv, cwd)
    verify(bench, code == 0 and not found, f"clean passes (exit {code}, {len(found)} findings)")


def diff_size(repo: Path) -> str:
    """The sizes of the staged diff: porcelain, and regime's own stream with its hunks."""
    porcelain = bench_staged.stream_size(["git", "diff", "--cached"], repo)
    argv = git("diff-index", "--cached", *DIFF_FLAGS, "HEAD")
    with subprocess.Popen(argv, cwd=repo, env=child_env(), stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        size = hunks = 0
        tail = b""
        for chunk in iter(lambda: proc.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
            size += len(chunk)
            hunks += (tail + chunk).count(b"\n@@ ") - tail.count(b"\n@@ ")
            tail = chunk[-3:]
    files = bench_staged.git_run(["diff", "--cached", "--name-only", "-z"], repo).count("\0")
    ours = f"regime's {size / MB:.1f} MB, {hunks:,} hunks"
    return f"{files:,} files, diff {porcelain / MB:.1f} MB; {ours}"


def staged_sides(repo: Path, bad: bool) -> list[Side]:
    return [
        Side("regime staged", [REGIME, "staged"], repo, int(bad), "regime"),
        Side("git diff --cached", ["git", "diff", "--cached"], repo, 0, "floor"),
        Side(
            "git diff-index, regime's flags",
            git("diff-index", "--cached", *DIFF_FLAGS, "HEAD"),
            repo,
            0,
            "flags",
        ),
        Side("git diff --cached --check", bench_staged.GIT_CHECK_ARGV, repo, 2 * bad, "check"),
    ]


# --------------------------------------------------------------------------------------
# The cases: each makes its data under root, verifies, yields its Bench.
# --------------------------------------------------------------------------------------

Args = argparse.Namespace


def shape_case(shape: str) -> Callable[[Path, Args, Meter], Iterator[Bench]]:
    title, make = shapes.SHAPES[shape]

    @contextmanager
    def case(root: Path, args: Args, meter: Meter) -> Iterator[Bench]:
        make(root, args.scale, args.seed)
        b = Bench(
            title,
            diff_size(root),
            staged_sides(root, False),
            "<= 1.3x",
            ratio_at_most(1.3),
            args.runs,
        )
        verify_clean(b, [REGIME, "staged"], root)
        names = bench_staged.git_run(["diff", "--cached", "--name-only"], root).split()
        probe(b, root, [REGIME, "staged"], names[-1])
        yield b

    return case


@contextmanager
def mix_case(root: Path, args: Args, meter: Meter, bad: bool) -> Iterator[Bench]:
    files = max(10, int(2000 * args.scale))
    _info, injected = bench_staged.generate(root, files, 50 * args.scale, bad * 1.0, args.seed)
    title = "the ~50 MB mix" + (", 1% of added lines bad" if bad else "")
    limit = 1.4 if bad else 1.3
    b = Bench(
        title,
        diff_size(root),
        staged_sides(root, bad),
        f"<= {limit}x",
        ratio_at_most(limit),
        args.runs,
    )
    if bad:
        c = bench_staged.check_correctness(root, injected, meter)
        n = c.expected_tab + c.expected_trailing
        verify(
            b,
            c.regime_exact and c.regime_exit == 1,
            f"{n:,} injected, regime exit {c.regime_exit}, {c.regime_missing} missing, "
            f"{c.regime_extra} extra, other codes {c.regime_other or 'none'}",
        )
    else:
        verify_clean(b, [REGIME, "staged"], root)
        names = bench_staged.git_run(
            ["diff", "--cached", "--name-only", "--diff-filter=AM", "--", "*.conf"], root
        ).splitlines()
        probe(b, root, [REGIME, "staged"], next(n for n in names if n.isascii() and " " not in n))
    yield b


@contextmanager
def check_small(root: Path, args: Args, meter: Meter) -> Iterator[Bench]:
    shapes.small_tree(root, args.scale, args.seed)
    n = len(bench_staged.git_run(["ls-files"], root).splitlines())
    sides = [
        Side("regime check", [REGIME, "check"], root, 0, "regime"),
        Side("git grep -c -P", GREP, root, 1, "floor"),
    ]
    b = Bench(
        f"`regime check`, {n:,} small files",
        f"{n:,} files",
        sides,
        "<= 1.5x",
        ratio_at_most(1.5),
        args.runs,
    )
    verify_clean(b, [REGIME, "check"], root)
    probe(b, root, [REGIME, "check"], bench_staged.git_run(["ls-files"], root).split()[-1])
    yield b


@contextmanager
def check_big(root: Path, args: Args, meter: Meter) -> Iterator[Bench]:
    rel, line = shapes.big_file_tree(root, args.scale, args.seed)
    size = (root / rel).stat().st_size
    sides = [
        Side("regime check", [REGIME, "check"], root, 1, "regime"),
        Side("git grep -c -P", GREP, root, 0, "floor"),
    ]
    b = Bench(
        f"`regime check`, one {size / MB:.0f} MB file with a tab",
        f"{size / MB:.1f} MB",
        sides,
        "<= 1.5x",
        ratio_at_most(1.5),
        args.runs,
    )
    code, found = regime_json([REGIME, "check"], root)
    verify(b, code == 1 and found == [(rel, line, "WS101")], f"the one tab at {rel}:{line}")
    yield b


@contextmanager
def onefile(root: Path, args: Args, meter: Meter) -> Iterator[Bench]:
    repo, target, _lines = bench_doors.onefile_repo(root, args.seed)
    sides = [
        Side("regime staged", [REGIME, "staged"], repo, 0, "regime"),
        Side("git diff --cached", ["git", "diff", "--cached"], repo, 0, "floor"),
        Side("git diff --cached --check", bench_staged.GIT_CHECK_ARGV, repo, 0, "check"),
    ]

    def judge(ours: Side, _floor: Side | None) -> bool:
        return ours.stats is not None and ours.stats.median_s < 0.060

    b = Bench(
        "one-file commit of 10 lines", "10 lines", sides, "< 60 ms wall", judge, max(args.runs, 20)
    )
    verify_clean(b, [REGIME, "staged"], repo)
    probe(b, repo, [REGIME, "staged"], str(target.relative_to(repo)))
    yield b


@contextmanager
def guests(root: Path, args: Args, meter: Meter) -> Iterator[Bench]:
    n = max(100, int(10_000 * args.scale))
    small, large = root / f"tree-{n}", root / f"tree-{2 * n}"
    size = bench_infra.generate(small, n, args.seed)
    bench_infra.generate(large, 2 * n, args.seed)
    sides = [
        Side(f"regime check DIR, {n:,} guests", [REGIME, "check", "."], small, 0, "regime"),
        Side(f"regime check DIR, {2 * n:,} guests", [REGIME, "check", "."], large, 0, "floor"),
    ]

    def judge(ours: Side, twice: Side | None) -> bool:
        assert ours.stats and twice and twice.stats
        return ours.stats.median_s < 0.8 and twice.stats.median_s <= 2.1 * ours.stats.median_s

    b = Bench(
        f"{n:,} guests ({3 * n:,} vifs); the ratio: {2 * n:,} guests to {n:,}",
        f"{size / MB:.1f} MB",
        sides,
        "< 0.8 s; 2x guests <= 2.1x",
        judge,
        args.runs,
        scaling=True,
    )
    verify_clean(b, [REGIME, "check", "."], small)
    repo = root / "repo"
    bench_infra.make_repo(small, repo)
    v = bench_infra.correctness(repo, n)
    shutil.rmtree(repo)
    verify(b, v.clean_exit == 0 and bool(v.dup_finding), f"a MAC reused refused: {v.dup_finding}")
    yield b


@contextmanager
def push(root: Path, args: Args, meter: Meter) -> Iterator[Bench]:
    commits = max(20, int(10_000 * args.scale))
    bare, line, new = bench_doors.make_push(root, commits, False, args.seed)
    (root / "push.in").write_bytes(line)
    hook = ["sh", "-c", f'exec "$0" git-pre-receive < "{root / "push.in"}"', REGIME]
    sides = [
        Side("regime git-pre-receive", hook, bare, 0, "regime"),
        Side(
            "git log -p NEW --not --all",
            ["git", "log", "-p", new, "--not", "--all"],
            bare,
            0,
            "floor",
        ),
    ]
    b = Bench(
        f"push of {commits:,} small commits",
        f"{commits:,} commits",
        sides,
        "<= 1.5x",
        ratio_at_most(1.5),
        args.runs,
    )
    code, _ = run_text(hook, bare)
    verify(b, code == 0, f"clean push passes (exit {code})")
    code, named = bench_doors.push_bad(root, commits, args.seed)
    verify(b, code == 1 and named, f"a trailing space refused naming commit, file, line ({code})")
    yield b


@contextmanager
def svn(root: Path, args: Args, meter: Meter) -> Iterator[Bench]:
    with bench_doors.held_transaction(root, 50 * args.scale, args.seed) as (repo, txn, svnlook):
        regime = [REGIME, "svn-pre-commit", "--svnlook", svnlook, str(repo), txn]
        floor = [svnlook, "diff", "-t", txn, str(repo)]
        size = len(subprocess.run(floor, capture_output=True, check=True, env=child_env()).stdout)
        sides = [
            Side("regime svn-pre-commit", regime, root, 0, "regime"),
            Side("svnlook diff -t", floor, root, 0, "floor"),
        ]
        b = Bench(
            f"svn transaction of {size / MB:.0f} MB",
            f"{size / MB:.1f} MB diff",
            sides,
            "<= 1.3x",
            ratio_at_most(1.3),
            args.runs,
        )
        code, _ = run_text(regime, root)
        verify(b, code == 0, f"the transaction passes (exit {code})")
        yield b
    code, named = bench_doors.svn_bad_commit(root, repo, svnlook)
    verify(b, code == 1 and named, f"a trailing space refused at bad.conf:1 (exit {code})")


CASES: dict[str, Callable[[Path, Args, Meter], Iterator[Bench]]] = {
    "staged-interleaved": shape_case("interleaved"),
    "staged-new-files": shape_case("new-files"),
    "staged-one-line": shape_case("one-line"),
    "staged-appended": shape_case("appended"),
    "staged-mix": lambda root, args, meter: mix_case(root, args, meter, bad=False),
    "staged-mix-bad": lambda root, args, meter: mix_case(root, args, meter, bad=True),
    "check-small": check_small,
    "check-big": check_big,
    "onefile": onefile,
    "guests": guests,
    "push": push,
    "svn": svn,
}


# --------------------------------------------------------------------------------------
# Running and the table.
# --------------------------------------------------------------------------------------


def progress(text: str) -> None:
    print(f"suite: {text}", file=sys.stderr, flush=True)


def measure(bench: Bench, meter: Meter) -> None:
    samples = alternate([(s.argv, s.cwd) for s in bench.sides], bench.runs, meter)
    for side, got in zip(bench.sides, samples, strict=True):
        side.stats = Stats.of(got)
        if side.stats.exit_codes != [side.want_exit]:
            verify(
                bench,
                False,
                f"{side.label} exited {side.stats.exit_codes}, want "
                f"{side.want_exit}: {got[-1].stderr.strip()[:300]!r}",
            )
        progress(
            f"  {side.label}: {side.stats.median_s:.3f} s ({side.stats.min_s:.3f}-"
            f"{side.stats.max_s:.3f}), CPU {side.stats.cpu_s:.3f} s, "
            f"{side.stats.peak_rss_mb:.0f} MB"
        )


def cells(bench: Bench) -> list[str]:
    by = {s.role: s for s in bench.sides}
    ours, floor = by["regime"], by.get("floor")
    assert ours.stats is not None

    def fig(s: Side | None) -> str:
        if s is None or s.stats is None:
            return "-"
        st = s.stats
        return f"{st.median_s:.3f} ({st.min_s:.3f}-{st.max_s:.3f}) cpu {st.cpu_s:.3f}"

    def ratio(s: Side | None) -> str:
        if s is None or s.stats is None:
            return "-"
        a, b = (s.stats, ours.stats) if bench.scaling else (ours.stats, s.stats)
        assert a is not None and b is not None
        cpu = a.cpu_s / b.cpu_s if b.cpu_s else float("nan")
        return f"{a.median_s / b.median_s:.2f}x (cpu {cpu:.2f}x)"

    failed = [v for v in bench.verified if v.startswith("FAILED")]
    met = not failed and bench.judge(ours, floor)
    rss = f"{ours.stats.peak_rss_mb:.0f}"
    if floor is not None and floor.stats is not None:
        rss += f" / {floor.stats.peak_rss_mb:.0f}"
    return [
        bench.key,
        bench.size,
        fig(ours),
        f"{floor.label}: {fig(floor)}" if floor else "-",
        ratio(floor),
        ratio(by.get("flags")),
        ratio(by.get("check")),
        rss,
        bench.target,
        "met" if met else "MISSED",
        "FAILED" if failed else "ok",
    ]


HEADER = [
    "case",
    "size",
    "regime s median (min-max), CPU s",
    "floor s median (min-max), CPU s",
    "ratio to floor",
    "ratio to regime's git flags",
    "ratio to --check",
    "peak RSS MB regime / floor",
    "target",
    "",
    "verified",
]


def parse_args(argv: list[str] | None) -> Args:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument(
        "--cases",
        nargs="+",
        choices=list(CASES),
        default=list(CASES),
        metavar="CASE",
        help=f"cases to run (default all: {' '.join(CASES)})",
    )
    p.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5)")
    p.add_argument("--scale", type=float, default=1.0, help="size of every case (default 1)")
    p.add_argument("--quick", action="store_true", help="a smoke run: --scale 0.05 --runs 2")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--json", type=Path, metavar="FILE", help="save every figure as JSON")
    p.add_argument("--direct-wait4", action="store_true", help="do not use GNU time")
    args = p.parse_args(argv)
    if args.quick:
        args.scale, args.runs = min(args.scale, 0.05), min(args.runs, 2)
    if args.runs < 1 or args.scale <= 0:
        p.error("need --runs >= 1 and --scale > 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.access(REGIME, os.X_OK):
        sys.exit(f"suite: {REGIME} not found: run this with the venv's python")
    meter = Meter(None if args.direct_wait4 else find_gnu_time())
    started = time.time()
    load = os.getloadavg()
    rows: list[list[str]] = []
    done: list[Bench] = []
    with tempfile.TemporaryDirectory(prefix="regime-suite-") as tmp:
        for name in args.cases:
            root = Path(tmp, name)
            root.mkdir()
            progress(f"{name}: generating and verifying ...")
            t0 = time.perf_counter()
            with CASES[name](root, args, meter) as bench:
                bench.key = name
                progress(
                    f"{name}: {bench.size}; ready in {time.perf_counter() - t0:.0f} s; "
                    f"{'; '.join(bench.verified)}"
                )
                measure(bench, meter)
            rows.append(cells(bench))
            done.append(bench)
            shutil.rmtree(root, ignore_errors=True)
    print()
    print(
        f"regime suite: {len(done)} cases, {args.runs} runs a side (onefile >= 20), scale "
        f"{args.scale:g}, {time.time() - started:.0f} s; {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; Python "
        f"{platform.python_version()}; peak RSS by {meter.method}"
    )
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for bench in done:
        print(f"- {bench.key} ({bench.name}): " + "; ".join(bench.verified))
    print()
    print("| case | command | wall s median (min-max) | CPU s | peak RSS MB | exit |")
    print("|---|---|---|---|---|---|")
    for bench in done:
        for side in bench.sides:
            st = side.stats
            assert st is not None
            print(
                f"| {bench.key} | {side.label} | {st.median_s:.3f} ({st.min_s:.3f}-"
                f"{st.max_s:.3f}) | {st.cpu_s:.3f} | {st.peak_rss_mb:.0f} | "
                f"{','.join(map(str, st.exit_codes))} |"
            )
    if args.json is not None:
        doc = {
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "cases": [
                {
                    "case": b.key,
                    "name": b.name,
                    "size": b.size,
                    "target": b.target,
                    "verified": b.verified,
                    "sides": [
                        {
                            "label": s.label,
                            "role": s.role,
                            "argv": s.argv,
                            "stats": asdict(s.stats) if s.stats else None,
                        }
                        for s in b.sides
                    ],
                }
                for b in done
            ],
        }
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 1 if any(r[-1] == "FAILED" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
