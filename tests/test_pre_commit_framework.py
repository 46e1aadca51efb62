"""End to end through the real pre-commit framework and this repository's manifest.

No mocks: every case makes a throwaway git repository, runs the real ``pre-commit``
(``try-repo``, ``run`` with a real ``.pre-commit-config.yaml``, or the git hooks that
``pre-commit install`` writes, through a real ``git commit`` / ``git push``) and reads
what a user sees: the exit status, the rule code, the file and line named.

The hook repository is a snapshot commit of the current source tree (however dirty the
work tree is), pinned by its sha. Configs name it by path and sha, so the hook environment
pre-commit builds for them (keyed by repository and rev) is built once per session in one
PRE_COMMIT_HOME. ``try-repo`` always builds its own environment in a temporary store
(pre-commit 4.7 ignores PRE_COMMIT_HOME there), so only the four try-repo cases pay that.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Result, base_env

SOURCE = Path(__file__).resolve().parent.parent
PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")

TAB_FINDING = "WS101"
EMPTY_MESSAGE = "LOG101"
# What `git commit` leaves in the message file before the user writes anything.
GIT_TEMPLATE = (
    "\n"
    "# Please enter the commit message for your changes. Lines starting\n"
    "# with '#' will be ignored, and an empty message aborts the commit.\n"
    "#\n"
    "# On branch main\n"
    "# Changes to be committed:\n"
    "#\tmodified:   a.c\n"
    "#\n"
)


def isolated_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without any git or pre-commit settings, plus ours."""
    return base_env({"PRE_COMMIT_COLOR": "never", **(extra or {})})


def run(args: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 600) -> Result:
    proc = subprocess.run(
        args, cwd=cwd, env=dict(env), capture_output=True, check=False, timeout=timeout
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "backslashreplace"),
        proc.stderr.decode("utf-8", "backslashreplace"),
    )


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    res = run(["git", *args], cwd, env or isolated_env())
    if res.code != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({res.code}): {res.text}")
    return res.out


@dataclass(frozen=True)
class HookRepo:
    """A committed snapshot of this repository: the `repo:` pre-commit clones."""

    path: Path
    sha: str


def snapshot_source_tree(dest: Path) -> HookRepo:
    listing = subprocess.run(
        ["git", "-C", str(SOURCE), "ls-files", "-co", "--exclude-standard", "-z"],
        capture_output=True,
        check=True,
        env=isolated_env(),
    ).stdout.decode("utf-8", "surrogateescape")
    dest.mkdir(parents=True)
    for name in sorted(set(filter(None, listing.split("\0")))):
        src = SOURCE / name
        if not src.exists() and not src.is_symlink():  # deleted in the work tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "--no-verify", "-m", "snapshot of the regime source tree")
    return HookRepo(dest, git(dest, "rev-parse", "HEAD").strip())


