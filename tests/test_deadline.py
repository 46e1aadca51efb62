"""limits.max_seconds is a hard deadline (issue 14, item 10).

A producer that never ends (git or svnlook stuck: stand-ins that `exec sleep`) held
the run for ever: the engine reads the clock once a file, and there was no next
file. Through the real doors (staged, a real push, a real svn commit) with
max_seconds 1, the answer now comes at the deadline: LIM002 named, exit per
over_limit, and the stuck producer killed (its pid is gone when regime has answered).
A run that did not end would hit the subprocess timeout and fail the test.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import REGIME, GitRepo, base_env
from test_faults import install_svnlook, run, script
from test_git_pre_receive import assert_refused, policy_server, remote
from test_svn_door import Svn

GIT = "/usr/bin/git"
SVNLOOK = "/usr/bin/svnlook"


def stuck(pidfile: Path, when: str, real: str) -> str:
    """A stand-in that runs ``real`` except for commands matching ``when``, where it
    notes its pid and sleeps for a minute, writing nothing."""
    return (
        f'case "$*" in {when}) echo $$ > {pidfile}; exec sleep 60 ;;\n'
        f'*) exec {real} "$@" ;;\nesac\n'
    )


def assert_gone(pidfile: Path, seconds: float = 5) -> None:
    pid = int(pidfile.read_text())
    for _ in range(int(seconds * 10)):  # the kill is sent before regime exits; reaping lags
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z"):
                return  # dead, waiting for its parent to reap it
        except FileNotFoundError:
            return
        time.sleep(0.1)
    raise AssertionError(f"the stuck producer {pid} outlived regime")


@pytest.mark.parametrize(
    ("over_limit", "code", "shown"), [("block", 1, ""), ("allow", 0, " (warning)")]
)
def test_stuck_git_at_staged(
    repo: GitRepo, tmp_path: Path, over_limit: str, code: int, shown: str
) -> None:
    repo.write(".regime.yaml", f"limits:\n  max_seconds: 1\n  over_limit: {over_limit}\n")
    repo.write("a.c", "int x;\n")
    repo.add("a.c", ".regime.yaml")
    pidfile = tmp_path / "pid"
    fake = script(tmp_path / "git", stuck(pidfile, "*diff*--cached*", GIT))
    res = run([REGIME, "staged"], cwd=repo.path, env={"REGIME_GIT": fake})
    assert res.code == code, res.text
    assert (
        f"<change>:0: LIM002{shown} the time limit (limits.max_seconds: 1 s) was reached" in res.out
    )
    assert "the rest of it was not checked (the programs reading it were stopped)" in res.out
    assert_gone(pidfile)


def test_stuck_git_in_a_push(tmp_path: Path) -> None:
    srv = policy_server(tmp_path, "limits:\n  max_seconds: 1\n")
    before = srv.ref("refs/heads/main")
    srv.clone.write("a.c", "int x;\n")
    srv.clone.commit("Add a.c")
    pidfile = tmp_path / "pid"
    fake = script(tmp_path / "git", stuck(pidfile, "*diff-tree*--stdin*", GIT))
    lines = assert_refused(srv.push("origin", "main", env={"REGIME_GIT": fake}))
    assert any(
        line.startswith("<change>:0: LIM002 the time limit (limits.max_seconds: 1 s)")
        for line in lines
    ), lines
    assert srv.ref("refs/heads/main") == before
    assert_gone(pidfile)


def test_a_repository_policy_makes_the_deadline_shorter_in_a_push(tmp_path: Path) -> None:
    """The server's deadline is the default 300 s; the pushed .regime.yaml lowers it to 1."""
    srv = policy_server(tmp_path, "version: 1\n")
    srv.clone.write(".regime.yaml", "limits:\n  max_seconds: 1\n")
    srv.clone.commit("A deadline of a second")
    pidfile = tmp_path / "pid"
    fake = script(tmp_path / "git", stuck(pidfile, "*diff-tree*--stdin*", GIT))
    lines = remote(srv.push("origin", "main", env={"REGIME_GIT": fake}))
    assert any(" LIM002 the time limit (limits.max_seconds: 1 s)" in line for line in lines), lines
    assert_gone(pidfile)


def test_stuck_svnlook_in_an_svn_commit(tmp_path: Path) -> None:
    s = Svn(tmp_path)
    (s.wc / "trunk").mkdir()
    s.accept("Create trunk")
    pidfile = tmp_path / "pid"
    path = install_svnlook(s, stuck(pidfile, "diff*", SVNLOOK))
    s.install(
        "--force",
        "--svnlook",
        str(path),
        "--policy",
        s.server_policy("limits:\n  max_seconds: 1\n"),
    )
    s.write("trunk/a.c", "int x;\n")
    c = s.block("Add a.c")
    assert c.findings == ["<change>:0: LIM002"], c.hook
    assert "the time limit (limits.max_seconds: 1 s) was reached" in c.hook
    assert_gone(pidfile)


def test_stuck_git_in_a_ci_range(repo: GitRepo, tmp_path: Path) -> None:
    repo.write(".regime.yaml", "limits:\n  max_seconds: 1\n")
    repo.write("a.c", "int x;\n")
    repo.add()
    base = repo.commit("Start")
    repo.write("b.c", "int y;\n")
    repo.add()
    repo.commit("Add b.c")
    pidfile = tmp_path / "pid"
    fake = script(tmp_path / "git", stuck(pidfile, "*diff-tree*", GIT))
    res = run(
        [REGIME, "check", "--from", base, "--to", "HEAD"], cwd=repo.path, env={"REGIME_GIT": fake}
    )
    assert res.code == 1, res.text
    assert "<change>:0: LIM002 the time limit (limits.max_seconds: 1 s) was reached" in res.out
    assert_gone(pidfile)


def test_the_hook_does_not_outlive_a_killed_pusher(tmp_path: Path) -> None:
    """The pusher is killed while the hook waits on a stuck git: the hook (regime)
    and the stuck git are both gone shortly after the deadline, not a minute later."""
    srv = policy_server(tmp_path, "limits:\n  max_seconds: 2\n")
    srv.clone.write("a.c", "int x;\n")
    srv.clone.commit("Add a.c")
    pidfile = tmp_path / "pid"
    hookfile = tmp_path / "hook-pid"
    body = stuck(pidfile, "*diff-tree*--stdin*", GIT).replace(
        "echo $$ >", f"echo $PPID > {hookfile}; echo $$ >"
    )
    fake = script(tmp_path / "git", body)
    pusher = subprocess.Popen(
        ["git", "push", "origin", "main"],
        cwd=srv.clone.path,
        env=base_env({"REGIME_GIT": fake}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.1)
    else:
        pusher.kill()
        raise AssertionError("the stuck git was never started")
    pusher.kill()
    pusher.wait()
    hook = int(hookfile.read_text())
    assert Path(f"/proc/{hook}/cmdline").read_bytes().count(b"git-pre-receive") == 1
    assert_gone(hookfile, seconds=15)
    assert_gone(pidfile, seconds=5)
