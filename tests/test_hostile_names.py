"""Hostile file names at every door, and what a tree checked in CI may hold besides
files: symlinks pointing out of it, loops, FIFOs, sockets, folders nobody may read.

Every file here holds one tab and one trailing space in line 2 (``\\tbad ``), so each
name must come back exactly twice, at 2:1 (WS101) and 2:5 (WS102): in the JSON report
as the name itself, in the text report as one line that names it, with git's quoting
for a name that holds a control character (a newline must not split a finding, an
escape sequence must not reach the terminal). The same names with clean content pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import REGIME, GitRepo, Result, base_env
from test_git_pre_receive import assert_accepted, assert_refused, make_server
from test_svn_door import Svn

BAD = "ok\n\tbad \n"
CLEAN = "ok\n    bad\n"
WS101 = "WS101 a tab character in an added line: indent with spaces"
WS101_WHOLE = "WS101 a tab character: indent with spaces"  # regime check: whole files
WS102 = "WS102 trailing whitespace (1 space): remove it"

# (name, as the text report shows it). Every name is at the top of the tree, so a
# leading dash is at the very start of what git and svnlook are given.
PLAIN_NAMES = [
    ('dq"uote.c', 'dq"uote.c'),
    ("sq'uote.c", "sq'uote.c"),
    ("back\\slash.c", "back\\slash.c"),
    ("-rf.c", "-rf.c"),
    ("--help.conf", "--help.conf"),
    ("--output=x.c", "--output=x.c"),
    ("-/dash-folder.c", "-/dash-folder.c"),
    ("--/dashdash-folder.c", "--/dashdash-folder.c"),
    ("a..b.c", "a..b.c"),
    ("..c", "..c"),
    ("...c", "...c"),
    ("x/..y/z.c", "x/..y/z.c"),
    ("C:\\windows.c", "C:\\windows.c"),
    ("\\\\server\\share.c", "\\\\server\\share.c"),
    ("file:/etc/passwd.c", "file:/etc/passwd.c"),
    ("~root.c", "~root.c"),
    (" lead.c", " lead.c"),
    ("trail .c", "trail .c"),
    ("sp ace/x y.c", "sp ace/x y.c"),
    ("ünï/日本.c", "ünï/日本.c"),
    ("$(id)`id`.c", "$(id)`id`.c"),
    ("*?[a].c", "*?[a].c"),
    (":(glob)x.c", ":(glob)x.c"),
    ("x@y.c", "x@y.c"),
    ("pct%41.c", "pct%41.c"),
    ('"lead-quote.c', '"\\"lead-quote.c"'),  # a shown name starting with " is quoted
    ("x\u2028y.c", '"x\\342\\200\\250y.c"'),  # a line separator: svn takes it
]
# Names git and a file system take, svn refuses (control characters, bytes that are
# not UTF-8).
CONTROL_NAMES = [
    ("new\nline.c", '"new\\nline.c"'),
    ("tab\tname.c", '"tab\\tname.c"'),
    ("cr\r.c", '"cr\\r.c"'),
    ("esc\x1b[2Jclear.c", '"esc\\033[2Jclear.c"'),
    ("del\x7f.c", '"del\\177.c"'),
    ("caf\udce9.c", '"caf\\351.c"'),  # a Latin-1 byte, kept by surrogateescape
]
ALL_NAMES = PLAIN_NAMES + CONTROL_NAMES


def fs_name(name: str) -> str:
    return os.fsdecode(os.fsencode(name))  # the surrogate back to its byte


def write_all(root: Path, names: Sequence[tuple[str, str]], content: str) -> None:
    for name, _ in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def expected_json(names: Sequence[tuple[str, str]], prefix: str = "") -> list[tuple[str, ...]]:
    return sorted(
        (prefix + name, str(line), str(col), code)
        for name, _ in names
        for line, col, code in ((2, 1, "WS101"), (2, 5, "WS102"))
    )


def json_findings(out: str) -> list[tuple[str, ...]]:
    doc = json.loads(out)
    return sorted((f["path"], str(f["line"]), str(f["col"]), f["code"]) for f in doc["findings"])


def assert_text_names_each_file(
    lines: Sequence[str], names: Sequence[tuple[str, str]], prefix: str = "", ws101: str = WS101
) -> None:
    """Each name's two findings, each on one line, and no other finding line: a name
    that split a line or was shown some other way would break the count."""
    findings = [line for line in lines if ": WS10" in line]
    expected = []
    for _, shown in names:
        expected += [f"{prefix}{shown}:2:1: {ws101}", f"{prefix}{shown}:2:5: {WS102}"]
    assert sorted(findings) == sorted(expected)
    text = "\n".join(lines)
    assert "\x1b" not in text and "\r" not in text and "\u2028" not in text


# 1. regime staged


def test_staged_names_every_file_exactly(repo: GitRepo) -> None:
    write_all(repo.path, ALL_NAMES, BAD)
    repo.add()
    res = repo.regime("staged", "--format", "json")
    assert res.code == 1, res.text
    assert json_findings(res.out) == expected_json(ALL_NAMES)
    res = repo.regime("staged")
    assert res.code == 1
    assert_text_names_each_file(res.out.splitlines(), ALL_NAMES)
    n = len(ALL_NAMES)
    assert res.out.splitlines()[-1].startswith(
        f"regime: {2 * n} errors (WS101 x{n}, WS102 x{n}) in {n} files;"
    )


def test_staged_clean_files_with_the_same_names_pass(repo: GitRepo) -> None:
    write_all(repo.path, ALL_NAMES, BAD)
    repo.commit("Legacy files with tabs")  # old lines never block
    write_all(repo.path, ALL_NAMES, CLEAN)
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    assert res.out == f"regime: no problems in {len(ALL_NAMES)} files.\n"


@pytest.mark.parametrize("name", ["-rf.c", "--help.conf", "--output=x.c"])
def test_staged_limited_to_a_name_that_looks_like_an_option(repo: GitRepo, name: str) -> None:
    write_all(repo.path, ALL_NAMES, BAD)
    repo.add()
    res = repo.regime("staged", "--format", "json", "--", name)
    assert res.code == 1, res.text
    assert json_findings(res.out) == expected_json([(name, name)])


# 2. a real push into a bare repository with the hook


def test_push_names_every_file_exactly(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    before = srv.ref("refs/heads/main")
    write_all(srv.clone.path, ALL_NAMES, BAD)
    srv.clone.commit("Add files with odd names")
    res = srv.push("origin", "main")
    lines = assert_refused(res)
    assert_text_names_each_file(lines, ALL_NAMES)
    assert srv.ref("refs/heads/main") == before

    write_all(srv.clone.path, ALL_NAMES, CLEAN)
    srv.clone.git("add", "-A")
    srv.clone.git("commit", "-q", "--amend", "-m", "Add files with odd names")
    lines = assert_accepted(srv.push("origin", "main"))
    assert lines == [f"regime: no problems in {len(ALL_NAMES)} files in 1 commit."]
    assert srv.ref("refs/heads/main") == srv.clone.head()


def test_push_json_report_names_every_file_exactly(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    hook = srv.bare / "hooks" / "pre-receive"
    hook.write_text(hook.read_text().replace("git-pre-receive", "git-pre-receive --format json"))
    write_all(srv.clone.path, ALL_NAMES, BAD)
    srv.clone.commit("Add files with odd names")
    res = srv.push("origin", "main")
    assert res.code != 0
    # the JSON holds the line separator raw: split at newlines only (not splitlines)
    pushed = [line[len("remote: ") :] for line in res.err.split("\n") if line.startswith("remote:")]
    assert json_findings("\n".join(pushed)) == expected_json(ALL_NAMES)


# 3. a real svn commit through the installed hook


@pytest.fixture
def svn_repo(tmp_path: Path) -> Svn:
    s = Svn(tmp_path)
    s.install()  # UTF-8 output: the names are shown as they are
    return s


def test_svn_refuses_control_characters_itself(svn_repo: Svn) -> None:
    """What svn does not take never reaches the hook; the rest is tested below."""
    for name, _ in CONTROL_NAMES:
        path = svn_repo.write(fs_name(name), BAD)
        proc = subprocess.run(
            ["svn", "add", "--config-dir", str(svn_repo.config), "--", str(path)],
            cwd=svn_repo.wc, env=base_env(), capture_output=True, check=False,
        )  # fmt: skip
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 1 and ("E160005" in err or "E000022" in err), (name, err)
        path.unlink()


def test_svn_commit_names_every_file_exactly(svn_repo: Svn) -> None:
    write_all(svn_repo.wc, PLAIN_NAMES, BAD)
    c = svn_repo.block("Add files with odd names")
    assert_text_names_each_file(c.lines, PLAIN_NAMES)
    write_all(svn_repo.wc, PLAIN_NAMES, CLEAN)
    svn_repo.accept("Add files with odd names")


def test_svn_commit_json_report(svn_repo: Svn) -> None:
    hook = svn_repo.hook
    hook.write_text(hook.read_text().replace("svn-pre-commit", "svn-pre-commit --format json"))
    write_all(svn_repo.wc, PLAIN_NAMES, BAD)
    c = svn_repo.block("Add files with odd names")
    assert json_findings(c.hook) == expected_json(PLAIN_NAMES)


RT_TABLES = "255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n16\tuplink\n"


def test_svnlook_reads_a_path_that_starts_with_a_dash_as_that_path(svn_repo: Svn) -> None:
    """The tree after the change is read with `svnlook cat`: `-up.sh` must be read as
    `-up.sh`, not as an option, and not as `up.sh` (regime used to strip the dash)."""
    svn_repo.write("etc/iproute2/rt_tables", RT_TABLES)
    svn_repo.write("up.sh", "ip route add default via 192.0.2.1 table uplink\n")
    svn_repo.accept("Routing tables and a script")
    svn_repo.write("-up.sh", "ip route add default via 192.0.2.9 table nosuch\n")
    svn_repo.write("--help.sh", "ip rule add from 192.0.2.7 lookup missing\n")
    c = svn_repo.block("Two scripts whose names start with dashes")
    assert c.findings == ["--help.sh:1:35: RT105", "-up.sh:1:42: RT105"]
    assert "table 'nosuch' is not defined in any rt_tables file" in c.hook
    assert "table 'missing' is not defined in any rt_tables file" in c.hook
    svn_repo.write("-up.sh", "ip route add default via 192.0.2.9 table uplink\n")
    svn_repo.write("--help.sh", "ip rule add from 192.0.2.7 lookup uplink\n")
    svn_repo.accept("Use the uplink table")


# 4. regime check: a plain folder and a git work tree


def check(*args: str, cwd: Path, drop_dac: bool = False) -> Result:
    """`regime check` as a real process, never waiting long (a FIFO must not hang it).
    With drop_dac, as root without the capabilities that let root read anything, so
    a folder or file with mode 000 is really unreadable."""
    prefix: list[str] = []
    if drop_dac and os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    proc = subprocess.run(
        [*prefix, REGIME, "check", *args],
        cwd=cwd, env=base_env(), capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "backslashreplace"),
        proc.stderr.decode("utf-8", "backslashreplace"),
    )


def test_check_a_plain_folder_names_every_file_exactly(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_all(tree, ALL_NAMES, BAD)
    res = check("--format", "json", "tree", cwd=tmp_path)
    assert res.code == 1, res.text
    assert json_findings(res.out) == expected_json(ALL_NAMES)
    res = check("tree", cwd=tmp_path)
    assert_text_names_each_file(res.out.splitlines(), ALL_NAMES, ws101=WS101_WHOLE)
    write_all(tree, ALL_NAMES, CLEAN)
    res = check("tree", cwd=tmp_path)
    assert res.code == 0, res.text
    assert res.out == f"regime: no problems in {len(ALL_NAMES)} files.\n"


def test_check_a_git_work_tree_names_every_file_exactly(repo: GitRepo) -> None:
    write_all(repo.path, ALL_NAMES, BAD)
    repo.commit("Odd names")
    res = repo.regime("check", "--format", "json")
    assert res.code == 1, res.text
    assert json_findings(res.out) == expected_json(ALL_NAMES)
    res = repo.regime("check", "--", "-rf.c", "--help.conf")
    assert_text_names_each_file(
        res.out.splitlines(),
        [("-rf.c", "-rf.c"), ("--help.conf", "--help.conf")],
        ws101=WS101_WHOLE,
    )


def test_a_dash_name_given_to_check_is_a_file_not_an_option(tmp_path: Path) -> None:
    write_all(tmp_path, [("-rf.c", ""), ("--help.conf", "")], BAD)
    res = check("--format", "json", "--", "-rf.c", "--help.conf", cwd=tmp_path)
    assert res.code == 1, res.text
    assert json_findings(res.out) == expected_json([("-rf.c", ""), ("--help.conf", "")])


# 5. symlinks, FIFOs, sockets in a tree checked by CI

GUEST = "name = '{name}'\nvif = [ 'mac=00:16:3e:00:00:10,bridge=xenbr0' ]\n"


def hostile_tree(tmp_path: Path) -> Path:
    """A tree whose only real problem is real.c line 1; everything else is a link out
    of it (to a file, a folder, /etc/passwd), a loop, a dangling link, a link inside,
    a FIFO or a socket, several named like files regime would check, and outside it
    files full of tabs and a guest that reuses the MAC of the guest inside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.c").write_text("\tevil();\n")
    (outside / "sub").mkdir()
    (outside / "sub" / "deep.c").write_text("\tdeep();\n")
    (outside / "twin.cfg").write_text(GUEST.format(name="twin"))
    tree = tmp_path / "tree"
    (tree / "etc" / "xen").mkdir(parents=True)
    (tree / "etc" / "xen" / "web.cfg").write_text(GUEST.format(name="web"))
    (tree / "real.c").write_text("int real; \n")
    links = {
        "passwd.c": "/etc/passwd",
        "evil.c": "../outside/evil.c",
        "abs-evil.c": str(outside / "evil.c"),
        "outdir": "../outside/sub",
        "etcdir": "/etc",
        "etc/xen/twin.cfg": str(outside / "twin.cfg"),
        "self.c": "self.c",
        "ping.c": "pong.c",
        "pong.c": "ping.c",
        "loop": ".",
        "up": "..",
        "dangling.c": "nowhere.c",
        "inside.c": "real.c",
    }
    for name, target in links.items():
        (tree / name).symlink_to(target)
    os.mkfifo(tree / "pipe.c")
    os.mkfifo(tree / "etc" / "xen" / "fifo.cfg")
    # a socket, bound by a relative name (a socket path is limited to 108 bytes)
    subprocess.run(
        [sys.executable, "-c", "import socket; socket.socket(socket.AF_UNIX).bind('sock.conf')"],
        cwd=tree, check=True,
    )  # fmt: skip
    return tree


