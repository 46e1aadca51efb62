"""A repository with years of history put under the git server's hook
(docs/existing-repositories.md), through real `git push`es into a bare repository with
the hook installed by the real CLI: pushing before installing, the commits an admin
records as accepted at install time (`--accept-existing`, `--accept-commits FILE`),
and the admin's emergency override, logged."""

from __future__ import annotations

from pathlib import Path

from conftest import run_regime
from test_git_pre_receive import (
    CLEAN,
    REJECTED,
    Server,
    assert_accepted,
    assert_refused,
    git_at,
    header,
    make_server,
    remote,
    sections,
)

NOTHING_NEW = "regime: no new commits in this push; nothing to check."
TAB = "a tab character in an added line: indent with spaces"


def legacy_history(srv: Server, n: int = 3) -> list[str]:
    """Commits as a repository grows over years: tabs, trailing spaces, empty
    messages; what regime would refuse today."""
    commits = []
    for i in range(n):
        srv.clone.write(f"old{i}.c", f"int old{i};\n\told{i}();\nint x{i}; \n")
        commits.append(srv.clone.commit("..." if i == 1 else f"Legacy {i}"))
    return commits


def write_bad_commit(srv: Server, name: str = "new.c") -> str:
    srv.clone.write(name, "int n;\n\tn();\n")
    return srv.clone.commit(f"Add {name}")


def test_legacy_history_pushed_into_a_guarded_repository_is_refused(tmp_path: Path) -> None:
    """The problem: every old commit is new to the server, so each is judged."""
    srv = make_server(tmp_path)
    old = legacy_history(srv)
    lines = assert_refused(srv.push("origin", "main"))
    assert header(old[0], "refs/heads/main", "Legacy 0") in sections(lines)
    assert srv.ref("refs/heads/main") != old[-1]


def test_history_pushed_before_the_hook_is_installed_is_never_judged(tmp_path: Path) -> None:
    """Way (a): push everything, then install; the hook checks only what comes after."""
    srv = make_server(tmp_path, install=None)
    old = legacy_history(srv)
    srv.clone.git("branch", "release", old[1])
    assert srv.push("origin", "main", "release").code == 0
    assert srv.install().code == 0
    bad = write_bad_commit(srv)
    lines = assert_refused(srv.push("origin", "main"))
    assert sections(lines) == {
        header(bad, "refs/heads/main", "Add new.c"): [f"new.c:2:1: WS101 {TAB}"]
    }
    srv.clone.git("reset", "-q", "--hard", "HEAD~1")
    srv.clone.write("new.c", "int n;\n")
    srv.clone.commit("Add new.c")
    assert assert_accepted(srv.push("origin", "main")) == [CLEAN]


def test_accept_commits_from_the_legacy_repository(tmp_path: Path) -> None:
    """Way (b): the hook is in place first; the admin records the legacy repository's
    commits (`git rev-list --all` there), the history is pushed and passes, and a
    commit on top of it is checked as any other."""
    srv = make_server(tmp_path)
    old = legacy_history(srv)
    listing = tmp_path / "legacy.txt"
    listing.write_text(srv.clone.git("rev-list", "--all"))
    res = srv.install("--accept-commits", str(listing))
    assert res.code == 0, res.text
    state = srv.bare / "regime" / "accepted-commits"
    assert f"4 commits recorded as accepted in {state} (4 in all)" in res.out
    assert assert_accepted(srv.push("origin", "main")) == [NOTHING_NEW]
    assert srv.ref("refs/heads/main") == old[-1]

    bad = write_bad_commit(srv)
    lines = assert_refused(srv.push("origin", "main"))
    assert sections(lines) == {
        header(bad, "refs/heads/main", "Add new.c"): [f"new.c:2:1: WS101 {TAB}"]
    }
    # a branch of the legacy history with a new bad commit: only the new one is judged
    srv.clone.git("checkout", "-q", "-b", "topic", old[1])
    topic = write_bad_commit(srv, "topic.c")
    lines = assert_refused(srv.push("origin", "topic"))
    assert list(sections(lines)) == [header(topic, "refs/heads/topic", "Add topic.c")]


