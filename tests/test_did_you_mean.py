"""A typo in a rule code or a policy key is answered with the close ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GitRepo, run_regime

from regime.suggest import close_matches, did_you_mean


def test_explain_a_code_with_a_typo(tmp_path: Path) -> None:
    res = run_regime("explain", "WS10", cwd=tmp_path)
    assert res.code == 2
    assert res.err == (
        "regime: error: no rule 'WS10'; did you mean WS101 or WS102? "
        "(`regime explain` lists them)\n"
    )
    assert run_regime("explain", "xen101", cwd=tmp_path).out.startswith("XEN101 ")
    far = run_regime("explain", "QQQ", cwd=tmp_path)
    assert far.err == "regime: error: no rule 'QQQ' (`regime explain` lists them)\n"


@pytest.mark.parametrize(
    ("policy", "said"),
    [
        (
            "rules:\n  WS10:\n    severity: warning\n",
            ".regime.yaml:2:3: unknown key 'WS10' in rules; did you mean WS101 or WS102? "
            "(`regime explain` lists the rules)",
        ),
        (
            "rules:\n  ws101: {severity: warning}\n",
            "unknown key 'ws101' in rules; did you mean WS101?",
        ),
        (
            "rules:\n  WS101:\n    sevrity: warning\n",
            ".regime.yaml:3:5: unknown key 'sevrity' in rules.WS101; did you mean 'severity'? "
            "(known: exclude, extend_exclude, extend_include, extend_types, include, severity, tab_width, types)",
        ),
        ("xne:\n  max_vifs: 3\n", "unknown key 'xne' in the policy file; did you mean 'xen'?"),
        ("limits:\n  max_secs: 3\n", "in limits; did you mean 'max_seconds'?"),
        (
            "limits:\n  over_limit: blok\n",
            "limits.over_limit must be one of block, allow, not 'blok'; did you mean block?",
        ),
    ],
)
def test_a_policy_with_a_typo(tmp_path: Path, policy: str, said: str) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write(".regime.yaml", policy)
    repo.write("a.sh", "echo\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 2, res.text
    assert said in res.err
    assert "nothing was checked" in res.err


def test_a_server_policy_with_a_typo_in_may_loosen(tmp_path: Path) -> None:
    bare = tmp_path / "srv.git"
    policy = tmp_path / "server.yaml"
    policy.write_text("server:\n  may_loosen: [WS12]\n")
    res = run_regime("install", "git-server", str(bare), "--policy", str(policy), cwd=tmp_path)
    assert res.code == 2, res.text
    assert "server.may_loosen: no rule 'WS12'; did you mean WS102 or WS101?" in res.err


def test_close_matches() -> None:
    assert close_matches("LOG10", ["LOG101", "LOG102", "WS101"]) == ["LOG101", "LOG102"]
    assert close_matches("log101", ["LOG101", "LOG102"]) == ["LOG101"]  # case only: that one
    assert close_matches("zzz", ["LOG101"]) == []
    assert did_you_mean("sevrity", ["severity", "include"], quote=True) == (
        "; did you mean 'severity'?"
    )
    assert did_you_mean("zzz", ["severity"]) == ""


@pytest.mark.parametrize(
    ("args", "said", "hint"),
    [
        (["stagd"], "invalid choice: 'stagd' (choose from 'diff', 'staged', ", "staged"),
        (["check", "--format", "sarf"], "invalid choice: 'sarf' (choose from 'text', ", "sarif"),
        (
            ["install", "gti"],
            "invalid choice: 'gti' (choose from 'svn', 'git-server', 'git')",
            "git",
        ),
    ],
)
def test_a_command_or_choice_with_a_typo(
    tmp_path: Path, args: list[str], said: str, hint: str
) -> None:
    res = run_regime(*args, cwd=tmp_path)
    assert res.code == 2, res.text
    [line] = [x for x in res.err.splitlines() if x.startswith("regime: error:")]
    assert said in line
    assert line.endswith(f"; did you mean {hint}?")
