"""Two pushes into one bare repository, two svn commits into one repository, at the
same time: each is judged on its own change, and nothing of one shows in the other.

The two hooks are made to overlap for certain, not by luck of timing: a stand-in for
git (REGIME_GIT) or svnlook (named at install) marks its arrival when regime asks it
for the diff, and waits until the other hook has arrived too before running the real
program. Each test then checks that both met, so it cannot pass without the overlap.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import GitRepo, Result, base_env
from test_git_pre_receive import make_server, remote
from test_svn_door import Commit, Svn

GIT = shutil.which("git") or "/usr/bin/git"
ROUNDS = 3
# (is the push/commit of side a bad, is side b's bad) per round: one bad and one
# clean each way round, then both bad (each must name only its own file)
VERDICTS = [(True, False), (False, True), (True, True)]
WS101 = "WS101 a tab character in an added line: indent with spaces"

# Wait for the other side (up to 30 s, so a lone hook is never stuck), then say
# whether it came. Only shell builtins and absolute paths: an svn hook has no PATH.
MEET = """
meet() {{
  : > "{meet}/arrived.$1"
  i=0
  while [ "$i" -lt 600 ]; do
    n=0
    for f in "{meet}"/arrived.*; do [ -e "$f" ] && n=$((n + 1)); done
    if [ "$n" -ge 2 ]; then : > "{meet}/met.$1"; return; fi
    /bin/sleep 0.05
    i=$((i + 1))
  done
}}
"""


def stand_in(path: Path, meet: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + MEET.format(meet=meet) + body)
    path.chmod(0o755)
    return str(path)


def fresh(meet: Path) -> None:
    shutil.rmtree(meet, ignore_errors=True)
    meet.mkdir()


def both_met(meet: Path) -> list[str]:
    return sorted(p.name for p in meet.glob("met.*"))


# 1. two pushes at once


def bad_or_clean(bad: bool) -> str:
    return "int x;\n\tint y;\n" if bad else "int x;\nint y;\n"


def test_two_pushes_at_once_into_one_bare_repository(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    other = GitRepo(tmp_path / "other")
    other.git("remote", "add", "origin", str(srv.bare))
    other.git("fetch", "-q", "origin")
    other.git("checkout", "-q", "-b", "main", "origin/main")
    clones = {"a": srv.clone, "b": other}
    meet = tmp_path / "meet"
    fake = stand_in(
        tmp_path / "fake-git",
        meet,
        f'case "$*" in *diff-tree*--stdin*) meet "$SIDE" ;; esac\nexec {GIT} "$@"\n',
    )
    for n, verdicts in enumerate(VERDICTS):
        fresh(meet)
        pushes: dict[str, subprocess.Popen[bytes]] = {}
        names = {side: f"r{n}-{side}.c" for side in clones}
        for (side, clone), bad in zip(clones.items(), verdicts, strict=True):
            clone.git("checkout", "-q", "-b", f"r{n}-{side}", "origin/main")
            clone.write(names[side], bad_or_clean(bad))
            clone.commit(f"Round {n}, side {side}")
        for side, clone in clones.items():
            pushes[side] = subprocess.Popen(
                ["git", "push", "origin", f"r{n}-{side}"],
                cwd=clone.path, env=base_env({"REGIME_GIT": fake, "SIDE": side}),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        results = {}
        for side, proc in pushes.items():
            out, err = proc.communicate(timeout=120)
            results[side] = Result(proc.returncode, out.decode(), err.decode())
        assert both_met(meet) == ["met.a", "met.b"], (n, results)
        for (side, res), bad in zip(results.items(), verdicts, strict=True):
            other_side = "b" if side == "a" else "a"
            lines = remote(res)
            text = "\n".join(lines)
            assert names[other_side] not in text and f"r{n}-{other_side}" not in text, text
            if bad:
                assert res.code != 0 and "(pre-receive hook declined)" in res.err, res.text
                assert f"{names[side]}:2:1: {WS101}" in lines, text
                assert lines[-1].startswith("regime: 1 error (WS101 x1) in 1 file in 1 commit;")
                assert srv.ref(f"refs/heads/r{n}-{side}") is None
            else:
                assert res.code == 0, res.text
                assert lines == ["regime: no problems in 1 file in 1 commit."]
                assert srv.ref(f"refs/heads/r{n}-{side}") == clones[side].head()


# 2. two svn commits at once


def test_two_svn_commits_at_once_into_one_repository(tmp_path: Path) -> None:
    svn = Svn(tmp_path / "svn")
    for side in ("a", "b"):
        (svn.wc / "trunk" / side).mkdir(parents=True)
    svn.accept("Create trunk/a and trunk/b")
    second = svn.root / "wc2"
    svn.svn("checkout", "-q", svn.url(), str(second), cwd=svn.root)
    wcs = {"a": svn.wc, "b": second}
    meet = tmp_path / "meet"
    (tmp_path / "bin").mkdir()
    svnlook = stand_in(
        tmp_path / "bin" / "svnlook",
        meet,
        # the transaction's name tells the two hooks apart (they have no environment)
        'if [ "$1" = diff ]; then\n'
        '  prev=""; for a in "$@"; do [ "$prev" = -t ] && txn=$a; prev=$a; done\n'
        '  meet "$txn"\nfi\nexec /usr/bin/svnlook "$@"\n',
    )
    svn.install("--svnlook", svnlook)
    youngest = svn.youngest()
    for n, verdicts in enumerate(VERDICTS):
        fresh(meet)
        names = {side: f"trunk/{side}/r{n}.c" for side in wcs}
        commits: dict[str, subprocess.Popen[bytes]] = {}
        for (side, wc), bad in zip(wcs.items(), verdicts, strict=True):
            (wc / names[side]).write_text(bad_or_clean(bad))
            svn.svn("add", "-q", names[side], cwd=wc)
        for side, wc in wcs.items():
            commits[side] = subprocess.Popen(
                ["svn", "--non-interactive", "--config-dir", str(svn.config), "commit",
                 "-m", f"Round {n}, side {side}"],
                cwd=wc, env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        results = {}
        for side, proc in commits.items():
            out, err = proc.communicate(timeout=120)
            results[side] = Commit(proc.returncode, out.decode(), err.decode())
        met = both_met(meet)
        assert len(met) == 2, (n, met, results)
        for (side, c), bad in zip(results.items(), verdicts, strict=True):
            other_side = "b" if side == "a" else "a"
            assert names[other_side] not in c.err and f"trunk/{other_side}/" not in c.err, c.err
            if bad:
                assert c.code == 1 and "Commit blocked by pre-commit hook (exit code 1)" in c.err
                assert c.findings == [f"{names[side]}:2:1: WS101"], c.hook
                assert c.lines[-1].startswith("regime: 1 error (WS101 x1) in 1 file;")
                svn.svn("revert", "-q", names[side], cwd=wcs[side])
                (wcs[side] / names[side]).unlink()
            else:
                assert (c.code, c.err) == (0, "")
                youngest += 1
        assert svn.youngest() == youngest
