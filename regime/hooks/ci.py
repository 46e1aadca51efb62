"""``regime check``: the CI lint step.

``--from A [--to B]``: every commit in A..B on its own (its message and the
lines it adds; a merge only for what it introduces itself).
``[PATH...]``: whole files, every line counts (the tracked files of a git work
tree, or every file under a plain directory). The PATHs decide whose lines are
checked; the infrastructure checks see the whole tree they are in (_tree_jobs).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

from regime import editorconfig
from regime.changeset import ChangedFile, ChangeSet
from regime.engine import Outcome, check_changeset, check_tree
from regime.hooks.base import (
    Options,
    UsageError,
    policy_for,
    report,
    report_unreadable,
    watched_outcome,
)
from regime.sources import git, tree
from regime.sources.process import ProducerError
from regime.sources.trees import FsTree, GitTree


def run_range(base: str, tip: str, opts: Options) -> int:
    # the diff reader only here: tree mode reads no diff (4 ms of its start-up)
    from regime.hooks.commit_range import check_commits

    root = git.toplevel()
    if base.strip("0") == "":
        raise UsageError(
            f"--from {base} is the zero id (a new branch): give the branch it starts from, "
            "e.g. --from origin/main"
        )
    try:
        base_id = git.resolve(base)
        tip_id = git.resolve(tip)
    except LookupError as exc:
        raise UsageError(
            f"{exc} (in a shallow CI clone, fetch more history: fetch-depth: 0)"
        ) from exc
    policy = policy_for(opts, root)
    outcome = watched_outcome(policy, opts, "change")
    tip_tree = GitTree(tip_id)  # listed once: its .editorconfig files, then its tree check
    with git.BlobSizes() as blobs:
        # each commit with the .editorconfig files of its own tree
        touched = check_commits(
            git.rev_list([tip_id, "--not", base_id]),
            editorconfig.per_commit(lambda _sha: policy, blobs, [GitTree(base_id), tip_tree]),
            outcome,
        )
    # the infrastructure checks look at the tree at the end of the range
    check_tree(tip_tree, set().union(*touched.values()), policy, outcome, f"tree of {tip}")
    if outcome.commits == 0:
        outcome.notes.append(f"no commits in {base}..{tip}")
    return report(outcome, opts, "change")


@dataclass(slots=True)
class _TreeJob:
    """One tree of ``regime check [PATH...]``: its root (where its policy is read and
    from which names are shown), whether it is a git work tree, and the PATHs the
    lines of which are checked, relative to the root with "/" (none: all of it)."""

    root: str
    in_git: bool
    selected: list[str] = field(default_factory=list)
    given: list[str] = field(default_factory=list)  # the PATHs as typed, for messages
    whole: bool = False  # a PATH is the root itself: every file counts


def _inside(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` ("/"-separated, "." for the root itself), or None
    when it is not under it. git gives its top resolved, so the current folder is
    resolved too; a link inside the path is not (``linkdir/x``, with linkdir a
    tracked link, is inside: a path through a link names no tracked file)."""
    top = os.path.realpath(root)
    for where in (os.path.join(os.path.realpath(os.getcwd()), path), os.path.realpath(path)):
        where = os.path.normpath(where)
        if where == top or where.startswith(top.rstrip(os.sep) + os.sep):
            return os.path.relpath(where, top).replace(os.sep, "/")
    return None


def _tree_jobs(paths: Sequence[str]) -> list[_TreeJob]:
    """Which tree each PATH belongs to. In a git work tree the tree is its top,
    wherever the command runs: the folder (or the PATHs) only decides which files'
    lines are checked; the infrastructure checks see the whole tree. A PATH outside
    the work tree the command runs in is found its own: another work tree, or a
    plain folder. Outside git, a folder given is a tree of its own, and a file
    belongs to the current folder's tree when it is inside it (else to its own
    folder's): there is no top to find, so the current folder stands for it."""
    here = os.getcwd()
    top = _git_top(here)
    if not paths:
        if top is None:
            return [_TreeJob(here, False, whole=True)]
        rel = _inside(here, top)
        if rel in (None, "."):
            return [_TreeJob(top, True, whole=True)]
        assert rel is not None
        return [_TreeJob(top, True, [rel], ["."])]
    jobs: dict[tuple[str, bool], _TreeJob] = {}
    for path in paths:
        folder = path if os.path.isdir(path) else os.path.dirname(path) or "."
        root = top if top is not None and _inside(path, top) is not None else None
        if root is None and not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or directory")
        if root is None and os.path.isdir(folder):
            root = _git_top(folder)
        if root is not None:
            job = jobs.setdefault((root, True), _TreeJob(root, True))
        elif os.path.isdir(path):
            job = jobs.setdefault((path, False), _TreeJob(path, False, whole=True))
        else:
            root = here if _inside(path, here) not in (None, ".") else folder
            job = jobs.setdefault((root, False), _TreeJob(root, False))
        rel = _inside(path, job.root)
        assert rel is not None
        job.given.append(path)
        if rel == ".":
            job.whole = True
        job.selected.append(rel)
    return list(jobs.values())


