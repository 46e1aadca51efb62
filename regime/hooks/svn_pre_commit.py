"""``regime svn-pre-commit REPOS TXN``: Subversion's hooks/pre-commit door.

svn shows the committer only stderr, and only when the hook fails, so the report
goes to stderr and starts with one plain line saying the commit was blocked and
why, followed by every finding (not just the first).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from functools import partial
from itertools import chain

from regime import deadline, undiffed
from regime.changeset import ChangedFile, ChangeSet, FileStatus
from regime.diff.reader import changed_files
from regime.engine import Outcome, check_changeset, infra_checks_run
from regime.hooks.base import Options, policy_path
from regime.hooks.server_guard import guarded
from regime.policy.load import MAX_POLICY_BYTES, POLICY_FILE
from regime.policy.model import Policy
from regime.policy.server import effective_policy, load_server_policy, too_big_policy
from regime.report import render
from regime.sources.process import ProducerError, TooBig
from regime.sources.svn import Changes, Transaction, find_svnlook
from regime.sources.svn_contents import SvnContents
from regime.sources.trees import SvnTree


def run(
    repos: str, txn: str, opts: Options, *, svnlook: str | None = None, revision: bool = False
) -> int:
    server = load_server_policy(policy_path(opts.config))
    deadline.arm(server.limits.max_seconds)  # svnlook may hang before the rest is known

    def work() -> int:
        transaction = Transaction(repos, txn, find_svnlook(svnlook), revision=revision)
        try:
            effective = effective_policy(server, transaction.cat(POLICY_FILE, MAX_POLICY_BYTES))
        except TooBig:
            effective = too_big_policy(server)
        outcome = Outcome()
        outcome.findings.extend(effective.findings)
        deadline.watch(outcome, effective.policy, opts.format, sys.stderr, "commit", headline=True)
        message = transaction.log_message()
        changes = transaction.changes()
        seen: set[str] = set()
        tree = SvnTree(transaction, effective.policy.infra.is_infra)
        copied = _copied_files(changes, tree)
        touched = frozenset(changes.paths).union(copied)
        if infra_checks_run(touched, effective.policy):
            # the files of the tree the diff will not hand over are read meanwhile
            tree.read_ahead(changes.added, effective.policy.limits.max_file_size)
        with transaction.diff() as stream:
            limit = effective.policy.limits.max_file_size
            diffed = _noting(
                changed_files(stream, limit=limit),
                seen,
                tree,
                changes,
                _file_reader(transaction, limit),
                transaction.special,
            )
            changeset = ChangeSet(
                files=chain(diffed, _plain_copies(copied, changes, seen, effective.policy)),
                message=message,
                message_path="svn:log",
                tree=tree,
                also_touched=touched,
                contents=SvnContents(transaction, changes),
            )
            check_changeset(changeset, effective.policy, outcome)
        _all_shown(changes.shown, seen)
        with deadline.lock:
            deadline.disarm()
            render(outcome, opts.format, sys.stderr, door="commit", with_headline=True)
            sys.stderr.flush()
        return outcome.exit_code

    return guarded(work, server, "svn pre-commit")


def _noting(
    files: Iterator[ChangedFile],
    seen: set[str],
    tree: SvnTree,
    changes: Changes,
    read: Callable[[str], bytes | None],
    special: Callable[[str], bool],
) -> Iterator[ChangedFile]:
    """The files of the diff, noting each one seen, each copy with its source (the
    diff names none for a binary one, or a file in a copied folder); a file the
    transaction adds whole goes to the tree as well (its diff is its content), so it
    is not read again. A file the diff does not show whole can be read for its line
    numbers (svn counts a lone CR as a line end), when a check needs them. A symlink
    is not text (see :func:`_may_be_symlink`)."""
    for changed in files:
        seen.add(changed.path)
        if changed.old_path is None and (source := changes.copy_source(changed.path)):
            changed.old_path = source[0]
        if changed.numbering is not None:
            changed.numbering.read = partial(read, changed.path)
        if _may_be_symlink(changed) and special(changed.path):
            changed.binary = changed.link = True  # as the git door does for mode 120000
        yield changed
        if (
            changed.path in changes.added
            and not changed.binary
            and changed.problem is None
            and changed.too_big is None
        ):
            tree.keep(changed.path, changed.added_content())


def _copied_files(changes: Changes, tree: SvnTree) -> list[str]:
    """Every file the transaction copies or moves, also each file of a copied folder
    (``svnlook changed`` names only the folder): from the transaction's tree listing,
    asked for only when a folder is copied (the infrastructure checks list it anyway)."""
    if not changes.copied:
        return []
    copied = [p for p in changes.paths if changes.copy_source(p)]
    if any(target.endswith("/") for target, _, _ in changes.copied):
        copied += [p for p in tree.paths() if changes.copy_source(p)]
    return list(dict.fromkeys(copied))


def _plain_copies(
    copied: list[str], changes: Changes, seen: set[str], policy: Policy
) -> Iterator[ChangedFile]:
    """The copied files svnlook's diff does not show (copied or moved as they are)
    which a copy brings under a rule their source was not under: that rule sees
    every line of them (regime/undiffed.py)."""
    for path in copied:
        source = changes.copy_source(path)
        if path in seen or source is None:
            continue
        changed = ChangedFile(path=path, status=FileStatus.COPIED, old_path=source[0])
        if undiffed.new_rules(changed, policy):
            yield changed


def _may_be_symlink(changed: ChangedFile) -> bool:
    """Whether the file may be an svn symlink: svn stores one (a file with the
    svn:special property) as ``link TARGET``, with no newline, and the diff shows that
    as the file's one line. Only such a file costs a look at its properties (the diff
    does not show them); a file of runs always ends in a newline."""
    if changed.binary or changed.problem is not None or changed.too_big is not None:
        return False
    if changed.added_runs is not None or changed.pending is not None:
        return False
    added = changed.added
    return len(added) == 1 and not added[0].eol and added[0].text.startswith("link ")


def _file_reader(transaction: Transaction, limit: int) -> Callable[[str], bytes | None]:
    """``svnlook cat`` of a file of the transaction; None for one over the size limit
    (the diff's own numbers stand for it)."""

    def read(path: str) -> bytes | None:
        try:
            return transaction.cat(path, limit)
        except TooBig:
            return None

    return read


def _all_shown(expected: frozenset[str], seen: set[str]) -> None:
    """Every file whose content the transaction adds or changes must have been in
    the diff: if svnlook printed something else (garbage, an error on stdout, a
    diff cut short with exit status 0), the change was not checked."""
    missing = sorted(expected - seen)
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise ProducerError(
            f"`svnlook diff` did not show {missing[0]}{more}, which the transaction "
            "changes (`svnlook changed`): its output is not the diff of this transaction"
        )
