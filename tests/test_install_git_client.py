"""`regime install git`: pre-commit and commit-msg hooks for a clone without the framework."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from conftest import GitRepo, base_env


def commit(repo: GitRepo, message: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo.path, env=base_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_install_blocks_bad_commits_and_lets_good_ones_through(repo: GitRepo) -> None:
    res = repo.regime("install", "git")
    assert res.code == 0, res.text
    hook = repo.path / ".git/hooks/pre-commit"
    assert hook.stat().st_mode & stat.S_IXUSR
    assert "-m regime staged" in hook.read_text()
    repo.write("a.c", "int a;\n\tint b;\n")
    repo.add()
    proc = commit(repo, "Add b")
    assert proc.returncode != 0
    assert "a.c:2:1: WS101" in proc.stderr
    repo.write("a.c", "int a;\nint b;\n")
    repo.add()
    proc = commit(repo, "...")
    assert proc.returncode != 0
    assert "LOG101" in proc.stderr
    proc = commit(repo, "Add b")
    assert proc.returncode == 0, proc.stderr
    assert repo.git("log", "--format=%s").split("\n")[0] == "Add b"


def test_install_twice_foreign_hook_force_and_uninstall(repo: GitRepo) -> None:
    hooks = repo.path / ".git/hooks"
    hooks.mkdir(exist_ok=True)
    foreign = "#!/bin/sh\necho mine\n"
    (hooks / "commit-msg").write_text(foreign)
    res = repo.regime("install", "git")
    assert res.code == 2
    assert "commit-msg exists and is not regime's; nothing was changed" in res.err
    assert not (hooks / "pre-commit").exists()  # a refusal changes nothing at all
    res = repo.regime("install", "git", "--force")
    assert res.code == 0, res.text
    assert f"kept the previous hook as {hooks / 'commit-msg.regime-backup'}" in res.out
    again = repo.regime("install", "git")
    assert again.code == 0 and again.out.count("installed already") == 2
    res = repo.regime("uninstall", "git")
    assert res.code == 0, res.text
    assert (hooks / "commit-msg").read_text() == foreign
    assert not (hooks / "pre-commit").exists()
    assert not (hooks / "commit-msg.regime-backup").exists()
    res = repo.regime("uninstall", "git")
    assert res.code == 2  # the remaining commit-msg is not regime's: left alone
    assert (hooks / "commit-msg").read_text() == foreign


def test_install_honours_core_hooks_path(repo: GitRepo) -> None:
    repo.git("config", "core.hooksPath", "githooks")
    res = repo.regime("install", "git")
    assert res.code == 0, res.text
    assert (repo.path / "githooks/pre-commit").exists()
    repo.write("a.c", "x \n")
    repo.add()
    assert commit(repo, "Add x").returncode != 0


def test_install_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    from conftest import run_regime

    res = run_regime("install", "git", str(tmp_path), cwd=tmp_path)
    assert res.code == 2
    assert "is not a git repository" in res.err
    res = run_regime("install", "svn", str(tmp_path), cwd=tmp_path)
    assert res.code == 2
    assert "is not a Subversion repository" in res.err
    assert not os.listdir(tmp_path)
