"""The Subversion door end to end: `svnadmin create`, `regime install svn`, real `svn commit`s.

svn shows the committer only the hook's stderr, wrapped in its own E165001 lines, and
only when the hook fails. Every test asserts on that text and on svn's exit status,
and on `svnlook youngest` where it matters whether the revision was created.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import Result, base_env, run_regime

HOOK_SAYS = "with output:\n"
FINDING = re.compile(r"^(\S.*?:\d+(?::\d+)?): ([A-Z]+\d{3})\b")
SUMMARY_BLOCKED = "the commit is blocked: fix the errors above"


@dataclass
class Commit:
    """What `svn commit` showed the committer."""

    code: int
    out: str
    err: str

    @property
    def hook(self) -> str:
        """The hook's own text, as svn relays it after its E165001 lines."""
        assert HOOK_SAYS in self.err, self.err
        return self.err.split(HOOK_SAYS, 1)[1]

    @property
    def lines(self) -> list[str]:
        return self.hook.rstrip("\n").splitlines()

    @property
    def findings(self) -> list[str]:
        """Every finding as `PATH:LINE[:COL]: CODE`."""
        found = []
        for line in self.lines:
            m = FINDING.match(line)
            if m:
                found.append(f"{m.group(1)}: {m.group(2)}")
        return found


