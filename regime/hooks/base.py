"""What every door shares: finding the policy, reporting, the exit status."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from regime.engine import Outcome
from regime.policy.load import find_policy, load_policy
from regime.policy.model import Policy
from regime.report import render


class UsageError(Exception):
    """The command line is wrong (exit status 2)."""


@dataclass(frozen=True, slots=True)
class Options:
    config: str | None
    format: str
    debug: bool


def policy_for(opts: Options, root: str | None) -> Policy:
    """--config, else .regime.yaml at the root, else the built-in defaults."""
    if opts.config is not None:
        return load_policy(opts.config)
    return load_policy(find_policy(root) if root is not None else None)


def git_root_or_cwd() -> str:
    from regime.sources.git import toplevel
    from regime.sources.process import ProducerError

    try:
        return toplevel()
    except ProducerError:
        return os.getcwd()


def selection(paths: Sequence[str], root: str) -> Callable[[str], bool] | None:
    """The files named on the command line (relative to the current folder), as a
    test on root-relative paths: a file itself, or everything under a folder."""
    if not paths:
        return None
    here = os.getcwd()
    wanted = set()
    for p in paths:
        rel = os.path.relpath(os.path.join(here, p), root).replace(os.sep, "/")
        wanted.add("" if rel == "." else rel)
    if "" in wanted:
        return None
    folders = tuple(w.rstrip("/") + "/" for w in wanted)

    def accept(path: str) -> bool:
        return path in wanted or path.startswith(folders)

    return accept


def report(outcome: Outcome, opts: Options, door: str) -> int:
    render(outcome, opts.format, sys.stdout, door=door)
    sys.stdout.flush()
    return outcome.exit_code
