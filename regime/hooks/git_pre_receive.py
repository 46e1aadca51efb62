"""``regime git-pre-receive``: the git server door (hooks/pre-receive).

git gives one ``OLD NEW REF`` line per ref on stdin, before any ref moves. The
commits a push brings are those reachable from a NEW and from no existing ref
(``rev-list NEW --not --all``): right for new branches and force pushes, where
OLD..NEW is not. A commit several refs bring is checked once, and the tree of a
commit several refs point at once; deletions and refs that bring no new commit
pass, but for a change to a replace ref (REF001). Every commit is checked on its
own, its message and the lines it adds (a merge only for what it introduces), all
diffs streamed by one git process; what the refs bring is found by a few git
processes for all of them (push_plan.py). Pushed objects sit in git's quarantine,
which git names in the environment: regime keeps the environment as it is for every
git it runs, adding only what turns replace refs and grafts off (sources/git.py).
The admin's files in the git folder (server_state.py) may mark legacy commits as
accepted, or let pushes through unchecked and logged in an emergency.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from regime import deadline, editorconfig
from regime.checks.refs import check_ref_update
from regime.engine import Outcome, check_tree
from regime.hooks import server_state
from regime.hooks.base import Options, policy_path, report_to_server
from regime.hooks.commit_range import check_commits
from regime.hooks.push_plan import plan_push
from regime.hooks.server_guard import guarded
from regime.policy.server import load_server_policy
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
        updates = parse_updates(stdin.splitlines())
        repo = server_state.git_dir()
        override = server_state.read_override(repo)
        if override is not None:
            path, reason = override
            if reason is not None:
                with deadline.lock:
                    deadline.disarm()
                    server_state.log_override(path, reason, updates, server)
                return 0
            sys.stderr.write(
                f"regime: {path} holds no reason on its first line, so the override is not "
                "honoured: the push is checked\n"
            )
        outcome = Outcome()
        plan = plan_push(updates, server, server_state.read_accepted(repo))
        # the strictest deadline of the refs pushed (a repository can only lower it)
        strictest = min(
            (info.policy for info in plan.tips.values()),
            key=lambda p: p.limits.max_seconds,
            default=server,
        )
        deadline.watch(outcome, strictest, opts.format, sys.stderr, "push", headline=True)
        for old, new, ref in updates:
            tip = plan.tip_of.get(ref)
            found = check_ref_update(old, new, ref, plan.tips[tip].policy if tip else server)
            if found is not None:
                outcome.findings.append(found)
        outcome.findings.extend(plan.findings)
        trees: dict[str, GitTree] = {}  # each listed once, for all that asks

        def tree_of(rev: str) -> GitTree:
            return trees.setdefault(rev, GitTree(rev))

        with git.BlobSizes() as blobs:
            # each commit with the .editorconfig files of its own tree (the pushed ones):
            # on a server they may only tighten (regime/editorconfig.py)
            # the commits pushed (peeled tips) and the old commits of the branches that
            # bring new ones; a push of nothing new lists no tree
            olds = [
                old
                for old, _, ref in updates
                if ref in plan.tip_of and old.strip("0") and ref.startswith("refs/heads/")
            ]
            ends = [tree_of(rev) for rev in [*plan.tips, *olds]] if plan.order else []
            policy_of = editorconfig.per_commit(plan.policy_of, blobs, ends)
            touched = check_commits(plan.order, policy_of, outcome, plan.ref_of)
        for tip, info in plan.tips.items():
            # infrastructure: the tree the refs will point at, once for all of them,
            # and what the commits it brings touch; once out of time that is not
            # looked for (a walk of all the tip's new commits), and check_tree counts
            # the tree as not checked whatever the commits touch (None: all of it)
            paths: set[str] | None = None
            if not outcome.out_of_time(info.policy):
                paths = set().union(*(touched.get(sha, ()) for sha in plan.brought(tip)))
            n = info.refs - 1
            more = f" and {n} more ref{'s' if n > 1 else ''}" if n else ""
            label = f"{info.ref}{more} at {tip[:12]}"
            check_tree(tree_of(tip), paths, info.policy, outcome, label)
        return report_to_server(outcome, opts, "push")

    return guarded(work, server, "git pre-receive")
