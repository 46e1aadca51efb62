"""``regime fix [PATH...]``: fix the tabs (WS101) and trailing whitespace (WS102) that
the checks report.

Without PATH: the lines the staged change ADDS, as ``regime staged`` reports them
(the engine's WS101/WS102 findings give each file and line, so only active rules
fix, and only files their filters and the .editorconfig files select), in the index
and in the work tree. Old lines are never touched (``git apply --whitespace=fix``
for a commit). A file with unstaged edits keeps them: its work tree copy gets the
fix only on the lines a line diff shows to be the same as the fixed lines of the
index (regime.fix.carry_over); an edited line is left as the user has it.

With PATH: every line of those files (folders: the files git tracks there, or every
file under a folder outside git), in the work tree only.

Never fixed: binary files, symbolic links (a link is never followed to its target,
neither in the index nor in the work tree), submodules, files over the size limit.
Exit status 1 when something was changed (as pre-commit fixers do), 0 when there was
nothing to do.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from regime import editorconfig
from regime.changeset import ChangedFile, ChangeSet
from regime.engine import Outcome, check_changeset
from regime.fix import DEFAULT_TAB_WIDTH, Fixed, carry_over, fix_lines
from regime.hooks.base import Options, UsageError, git_root_or_cwd, policy_for
from regime.policy.model import Policy
from regime.sources import git, tree
from regime.sources.process import ProducerError, TooBig

_CODES = ("WS101", "WS102")


@dataclass(slots=True)
class _Report:
    lines: list[str] = field(default_factory=list)
    fixed_lines: int = 0
    files: set[str] = field(default_factory=set)
    index: bool = False

    def fixed(self, path: str, changes: Iterable[Fixed], where: str = "") -> None:
        for f in changes:
            self.lines.append(f"{path}:{f.line}: fixed {', '.join(f.codes)}: {f.what}{where}")
            self.fixed_lines += 1
            self.files.add(path)

    def note(self, text: str) -> None:
        self.lines.append(text)


def _wanted(findings: Iterable[object]) -> dict[str, dict[int, set[str]]]:
    """The file and line of each WS101/WS102 finding, with the rules found there."""
    out: dict[str, dict[int, set[str]]] = {}
    for f in findings:
        code, path, line = getattr(f, "code", ""), getattr(f, "path", ""), getattr(f, "line", 0)
        if code in _CODES and line > 0:
            out.setdefault(path, {}).setdefault(line, set()).add(code)
    return out


def tab_width(policy: Policy, path: str) -> int:
    """The tab stop for ``path``: the .editorconfig files' tab_width (or indent_size),
    else the policy's ``rules.WS101.tab_width``, else 8 (git's tabwidth)."""
    if policy.editorconfigs is not None:
        width = policy.editorconfigs.settings(path).tab_width
        if width is not None:
            return width
    return policy.rule("WS101").tab_width or DEFAULT_TAB_WIDTH


def run(paths: Sequence[str], opts: Options, *, pre_commit: bool = False) -> int:
    """``pre_commit``: run as the pre-commit framework's ``regime-fix`` hook, which
    passes the files to fix. A file with a staged change gets its added lines fixed
    in the WORK TREE only, and a file with nothing staged (``--all-files``) is fixed
    whole, in the work tree.

    Why not the index under pre-commit: pre-commit has stashed the unstaged edits and
    checked the index out, so the work tree holds what is staged; it tells a hook
    changed something by the work tree differing from the index, and after the hooks
    it puts the stashed edits back, or, when they conflict with a hook's fixes,
    throws the fixes away with ``git checkout -- .`` (from the index) and applies the
    edits again. A fixed index would hide the change from pre-commit's "files were
    modified by this hook", would commit fixes the user never saw on the next
    ``git commit``, and would make that rollback fail (the edits no longer apply to
    the index's copy). Fixing the work tree alone is what every pre-commit fixer
    does: the user reviews the fixes and ``git add``s them."""
    if pre_commit:
        state = git.work_tree()  # one rev-parse: the top, HEAD, a merge in progress
        root = state.root
        policy = policy_for(opts, root)
        staged = git.staged_names(paths, head=state.has_head) if paths else set()
        whole = [p for p in paths if p not in staged]
        report = _Report()
        if staged:
            _fix_staged(state, policy, staged.__contains__, report, index=False)
        if whole:
            _fix_whole(root, [os.path.join(root, p) for p in whole], policy, report)
        return _finish(report, pre_commit=True)
    if paths:
        root = git_root_or_cwd()
        policy = policy_for(opts, root)
        report = _Report()
        _fix_whole(root, paths, policy, report)
        return _finish(report)
    state = git.work_tree()
    policy = policy_for(opts, state.root)
    report = _Report(index=True)
    _fix_staged(state, policy, None, report, index=True)
    return _finish(report)


def _finish(report: _Report, *, pre_commit: bool = False) -> int:
    out = sys.stdout
    for line in report.lines:
        out.write(line + "\n")
    if not report.fixed_lines:
        out.write("regime fix: nothing to fix\n")
        return 0
    n, m = report.fixed_lines, len(report.files)
    where = "the index and the work tree" if report.index else "the work tree"
    then = (
        "review them with `git diff --cached` and commit"
        if report.index
        else "review them with `git diff` and `git add` them"
    )
    out.write(
        f"regime fix: fixed {n} line{'s' if n > 1 else ''} in {m} file{'s' if m > 1 else ''} "
        f"({where}): {then}\n"
    )
    if pre_commit:
        out.write(
            "regime fix: if pre-commit says next that the stashed changes conflicted and "
            "rolls the fixes back, unstaged edits touch these lines: run `regime fix` by "
            "itself (it fixes the index, and the work tree where your edits allow) and "
            "commit again\n"
        )
    return 1


def _fix_staged(
    state: git.WorkTree,
    policy: Policy,
    only: Callable[[str], bool] | None,
    report: _Report,
    *,
    index: bool,
) -> None:
    """The staged lines the checks report, fixed in the index (``index``) and in the
    work tree (carried over to the lines that are the same there)."""
    from regime.diff.reader import changed_files

    root = state.root
    limit = policy.limits.max_file_size
    outcome = Outcome()
    with git.BlobSizes(root) as sizes:
        policy = editorconfig.apply(policy, editorconfig.git_reader(sizes, None))
        with git.staged_diff(cwd=root, state=state, limit=limit) as stream:
            files = changed_files(stream, only, limit)
            contents = git.GitContents(sizes, None)
            check_changeset(ChangeSet(files=files, contents=contents), policy, outcome)
        wanted = _wanted(outcome.findings)
        entries: list[tuple[str, str, str]] = []  # (mode, blob, path) for the index
        for path, lines in sorted(wanted.items()):
            mode = sizes.mode(None, path)
            if mode not in ("100644", "100755"):  # a link, a submodule: never fixed
                report.note(f"{path}: not a regular file in the index: left alone")
                continue
            try:
                before = sizes.read(f":{path}", limit)
            except TooBig:
                continue
            if before is None:
                continue
            width = tab_width(policy, path)
            after, changes = fix_lines(before, lines, width)
            if not changes:
                continue
            carried = _fix_work_file(root, path, before, changes, width)
            if index:
                entries.append((mode, _write_blob(root, after), path))
                report.fixed(path, changes)
                if carried is not None and len(carried) < len(changes):
                    report.note(
                        f"{path}: {len(changes) - len(carried)} of the lines fixed in the "
                        "index have unstaged edits in the work tree: left as they are there"
                    )
                elif carried is None:
                    report.note(f"{path}: fixed in the index only (the work tree copy is "
                                "not a regular file, or is gone)")  # fmt: skip
            elif carried:
                report.fixed(path, carried)
        if entries:
            _update_index(root, entries)


def _fix_work_file(
    root: str, path: str, index_before: bytes, changes: Sequence[Fixed], width: int
) -> list[Fixed] | None:
    """The fixes of the index's copy made to the same lines of the work tree's copy;
    None when there is no regular file there (a link is never followed)."""
    full = os.path.join(root, path)
    if not editorconfig.folders_are_real(root, path):
        return None
    try:
        work = tree.read_regular(full)
    except OSError:
        return None
    if work is None:
        return None
    after, carried = carry_over(index_before, work, changes, width)
    if carried:
        _replace(full, after)
    return carried


def _fix_whole(root: str, paths: Sequence[str], policy: Policy, report: _Report) -> None:
    """Every line of the files ``paths`` (as given on the command line), in place."""
    names: list[tuple[str, str]] = []  # (on disk, repository-relative)
    for given in paths:
        if os.path.islink(given):
            report.note(f"{given}: a symbolic link: not followed, left alone")
            continue
        if not _no_link_on_the_way(os.path.abspath(given), root):
            report.note(f"{given}: a symbolic link on the way: not followed, left alone")
            continue
        if not os.path.lexists(given):
            raise UsageError(f"{given}: no such file or directory")
        full = os.path.abspath(given)
        if os.path.isdir(full):
            for rel in _files_under(full):
                names.append((os.path.join(full, rel), _relative(os.path.join(full, rel), root)))
        else:
            names.append((full, _relative(full, root)))
    policy = editorconfig.apply(policy, editorconfig.disk_reader(root))
    limit = policy.limits.max_file_size
    files: list[ChangedFile] = []
    for full, rel in names:
        changed = tree.whole_file(full, rel, limit=limit)
        if changed is not None:
            files.append(changed)
    outcome = Outcome()
    check_changeset(ChangeSet(files=files), policy, outcome)
    wanted = _wanted(outcome.findings)
    for full, rel in names:
        lines = wanted.get(rel)
        if not lines:
            continue
        if not _no_link_on_the_way(full, root):  # a folder swapped for a link meanwhile
            continue
        data = tree.read_regular(full)
        if data is None:
            continue
        width = tab_width(policy, rel)
        after, changes = fix_lines(data, lines, width)
        if changes:
            _replace(full, after)
            report.fixed(rel, changes)


def _no_link_on_the_way(full: str, root: str) -> bool:
    """Whether no folder between the work tree's top (or the current folder, for a
    file outside it) and ``full`` is a symbolic link."""
    for base in (root, os.getcwd()):
        rel = os.path.relpath(full, base)
        if rel != ".." and not rel.startswith(".." + os.sep):
            return editorconfig.folders_are_real(base, rel.replace(os.sep, "/"))
    return True


def _files_under(folder: str) -> list[str]:
    """The files to fix under a folder: those git tracks there (never a submodule's
    files), or, outside git, every regular file (links never followed)."""
    try:
        top = git.toplevel(cwd=folder)
    except (ProducerError, OSError):
        return list(tree.walk(folder))
    names = git.tracked_files(["."], cwd=folder)
    prefix = os.path.relpath(folder, top).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    return [n[len(prefix) :] for n in names if n.startswith(prefix)]


def _relative(full: str, root: str) -> str:
    return os.path.relpath(full, root).replace(os.sep, "/")


def _replace(path: str, data: bytes) -> None:
    """Write ``path`` anew, keeping its permissions: a temporary file in its folder
    renamed over it (a rename replaces the name, so a link put there meanwhile is
    replaced, never written through)."""
    mode = stat.S_IMODE(os.lstat(path).st_mode)
    folder = os.path.dirname(path) or "."
    import tempfile  # only when a file is written (its import costs every run 3 ms)

    fd, temp = tempfile.mkstemp(dir=folder, prefix=".regime-fix-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        if os.path.lexists(temp):
            os.unlink(temp)
        raise


def _write_blob(root: str, data: bytes) -> str:
    """The fixed content as a blob of the repository (as it is: no filter applies,
    it is the index's content already)."""
    import subprocess

    proc = subprocess.run(
        git.git("hash-object", "-w", "--stdin", "--no-filters"),
        cwd=root, input=data, capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise ProducerError(f"git hash-object: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout.decode("ascii").strip()


def _update_index(root: str, entries: Sequence[tuple[str, str, str]]) -> None:
    """The fixed blobs into the index, with their modes, all at once (-z: any name)."""
    import subprocess

    data = b"".join(
        f"{mode} {blob}\t".encode() + path.encode("utf-8", "surrogateescape") + b"\0"
        for mode, blob, path in entries
    )
    proc = subprocess.run(
        git.git("update-index", "-z", "--index-info"),
        cwd=root, input=data, capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise ProducerError(f"git update-index: {proc.stderr.decode('utf-8', 'replace').strip()}")
