"""The same change through two doors: a real ``svn commit`` through the hook that
``regime install svn`` writes, and ``regime staged`` in a real git repository.

hypothesis generates the changes of test_differential_git.py (tabs, spaces, CRLF line
ends, vertical tabs, form feeds, no-break and other Unicode spaces, empty lines, no final
newline, bytes that are not UTF-8; new, modified, rewritten and unchanged files). Each is
committed through svn (the base with the hook set aside, then the change through it)
and staged in git on top of the same base. regime's verdict must be the same on both:
the exit status (svn says the hook's) and the set of (path, line, code) findings.

Two things are kept out of the generated changes, each for its reason (a CR that is
not the CR of a CRLF line end is generated: see ``LONE_CR``):

- deleted files: git infers a rename from a deleted and an added file with similar
  content (and then checks only what differs), svn knows only the copies it was told
  of (``svn mv``); test_svn_door.py tests those;
- a line twice in a file, and kept lines out of their order: then several diffs are
  equally short, git and svn may pick different ones, and so call different lines
  added (a test below shows a moved line). Each generated file has one shortest diff.

``svn add`` marks a file binary when most of its first bytes are not ASCII text, and
regime then does not check it, as svn diff does not show it (a test below). The
generated files are made text again (``svn propdel svn:mime-type``) so that both doors
look at the same lines.

15 examples by default (an svn commit through the hook costs about a second);
``REGIME_DIFF_SVN_EXAMPLES=N`` runs N, ``REGIME_DIFF_SEED=S`` draws them from seed S;
``bench/differential.py`` runs more.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import GitRepo, WsChange, base_env, regime_staged_findings, reset_to, run_regime
from hypothesis import event, given
from test_differential_git import differential_settings, ws_changes

BLOCKED = re.compile(r"Commit blocked by pre-commit hook \(exit code (\d+)\) with output:\n")
FINDING = re.compile(r"^(\S.*?):(\d+)(?::\d+)?: ([A-Z]+\d{3}) ")
MESSAGE = "Change the configuration"

# svn's diff ends a line at a lone CR as it does at LF and CRLF, so svnlook diff shows
# "b\rc\n" as two added lines "+b\r+c\n" and a last line "o\r" as "+o\r\n" (its empty
# line after the file follows the CR). regime once refused the first (DIFF001) and passed
# the second; it reads svn's lines now (regime/diff/svn_lines.py), so both are generated.
LONE_CR = True


class SvnWc:
    """A Subversion repository with regime's hook, a working copy, and a fresh folder
    of the working copy for each change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repos = root / "repos"
        self.wc = root / "wc"
        self.config = root / "svn-config"  # no user configuration (auto-props, ignores)
        self.config.mkdir(parents=True)
        self.folders = 0
        self.run("svnadmin", "create", str(self.repos))
        self.svn("checkout", "-q", self.repos.as_uri(), str(self.wc))
        res = run_regime("install", "svn", str(self.repos), "--utf8-output", cwd=root)
        assert res.code == 0, res.text
        self.hook = self.repos / "hooks" / "pre-commit"

    def run(self, *argv: str) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(
            argv, cwd=self.wc if self.wc.exists() else self.root, env=base_env(),
            capture_output=True, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, f"{' '.join(argv)} failed: {proc.stderr.decode()}"
        return proc

    def svn(self, *args: str) -> None:
        self.run("svn", "--non-interactive", "--config-dir", str(self.config), *args)

    def youngest(self) -> int:
        return int(self.run("svnlook", "youngest", str(self.repos)).stdout)

    def write(self, folder: str, files: dict[str, bytes]) -> None:
        (self.wc / folder).mkdir(exist_ok=True)
        for name, data in files.items():
            path = self.wc / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.svn("add", "-q", "--force", folder)
        # svn add calls a file binary when most of its first bytes are not ASCII text
        self.svn("propdel", "-q", "-R", "svn:mime-type", folder)

    def commit(self) -> tuple[int, str]:
        """A real ``svn commit``: the hook's exit status (0 when svn accepted) and text."""
        before = self.youngest()
        argv = ["svn", "--non-interactive", "--config-dir", str(self.config), "commit"]
        proc = subprocess.run(
            [*argv, "-m", MESSAGE], cwd=self.wc, env=base_env(),
            capture_output=True, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        err = proc.stderr.decode("utf-8", "backslashreplace")
        if proc.returncode == 0:
            assert not err, err
            return 0, ""
        m = BLOCKED.search(err)
        assert proc.returncode == 1 and m is not None, err
        assert self.youngest() == before, "a blocked commit created a revision"
        return int(m.group(1)), err[m.end() :]

    def verdict(self, change: WsChange) -> tuple[int, set[tuple[str, int, str]]]:
        """Commit the base (the hook set aside), then the change through the hook, in a
        new folder; the exit status and the (path, line, code) findings, paths relative
        to the folder."""
        self.folders += 1
        folder = f"e{self.folders}"
        self.write(folder, change.base)
        aside = self.hook.with_name("pre-commit.aside")
        self.hook.rename(aside)
        try:
            code, text = self.commit()
            assert code == 0, text
        finally:
            aside.rename(self.hook)
        for name in change.deleted():
            self.svn("rm", "-q", f"{folder}/{name}")
        self.write(folder, change.after)
        code, text = self.commit()
        found: set[tuple[str, int, str]] = set()
        for line in text.splitlines():
            m = FINDING.match(line)
            if m is not None:
                path = m.group(1)
                assert path.startswith(folder + "/"), line
                found.add((path[len(folder) + 1 :], int(m.group(2)), m.group(3)))
        assert (code == 0) == (not found), text
        return code, found


@pytest.fixture
def doors(tmp_path: Path) -> tuple[SvnWc, GitRepo]:
    return SvnWc(tmp_path / "svn"), GitRepo(tmp_path / "git")


def same_verdict(
    svn: SvnWc, repo: GitRepo, change: WsChange
) -> tuple[int, set[tuple[str, int, str]]]:
    by_svn = svn.verdict(change)
    reset_to(repo, change)
    by_git = regime_staged_findings(repo)
    assert by_svn == by_git, f"svn {by_svn}\ngit {by_git}\n{change}"
    return by_git


@differential_settings(15, "REGIME_DIFF_SVN_EXAMPLES")
@given(change=ws_changes(lone_cr=LONE_CR, deletions=False, unique_lines=True))
def test_svn_and_git_doors_agree(doors: tuple[SvnWc, GitRepo], change: WsChange) -> None:
    code, found = same_verdict(*doors, change)
    event("blocked by both" if code else "passed by both")
    for rule in sorted({c for _, _, c in found}):
        event(f"{rule} found by both")


def test_one_change_with_every_kind_of_line(doors: tuple[SvnWc, GitRepo]) -> None:
    """A fixed change holding each kind of line the generator makes (new lines, a line
    given trailing whitespace, a line given another line end, CRLF, no final newline,
    Unicode spaces, bytes that are not UTF-8), so that every kind goes through both
    doors in every run whatever the examples drawn."""
    change = WsChange(
        base={
            "a.c": b"int a;\nint b;\n\told();\n",
            "etc/c.conf": b"x=1\r\ny=2\r\n",
            "g.md": b"# Title\n",
        },
        after={
            "a.c": b"int a;\nint a2; \nint b; \n\told();\n\tnew();\n\v\n",
            "etc/c.conf": b"x=1\r\nx2=\xe9 \r\ny=2\nz=3\f\r\nw=\xa0\r\n",
            "g.md": b"# Title\nline break  \n",
            "sp ace.py": "s = 1\u3000\nt = '\xa0'\n\n  \nu = 3 ".encode(),
            "dé/f.yaml": "k: v\u2028\nl: \x85\n".encode(),
            "Makefile": b"all:\n\ttrue \n",
        },
    )
    code, found = same_verdict(*doors, change)
    assert code == 1
    assert sorted(found) == [
        ("Makefile", 2, "WS102"),
        ("a.c", 2, "WS102"),
        ("a.c", 3, "WS102"),
        ("a.c", 5, "WS101"),
        ("a.c", 6, "WS102"),
        ("etc/c.conf", 2, "WS102"),
        ("etc/c.conf", 4, "WS102"),
        ("sp ace.py", 1, "WS102"),
        ("sp ace.py", 4, "WS102"),
        ("sp ace.py", 5, "WS102"),
    ]


def test_a_file_svn_add_calls_binary_is_checked_as_git_does(doors: tuple[SvnWc, GitRepo]) -> None:
    """svn add gives a file svn:mime-type application/octet-stream when more than 85%
    of its first 1024 bytes are not ASCII text (here: UTF-8 letters); svnlook diff then
    shows "(Binary files differ)". Binary is decided by content, a NUL byte, as git
    does (issue 14): both doors check it."""
    svn, repo = doors
    data = ("äöü" * 10 + " \n").encode()
    folder = "binary"
    (svn.wc / folder).mkdir()
    (svn.wc / folder / "a.c").write_bytes(data)
    svn.svn("add", "-q", folder)
    props = svn.run("svn", "--config-dir", str(svn.config), "proplist", "-v", f"{folder}/a.c")
    assert b"application/octet-stream" in props.stdout
    code, text = svn.commit()
    assert code == 1 and f"{folder}/a.c:1:" in text and "WS102" in text, text
    repo.write("a.c", data)
    repo.add()
    assert regime_staged_findings(repo) == (1, {("a.c", 1, "WS102")})


def test_which_lines_a_move_adds_is_up_to_each_diff(doors: tuple[SvnWc, GitRepo]) -> None:
    """Two lines swapped: one diff removes and adds the first, another the second, both
    equally short. git picks one, svn the other, and each door checks the line its own
    diff adds (old lines never block new work), so the verdicts differ."""
    svn, repo = doors
    change = WsChange(base={"a.c": b"int a; \nint b;\n"}, after={"a.c": b"int b;\nint a; \n"})
    assert svn.verdict(change) == (0, set())  # svn: "int b;" moved up
    reset_to(repo, change)
    assert regime_staged_findings(repo) == (1, {("a.c", 2, "WS102")})  # git: "int a; " down
