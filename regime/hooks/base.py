"""What every door shares: finding the policy, reporting, the exit status."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from regime.engine import Outcome
from regime.findings import Finding
from regime.policy.load import PolicyError, find_policy, load_policy
from regime.policy.model import Policy
from regime.report import render

if TYPE_CHECKING:
    from regime.sources.trees import FsTree


class UsageError(Exception):
    """The command line is wrong (exit status 2)."""


@dataclass(frozen=True, slots=True)
class Options:
    config: str | None
    format: str
    debug: bool
    # --select / --ignore, as rule codes (None: no --select); see regime/policy/narrow.py
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    color: bool = False  # the text report in colour (regime/report/colour.py)


def policy_for(opts: Options, root: str | None) -> Policy:
    """--config, else .regime.yaml at the root, else the built-in defaults; narrowed
    by --select and --ignore (which only ever turn rules off)."""
    if opts.config is not None:
        policy = load_policy(policy_path(opts.config))
    else:
        policy = load_policy(policy_path(find_policy(root) if root is not None else None))
    if opts.select is None and not opts.ignore:
        return policy
    from dataclasses import replace

    from regime.policy.narrow import narrow

    narrowed, notes = narrow(policy, opts.select, opts.ignore)
    return replace(narrowed, notes=tuple(notes))


def policy_path(path: str | None) -> str | None:
    """``path``, once it is known not to be something opening would hang on or
    misread: a FIFO (open waits for a writer forever), a socket, a device, a
    symlink to nothing. Missing, unreadable and folder are left to the loader,
    which names the file and says so."""
    if path is None:
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if os.path.islink(path):
            raise PolicyError(
                path, 1, 1,
                f"is a symbolic link to {os.readlink(path)}, which cannot be read "
                f"({exc.strerror}): point it at the policy file or remove it",
            ) from exc  # fmt: skip
        return path
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return path
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
    )
    raise PolicyError(path, 1, 1, f"is {kind}, not a policy file: give a regular file")


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


def watched_outcome(policy: Policy, opts: Options, door: str) -> Outcome:
    """The Outcome of a door that reports on stdout, under the policy's hard deadline
    (limits.max_seconds: regime/deadline.py answers for it if the run is stuck)."""
    from regime import deadline

    outcome = Outcome(notes=list(policy.notes))
    deadline.watch(outcome, policy, opts.format, sys.stdout, door)
    return outcome


def report(outcome: Outcome, opts: Options, door: str) -> int:
    """Write the report; the exit status is the verdict, also when stdout is closed
    before all of it is written (a failing check never becomes 0)."""
    from regime import deadline

    with deadline.lock:
        deadline.disarm()
        try:
            render(outcome, opts.format, sys.stdout, door=door, colour=opts.color)
            sys.stdout.flush()
        except BrokenPipeError:
            from regime.cli import output_closed

            output_closed()
    return outcome.exit_code


def report_to_server(outcome: Outcome, opts: Options, door: str) -> int:
    """A server door's report: on stderr (what svn and git show the committer or
    pusher), with its headline first; the deadline disarmed first, as it would
    write a report of its own."""
    from regime import deadline

    with deadline.lock:
        deadline.disarm()
        render(
            outcome, opts.format, sys.stderr, door=door, with_headline=True,
            colour=opts.color,
        )  # fmt: skip
        sys.stderr.flush()
    return outcome.exit_code


def report_unreadable(files: FsTree, outcome: Outcome, policy: Policy) -> None:
    """The files and folders of a tree on disk the infrastructure checks could not
    read, as DIFF001 findings, unless a finding names them already (a tree checked
    whole reports its unreadable files and folders as it reads them)."""
    rule = policy.rule("DIFF001")
    if not rule.active:
        return
    named = {f.path for f in outcome.findings if f.code == "DIFF001"}
    missed = [(path, "file", reason) for path, reason in files.unreadable_files]
    missed += [(path, "folder", reason) for path, reason in files.unreadable]
    for path, kind, reason in missed:
        if path not in named:
            outcome.findings.append(
                Finding(
                    path, 0, 0, "DIFF001",
                    f"cannot read the {kind}: {reason}; the infrastructure checks went "
                    "on without it",
                    rule.severity,
                )
            )  # fmt: skip