def test_check_never_follows_a_symlink_nor_opens_a_fifo(tmp_path: Path) -> None:
    tree = hostile_tree(tmp_path)
    assert (tree / "sock.conf").is_socket()
    res = check("--format", "json", "tree", cwd=tmp_path)
    assert res.code == 1, res.text
    doc = json.loads(res.out)
    # the guest config that links out of the tree is not read, but named (INF001)
    assert [(f["path"], f["line"], f["code"]) for f in doc["findings"]] == [
        ("real.c", 1, "WS102"),
        ("etc/xen/twin.cfg", 0, "INF001"),
    ]
    assert doc["findings"][1]["message"].startswith(
        f"etc/xen/twin.cfg is a symbolic link to {tmp_path}/outside/twin.cfg: it is an absolute "
        "path"
    )
    assert doc["summary"]["files"] == 2  # real.c and etc/xen/web.cfg: nothing else is a file
    assert "root:" not in res.out and "evil" not in res.out and "deep" not in res.out
    assert "XEN101" not in res.out  # the twin outside, with web's MAC, was never read
    res = check("tree", cwd=tmp_path)
    assert res.out.splitlines()[-1].startswith("regime: 2 errors (INF001 x1, WS102 x1) in 2 files;")


def test_a_git_work_tree_with_links_out_of_it(repo: GitRepo, tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "evil.c").write_text("\tevil();\n")
    repo.write("real.c", "int real; \n")
    for name, target in {
        "passwd.c": "/etc/passwd",
        "evil.c": str(tmp_path / "outside" / "evil.c"),
        "etcdir": "/etc",
        "self.c": "self.c",
        "dangling.c": "nowhere.c",
    }.items():
        (repo.path / name).symlink_to(target)
    repo.commit("Links")
    res = repo.regime("check", "--format", "json")
    assert res.code == 1, res.text
    assert json_findings(res.out) == [("real.c", "1", "10", "WS102")]
    # a PATH through a tracked link, or naming nothing tracked, is no "0 files" pass
    for path in ("etcdir/passwd", "nosuch.c"):
        res = repo.regime("check", path)
        assert res.code == 2, res.text
        assert res.err == (
            f"regime: error: {path}: no file git tracks is there (in a git work tree, regime "
            "check checks the tracked files; `git add` it first, or check a folder outside git)\n"
        )
    # a tracked file swapped for a FIFO on disk: not opened, so nothing hangs
    (repo.path / "real.c").unlink()
    os.mkfifo(repo.path / "real.c")
    res = check(cwd=repo.path)
    assert res.code == 0, res.text
    assert res.out == "regime: no problems in 0 files.\n"


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("passwd.c", "tree/passwd.c is a symbolic link (to /etc/passwd); regime never follows"),
        ("etcdir", "tree/etcdir is a symbolic link (to /etc); regime never follows links: give "
         "the path it points to, or tree/etcdir/ for the folder"),
        ("pipe.c", "tree/pipe.c is a FIFO (named pipe), not a file or folder to check"),
        ("sock.conf", "tree/sock.conf is a socket, not a file or folder to check"),
    ],
)  # fmt: skip
def test_a_link_or_fifo_named_on_the_command_line_is_refused(
    tmp_path: Path, arg: str, message: str
) -> None:
    hostile_tree(tmp_path)
    res = check(f"tree/{arg}", cwd=tmp_path)
    assert res.code == 2, res.text
    assert res.out == ""
    assert res.err.startswith(f"regime: error: {message}")