class Sandbox:
    """A throwaway git work tree in which pre-commit and git run as real processes."""

    def __init__(self, path: Path, hook_repo: HookRepo, pre_commit_home: Path) -> None:
        self.path = path
        self.hook_repo = hook_repo
        self.env = isolated_env({"PRE_COMMIT_HOME": str(pre_commit_home)})
        path.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        return git(self.path, *args, env=self.env)

    def git_result(self, *args: str) -> Result:
        return run(["git", *args], self.path, self.env)

    def write(self, name: str, content: str) -> Path:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode())
        return path

    def add(self, *names: str) -> None:
        self.git("add", "-A", "--", *(names or ["."]))

    def commit(self, message: str = "change things") -> str:
        """Commit everything without running any installed hook."""
        self.add()
        self.git("commit", "-q", "--no-verify", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def pre_commit(self, *args: str) -> Result:
        return run([PRE_COMMIT, *args], self.path, self.env)

    def try_repo(self, *args: str) -> Result:
        """``pre-commit try-repo SNAPSHOT [HOOK] --ref SHA ...``: args may start with a hook id."""
        hook = [args[0]] if args and not args[0].startswith("-") else []
        rest = list(args[len(hook) :])
        return self.pre_commit(
            "try-repo", str(self.hook_repo.path), *hook, "--ref", self.hook_repo.sha, *rest
        )

    def write_config(self, *hooks: str) -> None:
        """A real .pre-commit-config.yaml pinned to the snapshot commit.

        Each of `hooks` is a hook id, optionally followed by more lines of hook YAML
        (an ``exclude:``, a ``files:``); default: the whitespace hook alone.
        """
        lines = [
            "repos:",
            f"- repo: {self.hook_repo.path}",
            f"  rev: {self.hook_repo.sha}",
            "  hooks:",
        ]
        for hook in hooks or ("regime-whitespace",):
            hook_id, *extra = hook.splitlines()
            lines.append(f"  - id: {hook_id}")
            lines += [f"    {line}" for line in extra if line]
        self.write(".pre-commit-config.yaml", "\n".join(lines) + "\n")


def assert_blocked(res: Result, *expected: str) -> None:
    assert res.code != 0, f"expected a blocked run, got exit 0:\n{res.text}"
    for piece in expected:
        assert piece in res.text, f"{piece!r} missing from the output:\n{res.text}"
    assert "- hook id: regime-" in res.text, res.text
    assert "Failed" in res.text, res.text


def assert_passed(res: Result) -> None:
    assert res.code == 0, f"expected a pass, got exit {res.code}:\n{res.text}"
    assert "Failed" not in res.text, res.text


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, pre_commit_home: Path) -> HookRepo:
    snapshot = snapshot_source_tree(tmp_path_factory.mktemp("snapshot") / "regime")
    # Build the hook environment once, here, so a failure to build it is reported as such.
    warm = Sandbox(tmp_path_factory.mktemp("warm") / "work", snapshot, pre_commit_home)
    warm.write_config()
    res = warm.pre_commit("install-hooks")
    assert res.code == 0, f"pre-commit could not build the hook environment:\n{res.text}"
    return snapshot


@pytest.fixture
def sandbox(tmp_path: Path, hook_repo: HookRepo, pre_commit_home: Path) -> Iterator[Sandbox]:
    yield Sandbox(tmp_path / "work", hook_repo, pre_commit_home)


# --------------------------------------------------------------------------- try-repo
# try-repo builds its hook environment in a fresh temporary store on every call (it
# does not use PRE_COMMIT_HOME), so only these cases go through it; variations run
# through a real config below, which reuses the session's environment.


def test_try_repo_blocks_a_staged_tab_and_names_file_and_line(sandbox: Sandbox) -> None:
    sandbox.write("a.c", "int a;\n")
    sandbox.commit("start")
    sandbox.write("a.c", "int a;\n\tint b;\n")
    sandbox.add("a.c")
    res = sandbox.try_repo("regime-whitespace")
    assert_blocked(res, "a.c:2:1: WS101", "- hook id: regime-whitespace")
    assert res.code == 1, res.text


def test_try_repo_passes_a_clean_change(sandbox: Sandbox) -> None:
    sandbox.write("a.c", "int a;\n")
    sandbox.commit("start")
    sandbox.write("a.c", "int a;\nint b;\n")
    sandbox.add("a.c")
    res = sandbox.try_repo("regime-whitespace")
    assert_passed(res)
    assert "regime (tabs and trailing whitespace in added lines)" in res.text
    assert "Passed" in res.text


