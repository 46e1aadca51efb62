"""`regime diff`: unified diffs from git, svn and diff(1), from a file or stdin."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import GitRepo, base_env, run_regime


def report(res_out: str) -> list[tuple[str, int, int, str]]:
    return [(f["path"], f["line"], f["col"], f["code"]) for f in json.loads(res_out)["findings"]]


def test_git_diff_from_stdin_and_from_a_file(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a.c", "a\n")
    repo.commit()
    repo.write("a.c", "a\n\tb\n")
    diff = repo.git("diff").encode()
    res = repo.regime("diff", "-", "--format", "json", stdin=diff)
    assert res.code == 1
    assert report(res.out) == [("a.c", 2, 1, "WS101")]
    patch = tmp_path / "change.patch"
    patch.write_bytes(diff)
    res = run_regime("diff", str(patch), cwd=tmp_path)
    assert res.code == 1
    assert res.out.startswith("a.c:2:1: WS101")


def test_porcelain_git_diff_with_mnemonic_prefix_and_color_off(repo: GitRepo) -> None:
    repo.write("etc/x.conf", "a\n")
    repo.commit()
    repo.write("etc/x.conf", "a\nb \n")
    diff = repo.git("-c", "diff.mnemonicPrefix=true", "diff").encode()
    assert b"+++ w/etc/x.conf" in diff
    res = repo.regime("diff", "--format", "json", stdin=diff)
    assert report(res.out) == [("etc/x.conf", 2, 2, "WS102")]


def test_git_log_patch_output_reads_every_file(repo: GitRepo) -> None:
    repo.write("a.c", "a \n")
    repo.commit("one")
    repo.write("b.c", "\tb\n")
    repo.commit("two")
    diff = repo.git("log", "-p", "--no-color").encode()
    res = repo.regime("diff", "--format", "json", stdin=diff)
    assert sorted(report(res.out)) == [("a.c", 1, 2, "WS102"), ("b.c", 1, 1, "WS101")]


def test_plain_diff_u(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old/hosts.conf").write_text("127.0.0.1 localhost\n")
    (tmp_path / "new/hosts.conf").write_text("127.0.0.1 localhost\n10.0.0.1 db \n")
    (tmp_path / "new/added.sh").write_text("echo\t1\n")
    proc = subprocess.run(
        ["diff", "-ruN", "old", "new"], cwd=tmp_path, capture_output=True, check=False
    )
    assert proc.returncode == 1
    res = run_regime("diff", "--format", "json", cwd=tmp_path, stdin=proc.stdout)
    # `old/` and `new/` are the trees' names, stripped as patch -p1 would
    assert report(res.out) == [("added.sh", 1, 5, "WS101"), ("hosts.conf", 2, 12, "WS102")]


def test_svn_diff_from_a_real_working_copy(tmp_path: Path) -> None:
    env = base_env()
    repos = tmp_path / "svnrepo"
    wc = tmp_path / "wc"

    def sh(*args: str, cwd: Path = tmp_path) -> bytes:
        proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    sh("svnadmin", "create", str(repos))
    sh("svn", "checkout", "-q", repos.as_uri(), str(wc))
    (wc / "c").mkdir()
    (wc / "c/foo.c").write_text("int x;\n")
    (wc / "sp ace ä.conf").write_text("a\n")
    sh("svn", "add", "-q", "c", "sp ace ä.conf", cwd=wc)
    sh("svn", "commit", "-q", "-m", "base", cwd=wc)
    (wc / "c/foo.c").write_text("int x;\nint y; \n")
    (wc / "sp ace ä.conf").write_text("a\n\tb\n")
    sh("svn", "propset", "-q", "custom:note", "++ plus plus\n", "c/foo.c", cwd=wc)
    diff = sh("svn", "diff", cwd=wc)
    assert b"Index: c/foo.c" in diff
    res = run_regime("diff", "--format", "json", cwd=tmp_path, stdin=diff)
    assert res.code == 1, res.text
    # svn's top-level folder "c/" is not a git prefix to strip
    assert report(res.out) == [("c/foo.c", 2, 7, "WS102"), ("sp ace ä.conf", 2, 1, "WS101")]


def test_malformed_chunk_is_reported_and_hides_nothing(tmp_path: Path) -> None:
    diff = (
        b"diff --git a/one.c b/one.c\n--- a/one.c\n+++ b/one.c\n@@ -1,0 +1,3 @@\n+x \n"
        b"diff --git a/two.c b/two.c\n--- a/two.c\n+++ b/two.c\n@@ -1,0 +1,1 @@\n+\ty\n"
        b"diff --git a/three.c b/three.c\n--- a/three.c\n+++ b/three.c\n@@ -1,0 +1,1 @@\n"
    )
    res = run_regime("diff", "--format", "json", cwd=tmp_path, stdin=diff)
    assert res.code == 1
    found = report(res.out)
    assert found == [
        ("one.c", 6, 0, "DIFF001"),
        ("two.c", 1, 1, "WS101"),
        ("three.c", 14, 0, "DIFF001"),
    ]
    text = run_regime("diff", cwd=tmp_path, stdin=diff).out
    assert "one.c:6: DIFF001 this file's diff could not be read (a hunk is shorter" in text
    assert "three.c:14: DIFF001 this file's diff could not be read (the diff ends inside" in text


def test_empty_input_passes(tmp_path: Path) -> None:
    res = run_regime("diff", cwd=tmp_path, stdin=b"")
    assert res.code == 0
    assert "no problems in 0 files" in res.out


def test_missing_diff_file_is_a_usage_error(tmp_path: Path) -> None:
    res = run_regime("diff", "nope.patch", cwd=tmp_path)
    assert res.code == 2
    assert "cannot read nope.patch" in res.err


def test_a_diff_whose_last_line_has_no_newline_still_checks_that_line(tmp_path: Path) -> None:
    # a diff saved by hand without its final newline: the last added line is whole,
    # and the only problem of the file is on it (the byte screen once missed it)
    patch = b"--- x.conf\n+++ x.conf\n@@ -1 +1,2 @@\n a\n+b\xe2\x80\x89"
    res = run_regime("diff", "-", "--format", "json", cwd=tmp_path, stdin=patch)
    assert res.code == 1
    assert report(res.out) == [("x.conf", 2, 2, "WS102")]