# 6. what cannot be read is never a pass


def test_unreadable_file_and_folder_in_a_plain_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_all(tree, [("ok.c", ""), ("secret/bad.c", ""), ("secret/sub/deeper.c", "")], BAD)
    (tree / "locked.c").write_text("int fine;\n")
    os.mkfifo(tree / "secret" / "pipe.c")
    (tree / "secret").chmod(0)
    (tree / "locked.c").chmod(0)
    try:
        res = check("--format", "json", "tree", cwd=tmp_path, drop_dac=True)
        text = check("tree", cwd=tmp_path, drop_dac=True)
    finally:
        (tree / "secret").chmod(0o755)
    assert res.code == 1, res.text
    found = [
        (f["path"], f["line"], f["code"], f["message"]) for f in json.loads(res.out)["findings"]
    ]
    assert [x[:3] for x in found] == [
        ("locked.c", 0, "DIFF001"),
        ("ok.c", 2, "WS101"),
        ("ok.c", 2, "WS102"),
        ("secret/", 0, "DIFF001"),
    ]
    assert "cannot read the file: Permission denied" in found[0][3]
    assert "cannot read the folder: Permission denied; no file in it was checked" in found[3][3]
    assert text.code == 1
    assert "secret/:0: DIFF001 " in text.out and "locked.c:0: DIFF001 " in text.out


