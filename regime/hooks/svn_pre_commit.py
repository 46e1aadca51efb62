"""``regime svn-pre-commit REPOS TXN``: Subversion's hooks/pre-commit door.

svn shows the committer only stderr, and only when the hook fails, so the report
goes to stderr and starts with one plain line saying the commit was blocked and
why, followed by every finding (not just the first).
"""

from __future__ import annotations

import sys

from regime.changeset import ChangeSet
from regime.diff.reader import changed_files
from regime.engine import Outcome, check_changeset
from regime.hooks.base import Options
from regime.hooks.server_guard import guarded
from regime.policy.load import POLICY_FILE
from regime.policy.server import effective_policy, load_server_policy
from regime.report import render
from regime.sources.svn import Transaction, find_svnlook
from regime.sources.trees import SvnTree


def run(
    repos: str, txn: str, opts: Options, *, svnlook: str | None = None, revision: bool = False
) -> int:
    server = load_server_policy(opts.config)

    def work() -> int:
        transaction = Transaction(repos, txn, find_svnlook(svnlook), revision=revision)
        effective = effective_policy(server, transaction.cat(POLICY_FILE))
        outcome = Outcome()
        outcome.findings.extend(effective.findings)
        message = transaction.log_message()
        with transaction.diff() as stream:
            changeset = ChangeSet(
                files=changed_files(stream),
                message=message,
                message_path="svn:log",
                tree=SvnTree(transaction),
                also_touched=frozenset(transaction.changed_paths()),
            )
            check_changeset(changeset, effective.policy, outcome)
        render(outcome, opts.format, sys.stderr, door="commit", with_headline=True)
        sys.stderr.flush()
        return outcome.exit_code

    return guarded(work, server, "svn pre-commit")
