"""`regime git-pre-receive` end to end: a bare repository, the hook installed with the
real CLI, a clone, and real `git push`es. What is asserted is what a pusher gets: the
exit status of `git push`, the `remote:` lines, and whether the server's ref moved."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GitRepo, Result, base_env, run_regime

HEADER = re.compile(r"^\*\*\* commit ([0-9a-f]{12}) on (\S+): (.*)$")
FINDING = re.compile(r"^\S.*?:\d+(?::\d+)?: [A-Z]+\d+ ")
REJECTED = "(pre-receive hook declined)"
CLEAN = "regime: no problems in 1 file in 1 commit."


def git_at(path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """Any git command in PATH (a bare repository has no GitRepo)."""
    proc = subprocess.run(
        ["git", *args], cwd=path, capture_output=True, env=base_env(env), check=False
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "backslashreplace"),
        proc.stderr.decode("utf-8", "backslashreplace"),
    )


@dataclass
class Server:
    """A bare repository on the "server" and a clone that pushes to it as `origin`."""

    bare: Path
    clone: GitRepo

    def ref(self, name: str) -> str | None:
        """The server's value of a ref, or None when it does not exist."""
        res = git_at(self.bare, "rev-parse", "--verify", "--quiet", name)
        return res.out.strip() if res.code == 0 else None

    def has_object(self, oid: str) -> bool:
        return git_at(self.bare, "cat-file", "-e", oid).code == 0

    def install(self, *options: str) -> Result:
        return run_regime("install", "git-server", str(self.bare), *options, cwd=self.bare.parent)

    def push(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """`git push ARGS` from the clone; git hands its environment on to the hook."""
        return git_at(self.clone.path, "push", *args, env=env)


def make_server(
    tmp_path: Path, install: Sequence[str] | None = (), object_format: str = "sha1"
) -> Server:
    """A bare repository seeded with one clean commit (README.md) on main, pushed
    before the hook exists; then the hook is installed with INSTALL's options
    (None: not installed yet)."""
    bare = tmp_path / "server.git"
    res = git_at(
        tmp_path,
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        f"--object-format={object_format}",
        str(bare),
    )
    assert res.code == 0, res.text
    srv = Server(bare, GitRepo(tmp_path / "clone", object_format=object_format))
    srv.clone.git("remote", "add", "origin", str(bare))
    srv.clone.write("README.md", "# demo\n")
    srv.clone.commit("Start the repository")
    pushed = srv.push("origin", "main")
    assert pushed.code == 0, pushed.text
    if install is not None:
        res = srv.install(*install)
        assert res.code == 0, res.text
    return srv


def remote(res: Result) -> list[str]:
    """What the hook printed, as the pusher sees it: the `remote: ` lines, without
    that prefix and without the padding git adds at the end of each line."""
    return [
        line[len("remote: ") :].rstrip() if line.startswith("remote: ") else ""
        for line in res.err.split("\n")
        if line.startswith("remote:")
    ]


def sections(lines: Sequence[str]) -> dict[str, list[str]]:
    """Findings by commit header (`commit ID on REF: SUBJECT`), in the order shown;
    findings before any header are under ""."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in lines:
        if line.startswith("*** commit "):
            current = line[len("*** ") :]
            assert current not in out, f"header shown twice: {current}"
            out[current] = []
        elif FINDING.match(line):
            out.setdefault(current, []).append(line)
    return out


def header(sha: str, ref: str, subject: str) -> str:
    return f"commit {sha[:12]} on {ref}: {subject}"


def assert_refused(res: Result) -> list[str]:
    assert res.code != 0, res.text
    assert REJECTED in res.err, res.err
    lines = remote(res)
    assert lines[0].startswith("*** Push blocked by regime: "), res.err
    assert "the push is blocked: fix the errors above" in lines[-1], res.err
    return lines


def assert_accepted(res: Result) -> list[str]:
    assert res.code == 0, res.text
    return remote(res)


def test_one_bad_commit_is_refused_and_a_clean_push_accepted(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    before = srv.ref("refs/heads/main")
    srv.clone.write("a.c", "int a;\nint\tb;\n")  # a new blob: it exists only in the quarantine
    bad = srv.clone.commit("Add a.c")
    lines = assert_refused(srv.push("origin", "main"))
    assert lines[0] == "*** Push blocked by regime: a.c: a tab character in an added line"
    assert sections(lines) == {
        header(bad, "refs/heads/main", "Add a.c"): [
            "a.c:2:4: WS101 a tab character in an added line: indent with spaces"
        ]
    }
    assert HEADER.match(f"*** {header(bad, 'refs/heads/main', 'Add a.c')}")
    assert lines[-1].startswith("regime: 1 error (WS101 x1) in 1 file in 1 commit; ")
    assert srv.ref("refs/heads/main") == before
    assert not srv.has_object(bad)  # the quarantine was thrown away

    srv.clone.write("a.c", "int a;\nint b;\n")
    srv.clone.git("commit", "-q", "-a", "--amend", "-m", "Add a.c")
    good = srv.clone.head()
    lines = assert_accepted(srv.push("origin", "main"))
    assert lines == [CLEAN]
    assert srv.ref("refs/heads/main") == good


def test_every_commit_of_a_push_is_checked_on_its_own(tmp_path: Path) -> None:
    srv = make_server(tmp_path, install=None)
    srv.clone.write("legacy.c", "void legacy(void)\n{\n\told();\n}\n")
    srv.clone.commit("Legacy code with a tab")
    assert srv.push("origin", "main").code == 0  # before the hook: the tab is on the server
    assert srv.install().code == 0

    srv.clone.write("one.c", "\tone();\n")
    one = srv.clone.commit("Add one")
    srv.clone.write("legacy.c", "void legacy(void)\n{\n\told();\n}\n\nint spaces;\n")
    touch = srv.clone.commit("Touch legacy.c elsewhere")
    srv.clone.write("two.c", "int two;\n\ttwo();\nint x;\n\tx();\n")
    two = srv.clone.commit("Add two")
    srv.clone.write("three.c", "int three;\n")
    dots = srv.clone.commit("...")
    before = srv.ref("refs/heads/main")

    lines = assert_refused(srv.push("origin", "main"))
    assert sections(lines) == {
        header(one, "refs/heads/main", "Add one"): [
            "one.c:1:1: WS101 a tab character in an added line: indent with spaces"
        ],
        header(two, "refs/heads/main", "Add two"): [
            "two.c:2:1: WS101 a tab character in an added line: indent with spaces",
            "two.c:4:1: WS101 a tab character in an added line: indent with spaces",
        ],
        header(dots, "refs/heads/main", "..."): [
            "<log message>:1: LOG101 the log message has no letter or digit: "
            "say what the change does and why"
        ],
    }
    assert "legacy.c" not in "\n".join(lines)  # old lines never block
    assert lines[0].endswith("(and 3 more errors, all listed below)")
    assert lines[-1].startswith("regime: 4 errors (LOG101 x1, WS101 x3) in 4 files in 4 commits;")
    assert srv.ref("refs/heads/main") == before

    srv.clone.git("reset", "-q", "--hard", before or "")
    srv.clone.git("cherry-pick", touch)  # the new commit that touches legacy.c only
    clean = srv.clone.head()
    lines = assert_accepted(srv.push("origin", "main"))
    assert lines == [CLEAN]
    assert srv.ref("refs/heads/main") == clean


def test_a_new_branch_checks_only_commits_new_to_the_server(tmp_path: Path) -> None:
    srv = make_server(tmp_path, install=None)
    srv.clone.write("legacy.c", "\tlegacy();\n")
    srv.clone.commit("Legacy code with a tab")
    assert srv.push("origin", "main").code == 0
    assert srv.install().code == 0

    srv.clone.git("checkout", "-q", "-b", "topic")
    srv.clone.write("topic.c", "int topic;\n")
    srv.clone.commit("Clean on topic")
    srv.clone.write("topic.c", "int topic;\n\tbad();\n")
    bad = srv.clone.commit("Bad on topic")
    lines = assert_refused(srv.push("origin", "topic"))
    assert sections(lines) == {
        header(bad, "refs/heads/topic", "Bad on topic"): [
            "topic.c:2:1: WS101 a tab character in an added line: indent with spaces"
        ]
    }
    assert "in 2 files in 2 commits;" in lines[-1]  # not the legacy commit nor the seed
    assert srv.ref("refs/heads/topic") is None

    srv.clone.git("reset", "-q", "--hard", "HEAD~1")
    lines = assert_accepted(srv.push("origin", "topic"))
    assert lines == [CLEAN]  # one new commit checked, though topic has three
    assert srv.ref("refs/heads/topic") == srv.clone.head()


def test_a_new_branch_at_an_existing_commit_is_accepted(tmp_path: Path) -> None:
    srv = make_server(tmp_path, install=None)
    srv.clone.write("legacy.c", "\tlegacy();\n")
    legacy = srv.clone.commit("Legacy code with a tab")
    assert srv.push("origin", "main").code == 0
    assert srv.install().code == 0
    srv.clone.git("branch", "release", legacy)
    srv.clone.git("branch", "old", "HEAD~1")
    lines = assert_accepted(srv.push("origin", "release", "old"))
    assert lines == ["regime: no new commits in this push; nothing to check."]
    assert srv.ref("refs/heads/release") == legacy
    assert srv.ref("refs/heads/old") == srv.clone.git("rev-parse", "HEAD~1").strip()


def test_a_force_push_checks_the_new_commits(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write("a.c", "int a;\n")
    first = srv.clone.commit("Add a.c")
    assert srv.push("origin", "main").code == 0
    assert srv.ref("refs/heads/main") == first

    srv.clone.git("reset", "-q", "--hard", "HEAD~1")
    srv.clone.write("a.c", "int a;\n\tint b;\n")
    bad = srv.clone.commit("Rewrite a.c")
    lines = assert_refused(srv.push("--force", "origin", "main"))
    assert sections(lines) == {
        header(bad, "refs/heads/main", "Rewrite a.c"): [
            "a.c:2:1: WS101 a tab character in an added line: indent with spaces"
        ]
    }
    assert srv.ref("refs/heads/main") == first

    srv.clone.write("a.c", "int a;\n    int b;\n")
    srv.clone.git("commit", "-q", "-a", "--amend", "-m", "Rewrite a.c")
    lines = assert_accepted(srv.push("--force", "origin", "main"))
    assert lines == [CLEAN]
    assert srv.ref("refs/heads/main") == srv.clone.head()


def test_deleting_a_branch_is_accepted(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.git("checkout", "-q", "-b", "topic")
    srv.clone.write("t.c", "int t;\n")
    topic = srv.clone.commit("Add t.c")
    assert_accepted(srv.push("origin", "topic"))
    assert srv.ref("refs/heads/topic") == topic
    lines = assert_accepted(srv.push("origin", ":topic"))
    assert lines == ["regime: no new commits in this push; nothing to check."]
    assert srv.ref("refs/heads/topic") is None


def test_tags(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.git("tag", "v1")
    srv.clone.git("tag", "-a", "v2", "-m", "Release 2")
    lines = assert_accepted(srv.push("origin", "v1", "v2"))
    assert lines == ["regime: no new commits in this push; nothing to check."]
    assert srv.ref("refs/tags/v1") == srv.clone.head()
    assert srv.ref("refs/tags/v2") == srv.clone.git("rev-parse", "v2").strip()

    srv.clone.write("a.c", "\tint a;\n")
    bad = srv.clone.commit("Add a.c for release 3")
    srv.clone.git("tag", "-a", "v3", "-m", "Release 3")
    lines = assert_refused(srv.push("origin", "v3"))  # the tag brings the commit
    assert sections(lines) == {
        header(bad, "refs/tags/v3", "Add a.c for release 3"): [
            "a.c:1:1: WS101 a tab character in an added line: indent with spaces"
        ]
    }
    assert srv.ref("refs/tags/v3") is None


def test_a_commit_several_refs_bring_is_reported_once(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write("a.c", "\tint a;\n")
    bad = srv.clone.commit("Add a.c")
    srv.clone.git("branch", "topic")
    srv.clone.git("branch", "next")
    srv.clone.git("checkout", "-q", "next")
    srv.clone.write("b.c", "int b;\n")
    srv.clone.commit("Add b.c")
    before = srv.ref("refs/heads/main")
    lines = assert_refused(srv.push("origin", "main", "topic", "next"))
    assert sections(lines) == {
        header(bad, "refs/heads/main", "Add a.c"): [
            "a.c:1:1: WS101 a tab character in an added line: indent with spaces"
        ]
    }
    assert lines[-1].startswith("regime: 1 error (WS101 x1) in 2 files in 2 commits;")
    assert srv.ref("refs/heads/main") == before
    assert srv.ref("refs/heads/topic") is None
    assert srv.ref("refs/heads/next") is None


def legacy_branch(srv: Server) -> str:
    """Before the hook is installed: a branch `old` with a tab in old.c, on the server."""
    srv.clone.git("checkout", "-q", "-b", "old")
    srv.clone.write("old.c", "int x;\n\tlegacy();\n")
    legacy = srv.clone.commit("Legacy code with a tab")
    assert srv.push("origin", "old").code == 0
    srv.clone.git("checkout", "-q", "main")
    return legacy


def test_merging_accepted_commits_is_accepted(tmp_path: Path) -> None:
    srv = make_server(tmp_path, install=None)
    legacy_branch(srv)
    assert srv.install().code == 0
    srv.clone.write("main.c", "int m;\n")
    srv.clone.commit("Main work")
    srv.clone.git("merge", "-q", "--no-ff", "old", "-m", "Merge branch old")
    merge = srv.clone.head()
    lines = assert_accepted(srv.push("origin", "main"))
    assert lines == ["regime: no problems in 1 file in 2 commits."]
    assert srv.ref("refs/heads/main") == merge


def test_an_evil_merge_is_refused_for_its_own_lines_only(tmp_path: Path) -> None:
    srv = make_server(tmp_path, install=None)
    legacy_branch(srv)
    assert srv.install().code == 0
    srv.clone.write("main.c", "int m;\n")
    srv.clone.commit("Main work")
    before = srv.ref("refs/heads/main")
    srv.clone.git("merge", "-q", "--no-ff", "--no-commit", "old")
    srv.clone.write("old.c", "int x;\n\tlegacy();\n\tevil();\n")
    srv.clone.git("commit", "-q", "-a", "-m", "Merge branch old")
    merge = srv.clone.head()
    lines = assert_refused(srv.push("origin", "main"))
    assert sections(lines) == {
        header(merge, "refs/heads/main", "Merge branch old"): [
            "old.c:3:1: WS101 a tab character in an added line: indent with spaces"
        ]
    }
    assert srv.ref("refs/heads/main") == before


def test_sha256_repositories(tmp_path: Path) -> None:
    srv = make_server(tmp_path, object_format="sha256")
    assert len(srv.clone.head()) == 64
    before = srv.ref("refs/heads/main")
    srv.clone.write("a.c", "int a;\n\tint b;\n")
    bad = srv.clone.commit("Add a.c")
    lines = assert_refused(srv.push("origin", "main"))
    assert sections(lines) == {
        header(bad, "refs/heads/main", "Add a.c"): [
            "a.c:2:1: WS101 a tab character in an added line: indent with spaces"
        ]
    }
    assert srv.ref("refs/heads/main") == before

    srv.clone.git("checkout", "-q", "-b", "topic", "HEAD~1")  # a new branch: OLD is 64 zeros
    srv.clone.write("b.c", "int b;\n")
    good = srv.clone.commit("Add b.c")
    assert assert_accepted(srv.push("origin", "topic")) == [CLEAN]
    assert srv.ref("refs/heads/topic") == good
    srv.clone.git("checkout", "-q", "main")
    srv.clone.git("reset", "-q", "--hard", good)
    assert assert_accepted(srv.push("origin", "main")) == [
        "regime: no new commits in this push; nothing to check."
    ]
    assert assert_accepted(srv.push("origin", ":topic")) == [
        "regime: no new commits in this push; nothing to check."
    ]
    assert srv.ref("refs/heads/main") == good
    assert srv.ref("refs/heads/topic") is None


def test_prefix_starts_every_line(tmp_path: Path) -> None:
    prefix = "GL-HOOK-ERR: "
    srv = make_server(tmp_path, install=["--prefix", prefix])
    assert f"--prefix '{prefix}'" in (srv.bare / "hooks/pre-receive").read_text()
    srv.clone.write("a.c", "\tint a;\n")
    srv.clone.commit("Add a.c")
    srv.clone.write("b.c", "int b;\n")
    srv.clone.commit("...")
    res = srv.push("origin", "main")
    assert res.code != 0 and REJECTED in res.err
    lines = remote(res)
    assert len(lines) > 5
    for line in lines:
        assert (line + " ").startswith(prefix), f"no prefix: {line!r}\n{res.err}"
    bare = [line[len(prefix) :] for line in lines]
    assert bare[0].startswith("*** Push blocked by regime: a.c: ")
    assert any(line.startswith("a.c:1:1: WS101 ") for line in bare)
    assert any(line.startswith("<log message>:1: LOG101 ") for line in bare)

    srv.clone.git("reset", "-q", "--hard", "HEAD~2")
    srv.clone.write("c.c", "int c;\n")
    srv.clone.commit("Add c.c")
    assert assert_accepted(srv.push("origin", "main")) == [prefix + CLEAN]


def policy_server(tmp_path: Path, text: str) -> Server:
    policy = tmp_path / "server.yaml"
    policy.write_text(text)
    srv = make_server(tmp_path, install=["--policy", str(policy)])
    assert f"--config {policy}" in (srv.bare / "hooks/pre-receive").read_text()
    return srv


def test_server_policy_a_repository_cannot_turn_a_rule_off(tmp_path: Path) -> None:
    srv = policy_server(tmp_path, "version: 1\n")
    before = srv.ref("refs/heads/main")
    srv.clone.write(".regime.yaml", "rules:\n  WS101:\n    severity: off\n")
    srv.clone.write("a.c", "\tint a;\n")
    bad = srv.clone.commit("Turn WS101 off and add a tab")
    lines = assert_refused(srv.push("origin", "main"))
    assert sections(lines) == {
        header(bad, "refs/heads/main", "Turn WS101 off and add a tab"): [
            "a.c:1:1: WS101 a tab character in an added line: indent with spaces"
        ]
    }
    assert srv.ref("refs/heads/main") == before


def test_server_policy_a_repository_can_require_a_ticket(tmp_path: Path) -> None:
    srv = policy_server(tmp_path, "version: 1\n")
    before = srv.ref("refs/heads/main")
    srv.clone.write(
        ".regime.yaml",
        "rules:\n  LOG102:\n    severity: error\n    pattern: '\\bOPS-[0-9]+\\b'\n"
        "    help: name the ticket, e.g. OPS-123\n",
    )
    bad = srv.clone.commit("Require a ticket id")
    lines = assert_refused(srv.push("origin", "main"))
    found = sections(lines)
    assert list(found) == [header(bad, "refs/heads/main", "Require a ticket id")]
    [finding] = found[header(bad, "refs/heads/main", "Require a ticket id")]
    assert finding.startswith("<log message>:1: LOG102 ")
    assert "OPS-123" in finding
    assert srv.ref("refs/heads/main") == before

    srv.clone.git("commit", "-q", "--amend", "-m", "OPS-7 require a ticket id")
    assert assert_accepted(srv.push("origin", "main")) == [CLEAN]
    assert srv.ref("refs/heads/main") == srv.clone.head()


def test_server_policy_an_invalid_repository_policy_is_pol001(tmp_path: Path) -> None:
    srv = policy_server(tmp_path, "version: 1\n")
    before = srv.ref("refs/heads/main")
    srv.clone.write(".regime.yaml", "rules:\n  WS101:\n    colour: red\n")
    srv.clone.commit("Add a broken policy")
    lines = assert_refused(srv.push("origin", "main"))
    pol = [line for line in lines if " POL001 " in line]
    assert len(pol) == 1, lines
    assert pol[0].startswith("refs/heads/main:.regime.yaml:3:5: POL001 ")
    assert "unknown key 'colour' in rules.WS101" in pol[0]
    assert lines[0].startswith("*** Push blocked by regime: refs/heads/main:.regime.yaml: ")
    assert srv.ref("refs/heads/main") == before


def test_server_policy_may_loosen_lets_the_repository_turn_a_rule_off(tmp_path: Path) -> None:
    srv = policy_server(tmp_path, "server:\n  may_loosen: [WS101]\n")
    srv.clone.write(".regime.yaml", "rules:\n  WS101:\n    severity: off\n")
    srv.clone.write("a.c", "\tint a;\n")
    good = srv.clone.commit("Turn WS101 off and add a tab")
    assert assert_accepted(srv.push("origin", "main")) == [
        "regime: no problems in 2 files in 1 commit."
    ]
    assert srv.ref("refs/heads/main") == good

    srv.clone.write("b.c", "int b; \n")  # WS102 was not handed to the repository
    srv.clone.commit("Add b.c")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(line.startswith("b.c:1:7: WS102 ") for line in lines)
    assert srv.ref("refs/heads/main") == good


def run_hook(srv: Server, stdin: str, env: dict[str, str] | None = None) -> Result:
    """The installed hook run by hand as git runs it, to read its exit status
    (a pusher sees only "pre-receive hook declined")."""
    proc = subprocess.run(
        [str(srv.bare / "hooks/pre-receive")],
        cwd=srv.bare,
        input=stdin.encode(),
        capture_output=True,
        env=base_env({"GIT_DIR": ".", **(env or {})}),
        check=False,
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "backslashreplace"),
        proc.stderr.decode("utf-8", "backslashreplace"),
    )


def test_a_missing_server_policy_refuses_the_push(tmp_path: Path) -> None:
    srv = policy_server(tmp_path, "version: 1\n")
    os.remove(tmp_path / "server.yaml")
    before = srv.ref("refs/heads/main") or ""
    srv.clone.write("a.c", "int a;\n")
    srv.clone.commit("Add a.c")
    res = srv.push("origin", "main")
    assert res.code != 0 and REJECTED in res.err, res.text
    assert remote(res) == [
        f"{tmp_path / 'server.yaml'}:1:1: cannot read the policy file: No such file or directory",
        "regime: the policy file is wrong; nothing was checked.",
    ]
    assert srv.ref("refs/heads/main") == before
    hook = run_hook(srv, f"{before} {srv.clone.head()} refs/heads/main\n")
    assert hook.code == 2, hook.text


def test_an_internal_error_refuses_the_push(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    before = srv.ref("refs/heads/main") or ""
    srv.clone.write("a.c", "int a;\n")
    srv.clone.commit("Add a.c")
    res = srv.push("origin", "main", env={"REGIME_GIT": "/nonexistent"})
    assert res.code != 0 and REJECTED in res.err, res.text
    lines = remote(res)
    assert lines[0].startswith("regime: internal error: "), res.err
    assert "/nonexistent" in lines[0]
    assert lines[1].startswith("regime: the change was NOT checked, so it is blocked.")
    assert srv.ref("refs/heads/main") == before
    hook = run_hook(
        srv, f"{before} {srv.clone.head()} refs/heads/main\n", {"REGIME_GIT": "/nonexistent"}
    )
    assert hook.code == 3, hook.text
    assert "regime: internal error" in hook.err


def test_an_internal_error_with_on_internal_error_allow_lets_the_push_through(
    tmp_path: Path,
) -> None:
    log = tmp_path / "regime.log"
    srv = policy_server(tmp_path, f"server:\n  on_internal_error: allow\n  log_file: '{log}'\n")
    srv.clone.write("a.c", "\tint a;\n")  # a tab, let through unchecked
    head = srv.clone.commit("Add a.c")
    res = srv.push("origin", "main", env={"REGIME_GIT": "/nonexistent"})
    lines = assert_accepted(res)
    assert lines[0].startswith("regime: INTERNAL ERROR in the git pre-receive hook: ")
    assert "/nonexistent" in lines[0]
    assert lines[1].startswith(
        "regime: the change was NOT checked and was LET THROUGH, because the server policy"
    )
    assert "on_internal_error: allow" in lines[1]
    assert srv.ref("refs/heads/main") == head
    assert "INTERNAL ERROR in the git pre-receive hook" in log.read_text()


def test_install_twice_foreign_hook_force_and_uninstall(tmp_path: Path) -> None:
    srv = make_server(tmp_path, install=None)
    hook = srv.bare / "hooks/pre-receive"
    foreign = "#!/bin/sh\necho foreign hook\nexit 0\n"
    hook.write_text(foreign)
    hook.chmod(0o755)
    res = srv.install()
    assert res.code == 2, res.text
    assert f"{hook} exists and is not regime's; nothing was changed" in res.err
    assert hook.read_text() == foreign

    res = srv.install("--force")
    assert res.code == 0, res.text
    backup = srv.bare / "hooks/pre-receive.regime-backup"
    assert f"kept the previous hook as {backup}" in res.out
    assert backup.read_text() == foreign
    assert "# regime-hook: git pre-receive" in hook.read_text()
    assert os.access(hook, os.X_OK)

    again = srv.install()
    assert again.code == 0, again.text
    assert f"regime: {hook} is installed already" in again.out
    srv.clone.write("a.c", "\tint a;\n")
    srv.clone.commit("Add a.c")
    assert_refused(srv.push("origin", "main"))  # regime's hook is the one that runs

    res = run_regime("uninstall", "git-server", str(srv.bare), cwd=tmp_path)
    assert res.code == 0, res.text
    assert f"put back {hook} from {backup}" in res.out
    assert hook.read_text() == foreign
    assert not backup.exists()
    res = srv.push("origin", "main")
    assert res.code == 0, res.text
    assert "remote: foreign hook" in res.err


def test_server_side_git_config_and_odd_file_names(tmp_path: Path) -> None:
    """The server's own git configuration cannot change what regime reads, and
    names git would quote (a double quote, non-ASCII) are reported as they are."""
    srv = make_server(tmp_path)
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("core.quotePath", "true"),
        ("diff.external", "/bin/false"),
        ("diff.renames", "false"),
    ]:
        assert git_at(srv.bare, "config", key, value).code == 0
    before = srv.ref("refs/heads/main")
    srv.clone.write('say "hi".c', "\tint a;\n")
    srv.clone.write("répertoire/café.c", "int b;\n\tint c;\n")
    bad = srv.clone.commit("Add odd names")
    lines = assert_refused(srv.push("origin", "main"))
    assert sections(lines) == {
        header(bad, "refs/heads/main", "Add odd names"): [
            "répertoire/café.c:2:1: WS101 a tab character in an added line: indent with spaces",
            'say "hi".c:1:1: WS101 a tab character in an added line: indent with spaces',
        ]
    }
    assert srv.ref("refs/heads/main") == before


@pytest.mark.parametrize("failure", ["internal-error", "missing-policy", "allowed-internal-error"])
def test_prefix_starts_every_line_of_a_failure(tmp_path: Path, failure: str) -> None:
    prefix = "GL-HOOK-ERR: "
    policy = tmp_path / "server.yaml"
    policy.write_text(
        "server:\n  on_internal_error: allow\n" if failure == "allowed-internal-error" else ""
    )
    srv = make_server(tmp_path, install=["--prefix", prefix, "--policy", str(policy)])
    if failure == "missing-policy":
        os.remove(policy)
    srv.clone.write("a.c", "int a;\n")
    srv.clone.commit("Add a.c")
    env = {} if failure == "missing-policy" else {"REGIME_GIT": "/nonexistent"}
    lines = remote(srv.push("origin", "main", env=env))
    assert len(lines) == 2
    assert all(line.startswith(prefix) for line in lines), lines


def test_a_tag_of_an_accepted_commit_with_an_invalid_repository_policy(tmp_path: Path) -> None:
    policy = tmp_path / "server.yaml"
    policy.write_text("version: 1\n")
    srv = make_server(tmp_path, install=None)
    srv.clone.write(".regime.yaml", "rules:\n  WS101:\n    colour: red\n")
    srv.clone.commit("A policy written before regime ran on the server")
    assert srv.push("origin", "main").code == 0
    assert srv.install("--policy", str(policy)).code == 0
    srv.clone.git("tag", "v1")
    lines = assert_accepted(srv.push("origin", "v1"))
    assert lines == ["regime: no new commits in this push; nothing to check."]
    assert srv.ref("refs/tags/v1") == srv.clone.head()


def test_many_refs_at_one_commit_are_checked_once(tmp_path: Path) -> None:
    """One commit pushed to 30 new refs (a release script, a mirror): its lines and
    the tree it leaves are judged once, named after the first ref, as for one ref."""
    policy = tmp_path / "server.yaml"
    policy.write_text("version: 1\n")
    srv = make_server(tmp_path, install=["--policy", str(policy)])
    guest = "name = '{}'\nvif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n"
    srv.clone.write("etc/xen/a.cfg", guest.format("a"))
    srv.clone.write("etc/xen/b.cfg", guest.format("b"))  # a's MAC again: XEN101
    srv.clone.write("a.c", "\tint a;\n")
    bad = srv.clone.commit("Add two guests")
    one = assert_refused(srv.push("origin", "HEAD:refs/heads/r00"))
    refs = [f"refs/heads/r{i:02}" for i in range(30)]
    many = assert_refused(srv.push("origin", *(f"HEAD:{ref}" for ref in refs)))
    assert list(sections(many)) == [header(bad, "refs/heads/r00", "Add two guests")]
    assert [line for line in many if " WS101 " in line] == [
        "a.c:1:1: WS101 a tab character in an added line: indent with spaces"
    ]
    xen = [line for line in many if " XEN101 " in line]
    assert xen and xen == [line for line in one if " XEN101 " in line]
    assert f"*** refs/heads/r00 and 29 more refs at {bad[:12]}" in many
    assert f"*** refs/heads/r00 at {bad[:12]}" in one
    assert all(srv.ref(ref) is None for ref in refs)

    # out of time: the tree is counted as not checked, once
    policy.write_text("limits:\n  max_seconds: 0.000001\n")
    many = assert_refused(srv.push("origin", *(f"HEAD:{ref}" for ref in refs)))
    lim = [line for line in many if " LIM002 " in line]
    assert len(lim) == 1 and "the infrastructure checks not run" in lim[0], many
    assert not [line for line in many if " XEN101 " in line]
