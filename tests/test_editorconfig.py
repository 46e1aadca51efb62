""".editorconfig files deciding where WS101 and WS102 apply, at every door.

Client doors (staged, check, pre-commit) let .editorconfig loosen and tighten; server
doors (git pre-receive, svn pre-commit) let it only tighten, from the pushed commit or
the svn transaction (there is no work tree), unless the server's may_loosen says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GitRepo
from test_git_pre_receive import assert_accepted, assert_refused, make_server
from test_svn_door import Svn

from regime.editorconfig import EditorConfigs

EC = (
    "root = true\n"
    "[*.c]\nindent_style = tab\n"
    "[*.txt]\nindent_style = space\ntrim_trailing_whitespace = true\n"
    "[keep/**]\ntrim_trailing_whitespace = false\n"
)


def codes(text: str) -> list[str]:
    """`PATH:LINE: CODE` of every finding line of a text report."""
    out = []
    for line in text.splitlines():
        parts = line.split(": ", 2)
        if len(parts) >= 2 and parts[1][:5] in ("WS101", "WS102", "POL00"):
            out.append(f"{parts[0].rsplit(':', 1)[0]}: {parts[1].split()[0]}")
    return out


# --------------------------------------------------------------------------- pure


def reader(files: dict[str, str]) -> EditorConfigs:
    return EditorConfigs(lambda p: files[p].encode() if p in files else None)


def test_nearer_files_win_and_root_true_stops_the_search() -> None:
    ec = reader(
        {
            ".editorconfig": "[*]\nindent_style = space\ntrim_trailing_whitespace = true\n",
            "a/.editorconfig": "root = true\n[*.c]\nindent_style = tab\n",
            "b/.editorconfig": "[*.c]\nindent_style = tab\n",
        }
    )
    assert ec.settings("x.c").tabs is True
    assert ec.settings("b/x.c").tabs is False and ec.settings("b/x.c").trailing is True
    # a/ is root: the top file's trim_trailing_whitespace does not reach it
    assert ec.settings("a/x.c").tabs is False and ec.settings("a/x.c").trailing is None


def test_section_globs_are_editorconfig_globs() -> None:
    ec = reader(
        {
            ".editorconfig": (
                "[*.{c,h}]\nindent_style = tab\n"
                "[lib/**.py]\nindent_style = space\n"
                "[/top.sh]\ntab_width = 3\n"
                "[file[0-9].txt]\ntrim_trailing_whitespace = false\n"
            )
        }
    )
    assert ec.settings("deep/x.h").tabs is False
    assert ec.settings("lib/a/b.py").tabs is True and ec.settings("b.py").tabs is None
    assert ec.settings("top.sh").tab_width == 3 and ec.settings("x/top.sh").tab_width is None
    assert ec.settings("file7.txt").trailing is False


def test_tighten_only_ignores_what_loosens_unless_may_loosen() -> None:
    files = {".editorconfig": "[*]\nindent_style = tab\ntrim_trailing_whitespace = false\n"}
    read = reader(files).read
    server = EditorConfigs(read, tighten_only=True)
    assert server.decides("WS101", "a.c") is None and server.decides("WS102", "a.c") is None
    loosen = EditorConfigs(read, tighten_only=True, may_loosen=frozenset({"WS102"}))
    assert loosen.decides("WS101", "a.c") is None and loosen.decides("WS102", "a.c") is False


def test_a_malformed_file_is_one_finding_naming_file_and_line() -> None:
    ec = reader({"sub/.editorconfig": "[*]\nindent_style = space\nnot an option\n"})
    assert ec.settings("sub/a.txt").tabs is True  # its good lines still count
    assert ec.settings("sub/b.txt").tabs is True
    (found,) = ec.take_findings()
    assert (found.path, found.line, found.code) == ("sub/.editorconfig", 3, "POL002")
    assert "line 3 is neither a [section] nor a key = value: 'not an option'" in found.message


# --------------------------------------------------------------------------- client doors


def bad_files(repo: GitRepo) -> None:
    repo.write(".editorconfig", EC)
    repo.write("a.c", "\tint x;\n")  # tabs wanted: no WS101
    repo.write("n.txt", "\tx \n")  # .txt is selected by no rule by default
    repo.write("keep/k.sh", "k \n")  # trailing whitespace kept there
    repo.write("b.sh", "\tb \n")  # untouched by .editorconfig: the defaults


def test_staged_reads_the_index_editorconfig(repo: GitRepo) -> None:
    bad_files(repo)
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert codes(res.out) == [
        "b.sh:1: WS101",
        "b.sh:1: WS102",
        "n.txt:1: WS101",
        "n.txt:1: WS102",
    ]
    # the .editorconfig of the index counts, not an unstaged edit of it
    (repo.path / ".editorconfig").write_text("[*]\nindent_style = tab\n")
    assert codes(repo.regime("staged").out) == codes(res.out)


def test_check_reads_the_editorconfig_on_disk(repo: GitRepo) -> None:
    bad_files(repo)
    repo.add()
    res = repo.regime("check", ".")
    assert res.code == 1, res.text
    assert codes(res.out) == [
        "b.sh:1: WS101",
        "b.sh:1: WS102",
        "n.txt:1: WS101",
        "n.txt:1: WS102",
    ]


def test_the_policy_switch_turns_it_off(repo: GitRepo) -> None:
    bad_files(repo)
    repo.write(".regime.yaml", "editorconfig: false\n")
    repo.add()
    res = repo.regime("staged")
    assert codes(res.out) == [
        "a.c:1: WS101",
        "b.sh:1: WS101",
        "b.sh:1: WS102",
        "keep/k.sh:1: WS102",
    ]


def test_the_policy_switch_is_validated(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "editorconfig: maybe\n")
    res = repo.regime("check", ".")
    assert res.code == 2
    assert ".regime.yaml:1:15: editorconfig must be true or false" in res.err


def test_a_malformed_editorconfig_is_a_warning_not_a_crash(repo: GitRepo) -> None:
    repo.write(".editorconfig", "[*.c]\nindent_style = tab\n=== oops\n")
    repo.write("a.c", "\tx\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    assert ".editorconfig:3: POL002 (warning) the .editorconfig file cannot be read well" in res.out


def test_check_range_uses_each_commits_editorconfig(repo: GitRepo) -> None:
    repo.write("README.md", "x\n")
    base = repo.commit("start")
    repo.write(".editorconfig", "[*.txt]\nindent_style = space\n")
    repo.write("n.txt", "\tx\n")
    repo.commit("Add n.txt")
    res = repo.regime("check", "--from", base)
    assert res.code == 1, res.text
    assert codes(res.out) == ["n.txt:1: WS101"]


# --------------------------------------------------------------------------- git push


def test_push_editorconfig_only_tightens(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    # an attacker's .editorconfig in the same push cannot allow tabs in a.c...
    srv.clone.write(".editorconfig", "[*]\nindent_style = tab\ntrim_trailing_whitespace = false\n")
    srv.clone.write("a.c", "\tint x; \n")
    srv.clone.commit("Allow tabs")
    lines = assert_refused(srv.push("origin", "main"))
    assert [x.split(" ")[0] for x in lines if x.startswith("a.c:")] == ["a.c:1:1:", "a.c:1:8:"]
    # ...while one that tightens counts, from the pushed commit (no work tree there)
    srv.clone.git("reset", "-q", "--hard", "HEAD~1")
    srv.clone.write(".editorconfig", "[*.txt]\nindent_style = space\n")
    srv.clone.write("n.txt", "\tx\n")
    srv.clone.commit("Add n.txt")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(x.startswith("n.txt:1:1: WS101") for x in lines), lines
    srv.clone.write("n.txt", "    x\n")
    srv.clone.git("commit", "-q", "-a", "--amend", "-m", "Add n.txt")
    assert_accepted(srv.push("origin", "main"))


def test_push_may_loosen_lets_editorconfig_loosen(tmp_path: Path) -> None:
    policy = tmp_path / "server.yaml"
    policy.write_text("server:\n  may_loosen: [WS101]\n")
    srv = make_server(tmp_path, install=["--policy", str(policy)])
    srv.clone.write(".editorconfig", "[*.c]\nindent_style = tab\n")
    srv.clone.write("a.c", "\tint x;\n")
    srv.clone.commit("Tabs in C, as the server allows")
    assert_accepted(srv.push("origin", "main"))


# --------------------------------------------------------------------------- svn


@pytest.fixture
def svn(tmp_path: Path) -> Svn:
    s = Svn(tmp_path)
    (s.wc / "trunk").mkdir()
    s.accept("Create the layout")
    s.install()
    return s


def test_svn_editorconfig_from_the_transaction_only_tightens(svn: Svn) -> None:
    svn.write("trunk/.editorconfig", "[*.txt]\nindent_style = space\n[*.c]\nindent_style = tab\n")
    svn.write("trunk/n.txt", "\tx\n")
    svn.write("trunk/a.c", "\tint x;\n")
    c = svn.block("Add files")
    assert c.findings == ["trunk/a.c:1:1: WS101", "trunk/n.txt:1:1: WS101"]
    svn.write("trunk/n.txt", "    x\n")
    svn.write("trunk/a.c", "    int x;\n")
    svn.accept("Add files")


def test_hostile_globs_take_linear_time_and_a_bad_one_is_left_out() -> None:
    """A glob of many stars backtracks for minutes in the package's Python regex; the
    same regex run by RE2 does not. A glob too long is a POL002 for its line only."""
    import time

    text = (
        "[" + "*" * 40 + "x]\nindent_style = tab\n"
        "[" + "a" * 2000 + "]\nindent_style = tab\n"
        "[{3..5}.h]\ntab_width = 4\n"
    )
    ec = reader({".editorconfig": text})
    start = time.monotonic()
    assert ec.settings("y" * 60 + ".c").tabs is None
    assert ec.settings("yyx").tabs is False
    assert ec.settings("4.h").tab_width == 4 and ec.settings("6.h").tab_width is None
    assert time.monotonic() - start < 2
    (found,) = ec.take_findings()
    assert (found.line, found.code) == (3, "POL002")
    assert "longer than 1024 characters; that section is left out" in found.message


def test_a_bare_diff_has_no_editorconfig(repo: GitRepo) -> None:
    """`regime diff` reads a diff, not a tree: .editorconfig files play no part."""
    repo.write(".editorconfig", "[*.c]\nindent_style = tab\n")
    diff = b"--- a/a.c\n+++ b/a.c\n@@ -0,0 +1 @@\n+\tint x;\n"
    res = repo.regime("diff", "-", stdin=diff)
    assert res.code == 1, res.text
    assert codes(res.out) == ["a.c:1: WS101"]
