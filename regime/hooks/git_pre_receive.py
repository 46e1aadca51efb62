"""``regime git-pre-receive``: the git server door (hooks/pre-receive).

git gives one ``OLD NEW REF`` line per ref on stdin, before any ref moves. The
commits a push brings are those reachable from a NEW and from no existing ref
(``rev-list NEW --not --all``): right for new branches and force pushes, where
OLD..NEW is not. A commit several refs bring is checked once; deletions and refs
that bring no new commit pass. Every commit is checked on its own, its message
and the lines it adds (a merge only for what it introduces), all diffs streamed by
one git process. Pushed objects sit in git's quarantine, which git names in the
environment: regime keeps the environment as it is for every git it runs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from regime import deadline
from regime.engine import Outcome, check_tree
from regime.hooks.base import Options, policy_path
from regime.hooks.commit_range import check_commits
from regime.hooks.server_guard import guarded
from regime.policy.load import MAX_POLICY_BYTES, POLICY_FILE
from regime.policy.model import Policy
from regime.policy.server import effective_policy, load_server_policy
from regime.report import render
from regime.report.streams import LinePrefixer
from regime.sources import git
from regime.sources.process import ProducerError
from regime.sources.trees import GitTree

_UPDATE = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (\S.*)$")


def parse_updates(lines: Iterable[str]) -> list[tuple[str, str, str]]:
    updates = []
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        m = _UPDATE.match(line)
        if m is None:
            raise ProducerError(f"unexpected line from git on stdin: {line[:200]!r}")
        updates.append((m.group(1), m.group(2), m.group(3)))
    return updates


def run(opts: Options, prefix: str | None = None) -> int:
    """``prefix`` from the command line is already applied to stderr by the CLI (so
    that even a policy error carries it); the server policy's applies from here on."""
    server = load_server_policy(policy_path(opts.config))
    if prefix is None and server.server.message_prefix:
        sys.stderr = LinePrefixer(sys.stderr, server.server.message_prefix)
    deadline.arm(server.limits.max_seconds)  # git may hang before the rest is known

    def work() -> int:
        stdin = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        outcome = Outcome()
        order: list[str] = []
        ref_of: dict[str, str] = {}
        policies: dict[str, Policy] = {}
        brought_by: dict[str, tuple[str, list[str]]] = {}
        for _old, new, ref in parse_updates(stdin.splitlines()):
            if new == "0" * len(new):
                continue  # a deletion brings nothing to check
            tip = git.peel_to_commit(new)
            if tip is None:
                continue  # a tag of a tree or a blob: no commit, no lines
            brought = git.rev_list([new, "--not", "--all"])
            if not brought:
                continue  # nothing new: the server accepted all of it before
            effective = effective_policy(
                server,
                git.blob_at(tip, POLICY_FILE, limit=MAX_POLICY_BYTES),
                shown_as=f"{ref}:{POLICY_FILE}",
            )
            outcome.findings.extend(effective.findings)
            policies[ref] = effective.policy
            if effective.policy.limits.max_seconds <= min(
                p.limits.max_seconds for p in policies.values()
            ):  # the strictest deadline of the refs pushed
                deadline.watch(
                    outcome, effective.policy, opts.format, sys.stderr, "push", headline=True
                )
            brought_by[ref] = (tip, brought)
            for sha in brought:
                if sha not in ref_of:
                    ref_of[sha] = ref
                    order.append(sha)
        touched = check_commits(order, lambda sha: policies[ref_of[sha]], outcome, ref_of)
        for ref, (tip, brought) in brought_by.items():
            # infrastructure: the tree each ref will point at, and what its commits touch
            paths = set().union(*(touched.get(sha, set()) for sha in brought))
            check_tree(GitTree(tip), paths, policies[ref], outcome, f"{ref} at {tip[:12]}")
        with deadline.lock:
            deadline.disarm()
            render(outcome, opts.format, sys.stderr, door="push", with_headline=True)
            sys.stderr.flush()
        return outcome.exit_code

    return guarded(work, server, "git pre-receive")
