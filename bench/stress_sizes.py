#!/usr/bin/env python3
"""Stress the size limits with inputs too big to hold: a 200 MB single line, a 2 GB
diff and a 1 GB file in a real push, each streamed through regime while it is made.

A benchmark, not a test (pytest does not collect it); ``tests/test_limits.py`` has a
fast version of each case. Every case is measured (wall time, peak RSS of the regime
process, by GNU time's wait4 when it is there, see ``measure.Meter``) and checked: the
exit status, the findings and where, no internal error. The cases:

- ``line-200mb``: ``regime diff -`` fed a diff whose first file adds one line of 200
  MB (ending in a tab and a space) and whose second file adds a tab, written into
  regime's stdin by this script as regime reads it (never on disk). Under the default
  limits (64 MiB) the first file is LIM001 and the second still WS101;
- ``line-200mb-checked``: the same with ``max_file_size: 300 MB``: the long line is
  checked, and its own WS101 and WS102 are found (this is what holding it costs);
- ``diff-2gb``: ``regime diff -`` fed 2 GB of diff from a generator: 2,048 files of
  1 MiB of short added lines each (under the limit, so every line is checked), the
  last one with a tab: one WS101, at the right file and line;
- ``push-1gb``: a clone commits a 1 GB text file (and a small file with a tab after
  it) and pushes it into a bare repository whose pre-receive hook is regime's
  (``regime install git-server``): refused, LIM001 for the big file, WS101 for the
  small one. The installed script's ``exec`` is prefixed so that the peak RSS of
  regime alone is sampled (VmHWM) and that of the hook with the git processes it
  runs is taken by GNU time: in a bare repository git inflates a blob it then calls
  binary, so git's figure is the file's size.

- ``line-tabs-20mb``, ``line-spaces-20mb``, ``line-crs-20mb``,
  ``line-backslashes-20mb``: one added line of 20 MB of one character (the line ends
  in it): every screen and rule is linear in its input (the tab screen once looked back
  to the line start for each tab it found: a million tabs took 6 s, quadratic);
- ``push-tabs-2mb``: the same in a real push, one line of 2 MB of tabs (took 28 s).

``--scale`` shrinks every size (0.1: 20 MB, 200 MB, 100 MB); ``--cases`` picks some.

Usage::

    .venv/bin/python bench/stress_sizes.py
    .venv/bin/python bench/stress_sizes.py --scale 0.1 --cases line-200mb diff-2gb

What it printed on this 2-core machine (Python 3.11, git 2.39, shared and loaded)::

    case                input     wall    peak RSS                  exit  findings             check
    line-200mb          200 MB    0.5 s   86 MB                     1     LIM001 x1, WS101 x1  ok
    line-200mb-checked  200 MB    3.9 s   993 MB                    1     WS101 x2, WS102 x1   ok
    diff-2gb            2,148 MB  10.7 s  31 MB                     1     WS101 x1             ok
    push-1gb            999 MB    8.6 s   20 MB (with git: 989 MB)  1     LIM001 x1, WS101 x1  ok

Under the limit a file is held while it is read (the 300 MB case: about five times
the line); over it, about the limit plus a block (86 MB at 64 MiB). In the push, git
(in a bare repository) inflates the 1 GB blob it then calls binary; regime stays at
its start-up size.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from measure import child_env, find_gnu_time, print_table

REGIME = str(Path(sys.executable).parent / "regime")
MB = 1000 * 1000
MIB = 1024 * 1024
FINDING = re.compile(r"^(?:remote: )?(\S+?):(\d+)(?::\d+)?: ([A-Z]+\d{3})\b", re.M)


@dataclass(slots=True)
class Run:
    wall_s: float
    maxrss_kib: int | None
    exit_code: int
    output: str
    size: int  # bytes fed
    with_children_kib: int | None = None  # the push: regime and the git it runs


def _launch(argv: list[str], rss_file: str | None) -> list[str]:
    gnu_time = find_gnu_time()
    if gnu_time is None or rss_file is None:
        return argv
    return [gnu_time, "-f", "%M", "-o", rss_file, "--", *argv]


def _read_rss(path: str) -> int | None:
    try:
        fields = Path(path).read_text().split()
    except OSError:
        return None
    return int(fields[-1]) if fields and fields[-1].isdigit() else None


def run_fed(argv: list[str], cwd: Path, blocks: Callable[[], Iterator[bytes]]) -> Run:
    """Run argv with the blocks written into its stdin by a thread as it reads."""
    fd, rss_file = tempfile.mkstemp(prefix="regime-stress-rss-")
    os.close(fd)
    fed = 0
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            _launch(argv, rss_file), cwd=cwd, env=child_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None

        def feed(pipe: IO[bytes]) -> None:
            nonlocal fed
            try:
                for block in blocks():
                    pipe.write(block)
                    fed += len(block)
                pipe.close()
            except BrokenPipeError:
                pass

        feeder = threading.Thread(target=feed, args=(proc.stdin,))
        feeder.start()
        err: list[bytes] = []
        drain = threading.Thread(target=lambda: err.append(proc.stderr.read()))  # type: ignore[union-attr]
        drain.start()
        out = proc.stdout.read()
        code = proc.wait()
        feeder.join()
        drain.join()
        wall = time.perf_counter() - t0
        text = out.decode("utf-8", "replace") + b"".join(err).decode("utf-8", "replace")
        return Run(wall, _read_rss(rss_file), code, text, fed)
    finally:
        os.unlink(rss_file)


def long_line(
    size: int, fill: bytes = b"y", end: bytes = b"\t \n"
) -> Callable[[], Iterator[bytes]]:
    """A diff adding one line of ``size`` bytes of ``fill`` (then ``end``) to big.c,
    then a line with a tab to next.c."""

    def blocks() -> Iterator[bytes]:
        yield b"diff --git a/big.c b/big.c\n--- a/big.c\n+++ b/big.c\n@@ -1 +1 @@\n-x\n+"
        block = fill * (MIB // len(fill))
        left = size
        while left > 0:
            yield block[: min(left, MIB)]
            left -= MIB
        yield end + b"diff --git a/next.c b/next.c\n--- a/next.c\n+++ b/next.c\n"
        yield b"@@ -1 +1 @@\n-x\n+\tafter\n"

    return blocks


def line_of(fill: bytes) -> Callable[[int], Callable[[], Iterator[bytes]]]:
    """A long line of nothing but ``fill`` (after an x): every screen and rule must
    stay linear in it (the tab screen once looked back to the line start for each
    tab: a line of a million tabs took 6 s, and the time grew with its square)."""
    return lambda size: long_line(size, fill, b"\n")


def many_files(total: int) -> Callable[[], Iterator[bytes]]:
    """``total`` bytes of diff: files of 1 MiB of added lines, the last with a tab."""
    line = b"+" + b"v" * 62 + b"\n"  # 64 bytes
    lines = MIB // len(line)
    body = line * lines
    count = max(1, total // MIB)

    def blocks() -> Iterator[bytes]:
        for i in range(count):
            name = f"f{i:05}.conf".encode()
            yield (
                b"diff --git a/" + name + b" b/" + name + b"\nnew file mode 100644\n"
                b"--- /dev/null\n+++ b/" + name + b"\n@@ -0,0 +1,%d @@\n" % (lines + 1)
            )
            yield body
            yield b"+\tlast\n" if i == count - 1 else b"+end\n"

    return blocks


def push_big(size: int, work: Path, limit: int | None, line: bytes = b"x" * 99 + b"\n") -> Run:
    """A bare repository with regime's pre-receive hook (run under GNU time), a clone
    that commits a big text file (of ``line`` again and again) and a small one with a
    tab, and a real push."""
    bare, clone = work / "server.git", work / "clone"
    env = child_env()

    def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=False)

    assert git("init", "-q", "--bare", "-b", "main", str(bare), cwd=work).returncode == 0
    assert git("init", "-q", "-b", "main", str(clone), cwd=work).returncode == 0
    git("remote", "add", "origin", str(bare), cwd=clone)
    (clone / "README.md").write_text("# demo\n")
    git("add", "-A", cwd=clone)
    git("commit", "-q", "-m", "Start", cwd=clone)
    assert git("push", "-q", "origin", "main", cwd=clone).returncode == 0
    install = subprocess.run(
        [REGIME, "install", "git-server", str(bare), *_policy(work, limit, "--policy")],
        env=env, capture_output=True, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    fd, rss_file = tempfile.mkstemp(prefix="regime-stress-rss-")
    os.close(fd)
    own_file = work / "own-rss"
    (work / "own_rss.py").write_text(OWN_RSS)
    gnu_time = find_gnu_time()
    hook = bare / "hooks" / "pre-receive"
    own = f"{sys.executable} {work / 'own_rss.py'} {own_file}"
    around = f"{gnu_time} -f %M -o {rss_file} -- {own}" if gnu_time is not None else own
    hook.write_text(hook.read_text().replace("exec ", f"exec {around} ", 1))
    with open(clone / "big.c", "wb") as fh:
        block = line * max(1, MIB // len(line))
        for _ in range(max(1, size // len(block))):
            fh.write(block)
    (clone / "later.sh").write_text("\tindented\n")
    git("add", "-A", cwd=clone)
    git("commit", "-q", "-m", "Add a big file", cwd=clone)
    size = (clone / "big.c").stat().st_size
    t0 = time.perf_counter()
    proc = git("push", "origin", "main", cwd=clone)
    wall = time.perf_counter() - t0
    text = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    rss = _read_rss(rss_file)
    os.unlink(rss_file)
    return Run(wall, _read_rss(str(own_file)), proc.returncode, text, size, rss)


# The hook's regime runs under this: its own peak (VmHWM, sampled every 10 ms; the
# high-water mark stays, so only a peak in its last 10 ms could be missed), apart
# from the git processes it runs, which hold a file git calls binary in a bare
# repository (git 2.39 inflates the blob before its size makes it binary).
OWN_RSS = """
import subprocess, sys, time
def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            return max([int(x.split()[1]) for x in fh if x.startswith("VmHWM:")] or [0])
    except OSError:
        return 0
