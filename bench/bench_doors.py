#!/usr/bin/env python3
"""Benchmark regime at the server doors and on the smallest commit, each next to its floor.

This is a benchmark, not a test (pytest does not collect it). Three cases, each
generated in a temporary directory and run alternately with its floor, ``--runs``
times each, measured like every bench script (``bench/measure.py``: wall time, and
the peak RSS by ``wait4`` in GNU time):

``push``
    A bare repository and a push of ``--commits`` small commits (default 10,000; one
    to three files each, a few lines added, changed or removed, as an admin commits),
    made by one ``git fast-import``. The commits are in the repository but no ref
    points at them, which is where a pre-receive hook finds them. regime: ``regime
    git-pre-receive`` with ``OLD NEW refs/heads/main`` on stdin. Floor: ``git log -p
    NEW --not --all``, git reading the same commits and writing their diffs.

``svn``
    A Subversion repository whose head holds the base files of ``bench_staged.py``'s
    change, and a live transaction holding the change itself (about 50 MB of diff):
    ``svn commit`` runs into a pre-commit hook that writes its transaction's name and
    waits, the benchmark runs meanwhile, then the hook refuses and the transaction is
    gone. regime: ``regime svn-pre-commit REPOS TXN``. Floor: ``svnlook diff -t TXN
    REPOS``, the diff regime reads.

``onefile``
    A repository of 300 files with 10 lines of one file changed and staged. regime:
    ``regime staged``. Floor: ``git diff --cached --check``. Here regime's start-up is
    the cost; the target is under 100 ms.

Every case also checks correctness once: the push and the transaction pass (exit 0),
and the same change with one trailing space added is refused naming the file and line.

Usage::

    .venv/bin/python bench/bench_doors.py                        # all three cases
    .venv/bin/python bench/bench_doors.py --cases push --commits 2000 --runs 3
    .venv/bin/python bench/bench_doors.py --json /tmp/doors.json
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_staged import generate
from measure import Meter, Sample, child_env, find_gnu_time

REGIME = str(Path(sys.executable).parent / "regime")
MB = 1_000_000


def progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def run(argv: Sequence[str], cwd: Path, stdin: bytes | None = None) -> str:
    proc = subprocess.run(
        list(argv), cwd=cwd, env=child_env(), input=stdin, capture_output=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode("utf-8", "surrogateescape")


@dataclass(slots=True)
class Figures:
    case: str
    tool: str
    floor: bool  # the reference command of the case
    argv: list[str]
    runs: int
    median_s: float
    min_s: float
    max_s: float
    peak_rss_mb: float
    exit_codes: list[int]


@dataclass(slots=True)
class Check:
    case: str
    clean_exit: int
    bad_exit: int
    bad_names_file_and_line: bool
    size: str


def alternate(
    case: str, tools: dict[str, tuple[list[str], bool]], cwd: Path, runs: int, meter: Meter
) -> list[Figures]:
    """Run each tool ``runs`` times, alternating the order every round."""
    samples: dict[str, list[Sample]] = {t: [] for t in tools}
    for i in range(runs):
        for tool in list(tools) if i % 2 == 0 else list(reversed(tools)):
            s = meter.run(tools[tool][0], cwd)
            samples[tool].append(s)
            progress(f"{case} run {i + 1}/{runs} {tool}: {s.wall_s:.3f} s, exit {s.exit_code}")
            if s.exit_code != 0:
                progress(f"UNEXPECTED exit {s.exit_code}: {s.stderr.strip()[:500]!r}")
    out = []
    for tool, (argv, floor) in tools.items():
        walls = [s.wall_s for s in samples[tool]]
        out.append(
            Figures(
                case, tool, floor, argv, runs, statistics.median(walls), min(walls), max(walls),
                max(s.maxrss_kib for s in samples[tool]) * 1024 / MB,
                [s.exit_code for s in samples[tool]],
            )
        )  # fmt: skip
    return out


# --------------------------------------------------------------------------------------
# push: 10,000 small commits into a bare repository
# --------------------------------------------------------------------------------------

_WORDS = [
    "interface",
    "address",
    "gateway",
    "netmask",
    "mtu",
    "bridge",
    "vlan",
    "route",
    "domain",
    "search",
]


def _config_line(r: random.Random) -> str:
    return f"{r.choice(_WORDS)} {r.choice(_WORDS)}-{r.randrange(1000)} {r.randrange(1 << 16)}"


def _fast_import_stream(commits: int, files: int, r: random.Random, bad: bool) -> bytes:
    """A base commit of ``files`` files on main, then ``commits`` commits on a branch."""
    contents = {
        f"etc/host{i % 40}/svc{i}.conf": [_config_line(r) for _ in range(20)] for i in range(files)
    }
    out: list[str] = []
    mark = 0

    def commit(ref: str, message: str, changes: dict[str, list[str]], parent: int | None) -> int:
        nonlocal mark
        mark += 1
        when = 1_700_000_000 + mark
        msg = message.encode()
        out.append(f"commit {ref}\nmark :{mark}\n")
        out.append(f"committer Bench Admin <bench@example.org> {when} +0000\n")
        out.append(f"data {len(msg)}\n{message}\n")
        if parent is not None:
            out.append(f"from :{parent}\n")
        for path, lines in changes.items():
            data = "".join(x + "\n" for x in lines).encode()
            out.append(f"M 100644 inline {path}\ndata {len(data)}\n")
            out.append(data.decode() + "\n")
        return mark

    base = commit("refs/heads/main", "base configuration", dict(contents), None)
    tip = base
    names = sorted(contents)
    for n in range(commits):
        changes = {}
        for path in r.sample(names, r.randint(1, 3)):
            lines = list(contents[path])
            for _ in range(r.randint(1, 4)):
                what = r.random()
                at = r.randrange(len(lines) + 1)
                if what < 0.5 or len(lines) < 5:
                    lines.insert(at, _config_line(r))
                elif what < 0.8:
                    lines[at % len(lines)] = _config_line(r)
                else:
                    del lines[at % len(lines)]
            contents[path] = changes[path] = lines
        if bad and n == commits // 2:
            path = next(iter(changes))
            changes[path] = contents[path] = [*changes[path], "mtu 9000 "]
        tip = commit("refs/heads/incoming", f"Tune {len(changes)} services ({n})", changes, tip)
    return "".join(out).encode()


def make_push(root: Path, commits: int, bad: bool, seed: int) -> tuple[Path, bytes, str]:
    """The bare repository and the pre-receive input of the push."""
    bare = root / ("bad.git" if bad else "push.git")
    run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], root)
    stream = _fast_import_stream(commits, 400, random.Random(seed), bad)
    run(["git", "fast-import", "--quiet"], bare, stream)
    old = run(["git", "rev-parse", "refs/heads/main"], bare).strip()
    new = run(["git", "rev-parse", "refs/heads/incoming"], bare).strip()
    run(["git", "update-ref", "-d", "refs/heads/incoming"], bare)
    return bare, f"{old} {new} refs/heads/main\n".encode(), new


def case_push(
    root: Path, commits: int, runs: int, meter: Meter, seed: int
) -> tuple[list[Figures], Check]:
    progress(f"push: generating {commits} commits ...")
    t0 = time.perf_counter()
    bare, line, new = make_push(root, commits, False, seed)
    progress(f"push: generated in {time.perf_counter() - t0:.1f} s")
    (root / "push.in").write_bytes(line)
    hook = ["sh", "-c", f'exec "$0" git-pre-receive < "{root / "push.in"}"', REGIME]
    floor = ["git", "log", "-p", new, "--not", "--all"]
    figures = alternate(
        "push",
        {"regime git-pre-receive": (hook, False), "git log -p": (floor, True)},
        bare,
        runs,
        meter,
    )
    clean = subprocess.run(hook, cwd=bare, env=child_env(), capture_output=True, check=False)
    bad_exit, named = push_bad(root, commits, seed)
    return figures, Check("push", clean.returncode, bad_exit, named, f"{commits} commits")


def push_bad(root: Path, commits: int, seed: int) -> tuple[int, bool]:
    """The same push with a trailing space in one commit: (exit, file, line and commit named)."""
    bad_bare, bad_line, _ = make_push(root, commits, True, seed)
    bad = subprocess.run(
        [REGIME, "git-pre-receive"], cwd=bad_bare, env=child_env(), input=bad_line,
        capture_output=True, check=False,
    )  # fmt: skip
    text = bad.stdout.decode() + bad.stderr.decode()
    return bad.returncode, ".conf:" in text and "WS102" in text and "commit " in text


# --------------------------------------------------------------------------------------
# svn: a live transaction of about 50 MB
# --------------------------------------------------------------------------------------

HOLD_HOOK = """#!/bin/sh
echo "$2" > "{dir}/txn"
while [ -e "{dir}/hold" ]; do sleep 0.05; done
echo "bench: transaction measured, refused on purpose" >&2
exit 1
"""


def svn_sync(src: Path, wc: Path) -> None:
    """Make the working copy's files those of ``src`` (a git work tree), then svn add/rm."""
    for path in wc.iterdir():
        if path.name != ".svn":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in src.iterdir():
        if path.name != ".git":
            dest = wc / path.name
            shutil.copytree(path, dest) if path.is_dir() else shutil.copy2(path, dest)
    run(["svn", "add", "-q", "--force", "--no-auto-props", "."], wc)
    status = run(["svn", "status", "--xml"], wc)
    import xml.etree.ElementTree as ET

    missing = [
        e.get("path", "")
        for e in ET.fromstring(status).iter("entry")
        if e.find("wc-status") is not None and e.find("wc-status").get("item") == "missing"  # type: ignore[union-attr]
    ]
    if missing:
        run(["svn", "rm", "-q", "--", *missing], wc)


