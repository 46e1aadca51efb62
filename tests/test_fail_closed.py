"""An internal error never looks like a pass: exit 3, blocked, with a message."""

from __future__ import annotations

from pathlib import Path

from conftest import GitRepo


def fake_git(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-git"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def test_git_missing(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a.c", "x\n")
    repo.add()
    res = repo.regime("staged", REGIME_GIT=str(tmp_path / "no-such-git"))
    assert res.code == 3
    assert "regime: internal error" in res.err
    assert "the change was NOT checked, so it is blocked" in res.err


def test_git_killed_mid_stream(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a.c", "x\n")
    repo.add()
    # real git for everything, but the diff dies after its first lines
    real = "git"
    body = (
        'case "$*" in *diff-index*--cached*-p*)\n'
        f'  {real} "$@" | head -c 40; kill -9 $$ ;;\n'
        f'*) exec {real} "$@" ;;\nesac\n'
    )
    res = repo.regime("staged", REGIME_GIT=fake_git(tmp_path, body))
    assert res.code == 3, res.text
    assert "could not read the change" in res.err
    assert "killed by signal 9" in res.err


def test_git_printing_garbage_is_reported_not_passed(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a.c", "x\n")
    repo.add()
    body = (
        'case "$*" in *diff-index*--cached*-p*)\n'
        "  printf 'diff --git a/a.c b/a.c\\n--- a/a.c\\n+++ b/a.c\\n@@ -0,0 +1,5 @@\\n+x\\n' ;;\n"
        '*) exec git "$@" ;;\nesac\n'
    )
    res = repo.regime("staged", REGIME_GIT=fake_git(tmp_path, body))
    assert res.code == 1
    assert (
        "a.c:5: DIFF001 this file's diff could not be read (the diff ends inside a hunk" in res.out
    )


def test_debug_shows_the_traceback(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a.c", "x\n")
    repo.add()
    res = repo.regime("staged", "--debug", REGIME_GIT=str(tmp_path / "no-such-git"))
    assert res.code == 3
    assert "Traceback" in res.err


def test_outside_a_git_repository(tmp_path: Path) -> None:
    from conftest import run_regime

    res = run_regime("staged", cwd=tmp_path)
    assert res.code == 2
    assert "not inside a git work tree" in res.err
