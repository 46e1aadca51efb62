"""--select and --ignore (docs/select.md): fewer rules than the policy's, never more,
on every checking command; the server doors do not take them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GitRepo, run_regime


def codes(out: str) -> list[str]:
    return [f["code"] for f in json.loads(out)["findings"]]


@pytest.fixture
def dirty(repo: GitRepo) -> GitRepo:
    """A staged change with a tab (WS101) and trailing spaces (WS102)."""
    repo.write("a.c", "int\ta;\nint b;  \n")
    repo.add()
    return repo


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), ["WS101", "WS102"]),
        (("--select", "WS101"), ["WS101"]),
        (("--select", "ws"), ["WS101", "WS102"]),  # a prefix, any case
        (("--select", "WS101,WS102"), ["WS101", "WS102"]),
        (("--select", "WS101", "--select", "WS102"), ["WS101", "WS102"]),
        (("--ignore", "WS102"), ["WS101"]),
        (("--select", "WS", "--ignore", "WS102"), ["WS101"]),  # select, then ignore
        (("--select", "LOG"), []),
    ],
)
def test_staged(dirty: GitRepo, options: tuple[str, ...], expected: list[str]) -> None:
    res = dirty.regime("staged", "--format", "json", *options)
    assert res.code == (1 if expected else 0), res.text
    assert codes(res.out) == expected


def test_ignoring_every_line_rule_selects_no_file(dirty: GitRepo) -> None:
    res = dirty.regime("staged", "--ignore", "WS")
    assert res.code == 0, res.text
    assert (
        res.out == "regime: no problems in 0 files checked, 1 skipped (not selected by any rule).\n"
    )


def test_unknown_codes_are_a_usage_error_naming_them(dirty: GitRepo) -> None:
    res = dirty.regime("staged", "--select", "WS101,WS9,FOO")
    assert res.code == 2, res.text
    assert res.out == ""
    assert res.err == (
        "regime: error: --select: unknown rule codes WS9, FOO (codes or their prefixes, "
        "e.g. WS101 or WS; `regime explain` lists them)\n"
    )
    res = dirty.regime("check", "--ignore", "XEN999")
    assert res.code == 2 and "--ignore: unknown rule code XEN999 " in res.err, res.text


def test_a_selected_rule_the_policy_turns_off_stays_off(dirty: GitRepo) -> None:
    dirty.write(".regime.yaml", "rules:\n  WS102:\n    severity: off\n")
    res = dirty.regime("staged", "--select", "WS102")
    assert res.code == 0, res.text
    lines = res.out.splitlines()
    assert lines[0].startswith("regime: --select WS102: the policy (")
    assert lines[0].endswith(
        ".regime.yaml) turns WS102 off, so it does not run (the options only narrow the policy)"
    )
    assert "WS102 " not in res.out.split("\n", 1)[1]


def test_the_rules_that_say_what_was_not_checked_stay(repo: GitRepo) -> None:
    """--select WS101 still says that a file was too big to read; LIM001 cannot be
    ignored at all; DIFF001 only when named."""
    repo.write(".regime.yaml", "limits:\n  max_file_size: 10 B\n")
    repo.write("big.c", "int a_long_line;\n")
    repo.add("big.c")
    res = repo.regime("staged", "--select", "WS101", "--format", "json")
    assert res.code == 1 and codes(res.out) == ["LIM001"], res.text
    res = repo.regime("staged", "--ignore", "LIM001")
    assert res.code == 2, res.text
    assert "--ignore LIM001: LIM001 says a file or the rest of a change was not checked" in res.err
    res = repo.regime("staged", "--ignore", "LIM")  # a prefix of them only: nothing else
    assert res.code == 2 and "unknown rule code LIM" in res.err, res.text
    bad = b"diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n+y\n"
    res = repo.regime("diff", "--select", "WS101", "--format", "json", stdin=bad)
    assert res.code == 1 and codes(res.out) == ["DIFF001"], res.text
    res = repo.regime("diff", "--ignore", "DIFF001", stdin=bad)
    assert res.code == 0, res.text


def test_commit_msg(repo: GitRepo) -> None:
    msg = repo.write("MSG", "...\n")
    assert repo.regime("commit-msg", str(msg)).code == 1
    res = repo.regime("commit-msg", "--ignore", "LOG101", str(msg))
    assert res.code == 0, res.text
    assert repo.regime("commit-msg", "--select", "WS", str(msg)).code == 0


GUEST = "name = '{name}'\nvif = ['mac=00:16:3e:00:00:01,bridge=xenbr0']\n"


def test_check_tree_and_range(repo: GitRepo) -> None:
    repo.write("README.md", "start\n")
    base = repo.commit("Start")
    repo.write("etc/xen/a.cfg", GUEST.format(name="a"))
    repo.write("etc/xen/b.cfg", GUEST.format(name="b"))
    repo.write("top.conf", "\tindented\n")
    repo.commit("Two guests with one MAC")
    res = repo.regime("check", "--format", "json")
    assert sorted(codes(res.out)) == ["WS101", "XEN101"], res.text
    res = repo.regime("check", "--select", "XEN1", "--format", "json")
    assert res.code == 1 and codes(res.out) == ["XEN101"], res.text
    res = repo.regime("check", "--ignore", "XEN,RT,INF", "--format", "json")
    assert res.code == 1 and codes(res.out) == ["WS101"], res.text
    res = repo.regime("check", "--from", base, "--ignore", "WS101,XEN101")
    assert res.code == 0, res.text
    res = repo.regime("check", "--from", base, "--select", "WS101", "--format", "json")
    assert res.code == 1 and codes(res.out) == ["WS101"], res.text


def test_diff_and_pre_commit_doors(dirty: GitRepo) -> None:
    diff = dirty.git("diff", "--cached").encode()
    res = dirty.regime("diff", "--select", "WS102", "--format", "json", stdin=diff)
    assert codes(res.out) == ["WS102"], res.text
    res = dirty.regime("pre-commit", "--ignore", "WS102", "--format", "json", "a.c")
    assert codes(res.out) == ["WS101"], res.text


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_the_server_doors_do_not_take_them(tmp_path: Path, option: str) -> None:
    """The server policy alone decides on a server: the options are not there, so no
    hook line, and nothing a pusher sends, can narrow it."""
    res = run_regime("git-pre-receive", option, "WS101", cwd=tmp_path, stdin=b"")
    assert res.code == 2, res.text
    assert f"regime: error: unrecognized arguments: {option} WS101" in res.err
    res = run_regime("svn-pre-commit", "/repos", "1", option, "WS101", cwd=tmp_path)
    assert res.code == 2, res.text
    assert f"unrecognized arguments: {option} WS101" in res.err