proc = subprocess.Popen(sys.argv[2:])
peak = 0
while proc.poll() is None:
    peak = max(peak, hwm(proc.pid))
    time.sleep(0.01)
with open(sys.argv[1], "w") as fh:
    fh.write(str(peak))
sys.exit(proc.returncode)
"""


@dataclass(frozen=True)
class Case:
    name: str
    size: int  # at scale 1.0
    run: Callable[[int, Path, int | None], Run]  # size, work folder, max_file_size
    limit: int | None  # max_file_size at scale 1.0 (None: the built-in default)
    exit_code: int
    expect: dict[str, int]  # code: count
    first: dict[str, str]  # code: the path of its first finding


def _policy(work: Path, limit: int | None, option: str = "--config") -> list[str]:
    """``--config FILE`` setting max_file_size, or nothing (the built-in defaults)."""
    if limit is None:
        return []
    (work / "policy.yaml").write_text(f"limits:\n  max_file_size: {limit}\n")
    return [option, str(work / "policy.yaml")]


def _diff(
    blocks: Callable[[int], Callable[[], Iterator[bytes]]],
) -> Callable[[int, Path, int | None], Run]:
    def run(size: int, work: Path, limit: int | None) -> Run:
        return run_fed([REGIME, "diff", *_policy(work, limit), "-"], work, blocks(size))

    return run


# The limits are the built-in default (64 MiB) written out, so that they scale too.
CASES = [
    Case("line-200mb", 200 * MB, _diff(long_line), 64 * MIB, 1, {"LIM001": 1, "WS101": 1},
         {"LIM001": "big.c", "WS101": "next.c"}),
    Case("line-200mb-checked", 200 * MB, _diff(long_line), 300 * MB, 1,
         {"WS101": 2, "WS102": 1}, {"WS101": "big.c", "WS102": "big.c"}),
    Case("diff-2gb", 2048 * MIB, _diff(many_files), None, 1, {"WS101": 1},
         {"WS101": "f02047.conf"}),
    Case("push-1gb", 1000 * MB, push_big, 64 * MIB, 1, {"LIM001": 1, "WS101": 1},
         {"LIM001": "big.c", "WS101": "later.sh"}),
    # one long line of one character: each screen and rule linear in it
    Case("line-tabs-20mb", 20 * MB, _diff(line_of(b"\t")), None, 1, {"WS101": 2, "WS102": 1},
         {"WS101": "big.c", "WS102": "big.c"}),
    Case("line-spaces-20mb", 20 * MB, _diff(line_of(b" ")), None, 1, {"WS101": 1, "WS102": 1},
         {"WS101": "next.c", "WS102": "big.c"}),
    Case("line-crs-20mb", 20 * MB, _diff(line_of(b"\r")), None, 1, {"WS101": 1, "WS102": 1},
         {"WS101": "next.c", "WS102": "big.c"}),
    Case("line-backslashes-20mb", 20 * MB, _diff(line_of(b"\\")), None, 1, {"WS101": 1},
         {"WS101": "next.c"}),
    # a file of one 2 MB line of tabs in a real push (it took 28 s)
    Case("push-tabs-2mb", 2 * MB, lambda size, work, limit: push_big(
        size, work, limit, b"\t" * size + b"\n"), None, 1, {"WS101": 2, "WS102": 1},
         {"WS101": "big.c", "WS102": "big.c"}),
]  # fmt: skip


def check(case: Case, run: Run, size: int) -> str:
    found = FINDING.findall(run.output)
    codes = Counter(code for _, _, code in found)
    problems = []
    if run.exit_code != case.exit_code:
        problems.append(f"exit {run.exit_code}, expected {case.exit_code}")
    for code, count in case.expect.items():
        if codes[code] != count:
            problems.append(f"{codes[code]} {code}, expected {count}")
    for code, path in case.first.items():
        where = next((p for p, _, c in found if c == code), None)
        want = path if case.name != "diff-2gb" else f"f{max(1, size // MIB) - 1:05}.conf"
        if where != want:
            problems.append(f"first {code} at {where}, expected {want}")
    if "Traceback" in run.output or "internal error" in run.output:
        problems.append("internal error: " + run.output[-300:])
    return "ok" if not problems else "WRONG: " + "; ".join(problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--cases", nargs="*", default=[c.name for c in CASES])
    args = parser.parse_args()
    unknown = set(args.cases) - {c.name for c in CASES}
    if unknown:
        parser.error(f"no case {', '.join(sorted(unknown))}")
    how = find_gnu_time()
    print(f"peak RSS of regime measured by {how + ' (wait4)' if how else 'nothing: no GNU time'}")
    header = ("case", "input", "wall", "peak RSS", "exit", "findings", "check")
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory(prefix="regime-stress-sizes-") as tmp:
        for case in CASES:
            if case.name not in args.cases:
                continue
            size = max(MIB, int(case.size * args.scale))
            work = Path(tmp) / case.name
            work.mkdir()
            limit = None if case.limit is None else max(1, int(case.limit * args.scale))
            run = case.run(size, work, limit)
            codes = Counter(code for _, _, code in FINDING.findall(run.output))
            row = (
                case.name,
                f"{run.size / MB:,.0f} MB",
                f"{run.wall_s:.1f} s",
                (f"{run.maxrss_kib / 1000:.0f} MB" if run.maxrss_kib else "-")
                + (
                    f" (with git: {run.with_children_kib / 1000:.0f} MB)"
                    if run.with_children_kib
                    else ""
                ),
                str(run.exit_code),
                ", ".join(f"{c} x{n}" for c, n in sorted(codes.items())) or "-",
                check(case, run, size),
            )
            rows.append(row)
            print("  ".join(row), flush=True)
    return print_table(header, rows)


if __name__ == "__main__":
    sys.exit(main())