def test_accept_existing_keeps_accepting_a_deleted_branch_pushed_again(tmp_path: Path) -> None:
    """Commits that were on the server when the admin installed with --accept-existing
    stay accepted when no ref reaches them any more: a legacy branch deleted and pushed
    back. Without the record they are new to the server and judged."""
    srv = make_server(tmp_path, install=None)
    srv.clone.git("checkout", "-q", "-b", "legacy")
    legacy_history(srv, 2)
    assert srv.push("origin", "legacy").code == 0
    assert srv.install("--accept-existing").code == 0
    assert srv.push("origin", "--delete", "legacy").code == 0
    git_at(srv.bare, "gc", "-q", "--prune=now")
    assert assert_accepted(srv.push("origin", "legacy")) == [NOTHING_NEW]

    (tmp_path / "without").mkdir()
    other = make_server(tmp_path / "without")
    other.clone.git("checkout", "-q", "-b", "legacy")
    legacy_history(other, 2)
    assert_refused(other.push("origin", "legacy"))


def test_a_bad_list_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    srv = make_server(tmp_path, install=None)
    listing = tmp_path / "legacy.txt"
    listing.write_text(f"{srv.clone.head()}\n{srv.clone.head()[:12]}\n")
    res = run_regime(
        "install", "git-server", str(srv.bare), "--accept-commits", str(listing), cwd=tmp_path
    )
    assert res.code == 2, res.text
    assert f"{listing}:2: '{srv.clone.head()[:12]}' is not a full commit id" in res.err
    assert not (srv.bare / "regime").exists()
    assert not (srv.bare / "hooks" / "pre-receive").exists()


def test_a_pusher_cannot_write_the_admin_files(tmp_path: Path) -> None:
    """A push writes objects and refs only: a ref named like the files, or the files in
    the pushed tree, are not the admin's files."""
    srv = make_server(tmp_path)
    srv.clone.write("regime/override", "let me through\n")
    srv.clone.write("regime/accepted-commits", srv.clone.head() + "\n")
    bad = write_bad_commit(srv)
    lines = assert_refused(srv.push("origin", "main", "main:refs/heads/regime/override"))
    assert header(bad, "refs/heads/main", "Add new.c") in sections(lines)
    assert not (srv.bare / "regime").exists()


def test_the_admins_override_lets_a_push_through_and_logs_it(tmp_path: Path) -> None:
    log = tmp_path / "regime.log"
    policy = tmp_path / "server.yaml"
    policy.write_text(f"server:\n  log_file: '{log}'\n")
    srv = make_server(tmp_path, install=["--policy", str(policy)])
    before = srv.ref("refs/heads/main")
    bad = write_bad_commit(srv)
    assert_refused(srv.push("origin", "main"))

    override = srv.bare / "regime" / "override"
    override.parent.mkdir()
    override.write_text("\n")  # no reason: not honoured
    res = srv.push("origin", "main")
    assert res.code != 0 and REJECTED in res.err, res.text
    lines = remote(res)
    assert lines[0] == (
        f"regime: {override} holds no reason on its first line, so the override is not "
        "honoured: the push is checked"
    )
    assert lines[1] == f"*** Push blocked by regime: new.c: {TAB.split(':')[0]}"
    assert not log.exists()

    override.write_text("OPS-42 restore the 2019 branch during the outage\n")
    lines = assert_accepted(srv.push("origin", "main", "main:refs/heads/restored"))
    assert lines == [
        "regime: this push was NOT checked: the server's admin has an override in place "
        "(OPS-42 restore the 2019 branch during the outage)"
    ]
    assert srv.ref("refs/heads/main") == bad
    logged = log.read_text().splitlines()
    assert len(logged) == 2
    for line, (ref, old) in zip(
        logged, [("refs/heads/main", before or ""), ("refs/heads/restored", "0" * 40)], strict=True
    ):
        assert line.endswith(
            f" regime: OVERRIDE ({override}): {ref} {old[:12]}..{bad[:12]} let through "
            f"unchecked in {srv.bare}; reason: OPS-42 restore the 2019 branch during the outage"
        ), line

    override.unlink()  # the emergency is over: the gate is shut again
    after = write_bad_commit(srv, "after.c")
    lines = assert_refused(srv.push("origin", "main"))
    assert list(sections(lines)) == [header(after, "refs/heads/main", "Add after.c")]
