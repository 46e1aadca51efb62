"""``regime svn-pre-commit REPOS TXN``: Subversion's hooks/pre-commit door.

svn shows the committer only stderr, and only when the hook fails, so the report
goes to stderr and starts with one plain line saying the commit was blocked and
why, followed by every finding (not just the first).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain, groupby

from regime import deadline, editorconfig, undiffed
from regime.changeset import ChangedFile, ChangeSet, FileStatus
from regime.diff.reader import changed_files
from regime.engine import Outcome, check_changeset, check_tree, infra_checks_run
from regime.filetypes import FileType
from regime.hooks.base import Options, policy_path, report_to_server
from regime.hooks.server_guard import guarded
from regime.policy.load import MAX_POLICY_BYTES, POLICY_FILE
from regime.policy.model import Policy
from regime.policy.server import Effective, effective_policy, load_server_policy, too_big_policy
from regime.sources.process import Background, ProducerError, Stream, TooBig
from regime.sources.svn import Changes, Transaction, find_svnlook
from regime.sources.svn_contents import SvnContents
from regime.sources.svn_roots import RootTree, policy_file, svn_root
from regime.sources.trees import SvnTree


def run(
    repos: str, txn: str, opts: Options, *, svnlook: str | None = None, revision: bool = False
) -> int:
    server = load_server_policy(policy_path(opts.config))
    deadline.arm(server.limits.max_seconds)  # svnlook may hang before the rest is known

    def work() -> int:
        transaction = Transaction(repos, txn, find_svnlook(svnlook), revision=revision)
        # svnlook writes the diff and reads the log message meanwhile (the pipe holds a
        # MB of diff): it waited for `svnlook changed` and the policies before
        message = Background(transaction.log_message)
        with transaction.diff() as stream:
            outcome, rest = check(transaction, stream, message)
        rest()  # once the diff has ended well (svnlook's exit status)
        return report_to_server(outcome, opts, "commit")

    def check(
        transaction: Transaction, stream: Stream, message: Background[str]
    ) -> tuple[Outcome, Callable[[], None]]:
        """The files of the diff, checked as they stream; and what is left to check
        once svnlook has ended well (the message, the trees, that it showed every
        file: a diff cut short by a killed svnlook is said as that, not as files it
        did not show)."""
        outcome = Outcome()
        changes = transaction.changes()
        # trunk and each branch and tag are trees of their own, each with its policy
        policies = _policies(server, transaction, {svn_root(p) for p in changes.paths})
        for effective in {id(e): e for e in policies.values()}.values():
            outcome.findings.extend(effective.findings)
        # the .editorconfig files of the transaction (on a server they only tighten)
        read = editorconfig.svn_reader(transaction)
        by_root = {
            root: editorconfig.apply(effective.policy, read) for root, effective in policies.items()
        }

        def root_policy(root: str) -> Policy:
            if root not in by_root:  # a file of the diff `svnlook changed` did not list
                policy = _policies(server, transaction, {root})[root].policy
                by_root[root] = editorconfig.apply(policy, read)
            return by_root[root]

        def policy_of(path: str) -> Policy:
            return root_policy(svn_root(path))

        # the strictest deadline of the trees the commit touches
        strictest = min(by_root.values(), key=lambda policy: policy.limits.max_seconds)
        deadline.watch(outcome, strictest, opts.format, sys.stderr, "commit", headline=True)
        limit = min(policy.limits.max_file_size for policy in by_root.values())
        tree = SvnTree(transaction, lambda p: policy_of(p).infra.is_infra(p))
        copied = _copied_files(changes, tree)
        touched = _by_root([*changes.paths, *copied])
        if any(infra_checks_run(touched[root], root_policy(root)) for root in touched):
            # the files of the tree the diff will not hand over are read meanwhile
            tree.read_ahead(changes.added, limit)
        seen: set[str] = set()
        contents = SvnContents(transaction, changes)
        diffed = _noting(
            changed_files(stream, limit=limit),
            seen,
            tree,
            changes,
            _file_reader(transaction, limit),
            transaction.special,
        )
        files = chain(diffed, _plain_copies(copied, changes, seen, policy_of, contents))
        # svnlook diff shows a tree's files one after another: one check a run
        for root, run in groupby(files, key=lambda changed: svn_root(changed.path)):
            changeset = ChangeSet(files=run, contents=contents)
            for path in check_changeset(changeset, root_policy(root), outcome):
                touched.setdefault(svn_root(path), set()).add(path)

        def rest() -> None:
            _check_message(message.result(), list(by_root.values()), outcome)
            for root, paths in sorted(touched.items()):
                check_tree(RootTree(tree, root), paths, root_policy(root), outcome)
            _all_shown(changes.shown, seen)

        return outcome, rest

    return guarded(work, server, "svn pre-commit")


def _policies(server: Policy, transaction: Transaction, roots: set[str]) -> dict[str, Effective]:
    """The policy of each root: the server's, tightened by the ``.regime.yaml`` at the
    top of the root (``trunk/.regime.yaml``, ``branches/x/.regime.yaml``), or by the
    one at the top of the repository when the root has none. A file read for several
    roots is one Effective (its POL001 is reported once)."""
    read: dict[str, Effective | None] = {}

    def effective(path: str) -> Effective | None:
        if path not in read:
            try:
                data = transaction.cat(path, MAX_POLICY_BYTES)
            except TooBig:
                read[path] = too_big_policy(server, path)
            else:
                read[path] = None if data is None else effective_policy(server, data, path)
        return read[path]

    found = {}
    for root in roots or {""}:
        own = effective(policy_file(root, POLICY_FILE)) if root else None
        found[root] = own or effective(POLICY_FILE) or Effective(server)
    return found


def _by_root(paths: Iterable[str]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for path in paths:
        grouped.setdefault(svn_root(path), set()).add(path)
    return grouped


def _check_message(message: str, policies: Iterable[Policy], outcome: Outcome) -> None:
    """The log message belongs to the whole commit: the policy of every root it
    touches applies to it (a finding two of them make is reported once)."""
    for policy in {id(p): p for p in policies}.values():
        before = len(outcome.findings)
        check_changeset(
            ChangeSet(files=(), message=message, message_path="svn:log"), policy, outcome
        )
        new = outcome.findings[before:]
        del outcome.findings[before:]
        outcome.findings.extend(f for f in new if f not in outcome.findings[:before])


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
    copied: list[str],
    changes: Changes,
    seen: set[str],
    policy_of: Callable[[str], Policy],
    contents: SvnContents,
) -> Iterator[ChangedFile]:
    """The copied files svnlook's diff does not show (copied or moved as they are)
    which a copy brings under a rule their source was not under (by the name, or by
    the type of the copy: ``svn cp notes.txt etc/init.d/myservice``): that rule sees
    every line of them (regime/undiffed.py)."""
    for path in copied:
        source = changes.copy_source(path)
        if path in seen or source is None:
            continue
        changed = ChangedFile(path=path, status=FileStatus.COPIED, old_path=source[0])
        if undiffed.new_rules(changed, policy_of(path), FileType.of(changed, contents)):
            yield changed


def _may_be_symlink(changed: ChangedFile) -> bool:
    """Whether the file may be an svn symlink: svn stores one (a file with the
    svn:special property) as ``link TARGET``, with no newline, and the diff shows that
    as the file's one line. Only such a file costs a look at its properties (the diff
    does not show them); a file of runs always ends in a newline."""
    if changed.binary or changed.problem is not None or changed.too_big is not None:
        return False
    added = changed.added
    if added.diff:
        return False
    return added.data.startswith(b"link ") and b"\n" not in added.data


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
