"""``regime install`` / ``regime uninstall``: write the hook scripts of each door.

Every script calls this installation of regime by absolute path (a Subversion hook
runs with an empty environment, no PATH). An existing hook that is not regime's is
never overwritten silently: regime refuses, or with --force keeps a backup and says
where. Installing twice is harmless; uninstalling puts a backed-up hook back.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from regime import __version__
from regime.hooks.base import UsageError

MARKER = "# regime-hook:"
BACKUP_SUFFIX = ".regime-backup"


@dataclass(frozen=True, slots=True)
class HookFile:
    path: str
    content: str


def _command(*args: str) -> str:
    """This Python running regime, quoted for sh."""
    return " ".join(shlex.quote(a) for a in (sys.executable, "-m", "regime", *args))


def _script(kind: str, body: str, undo: str) -> str:
    return (
        "#!/bin/sh\n"
        f"{MARKER} {kind}\n"
        f"# Written by regime {__version__} (`regime install`). `{undo}` removes it.\n"
        f"{body}\n"
    )


def svn_hooks(repos: str, policy: str | None, svnlook: str, utf8: bool = False) -> list[HookFile]:
    repos = os.path.abspath(repos)
    if not (
        os.path.isfile(os.path.join(repos, "format"))
        and os.path.isdir(os.path.join(repos, "hooks"))
    ):
        raise UsageError(
            f"{repos} is not a Subversion repository (no format file and hooks/ folder)"
        )
    args = ["svn-pre-commit", "--svnlook", svnlook]
    if utf8:
        args += ["--output", "utf-8"]
    if policy:
        args += ["--config", policy]
    body = (
        "# svn runs hooks with an empty environment: the locale is set here and every\n"
        "# program is called by absolute path.\n"
        "LC_ALL=C.UTF-8\nexport LC_ALL\n"
        f'exec {_command(*args)} "$1" "$2"'
    )
    undo = f"regime uninstall svn {shlex.quote(repos)}"
    return [
        HookFile(os.path.join(repos, "hooks", "pre-commit"), _script("svn pre-commit", body, undo))
    ]


def git_server_hooks(repo: str, policy: str | None, prefix: str | None) -> list[HookFile]:
    hooks = _git_hooks_dir(repo)
    args = ["git-pre-receive"]
    if policy:
        args += ["--config", policy]
    if prefix is not None:
        args += ["--prefix", prefix]
    undo = f"regime uninstall git-server {shlex.quote(os.path.abspath(repo))}"
    body = f"exec {_command(*args)}"
    return [HookFile(os.path.join(hooks, "pre-receive"), _script("git pre-receive", body, undo))]


def accept_commits(repo: str, existing: bool, lists: Sequence[str]) -> None:
    """Record commits as accepted for REPO's pre-receive hook (server_state.py): with
    EXISTING every commit its refs reach now (``git rev-list --all``), and the commit
    ids of each file of LISTS (``-``: stdin), e.g. ``git rev-list --all`` of the legacy
    repository whose history is to be pushed. Every list is read and checked before
    anything is written, so a bad line changes nothing."""
    import subprocess

    from regime.hooks import server_state
    from regime.sources.git import git

    _git_hooks_dir(repo)  # a git repository, or a clear error
    gdir = (
        subprocess.run(
            git("rev-parse", "--absolute-git-dir"), cwd=repo, capture_output=True, check=True
        )
        .stdout.decode("utf-8", "surrogateescape")
        .strip()
    )
    ids: list[str] = []
    for name in lists:
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="ascii", errors="replace") as fh:
                    text = fh.read()
        except OSError as err:
            raise UsageError(f"{name}: cannot read it: {err.strerror}") from err
        ids += server_state.parse_ids(text, "<stdin>" if name == "-" else name)
    if existing:
        proc = subprocess.run(git("rev-list", "--all"), cwd=repo, capture_output=True, check=False)
        if proc.returncode != 0:
            raise UsageError(
                f"git rev-list --all failed in {repo}: "
                + proc.stderr.decode("utf-8", "replace").strip()
            )
        ids += proc.stdout.decode("ascii", "replace").split()
    path, added, total = server_state.record_accepted(gdir, ids)
    print(f"regime: {added} commits recorded as accepted in {path} ({total} in all)")


def git_client_hooks(repo: str) -> list[HookFile]:
    hooks = _git_hooks_dir(repo)
    undo = f"regime uninstall git {shlex.quote(os.path.abspath(repo))}"
    return [
        HookFile(
            os.path.join(hooks, "pre-commit"),
            _script("git pre-commit", f"exec {_command('staged')}", undo),
        ),
        HookFile(
            os.path.join(hooks, "commit-msg"),
            _script("git commit-msg", f'exec {_command("commit-msg")} "$1"', undo),
        ),
    ]


def _git_hooks_dir(repo: str) -> str:
    import subprocess

    from regime.sources.git import git

    if not os.path.isdir(repo):
        raise UsageError(f"{repo}: no such folder")
    proc = subprocess.run(
        git("rev-parse", "--path-format=absolute", "--git-path", "hooks"),
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise UsageError(
            f"{repo} is not a git repository: {proc.stderr.decode(errors='replace').strip()}"
        )
    return proc.stdout.decode("utf-8", "surrogateescape").strip()


def _is_ours(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(512)
    except OSError:
        return False
    return MARKER in head


def _backup_name(path: str) -> str:
    candidate = path + BACKUP_SUFFIX
    n = 1
    while os.path.lexists(candidate):
        n += 1
        candidate = f"{path}{BACKUP_SUFFIX}.{n}"
    return candidate


def install(files: Sequence[HookFile], force: bool) -> int:
    # Decide for every file first, so a refusal changes nothing at all.
    for hook in files:
        if os.path.lexists(hook.path) and not _is_ours(hook.path) and not force:
            raise UsageError(
                f"{hook.path} exists and is not regime's; nothing was changed. "
                "Merge it by hand, or use --force to replace it (a backup is kept)"
            )
    for hook in files:
        os.makedirs(os.path.dirname(hook.path), exist_ok=True)
        if os.path.lexists(hook.path):
            with open(hook.path, encoding="utf-8", errors="replace") as fh:
                if fh.read() == hook.content:
                    print(f"regime: {hook.path} is installed already")
                    _make_executable(hook.path)
                    continue
            if not _is_ours(hook.path):
                backup = _backup_name(hook.path)
                shutil.move(hook.path, backup)
                print(f"regime: kept the previous hook as {backup}")
            else:
                print(f"regime: replacing regime's earlier hook {hook.path}")
        tmp = hook.path + ".regime-new"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(hook.content)
        _make_executable(tmp)
        os.replace(tmp, hook.path)
        print(f"regime: installed {hook.path}")
    return 0


def uninstall(files: Sequence[HookFile]) -> int:
    for hook in files:
        if not os.path.lexists(hook.path):
            print(f"regime: {hook.path} is not installed; nothing to do")
            continue
        if not _is_ours(hook.path):
            raise UsageError(f"{hook.path} is not regime's hook; left as it is")
    for hook in files:
        if not os.path.lexists(hook.path):
            continue
        os.remove(hook.path)
        backup = hook.path + BACKUP_SUFFIX
        if os.path.lexists(backup):
            os.replace(backup, hook.path)
            print(f"regime: removed regime's hook and put back {hook.path} from {backup}")
        else:
            print(f"regime: removed {hook.path}")
    return 0


def _make_executable(path: str) -> None:
    mode = os.stat(path).st_mode
    os.chmod(
        path,
        mode
        | stat.S_IXUSR
        | stat.S_IXGRP
        | stat.S_IXOTH
        | stat.S_IRUSR
        | stat.S_IRGRP
        | stat.S_IROTH,
    )
