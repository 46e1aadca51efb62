"""`regime staged` on the awkward changes a config repository really sees.

Every case is a real git repository; regime runs as a real process and the test
reads its JSON report (path, line, col, code) or its text output.
"""

from __future__ import annotations

import json

from conftest import GitRepo


def findings(repo: GitRepo, *args: str) -> list[tuple[str, int, int, str]]:
    res = repo.regime("staged", "--format", "json", *args)
    assert res.code in (0, 1), res.text
    doc = json.loads(res.out)
    assert doc["summary"]["blocked"] == (res.code == 1)
    return [(f["path"], f["line"], f["col"], f["code"]) for f in doc["findings"]]


def test_clean_change_passes(repo: GitRepo) -> None:
    repo.write("a.c", "int a;\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    assert "no problems in 1 file" in res.out


def test_only_added_lines_count(repo: GitRepo) -> None:
    repo.write("old.c", "\tlegacy;  \nfine\n")
    repo.commit("legacy code")
    repo.write("old.c", "\tlegacy;  \nfine\nnew\t\n")
    repo.add()
    assert findings(repo) == [("old.c", 3, 4, "WS101"), ("old.c", 3, 4, "WS102")]


def test_text_report_names_file_line_and_shows_the_line(repo: GitRepo) -> None:
    repo.write("src/a.c", "int a;\n\tint b;  \n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1
    lines = res.out.splitlines()
    assert lines[0] == "src/a.c:2:1: WS101 a tab character in an added line: indent with spaces"
    assert lines[1] == "    →int b;··<EOL>"
    assert lines[2] == "    ^"
    assert lines[3].startswith("src/a.c:2:8: WS102 trailing whitespace (2 spaces)")
    assert lines[-1].startswith("regime: 2 errors (WS101 x1, WS102 x1) in 1 file;")
    assert "the commit is blocked" in lines[-1]


def test_every_finding_is_reported_not_just_the_first(repo: GitRepo) -> None:
    repo.write("a.c", "".join(f"x{i} \n" for i in range(50)))
    repo.write("b.h", "\ty;\n")
    repo.add()
    found = findings(repo)
    assert len(found) == 51
    assert found[-1] == ("b.h", 1, 1, "WS101")


def test_limit_to_given_files(repo: GitRepo) -> None:
    repo.write("a.c", "a \n")
    repo.write("b.c", "b \n")
    repo.add()
    assert findings(repo, "b.c") == [("b.c", 1, 2, "WS102")]


def test_suffix_match_is_case_sensitive_and_filtered(repo: GitRepo) -> None:
    repo.write("x.C", "a \n")  # C++
    repo.write("x.cC", "a \n")  # not a known suffix
    repo.write("notes.txt", "a \n")
    repo.write("Makefile", "all:\n\techo hi\n")  # tabs allowed in make
    repo.write("README.md", "two spaces  \n\tcode\n")  # trailing spaces allowed
    repo.add()
    assert findings(repo) == [("README.md", 2, 1, "WS101"), ("x.C", 1, 2, "WS102")]


def test_crlf_is_a_line_end_but_spaces_before_it_are_not(repo: GitRepo) -> None:
    repo.write("w.conf", b"ok\r\nspace \r\ncr\r\r\nlast")
    repo.add()
    assert findings(repo) == [("w.conf", 2, 6, "WS102"), ("w.conf", 3, 3, "WS102")]


def test_whitespace_only_and_unicode_spaces(repo: GitRepo) -> None:
    repo.write(
        "u.cfg",
        b"   \n" + "nbsp\u00a0\n".encode() + "ideo\u3000\n".encode() + b"ff\x0c\nvt\x0b\n",
    )
    repo.add()
    assert findings(repo) == [
        ("u.cfg", 1, 1, "WS102"),
        ("u.cfg", 2, 5, "WS102"),
        ("u.cfg", 3, 5, "WS102"),
        ("u.cfg", 4, 3, "WS102"),
        ("u.cfg", 5, 3, "WS102"),
    ]


def test_no_newline_at_end_of_file(repo: GitRepo) -> None:
    repo.write("n.c", "first\nlast \t")
    repo.add()
    assert findings(repo) == [("n.c", 2, 6, "WS101"), ("n.c", 2, 5, "WS102")]
    repo.commit()
    repo.write("n.c", "first\nlast\n")
    repo.add()
    assert findings(repo) == []


def test_added_line_that_starts_with_plus_plus_or_dashes(repo: GitRepo) -> None:
    # in the diff these are "+++ looks like a header" and "+-- x": the classic hook lost track
    repo.write("p.c", "keep\n")
    repo.commit()
    repo.write("p.c", "keep\n++ looks like a header \n-- dashed\n+++ b/evil.c\nlast\t\n")
    repo.add()
    assert findings(repo) == [
        ("p.c", 2, 23, "WS102"),
        ("p.c", 5, 5, "WS101"),
        ("p.c", 5, 5, "WS102"),
    ]


def test_removed_line_that_starts_with_dashes(repo: GitRepo) -> None:
    repo.write("r.c", "-- old\n--- a/x\nkeep\n")
    repo.commit()
    repo.write("r.c", "keep\nnew \n")
    repo.add()
    assert findings(repo) == [("r.c", 2, 4, "WS102")]


def test_non_utf8_bytes_are_checked_and_shown(repo: GitRepo) -> None:
    repo.write("latin1.c", b"caf\xe9 \n\xff\tx\n")
    repo.add()
    assert findings(repo) == [("latin1.c", 1, 5, "WS102"), ("latin1.c", 2, 2, "WS101")]
    res = repo.regime("staged")
    assert "caf\\xe9·<EOL>" in res.out


def test_names_with_spaces_non_ascii_quotes_and_x_b_directory(repo: GitRepo) -> None:
    repo.write("x b/y b/c d.c", "a \n")
    repo.write("dir/été ü.conf", "b \n")
    repo.write('q"uote.c', "c \n")
    repo.write("tab\tname.c", "d \n")
    repo.write("-dash.c", "e \n")
    repo.add()
    assert sorted(findings(repo)) == sorted(
        [
            ("x b/y b/c d.c", 1, 2, "WS102"),
            ("dir/été ü.conf", 1, 2, "WS102"),
            ('q"uote.c', 1, 2, "WS102"),
            ("tab\tname.c", 1, 2, "WS102"),
            ("-dash.c", 1, 2, "WS102"),
        ]
    )


def test_binary_mode_only_empty_and_deleted_files_pass(repo: GitRepo) -> None:
    repo.write("blob.c", b"\x00\x01 \t\n")
    repo.write("script.sh", "echo ok\n")
    repo.write("gone.c", "\tlegacy\n")
    repo.commit()
    repo.write("blob.c", b"\x00\x02 \t\n\t\n")
    (repo.path / "script.sh").chmod(0o755)
    (repo.path / "gone.c").unlink()
    repo.write("empty.c", "")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    assert "no problems in 3 files checked, 1 skipped (binary)" in res.out


def test_rename_checks_only_changed_lines(repo: GitRepo) -> None:
    body = "".join(f"line {i}\n" for i in range(40))
    repo.write("old/name.c", "\tlegacy tab\n" + body)
    repo.commit()
    (repo.path / "old/name.c").unlink()
    repo.write("new/name.c", "\tlegacy tab\n" + body + "added \n")
    repo.add()
    assert findings(repo) == [("new/name.c", 42, 6, "WS102")]


def test_initial_commit_without_head(repo: GitRepo) -> None:
    repo.write("first.c", "\tx\n")
    repo.add()
    assert findings(repo) == [("first.c", 1, 1, "WS101")]


def test_sha256_repository(tmp_path):  # type: ignore[no-untyped-def]
    repo = GitRepo(tmp_path / "r256", object_format="sha256")
    repo.write("a.c", "a\n")
    repo.commit()
    repo.write("a.c", "a\nb \n")
    repo.add()
    assert findings(repo) == [("a.c", 2, 2, "WS102")]


def test_user_config_cannot_change_the_format(repo: GitRepo) -> None:
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("diff.external", "false"),
        ("core.quotePath", "true"),
        ("diff.renames", "copies"),
        ("diff.context", "7"),
    ]:
        repo.git("config", key, value)
    repo.write("c/ü.c", "x \n")
    repo.add()
    assert findings(repo) == [("c/ü.c", 1, 2, "WS102")]


def test_a_huge_change_is_streamed(repo: GitRepo) -> None:
    for n in range(300):
        repo.write(f"d{n % 7}/f{n}.conf", "".join(f"key{i} = {i}\n" for i in range(200)))
    repo.write("d0/f0.conf", "x = 1 \n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1
    assert res.out.startswith("d0/f0.conf:1:6: WS102")
    assert "in 300 files" in res.out


def test_limiting_to_a_renamed_file_keeps_the_rename(repo: GitRepo) -> None:
    repo.write("a.c", "\tint old;\n")
    repo.commit("legacy")
    (repo.path / "sub").mkdir()
    repo.git("mv", "a.c", "sub/renamed.c")
    assert findings(repo, "sub/renamed.c") == []
    assert findings(repo, "sub") == []
    repo.write("sub/renamed.c", "\tint old;\nnew \n")
    repo.add()
    assert findings(repo, "sub/renamed.c") == [("sub/renamed.c", 2, 4, "WS102")]
    assert findings(repo, "other.c") == []


def test_committing_a_merge_blames_only_the_resolution(repo: GitRepo) -> None:
    repo.write("m.c", "\tint old;\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("m.c", "\tint old;\nint side; \n")  # accepted on its branch earlier
    repo.write("side_only.c", "\tside\n")
    repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write("m.c", "\tint old;\nint main;\n")
    repo.commit("main")
    proc_ok = True
    try:
        repo.git("merge", "-q", "side")
    except AssertionError:
        proc_ok = False
    assert not proc_ok  # a conflict in m.c
    repo.write("m.c", "\tint old;\nint main;\nint side; \nresolved\t\n")
    repo.add()
    assert findings(repo) == [("m.c", 4, 9, "WS101"), ("m.c", 4, 9, "WS102")]


def test_a_symlink_is_not_text_even_when_its_target_ends_in_a_space(repo: GitRepo) -> None:
    # as `regime check` never reads a symlink, a staged one is not a file of lines
    (repo.path / "link.c").symlink_to("target ")
    repo.write("real.c", "x \n")
    repo.add()
    assert findings(repo) == [("real.c", 1, 2, "WS102")]
    (repo.path / "link.c").unlink()
    (repo.path / "link.c").symlink_to("other\t")
    repo.add()
    assert findings(repo) == [("real.c", 1, 2, "WS102")]
