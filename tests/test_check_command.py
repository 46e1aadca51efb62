"""`regime check`: the CI lint step, over a range of commits or over whole files."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from conftest import GitRepo, run_regime

FIX = "fix the errors above (`regime explain CODE` says why and how).\n"


def test_range_checks_each_commit_on_its_own_with_a_header(repo: GitRepo) -> None:
    repo.write("a.c", "\tlegacy\n")
    base = repo.commit("base")
    repo.write("a.c", "\tlegacy\nnew \n")
    first = repo.commit("Add a line")
    repo.write("b.conf", "k = v\n")
    repo.commit("...")
    repo.write("b.conf", "k = v\n")  # nothing new
    repo.commit("Clean commit")
    res = repo.regime("check", "--from", base, "--to", "HEAD")
    assert res.code == 1, res.text
    out = res.out
    assert f"*** commit {first[:12]}: Add a line\na.c:2:4: WS102 trailing whitespace" in out
    assert ": ...\n<log message>:1: LOG101 the log message has no letter or digit" in out
    assert "legacy" not in out  # old lines never block
    assert "regime: 2 errors (LOG101 x1, WS102 x1) in 2 files in 3 commits" in out


def test_range_with_nothing_wrong_passes_and_an_empty_range_says_so(repo: GitRepo) -> None:
    base = repo.commit("base")
    repo.write("a.c", "ok\n")
    repo.commit("Add a.c")
    res = repo.regime("check", "--from", base)
    assert res.code == 0, res.text
    assert "no problems in 1 file in 1 commit" in res.out
    res = repo.regime("check", "--from", "HEAD", "--to", "HEAD")
    assert res.code == 0
    assert "no commits in HEAD..HEAD" in res.out


def test_merge_is_checked_only_for_what_it_introduces(repo: GitRepo) -> None:
    repo.write("m.c", "one\n")
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side.c", "side \n")  # a violation accepted on its own branch earlier
    repo.commit("side work")
    repo.git("checkout", "-q", "main")
    repo.write("m.c", "one\ntwo\n")
    repo.commit("main work")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.write("m.c", "one\ntwo\nevil\t\n")  # introduced by the merge itself
    repo.commit("Merge side")
    res = repo.regime("check", "--from", "HEAD^1", "--format", "json")
    doc = json.loads(res.out)
    found = [(f["path"], f["line"], f["code"], f["context"][:19]) for f in doc["findings"]]
    merge = repo.head()[:12]
    side = repo.git("rev-parse", "side").strip()[:12]
    # the side branch's own commit is new to main, so it is checked once, as itself;
    # the merge is blamed only for its own line
    assert found == [
        ("side.c", 1, "WS102", f"commit {side}"),
        ("m.c", 3, "WS101", f"commit {merge}"),
        ("m.c", 3, "WS102", f"commit {merge}"),
    ]
    res = repo.regime("check", "--from", "side", "--to", "HEAD", "--format", "json")
    assert [f["path"] for f in json.loads(res.out)["findings"]] == ["m.c", "m.c"]
    assert base


def test_zero_or_unknown_from_is_a_usage_error(repo: GitRepo) -> None:
    repo.commit("base")
    res = repo.regime("check", "--from", "0" * 40)
    assert res.code == 2
    assert "is the zero id (a new branch)" in res.err
    res = repo.regime("check", "--from", "nosuchref")
    assert res.code == 2
    assert "'nosuchref' is not a commit" in res.err
    res = repo.regime("check", "--to", "HEAD")
    assert res.code == 2


def test_tree_mode_in_a_git_work_tree_checks_tracked_files_whole(repo: GitRepo) -> None:
    repo.write("old.c", "\tlegacy\n")
    repo.write("ok.conf", "fine\n")
    repo.write("bin.c", b"\x00\t \n")
    repo.commit("base")
    repo.write("untracked.c", "\tnot tracked\n")
    os.symlink("/etc/passwd", repo.path / "link.c")
    repo.git("add", "link.c")
    res = repo.regime("check")
    assert res.code == 1
    assert res.out.startswith("old.c:1:1: WS101")
    assert "untracked.c" not in res.out and "link.c" not in res.out
    assert "1 error (WS101 x1) in 2 files checked, 1 skipped (binary); the check fails" in res.out
    sub = repo.regime("check", "ok.conf")
    assert sub.code == 0 and "no problems in 1 file" in sub.out


def test_tree_mode_in_a_plain_directory(tmp_path: Path) -> None:
    tree = tmp_path / "etc"
    (tree / "xen").mkdir(parents=True)
    (tree / "xen/web.cfg").write_text("name = 'web' \n")
    (tree / "hosts.conf").write_bytes(b"127.0.0.1\tlocalhost\r\n")
    (tree / "outside.c").symlink_to("/etc/passwd")
    res = run_regime("check", str(tree), cwd=tmp_path)
    assert res.code == 1, res.text
    assert "hosts.conf:1:10: WS101" in res.out
    assert "xen/web.cfg:1:13: WS102" in res.out
    assert "outside.c" not in res.out
    res = run_regime("check", "nowhere", cwd=tmp_path)
    assert res.code == 2


def test_formats(repo: GitRepo) -> None:
    repo.write("d/a b.c", "\tx\n")
    repo.add()
    res = repo.regime("staged", "--format", "github")
    assert res.code == 1
    assert res.out.splitlines()[0] == (
        "::error file=d/a b.c,line=1,col=1,title=WS101::WS101 a tab character in an added line: "
        "indent with spaces"
    )
    sarif = json.loads(repo.regime("staged", "--format", "sarif").out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "regime"
    result = run["results"][0]
    assert result["ruleId"] == "WS101"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "WS101"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "d/a%20b.c"
    assert loc["region"] == {"startLine": 1, "startColumn": 1}
    doc = json.loads(repo.regime("staged", "--format", "json").out)
    assert doc["summary"] == {
        "errors": 1, "warnings": 0, "files": 1, "checked": 1, "skipped": {}, "commits": 0,
        "blocked": True,
    }  # fmt: skip


GUEST = "name = '{name}'\nvif = ['mac=00:16:3e:00:00:01,bridge=xenbr0']\n"


def host_tree(write: Callable[[str, str], object]) -> None:
    """Two guests in two folders sharing a MAC; a table defined in rt_tables and used
    by a script in another folder; a tab in a file at the top."""
    write("etc/xen/prod/a.cfg", GUEST.format(name="a"))
    write("etc/xen/test/b.cfg", GUEST.format(name="b"))
    write("etc/iproute2/rt_tables", "100 web\n")
    write("bin/routes.sh", "ip route add default via 192.0.2.1 table web\n")
    write("top.conf", "\tindented\n")


def test_a_subfolder_of_a_git_work_tree_selects_lines_the_tree_stays_whole(
    repo: GitRepo,
) -> None:
    host_tree(repo.write)
    repo.commit("hosts")
    res = run_regime("check", cwd=repo.path / "etc/xen/prod")
    assert res.code == 1, res.text
    assert res.out.startswith(
        "etc/xen/prod/a.cfg:2:8: XEN101 MAC 00:16:3e:00:00:01 (vif 0 of guest 'a') is also "
        "used by vif 0 of guest 'b' at etc/xen/test/b.cfg:2\n"
    ), res.text
    assert "top.conf" not in res.out  # the folder decides which files' lines count
    assert res.out.endswith("1 error (XEN101 x1) in 1 file; the check fails: " + FIX), res.out
    res = run_regime("check", "routes.sh", cwd=repo.path / "bin")
    assert "RT105" not in res.out, res.text  # the table is in etc/iproute2/rt_tables
    assert res.code == 0, res.text
    assert "XEN101 (warning)" in res.out  # between files the PATH does not name


def test_a_file_of_a_plain_folder_is_checked_with_the_tree_around_it(tmp_path: Path) -> None:
    def write(name: str, text: str) -> None:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    host_tree(write)
    # the current folder is the tree when the FILE is inside it
    res = run_regime("check", "etc/xen/prod/a.cfg", cwd=tmp_path)
    assert res.code == 1, res.text
    assert res.out.startswith("etc/xen/prod/a.cfg:2:8: XEN101 MAC 00:16:3e:00:00:01"), res.out
    assert "at etc/xen/test/b.cfg:2" in res.out
    res = run_regime("check", "bin/routes.sh", cwd=tmp_path)
    assert res.code == 0, res.text
    assert "RT105" not in res.out
    write("bin/routes.sh", "ip route add default via 192.0.2.1 table nope\n")
    res = run_regime("check", "bin/routes.sh", cwd=tmp_path)
    assert res.code == 1, res.text
    assert res.out.startswith("bin/routes.sh:1:42: RT105 table 'nope' is not defined"), res.out


def test_a_plain_folder_named_from_inside_a_git_work_tree_is_checked_as_itself(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("a.c", "int a;\n")
    repo.commit("base")
    plain = tmp_path / "plain"
    (plain / "etc/xen").mkdir(parents=True)
    (plain / "etc/xen/a.cfg").write_text(GUEST.format(name="a"))
    (plain / "etc/xen/b.cfg").write_text(GUEST.format(name="b"))
    (plain / "x.c").write_text("int x; \n")
    res = repo.regime("check", str(plain))
    assert res.code == 1, res.text
    assert "etc/xen/b.cfg:2:8: XEN101" in res.out
    assert "x.c:1:7: WS102" in res.out
    assert res.out.endswith("2 errors (WS102 x1, XEN101 x1) in 3 files; the check fails: " + FIX)
    # its own policy, not the one of the work tree the command runs in
    (plain / ".regime.yaml").write_text("version: 1\nrules:\n  WS102: {severity: off}\n")
    repo.write(".regime.yaml", "version: 1\nrules:\n  XEN101: {severity: off}\n")
    res = repo.regime("check", str(plain / "x.c"), "a.c")
    assert res.code == 0, res.text
    assert res.out == "regime: no problems in 2 files.\n"
