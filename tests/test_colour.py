"""Colour in the text report (docs/colour.md): on a terminal, never in a pipe unless
forced; NO_COLOR and FORCE_COLOR; --color wins over both."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
from pathlib import Path

import pytest
from conftest import REGIME, GitRepo, base_env
from test_git_pre_receive import make_server, remote
from test_svn_door import Svn, hooked, svn  # noqa: F401  (the fixtures)

ESC = "\x1b["
B, RED, YELLOW, CYAN, OFF = "\x1b[1m", "\x1b[1;31m", "\x1b[1;33m", "\x1b[36m", "\x1b[0m"

PLAIN = (
    "a.c:1:4: WS101 a tab character in an added line: indent with spaces\n"
    "    int→a;\n"
    "       ^\n"
    "a.c:2:6: WS102 trailing whitespace (2 spaces): remove it\n"
    "    int b··<EOL>\n"
    "         ^\n"
)
COLOURED = (
    f"{B}a.c{OFF}:1:4: {RED}WS101{OFF} a tab character in an added line: indent with spaces\n"
    f"    int{CYAN}→{OFF}a;\n"
    f"       {RED}^{OFF}\n"
    f"{B}a.c{OFF}:2:6: {RED}WS102{OFF} trailing whitespace (2 spaces): remove it\n"
    f"    int b{CYAN}··<EOL>{OFF}\n"
    f"         {RED}^{OFF}\n"
)


@pytest.fixture
def dirty(repo: GitRepo) -> GitRepo:
    repo.write("a.c", "int\ta;\nint b  \n")
    repo.add()
    return repo


def test_always_colours_the_path_the_code_the_markers_and_the_caret(dirty: GitRepo) -> None:
    res = dirty.regime("staged", "--color", "always")
    assert res.code == 1, res.text
    assert res.out.startswith(COLOURED), res.out
    # the summary is as without colour
    assert res.out.splitlines()[-1] == dirty.regime("staged").out.splitlines()[-1]


def test_a_pipe_gets_no_colour(dirty: GitRepo) -> None:
    res = dirty.regime("staged")
    assert res.code == 1
    assert res.out.startswith(PLAIN) and ESC not in res.out + res.err


@pytest.mark.parametrize(
    ("env", "option", "coloured"),
    [
        ({"FORCE_COLOR": "1"}, (), True),
        ({"FORCE_COLOR": "0"}, (), True),  # any non-empty value
        ({"FORCE_COLOR": ""}, (), False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, (), False),  # NO_COLOR wins
        ({"FORCE_COLOR": "1"}, ("--color", "never"), False),  # the option wins
        ({"NO_COLOR": "1"}, ("--color", "always"), True),
        ({"FORCE_COLOR": "1"}, ("--colour", "auto"), True),
    ],
)
def test_the_environment_in_a_pipe(
    dirty: GitRepo, env: dict[str, str], option: tuple[str, ...], coloured: bool
) -> None:
    res = dirty.regime("staged", *option, **env)
    assert res.code == 1, res.text
    assert res.out.startswith(COLOURED if coloured else PLAIN), res.out


def test_machine_formats_never_carry_colour(dirty: GitRepo) -> None:
    for fmt in ("json", "sarif", "github"):
        res = dirty.regime("staged", "--format", fmt, "--color", "always")
        assert res.code == 1 and ESC not in res.out, res.out
    json.loads(dirty.regime("staged", "--format", "json", "--color", "always").out)


def test_a_bad_choice_is_a_usage_error(dirty: GitRepo) -> None:
    res = dirty.regime("staged", "--color", "sometimes")
    assert res.code == 2 and "invalid choice: 'sometimes'" in res.err, res.text


def on_a_terminal(cwd: Path, *args: str, **env: str) -> str:
    """regime with its stdout and stderr on a real pseudo-terminal: what it shows."""
    main, child = pty.openpty()
    environ = base_env({"TERM": "xterm", **env})
    for name in ("NO_COLOR", "FORCE_COLOR"):
        if name not in env:
            environ.pop(name, None)
    proc = subprocess.Popen(
        [REGIME, *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=child, stderr=child,
        env=environ,
    )  # fmt: skip
    os.close(child)
    out = b""
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            proc.kill()
            raise AssertionError(f"regime on a terminal gave no output: {out!r}")
        try:
            piece = os.read(main, 65536)
        except OSError:  # EIO: the child side is closed
            break
        if not piece:
            break
        out += piece
    os.close(main)
    assert proc.wait(30) == 1
    return out.decode("utf-8").replace("\r\n", "\n")


def test_auto_colours_a_terminal(dirty: GitRepo) -> None:
    assert on_a_terminal(dirty.path, "staged").startswith(COLOURED)
    assert on_a_terminal(dirty.path, "staged", NO_COLOR="1").startswith(PLAIN)
    assert on_a_terminal(dirty.path, "staged", NO_COLOR="").startswith(COLOURED)
    assert on_a_terminal(dirty.path, "staged", TERM="dumb").startswith(PLAIN)
    assert on_a_terminal(dirty.path, "staged", "--color", "never").startswith(PLAIN)


def test_a_warning_code_is_yellow(dirty: GitRepo) -> None:
    dirty.write(".regime.yaml", "rules:\n  WS101:\n    severity: warning\n")
    res = dirty.regime("staged", "--color", "always")
    assert res.out.startswith(f"{B}a.c{OFF}:1:4: {YELLOW}WS101{OFF} (warning) a tab"), res.out


def test_a_server_hook_writes_to_a_pipe_no_colour_unless_forced(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write("a.c", "int\ta;\n")
    srv.clone.commit("Add a.c")
    res = srv.push("origin", "main")
    assert res.code != 0 and ESC not in res.err, res.err
    lines = remote(srv.push("origin", "main", env={"FORCE_COLOR": "1"}))
    assert (
        f"{B}a.c{OFF}:1:4: {RED}WS101{OFF} a tab character in an added line: indent"
        in "\n".join(lines)
    )


def test_the_svn_hook_has_no_colour(hooked: Svn) -> None:  # noqa: F811
    """svn runs hooks/pre-commit with an empty environment and reads its stderr through
    a pipe: the committer's terminal gets the plain report."""
    hooked.write("trunk/a.c", "int\ta;\n")
    c = hooked.block("Add a.c")
    assert c.findings == ["trunk/a.c:1:4: WS101"], c.hook
    assert ESC not in c.err
