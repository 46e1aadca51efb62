"""What a git diff does not show, through every git door (issue 14, items 2 and 4).

- A rename from a path under other rules (``notes.txt`` with a tab, then ``git mv
  notes.txt evil.c``; out of an excluded folder; from a Makefile): the content is new
  to the rules of the new path, every line of it counts for them. A rename between
  paths under the same rules is still judged by what it changes.
- A text file the committer declared binary (``*.c -diff`` or ``binary`` in the
  pushed .gitattributes, in the server's info/attributes): binary is decided by the
  content, a NUL in the first 8000 bytes; a real binary file still passes.

Doors: ``regime staged``, a real push into a bare repository with the hook
(one commit, and across the commits of one push), ``regime check --from/--to``,
and the pre-commit framework (test_pre_commit_framework.py, which has its sandbox).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GitRepo
from test_git_pre_receive import assert_accepted, assert_refused, make_server, remote

TAB_LINE = "int\tx;\n"
LEGACY = "ok;\n" + TAB_LINE + "ok too;\n"  # a tab on line 2


def findings(text: str) -> list[str]:
    """`PATH:LINE:COL: CODE` of every finding in regime's output."""
    out = []
    for line in text.splitlines():
        line = line.removeprefix("remote: ").strip()
        head, sep, rest = line.partition(" ")
        if sep and head.count(":") >= 2 and rest[:2] in ("WS", "LI", "DI"):
            out.append(f"{head} {rest.split(' ', 1)[0]}")
    return out


# --------------------------------------------------------------------- staged


@pytest.mark.parametrize(
    ("old", "new", "policy"),
    [
        ("notes.txt", "evil.c", ""),  # .txt is under no rule
        ("Makefile", "evil.sh", ""),  # tabs are allowed in a Makefile
        ("legacy/old.c", "src/evil.c", "rules:\n  WS101:\n    extend_exclude: ['legacy/**']\n"),
        ("vendor/old.c", "src/evil.c", "exclude: ['vendor/**']\n"),  # the global exclude
    ],
    ids=["from-txt", "from-makefile", "from-rule-exclude", "from-global-exclude"],
)
def test_staged_rename_under_new_rules_checks_every_line(
    repo: GitRepo, old: str, new: str, policy: str
) -> None:
    if policy:
        repo.write(".regime.yaml", policy)
    repo.write(old, LEGACY)
    repo.commit("legacy under other rules")
    assert repo.regime("check").code == 0
    (repo.path / new).parent.mkdir(exist_ok=True)
    repo.git("mv", old, new)
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert findings(res.text) == [f"{new}:2:4: WS101"], res.text


def test_staged_rename_under_the_same_rules_is_judged_by_its_diff(repo: GitRepo) -> None:
    repo.write("old.c", LEGACY)
    repo.commit("legacy tab")
    repo.git("mv", "old.c", "new.c")
    res = repo.regime("staged")
    assert res.code == 0, res.text
    # a rename that also edits: only the new line counts
    repo.write("new.c", LEGACY + "\tadded;\n")
    repo.add()
    res = repo.regime("staged")
    assert findings(res.text) == ["new.c:4:1: WS101"], res.text


def test_staged_rename_with_an_edit_under_new_rules_sees_the_whole_file(repo: GitRepo) -> None:
    repo.write("notes.txt", LEGACY + "a\nb\nc\nd\n")
    repo.commit("notes")
    repo.git("mv", "notes.txt", "evil.c")
    repo.write("evil.c", LEGACY + "a\nb\nc\nd\nclean;\n")
    repo.add()
    res = repo.regime("staged")
    assert findings(res.text) == ["evil.c:2:4: WS101"], res.text


def test_staged_rename_that_leaves_a_rule_keeps_the_other_to_its_diff(repo: GitRepo) -> None:
    """README.md is under WS101 but not WS102; a.c under both: WS102 sees the whole
    file, WS101 (which applied before) only the diff."""
    repo.write("README.md", "# x\n\tindented code\ntrailing \n")
    repo.commit("docs")
    repo.git("mv", "README.md", "a.c")
    res = repo.regime("staged")
    assert findings(res.text) == ["a.c:3:9: WS102"], res.text


@pytest.mark.parametrize("attribute", ["-diff", "binary", "diff=nothing"])
def test_staged_text_declared_binary_is_checked(repo: GitRepo, attribute: str) -> None:
    repo.write(".gitattributes", f"*.c {attribute}\n")
    repo.write("a.c", "ok;\n")
    repo.commit("attributes")
    repo.write("a.c", "ok;\n\tbad;\n")
    repo.write("new.c", TAB_LINE)
    repo.add()
    if attribute != "diff=nothing":  # a driver with no settings: git looks at the content
        assert "Binary files" in repo.git("diff", "--cached")
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert findings(res.text) == ["a.c:2:1: WS101", "new.c:1:4: WS101"], res.text


