"""Replacement objects and grafts (issue 14, item 1): regime judges every commit as
it was pushed or committed, never the stand-in a replace ref (refs/replace/ID) or a
graft (info/grafts) makes git show in its place; and a push that changes a replace
ref is refused as REF001 unless the server policy allows it.

Through the real doors: `git push` into a bare repository with the hook installed,
`regime staged` and `regime check --from/--to` in a work tree that holds a replace
ref or a graft (the pre-commit framework's range is in test_pre_commit_framework.py),
and every git regime runs at every door seen through REGIME_GIT."""

from __future__ import annotations

from pathlib import Path

from conftest import GitRepo, run_regime
from test_git_pre_receive import (
    CLEAN,
    assert_accepted,
    assert_refused,
    header,
    make_server,
    policy_server,
    remote,
    sections,
)

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


def ref001(ref: str, what: str) -> str:
    return (
        f"{ref}:0: REF001 the push {what} to everyone who fetches it, rewriting what "
        "history shows without review; push without it (`git replace -d` removes one "
        "locally), or ask the server's admin to allow replace refs (REF001 off in the "
        "server policy)"
    )


def test_a_push_that_creates_a_replace_ref_is_refused(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    evil, stand_in = evil_and_stand_in(srv.clone)
    ref = f"refs/replace/{evil}"
    lines = assert_refused(srv.push("origin", ref))
    assert lines[0] == (
        f"*** Push blocked by regime: {ref}: the push creates, moves or deletes a replace "
        "ref (refs/replace/)"
    )
    assert (
        ref001(ref, f"creates this replace ref, so git shows object {stand_in} in place of {evil}")
        in lines
    )
    assert srv.ref(ref) is None


def test_a_repository_policy_cannot_allow_replace_refs(tmp_path: Path) -> None:
    srv = policy_server(tmp_path, "version: 1\n")
    srv.clone.write(".regime.yaml", ALLOW)
    srv.clone.commit("Allow replace refs")
    evil, _stand_in = evil_and_stand_in(srv.clone)
    ref = f"refs/replace/{evil}"
    lines = assert_refused(srv.push("origin", ref))
    assert any(line.startswith(f"{ref}:0: REF001 the push creates ") for line in lines), lines
    assert srv.ref(ref) is None


def test_the_replace_ref_attack_lands_nothing(tmp_path: Path) -> None:
    """The attack as it was made: the stand-in pushed to refs/replace/EVIL (here the
    server allows replace refs, so it lands), then the evil commit to main. git on the
    server now shows the stand-in for the evil commit; regime judges the evil one."""
    srv = policy_server(tmp_path, ALLOW)
    before = srv.ref("refs/heads/main")
    evil, stand_in = evil_and_stand_in(srv.clone)
    ref = f"refs/replace/{evil}"
    assert assert_accepted(srv.push("origin", ref)) == [CLEAN]  # the stand-in is clean
    assert srv.ref(ref) == stand_in

    lines = assert_refused(srv.push("origin", "main"))
    assert sections(lines) == {header(evil, "refs/heads/main", "Add a.c"): [f"a.c:2:1: {TAB}"]}
    assert srv.ref("refs/heads/main") == before

    # a replace ref moved or deleted once the server no longer allows them
    (tmp_path / "server.yaml").write_text("version: 1\n")
    srv.clone.git("replace", "-f", evil, before or "")
    lines = assert_refused(srv.push("--force", "origin", ref))
    assert (
        ref001(ref, f"moves this replace ref, so git shows object {before} in place of {evil}")
        in lines
    )
    lines = assert_refused(srv.push("origin", f":{ref}"))
    assert (
        ref001(ref, f"deletes this replace ref, so git shows object {evil} as it is again") in lines
    )
    assert srv.ref(ref) == stand_in


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


def test_every_git_regime_runs_ignores_replace_refs_and_grafts(tmp_path: Path) -> None:
    """Each door, with REGIME_GIT a wrapper that logs what every git call was given."""
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "git-logged"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"printf '%s|%s|%s\\n' \"${{GIT_NO_REPLACE_OBJECTS-unset}}\" "
        f'"${{GIT_GRAFT_FILE-unset}}" "$*" >> \'{log}\'\n'
        'exec git "$@"\n'
    )
    wrapper.chmod(0o755)
    env = {"REGIME_GIT": str(wrapper)}

    srv = make_server(tmp_path)
    clone = srv.clone
    clone.write("a.c", "int a;\n")
    base = clone.commit("Add a.c")
    clone.write("a.c", "int a;\nint b;\n")
    tip = clone.commit("Add b")
    clone.write("b.c", "int c;\n")
    clone.add()
    doors = {
        "staged": ["staged"],
        "pre-commit": ["pre-commit"],
        "range": ["check", "--from", base, "--to", tip],
        "tree": ["check"],
        "install": ["install", "git", str(clone.path)],
    }
    for door, args in doors.items():
        res = run_regime(*args, cwd=clone.path, env=env)
        assert res.code == 0, (door, res.text)
        assert log.exists() and log.read_text(), f"{door}: regime ran no git"
        calls = log.read_text().splitlines()
        log.unlink()
        for call in calls:
            assert call.startswith("1|/dev/null/no-grafts|"), (door, call)
            assert "-c core.useReplaceRefs=false" in call, (door, call)
    clone.git("commit", "-q", "--no-verify", "-m", "Add b.c")
    assert remote(srv.push("origin", "main", env=env))[-1].startswith("regime: no problems")
    calls = log.read_text().splitlines()
    assert any("cat-file --batch-check" in call for call in calls), calls
    assert any("rev-list" in call for call in calls), calls
    for call in calls:
        assert call.startswith("1|/dev/null/no-grafts|"), ("push", call)
        assert "-c core.useReplaceRefs=false" in call, ("push", call)
