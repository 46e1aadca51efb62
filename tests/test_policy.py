"""The policy file: strict validation with positions, severities, file filters, init."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GitRepo, run_regime


def staged_with(repo: GitRepo, policy: str | bytes) -> tuple[int, str]:
    repo.write(".regime.yaml", policy)
    repo.write("a.c", "\tx \n")
    repo.write("legacy/old.c", "\ty\n")
    repo.add()
    res = repo.regime("staged")
    return res.code, res.text


@pytest.mark.parametrize(
    ("policy", "where", "what"),
    [
        (
            "rules:\n  WS101:\n    severity: fatal\n",
            ":3:15:",
            "must be error, warning or off, not 'fatal'",
        ),
        ("rules:\n  WS101:\n    sevrity: off\n", ":3:5:", "unknown key 'sevrity' in rules.WS101"),
        ("rules:\n  WS999: {}\n", ":2:3:", "unknown key 'WS999' in rules"),
        ("colour: red\n", ":1:1:", "unknown key 'colour' in the policy file"),
        ("rules:\n  WS101:\n    include: .c\n", ":3:14:", "must be a list of suffixes or globs"),
        ("rules:\n  WS101:\n    include: [1]\n", ":3:15:", "must be a string (quote it)"),
        ("rules:\n  LOG104:\n    max_length: many\n", ":3:17:", "must be a whole number above 0"),
        ("rules:\n  LOG102:\n    severity: error\n", ":3:5:", "LOG102 is on but has no pattern"),
        ("rules:\n  LOG103:\n    pattern: '(['\n", ":3:14:", "not a valid regular expression"),
        ("rules: [\n", ":2:1:", "not valid YAML"),
        ("rules:\n  WS101: {}\n  WS101: {}\n", ":3:3:", "'WS101' is given twice"),
        ("version: 2\n", ":1:10:", "version must be 1"),
        ("- just\n- a list\n", ":1:1:", "the policy file must be a mapping"),
        (
            "rules: !!python/object/apply:os.system ['touch PWNED']\n",
            ":1:8:",
            "rules must be a mapping",
        ),
    ],
)
def test_bad_policy_is_exit_2_with_file_line_col(
    repo: GitRepo, policy: str, where: str, what: str
) -> None:
    code, out = staged_with(repo, policy)
    assert code == 2, out
    assert f".regime.yaml{where} " in out
    assert what in out
    assert "the policy file is wrong; nothing was checked" in out
    assert not (repo.path / "PWNED").exists()


def test_non_utf8_and_directory_policies(repo: GitRepo) -> None:
    code, out = staged_with(repo, b"rules:\n  WS101:\n    help: caf\xe9\n")
    assert code == 2
    assert ".regime.yaml:3:1: is not UTF-8 text" in out
    res = repo.regime("staged", "--config", str(repo.path))
    assert res.code == 2
    assert "is a directory, not a policy file" in res.err
    res = repo.regime("staged", "--config", "missing.yaml")
    assert res.code == 2
    assert "missing.yaml:1:1: cannot read the policy file" in res.err


def test_empty_policy_file_means_defaults(repo: GitRepo) -> None:
    code, out = staged_with(repo, "# nothing yet\n")
    assert code == 1
    assert "a.c:1:1: WS101" in out


def test_severity_off_and_warning(repo: GitRepo) -> None:
    code, out = staged_with(
        repo, "rules:\n  WS101:\n    severity: off\n  WS102:\n    severity: warning\n"
    )
    assert code == 0, out
    assert "WS101" not in out
    assert "a.c:1:3: WS102 (warning) trailing whitespace" in out


def test_include_exclude_and_global_exclude(repo: GitRepo) -> None:
    code, out = staged_with(repo, "exclude: ['legacy/**']\n")
    assert code == 1
    assert "legacy/old.c" not in out and "a.c:1:1: WS101" in out
    code, out = staged_with(repo, "rules:\n  WS101:\n    extend_exclude: ['a.c']\n")
    assert "a.c:1:1: WS101" not in out and "legacy/old.c:1:1: WS101" in out
    code, out = staged_with(repo, "rules:\n  WS101:\n    include: ['legacy/*.c']\n")
    assert "a.c:1:1: WS101" not in out and "legacy/old.c:1:1: WS101" in out
    code, out = staged_with(
        repo, "rules:\n  WS102:\n    include: ['.h']\n  WS101:\n    include: ['.C']\n"
    )
    assert code == 0, out


def test_config_option_overrides_the_repository_file(repo: GitRepo, tmp_path: Path) -> None:
    other = tmp_path / "server.yaml"
    other.write_text("rules:\n  WS101:\n    severity: off\n  WS102:\n    severity: off\n")
    repo.write("a.c", "\tx \n")
    repo.add()
    assert repo.regime("staged").code == 1
    assert repo.regime("staged", "--config", str(other)).code == 0


def test_init_in_a_subfolder_writes_where_regime_reads(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("etc/xen/web.cfg", "name = 'web'\n")
    repo.commit("base")
    res = run_regime("init", cwd=repo.path / "etc/xen")
    assert res.code == 0, res.text
    top = repo.path.resolve() / ".regime.yaml"
    assert res.out == f"regime: wrote {top}; edit it and commit it with the repository.\n"
    assert not (repo.path / "etc/xen/.regime.yaml").exists()
    # and regime reads it: WS101 off there lets a tab through
    top.write_text("version: 1\nrules:\n  WS101: {severity: off}\n")
    repo.write("etc/a.conf", "\tx\n")
    repo.add()
    assert run_regime("staged", cwd=repo.path / "etc/xen").code == 0
    plain = tmp_path / "plain"
    plain.mkdir()
    res = run_regime("init", cwd=plain)
    assert res.code == 0 and (plain / ".regime.yaml").is_file(), res.text
    assert "wrote .regime.yaml;" in res.out


def test_init_writes_a_policy_equal_to_the_defaults(repo: GitRepo) -> None:
    res = repo.regime("init")
    assert res.code == 0, res.text
    assert "wrote .regime.yaml" in res.out
    text = (repo.path / ".regime.yaml").read_text()
    assert "WS101" in text and "severity: off" in text
    again = repo.regime("init")
    assert again.code == 2 and "exists already" in again.err
    # the written file loads and behaves exactly like the built-in defaults
    repo.write("Makefile", "all:\n\techo\n")
    repo.write("x.C", "y \n")
    repo.write("doc.md", "z  \n")
    repo.add()
    with_file = repo.regime("staged", "--format", "json")
    (repo.path / ".regime.yaml").unlink()
    repo.add()
    without = repo.regime("staged", "--format", "json")
    assert with_file.code == without.code == 1
    shown = with_file.out.replace('"files": 4', '"files": 3').replace(
        '"checked": 4', '"checked": 3'
    )
    assert shown == without.out


def test_explain(tmp_path: Path) -> None:
    res = run_regime("explain", cwd=tmp_path)
    assert res.code == 0
    for code in ("WS101", "WS102", "LOG101", "LOG102", "LOG103", "LOG104", "DIFF001"):
        assert code in res.out
    for code in ("XEN001", "XEN002", *(f"XEN1{n:02}" for n in range(1, 13))):
        assert code in res.out
    for code in ("RT001", "RT101", "RT102", "RT103", "RT104", "RT105"):
        assert code in res.out
    res = run_regime("explain", "XEN103", cwd=tmp_path)
    assert res.code == 0 and "vif-route adds one route per address" in res.out
    res = run_regime("explain", "ws102", cwd=tmp_path)
    assert res.code == 0
    assert "The CR of a CRLF line ending is a line ending" in res.out
    res = run_regime("explain", "XX1", cwd=tmp_path)
    assert res.code == 2


def test_the_default_file_says_exactly_the_built_in_defaults() -> None:
    """`regime init` writes regime/policy/default.regime.yaml: every rule, filter and
    infrastructure setting in it must be the built-in default, or a user who starts
    from it gets another policy than one who has no file."""
    from importlib.resources import files

    from regime.policy.load import parse_policy
    from regime.policy.model import default_policy

    text = files("regime.policy").joinpath("default.regime.yaml").read_text("utf-8")
    written = parse_policy(text, "default.regime.yaml")
    built_in = default_policy()
    assert written.rules == built_in.rules
    assert written.infra == built_in.infra