def test_staged_declared_binary_counts_only_what_the_change_adds(repo: GitRepo) -> None:
    repo.write(".gitattributes", "*.c binary\n")
    repo.write("a.c", "\tlegacy;\n" + "x;\n" * 50)
    repo.commit("legacy")
    repo.write("a.c", "\tlegacy;\n" + "x;\n" * 25 + "new;\t\n" + "x;\n" * 25)
    repo.add()
    res = repo.regime("staged")
    assert findings(res.text) == ["a.c:27:5: WS101", "a.c:27:5: WS102"], res.text


def test_staged_real_binary_still_passes(repo: GitRepo) -> None:
    repo.write(".gitattributes", "*.c -diff\n")
    repo.write("blob.c", b"\x00\x01\tbinary\t \n")
    repo.write("plain.c", b"\x7fELF\x00\tbinary \n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    assert "no problems" in res.text


def test_staged_declared_binary_over_the_size_limit_is_lim001(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "limits:\n  max_file_size: 1000\n")
    repo.write(".gitattributes", "*.c -diff\n")
    repo.commit("a low limit")
    repo.write("big.c", "x;\n" * 1000)
    repo.write("small.c", "x;\n\tbad;\n")
    repo.write("blob.c", b"\x00" * 2000)  # binary indeed: nothing to check
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert "big.c:0: LIM001 not checked: the file is 3 kB" in res.text, res.text
    assert findings(res.text) == ["big.c:0: LIM001", "small.c:2:1: WS101"], res.text
    assert "blob.c" not in res.text


def test_staged_rename_of_a_name_with_a_newline(repo: GitRepo) -> None:
    """A name git's batch protocol cannot carry is read by a process of its own."""
    repo.write("n\nl.txt", LEGACY)
    repo.commit("notes")
    repo.git("mv", "n\nl.txt", "n\nl.c")
    res = repo.regime("staged")
    assert findings(res.text) == ['"n\\nl.c":2:4: WS101'], res.text


def test_staged_rename_of_a_submodule_has_no_lines(repo: GitRepo, tmp_path: Path) -> None:
    """A submodule is a commit, not a file: renamed to a name a rule covers, it still
    has nothing to check (its commit is not among the repository's objects)."""
    sub = GitRepo(tmp_path / "sub")
    sub.write("a", "x\n")
    sub.commit("sub")
    repo.git("-c", "protocol.file.allow=always", "submodule", "-q", "add", str(sub.path), "tools")
    repo.commit("with a submodule")
    repo.git("mv", "tools", "tools.sh")
    res = repo.regime("staged")
    assert res.code == 0, res.text


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_a_symlink_renamed_whole_has_no_lines(tmp_path: Path, object_format: str) -> None:
    """A rename git finds whole shows no index line nor mode: the mode is asked (the
    index, a commit's folder tree), and a symlink's target is never checked; a file
    renamed beside it still is."""
    repo = GitRepo(tmp_path / "repo", object_format=object_format)
    (repo.path / "d\ne").mkdir(parents=True)
    for folder in ("", "d/", "d\ne/"):
        (repo.path / folder / "link.txt").parent.mkdir(parents=True, exist_ok=True)
        (repo.path / f"{folder}link.txt").symlink_to("a\tb ")
    repo.write("d/notes.txt", LEGACY)
    base = repo.commit("links")
    for folder in ("", "d/", "d\ne/"):
        repo.git("mv", f"{folder}link.txt", f"{folder}link.c")
    repo.git("mv", "d/notes.txt", "d/evil.c")
    res = repo.regime("staged")
    assert findings(res.text) == ["d/evil.c:2:4: WS101"], res.text
    repo.commit("rename")
    res = repo.regime("check", "--from", base, "--to", "HEAD")
    assert findings(res.text) == ["d/evil.c:2:4: WS101"], res.text


# --------------------------------------------------------------------- push


def test_push_rename_across_commits_of_one_push_is_refused(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write("notes.txt", LEGACY)
    srv.clone.commit("Add notes")
    srv.clone.git("mv", "notes.txt", "evil.c")
    srv.clone.commit("Rename the notes")
    lines = assert_refused(srv.push("origin", "main"))
    assert findings("\n".join(lines)) == ["evil.c:2:4: WS101"], lines


def test_push_rename_under_the_same_rules_is_accepted(tmp_path: Path) -> None:
    srv = make_server(tmp_path, install=None)
    srv.clone.write("old.c", LEGACY)
    srv.clone.commit("Legacy, before the hook")
    assert srv.push("origin", "main").code == 0
    assert srv.install().code == 0
    srv.clone.git("mv", "old.c", "new.c")
    srv.clone.commit("Rename")
    assert_accepted(srv.push("origin", "main"))


def test_push_of_pushed_gitattributes_declaring_c_binary(tmp_path: Path) -> None:
    """The bare repository reads no .gitattributes of a tree, so git diffs it as text;
    the same file under info/attributes is the case git calls binary (below)."""
    srv = make_server(tmp_path)
    srv.clone.write(".gitattributes", "*.c -diff\n")
    srv.clone.write("a.c", TAB_LINE)
    srv.clone.commit("Declare C binary")
    lines = assert_refused(srv.push("origin", "main"))
    assert findings("\n".join(lines)) == ["a.c:1:4: WS101"], lines


def test_push_under_server_info_attributes_binary(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    (srv.bare / "info").mkdir(exist_ok=True)
    (srv.bare / "info" / "attributes").write_text("*.c binary\n*.txt binary\n")
    srv.clone.write("a.c", "ok;\n")
    srv.clone.write("notes.txt", LEGACY)
    srv.clone.write("real.c", b"\x00\tbinary\t\n")
    srv.clone.commit("Add a.c")
    srv.clone.write("a.c", "ok;\nnew;\t\n")
    srv.clone.git("mv", "notes.txt", "evil.c")
    srv.clone.commit("Change a.c")
    lines = assert_refused(srv.push("origin", "main"))
    assert findings("\n".join(lines)) == [
        "a.c:2:5: WS101", "a.c:2:5: WS102", "evil.c:2:4: WS101",
    ], lines  # fmt: skip
    srv.clone.git("reset", "-q", "--hard", "HEAD~1")
    srv.clone.write("a.c", "ok;\n")
    srv.clone.commit("Clean a.c")
    res = srv.push("origin", "main")
    assert res.code == 0, remote(res)


# --------------------------------------------------------------------- CI range


def test_check_range_rename_and_declared_binary(repo: GitRepo) -> None:
    repo.write(".gitattributes", "*.c -diff\n")
    repo.write("notes.txt", LEGACY)
    base = repo.commit("notes")
    repo.git("mv", "notes.txt", "evil.c")
    repo.write("real.c", b"\x00\t\n")
    repo.commit("rename")
    res = repo.regime("check", "--from", base, "--to", "HEAD")
    assert res.code == 1, res.text
    assert findings(res.text) == ["evil.c:2:4: WS101"], res.text


def test_push_rename_into_the_guest_configs_touches_it(tmp_path: Path) -> None:
    guest = 'name = "{}"\nvif = [ "mac=00:16:3e:00:00:01" ]\n'
    srv = make_server(tmp_path, install=None)
    srv.clone.write("etc/xen/a.cfg", guest.format("a"))
    srv.clone.write("off/b.cfg", guest.format("b"))
    srv.clone.commit("Guests, before the hook")
    assert srv.push("origin", "main").code == 0
    assert srv.install().code == 0
    srv.clone.git("mv", "off/b.cfg", "etc/xen/b.cfg")
    srv.clone.commit("Start guest b")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(line.startswith("etc/xen/b.cfg:2:") and "XEN101" in line for line in lines), lines


def test_check_range_merge_of_declared_binary_counts_what_the_merge_adds(repo: GitRepo) -> None:
    """A merge's combined diff of a file git calls binary: a line counts when it is
    added against every parent, as git's --cc would show it."""
    repo.write(".gitattributes", "*.c -diff\n")
    repo.write("x.c", "a\nb\nc\nd\ne\nf\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("x.c", "a\n\tside\nb\nc\nd\ne\nf\n")
    repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write("x.c", "a\nb\nc\nd\ne\n\tmain\nf\n")
    main = repo.commit("main")
    repo.git("merge", "-q", "--no-commit", "side")
    repo.write("x.c", "a\n\tside\nb\nc\nd\ne\n\tmain\n\tevil\nf\n")
    repo.commit("merge")
    res = repo.regime("check", "--from", main, "--to", "HEAD")
    assert findings(res.text) == ["x.c:2:1: WS101", "x.c:8:1: WS101"], res.text
    assert "commit" in res.text and res.text.count("x.c:8:1") == 1
