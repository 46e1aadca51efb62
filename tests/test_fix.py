"""``regime fix``: the pure line fixer (regime/fix.py) and the command in real git repos.

Each end-to-end case asserts what the user sees (exit status, the ``path:line: fixed``
lines, the summary) and what git then holds: the index (``git show :PATH``) and the
work tree, byte for byte.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import GitRepo, base_env

from regime.fix import Fixed, carry_over, fix_line, fix_lines, same_lines, split_lines

# --------------------------------------------------------------------------- pure


def test_fix_line_trims_then_expands_to_the_next_tab_stop() -> None:
    assert fix_line(b"a\tb \t\n", ["WS101", "WS102"], 4) == (
        b"a   b\n",
        ("WS101", "WS102"),
        "removed 2 trailing whitespace characters, expanded 1 tab (tab width 4)",
    )
    assert fix_line(b"ab\tc\n", ["WS101"], 4)[0] == b"ab  c\n"
    assert fix_line(b"\t\tx\n", ["WS101"], 8)[0] == b" " * 16 + b"x\n"


def test_fix_line_keeps_the_cr_of_a_crlf_and_removes_a_lone_cr_before_it() -> None:
    assert fix_line(b"x  \r\n", ["WS102"])[0] == b"x\r\n"
    assert fix_line(b"x\r\n", ["WS102"]) == (b"x\r\n", (), "")
    assert fix_line(b"x \r\r\n", ["WS102"])[0] == b"x\r\n"


def test_fix_line_works_on_bytes_that_are_not_utf8() -> None:
    assert fix_line(b"\xff\xfe \t\n", ["WS102"])[0] == b"\xff\xfe\n"
    assert fix_line(b"\xe9\tx\n", ["WS101"], 4)[0] == b"\xe9   x\n"


def test_fix_line_removes_unicode_trailing_spaces_as_ws102_reports_them() -> None:
    assert fix_line("x\u3000\xa0\n".encode(), ["WS102"])[0] == b"x\n"
    # NEL and U+2028 end lines for Python, but are not trailing space for WS102
    assert fix_line("x\u2028\n".encode(), ["WS102"])[1] == ()


def test_only_the_rules_asked_for_are_fixed() -> None:
    assert fix_line(b"\tx \n", ["WS102"])[0] == b"\tx\n"
    assert fix_line(b"\tx \n", ["WS101"], 2)[0] == b"  x \n"


def test_fix_lines_touches_only_the_lines_named() -> None:
    data = b"old\t \nnew\t \nlast \n"
    out, fixed = fix_lines(data, {2: ["WS101", "WS102"]}, 4)
    assert out == b"old\t \nnew\nlast \n"
    assert [f.line for f in fixed] == [2]


def test_fix_lines_fixes_every_line_named_and_a_last_line_without_newline() -> None:
    every = ["WS101", "WS102"]
    out, fixed = fix_lines(b"a \nb\t\nc ", {1: every, 2: every, 3: every}, 8)
    assert out == b"a\nb\nc"
    assert [f.line for f in fixed] == [1, 2, 3]


def test_split_lines_splits_at_newline_only() -> None:
    assert split_lines("a\x0cb\rc\u2028\nd\x85".encode()) == [
        "a\x0cb\rc\u2028\n".encode(),
        "d\x85".encode(),
    ]
    assert split_lines(b"") == []


def test_same_lines_maps_unchanged_lines_across_an_edit() -> None:
    old = split_lines(b"a\nb\nc\nd\n")
    new = split_lines(b"x\na\nB\nc\nd\r\n")
    assert same_lines(old, new) == {0: 1, 2: 3, 3: 4}


def test_carry_over_fixes_only_lines_the_user_did_not_edit() -> None:
    index = b"keep\nbad \nedited \n"
    work = b"keep\nbad \nedited more \nmine\t\n"
    fixed = [Fixed(2, ("WS102",), ""), Fixed(3, ("WS102",), "")]
    out, carried = carry_over(index, work, fixed)
    assert out == b"keep\nbad\nedited more \nmine\t\n"
    assert [f.line for f in carried] == [2]


# --------------------------------------------------------------------------- end to end


def show(repo: GitRepo, path: str) -> bytes:
    proc = subprocess.run(
        ["git", "show", f":{path}"], cwd=repo.path, capture_output=True, env=base_env(), check=True
    )
    return proc.stdout


def test_fix_changes_only_the_added_lines_in_index_and_work_tree(repo: GitRepo) -> None:
    repo.write("a.c", "old\t \nctx\n")
    repo.commit("legacy")
    repo.write("a.c", "old\t \nctx\nnew\tx  \nclean\n")
    repo.add()
    res = repo.regime("fix")
    assert res.code == 1, res.text
    assert res.out.splitlines() == [
        "a.c:3: fixed WS101, WS102: removed 2 trailing whitespace characters, "
        "expanded 1 tab (tab width 8)",
        "regime fix: fixed 1 line in 1 file (the index and the work tree): review them "
        "with `git diff --cached` and commit",
    ]
    want = b"old\t \nctx\nnew     x\nclean\n"
    assert show(repo, "a.c") == want
    assert (repo.path / "a.c").read_bytes() == want
    # the staged check passes now; a second fix has nothing to do
    assert repo.regime("staged").code == 0
    again = repo.regime("fix")
    assert (again.code, again.out) == (0, "regime fix: nothing to fix\n")


def test_unstaged_edits_in_the_same_file_survive(repo: GitRepo) -> None:
    repo.write("a.c", "one\ntwo\n")
    repo.commit("start")
    repo.write("a.c", "one\nbad \ntwo\nalso bad \n")
    repo.add()
    # unstaged: a new first line, and an edit of one of the staged bad lines
    repo.write("a.c", "zero \none\nbad \ntwo\nalso bad, edited \n")
    res = repo.regime("fix")
    assert res.code == 1, res.text
    assert "a.c:2: fixed WS102" in res.out and "a.c:4: fixed WS102" in res.out
    assert "1 of the lines fixed in the index have unstaged edits" in res.out
    assert show(repo, "a.c") == b"one\nbad\ntwo\nalso bad\n"
    # the unstaged lines are as the user left them (the new one too: not staged)
    assert (repo.path / "a.c").read_bytes() == b"zero \none\nbad\ntwo\nalso bad, edited \n"


def test_a_rule_turned_off_or_a_file_not_selected_is_not_touched(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "rules:\n  WS102:\n    severity: off\n")
    repo.write("a.c", "x\t \n")
    repo.write("notes.txt", "y\t \n")  # .txt: no rule selects it by default
    repo.write("Makefile", "all:\n\techo hi \n")  # WS101 excludes Makefiles
    repo.add()
    res = repo.regime("fix")
    assert res.code == 1, res.text
    assert res.out.splitlines()[0] == "a.c:1: fixed WS101: expanded 1 tab (tab width 8)"
    assert show(repo, "a.c") == b"x        \n"  # the trailing space stays: WS102 is off
    assert show(repo, "notes.txt") == b"y\t \n"
    assert show(repo, "Makefile") == b"all:\n\techo hi \n"


def test_tab_width_from_editorconfig_else_policy_else_8(repo: GitRepo) -> None:
    repo.write(".editorconfig", "[*.py]\nindent_size = 4\n[*.sh]\ntab_width = 2\n")
    repo.write(".regime.yaml", "rules:\n  WS101:\n    tab_width: 3\n")
    repo.write("a.py", "\tx\n")
    repo.write("b.sh", "\tx\n")
    repo.write("c.c", "\tx\n")
    repo.add()
    assert repo.regime("fix").code == 1
    assert show(repo, "a.py") == b"    x\n"
    assert show(repo, "b.sh") == b"  x\n"
    assert show(repo, "c.c") == b"   x\n"


def test_policy_tab_width_is_validated(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "rules:\n  WS101:\n    tab_width: 100\n")
    res = repo.regime("fix")
    assert res.code == 2
    assert ".regime.yaml:3:16: rules.WS101.tab_width is the tab stop" in res.err
    repo.write(".regime.yaml", "rules:\n  WS102:\n    tab_width: 4\n")
    res = repo.regime("fix")
    assert res.code == 2 and "unknown key 'tab_width' in rules.WS102" in res.err


def test_indent_style_tab_in_editorconfig_keeps_the_tabs(repo: GitRepo) -> None:
    repo.write(".editorconfig", "[*.c]\nindent_style = tab\n")
    repo.write("a.c", "\tx \n")
    repo.add()
    res = repo.regime("fix")
    assert res.code == 1
    assert res.out.splitlines()[0] == "a.c:1: fixed WS102: removed 1 trailing whitespace character"
    assert show(repo, "a.c") == b"\tx\n"


def test_crlf_file_keeps_its_line_ends(repo: GitRepo) -> None:
    repo.write("a.c", b"one\r\n")
    repo.commit("start")
    repo.write("a.c", b"one\r\ntwo  \r\nthree\r\n")
    repo.add()
    assert repo.regime("fix").code == 1
    assert show(repo, "a.c") == b"one\r\ntwo\r\nthree\r\n"
    assert (repo.path / "a.c").read_bytes() == b"one\r\ntwo\r\nthree\r\n"


def test_non_utf8_file_is_fixed_byte_for_byte(repo: GitRepo) -> None:
    repo.write("latin.c", b"caf\xe9 \n\xff\tz\n")
    repo.add()
    assert repo.regime("fix").code == 1
    assert show(repo, "latin.c") == b"caf\xe9\n\xff       z\n"


def test_binary_file_is_left_alone(repo: GitRepo) -> None:
    repo.write("blob.c", b"\0\x01\tx \n")
    repo.add()
    res = repo.regime("fix")
    assert (res.code, res.out) == (0, "regime fix: nothing to fix\n")
    assert show(repo, "blob.c") == b"\0\x01\tx \n"


def test_names_with_spaces_and_non_ascii(repo: GitRepo) -> None:
    repo.write("dé jà/sp ace.c", "x \n")
    repo.add()
    res = repo.regime("fix")
    assert res.code == 1
    assert res.out.startswith("dé jà/sp ace.c:1: fixed WS102")
    assert show(repo, "dé jà/sp ace.c") == b"x\n"
    assert (repo.path / "dé jà/sp ace.c").read_bytes() == b"x\n"


def test_a_symlink_is_never_followed(repo: GitRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.c"
    outside.write_bytes(b"target \n")
    os.symlink(outside, repo.path / "link.c")
    repo.add()
    res = repo.regime("fix")
    assert res.code == 0, res.text
    assert outside.read_bytes() == b"target \n"
    # a staged regular file whose work tree copy was replaced by a link
    repo.write("real.c", "x \n")
    repo.add("real.c")
    (repo.path / "real.c").unlink()
    os.symlink(outside, repo.path / "real.c")
    res = repo.regime("fix")
    assert res.code == 1, res.text
    assert "real.c: fixed in the index only" in res.out
    assert show(repo, "real.c") == b"x\n"
    assert outside.read_bytes() == b"target \n"
    assert os.path.islink(repo.path / "real.c")
    # and a link given as a PATH
    res = repo.regime("fix", "link.c")
    assert (res.code, res.out.splitlines()[0]) == (
        0,
        "link.c: a symbolic link: not followed, left alone",
    )
    assert outside.read_bytes() == b"target \n"


def test_a_submodule_is_left_alone(repo: GitRepo, tmp_path: Path) -> None:
    sub = GitRepo(tmp_path / "sub")
    sub.write("s.c", "in sub \n")
    sub.commit("sub")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "mod")
    repo.write("a.c", "x \n")
    repo.add()
    res = repo.regime("fix")
    assert res.code == 1, res.text
    assert [line.split(":")[0] for line in res.out.splitlines()[:-1]] == ["a.c"]
    assert (repo.path / "mod" / "s.c").read_bytes() == b"in sub \n"
    # a whole-folder fix does not go into the submodule either
    (repo.path / "mod" / "s.c").write_bytes(b"in sub \n")
    res = repo.regime("fix", ".")
    assert (repo.path / "mod" / "s.c").read_bytes() == b"in sub \n"


def test_fix_paths_fixes_whole_files_in_the_work_tree(repo: GitRepo) -> None:
    repo.write("a.c", "old\t \n")
    repo.write("b.sh", "ok\n")
    repo.commit("legacy")
    repo.write("a.c", "old\t \nnew \n")
    res = repo.regime("fix", "a.c")
    assert res.code == 1, res.text
    assert res.out.splitlines() == [
        "a.c:1: fixed WS102: removed 2 trailing whitespace characters",
        "a.c:2: fixed WS102: removed 1 trailing whitespace character",
        "regime fix: fixed 2 lines in 1 file (the work tree): review them with `git diff` "
        "and `git add` them",
    ]
    assert (repo.path / "a.c").read_bytes() == b"old\nnew\n"
    assert show(repo, "a.c") == b"old\t \n"  # the index is not touched
    assert repo.regime("fix", "b.sh").code == 0


def test_fix_keeps_the_file_mode(repo: GitRepo) -> None:
    path = repo.write("run.sh", "echo \n")
    path.chmod(0o755)
    repo.add()
    assert repo.regime("fix").code == 1
    assert os.stat(path).st_mode & 0o777 == 0o755
    assert repo.git("ls-files", "-s", "run.sh").startswith("100755 ")


@pytest.mark.parametrize("code", ["WS101", "WS102"])
def test_explain_recommends_regime_fix_not_sed(repo: GitRepo, code: str) -> None:
    res = repo.regime("explain", code)
    assert res.code == 0
    assert "regime fix" in res.out
    assert "sed" not in res.out


def test_a_folder_replaced_by_a_link_is_not_written_through(repo: GitRepo, tmp_path: Path) -> None:
    """git never writes beyond a symbolic link; regime fix neither: a staged file
    whose folder in the work tree is now a link elsewhere is fixed in the index only."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.c").write_bytes(b"x \n")
    repo.write("d/a.c", "x \n")
    repo.add()
    (repo.path / "d" / "a.c").unlink()
    (repo.path / "d").rmdir()
    os.symlink(outside, repo.path / "d")
    res = repo.regime("fix")
    assert res.code == 1, res.text
    assert "d/a.c: fixed in the index only" in res.out
    assert show(repo, "d/a.c") == b"x\n"
    assert (outside / "a.c").read_bytes() == b"x \n"
    # nor is a whole-file fix through it
    res = repo.regime("fix", "d/a.c")
    assert (outside / "a.c").read_bytes() == b"x \n"
    assert "d/a.c: a symbolic link on the way: not followed, left alone" in res.out
