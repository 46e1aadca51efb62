"""The command line itself: no command, --debug where the messages say to use it, a
wrong option, and a closed standard output, through the real `regime` process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import REGIME, GitRepo, base_env, run_regime


@pytest.mark.parametrize("args", [(), ("--debug",)])
def test_no_command_is_a_usage_message(tmp_path: Path, args: tuple[str, ...]) -> None:
    res = run_regime(*args, cwd=tmp_path)
    assert res.code == 2, res.text
    assert res.out == ""
    assert res.err.startswith("usage: regime ")
    assert res.err.endswith("regime: error: no command given; `regime --help` lists them\n")


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_is_taken_before_and_after_the_command(tmp_path: Path, where: str) -> None:
    command = ["svn-pre-commit", str(tmp_path / "no-such-repository"), "1"]
    plain = run_regime(*command, cwd=tmp_path)
    assert plain.code == 3, plain.text
    assert "Run again with --debug" in plain.err and "Traceback" not in plain.err
    args = ["--debug", *command] if where == "before" else [*command, "--debug"]
    res = run_regime(*args, cwd=tmp_path)
    assert res.code == 3, res.text
    assert "Traceback (most recent call last)" in res.err
    for other in (["explain", "WS101"], ["inventory", str(tmp_path)], ["init", "x.yaml"]):
        args = ["--debug", *other] if where == "before" else [*other, "--debug"]
        res = run_regime(*args, cwd=tmp_path)
        assert res.code == 0, res.text
        (tmp_path / "x.yaml").unlink(missing_ok=True)


@pytest.mark.parametrize(
    ("args", "usage", "wrong"),
    [
        (("check", "--bogus"), "usage: regime check ", "--bogus"),
        (("staged", "-x", "a.c"), "usage: regime staged ", "-x"),
        (
            ("install", "git-server", "r.git", "--bogus"),
            "usage: regime install git-server ",
            "--bogus",
        ),
    ],
)
def test_a_wrong_option_prints_the_commands_usage(
    tmp_path: Path, args: tuple[str, ...], usage: str, wrong: str
) -> None:
    res = run_regime(*args, cwd=tmp_path)
    assert res.code == 2, res.text
    assert res.err.startswith(usage), res.err
    assert res.err.endswith(f"regime: error: unrecognized arguments: {wrong}\n"), res.err


def _bad_repo(repo: GitRepo) -> None:
    repo.write("a.c", "\tint a;\n" * 2000)  # more than a pipe's buffer
    repo.commit("base")


def test_a_closed_pipe_is_said_plainly_and_the_verdict_stays(repo: GitRepo) -> None:
    _bad_repo(repo)
    for expected in (1, 0):
        proc = subprocess.Popen(
            [REGIME, "check"], cwd=repo.path, env=base_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # `regime check | head -0`
        err = proc.stderr.read().decode()
        assert proc.wait() == expected, err
        assert err == "regime: standard output was closed before the report was written out\n"
        repo.write("a.c", "int a;\n")
        repo.commit("clean")


def test_a_closed_stdout_is_said_plainly_and_the_verdict_stays(repo: GitRepo) -> None:
    _bad_repo(repo)
    proc = subprocess.run(
        ["sh", "-c", f"exec '{REGIME}' check >&-"],
        cwd=repo.path, env=base_env(), capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.decode() == "regime: standard output is closed: the report is not shown\n"
