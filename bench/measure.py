"""Measuring one run of a command for the benchmarks: wall time, peak RSS, exit status.

Shared by every ``bench/bench_*.py`` script so they all measure the same way; see
``Meter`` for why the peak RSS is taken by a small launcher and not by this process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench Admin",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench Admin",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "LC_ALL": "C.UTF-8",
}


def child_env() -> dict[str, str]:
    """The environment of every child: no git/regime/pre-commit settings of this machine,
    and Python allowed to keep its byte code (an installed regime has it: with
    PYTHONDONTWRITEBYTECODE, set on these machines, every run compiled every module
    again, about 0.1 s that no hook pays)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "REGIME_", "PRE_COMMIT")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(GIT_ENV)
    return env


@dataclass(slots=True)
class Sample:
    wall_s: float
    maxrss_kib: int
    exit_code: int
    stderr: str = ""
    # user + system CPU of the command and every process it waited for (git push: the
    # receive-pack and its hook), from the same wait4
    cpu_s: float = 0.0


def find_gnu_time() -> str | None:
    """/usr/bin/time if it is GNU time (it reports the ru_maxrss of its own child)."""
    for path in ("/usr/bin/time", "/bin/time"):
        if os.access(path, os.X_OK):
            proc = subprocess.run([path, "--version"], capture_output=True, check=False)
            if b"GNU" in proc.stdout + proc.stderr:
                return path
    return None


class Meter:
    """Runs a command once and measures its wall time and peak RSS.

    The peak RSS is ``ru_maxrss`` of ``wait4`` on the child: its own peak, or that of
    a process it waited for (Linux keeps the maximum). A child spawned directly by this
    script would report at least THIS script's RSS at spawn time: Linux carries the
    high-water mark of the address space a process had before ``exec`` (the parent's,
    with vfork/posix_spawn; a copy of it, with fork) into ``ru_maxrss``. So with
    ``launcher`` (GNU time, ~1 MB) the command runs as the child of that small process,
    which does the ``wait4`` and writes ``ru_maxrss`` (``%M``) and the exit status
    (``%x``) to a file. Without it, ``os.wait4`` is used here directly and the floor is
    reported as ``floor_kib``.
    """

    def __init__(self, launcher: str | None) -> None:
        self.launcher = launcher
        self.floor_kib = 0

    @property
    def method(self) -> str:
        if self.launcher is not None:
            return f"wait4 in `{self.launcher} -f %M` (floor about 1 MB)"
        return f"os.wait4 here (floor: this script's own peak, {self.floor_kib / 1000:.0f} MB)"

    def run(self, argv: Sequence[str], cwd: Path, stdout_path: str = os.devnull) -> Sample:
        """Run argv once, stdout to stdout_path, stderr kept (first 8 KiB)."""
        import resource

        self.floor_kib = max(self.floor_kib, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        full = list(argv)
        rss_file = None
        if self.launcher is not None:
            fd, rss_file = tempfile.mkstemp(prefix="regime-bench-rss-")
            os.close(fd)
            full = [self.launcher, "-f", "%M %x", "-o", rss_file, "--", *argv]
        try:
            with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
                t0 = time.perf_counter()
                proc = subprocess.Popen(
                    full, cwd=cwd, env=child_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=err
                )
                _pid, status, usage = os.wait4(proc.pid, 0)
                wall = time.perf_counter() - t0
                proc.returncode = os.waitstatus_to_exitcode(status)
                err.seek(0)
                text = err.read(8192).decode("utf-8", "replace")
            maxrss, code = usage.ru_maxrss, proc.returncode
            if rss_file is not None:
                maxrss, code = self._read_launcher(rss_file, code)
        finally:
            if rss_file is not None:
                os.unlink(rss_file)
        return Sample(wall, maxrss, code, text, usage.ru_utime + usage.ru_stime)

    @staticmethod
    def _read_launcher(path: str, code: int) -> tuple[int, int]:
        """``%M %x`` from GNU time's output file (a signal shows as a negative code)."""
        lines = Path(path).read_text("utf-8", "replace").splitlines()
        for line in lines:
            m = re.match(r"Command terminated by signal (\d+)", line)
            if m:
                code = -int(m.group(1))
        fields = lines[-1].split() if lines else []
        if len(fields) != 2:
            sys.exit(f"bench: cannot read GNU time's report {lines!r}")
        return int(fields[0]), (code if code < 0 else int(fields[1]))


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """The rows of a stress script as an aligned table; 0 when every row's last cell
    (its check) says ok, else 1 (the script's exit status)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0 if all(r[-1] == "ok" for r in rows) else 1


@dataclass(slots=True)
class Stats:
    """What a benchmark table says of one command's runs: wall median (min-max), the
    median CPU time (user+sys of the child and what it waited for), the peak RSS."""

    runs: int
    median_s: float
    min_s: float
    max_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_codes: list[int]

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Stats:
        import statistics

        walls = [s.wall_s for s in samples]
        return cls(
            runs=len(samples),
            median_s=statistics.median(walls),
            min_s=min(walls),
            max_s=max(walls),
            cpu_s=statistics.median(s.cpu_s for s in samples),
            peak_rss_mb=max(s.maxrss_kib for s in samples) * 1024 / 1_000_000,
            exit_codes=sorted({s.exit_code for s in samples}),
        )


def alternate(
    commands: Sequence[tuple[Sequence[str], Path]], runs: int, meter: Meter
) -> list[list[Sample]]:
    """Run every command ``runs`` times, the order rotated by one each round (two
    commands alternate), so a load that comes and goes falls on every side alike."""
    samples: list[list[Sample]] = [[] for _ in commands]
    for i in range(runs):
        for k in range(len(commands)):
            j = (k + i) % len(commands)
            argv, cwd = commands[j]
            samples[j].append(meter.run(argv, cwd))
    return samples