def test_unreadable_root_folder(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_all(tree, [("bad.c", "")], BAD)
    tree.chmod(0)
    try:
        res = check("tree", cwd=tmp_path, drop_dac=True)
    finally:
        tree.chmod(0o755)
    assert res.code == 1, res.text
    assert res.out.startswith(
        "tree:0: DIFF001 not checked: cannot read the folder: "
        "Permission denied; no file in it was checked"
    )


def test_unreadable_tracked_folder_in_a_git_work_tree(repo: GitRepo) -> None:
    repo.write("ok.c", "int ok;\n")
    repo.write("secret/bad.c", BAD)
    repo.write("etc/xen/web.cfg", GUEST.format(name="web"))
    repo.write("etc/xen/db.cfg", GUEST.format(name="db").replace(":10", ":20"))
    repo.commit("Files")
    (repo.path / "secret").chmod(0)
    (repo.path / "etc" / "xen" / "db.cfg").chmod(0)
    try:
        whole = check("--format", "json", cwd=repo.path, drop_dac=True)
        # with a PATH, the infrastructure checks still read every guest
        one = check("--format", "json", "etc/xen/web.cfg", cwd=repo.path, drop_dac=True)
    finally:
        (repo.path / "secret").chmod(0o755)
    assert whole.code == 1, whole.text
    assert [(f["path"], f["code"]) for f in json.loads(whole.out)["findings"]] == [
        ("etc/xen/db.cfg", "DIFF001"),
        ("secret/bad.c", "DIFF001"),
    ]
    assert one.code == 1, one.text
    found = json.loads(one.out)["findings"]
    assert [(f["path"], f["code"]) for f in found] == [("etc/xen/db.cfg", "DIFF001")]
    assert "the infrastructure checks went on without it" in found[0]["message"]


def test_inventory_of_a_tree_with_an_unreadable_guest_is_an_error(tmp_path: Path) -> None:
    """`regime inventory` is no gate, but a guest left out of it would hide a MAC in use."""
    tree = tmp_path / "tree"
    (tree / "etc" / "xen").mkdir(parents=True)
    (tree / "etc" / "xen" / "web.cfg").write_text(GUEST.format(name="web"))
    (tree / "etc" / "xen" / "web.cfg").chmod(0)
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    proc = subprocess.run(
        [*(prefix if os.geteuid() == 0 else []), REGIME, "inventory", "tree"],
        cwd=tmp_path, env=base_env(), capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 3, err
    assert "cannot read etc/xen/web.cfg: Permission denied" in err