@contextmanager
def held_transaction(root: Path, megabytes: float, seed: int) -> Iterator[tuple[Path, str, str]]:
    """A live svn transaction of bench_staged's change, held open by a pre-commit hook
    while the block runs: yields (repository, transaction name, svnlook); afterwards the
    hook refuses it and the transaction is gone."""
    svnlook = shutil.which("svnlook")
    if svnlook is None or shutil.which("svnadmin") is None:
        sys.exit("bench: svn case needs Subversion (svnadmin, svnlook, svn)")
    progress(f"svn: generating {megabytes:g} MB ...")
    src = root / "svn-src"
    src.mkdir()
    generate(src, 2000, megabytes, 0.0, seed)
    repo, wc, hold = root / "repo", root / "wc", root / "hold-dir"
    hold.mkdir()
    run(["svnadmin", "create", str(repo)], root)
    run(["svn", "checkout", "-q", repo.as_uri(), str(wc)], root)
    # the base: the files of the git base commit
    base = root / "svn-base"
    run(["git", "worktree", "add", "-q", "--detach", str(base), "HEAD"], src)
    svn_sync(base, wc)
    run(["svn", "commit", "-q", "-m", "base"], wc)
    svn_sync(src, wc)  # the change: the staged files of the git repository
    (repo / "hooks" / "pre-commit").write_text(HOLD_HOOK.format(dir=hold))
    (repo / "hooks" / "pre-commit").chmod(0o755)
    (hold / "hold").touch()
    progress("svn: committing into the holding hook ...")
    commit = subprocess.Popen(
        ["svn", "commit", "-q", "-m", "the big change"], cwd=wc, env=child_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        while not (hold / "txn").exists():
            if commit.poll() is not None:
                sys.exit(f"bench: svn commit ended early: {commit.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.05)
        time.sleep(0.2)
        yield repo, (hold / "txn").read_text().strip(), svnlook
    finally:
        (hold / "hold").unlink()
        commit.wait()


def svn_bad_commit(root: Path, repo: Path, svnlook: str) -> tuple[int, bool]:
    """A small commit with a trailing space through the real hook: (exit, file and line
    named). The hook is regime's from then on."""
    small = root / "wc-small"
    run(["svn", "checkout", "-q", repo.as_uri(), str(small)], root)
    (repo / "hooks" / "pre-commit").write_text(
        f'#!/bin/sh\nexec "{REGIME}" svn-pre-commit --svnlook "{svnlook}" "$1" "$2"\n'
    )
    (small / "bad.conf").write_text("mtu 9000 \n")
    run(["svn", "add", "-q", "bad.conf"], small)
    bad = subprocess.run(
        ["svn", "commit", "-m", "bad"], cwd=small, env=child_env(), capture_output=True, check=False
    )
    return bad.returncode, "bad.conf:1:" in bad.stderr.decode() and "WS102" in bad.stderr.decode()


def case_svn(
    root: Path, megabytes: float, runs: int, meter: Meter, seed: int
) -> tuple[list[Figures], Check]:
    with held_transaction(root, megabytes, seed) as (repo, txn, svnlook):
        regime = [REGIME, "svn-pre-commit", "--svnlook", svnlook, str(repo), txn]
        floor = [svnlook, "diff", "-t", txn, str(repo)]
        size = len(subprocess.run(floor, capture_output=True, check=True, env=child_env()).stdout)
        figures = alternate(
            "svn", {"regime svn-pre-commit": (regime, False), "svnlook diff": (floor, True)},
            root, runs, meter,
        )  # fmt: skip
        clean = subprocess.run(regime, env=child_env(), capture_output=True, check=False)
    bad_exit, named = svn_bad_commit(root, repo, svnlook)
    return figures, Check("svn", clean.returncode, bad_exit, named, f"{size / MB:.1f} MB diff")


# --------------------------------------------------------------------------------------
# onefile: a 10-line change in a small repository
# --------------------------------------------------------------------------------------


def onefile_repo(root: Path, seed: int) -> tuple[Path, Path, list[str]]:
    """A repository of 300 files with 10 lines of one staged: (repo, that file, its lines)."""
    repo = root / "onefile"
    repo.mkdir()
    r = random.Random(seed)
    run(["git", "init", "-q", "-b", "main"], repo)
    for i in range(300):
        path = repo / f"etc/host{i % 20}/svc{i}.conf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(_config_line(r) + "\n" for _ in range(30)))
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-q", "-m", "base"], repo)
    target = repo / "etc/host3/svc3.conf"
    lines = target.read_text().splitlines()
    for k in range(10):
        lines.insert(5 + 2 * k, _config_line(r))
    target.write_text("\n".join(lines) + "\n")
    run(["git", "add", "-A"], repo)
    return repo, target, lines


def case_onefile(root: Path, runs: int, meter: Meter, seed: int) -> tuple[list[Figures], Check]:
    repo, target, lines = onefile_repo(root, seed)
    tools = {
        "regime staged": ([REGIME, "staged"], False),
        "git diff --cached --check": (["git", "diff", "--cached", "--check"], True),
    }
    figures = alternate("onefile", tools, repo, runs, meter)
    clean = subprocess.run([REGIME, "staged"], cwd=repo, env=child_env(), capture_output=True)
    target.write_text("\n".join(lines) + " \n")
    run(["git", "add", "-A"], repo)
    bad = subprocess.run([REGIME, "staged"], cwd=repo, env=child_env(), capture_output=True)
    named = f"etc/host3/svc3.conf:{len(lines)}:" in bad.stdout.decode()
    return figures, Check("onefile", clean.returncode, bad.returncode, named, "10 lines")


# --------------------------------------------------------------------------------------


def print_report(figures: Sequence[Figures], checks: Sequence[Check], method: str) -> None:
    print("case     tool                        median s    min s    max s  peak RSS MB")
    for case in dict.fromkeys(f.case for f in figures):
        rows = [f for f in figures if f.case == case]
        for f in rows:
            print(
                f"{case:<8} {f.tool:<26} {f.median_s:9.3f} {f.min_s:8.3f} {f.max_s:8.3f}"
                f" {f.peak_rss_mb:12.1f}"
            )
        ours = next(f for f in rows if not f.floor)
        floor = next(f for f in rows if f.floor)
        print(f"{'':<8} {'ratio regime/floor':<26} {ours.median_s / floor.median_s:8.2f}x")
    print()
    for c in checks:
        print(
            f"correctness {c.case} ({c.size}): clean exit {c.clean_exit} (want 0), with one "
            f"trailing space exit {c.bad_exit} (want 1), file and line named: "
            f"{'yes' if c.bad_names_file_and_line else 'NO'}"
        )
    print(f"(medians of alternating runs; peak RSS by {method})")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--cases", nargs="+", choices=("push", "svn", "onefile"), default=["push", "svn", "onefile"]
    )
    p.add_argument("--commits", type=int, default=10_000, help="commits in the push (10,000)")
    p.add_argument("--megabytes", type=float, default=50.0, help="MB of the svn change (50)")
    p.add_argument("--runs", type=int, default=5, help="timed runs of each tool (default 5)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--json", type=Path, metavar="FILE", help="save the figures as JSON")
    p.add_argument("--direct-wait4", action="store_true", help="do not use GNU time")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    meter = Meter(None if args.direct_wait4 else find_gnu_time())
    figures: list[Figures] = []
    checks: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="regime-bench-doors-") as tmp:
        root = Path(tmp)
        for case in args.cases:
            sub = root / case
            sub.mkdir()
            if case == "push":
                f, c = case_push(sub, args.commits, args.runs, meter, args.seed)
            elif case == "svn":
                f, c = case_svn(sub, args.megabytes, args.runs, meter, args.seed)
            else:
                f, c = case_onefile(sub, max(args.runs, 20), meter, args.seed)
            figures += f
            checks.append(c)
    print_report(figures, checks, meter.method)
    if args.json is not None:
        data = {"figures": [asdict(f) for f in figures], "correctness": [asdict(c) for c in checks]}
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    ok = all(c.clean_exit == 0 and c.bad_exit == 1 and c.bad_names_file_and_line for c in checks)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
