"""Run the checks over change sets and gather the outcome.

This is the one place that knows which checks exist; doors hand it change sets,
reporters read its Outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from regime import undiffed
from regime.changeset import ChangedFile, ChangeSet, Contents, FileStatus
from regime.checks import log_message, whitespace
from regime.filetypes import FileType
from regime.findings import Finding
from regime.limits import NAMES_SHOWN, TimeLimit, too_big_finding, would_check
from regime.policy.model import Policy
from regime.sources.process import TooBig

if TYPE_CHECKING:
    from regime.changeset import Tree
    from regime.checks.infra import Prepared


NOT_SELECTED = "not selected by any rule"


@dataclass(slots=True)
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    commits: int = 0
    # files of the change no rule looked at, by why (``not selected by any rule``,
    # ``binary``...): ``files`` less these were checked
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # limits.max_seconds counts from here (a door makes its Outcome as it starts)
    started: float = field(default_factory=time.monotonic)
    time_limit: TimeLimit | None = None  # set once limits.max_seconds is reached

    def out_of_time(self, policy: Policy) -> bool:
        """Whether limits.max_seconds has been reached (it stays reached once it is)."""
        return (
            self.time_limit is not None
            or time.monotonic() > self.started + policy.limits.max_seconds
        )

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1

    @property
    def checked(self) -> int:
        """The files of the change some rule looked at."""
        return self.files - sum(self.skipped.values())

    @property
    def blocking(self) -> int:
        return sum(1 for f in self.findings if f.blocking)

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0


def check_changeset(changeset: ChangeSet, policy: Policy, outcome: Outcome) -> set[str]:
    """Check one change (its files as they stream, then its message, then the tree
    after it when the change touches infrastructure files); return the paths it touches.

    Once limits.max_seconds is reached the files are still read to their end (so git
    or svnlook finishes normally, and every file not checked is counted) but no
    longer checked: LIM002 says what was passed over. The clock is read once a file."""
    if changeset.label is not None:
        outcome.commits += 1
    add = outcome.findings.append
    context = changeset.label
    unreadable = policy.rule("DIFF001")
    touched: set[str] = set(changeset.also_touched)
    early = None
    tree, told = changeset.tree, changeset.touched_early
    if tree is not None and told is not None and infra_checks_run(told, policy):
        early = _EarlyRead(tree, policy)
    for changed in changeset.files:
        outcome.files += 1
        touched.add(changed.path)
        if changed.old_path is not None:
            touched.add(changed.old_path)
        if outcome.out_of_time(policy):
            _passed_over(outcome, policy, context, path=changed.path)
            outcome.skip("over the time limit")
            continue
        typed = FileType.of(changed, changeset.contents)
        if changed.too_big is not None:
            if would_check(changed.path, policy, typed):
                size, limit = changed.too_big
                where = "file" if changed.status is FileStatus.WHOLE else "diff"
                add(too_big_finding(changed.path, size, limit, policy, where, context))
                outcome.skip("over the size limit")
            else:
                outcome.skip(NOT_SELECTED)
            continue
        if changed.problem is not None:
            if unreadable.active:
                what = (
                    f"not checked: {changed.problem}"
                    if changed.status is FileStatus.WHOLE
                    else f"this file's diff could not be read ({changed.problem}); "
                    "its added lines were not checked"
                )
                add(
                    Finding(
                        changed.path, changed.problem_line, 0, "DIFF001", what,
                        unreadable.severity, None, context,
                    )
                )  # fmt: skip
            outcome.skip("unreadable")
            continue
        if changed.link:  # its "content" is where it points: no line rule reads it
            outcome.skip("a symbolic link")
            continue
        if not would_check(changed.path, policy, typed):
            # git calls a text file over the size limit binary too: its first bytes,
            # when they were read for its type, tell
            binary = changed.binary and (typed.found is None or "binary" in typed.found)
            outcome.skip("binary" if binary else NOT_SELECTED)
            continue
        if changeset.contents is not None and undiffed.needs_content(changed, policy, typed):
            _check_undiffed(changed, changeset.contents, policy, outcome, context, typed)
            continue
        if changed.binary:
            outcome.skip("binary")
            continue
        outcome.findings.extend(whitespace.check_file(changed, policy, context, typed=typed))
    if changeset.message is not None:
        if outcome.out_of_time(policy):
            _passed_over(outcome, policy, context, message=True)
        else:
            outcome.findings.extend(
                log_message.check_message(
                    changeset.message, policy, changeset.message_path, context
                )
            )
    if changeset.tree is not None:
        check_tree(
            changeset.tree, None if changeset.all_touched else touched, policy, outcome,
            early=early,
        )  # fmt: skip
    if policy.editorconfigs is not None:  # a malformed .editorconfig the files met (POL002)
        outcome.findings.extend(policy.editorconfigs.take_findings(context))
    return touched


def _check_undiffed(
    changed: ChangedFile,
    contents: Contents,
    policy: Policy,
    outcome: Outcome,
    context: str | None,
    typed: FileType,
) -> None:
    """A file whose diff does not say what the rules are to see (regime/undiffed.py),
    checked from its whole content. One over the size limit (git calls such a file
    binary: it is given the limit as core.bigFileThreshold) is LIM001 when a rule
    would look at it, unless its start shows that it is binary indeed."""
    try:
        shown = undiffed.views(changed, contents, policy, typed)
    except TooBig as big:
        if b"\0" not in big.head:
            limit = policy.limits.max_file_size
            outcome.findings.append(
                too_big_finding(changed.path, big.size, limit, policy, "file", context)
            )
            outcome.skip("over the size limit")
        else:
            outcome.skip("binary")
        return
    if not shown:
        outcome.skip("binary")
    for view, only in shown:
        outcome.findings.extend(whitespace.check_file(view, policy, context, only, typed=typed))


def _passed_over(
    outcome: Outcome,
    policy: Policy,
    context: str | None,
    *,
    path: str | None = None,
    message: bool = False,
    tree: bool = False,
) -> None:
    """Count what is not checked because limits.max_seconds was reached, in the one
    LIM002 finding of the run (made at the first thing passed over, named after it)."""
    limit = outcome.time_limit
    if limit is None:
        limit = outcome.time_limit = TimeLimit(policy.limits.max_seconds, len(outcome.findings))
        where = path if path is not None else "<log message>" if message else "<tree>"
        outcome.findings.append(
            Finding(where, 0, 0, "LIM002", "", policy.limits.severity, None, context)
        )
    if path is not None:
        limit.file_count += 1
        if len(limit.files) < NAMES_SHOWN:
            limit.files.append(path)
    limit.messages += message
    limit.trees += tree
    first = outcome.findings[limit.index]
    outcome.findings[limit.index] = replace(first, message=limit.message(policy.source))


def infra_checks_run(touched: Iterable[str] | None, policy: Policy) -> bool:
    """Whether the infrastructure checks run for a change touching ``touched`` (None:
    every file counts): some of their rules are on and it touches one of their files."""
    if not policy.active_rules()[1]:
        return False
    return touched is None or any(policy.infra.is_infra(p) for p in touched)


def _through_links(tree: Tree, touched: set[str] | None, policy: Policy) -> bool:
    """Whether a change that touches no infrastructure file changes one through a
    link: ``etc/xen/b.cfg -> ../xen-off/b.conf.txt`` is changed by an edit of the
    target (asked of the tree only when some infrastructure rule is on)."""
    if touched is None or not infra_checks_run(None, policy):
        return False
    from regime.sources.links import leads_through

    return leads_through(tree, touched, policy.infra.is_infra)


class _EarlyRead:
    """The tree's infrastructure files read and parsed in a thread while the diff
    streams: the diff's producer (git) works on one core and regime waits for its
    output much of the time, which this reading fills. Anything it raises is raised
    again where its result is taken, so a failure still fails closed."""

    def __init__(self, tree: Tree, policy: Policy) -> None:
        import threading

        self._tree, self._policy = tree, policy
        self._result: tuple[Prepared, list[tuple[str, int]]] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="regime-infra", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = _read_infra(self._tree, self._policy)
        except BaseException as exc:  # handed to the main thread by result()
            self._error = exc

    def result(self) -> tuple[Prepared, list[tuple[str, int]]]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _read_infra(tree: Tree, policy: Policy) -> tuple[Prepared, list[tuple[str, int]]]:
    """Every infrastructure file of the tree, parsed (a link as its target, inside the
    tree: regime.sources.links); and those over the size limit."""
    from regime.checks.infra import prepare_infra
    from regime.sources.links import read_links

    infra = policy.infra
    paths = [p for p in tree.paths() if infra.is_infra(p)]
    too_big: list[tuple[str, int]] = []
    limit = policy.limits.max_file_size
    files = dict(tree.read_many(paths, limit, too_big))
    links = read_links(tree, paths, files, infra.is_infra, _infra_kind(policy), limit, too_big)
    present = [*paths, *(f.link for f in links.read + links.aliases + links.broken)]
    return prepare_infra(files, policy, links, present), too_big


def _infra_kind(policy: Policy) -> Callable[[str], tuple[bool, bool, bool]]:
    """What the infrastructure checks read a path as (a link to a file read as the
    same is the same file, not a second one)."""
    infra = policy.infra
    return lambda p: (infra.is_guest_config(p), infra.is_rt_tables(p), infra.is_table_script(p))


def check_tree(
    tree: Tree,
    touched: set[str] | None,
    policy: Policy,
    outcome: Outcome,
    context: str | None = None,
    *,
    early: _EarlyRead | None = None,
) -> None:
    """The infrastructure checks over a whole tree. They read every infrastructure file
    (a duplicate needs both sides), so they run only when the change touches one
    (``touched`` None: every file counts, as in CI tree mode). ``early``: the tree
    already being read (the change said early which files it touches)."""
    if not infra_checks_run(touched, policy) and not _through_links(tree, touched, policy):
        return
    if outcome.out_of_time(policy):
        _passed_over(outcome, policy, context, tree=True)
        return
    from regime.checks.infra import judge_infra

    prepared, too_big = early.result() if early is not None else _read_infra(tree, policy)
    if too_big:
        limit = policy.limits.max_file_size
        named = {f.path for f in outcome.findings if f.code == "LIM001"}
        for path, size in too_big:
            if path not in named:
                outcome.findings.append(too_big_finding(path, size, limit, policy, "tree", context))
    for finding in judge_infra(prepared, touched, policy):
        outcome.findings.append(replace(finding, context=context) if context else finding)


def check_all(changesets: Iterable[ChangeSet], policy: Policy) -> Outcome:
    outcome = Outcome()
    for changeset in changesets:
        check_changeset(changeset, policy, outcome)
    return outcome
