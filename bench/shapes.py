"""The shapes of a staged change that the suite measures besides bench_staged's mix.

Each function makes a git repository at ``root`` with a base commit and the change
staged, deterministic (seeded), every file named so regime checks it (``.conf``). The
sizes are the issue's at ``scale`` 1; a smaller scale is for a smoke run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from bench_doors import _config_line
from bench_staged import git_run


def _lines(r: random.Random, n: int) -> list[str]:
    """n config lines of about 45 bytes (a setting and a comment)."""
    return [f"{_config_line(r)}  # {r.randrange(1 << 30):x}" for _ in range(n)]


def _write(root: Path, rel: str, lines: list[str]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))


def _repo(root: Path, base: dict[str, list[str]]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git_run(["-c", "init.defaultBranch=main", "init", "-q", "."], root)
    for rel, lines in base.items():
        _write(root, rel, lines)
    if base:
        git_run(["add", "-A"], root)
    git_run(["commit", "-q", "--allow-empty", "--no-verify", "-m", "base"], root)


def _path(i: int) -> str:
    return f"etc/host{i % 50:02d}/svc{i:05d}.conf"


def interleaved(root: Path, scale: float, seed: int) -> None:
    """Every other line of 1,200 files of 302 lines replaced: 151 one-line hunks a file
    under ``-U0``, one big hunk each under git's default context (which regime reads)."""
    r = random.Random(seed)
    files = max(2, int(1200 * scale))
    base = {_path(i): _lines(r, 302) for i in range(files)}
    _repo(root, base)
    for rel, lines in base.items():
        _write(root, rel, [_lines(r, 1)[0] if k % 2 else line for k, line in enumerate(lines)])
    git_run(["add", "-A"], root)


def new_files(root: Path, scale: float, seed: int) -> None:
    """20,000 new files of 5-15 lines each."""
    r = random.Random(seed)
    _repo(root, {"README.conf": _lines(r, 3)})
    for i in range(max(2, int(20_000 * scale))):
        _write(root, _path(i), _lines(r, r.randint(5, 15)))
    git_run(["add", "-A"], root)


def one_line_edits(root: Path, scale: float, seed: int) -> None:
    """2,000 files of 40 lines, one line of each replaced."""
    r = random.Random(seed)
    base = {_path(i): _lines(r, 40) for i in range(max(2, int(2000 * scale)))}
    _repo(root, base)
    for rel, lines in base.items():
        k = r.randrange(len(lines))
        _write(root, rel, [*lines[:k], _lines(r, 1)[0], *lines[k + 1 :]])
    git_run(["add", "-A"], root)


def appended_runs(root: Path, scale: float, seed: int) -> None:
    """300 files of 50 lines, each with a run of 2,000 lines appended (about 27 MB)."""
    r = random.Random(seed)
    base = {_path(i): _lines(r, 50) for i in range(max(2, int(300 * scale)))}
    _repo(root, base)
    for rel, lines in base.items():
        _write(root, rel, [*lines, *_lines(r, 2000)])
    git_run(["add", "-A"], root)


SHAPES: dict[str, tuple[str, Callable[[Path, float, int], None]]] = {
    "interleaved": ("every other line of 1,200 files replaced", interleaved),
    "new-files": ("20,000 new small files", new_files),
    "one-line": ("2,000 files, one line changed in each", one_line_edits),
    "appended": ("300 files with long appended runs", appended_runs),
}


def small_tree(root: Path, scale: float, seed: int) -> None:
    """A committed tree of 20,000 small files (for ``regime check`` of whole files)."""
    r = random.Random(seed)
    base = {_path(i): _lines(r, r.randint(5, 15)) for i in range(max(2, int(20_000 * scale)))}
    _repo(root, base)


def big_file_tree(root: Path, scale: float, seed: int) -> tuple[str, int]:
    """A committed tree of one file of about 50 MB with one tab in an indentation
    halfway down: (its path, the line of the tab)."""
    r = random.Random(seed)
    n = max(100, int(1_400_000 * scale))
    lines = _lines(r, n)
    tab = n // 2 + 1
    lines[tab - 1] = "\t" + lines[tab - 1]
    rel = "etc/big/routes.conf"
    _repo(root, {rel: lines})
    return rel, tab
