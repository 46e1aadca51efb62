#!/usr/bin/env python3
"""The differential properties with thousands of examples instead of CI's few dozen.

Not a test and not a benchmark of speed: a long run of the same two properties as

- tests/test_differential_git.py: regime's WS102 findings against
  ``git diff --cached --check`` (blank-at-eol only), line for line, except the
  documented differences (30 examples in CI);
- tests/test_differential_svn.py: the same changes through a real ``svn commit`` with
  regime's hook and through ``regime staged``: the same verdict (15 examples in CI).

It runs pytest on the two properties with REGIME_DIFF_EXAMPLES and
REGIME_DIFF_SVN_EXAMPLES set, and REGIME_DIFF_SEED, so the examples are drawn at random
from that seed instead of CI's fixed ones (the seed is printed: the same command with
``--seed S`` replays a run). It prints hypothesis' statistics (how many examples passed,
how often each deliberate difference came up) and the wall time of each property.

    .venv/bin/python bench/differential.py                    # 2,000 git, 200 svn examples
    .venv/bin/python bench/differential.py --git 5000 --svn 0 --seed 7

About 0.3-0.5 s per git example and 1 s per svn example on a 2-core machine (each runs
regime, git and svn as real processes): the default run takes 15-20 minutes. Exit
status: 0 when both properties held, else pytest's.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROPERTIES = {
    "git": ("tests/test_differential_git.py::test_ws102_agrees_with_git_diff_check",
            "REGIME_DIFF_EXAMPLES"),
    "svn": ("tests/test_differential_svn.py::test_svn_and_git_doors_agree",
            "REGIME_DIFF_SVN_EXAMPLES"),
}  # fmt: skip


def run(name: str, examples: int, seed: int) -> int:
    test, variable = PROPERTIES[name]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIME_")}
    env.update({variable: str(examples), "REGIME_DIFF_SEED": str(seed)})
    argv = [
        sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider",
        "--hypothesis-show-statistics",
    ]  # fmt: skip
    print(f"== {name}: {examples} examples, seed {seed}: {' '.join(argv[1:])}", flush=True)
    start = time.monotonic()
    code = subprocess.run(argv, cwd=ROOT, env=env, check=False).returncode
    wall = time.monotonic() - start
    verdict = "held" if code == 0 else f"FAILED (pytest exit status {code})"
    print(f"== {name}: {verdict} in {wall:.0f} s ({wall / examples:.2f} s per example)\n")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--git", type=int, default=2000, help="git examples (0: skip)")
    parser.add_argument("--svn", type=int, default=200, help="svn examples (0: skip)")
    parser.add_argument("--seed", type=int, help="replay the examples of this seed")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    status = 0
    for name, examples in (("git", args.git), ("svn", args.svn)):
        if examples > 0:
            status = status or run(name, examples, seed)
    return status


if __name__ == "__main__":
    sys.exit(main())
