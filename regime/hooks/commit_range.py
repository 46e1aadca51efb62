"""Check a list of commits, each on its own: shared by ``regime check --from/--to``
and the git pre-receive door, so CI and the server judge a commit the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from regime.diff.reader import commits
from regime.engine import Outcome, check_changeset
from regime.policy.model import Policy
from regime.sources import git
from regime.sources.process import ProducerError


def commit_label(sha: str, message: str, ref: str | None = None) -> str:
    """The header of a commit's findings: its id, the ref that brings it, its subject."""
    subject = next((x.strip() for x in message.split("\n") if x.strip()), "(no subject)")
    if len(subject) > 80:
        subject = subject[:77] + "..."
    where = f" on {ref}" if ref else ""
    return f"commit {sha[:12]}{where}: {subject}"


def check_commits(
    shas: Sequence[str],
    policy_for: Callable[[str], Policy],
    outcome: Outcome,
    refs: Mapping[str, str] | None = None,
) -> dict[str, set[str]]:
    """Check each commit once, in the order given: its message and the lines it adds
    (a merge: only what it introduces). All diffs come from one git process.
    Returns the paths each commit touches (for the checks of the tree after them).
    Every commit asked for must come back, once: git printing something else (an
    error on stdout, a stream cut short with exit status 0) is an internal error,
    never a pass."""
    touched: dict[str, set[str]] = {}
    if not shas:
        return touched
    wanted = set(shas)
    # each commit's files are held to its own policy's size limit; git (one process for
    # all) calls a file over the lowest binary, and that one is reported with it
    lowest = min(policy_for(sha).limits.max_file_size for sha in wanted)

    def limit_for(sha: str) -> int:
        return policy_for(sha).limits.max_file_size if sha in wanted else lowest

    with git.commit_diffs(shas, limit=lowest) as stream, git.BlobSizes() as sizes:
        for record, changeset in commits(stream, limit_for):
            changeset.contents = git.GitContents(sizes, record.sha)
            if record.sha not in wanted or record.sha in touched:
                raise ProducerError(
                    f"git diff-tree answered with commit {record.sha[:64]!r}, which was not "
                    "asked for (or twice): its output cannot be trusted"
                )
            ref = refs.get(record.sha) if refs else None
            changeset.label = commit_label(record.sha, record.message, ref)
            touched[record.sha] = check_changeset(changeset, policy_for(record.sha), outcome)
    missing = [sha for sha in shas if sha not in touched]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise ProducerError(
            f"git diff-tree did not show commit {missing[0]}{more}: "
            f"{len(touched)} of {len(shas)} commits were read, so the rest were not checked"
        )
    return touched