class Svn:
    """A throwaway Subversion repository and a working copy of it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repos = root / "repos"
        self.wc = root / "wc"
        self.config = root / "svn-config"  # no user configuration (auto-props, ignores)
        self.config.mkdir(parents=True)
        self.run("svnadmin", "create", str(self.repos))
        self.svn("checkout", "-q", self.url(), str(self.wc), cwd=root)

    def url(self, path: str = "") -> str:
        return self.repos.as_uri() + ("/" + path if path else "")

    @property
    def hook(self) -> Path:
        return self.repos / "hooks" / "pre-commit"

    def run(self, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(
            argv,
            cwd=cwd or self.root,
            env=base_env(),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
        return proc

    def svn(self, *args: str, cwd: Path | None = None) -> str:
        argv = ["svn", "--non-interactive", "--config-dir", str(self.config), *args]
        return self.run(*argv, cwd=cwd or self.wc).stdout.decode("utf-8", "surrogateescape")

    def write(self, name: str, content: bytes | str) -> Path:
        path = self.wc / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    def commit(self, message: str = "Change things") -> Commit:
        """`svn add` whatever is new, then a real `svn commit` of the whole working copy."""
        self.svn("add", "-q", "--force", ".")
        argv = ["svn", "--non-interactive", "--config-dir", str(self.config), "commit"]
        proc = subprocess.run(
            [*argv, "-m", message],
            cwd=self.wc,
            env=base_env(),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return Commit(
            proc.returncode,
            proc.stdout.decode("utf-8", "backslashreplace"),
            proc.stderr.decode("utf-8", "backslashreplace"),
        )

    def accept(self, message: str = "Change things") -> Commit:
        before = self.youngest()
        c = self.commit(message)
        assert c.code == 0, c.err
        assert self.youngest() == before + 1
        return c

    def block(self, message: str = "Change things", exit_code: int = 1) -> Commit:
        before = self.youngest()
        c = self.commit(message)
        assert c.code == 1, c.err
        assert f"Commit blocked by pre-commit hook (exit code {exit_code}) with output:" in c.err
        assert self.youngest() == before, "a blocked commit created a revision"
        return c

    def youngest(self) -> int:
        return int(self.run("svnlook", "youngest", str(self.repos)).stdout)

    def install(self, *args: str, utf8: bool = True) -> Result:
        """Install the hook; by default with UTF-8 output, as these svn servers (file://
        under the test's UTF-8 locale) can pass it on."""
        extra = ["--utf8-output"] if utf8 else []
        res = run_regime("install", "svn", str(self.repos), *args, *extra, cwd=self.root)
        assert res.code == 0, res.text
        return res

    def server_policy(self, text: str) -> str:
        path = self.root / "server.yaml"
        path.write_text(text)
        return str(path)


@pytest.fixture
def svn(tmp_path: Path) -> Svn:
    """A repository with trunk/ and tags/, and no hook yet."""
    s = Svn(tmp_path)
    (s.wc / "trunk").mkdir()
    (s.wc / "tags").mkdir()
    s.accept("Create the layout")
    return s


@pytest.fixture
def hooked(svn: Svn) -> Svn:
    """The same, with regime's hook installed with the built-in defaults."""
    svn.install()
    return svn


# 1. what a blocked commit looks like


def test_tab_and_trailing_space_are_both_listed(hooked: Svn) -> None:
    hooked.write("trunk/src/a.c", "int x;\n\tint y; \n")
    c = hooked.block()
    assert c.lines[0] == (
        "*** Commit blocked by regime: trunk/src/a.c: a tab character in an added line"
        " (and 1 more error, all listed below)"
    )
    assert c.findings == ["trunk/src/a.c:2:1: WS101", "trunk/src/a.c:2:8: WS102"]
    assert (
        "trunk/src/a.c:2:1: WS101 a tab character in an added line: indent with spaces" in c.lines
    )
    assert "trunk/src/a.c:2:8: WS102 trailing whitespace (1 space): remove it" in c.lines
    assert c.lines.count("    →int y;·<EOL>") == 2
    assert c.lines[-1].startswith(
        "regime: 2 errors (WS101 x1, WS102 x1) in 1 file; " + SUMMARY_BLOCKED
    )


def test_every_offending_line_of_every_file_is_listed(hooked: Svn) -> None:
    hooked.write("trunk/a.c", "\tone;\ntwo;\n\tthree;\n")
    hooked.write("trunk/b.h", "x \n")
    c = hooked.block()
    assert c.findings == ["trunk/a.c:1:1: WS101", "trunk/a.c:3:1: WS101", "trunk/b.h:1:2: WS102"]
    assert "(and 2 more errors, all listed below)" in c.lines[0]


# 2. log messages


def test_clean_commit_is_accepted(hooked: Svn) -> None:
    hooked.write("trunk/a.c", "int x;\n")
    hooked.accept("Add a.c")


def test_empty_and_punctuation_only_messages_are_blocked(hooked: Svn) -> None:
    hooked.write("trunk/a.c", "int x;\n")
    c = hooked.block("")
    assert c.lines[0] == "*** Commit blocked by regime: svn:log: the log message says nothing"
    assert "svn:log:1: LOG101 the log message is empty: say what the change does and why" in c.lines
    c = hooked.block("...")
    assert c.lines[0] == "*** Commit blocked by regime: svn:log: the log message says nothing"
    assert c.findings == ["svn:log:1: LOG101"]
    assert "LOG101 the log message has no letter or digit" in c.hook


def test_cyrillic_and_japanese_messages_pass(hooked: Svn) -> None:
    hooked.write("trunk/a.c", "int x;\n")
    hooked.accept("Исправить")
    hooked.write("trunk/a.c", "int x;\nint y;\n")
    hooked.accept("設定を修正")
    log = hooked.run("svnlook", "log", str(hooked.repos)).stdout
    assert log.decode() == "設定を修正\n"


def test_log_message_reaches_the_policy_intact(svn: Svn) -> None:
    """Under the hook's C locale svnlook would garble these into `?`: the pattern proves not."""
    policy = "rules:\n  LOG102:\n    severity: error\n    pattern: 'Исправить|設定を修正'\n"
    svn.install("--policy", svn.server_policy(policy))
    svn.write("trunk/a.c", "int x;\n")
    c = svn.block("Fix it")
    assert c.findings == ["svn:log:1: LOG102"]
    svn.accept("Исправить")
    svn.write("trunk/a.c", "int x;\nint y;\n")
    svn.accept("設定を修正")


# 3. only added lines count


def test_old_tabs_do_not_block_new_work(svn: Svn) -> None:
    svn.write("trunk/legacy.c", "int main(void)\n{\n\treturn 0;\n}\n")
    svn.accept("Legacy code, before the hook")
    svn.install()
    svn.write("trunk/legacy.c", "/* header */\nint main(void)\n{\n\treturn 0;\n}\nint z;\n")
    svn.accept("Add a header and z")
    # ... but a new tab next to the old one is still caught, at its new line number
    svn.write(
        "trunk/legacy.c", "/* header */\nint main(void)\n{\n\treturn 0;\n\t/* new */\n}\nint z;\n"
    )
    c = svn.block()
    assert c.findings == ["trunk/legacy.c:5:1: WS101"]


def test_lines_that_look_like_diff_headers(svn: Svn) -> None:
    """`-- x` removed is `--- x` in the diff and `++ x` added is `+++ x`: neither is a file."""
    svn.write("trunk/a.c", "int i;\n-- i;\nint j;\n")
    svn.accept("Base")
    svn.install()
    svn.write("trunk/a.c", "int i;\n++ i; \nint j;\n\tint k;\n")
    svn.write("trunk/b.c", "int b;\n")
    c = svn.block()
    assert c.findings == ["trunk/a.c:2:6: WS102", "trunk/a.c:4:1: WS101"]
    assert "    ++ i;·<EOL>" in c.lines


# 4. what is not whitespace checked


def test_deleted_file_with_tabs_is_accepted(svn: Svn) -> None:
    svn.write("trunk/old.c", "\tlegacy(); \n")
    svn.accept("Legacy")
    svn.install()
    svn.svn("rm", "-q", "trunk/old.c")
    svn.accept("Remove old.c")


def test_property_changes_are_not_checked(svn: Svn) -> None:
    svn.write("trunk/a.c", "int a;\n")
    svn.accept("Base")
    svn.install()
    svn.svn("propset", "-q", "custom:note", "++ plus plus\n", "trunk/a.c")
    svn.svn("propset", "-q", "custom:indent", "\tindented \n", "trunk/a.c")
    svn.accept("Note on a.c")
    # a `++` property value next to a real change does not hide that change
    svn.svn("propset", "-q", "custom:note", "++ more\n+++ b/x.c\n@@ -1 +1 @@\n", "trunk/a.c")
    svn.write("trunk/a.c", "int a;\n\tint b;\n")
    c = svn.block()
    assert c.findings == ["trunk/a.c:2:1: WS101"]
    svn.write("trunk/a.c", "int a;\n    int b;\n")
    svn.accept("Fix b")


def test_binary_files_are_not_checked(hooked: Svn) -> None:
    hooked.write("trunk/blob.c", b"\x00\x01\tbinary \n\t\xff\xfe \n")
    hooked.svn("add", "-q", "trunk/blob.c")
    hooked.svn("propset", "-q", "svn:mime-type", "application/octet-stream", "trunk/blob.c")
    hooked.accept("Add a binary")
    hooked.write("trunk/blob.c", b"\x00\x02\tchanged \n")
    hooked.accept("Change the binary")


# 5. copies, branches, tags


def test_copies(svn: Svn) -> None:
    svn.write("trunk/old.c", "int main(void)\n{\n\treturn 0;\n}\n")
    svn.accept("Legacy")
    svn.install()
    svn.svn("cp", "-q", "trunk/old.c", "trunk/new.c")
    svn.accept("Copy old.c")
    svn.svn("mv", "-q", "trunk/new.c", "trunk/moved.c")
    svn.accept("Move new.c")
    svn.svn("cp", "-q", "trunk/old.c", "trunk/new2.c")
    with (svn.wc / "trunk/new2.c").open("a") as fh:
        fh.write("int bad; \n")
    c = svn.block()
    assert c.lines[0] == (
        "*** Commit blocked by regime: trunk/new2.c: trailing whitespace in an added line"
    )
    assert c.findings == ["trunk/new2.c:5:9: WS102"]
    assert "    int bad;·<EOL>" in c.lines


def test_copy_of_a_file_whose_name_contains_from_rev(svn: Svn) -> None:
    svn.write("trunk/old (from rev 1, x).c", "int a;\n")
    svn.accept("A file with an unlucky name")
    svn.install()
    svn.svn("cp", "-q", "trunk/old (from rev 1, x).c", "trunk/new.c")
    with (svn.wc / "trunk/new.c").open("a") as fh:
        fh.write("\tbad \n")
    c = svn.block()
    assert c.findings == ["trunk/new.c:2:1: WS101", "trunk/new.c:2:5: WS102"]


def test_branch_and_tag_by_copying_a_folder(svn: Svn) -> None:
    svn.write("trunk/old.c", "\tlegacy(); \n")
    svn.accept("Legacy")
    svn.install()
    svn.svn("cp", "-q", svn.url("trunk"), svn.url("tags/v1"), "-m", "tag v1")
    svn.svn("cp", "-q", "--parents", "trunk", "branches/b1")
    svn.accept("Branch b1")
    assert svn.youngest() == 4


def test_a_new_line_in_a_copied_folder_is_checked(svn: Svn) -> None:
    svn.write("trunk/old.c", "\tlegacy();\n")
    svn.accept("Legacy")
    svn.install()
    svn.svn("cp", "-q", "--parents", "trunk", "branches/b1")
    with (svn.wc / "branches/b1/old.c").open("a") as fh:
        fh.write("\tnew();\n")
    c = svn.block()
    assert c.findings == ["branches/b1/old.c:2:1: WS101"]


# 6. names and bytes


def test_spaces_and_non_ascii_in_paths(hooked: Svn) -> None:
    hooked.write("trunk/sp ace/ü é.c", "ok;\n\tbad;\n")
    c = hooked.block()
    assert c.lines[0] == (
        "*** Commit blocked by regime: trunk/sp ace/ü é.c: a tab character in an added line"
    )
    assert c.findings == ["trunk/sp ace/ü é.c:2:1: WS101"]
    hooked.write("trunk/sp ace/ü é.c", "ok;\n    bad;\n")
    hooked.accept("Add ü é.c")


def test_repository_path_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    s = Svn(tmp_path / "svn root ü")
    s.install()
    s.write("a.c", "int x; \n")
    c = s.block()
    assert c.findings == ["a.c:1:7: WS102"]


def test_locked_file(hooked: Svn) -> None:
    """svn hands the hook the lock tokens on stdin; they change nothing."""
    hooked.write("trunk/a.c", "int a;\n")
    hooked.accept("Add a.c")
    hooked.svn("lock", "-q", "trunk/a.c")
    hooked.write("trunk/a.c", "int a;\n\tint b;\n")
    c = hooked.block()
    assert c.findings == ["trunk/a.c:2:1: WS101"]
    hooked.write("trunk/a.c", "int a;\nint b;\n")
    hooked.accept("Add b, holding the lock")


def test_crlf_files(hooked: Svn) -> None:
    hooked.write("trunk/dos.c", b"int a;\r\nint b;\r\n")
    hooked.accept("CRLF alone is fine")
    hooked.write("trunk/dos.c", b"int a;\r\nint b;\r\nint c; \r\n")
    c = hooked.block()
    assert c.findings == ["trunk/dos.c:3:7: WS102"]
    assert "    int c;·<EOL>" in c.lines


def test_latin1_bytes_are_checked_and_shown_escaped(hooked: Svn) -> None:
    hooked.write("trunk/l1.c", b'char *s = "caf\xe9"; \n')
    c = hooked.block()
    assert c.findings == ["trunk/l1.c:1:18: WS102"]
    assert '    char *s = "caf\\xe9";·<EOL>' in c.lines


def test_top_level_folder_named_c(hooked: Svn) -> None:
    hooked.write("c/foo.c", "\tx;\n")
    c = hooked.block()
    assert c.lines[0] == "*** Commit blocked by regime: c/foo.c: a tab character in an added line"
    assert c.findings == ["c/foo.c:1:1: WS101"]


# 7. the empty environment


def test_installed_hook_runs_with_an_empty_environment(hooked: Svn) -> None:
    """svn itself runs the hook with no environment (every test above); here the
    installed script also runs under `env -i` from outside, on a live transaction.

    The transaction is held open by a stand-in pre-commit hook that writes down its
    TXN and waits; regime's script runs meanwhile; then the stand-in refuses."""
    ours = hooked.repos / "hooks" / "regime-pre-commit"
    hooked.hook.rename(ours)
    txn_file = hooked.root / "txn"
    release = hooked.root / "release"
    os.mkfifo(release)
    hooked.hook.write_text(
        f'#!/bin/sh\nprintf "%s" "$2" > "{txn_file}.new"\n'
        f'/bin/mv "{txn_file}.new" "{txn_file}"\nread go < "{release}"\n'
        "echo 'stand-in refuses' >&2\nexit 1\n"
    )
    hooked.hook.chmod(0o755)
    hooked.write("trunk/sp ace/ü é.c", "\tx; \n")
    hooked.svn("add", "-q", "--force", ".")
    committing = subprocess.Popen(
        ["svn", "--non-interactive", "--config-dir", str(hooked.config), "commit", "-m", "…"],
        cwd=hooked.wc,
        env=base_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not txn_file.exists():
            assert committing.poll() is None, committing.communicate()
            assert time.monotonic() < deadline, "the stand-in hook never ran"
            time.sleep(0.02)
        txn = txn_file.read_text()
        proc = subprocess.run(
            ["/usr/bin/env", "-i", str(ours), str(hooked.repos), txn],
            cwd="/",
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    finally:
        if txn_file.exists():  # the stand-in is (about to be) waiting on the fifo
            with release.open("w") as fh:
                fh.write("go\n")
        else:
            committing.kill()
        _, err = committing.communicate(timeout=30)
    assert proc.stdout == b""
    text = proc.stderr.decode()
    assert proc.returncode == 1, text
    lines = text.splitlines()
    assert lines[0].startswith(
        "*** Commit blocked by regime: trunk/sp ace/ü é.c: a tab character in an added line"
    )
    assert "svn:log:1: LOG101 the log message has no letter or digit" in text
    assert "trunk/sp ace/ü é.c:1:1: WS101 a tab character in an added line" in text
    assert "trunk/sp ace/ü é.c:1:4: WS102 trailing whitespace (1 space): remove it" in text
    assert "    →x;·<EOL>" in lines
    assert committing.returncode == 1 and b"stand-in refuses" in err
    assert hooked.youngest() == 1


def test_committer_sees_the_findings_when_the_server_runs_in_the_c_locale(hooked: Svn) -> None:
    """svnserve started with an empty environment, as an init system does; the
    committer's own locale is UTF-8. (A file:// commit with LC_ALL=C does the same.)
    The hook's default ASCII output gets through; UTF-8 output would be dropped."""
    hooked.install("--force", utf8=False)
    tunnel = hooked.root / "tunnel"
    tunnel.write_text("#!/bin/sh\nexec /usr/bin/env -i /usr/bin/svnserve -t\n")
    tunnel.chmod(0o755)
    (hooked.config / "config").write_text(f"[tunnels]\nemptyenv = {tunnel}\n")
    url = "svn+emptyenv://localhost" + quote(str(hooked.repos))
    hooked.wc = hooked.root / "served"
    hooked.svn("checkout", "-q", url, str(hooked.wc), cwd=hooked.root)
    hooked.write("a.c", "int x; \n")
    hooked.write("ü.c", "\tint y;\n")
    c = hooked.block("Add x")
    assert "[Error output could not be translated" not in c.err
    assert c.findings == ["a.c:1:7: WS102", "{U+00FC}.c:1:1: WS101"]
    assert "    int x;.<EOL>" in c.lines and "    >int y;" in c.lines


def test_the_ascii_report_puts_the_caret_under_the_column_and_names_the_message(
    hooked: Svn,
) -> None:
    """ASCII output (the default) writes ö as {U+00F6}, eight columns: the caret goes
    under the character it points at as the committer sees the line. The log message
    is not one of the files the summary counts."""
    hooked.install("--force", utf8=False)
    hooked.write("trunk/a.c", 's = "\u00f6\u00e4"; \n')
    c = hooked.block("...")
    assert c.findings == ["trunk/a.c:1:10: WS102", "svn:log:1: LOG101"]
    at = c.lines.index("trunk/a.c:1:10: WS102 trailing whitespace (1 space): remove it")
    shown = 's = "{U+00F6}{U+00E4}";'
    assert c.lines[at + 1 : at + 3] == [f"    {shown}.<EOL>", "    " + " " * len(shown) + "^"]
    assert c.lines[-1].startswith(
        "regime: 2 errors (LOG101 x1, WS102 x1) in 1 file and the log message; "
    )


# 8. the server policy and the repository's .regime.yaml


def test_server_policy_may_make_a_rule_a_warning(svn: Svn) -> None:
    svn.install("--policy", svn.server_policy("rules:\n  WS102:\n    severity: warning\n"))
    svn.write("trunk/a.c", "int x; \n")
    c = svn.accept("Trailing space is only a warning here")
    assert c.err == ""  # svn shows a hook's text only when it refuses: the warning is not seen
    svn.write("trunk/b.c", "\tint y; \n")
    c = svn.block()
    assert c.findings == ["trunk/b.c:1:1: WS101", "trunk/b.c:1:8: WS102"]
    assert "trunk/b.c:1:8: WS102 (warning) trailing whitespace (1 space): remove it" in c.lines
    assert c.lines[0] == (
        "*** Commit blocked by regime: trunk/b.c: a tab character in an added line"
    )


def test_repository_policy_cannot_loosen_the_server(svn: Svn) -> None:
    svn.install("--policy", svn.server_policy("rules:\n  WS102:\n    severity: warning\n"))
    svn.write(".regime.yaml", "rules:\n  WS101:\n    severity: off\n")
    svn.write("trunk/a.c", "\tint x;\n")
    c = svn.block("Turn tabs off")
    assert c.findings == ["trunk/a.c:1:1: WS101"]


def test_committed_repository_policy_tightens_later_commits(hooked: Svn) -> None:
    hooked.write(
        ".regime.yaml",
        "rules:\n  LOG102:\n    severity: error\n    pattern: 'OPS-[0-9]+'\n"
        "    help: name the ticket, e.g. OPS-123\n",
    )
    c = hooked.block("Require tickets")  # the commit that adds it is checked with it
    assert c.findings == ["svn:log:1: LOG102"]
    hooked.accept("OPS-1 require tickets")
    hooked.write("trunk/a.c", "int x;\n")
    c = hooked.block("Add x")
    assert c.lines[0] == (
        "*** Commit blocked by regime: svn:log: the log message lacks the required pattern"
        " (e.g. a ticket id)"
    )
    assert "name the ticket, e.g. OPS-123" in c.hook
    hooked.accept("OPS-2 add x")


def test_invalid_repository_policy_is_pol001(hooked: Svn) -> None:
    hooked.write(".regime.yaml", "rules:\n  WS101:\n    colour: red\n")
    hooked.write("trunk/a.c", "int x;\n")
    c = hooked.block("Add a policy")
    assert c.findings == [".regime.yaml:3:5: POL001"]
    assert c.lines[0] == (
        "*** Commit blocked by regime: .regime.yaml: the repository's .regime.yaml is not a valid policy"
    )
    assert "unknown key 'colour' in rules.WS101" in c.hook


def test_server_may_let_the_repository_loosen_a_rule(svn: Svn) -> None:
    svn.install("--policy", svn.server_policy("server:\n  may_loosen: [WS101]\n"))
    svn.write(".regime.yaml", "rules:\n  WS101:\n    severity: off\n")
    svn.write("trunk/a.c", "\tint x;\n")
    svn.accept("Tabs are fine in this repository")
    svn.write("trunk/a.c", "\tint x; \n")
    c = svn.block()
    assert c.findings == ["trunk/a.c:1:8: WS102"]


def test_trunk_and_each_branch_are_read_with_their_own_policy(hooked: Svn) -> None:
    hooked.write("branches/x/n.txt", "start\n")
    hooked.accept("Create branch x")
    hooked.write("trunk/.regime.yaml", "rules:\n  WS102:\n    extend_include: ['.txt']\n")
    hooked.write("trunk/n.txt", "x \n")
    hooked.write("branches/x/n.txt", "start\nx \n")  # .txt is not checked in branch x
    c = hooked.block("Check text files in trunk")
    assert c.findings == ["trunk/n.txt:1:2: WS102"], c.hook
    assert c.lines[-1] == (
        "regime: 1 error (WS102 x1) in 2 files checked, 1 skipped (not selected by any rule); "
        f"{SUMMARY_BLOCKED} (`regime explain CODE` "
        "says why and how)."
    )
    hooked.write("trunk/n.txt", "x\n")
    hooked.accept("Check text files in trunk")
    hooked.write("branches/x/.regime.yaml", "rules:\n  WS101:\n    colour: red\n")
    hooked.write("trunk/n.txt", "x\ny \n")
    c = hooked.block("A broken policy in branch x")
    assert c.findings == ["branches/x/.regime.yaml:3:5: POL001", "trunk/n.txt:2:2: WS102"]
    assert "unknown key 'colour' in rules.WS101" in c.hook


def test_a_guest_edited_in_a_branch_is_not_a_duplicate_of_itself_in_trunk(hooked: Svn) -> None:
    guest = "name = 'web'\nvif = ['mac=00:16:3e:00:00:10,bridge=xenbr0']\n"
    hooked.write("trunk/etc/xen/web.cfg", guest)
    hooked.accept("Add web")
    hooked.svn("copy", "-q", "--parents", "trunk", "branches/x")
    hooked.accept("Branch x")
    hooked.write("branches/x/etc/xen/web.cfg", guest + "memory = 512\n")
    hooked.accept("More memory for web in branch x")
    hooked.write("branches/x/etc/xen/db.cfg", guest.replace("web", "db"))
    c = hooked.block("A second guest with web's MAC, in branch x")
    assert c.findings == ["branches/x/etc/xen/db.cfg:2:8: XEN101"], c.hook
    assert "also used by vif 0 of guest 'web' at branches/x/etc/xen/web.cfg:2" in c.hook


# 9. failing safely


def test_broken_svnlook_blocks_with_exit_3(hooked: Svn) -> None:
    res = hooked.install("--svnlook", "/bin/false", "--force")
    assert "replacing regime's earlier hook" in res.out
    hooked.write("trunk/a.c", "int x;\n")
    c = hooked.block("Add x", exit_code=3)
    assert c.lines[0].startswith("regime: internal error: could not read the change: svnlook")
    assert "the change was NOT checked, so it is blocked" in c.hook


def test_broken_svnlook_with_on_internal_error_allow(svn: Svn) -> None:
    log = svn.root / "regime.log"
    policy = svn.server_policy(f"server:\n  on_internal_error: allow\n  log_file: {log}\n")
    svn.install("--policy", policy, "--svnlook", "/bin/false")
    svn.write("trunk/a.c", "\tint x;\n")
    svn.accept("Let through")
    text = log.read_text()
    assert "regime: INTERNAL ERROR in the svn pre-commit hook" in text
    assert "was NOT checked and was LET THROUGH" in text


def test_server_policy_gone_after_install_blocks(svn: Svn) -> None:
    policy = svn.server_policy("rules: {}\n")
    svn.install("--policy", policy)
    os.remove(policy)
    svn.write("trunk/a.c", "int x;\n")
    c = svn.block(exit_code=2)
    assert c.lines == [
        f"{policy}:1:1: cannot read the policy file: No such file or directory",
        "regime: the policy file is wrong; nothing was checked.",
    ]


# 10. install and uninstall


def test_installed_hook_is_executable_and_calls_python_by_absolute_path(svn: Svn) -> None:
    res = svn.install()
    assert res.out == f"regime: installed {svn.hook}\n"
    mode = svn.hook.stat().st_mode
    assert mode & stat.S_IXUSR and mode & stat.S_IXGRP and mode & stat.S_IXOTH
    exec_line = next(line for line in svn.hook.read_text().splitlines() if line.startswith("exec "))
    words = exec_line.split()
    python, svnlook = words[1], words[words.index("--svnlook") + 1]
    assert os.path.isabs(python) and os.access(python, os.X_OK), exec_line
    assert words[2:5] == ["-m", "regime", "svn-pre-commit"]
    assert svnlook == "/usr/bin/svnlook"
    assert words[-2:] == ['"$1"', '"$2"']
    res = svn.install()
    assert res.out == f"regime: {svn.hook} is installed already\n"


def test_foreign_hook_is_refused_then_kept_and_restored(svn: Svn) -> None:
    foreign = "#!/bin/sh\n# the admin's own hook\nexit 0\n"
    svn.hook.write_text(foreign)
    svn.hook.chmod(0o755)
    res = run_regime("install", "svn", str(svn.repos), cwd=svn.root)
    assert res.code == 2
    assert f"{svn.hook} exists and is not regime's; nothing was changed" in res.err
    assert svn.hook.read_text() == foreign
    assert sorted(p.name for p in svn.hook.parent.glob("pre-commit*")) == [
        "pre-commit",
        "pre-commit.tmpl",
    ]

    res = svn.install("--force")
    backup = svn.hook.parent / "pre-commit.regime-backup"
    assert f"regime: kept the previous hook as {backup}" in res.out
    assert backup.read_text() == foreign
    svn.write("trunk/a.c", "\tint x;\n")
    svn.block()

    res = run_regime("uninstall", "svn", str(svn.repos), cwd=svn.root)
    assert res.code == 0, res.text
    assert f"put back {svn.hook} from {backup}" in res.out
    assert svn.hook.read_text() == foreign
    assert os.access(svn.hook, os.X_OK)
    assert not backup.exists()
    svn.accept("The admin's own hook lets this through")