def test_try_repo_commit_msg_blocks_a_comment_only_message(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.commit("start")
    msgfile = tmp_path / "COMMIT_EDITMSG"
    msgfile.write_text(GIT_TEMPLATE)
    res = sandbox.try_repo(
        "regime-commit-msg", "--hook-stage", "commit-msg", "--commit-msg-filename", str(msgfile)
    )
    assert_blocked(res, EMPTY_MESSAGE, "- hook id: regime-commit-msg")
    assert res.code == 1, res.text


def test_try_repo_commit_msg_passes_a_normal_message(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.commit("start")
    msgfile = tmp_path / "COMMIT_EDITMSG"
    msgfile.write_text("Add the backup VLAN to the core switches\n\n" + GIT_TEMPLATE)
    res = sandbox.try_repo(
        "regime-commit-msg", "--hook-stage", "commit-msg", "--commit-msg-filename", str(msgfile)
    )
    assert_passed(res)
    assert "regime (log message)" in res.text
    assert EMPTY_MESSAGE not in res.text


# --------------------------------------------------------------------------- real config


def test_only_the_staged_lines_are_checked(sandbox: Sandbox) -> None:
    sandbox.write_config()
    sandbox.write("a.c", "\told;\n")
    sandbox.commit("legacy")
    # An old tab in the file does not block a commit that adds a clean line to it...
    sandbox.write("a.c", "\told;\nnew;\n")
    sandbox.add("a.c")
    assert_passed(sandbox.pre_commit("run"))
    # ...nor does a tab left unstaged in the work tree.
    sandbox.write("a.c", "\told;\nnew;\n\tunstaged;\n")
    res = sandbox.pre_commit("run")
    assert_passed(res)
    assert (sandbox.path / "a.c").read_text() == "\told;\nnew;\n\tunstaged;\n"


@pytest.mark.parametrize(
    "message",
    ["", "\n\n", GIT_TEMPLATE, "...\n", "# only a comment\n"],
    ids=["empty", "blank-lines", "git-template", "punctuation-only", "comment-only"],
)
def test_commit_msg_stage_blocks_a_message_that_says_nothing(
    sandbox: Sandbox, tmp_path: Path, message: str
) -> None:
    sandbox.write_config("regime-commit-msg")
    sandbox.commit("start")
    msgfile = tmp_path / "COMMIT_EDITMSG"
    msgfile.write_text(message)
    res = sandbox.pre_commit(
        "run", "--hook-stage", "commit-msg", "--commit-msg-filename", str(msgfile)
    )
    assert_blocked(res, f"{EMPTY_MESSAGE} the log message", "- hook id: regime-commit-msg")
    assert res.code == 1, res.text


def test_manifest_stages_keep_each_hook_to_its_own_stage(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.write_config("regime-whitespace", "regime-commit-msg")
    sandbox.commit("start")
    sandbox.write("a.c", "\tx;\n")
    sandbox.add("a.c")
    msgfile = tmp_path / "COMMIT_EDITMSG"
    msgfile.write_text("A real message\n")
    # The commit-msg stage runs the message hook only: the staged tab is not its business.
    res = sandbox.pre_commit(
        "run", "--hook-stage", "commit-msg", "--commit-msg-filename", str(msgfile)
    )
    assert_passed(res)
    assert "regime (log message)" in res.text
    assert "regime (tabs" not in res.text
    # The pre-commit stage runs the whitespace hook only (no message file there).
    res = sandbox.pre_commit("run")
    assert_blocked(res, "a.c:1:1: WS101")
    assert "regime (log message)" not in res.text
    assert EMPTY_MESSAGE not in res.text


def test_user_exclude_is_honoured(sandbox: Sandbox) -> None:
    sandbox.write_config("regime-whitespace\nexclude: '^legacy/'")
    sandbox.write("legacy/old.c", "int a;\n")
    sandbox.write("src/new.c", "int a;\n")
    sandbox.commit("start")

    sandbox.write("legacy/old.c", "int a;\n\tint b;\n")
    sandbox.add("legacy/old.c")
    res = sandbox.pre_commit("run")
    assert_passed(res)
    assert "legacy/old.c" not in res.text

    sandbox.write("src/new.c", "int a;\n\tint b;\n")
    sandbox.add("src/new.c")
    res = sandbox.pre_commit("run")
    assert_blocked(res, "src/new.c:2:1: WS101")
    assert "legacy/old.c" not in res.text

    # Naming the excluded file explicitly does not bypass the exclude either.
    res = sandbox.pre_commit("run", "--files", "legacy/old.c")
    assert_passed(res)


def test_user_files_filter_is_honoured(sandbox: Sandbox) -> None:
    sandbox.write_config("regime-whitespace\nfiles: '^src/'")
    sandbox.commit("start")
    sandbox.write("other/a.c", "\tint a;\n")
    sandbox.write("src/a.c", "\tint a;\n")
    sandbox.add()
    res = sandbox.pre_commit("run")
    assert_blocked(res, "src/a.c:1:1: WS101")
    assert "other/a.c" not in res.text


def test_all_files_checks_whole_files(sandbox: Sandbox) -> None:
    sandbox.write_config()
    sandbox.write("a.c", "int a;\n")
    sandbox.write("old.c", "int a;\n\tint old;\n")
    sandbox.commit("legacy tab, committed long ago")
    assert sandbox.git("status", "--porcelain") == ""

    res = sandbox.pre_commit("run", "--all-files")
    # whole files: their lines, not added lines; no commit is blocked, the check fails
    assert_blocked(
        res,
        "old.c:2:1: WS101 a tab character: indent with spaces\n",
        "regime: 1 error (WS101 x1) in 3 files; the check fails: fix the errors above",
    )
    assert not any(line.startswith("a.c:") for line in res.text.splitlines()), res.text

    # A plain run with nothing staged checks nothing, so the old tab does not block it.
    assert_passed(sandbox.pre_commit("run"))


def test_files_checks_the_named_whole_files(sandbox: Sandbox) -> None:
    sandbox.write_config()
    sandbox.write("a.c", "int a;\n")
    sandbox.write("old.c", "int a;\n\tint old;\n")
    sandbox.commit("legacy tab")
    assert_passed(sandbox.pre_commit("run", "--files", "a.c"))
    assert_blocked(sandbox.pre_commit("run", "--files", "old.c"), "old.c:2:1: WS101")


def test_from_ref_to_ref_checks_only_what_the_range_adds(sandbox: Sandbox) -> None:
    sandbox.write_config()
    sandbox.write("a.c", "\tint old;\nint a;\n")
    base = sandbox.commit("legacy tab before the range")

    sandbox.write("a.c", "\tint old;\nint a;\nint b;\n")
    clean_tip = sandbox.commit("clean change to the same file")
    res = sandbox.pre_commit("run", "--from-ref", base, "--to-ref", clean_tip)
    assert_passed(res)
    assert TAB_FINDING not in res.text

    sandbox.write("a.c", "\tint old;\nint a;\nint b;\n\tint c;\n")
    bad_tip = sandbox.commit("new tab in the range")
    res = sandbox.pre_commit("run", "--from-ref", base, "--to-ref", bad_tip)
    assert_blocked(res, "a.c:4:1: WS101")
    assert "a.c:1:" not in res.text

    # The range that only holds the clean commit still passes.
    res = sandbox.pre_commit("run", "--from-ref", base, "--to-ref", clean_tip)
    assert_passed(res)
    # And a range after the bad commit does not see it.
    sandbox.write("b.c", "int z;\n")
    later = sandbox.commit("later clean commit")
    assert_passed(sandbox.pre_commit("run", "--from-ref", bad_tip, "--to-ref", later))


def test_from_ref_is_taken_at_the_merge_base(sandbox: Sandbox) -> None:
    # A tab added on main after the branch point is not part of the topic branch.
    sandbox.write_config()
    sandbox.write("a.c", "int a;\n")
    fork = sandbox.commit("start")
    sandbox.write("main.c", "\tint main_only;\n")
    main_tip = sandbox.commit("tab on main after the fork")
    sandbox.git("checkout", "-q", "-b", "topic", fork)
    sandbox.write("a.c", "int a;\nint topic;\n")
    topic_tip = sandbox.commit("clean topic change")
    res = sandbox.pre_commit("run", "--from-ref", main_tip, "--to-ref", topic_tip)
    assert_passed(res)
    assert "main.c" not in res.text


def test_a_range_is_judged_as_committed_not_as_a_replace_ref_shows_it(sandbox: Sandbox) -> None:
    """The tip replaced by a clean stand-in (refs/replace/TIP): pre-commit, which uses
    replace refs, still hands a.c over; regime reads the tip as it was committed."""
    sandbox.write_config()
    sandbox.write("a.c", "int a;\n")
    base = sandbox.commit("start")
    sandbox.write("a.c", "int a;\n\tint b;\n")
    evil = sandbox.commit("add b")
    sandbox.git("checkout", "-q", "--detach", base)
    sandbox.write("a.c", "int a;\nint b;\n")
    stand_in = sandbox.commit("add b")
    sandbox.git("checkout", "-q", "main")
    sandbox.git("replace", evil, stand_in)
    res = sandbox.pre_commit("run", "--from-ref", base, "--to-ref", evil)
    assert_blocked(res, "a.c:2:1: WS101")


# --------------------------------------------------------------------------- real git hooks


def test_real_push_runs_the_pre_push_stage(sandbox: Sandbox, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    sandbox.git("remote", "add", "origin", str(remote))
    sandbox.write_config()
    sandbox.write("a.c", "\tint old;\n")
    sandbox.commit("legacy tab")
    # The legacy tab gets to the remote without the hook...
    sandbox.git("push", "-q", "--no-verify", "origin", "main")
    remote_main = git(remote, "rev-parse", "main").strip()

    res = sandbox.pre_commit("install", "--hook-type", "pre-push")
    assert res.code == 0, res.text

    # ...and a clean commit on top of it pushes: only what the push adds is checked.
    sandbox.write("a.c", "\tint old;\nint new;\n")
    clean = sandbox.commit("clean change")
    res = sandbox.git_result("push", "origin", "main")
    assert res.code == 0, res.text
    assert "regime (tabs and trailing whitespace in added lines)" in res.text
    assert git(remote, "rev-parse", "main").strip() == clean
    remote_main = clean

    # A new tab in the pushed range blocks the push, names file and line, moves nothing.
    sandbox.write("a.c", "\tint old;\nint new;\n\tint newer;\n")
    sandbox.commit("new tab")
    res = sandbox.git_result("push", "origin", "main")
    assert res.code != 0, res.text
    assert "a.c:3:1: WS101" in res.text, res.text
    assert "a.c:1:" not in res.text, res.text
    assert git(remote, "rev-parse", "main").strip() == remote_main

    # A new branch (not yet on the remote) is checked from where it leaves the remote.
    sandbox.git("checkout", "-q", "-b", "topic", clean)
    sandbox.write("b.c", "int b;\n")
    topic = sandbox.commit("clean topic")
    res = sandbox.git_result("push", "origin", "topic")
    assert res.code == 0, res.text
    assert git(remote, "rev-parse", "topic").strip() == topic

    sandbox.git("checkout", "-q", "-b", "topic2", clean)
    sandbox.write("b.c", "\tint b;\n")
    sandbox.commit("tab on a new branch")
    res = sandbox.git_result("push", "origin", "topic2")
    assert res.code != 0, res.text
    assert "b.c:1:1: WS101" in res.text, res.text
    assert "a.c:" not in res.text, res.text
    assert git(remote, "branch", "--list", "topic2").strip() == ""


def test_real_commit_is_blocked_by_installed_hooks(sandbox: Sandbox) -> None:
    sandbox.write_config("regime-whitespace", "regime-commit-msg")
    sandbox.write("a.c", "int a;\n")
    start = sandbox.commit("start")

    assert sandbox.pre_commit("install").code == 0
    assert sandbox.pre_commit("install", "--hook-type", "commit-msg").code == 0

    # A message with nothing in it: git would allow it, the commit-msg hook does not.
    sandbox.write("a.c", "int a;\nint b;\n")
    sandbox.add("a.c")
    for args in (["--allow-empty-message", "-m", ""], ["-m", "..."]):
        res = sandbox.git_result("commit", *args)
        assert res.code != 0, res.text
        assert EMPTY_MESSAGE in res.text, res.text
        assert "regime (log message)" in res.text, res.text
        assert sandbox.head() == start

    # A tab in a staged line: the pre-commit hook blocks, naming file and line.
    sandbox.write("a.c", "int a;\nint b;\n\tint c;\n")
    sandbox.add("a.c")
    res = sandbox.git_result("commit", "-m", "Add c")
    assert res.code != 0, res.text
    assert "a.c:3:1: WS101" in res.text, res.text
    assert sandbox.head() == start

    # Fixed: the same commit goes through both hooks.
    sandbox.write("a.c", "int a;\nint b;\n    int c;\n")
    sandbox.add("a.c")
    res = sandbox.git_result("commit", "-m", "Add b and c")
    assert res.code == 0, res.text
    assert sandbox.head() != start
    assert sandbox.git("log", "-1", "--format=%s").strip() == "Add b and c"


def test_a_renamed_file_is_checked_only_for_its_changed_lines(sandbox: Sandbox) -> None:
    # pre-commit passes only the new name; regime must still pair it with the old one
    sandbox.write_config()
    body = "".join(f"int v{i};\n" for i in range(20))
    sandbox.write("a.c", "\tint old;\n" + body)
    base = sandbox.commit("legacy file with a tab")
    sandbox.git("mv", "a.c", "renamed.c")
    assert_passed(sandbox.pre_commit("run"))
    moved = sandbox.commit("Move a.c")
    assert_passed(sandbox.pre_commit("run", "--from-ref", base, "--to-ref", moved))
    sandbox.write("renamed.c", "\tint old;\n" + body + "\tint new;\n")
    sandbox.add()
    assert_blocked(sandbox.pre_commit("run"), "renamed.c:22:1: WS101")


# --------------------------------------------------------------------------- regime-infra

WEB_GUEST = "name = 'web'\nvif = [ 'mac=00:16:3e:00:00:10,ip=192.0.2.10,script=vif-route' ]\n"
DB_GUEST = "name = 'db'\nvif = [ 'mac=00:16:3e:00:00:20,bridge=xenbr0' ]\n"


def test_pre_commit_framework_finds_a_trailing_tab_in_a_makefile(sandbox: Sandbox) -> None:
    sandbox.write_config()
    # before: the trailing-space screen left the tab to the tab screen, off here
    sandbox.write("README.md", "start\n")
    sandbox.commit("start")
    sandbox.write("Makefile", "all: x\t\n\tcc -o x x.c\n")
    sandbox.write("etc/iproute2/rt_tables", "100\tfoo\t\n")
    sandbox.add()
    assert_blocked(
        sandbox.pre_commit("run"), "Makefile:1:7: WS102", "etc/iproute2/rt_tables:1:8: WS102"
    )


def test_infra_hook_refuses_a_commit_reusing_another_guests_mac(sandbox: Sandbox) -> None:
    sandbox.write_config("regime-infra")
    sandbox.write("etc/xen/web.cfg", WEB_GUEST)
    sandbox.write("etc/xen/db.cfg", DB_GUEST)
    sandbox.commit("two guests")

    # A change that touches no guest config does not even read them.
    sandbox.write("README", "hosts\n")
    sandbox.add()
    assert_passed(sandbox.pre_commit("run"))
    sandbox.commit("readme")

    # A new guest with db's MAC (written another way) and web's address: refused, both
    # files named, at the new file's line and column.
    sandbox.write(
        "etc/xen/mail.cfg",
        "name = 'mail'\nvif = [ 'mac=00-16-3E-00-00-20,ip=192.0.2.10' ]\n",
    )
    sandbox.add()
    res = sandbox.pre_commit("run")
    assert_blocked(
        res,
        "etc/xen/mail.cfg:2:9: XEN101 MAC 00:16:3e:00:00:20 (vif 0 of guest 'mail') is also "
        "used by vif 0 of guest 'db' at etc/xen/db.cfg:2",
        "etc/xen/mail.cfg:2:9: XEN102 192.0.2.10",
        "etc/xen/web.cfg:2",
        # the three guest configs it read (it said "in 0 files")
        "regime: 2 errors (XEN101 x1, XEN102 x1) in 3 files; the commit is blocked: fix",
    )
    # Through the real git hook as well: the commit is not made.
    sandbox.pre_commit("install")
    before = sandbox.head()
    res = sandbox.git_result("commit", "-m", "Add mail")
    assert res.code != 0 and "XEN101" in res.text, res.text
    assert sandbox.head() == before

    # With its own MAC and address the guest goes in.
    sandbox.write(
        "etc/xen/mail.cfg", "name = 'mail'\nvif = [ 'mac=00:16:3e:00:00:30,ip=192.0.2.30' ]\n"
    )
    sandbox.add()
    res = sandbox.git_result("commit", "-m", "Add mail")
    assert res.code == 0, res.text
    assert sandbox.head() != before


def test_infra_hook_all_files_reports_what_is_already_committed(sandbox: Sandbox) -> None:
    sandbox.write_config("regime-infra")
    sandbox.write("etc/xen/web.cfg", WEB_GUEST)
    sandbox.write("etc/xen/web2.cfg", WEB_GUEST.replace("'web'", "'web2'"))
    sandbox.commit("a copied guest, committed without the hook")
    res = sandbox.pre_commit("run", "--all-files")
    assert_blocked(
        res,
        "etc/xen/web2.cfg:2:9: XEN101 MAC 00:16:3e:00:00:10 (vif 0 of guest 'web2') is also "
        "used by vif 0 of guest 'web' at etc/xen/web.cfg:2",
        "regime: 2 errors (XEN101 x1, XEN102 x1) in 2 files; the check fails: fix the errors",
    )
    # A range that touches no infrastructure file does not run the checks at all, so the
    # old duplicate does not block new work.
    base = sandbox.head()
    sandbox.write("notes.txt", "x\n")
    tip = sandbox.commit("notes")
    res = sandbox.pre_commit("run", "--from-ref", base, "--to-ref", tip)
    assert_passed(res)


def test_rename_under_new_rules_and_declared_binary_are_checked(sandbox: Sandbox) -> None:
    """Issue 14: `git mv notes.txt evil.c` brings a tab under WS101 (every line of the
    file counts for it), and `*.c -diff` does not make a text file binary."""
    sandbox.write_config()
    sandbox.write(".gitattributes", "*.c -diff\n")
    sandbox.write("notes.txt", "ok;\nint\tx;\n")
    sandbox.write("a.c", "ok;\n")
    base = sandbox.commit("notes")
    sandbox.git("mv", "notes.txt", "evil.c")
    assert_blocked(sandbox.pre_commit("run"), "evil.c:2:4: WS101")
    sandbox.git("reset", "-q", "--hard")
    sandbox.write("a.c", "ok;\n\tbad;\n")
    sandbox.add()
    assert_blocked(sandbox.pre_commit("run"), "a.c:2:1: WS101")
    tip = sandbox.commit("bad a.c")
    res = sandbox.pre_commit("run", "--from-ref", base, "--to-ref", tip)
    assert_blocked(res, "a.c:2:1: WS101")
    sandbox.write("a.c", "ok;\n")
    sandbox.write("real.c", "\x00\tbinary\n")
    sandbox.add()
    assert_passed(sandbox.pre_commit("run"))


def test_infra_hook_reads_a_linked_guest_and_blocks_a_deleted_tables_file(
    sandbox: Sandbox,
) -> None:
    """A guest config that is a link is the guest of its target (xl follows it); a
    commit that only deletes an rt_tables file a script uses still runs the hook (git
    lists no file for pre-commit to pass: the hook runs always) and blocks."""
    sandbox.write_config("regime-infra")
    sandbox.write("etc/xen/web.cfg", WEB_GUEST)
    sandbox.write("etc/iproute2/rt_tables", "255 local\n254 main\n")
    sandbox.write("etc/iproute2/rt_tables.d/foo.conf", "100 foo\n")
    sandbox.write("up.sh", "ip route add default via 192.0.2.1 table foo\n")
    sandbox.commit("a guest, tables and a script")
    sandbox.write("etc/xen-off/mail.conf.txt", WEB_GUEST.replace("'web'", "'mail'"))
    (sandbox.path / "etc/xen/mail.cfg").symlink_to("../xen-off/mail.conf.txt")
    sandbox.add()
    assert_blocked(
        sandbox.pre_commit("run"),
        "etc/xen/mail.cfg:2:9: XEN101 MAC 00:16:3e:00:00:10 (vif 0 of guest 'mail') is also "
        "used by vif 0 of guest 'web' at etc/xen/web.cfg:2",
    )
    sandbox.git("reset", "-q", "--hard")
    sandbox.git("clean", "-qfd")
    sandbox.git("rm", "-q", "etc/iproute2/rt_tables.d/foo.conf")
    assert_blocked(
        sandbox.pre_commit("run"),
        "up.sh:1:42: RT105 table 'foo' is not defined in any rt_tables file",
        "The change deletes or renames etc/iproute2/rt_tables.d/foo.conf",
    )
    # inside `git commit` with nothing staged the tree does not change: an old problem
    # (committed without the hook) does not block an amended message or an empty commit
    sandbox.git("reset", "-q", "--hard")
    sandbox.write("etc/xen/web2.cfg", WEB_GUEST.replace("'web'", "'web2'"))
    sandbox.commit("a copied guest, committed without the hook")
    sandbox.pre_commit("install")
    for args in (["--amend", "-m", "a copied guest"], ["--allow-empty", "-m", "empty"]):
        res = sandbox.git_result("commit", *args)
        assert res.code == 0, res.text
    assert_blocked(sandbox.pre_commit("run", "--all-files"), "etc/xen/web2.cfg:2:9: XEN101")


# --------------------------------------------------------------------------- regime-fix


def test_try_repo_fix_fixes_the_added_lines_in_the_work_tree(sandbox: Sandbox) -> None:
    sandbox.write("a.c", "old\t \n")
    sandbox.commit("legacy")
    sandbox.write("a.c", "old\t \nnew\tx \n")
    sandbox.add("a.c")
    res = sandbox.try_repo("regime-fix")
    assert_blocked(res, "- hook id: regime-fix", "- files were modified by this hook")
    assert "a.c:2: fixed WS101, WS102: removed 1 trailing whitespace character, " in res.text
    assert res.code == 1, res.text
    # the work tree holds the fix, the old line is as it was; the index is not
    # written under pre-commit (see regime/hooks/fix.py): the user reviews and adds
    assert (sandbox.path / "a.c").read_bytes() == b"old\t \nnew     x\n"
    assert sandbox.git("show", ":a.c") == "old\t \nnew\tx \n"
    sandbox.add("a.c")
    assert_passed(sandbox.try_repo("regime-fix"))
    assert_passed(sandbox.try_repo("regime-whitespace"))


def test_try_repo_fix_with_unstaged_edits_in_the_same_file(sandbox: Sandbox) -> None:
    """pre-commit stashes the unstaged edits, the hook fixes the staged lines in the
    work tree, and pre-commit puts the edits back on top of the fixes."""
    body = "".join(f"line {n}\n" for n in range(1, 21))
    sandbox.write("a.c", body)
    sandbox.commit("start")
    sandbox.write("a.c", "bad \n" + body)
    sandbox.add("a.c")
    sandbox.write("a.c", "bad \n" + body + "unstaged\t \n")  # far from the fixed line
    res = sandbox.try_repo("regime-fix")
    assert_blocked(res, "a.c:1: fixed WS102", "- files were modified by this hook")
    assert "[WARNING] Unstaged files detected." in res.text
    assert "Rolling back fixes" not in res.text, res.text
    # the fix is there and the unstaged edit is back, untouched; the index is as staged
    assert (sandbox.path / "a.c").read_text() == "bad\n" + body + "unstaged\t \n"
    assert sandbox.git("show", ":a.c") == "bad \n" + body


def test_try_repo_fix_when_unstaged_edits_touch_the_fixed_line(sandbox: Sandbox) -> None:
    """An unstaged edit next to the fixed line does not apply on top of the fix:
    pre-commit rolls the fix back and restores the edits (nothing the user typed is
    lost); the run fails, names the line, and says what to do."""
    sandbox.write("a.c", "one\n")
    sandbox.commit("start")
    sandbox.write("a.c", "one\ntwo \n")
    sandbox.add("a.c")
    sandbox.write("a.c", "one\ntwo \nthree\n")
    res = sandbox.try_repo("regime-fix")
    assert res.code == 1, res.text
    assert "a.c:2: fixed WS102" in res.text
    assert "Stashed changes conflicted with hook auto-fixes... Rolling back fixes" in res.text
    assert "run `regime fix` by itself" in res.text
    assert (sandbox.path / "a.c").read_text() == "one\ntwo \nthree\n"
    assert sandbox.git("show", ":a.c") == "one\ntwo \n"
    # as the hint says: regime fix by itself fixes the index and the unchanged line of
    # the work tree, keeping the unstaged edit; then the hook has nothing to do
    fixed = run([str(Path(sys.executable).parent / "regime"), "fix"], sandbox.path, sandbox.env)
    assert fixed.code == 1, fixed.text
    assert (sandbox.path / "a.c").read_text() == "one\ntwo\nthree\n"
    assert sandbox.git("show", ":a.c") == "one\ntwo\n"
    assert_passed(sandbox.try_repo("regime-fix"))


def test_whitespace_hook_follows_the_editorconfig_of_the_index(sandbox: Sandbox) -> None:
    sandbox.write_config()
    sandbox.write(".editorconfig", "[*.c]\nindent_style = tab\n[*.txt]\nindent_style = space\n")
    sandbox.write("a.c", "\tint x;\n")  # tabs wanted in C here
    sandbox.add()
    assert_passed(sandbox.pre_commit("run"))
    sandbox.write("n.txt", "\tnote\n")  # .txt is in no rule's list, but .editorconfig says spaces
    sandbox.add()
    assert_blocked(sandbox.pre_commit("run"), "n.txt:1:1: WS101")


def test_a_script_without_a_suffix_and_select_in_args(sandbox: Sandbox) -> None:
    """The manifest's ``types: [text]`` lets an extension-less script through; regime
    types it by its shebang (docs/file-types.md); ``args: [--select=...]`` in the
    user's config narrows the rules (docs/select.md)."""
    sandbox.write_config("regime-whitespace\nargs: [--select=WS102]")
    sandbox.write("etc/init.d/myservice", "#!/bin/sh\necho start\n")
    sandbox.commit("start")
    sandbox.write("etc/init.d/myservice", "#!/bin/sh\necho start\n\techo more  \n")
    sandbox.add("etc/init.d/myservice")
    res = sandbox.pre_commit("run")
    assert_blocked(res, "etc/init.d/myservice:3:11: WS102 trailing whitespace (2 spaces)")
    assert "WS101" not in res.text, res.text
