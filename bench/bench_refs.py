#!/usr/bin/env python3
"""Benchmark a push of one commit to many new refs, with regime's hook and without.

This is a benchmark, not a test (pytest does not collect it). Issue 14, item 12: one
commit pushed to 1,000 new refs took 30 s with the hook against 0.7 s without, as
the door ran a few git processes per ref, each ``rev-list`` walking every existing
ref. For each case (``--refs``, default 1,000 and 5,000, and ``--existing`` refs
the server already holds, default 0) a bare repository is made with one seed commit
(and the existing refs, as tags of it), and a clone with one new small commit and
the new refs ``refs/heads/bNNNNN`` all pointing at it. Each timed run pushes
``refs/heads/b*`` with a real ``git push`` into a fresh copy of the bare repository,
once with regime's pre-receive hook installed (``regime install git-server``) and
once without any hook, alternating the order every round. Wall time and CPU (user +
system of git push and every process it waited for: receive-pack, the hook, the git
the hook runs) are medians; the ratio is with the hook over without. "The hook
alone" is ``regime git-pre-receive`` run by itself on the same push's stdin.

Correctness, once per case: the clean push is accepted and creates every ref; the same
push of a commit with a tab is refused naming the file and line, and creates no ref.

Usage::

    .venv/bin/python bench/bench_refs.py                       # 1,000 and 5,000 refs
    .venv/bin/python bench/bench_refs.py --refs 1000 --existing 5000 --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Meter, Sample, child_env, find_gnu_time, print_table

REGIME = str(Path(sys.executable).parent / "regime")


def progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=child_env(), input=stdin, capture_output=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"bench: git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc


def make_case(root: Path, refs: int, existing: int, content: str) -> tuple[Path, Path, Path]:
    """The bare repository without a hook and with one, and the clone that pushes."""
    bare = root / "plain.git"
    git(root, "init", "-q", "--bare", "-b", "main", str(bare))
    clone = root / "clone"
    git(root, "init", "-q", "-b", "main", str(clone))
    (clone / "README.md").write_text("# bench\n")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "Start the repository")
    git(clone, "push", "-q", str(bare), "main")
    seed = git(clone, "rev-parse", "HEAD").stdout.decode().strip()
    if existing:
        lines = "".join(f"create refs/tags/t{i:05} {seed}\n" for i in range(existing))
        git(bare, "update-ref", "--stdin", stdin=lines.encode())
    (clone / "a.c").write_text(content)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "Add a.c")
    tip = git(clone, "rev-parse", "HEAD").stdout.decode().strip()
    lines = "".join(f"create refs/heads/b{i:05} {tip}\n" for i in range(refs))
    git(clone, "update-ref", "--stdin", stdin=lines.encode())
    hooked = root / "hooked.git"
    shutil.copytree(bare, hooked, symlinks=True)
    proc = subprocess.run(
        [REGIME, "install", "git-server", str(hooked)], env=child_env(), capture_output=True
    )
    if proc.returncode != 0:
        sys.exit(f"bench: regime install failed: {proc.stderr.decode(errors='replace')}")
    return bare, hooked, clone


def push(meter: Meter, template: Path, clone: Path, work: Path) -> Sample:
    """One timed push into a fresh copy of the template (the copy is not timed)."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(template, work, symlinks=True)
    return meter.run(["git", "push", "-q", str(work), "refs/heads/b*:refs/heads/b*"], clone)


def count_refs(bare: Path) -> int:
    out = git(bare, "for-each-ref", "--format=x", "refs/heads/").stdout.decode()
    return len(out.split()) - 1  # main


