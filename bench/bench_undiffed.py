#!/usr/bin/env python3
"""What reading the files a diff does not show costs a push (issue 14, items 2 and 4).

This is a benchmark, not a test. One push of one commit into a bare repository,
``regime git-pre-receive`` timed against its floor (``git diff-tree -p`` of the same
commit), for each case:

``png``
    ``--files`` real binary files no rule looks at (``*.png``, 20 kB of random bytes
    each): the common case. Nothing is read beyond the diff.
``nul-c``
    The same files named ``*.c``: binary by content, under WS101/WS102, so each is
    read once (one ``git cat-file --batch`` for all) to see the NUL, and passed.
``declared``
    ``--files`` text ``*.c`` files of 200 lines, modified, with ``*.c binary`` in the
    server's info/attributes: each side read, the added lines computed (one added
    line each, a tab, so the push is refused naming every file).
``renamed``
    ``--files`` ``*.txt`` files of 200 lines renamed to ``*.c``: every line checked
    (one tab each, refused).

``--regime DIR`` runs another checkout of regime (e.g. the commit before this work,
``git archive BASE | tar -x -C DIR``) with this script's Python, for a before/after.

Usage::

    .venv/bin/python bench/bench_undiffed.py [--files 500] [--runs 5] [--regime DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Meter, child_env, find_gnu_time, print_table

REGIME = str(Path(sys.executable).parent / "regime")


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=child_env(), capture_output=True, check=True)
    return proc.stdout.decode()


def make_case(root: Path, case: str, files: int, r: random.Random) -> tuple[Path, str, str]:
    """The bare repository, the base commit and the pushed commit (no ref points at it)."""
    work = root / "work"
    git(root, "init", "-q", "-b", "main", str(work))
    text = "".join(f"line {i} = value;\n" for i in range(200))
    for i in range(files):
        if case == "declared":
            (work / f"f{i}.c").write_text(text)
        elif case == "renamed":
            (work / f"f{i}.txt").write_text(text.replace("line 7 ", "line\t7 "))
    (work / "README").write_text("base\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "base")
    base = git(work, "rev-parse", "HEAD").strip()
    for i in range(files):
        if case in ("png", "nul-c"):
            name = f"f{i}.png" if case == "png" else f"f{i}.c"
            (work / name).write_bytes(b"\x00" + r.randbytes(20_000))
        elif case == "declared":
            (work / f"f{i}.c").write_text(text.replace("line 100 ", "line\t100 "))
        else:
            git(work, "mv", f"f{i}.txt", f"f{i}.c")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", f"the {case} change")
    tip = git(work, "rev-parse", "HEAD").strip()
    bare = root / "server.git"
    git(root, "clone", "-q", "--bare", str(work), str(bare))
    git(bare, "update-ref", "refs/heads/main", base)
    if case == "declared":
        (bare / "info").mkdir(exist_ok=True)
        (bare / "info" / "attributes").write_text("*.c binary\n")
    return bare, base, tip


def time_it(meter: Meter, argv: list[str], cwd: Path, stdin: bytes | None, runs: int) -> float:
    """The median wall time of ``runs`` runs (stdin through a file, as git hands it)."""
    walls = []
    with tempfile.NamedTemporaryFile() as fh:
        fh.write(stdin or b"")
        fh.flush()
        for _ in range(runs):
            shell = ["sh", "-c", f'exec "$@" < {fh.name}', "sh", *argv]
            walls.append(meter.run(shell, cwd).wall_s)
    return statistics.median(walls)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regime", help="another regime source tree to time as well")
    args = parser.parse_args(argv)
    meter = Meter(find_gnu_time())
    rows = []
    expect = {"png": 0, "nul-c": 0, "declared": 1, "renamed": 1}
    for case in ("png", "nul-c", "declared", "renamed"):
        with tempfile.TemporaryDirectory(prefix="regime-bench-") as tmp:
            bare, base, tip = make_case(Path(tmp), case, args.files, random.Random(1))
            stdin = f"{base} {tip} refs/heads/main\n".encode()
            floor = ["git", "diff-tree", "-p", "--full-index", base, tip]
            ours = [REGIME, "git-pre-receive"]
            check = subprocess.run(
                ours, cwd=bare, input=stdin, env=child_env(), capture_output=True, check=False
            )
            named = check.stderr.decode().count(": WS101 ")
            ok = check.returncode == expect[case] and named == (args.files if expect[case] else 0)
            row = [
                case,
                f"{time_it(meter, floor, bare, None, args.runs) * 1000:.0f} ms",
                f"{time_it(meter, ours, bare, stdin, args.runs) * 1000:.0f} ms",
            ]
            if args.regime:
                other = [sys.executable, "-c", "from regime.cli import main; main()"]
                other = ["env", f"PYTHONPATH={os.path.abspath(args.regime)}", *other]
                other.append("git-pre-receive")
                row.append(f"{time_it(meter, other, bare, stdin, args.runs) * 1000:.0f} ms")
            rows.append([*row, "ok" if ok else f"exit {check.returncode}, {named} WS101"])
    header = ["case", "floor (git diff-tree)", "regime"]
    if args.regime:
        header.append("regime at --regime")
    return print_table([*header, "check"], rows)


if __name__ == "__main__":
    sys.exit(main())