def _git_top(folder: str) -> str | None:
    """The top of the git work tree ``folder`` is in, or None; a folder git cannot
    be run in (no permission) is asked of through its parent."""
    try:
        return git.toplevel(cwd=folder)
    except ProducerError:
        return None
    except OSError:
        parent = os.path.dirname(os.path.abspath(folder))
        return None if parent == os.path.abspath(folder) else _git_top(parent)


def _tree_files(
    job: _TreeJob, infra: Callable[[str], bool], limit: int
) -> tuple[ChangeSet, FsTree]:
    """The change set of one tree: the selected files read whole, and the tree the
    infrastructure checks read (a duplicate needs both sides); unless every file
    counts, only what involves the selected files blocks."""
    if job.in_git:
        names = git.tracked_files([] if job.whole else job.selected, cwd=job.root)
        _all_matched(job, names)
        everything = names if job.whole else git.tracked_files(cwd=job.root)
        whole = FsTree(job.root, everything, infra, report_unreadable=True)
        files: Iterable[ChangedFile] = tree.whole_files(job.root, names, whole.keep, limit)
    elif job.whole:
        whole = FsTree(job.root, wanted=infra, report_unreadable=True)
        names = whole.paths()  # walks now, so the unreadable folders are known
        files = chain(
            tree.whole_files(job.root, names, whole.keep, limit, listed=True),
            tree.unreadable_folders(whole.unreadable),
        )
    else:
        names = job.selected
        whole = FsTree(job.root, wanted=infra, report_unreadable=True)  # walked if needed
        files = tree.whole_files(job.root, names, whole.keep, limit)
    changeset = ChangeSet(
        files=files, tree=whole, also_touched=frozenset(names), all_touched=job.whole
    )
    return changeset, whole


def _all_matched(job: _TreeJob, names: Sequence[str]) -> None:
    """In a git work tree a PATH must name tracked files: a typing error must not
    pass as "no problems in 0 files"."""
    for path, rel in zip(job.given, job.selected, strict=True):
        if rel == ".":
            continue
        under = rel.rstrip("/") + "/"
        if not any(name == rel or name.startswith(under) for name in names):
            raise UsageError(
                f"{path}: no file git tracks is there (in a git work tree, regime check "
                "checks the tracked files; `git add` it first, or check a folder outside git)"
            )


def _no_links(paths: Sequence[str]) -> None:
    """A PATH that is a symlink is refused, like every symlink inside a tree: regime
    never follows one. A FIFO, socket or device is not a file to check."""
    for path in paths:
        if os.path.islink(path):
            target = os.readlink(path)
            raise UsageError(
                f"{path} is a symbolic link (to {target}); regime never follows links: "
                "give the path it points to"
                + (f", or {path}/ for the folder" if os.path.isdir(path) else "")
            )
        kind = _special_kind(path)
        if kind:
            raise UsageError(f"{path} is {kind}, not a file or folder to check")


def _special_kind(path: str) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return kind
    return None


def run_tree(paths: Sequence[str], opts: Options) -> int:
    _no_links(paths)
    jobs = _tree_jobs(paths)
    policies = [policy_for(opts, job.root) for job in jobs]
    # the strictest deadline of the trees checked
    strictest = min(policies, key=lambda policy: policy.limits.max_seconds, default=None)
    outcome = Outcome() if strictest is None else watched_outcome(strictest, opts, "tree")
    for job, policy in zip(jobs, policies, strict=True):
        changeset, files = _tree_files(job, policy.infra.is_infra, policy.limits.max_file_size)
        policy = editorconfig.apply(policy, editorconfig.disk_reader(job.root))
        check_changeset(changeset, policy, outcome)
        report_unreadable(files, outcome, policy)
    return report(outcome, opts, "tree")
