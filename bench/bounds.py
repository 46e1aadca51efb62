#!/usr/bin/env python3
"""What bounds regime where the suite's targets are missed, measured in one run.

The suite (suite.py) says how far regime is from its floor; this says where the
rest of the time goes, each step alone and in-process (CPU time, best of
``--runs``), on the suite's own shapes:

- start-up: the interpreter alone, and the imports a one-file ``regime staged`` makes;
- per file: for 20,000 new small files, git's stream read by the scanner, each chunk
  made a changed file, the whitespace check of each, in microseconds a file;
- per byte: the screens the whitespace rules run over a file's bytes (a tab: memchr;
  a line ending in a byte a space can end in: re), in MB/s, over the 50 MB file of
  ``check-big``.

Usage::

    .venv/bin/python bench/bounds.py            # ~1 min
    .venv/bin/python bench/bounds.py --runs 7
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import shapes
from bench_staged import git_run

from regime.checks import whitespace
from regime.diff.chunks import to_changed_file
from regime.diff.scan import scan
from regime.policy.model import default_policy
from regime.sources.git import DIFF_FLAGS

PYTHON = sys.executable


def best(runs: int, work: Callable[[], object]) -> float:
    """The least CPU time of ``runs`` calls, in seconds."""
    least = float("inf")
    for _ in range(runs):
        start = time.process_time()
        work()
        least = min(least, time.process_time() - start)
    return least


def child_cpu(argv: list[str], runs: int, cwd: Path | None = None) -> float:
    """The least CPU time (user + sys, with its children) of ``runs`` runs of argv."""
    import resource

    least = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, cwd=cwd, check=False, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        least = min(least, used)
    return least


def start_up(runs: int) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        git_run(["-c", "init.defaultBranch=main", "init", "-q", "."], repo)
        git_run(["commit", "-q", "--allow-empty", "--no-verify", "-m", "base"], repo)
        (repo / "a.conf").write_text("x = 1\n")
        git_run(["add", "a.conf"], repo)
        bare = child_cpu([PYTHON, "-c", "pass"], runs)
        imports = child_cpu([PYTHON, "-c", "import regime.cli, regime.hooks.staged"], runs)
        staged = child_cpu([str(Path(PYTHON).parent / "regime"), "staged"], runs, repo)
        git = child_cpu(["git", "diff-index", "--cached", "-p", "HEAD"], runs, repo)
    return [
        ("interpreter alone (python -c pass)", f"{bare * 1000:.1f} ms CPU"),
        ("+ the imports of regime staged", f"{(imports - bare) * 1000:.1f} ms CPU"),
        ("regime staged, a one-line change, whole", f"{staged * 1000:.1f} ms CPU"),
        ("one git diff-index of it", f"{git * 1000:.1f} ms CPU"),
    ]


def per_file(runs: int) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp, "repo")
        shapes.new_files(repo, 1.0, 1234)
        stream = git_run(["diff-index", "--cached", *DIFF_FLAGS, "HEAD", "--"], repo).encode(
            "utf-8", "surrogateescape"
        )
    blocks = [stream[i : i + (1 << 20)] for i in range(0, len(stream), 1 << 20)]
    chunks = list(scan(blocks))
    files = [f for f in (to_changed_file(c) for c in chunks) if f is not None]
    policy = default_policy()
    n = len(files)
    steps = [
        ("scan (git's stream -> chunks)", best(runs, lambda: list(scan(blocks)))),
        ("chunk -> changed file", best(runs, lambda: [to_changed_file(c) for c in chunks])),
        (
            "whitespace check of a file",
            best(runs, lambda: [list(whitespace.check_file(f, policy)) for f in files]),
        ),
    ]
    out = [(f"{label}, {n:,} files", f"{t / n * 1e6:.1f} us a file") for label, t in steps]
    out.append(("the three together", f"{sum(t for _, t in steps) / n * 1e6:.1f} us a file"))
    return out


def per_byte(runs: int) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp, "repo")
        rel, _ = shapes.big_file_tree(repo, 1.0, 1234)
        data = (repo / rel).read_bytes()
    from regime.added import Added

    size = len(data) / 1e6
    whole = Added.whole(data)
    tab = best(runs, lambda: list(whole.where([whitespace.TAB])))
    trail = best(runs, lambda: list(whole.where([whitespace.TRAILING_AT_EOL])))
    count = best(runs, lambda: data.count(b"\n"))
    return [
        (f"the tab screen over {size:.0f} MB", f"{size / tab:.0f} MB/s"),
        (f"the trailing-space screen over {size:.0f} MB", f"{size / trail:.0f} MB/s"),
        ("counting its lines (bytes.count), for scale", f"{size / count:.0f} MB/s"),
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="runs of each step (default 5)")
    args = p.parse_args(argv)
    print(f"| what | measured (best of {args.runs}) |")
    print("|---|---|")
    for part in (start_up, per_file, per_byte):
        for label, figure in part(args.runs):
            print(f"| {label} | {figure} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
