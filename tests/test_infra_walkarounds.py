"""Ways around the infrastructure checks, closed at every door (issue 14, items 5-7):

- a guest config or rt_tables file that is a symbolic link is read as its target,
  from the repository, and reported under the link's name; a link out of the tree or
  to nothing is INF001, never a silent skip;
- deleting or renaming an rt_tables file touches it: a script's table it may have
  defined is RT105 that blocks, not a pre-existing warning;
- an xm config that computes vif or name is XEN003, an error.

Each through the real door: `regime staged`, a real push into a bare repository with
the hook, a real svn commit through the installed hook, `regime check --from/--to`,
`regime check` of a folder and of a git work tree.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import GitRepo, run_regime
from test_git_pre_receive import assert_accepted, assert_refused, make_server
from test_svn_door import Svn

from regime.sources.links import MAX_LINKS, follow

A_GUEST = "name = 'a'\nvif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n"
# another guest reusing a's MAC, written another way
B_REUSES = "name = 'b'\nvif = [ 'mac=00-16-3E-00-00-01,bridge=xenbr0' ]\n"
B_OWN = "name = 'b'\nvif = [ 'mac=00:16:3e:00:00:02,bridge=xenbr0' ]\n"
XEN101_AT_LINK = (
    "etc/xen/b.cfg:2:9: XEN101 MAC 00:16:3e:00:00:01 (vif 0 of guest 'b') is also used by "
    "vif 0 of guest 'a' at etc/xen/a.cfg:2"
)
RT_TABLES = "255 local\n254 main\n253 default\n0 unspec\n"
FOO_CONF = "100 foo\n"
UP_SH = "ip route add default via 192.0.2.1 table foo\n"


def link(root: Path, name: str, target: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def json_codes(out: str) -> list[tuple[str, int, str, str]]:
    return [(f["path"], f["line"], f["code"], f["severity"]) for f in json.loads(out)["findings"]]


# --------------------------------------------------------------------------- following


def _tree(links: dict[str, str], files: set[str]) -> tuple[object, object]:
    return links.get, files.__contains__


@pytest.mark.parametrize(
    ("name", "target", "links", "leads_to", "problem"),
    [
        ("etc/xen/b.cfg", "../xen-off/b.conf.txt", {}, "etc/xen-off/b.conf.txt", None),
        ("etc/xen/b.cfg", "./../xen-off//b.conf.txt", {}, "etc/xen-off/b.conf.txt", None),
        # a chain, and a link in the middle of the target's path (a folder link)
        ("etc/xen/b.cfg", "c.cfg", {"etc/xen/c.cfg": "../off/c.cfg"}, "etc/off/c.cfg", None),
        ("etc/xen/b.cfg", "../off/sub/b.txt", {"etc/off": "../real"}, "real/sub/b.txt", None),
        ("etc/xen/b.cfg", "/etc/xen/b.conf", {}, None, "absolute path"),
        ("etc/xen/b.cfg", "c.cfg", {"etc/xen/c.cfg": "/srv/c"}, None, "through the link"),
        ("etc/xen/b.cfg", "../../../b.cfg", {}, None, "climbs out of the repository"),
        ("b.cfg", "sub/../../b.cfg", {}, None, "climbs out of the repository"),
        ("etc/xen/b.cfg", "nowhere.cfg", {}, None, "leads to etc/xen/nowhere.cfg, which is not"),
        ("etc/xen/b.cfg", "..", {}, None, "leads to etc, which is not a file"),
        ("b.cfg", ".", {}, None, "leads to the repository's root"),
        ("etc/xen/b.cfg", "b.cfg", {"etc/xen/b.cfg": "b.cfg"}, None, "loop"),
        ("etc/xen/b.cfg", "c.cfg", {"etc/xen/c.cfg": "b.cfg", "etc/xen/b.cfg": "c.cfg"}, None,
         "loop"),
    ],
)  # fmt: skip
def test_a_link_is_followed_inside_the_tree_only(
    name: str, target: str, links: dict[str, str], leads_to: str | None, problem: str | None
) -> None:
    files = {"etc/xen-off/b.conf.txt", "etc/off/c.cfg", "real/sub/b.txt", "etc/xen/a.cfg"}
    followed = follow(name, target, links.get, files.__contains__)
    assert followed.path == leads_to
    if problem is None:
        assert followed.problem is None
        assert followed.through[-1] == leads_to
    else:
        assert followed.problem is not None and problem in followed.problem, followed


def test_a_chain_of_links_is_bounded() -> None:
    chain = {f"l{i}": f"l{i + 1}" for i in range(1, MAX_LINKS + 5)}
    chain[f"l{MAX_LINKS}"] = "file"
    assert follow("l1", chain["l1"], chain.get, {"file"}.__contains__).path == "file"
    chain[f"l{MAX_LINKS}"] = f"l{MAX_LINKS + 1}"
    chain[f"l{MAX_LINKS + 1}"] = "file"
    followed = follow("l1", chain["l1"], chain.get, {"file"}.__contains__)
    assert followed.path is None and "more than 40" in str(followed.problem)


# --------------------------------------------------------------------------- item 5 at the doors


def seed_links(root: Path) -> None:
    (root / "etc/xen").mkdir(parents=True, exist_ok=True)
    (root / "etc/xen/a.cfg").write_text(A_GUEST)


def test_staged_a_linked_guest_config_is_read_as_its_target(repo: GitRepo) -> None:
    seed_links(repo.path)
    repo.commit("Guest a")
    repo.write("etc/xen-off/b.conf.txt", B_REUSES)
    link(repo.path, "etc/xen/b.cfg", "../xen-off/b.conf.txt")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert XEN101_AT_LINK in res.out
    assert "    vif = [ 'mac=00-16-3E-00-00-01,bridge=xenbr0' ]" in res.out  # the target's line
    # with its own MAC it goes in; so does xendomains' auto/ link to a guest (the same
    # guest, not a second one with the same MAC and name)
    repo.write("etc/xen-off/b.conf.txt", B_OWN)
    link(repo.path, "etc/xen/auto/a.cfg", "../a.cfg")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    repo.commit("Guest b, a started at boot")
    # a change to the target alone (the link untouched) changes the guest b.cfg is
    repo.write("etc/xen-off/b.conf.txt", B_REUSES)
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert XEN101_AT_LINK in res.out and "pre-existing" not in res.out


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("/etc/passwd", "/etc/passwd: it is an absolute path"),
        ("../../../outside.cfg", "../../../outside.cfg: it climbs out of the repository"),
        ("nowhere.cfg", "nowhere.cfg: it leads to etc/xen/nowhere.cfg, which is not a file"),
        ("b.cfg", "b.cfg: it is a loop of links"),
    ],
)
def test_staged_a_link_that_cannot_be_followed_is_inf001(
    repo: GitRepo, target: str, says: str
) -> None:
    seed_links(repo.path)
    repo.commit("Guest a")
    link(repo.path, "etc/xen/b.cfg", target)
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert f"etc/xen/b.cfg:0: INF001 etc/xen/b.cfg is a symbolic link to {says}" in res.out
    assert "root:" not in res.out


def test_staged_a_linked_rt_tables_file_is_read_as_its_target(repo: GitRepo) -> None:
    repo.write("etc/iproute2/rt_tables", RT_TABLES)
    repo.write("up.sh", "ip route add default via 192.0.2.1 table uplink\n")
    repo.write("shared/tables.txt", "16 uplink\n")
    link(repo.path, "etc/iproute2/rt_tables.d/uplink.conf", "../../../shared/tables.txt")
    repo.add()
    assert repo.regime("staged").code == 0  # uplink is defined, through the link
    repo.commit("Tables")
    # the same table under another id, in a file the link reads: RT102 at the link
    repo.write("shared/tables.txt", "16 uplink\n17 uplink\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert "etc/iproute2/rt_tables.d/uplink.conf:2" in res.out and "RT102" in res.out


def test_push_a_linked_guest_config_reusing_a_mac_is_refused(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    clone = srv.clone
    seed_links(clone.path)
    clone.commit("Guest a")
    assert_accepted(srv.push("origin", "main"))
    clone.write("etc/xen-off/b.conf.txt", B_REUSES)
    link(clone.path, "etc/xen/b.cfg", "../xen-off/b.conf.txt")
    clone.commit("Guest b, through a link")
    lines = assert_refused(srv.push("origin", "main"))
    assert XEN101_AT_LINK in lines
    # the link fixed; then its target deleted: the dangling link blocks
    clone.write("etc/xen-off/b.conf.txt", B_OWN)
    clone.git("commit", "-q", "-a", "--amend", "-m", "Guest b, through a link")
    assert_accepted(srv.push("origin", "main"))
    clone.git("rm", "-q", "etc/xen-off/b.conf.txt")
    clone.commit("Drop the old folder")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(
        x.startswith("etc/xen/b.cfg:0: INF001 etc/xen/b.cfg is a symbolic link to "
                     "../xen-off/b.conf.txt: it leads to etc/xen-off/b.conf.txt, which is not")
        for x in lines
    ), lines  # fmt: skip
    # a link out of the repository, pushed: refused, and the server's file never read
    clone.git("reset", "-q", "--hard", "HEAD~1")
    link(clone.path, "etc/xen/c.cfg", "/etc/passwd")
    clone.commit("Guest c from the host")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(x.startswith("etc/xen/c.cfg:0: INF001") for x in lines), lines
    assert not any("root:" in x for x in lines)


def test_ci_range_a_linked_guest_config_reusing_a_mac_fails(repo: GitRepo) -> None:
    seed_links(repo.path)
    base = repo.commit("Guest a")
    repo.write("etc/xen-off/b.conf.txt", B_REUSES)
    link(repo.path, "etc/xen/b.cfg", "../xen-off/b.conf.txt")
    repo.commit("Guest b, through a link")
    res = repo.regime("check", "--from", base, "--to", "HEAD")
    assert res.code == 1, res.text
    assert XEN101_AT_LINK in res.out


def test_check_a_folder_and_a_work_tree_read_a_link_inside_only(tmp_path: Path) -> None:
    """`regime check` follows an infrastructure link inside the tree (never out of it),
    and still never reads a linked file for the whitespace rules."""
    tree = tmp_path / "tree"
    seed_links(tree)
    (tree / "etc/xen-off").mkdir(parents=True)
    (tree / "etc/xen-off/b.conf.txt").write_text(B_REUSES)
    link(tree, "etc/xen/b.cfg", "../xen-off/b.conf.txt")
    (tmp_path / "outside.cfg").write_text(B_REUSES.replace("'b'", "'c'"))
    link(tree, "etc/xen/c.cfg", "../../../outside.cfg")
    (tree / "tab.c").write_text("\tx;\n")
    link(tree, "etc/xen/tab.cfg", "../../tab.c")  # a guest config: read as the target
    link(tree, "linked.c", "tab.c")  # no infrastructure file: never followed
    res = run_regime("check", "--format", "json", "tree", cwd=tmp_path)
    assert res.code == 1, res.text
    found = json_codes(res.out)
    assert ("etc/xen/b.cfg", 2, "XEN101", "error") in found
    assert ("etc/xen/c.cfg", 0, "INF001", "error") in found
    assert ("etc/xen/tab.cfg", 1, "XEN001", "error") in found
    assert [f for f in found if f[2] == "WS101"] == [("tab.c", 1, "WS101", "error")]
    assert "XEN112" not in res.out  # the guest outside ('c') was never read
    # the same tree as a git work tree: the tracked links, followed inside it
    repo = GitRepo(tree)
    repo.commit("Guests")
    res = repo.regime("check", "--format", "json")
    assert res.code == 1, res.text
    found = json_codes(res.out)
    assert ("etc/xen/b.cfg", 2, "XEN101", "error") in found
    assert ("etc/xen/c.cfg", 0, "INF001", "error") in found


@pytest.fixture
def svn_repo(tmp_path: Path) -> Svn:
    s = Svn(tmp_path)
    s.install()
    return s


def test_svn_commit_a_linked_guest_config_reusing_a_mac_is_refused(svn_repo: Svn) -> None:
    svn_repo.write("etc/xen/a.cfg", A_GUEST)
    svn_repo.accept("Guest a")
    svn_repo.write("etc/xen-off/b.conf.txt", B_REUSES)
    link(svn_repo.wc, "etc/xen/b.cfg", "../xen-off/b.conf.txt")  # svn:special, "link ..."
    c = svn_repo.block("Guest b, through a link")
    assert "etc/xen/b.cfg:2:9: XEN101" in c.findings, c.err
    assert XEN101_AT_LINK in c.hook
    svn_repo.write("etc/xen-off/b.conf.txt", B_OWN)
    svn_repo.accept("Guest b, through a link")
    # a link out of the repository and one to nothing: INF001 each
    link(svn_repo.wc, "etc/xen/c.cfg", "/etc/passwd")
    link(svn_repo.wc, "etc/xen/d.cfg", "nowhere.cfg")
    c = svn_repo.block("Two more")
    assert c.findings == ["etc/xen/c.cfg:0: INF001", "etc/xen/d.cfg:0: INF001"], c.err
    assert "root:" not in c.err
    os.unlink(svn_repo.wc / "etc/xen/c.cfg")
    os.unlink(svn_repo.wc / "etc/xen/d.cfg")
    svn_repo.svn("revert", "-q", "etc/xen/c.cfg", "etc/xen/d.cfg")
    # the target changed alone: the guest behind the link changed
    svn_repo.write("etc/xen-off/b.conf.txt", B_REUSES)
    c = svn_repo.block("Edit b")
    assert "etc/xen/b.cfg:2:9: XEN101" in c.findings and "pre-existing" not in c.err


# --------------------------------------------------------------------------- item 6


def seed_tables(root: Path) -> None:
    for name, text in {
        "etc/iproute2/rt_tables": RT_TABLES,
        "etc/iproute2/rt_tables.d/foo.conf": FOO_CONF,
        "up.sh": UP_SH,
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


RT105_FOO = "up.sh:1:42: RT105 table 'foo' is not defined in any rt_tables file"
GONE_NOTE = "The change deletes or renames etc/iproute2/rt_tables.d/foo.conf, which may have"


@pytest.mark.parametrize("how", ["rm", "mv"])
def test_staged_deleting_a_tables_file_a_script_uses_blocks(repo: GitRepo, how: str) -> None:
    seed_tables(repo.path)
    repo.commit("Tables and a script")
    if how == "rm":
        repo.git("rm", "-q", "etc/iproute2/rt_tables.d/foo.conf")
    else:  # renamed away: iproute2 loads only *.conf
        repo.git("mv", "etc/iproute2/rt_tables.d/foo.conf", "etc/iproute2/rt_tables.d/foo.off")
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert RT105_FOO in res.out and GONE_NOTE in res.out
    assert "pre-existing" not in res.out


def test_staged_deleting_another_file_leaves_an_old_problem_pre_existing(repo: GitRepo) -> None:
    seed_tables(repo.path)
    repo.write("old.sh", "ip rule add from 192.0.2.9 lookup legacy\n")  # undefined before
    repo.write("etc/xen/a.cfg", A_GUEST)
    repo.commit("Tables, scripts, a guest")
    repo.git("rm", "-q", "etc/xen/a.cfg")
    res = repo.regime("staged")
    assert res.code == 0, res.text
    assert "RT105" in res.out and "pre-existing" in res.out


def test_push_deleting_or_renaming_a_tables_file_a_script_uses_is_refused(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    clone = srv.clone
    seed_tables(clone.path)
    clone.commit("Tables and a script")
    assert_accepted(srv.push("origin", "main"))
    clone.git("rm", "-q", "etc/iproute2/rt_tables.d/foo.conf")
    clone.commit("Drop the foo table")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(x.startswith(RT105_FOO) and GONE_NOTE in x for x in lines), lines
    clone.git("reset", "-q", "--hard", "HEAD~1")
    clone.git("mv", "etc/iproute2/rt_tables.d/foo.conf", "etc/iproute2/foo.conf")
    clone.commit("Move the foo table")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(x.startswith(RT105_FOO) for x in lines), lines
    # the script changed with it: the push goes in
    clone.write("up.sh", "ip route add default via 192.0.2.1 table main\n")
    clone.git("commit", "-q", "-a", "--amend", "-m", "Move the foo table")
    assert_accepted(srv.push("origin", "main"))


EDIT_NOTE = "The change edits etc/iproute2/rt_tables.d/foo.conf, which may have defined it"


def test_staged_and_push_taking_a_table_out_of_a_tables_file_block(
    repo: GitRepo, tmp_path: Path
) -> None:
    """Not only a deletion: an edit that takes the line out breaks the script as much."""
    seed_tables(repo.path)
    repo.commit("Tables and a script")
    repo.write("etc/iproute2/rt_tables.d/foo.conf", "# foo is gone\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert RT105_FOO in res.out and EDIT_NOTE in res.out and "pre-existing" not in res.out
    (tmp_path / "push").mkdir()
    srv = make_server(tmp_path / "push")
    seed_tables(srv.clone.path)
    srv.clone.commit("Tables and a script")
    assert_accepted(srv.push("origin", "main"))
    srv.clone.write("etc/iproute2/rt_tables.d/foo.conf", "# foo is gone\n")
    srv.clone.commit("Drop the foo line")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(x.startswith(RT105_FOO) and EDIT_NOTE in x for x in lines), lines


def test_ci_range_deleting_a_tables_file_a_script_uses_fails(repo: GitRepo) -> None:
    seed_tables(repo.path)
    base = repo.commit("Tables and a script")
    repo.git("rm", "-q", "etc/iproute2/rt_tables.d/foo.conf")
    repo.commit("Drop the foo table")
    res = repo.regime("check", "--from", base, "--to", "HEAD")
    assert res.code == 1, res.text
    assert RT105_FOO in res.out and GONE_NOTE in res.out


@pytest.mark.parametrize("how", ["rm", "mv"])
def test_svn_commit_deleting_a_tables_file_a_script_uses_is_refused(
    svn_repo: Svn, how: str
) -> None:
    seed_tables(svn_repo.wc)
    svn_repo.accept("Tables and a script")
    if how == "rm":
        svn_repo.svn("rm", "-q", "etc/iproute2/rt_tables.d/foo.conf")
    else:
        svn_repo.svn("mv", "-q", "etc/iproute2/rt_tables.d/foo.conf", "etc/iproute2/foo.txt")
    c = svn_repo.block("Drop the foo table")
    assert c.findings == ["up.sh:1:42: RT105"], c.err
    assert GONE_NOTE in c.hook and "pre-existing" not in c.hook


# --------------------------------------------------------------------------- item 7

XM_POLICY = "xen:\n  grammar: xm\n"
XM_B = (
    "def vifs(n):\n"
    "    return ['mac=00:16:3e:00:00:%02x,bridge=xenbr0' % n]\n"
    "name = 'b'\n"
    "vif = vifs(1)\n"
)


def test_push_an_xm_config_computing_its_vif_is_refused(tmp_path: Path) -> None:
    policy = tmp_path / "server.yaml"
    policy.write_text(XM_POLICY)
    srv = make_server(tmp_path, install=("--policy", str(policy)))
    srv.clone.write("etc/xen/a.cfg", A_GUEST)
    srv.clone.commit("Guest a")
    assert_accepted(srv.push("origin", "main"))
    srv.clone.write("etc/xen/b.cfg", XM_B)  # a's MAC, behind a function
    srv.clone.commit("Guest b")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(
        x.startswith("etc/xen/b.cfg:4:1: XEN003 vif = ... cannot be checked statically (a call "
                     "to vifs()), and it may set vif")
        for x in lines
    ), lines  # fmt: skip
    srv.clone.write("etc/xen/b.cfg", "name = 'b'\nvif = ['mac=00:16:3e:00:00:02']\n")
    srv.clone.git("commit", "-q", "-a", "--amend", "-m", "Guest b")
    assert_accepted(srv.push("origin", "main"))


def test_inventory_lists_a_linked_guest_and_names_a_broken_link(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    seed_links(tree)
    (tree / "etc/xen-off").mkdir(parents=True)
    (tree / "etc/xen-off/b.conf.txt").write_text(B_OWN)
    link(tree, "etc/xen/b.cfg", "../xen-off/b.conf.txt")
    link(tree, "etc/xen/auto/a.cfg", "../a.cfg")  # the same guest: listed once
    link(tree, "etc/xen/c.cfg", "/etc/passwd")
    res = run_regime("inventory", "--format", "json", "tree", cwd=tmp_path)
    assert res.code == 0, res.text
    doc = json.loads(res.out)
    assert [(v["config"], v["guest"], v["mac"]) for v in doc["vifs"]] == [
        ("etc/xen/a.cfg", "a", "00:16:3e:00:00:01"),
        ("etc/xen/b.cfg", "b", "00:16:3e:00:00:02"),
    ]
    [note] = doc["unreadable"]
    assert note.startswith("etc/xen/c.cfg:0:0: INF001 etc/xen/c.cfg is a symbolic link to /etc")
