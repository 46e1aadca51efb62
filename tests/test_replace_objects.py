"""Replacement objects and grafts (issue 14, item 1): regime judges every commit as
it was pushed or committed, never the stand-in a replace ref (refs/replace/ID) or a
graft (info/grafts) makes git show in its place; and a push that changes a replace
ref is refused as REF001 unless the server policy allows it.

Through the real doors: `git push` into a bare repository with the hook installed,
`regime staged` and `regime check --from/--to` in a work tree that holds a replace
ref or a graft (the pre-commit framework's range is in test_pre_commit_framework.py),
and every git regime runs at every door seen through REGIME_GIT."""

from __future__ import annotations

from conftest import GitRepo

TAB = "WS101 a tab character in an added line: indent with spaces"
ALLOW = "rules:\n  REF001:\n    severity: off\n"


def evil_and_stand_in(clone: GitRepo) -> tuple[str, str]:
    """On main: an evil commit (a tab on a.c:2); beside it, on the same parent, a clean
    stand-in with the same subject; and refs/replace/EVIL -> STAND-IN in the clone."""
    base = clone.head()
    clone.write("a.c", "int a;\n\tint b;\n")
    evil = clone.commit("Add a.c")
    clone.git("checkout", "-q", "--detach", base)
    clone.write("a.c", "int a;\nint b;\n")
    stand_in = clone.commit("Add a.c")
    clone.git("checkout", "-q", "main")
    clone.git("replace", evil, stand_in)
    return evil, stand_in


def test_staged_diffs_the_index_against_head_as_committed(repo: GitRepo) -> None:
    """HEAD replaced by a stand-in whose tree already holds the tab, and the repository
    set to use replace refs: the staged tab is still new."""
    repo.write("a.c", "int a;\n")
    head = repo.commit("Add a.c")
    repo.write("a.c", "\tint a;\n")
    repo.add()
    stand_in = repo.git("commit-tree", repo.git("write-tree").strip(), "-m", "Stand-in").strip()
    repo.git("replace", head, stand_in)
    repo.git("config", "core.useReplaceRefs", "true")
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert f"a.c:1:1: {TAB}" in res.text


def test_a_ci_range_sees_the_commits_as_committed_not_as_replaced(repo: GitRepo) -> None:
    repo.write("a.c", "int a;\n")
    base = repo.commit("Add a.c")
    repo.write("a.c", "int a;\n\tint b;\n")
    evil = repo.commit("Add b")
    repo.git("checkout", "-q", "--detach", base)
    repo.write("a.c", "int a;\nint b;\n")
    stand_in = repo.commit("Add b")
    repo.git("checkout", "-q", "main")
    repo.git("replace", evil, stand_in)
    res = repo.regime("check", "--from", base, "--to", evil)
    assert res.code == 1, res.text
    assert f"*** commit {evil[:12]}: Add b" in res.text
    assert f"a.c:2:1: {TAB}" in res.text


def test_a_ci_range_ignores_grafts(repo: GitRepo) -> None:
    """A graft makes the evil commit's parent an old commit that had the tab: the range
    then holds it alone, with no change to a.c; as committed, it adds the tab."""
    repo.write("a.c", "\tint a;\n")
    legacy = repo.commit("Legacy a.c with a tab")
    repo.write("a.c", "int a;\n")
    base = repo.commit("Indent a.c with spaces")
    repo.write("a.c", "\tint a;\n")
    evil = repo.commit("Put the tab back")
    (repo.path / ".git/info").mkdir(exist_ok=True)
    (repo.path / ".git/info/grafts").write_text(f"{evil} {legacy}\n")
    res = repo.regime("check", "--from", base, "--to", evil)
    assert res.code == 1, res.text
    assert f"*** commit {evil[:12]}: Put the tab back" in res.text
    assert f"a.c:1:1: {TAB}" in res.text
    assert "hint:" not in res.text  # git read no graft file: it did not warn about one