def hook_alone(meter: Meter, root: Path, refs: int, runs: int) -> tuple[float, float]:
    """``regime git-pre-receive`` run by itself on the push's stdin, as git runs it: in
    the repository the last push made, its new refs deleted again (their objects stay,
    reachable from no ref, as in a push's quarantine). Medians of wall and CPU."""
    bare = root / "run.git"
    out = git(bare, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/b*")
    pairs = [line.split(" ") for line in out.stdout.decode().splitlines()]
    git(bare, "update-ref", "--stdin", stdin="".join(f"delete {r}\n" for _, r in pairs).encode())
    zero = "0" * len(pairs[0][0])
    stdin = root / "push.in"
    stdin.write_text("".join(f"{zero} {sha} {ref}\n" for sha, ref in pairs))
    argv = ["sh", "-c", f'exec "$0" git-pre-receive < "{stdin}"', REGIME]
    samples = [meter.run(argv, bare) for _ in range(runs)]
    if any(s.exit_code != 0 for s in samples) or len(pairs) != refs:
        sys.exit(f"bench: the hook alone failed: {samples[0].stderr[:500]}")
    return (
        statistics.median(s.wall_s for s in samples),
        statistics.median(s.cpu_s for s in samples),
    )


def case(root: Path, refs: int, existing: int, runs: int, meter: Meter) -> list[list[str]]:
    name = f"{refs} new refs" + (f", {existing} existing" if existing else "")
    progress(f"{name}: generating ...")
    bare, hooked, clone = make_case(root, refs, existing, "int a;\n")
    walls: dict[bool, list[float]] = {True: [], False: []}
    cpus: dict[bool, list[float]] = {True: [], False: []}
    for i in range(runs):
        for with_hook in (True, False) if i % 2 == 0 else (False, True):
            s = push(meter, hooked if with_hook else bare, clone, root / "run.git")
            if s.exit_code != 0:
                sys.exit(f"bench: the clean push failed (exit {s.exit_code}): {s.stderr[:500]}")
            walls[with_hook].append(s.wall_s)
            cpus[with_hook].append(s.cpu_s)
            what = "hook" if with_hook else "no hook"
            progress(f"{name} run {i + 1}/{runs} {what}: {s.wall_s:.3f} s, cpu {s.cpu_s:.3f} s")
    created = count_refs(root / "run.git")
    alone = hook_alone(meter, root, refs, runs)
    # correctness: the same push of a commit with a tab, with the hook
    bad_root = root / "bad"
    bad_root.mkdir()
    _, bad_hooked, bad_clone = make_case(bad_root, refs, existing, "\tint a;\n")
    bad = push(meter, bad_hooked, bad_clone, bad_root / "run.git")
    named = "a.c:1:1: WS101" in bad.stderr
    ok = created == refs and bad.exit_code != 0 and named and count_refs(bad_root / "run.git") == 0
    wall = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    verdict = "ok" if ok else "WRONG"
    return [
        [name, "with the hook", f"{wall[True]:.2f}", f"{cpu[True]:.2f}", "", verdict],
        [name, "without a hook", f"{wall[False]:.2f}", f"{cpu[False]:.2f}", "", verdict],
        [
            name, "ratio", f"{wall[True] / wall[False]:.2f}x", f"{cpu[True] / cpu[False]:.2f}x",
            f"{created}/{refs} refs; tab refused, file and line named: {named}", verdict,
        ],
        [name, "the hook alone", f"{alone[0]:.2f}", f"{alone[1]:.2f}", "", verdict],
    ]  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--refs", type=int, nargs="+", default=[1000, 5000], help="new refs per case")
    p.add_argument("--existing", type=int, default=0, help="refs the server already holds")
    p.add_argument("--runs", type=int, default=5, help="timed pushes of each kind (default 5)")
    p.add_argument("--direct-wait4", action="store_true", help="do not use GNU time")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    meter = Meter(None if args.direct_wait4 else find_gnu_time())
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="regime-bench-refs-") as tmp:
        for refs in args.refs:
            sub = Path(tmp) / f"r{refs}"
            sub.mkdir()
            rows += case(sub, refs, args.existing, args.runs, meter)
    header = ["case", "push", "wall s", "cpu s", "correctness", "check"]
    code = print_table(header, rows)
    print(f"(medians of {args.runs} alternating runs; wall and CPU from wait4 on git push)")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
