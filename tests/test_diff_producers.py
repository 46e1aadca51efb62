"""Diffs as other tools write them, read the way those tools (and ``patch``) read them.

Every input here is made by the real producer: GNU ``diff -ru``/``-ruN`` over real
folders, ``hg diff`` in a real Mercurial repository, ``git diff`` (also coloured),
and GNU ``patch`` applies the CRLF patch to show what the files become. Before:

- ``Binary files a/x and b/x differ`` (GNU ``diff -r``) was taken as a line of the
  PREVIOUS file, which was then called binary and not checked at all; ``Only in``
  lines were read as part of it too;
- names kept their ``a/``/``b/`` (``b/vendor/lib.c``), so ``exclude: [vendor/**]``
  did not match;
- a patch saved with CRLF line ends had the name ``x.c\\r``: no rule's suffix matched;
- ``@@ -a +b @@`` passed silently, and so did input holding no diff at all.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GitRepo, base_env, run_regime


def findings(res_out: str) -> list[tuple[str, int, int, str]]:
    return sorted(
        (f["path"], f["line"], f["col"], f["code"]) for f in json.loads(res_out)["findings"]
    )


def regime_diff(diff: bytes, cwd: Path, *args: str) -> tuple[int, list[tuple[str, int, int, str]]]:
    res = run_regime("diff", "-", "--format", "json", *args, cwd=cwd, stdin=diff)
    assert res.code in (0, 1), res.text
    return res.code, findings(res.out)


def produce(*argv: str, cwd: Path, ok: tuple[int, ...] = (0, 1)) -> bytes:
    proc = subprocess.run(argv, cwd=cwd, env=base_env(), capture_output=True, check=False)
    assert proc.returncode in ok, proc.stderr.decode(errors="replace")
    return proc.stdout


def two_trees(tmp_path: Path) -> Path:
    """``a`` and ``b``: a text file edited before and after a binary file that
    changed, a file only in each side, a vendored file, a subfolder."""
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "sub").mkdir(parents=True)
        (root / "vendor").mkdir()
    (a / "a.c").write_text("int a;\n")
    (b / "a.c").write_text("int a;\n\tint b;\n")
    (a / "blob.bin").write_bytes(b"\0one")
    (b / "blob.bin").write_bytes(b"\0two")
    (a / "z.c").write_text("int z;\n")
    (b / "z.c").write_text("int z;\nint y; \n")
    (a / "gone.conf").write_text("x\n")
    (b / "sub/new.sh").write_text("echo\tnew\n")
    (a / "vendor/lib.c").write_text("int v;\n")
    (b / "vendor/lib.c").write_text("int v;\n\tint w;\n")
    return tmp_path


VENDOR = "exclude: ['vendor/**']\n"


def test_gnu_diff_r_binary_and_only_in_lines_belong_to_no_other_file(tmp_path: Path) -> None:
    root = two_trees(tmp_path)
    diff = produce("diff", "-ru", "a", "b", cwd=root)
    assert b"\nBinary files a/blob.bin and b/blob.bin differ\n" in diff
    assert b"Only in b/sub: new.sh\n" in diff
    # a.c comes before the binary file and z.c after it: both are checked
    code, found = regime_diff(diff, root)
    assert code == 1
    assert found == [
        ("a.c", 2, 1, "WS101"),
        ("vendor/lib.c", 2, 1, "WS101"),
        ("z.c", 2, 7, "WS102"),
    ]


def test_gnu_diff_ruN_names_lose_their_prefix_as_patch_p1_does(tmp_path: Path) -> None:
    root = two_trees(tmp_path)
    (root / ".regime.yaml").write_text(VENDOR)
    diff = produce("diff", "-ruN", "a", "b", cwd=root)
    assert b"+++ b/vendor/lib.c\t" in diff and b"diff -ruN a/a.c b/a.c\n" in diff
    code, found = regime_diff(diff, root)
    assert code == 1
    # vendor/** matches vendor/lib.c, not b/vendor/lib.c: it is excluded
    assert found == [("a.c", 2, 1, "WS101"), ("sub/new.sh", 1, 5, "WS101"), ("z.c", 2, 7, "WS102")]


def test_gnu_diff_of_two_named_trees_strips_their_names(tmp_path: Path) -> None:
    root = two_trees(tmp_path)
    (root / "a").rename(root / "old-tree")
    (root / "b").rename(root / "new-tree")
    diff = produce("diff", "-ruN", "old-tree", "new-tree", cwd=root)
    _, found = regime_diff(diff, root)
    assert ("sub/new.sh", 1, 5, "WS101") in found and ("a.c", 2, 1, "WS101") in found


def test_diff_u_of_one_folder_keeps_the_folder(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/x.conf.orig").write_text("a\n")
    (tmp_path / "etc/x.conf").write_text("a\nb \n")
    diff = produce("diff", "-u", "etc/x.conf.orig", "etc/x.conf", cwd=tmp_path)
    # one folder named on both sides is no prefix: etc/ stays
    assert regime_diff(diff, tmp_path) == (1, [("etc/x.conf", 2, 2, "WS102")])


def hg(repo: Path, *args: str) -> bytes:
    env = base_env({"HGUSER": "Ada <ada@example.org>", "HGRCPATH": "/dev/null", "HGPLAIN": "1"})
    proc = subprocess.run(["hg", *args], cwd=repo, env=env, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


def test_hg_diff_names_match_anchored_globs(tmp_path: Path) -> None:
    repo = tmp_path / "hgrepo"
    repo.mkdir()
    hg(repo, "init")
    (repo / "vendor").mkdir()
    (repo / "vendor/lib.c").write_text("int v;\n")
    (repo / "etc").mkdir()
    (repo / "etc/x.conf").write_text("a\n")
    (repo / "gone.c").write_text("\told\n")
    (repo / ".regime.yaml").write_text(VENDOR)
    hg(repo, "add", "-q")
    hg(repo, "commit", "-q", "-m", "start")
    (repo / "vendor/lib.c").write_text("int v;\n\tint w;\n")
    (repo / "etc/x.conf").write_text("a\nb \n")
    (repo / "new.sh").write_text("echo\tnew\n")
    hg(repo, "add", "-q", "new.sh")
    hg(repo, "rm", "-q", "gone.c")
    for flags in ((), ("--git",)):
        diff = hg(repo, "diff", *flags)
        assert b"+++ b/vendor/lib.c" in diff and b"--- /dev/null" in diff
        code, found = regime_diff(diff, repo)
        assert code == 1, flags
        assert found == [("etc/x.conf", 2, 2, "WS102"), ("new.sh", 1, 5, "WS101")], flags


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def test_a_patch_saved_with_crlf_ends_is_read_as_patch_reads_it(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("a.c", "int a;\n")
    repo.commit("start")
    repo.write("a.c", "int a;\n\tint b;\nint c; \n")
    repo.write("new.py", "x = 1\ny = 2 \n")
    repo.git("add", "-N", "new.py")
    diff = repo.git("diff", "--no-color").encode()
    repo.git("rm", "-q", "--cached", "new.py")
    (repo.path / "new.py").unlink()
    mailed = crlf(diff)
    assert b"+++ b/a.c\r\n" in mailed
    code, found = regime_diff(mailed, tmp_path)
    assert code == 1
    assert found == [("a.c", 2, 1, "WS101"), ("a.c", 3, 7, "WS102"), ("new.py", 2, 6, "WS102")]
    # GNU patch strips the CRs too: what it makes of the files is what was judged
    repo.git("checkout", "--", "a.c")
    proc = subprocess.run(
        ["patch", "-p1"], cwd=repo.path, input=mailed, capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert b"Stripping trailing CRs from patch" in proc.stdout + proc.stderr
    assert (repo.path / "new.py").read_bytes() == b"x = 1\ny = 2 \n"
    repo.git("add", "new.py")
    res = run_regime("check", "new.py", "--format", "json", cwd=repo.path)
    assert findings(res.out) == [("new.py", 2, 6, "WS102")]


def test_a_crlf_file_in_an_lf_patch_keeps_its_crlf(repo: GitRepo, tmp_path: Path) -> None:
    """Only a patch whose own header lines end in CRLF loses its CRs: git's diff of
    a file with CRLF lines keeps them (the CR of a CRLF is no trailing space)."""
    repo.write("a.c", "int a;\r\n")
    repo.commit("start")
    repo.write("a.c", "int a;\r\nint b;\r\nint c;\r\r\n")
    diff = repo.git("diff", "--no-color").encode()
    assert b"+++ b/a.c\n" in diff
    assert regime_diff(diff, tmp_path) == (1, [("a.c", 3, 7, "WS102")])


@pytest.mark.parametrize("header", ["@@ -a +b @@", "@@ -1 +1", "@@ 1,2 3,4 @@", "@@@ -1 +1 @@"])
def test_a_hunk_header_that_is_not_one_is_diff001(tmp_path: Path, header: str) -> None:
    diff = (
        f"diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n{header}\n+\tx\n"
        "diff --git a/y.c b/y.c\n--- a/y.c\n+++ b/y.c\n@@ -1 +1 @@\n-a\n+\ty\n"
    ).encode()
    res = run_regime("diff", "-", cwd=tmp_path, stdin=diff)
    assert res.code == 1, res.text
    assert "x.c:4: DIFF001 this file's diff could not be read (a line starts like a hunk" in res.out
    assert "y.c:1:1: WS101" in res.out, "the next file is still checked"


def test_input_with_no_diff_is_an_error(tmp_path: Path) -> None:
    res = run_regime("diff", "-", cwd=tmp_path, stdin=b"garbage\nmore garbage\n")
    assert res.code == 1, res.text
    assert "<stdin>:1: DIFF001 no diff found in this input" in res.out
    assert "give regime a unified diff" in res.out


def test_a_coloured_diff_is_an_error_saying_so(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a.c", "int a;\n")
    repo.commit("start")
    repo.write("a.c", "int a;\n\tint b;\n")
    diff = repo.git("diff", "--color=always").encode()
    assert b"\x1b[" in diff
    patch = tmp_path / "coloured.patch"
    patch.write_bytes(diff)
    res = run_regime("diff", str(patch), cwd=tmp_path)
    assert res.code == 1, res.text
    assert f"{patch}:1: DIFF001 no diff found" in res.out
    assert "terminal colour codes: make the diff with --no-color" in res.out


@pytest.mark.parametrize("data", [b"", b"\n\n", b"  \n"])
def test_empty_input_and_an_empty_change_pass(tmp_path: Path, data: bytes) -> None:
    res = run_regime("diff", "-", cwd=tmp_path, stdin=data)
    assert res.code == 0, res.text
    assert "no problems in 0 files" in res.out


def test_an_svn_diff_of_only_a_property_is_a_diff(tmp_path: Path) -> None:
    repos, wc = tmp_path / "repos", tmp_path / "wc"
    produce("svnadmin", "create", str(repos), cwd=tmp_path, ok=(0,))
    produce("svn", "checkout", "-q", repos.as_uri(), str(wc), cwd=tmp_path, ok=(0,))
    (wc / "a.c").write_text("int a;\n")
    produce("svn", "add", "-q", "a.c", cwd=wc, ok=(0,))
    produce("svn", "commit", "-q", "-m", "start", cwd=wc, ok=(0,))
    produce("svn", "propset", "-q", "custom:x", "y", "a.c", cwd=wc, ok=(0,))
    diff = produce("svn", "diff", cwd=wc, ok=(0,))
    assert b"Property changes on: a.c" in diff
    res = run_regime("diff", "-", cwd=tmp_path, stdin=diff)
    assert res.code == 0, res.text


def test_the_producers_are_installed() -> None:
    """scripts/setup installs them: a missing one must fail, not skip."""
    for tool in ("diff", "patch", "hg", "svn"):
        assert shutil.which(tool), f"{tool} is missing: run scripts/setup"


@pytest.mark.parametrize(
    ("flags", "plus"),
    [
        (["--no-prefix"], b"+++ a/x.c\n"),
        (["--src-prefix=a/", "--dst-prefix=b/"], b"+++ b/a/x.c\n"),
        (["-c", "diff.mnemonicPrefix=true"], b"+++ w/a/x.c\n"),
    ],
)
def test_git_prefixes_stay_right_for_a_folder_named_a(
    repo: GitRepo, tmp_path: Path, flags: list[str], plus: bytes
) -> None:
    repo.write("a/x.c", "int a;\n")
    repo.commit("start")
    repo.write("a/x.c", "int a;\n\tint b;\n")
    config = flags[:2] if flags[0] == "-c" else []
    diff = repo.git(*config, "diff", "--no-color", *flags[len(config) :]).encode()
    assert plus in diff
    assert regime_diff(diff, tmp_path) == (1, [("a/x.c", 2, 1, "WS101")])
