"""``regime commit-msg MSGFILE``: the message git is about to commit."""

from __future__ import annotations

from regime.changeset import ChangeSet
from regime.engine import check_changeset
from regime.hooks.base import (
    Options,
    UsageError,
    git_root_or_cwd,
    policy_for,
    report,
    watched_outcome,
)
from regime.sources import git
from regime.sources.commit_message import clean_message, comment_prefix


def run(msgfile: str, opts: Options) -> int:
    try:
        with open(msgfile, "rb") as fh:
            raw = fh.read().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise UsageError(f"cannot read the message file {msgfile}: {exc.strerror}") from exc
    root = git_root_or_cwd()
    policy = policy_for(opts, root)
    configured = git.config_value("core.commentString") or git.config_value("core.commentChar")
    message = clean_message(raw, comment_prefix(raw, configured))
    outcome = watched_outcome(policy, opts, "message")
    check_changeset(ChangeSet(files=(), message=message, message_path=msgfile), policy, outcome)
    return report(outcome, opts, "message")
