"""The policy's limits: a file over limits.max_file_size is not read and is named
(LIM001), a run past limits.max_seconds names what it did not check (LIM002), and
either blocks or passes as limits.over_limit says, at every door.

The splitter is held to the unlimited one on generated diffs (a chunk over the limit
keeps its header and its exact size, everything after it is split the same), long
lines are shown never to be held (tracemalloc, and the peak RSS of a real `regime
diff -` fed 200 MB on one line through a pipe), and the doors are real: `regime
staged`, `regime check`, `regime pre-commit`, a `git push` into a bare repository
with the hook installed, an `svn commit` through the installed hook.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REGIME, GitRepo, base_env, run_regime
from test_diff_fast_paths import _shape, cut, generated_diff
from test_git_pre_receive import assert_accepted, assert_refused, make_server
from test_svn_door import Svn

from regime.diff.chunks import to_changed_file
from regime.diff.split import Chunk, CommitRecord, split
from regime.limits import size_text
from regime.policy.compose import tighten
from regime.policy.load import PolicyError, parse_policy
from regime.policy.model import Limits, default_policy
from regime.sources.svn import Transaction, find_svnlook
from regime.sources.trees import GitTree, SvnTree

LIMIT = "limits:\n  max_file_size: 10 kB\n"
# 20 kB of C with a tab on every line: were it read, every line would be a WS101
BIG = "".join(f"\tint v{i:05};\n" for i in range(1500))
GUEST = "name = '{name}'\nvif = [ 'mac=00:16:3e:00:00:{mac},bridge=xenbr0' ]\n"
BIG_GUEST = GUEST.format(name="big", mac="99") + "".join(f"# {i:06}\n" for i in range(2000))


def findings(text: str, code: str) -> list[str]:
    return [line for line in text.splitlines() if f": {code}" in line]


# 1. the splitter


@pytest.mark.parametrize("seed", range(4))
def test_a_chunk_over_the_limit_keeps_its_header_and_size_and_the_rest_splits_the_same(
    seed: int,
) -> None:
    r = random.Random(500 + seed)
    over = under = 0
    for _ in range(800):
        data = generated_diff(r)
        limit = r.randrange(20, 400)
        blocks = cut(data, r)
        free = list(split(blocks))
        held = list(split(blocks, limit))
        assert len(held) == len(free), data
        for a, b in zip(free, held, strict=True):
            if isinstance(a, CommitRecord):
                assert a == b
                continue
            assert isinstance(b, Chunk)
            raw = b"".join(a.pieces)
            if len(raw) <= limit:
                under += 1
                assert _shape(b) == _shape(a) and b.too_big == 0, data
                continue
            over += 1
            # the same file, found at the same line, with the same problem and hunks,
            # its exact size; nothing of its hunks kept
            assert (b.kind, b.first_line, b.problem, b.problem_line, b.hunks) == (
                a.kind, a.first_line, a.problem, a.problem_line, a.hunks,
            ), data  # fmt: skip
            assert (b.too_big, b.limit) == (len(raw), limit)
            assert raw.startswith(b"".join(b.pieces)) and len(b.pieces) <= b.head
            got, want = to_changed_file(b), to_changed_file(a)
            if want is None:
                assert got is None
                continue
            # a malformed hunk is found as without the limit (what only unidiff finds in
            # a chunk's lines cannot be: the file is not checked, LIM001 says so)
            assert got is not None and got.problem == a.problem
            if len(b"".join(a.pieces[: a.head])) <= limit:  # the header was kept whole
                assert (got.path, got.status) == (want.path, want.status)
                # (a "Binary files" line between hunks is gone with them: reported, not skipped)
                assert want.binary or not got.binary
            nothing_to_check = a.problem is not None or got.binary or got.status.value == "deleted"
            assert (got.too_big is None) == nothing_to_check
            assert list(got.lines()) == []
    assert over > 300 and under > 300


def _long_line_diff(size: int) -> Iterator[bytes]:
    """A diff whose second file holds one added line of ``size`` bytes (after a
    removed line, so the splitter meets it while taking runs), whose third file has
    a header line of ``size`` bytes, whose fourth adds 8 MB of short lines in one
    hunk, and whose last file adds a tab; made on the fly in blocks, never whole."""
    yield b"diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-x\n+ok\n"
    yield b"diff --git a/long.c b/long.c\n--- a/long.c\n+++ b/long.c\n@@ -1 +1,2 @@\n-x\n+"
    piece = b"y" * 65_521
    for _ in range(size // len(piece)):
        yield piece
    yield b"\t\n+z\n"
    yield b"diff --git a/head.c b/head.c\nindex " + b"0" * 10
    for _ in range(size // len(piece)):
        yield piece
    yield b"\n--- a/head.c\n+++ b/head.c\n@@ -1 +1 @@\n-x\n+\tq\n"
    lines = 100_000  # 8 MB of short lines in one hunk
    yield b"diff --git a/many.c b/many.c\n--- a/many.c\n+++ b/many.c\n@@ -0,0 +1,%d @@\n" % lines
    for start in range(0, lines, 1000):
        yield b"".join(b"+%079d\n" % i for i in range(start, start + 1000))
    yield b"diff --git a/last.c b/last.c\n--- a/last.c\n+++ b/last.c\n@@ -1 +1 @@\n-x\n+\tw\n"


def test_a_line_longer_than_the_limit_is_read_through_never_held() -> None:
    size = 8_000_000
    tracemalloc.start()
    try:
        chunks = [c for c in split(_long_line_diff(size), 1000) if isinstance(c, Chunk)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, peak  # 8 MB lines went through; a few blocks were held
    files = [to_changed_file(c) for c in chunks]
    assert [f.path if f else None for f in files] == ["a.c", "long.c", "head.c", "many.c", "last.c"]
    assert [c.too_big > size - 65_521 for c in chunks] == [False, True, True, True, False]
    last = files[-1]
    assert last is not None and [x.text for x in last.lines()] == ["\tw"]
    # without a limit the same stream is read exactly as before
    free = [c for c in split(_long_line_diff(300_000)) if isinstance(c, Chunk)]
    added = to_changed_file(free[1])
    assert added is not None and added.added_content() == b"y" * (4 * 65_521) + b"\t\nz\n"


# 2. the policy file


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("123", 123),
        ("'64 MB'", 64_000_000),
        ("64 MiB", 64 * 2**20),
        ("1.5 GiB", 3 * 2**29),
        ("512k", 512_000),
        ("100 B", 100),
        ("2 kb", 2000),
    ],
)
def test_sizes_are_bytes_or_text_with_units(value: str, parsed: int) -> None:
    policy = parse_policy(f"limits:\n  max_file_size: {value}\n", "p.yaml")
    assert policy.limits.max_file_size == parsed


def test_the_default_file_says_the_default_limits() -> None:
    from importlib.resources import files

    text = files("regime.policy").joinpath("default.regime.yaml").read_text("utf-8")
    assert parse_policy(text, "default.regime.yaml").limits == default_policy().limits
    assert default_policy().limits == Limits(64 * 2**20, 300.0, "block")


@pytest.mark.parametrize(
    ("policy", "where", "what"),
    [
        ("limits:\n  max_file_size: 0\n", ":2:18:", "must be a size of at least 1 byte"),
        ("limits:\n  max_file_size: 64 XB\n", ":2:18:", 'such as "64 MB" or "64 MiB"'),
        ("limits:\n  max_file_size: [1]\n", ":2:18:", "must be a single value"),
        ("limits:\n  max_seconds: -1\n", ":2:16:", "must be a number of seconds above 0"),
        ("limits:\n  max_seconds: .inf\n", ":2:16:", "must be a number of seconds above 0"),
        ("limits:\n  max_seconds: soon\n", ":2:16:", "must be a number of seconds above 0"),
        ("limits:\n  over_limit: maybe\n", ":2:15:", "must be one of block, allow"),
        ("limits:\n  max_size: 1\n", ":2:3:", "unknown key 'max_size' in limits"),
        ("limits: 64 MB\n", ":1:9:", "limits must be a mapping"),
        ("rules:\n  LIM001:\n    severity: off\n", ":2:3:", "set in the `limits:` section"),
    ],
)
def test_bad_limits_are_exit_2_with_file_line_col(
    repo: GitRepo, policy: str, where: str, what: str
) -> None:
    repo.write(".regime.yaml", policy)
    repo.write("a.c", "int a;\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 2, res.text
    assert f".regime.yaml{where} " in res.err and what in res.err, res.err


def test_a_repository_can_only_tighten_the_limits() -> None:
    server = parse_policy("limits: {max_file_size: 1 MB, max_seconds: 60}\n", "s", server=True)
    loose = parse_policy(
        "limits: {max_file_size: 1 GB, max_seconds: 999, over_limit: allow}\n", "r"
    )
    assert tighten(server, loose).limits == Limits(1_000_000, 60.0, "block")
    strict = parse_policy("limits: {max_file_size: 1 kB, max_seconds: 5}\n", "r")
    assert tighten(server, strict).limits == Limits(1000, 5.0, "block")
    # only what the repository's file says counts: silent on limits, it changes none
    lenient = parse_policy("limits: {over_limit: allow, max_file_size: 1 GB}\n", "s", server=True)
    assert tighten(lenient, parse_policy("rules: {}\n", "r")).limits == lenient.limits
    assert tighten(lenient, strict).limits == Limits(1000, 5.0, "allow")
    blocking = parse_policy("limits: {over_limit: block}\n", "r")
    assert tighten(lenient, blocking).limits == Limits(10**9, 300.0, "block")
    with pytest.raises(PolicyError, match=r"LIM001 follows limits\.over_limit"):
        parse_policy("server: {may_loosen: [LIM001]}\n", "s", server=True)


def test_sizes_are_shown_as_people_write_them() -> None:
    assert size_text(64 * 2**20) == "64 MiB"
    assert size_text(10_000) == "10 kB"
    assert size_text(1_234_567_890) == "1.2 GB (1,234,567,890 bytes)"
    assert size_text(999) == "999 bytes"


# 3. the doors, a file over the limit


def _big_change(repo: GitRepo, policy: str) -> None:
    repo.write(".regime.yaml", policy)
    repo.write("big.c", BIG)
    repo.write("later.sh", "echo\n\tindented\n")  # after big.c: still checked
    repo.write("etc/xen/a.cfg", GUEST.format(name="a", mac="01"))
    repo.write("etc/xen/b.cfg", GUEST.format(name="b", mac="01"))  # the same MAC
    repo.write("etc/xen/big.cfg", BIG_GUEST)
    repo.add()


def test_staged_blocks_a_file_over_the_limit_and_checks_the_rest(repo: GitRepo) -> None:
    _big_change(repo, LIMIT)
    res = repo.regime("staged")
    assert res.code == 1, res.text
    lim = findings(res.out, "LIM001")
    assert [x.split(":")[0] for x in lim] == ["big.c", "etc/xen/big.cfg"], res.out
    # git was told the limit (core.bigFileThreshold): it calls big.c binary without
    # loading it, and regime asks git for its size
    assert "the file is 19.5 kB (19,500 bytes), over limits.max_file_size (10 kB)" in lim[0]
    assert "raise limits.max_file_size in the policy" in lim[0]
    assert not any(x.startswith("big.c:") for x in findings(res.out, "WS101"))
    assert findings(res.out, "WS101") == [
        "later.sh:2:1: WS101 a tab character in an added line: indent with spaces"
    ]
    # the infrastructure checks went on without the big guest (read from the index)
    assert [x.split(":")[0] for x in findings(res.out, "XEN101")] == ["etc/xen/b.cfg"]


def test_a_file_under_the_limit_whose_diff_is_over_it(repo: GitRepo) -> None:
    """A rewrite shows the old lines and the new: the diff can be over the limit
    while the file is not (then the splitter is what stops reading it)."""
    repo.write("mid.c", "".join(f"int old{i:04};\n" for i in range(500)))  # 7.5 kB
    repo.commit("mid")
    repo.write(".regime.yaml", LIMIT)
    repo.write("mid.c", "".join(f"int new{i:04};\n" for i in range(500)))
    repo.write("z.c", "\tz\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert findings(res.out, "LIM001")[0].startswith(
        "mid.c:0: LIM001 not checked: its part of the diff is 14.2 kB"
    ), res.out
    assert [x.split(":")[0] for x in findings(res.out, "WS101")] == ["z.c"]


def test_over_limit_allow_makes_it_a_warning(repo: GitRepo) -> None:
    repo.write(".regime.yaml", LIMIT + "  over_limit: allow\n")
    repo.write("big.c", BIG)
    repo.write("notes.txt", BIG)  # no rule reads .txt: nothing was to be checked in it
    repo.add()
    res = repo.regime("staged", "--format", "json")
    assert res.code == 0, res.text
    doc = json.loads(res.out)
    assert [(f["path"], f["code"], f["severity"]) for f in doc["findings"]] == [
        ("big.c", "LIM001", "warning")
    ]


def test_check_tree_and_pre_commit_doors(repo: GitRepo, tmp_path: Path) -> None:
    _big_change(repo, LIMIT)
    repo.write("blob.c", b"\0" * 30_000)  # binary: nothing to check, not reported
    repo.add()
    for args in (("check",), ("pre-commit", "big.c", "later.sh", "blob.c")):
        res = repo.regime(*args)
        assert res.code == 1, res.text
        assert [x.split(":")[0] for x in findings(res.out, "LIM001")][:1] == ["big.c"], res.out
        assert "blob.c" not in res.out
        where = "" if args == ("check",) else " in an added line"  # check: whole files
        assert findings(res.out, "WS101") == [
            f"later.sh:2:1: WS101 a tab character{where}: indent with spaces"
        ], res.out
    # a plain folder: the file and the infrastructure reader (each reported once)
    folder = tmp_path / "plain"
    shutil.copytree(repo.path, folder, ignore=shutil.ignore_patterns(".git"))
    res = run_regime("check", ".", cwd=folder)
    assert res.code == 1, res.text
    assert [x.split(":")[0] for x in findings(res.out, "LIM001")] == ["big.c", "etc/xen/big.cfg"]
    assert "the file is 19.5 kB (19,500 bytes)" in findings(res.out, "LIM001")[0]


def test_a_push_over_the_server_limit_is_refused_whatever_the_repository_says(
    tmp_path: Path,
) -> None:
    server_policy = tmp_path / "server.yaml"
    server_policy.write_text(LIMIT)
    srv = make_server(tmp_path, install=("--policy", str(server_policy)))
    before = srv.ref("refs/heads/main")
    srv.clone.write(".regime.yaml", "limits: {max_file_size: 1 GB, over_limit: allow}\n")
    srv.clone.write("big.c", BIG)
    srv.clone.write("later.sh", "\tindented\n")
    srv.clone.commit("Add a big file")
    lines = assert_refused(srv.push("origin", "main"))
    lim = [x for x in lines if ": LIM001 " in x]
    assert lim and lim[0].startswith("big.c:0: LIM001 not checked: the file is 19.5 kB")
    assert any(x.startswith("later.sh:1:1: WS101") for x in lines), lines
    assert srv.ref("refs/heads/main") == before

    # a file under the limit whose diff is over it (a rewrite): the splitter, held to
    # the commit's own limit, is what stops reading it
    srv.clone.git("reset", "-q", "--hard", before or "")
    srv.clone.write("mid.c", "".join(f"int old{i:04};\n" for i in range(500)))
    srv.clone.commit("Add mid.c")
    assert_accepted(srv.push("origin", "main"))
    srv.clone.write("mid.c", "".join(f"int new{i:04};\n" for i in range(500)))
    srv.clone.commit("Rewrite mid.c")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(x.startswith("mid.c:0: LIM001 not checked: its part of the diff is") for x in lines)
    before = srv.ref("refs/heads/main")
    srv.clone.git("reset", "-q", "--hard", before or "")
    srv.clone.write(".regime.yaml", "limits: {max_file_size: 1 GB, over_limit: allow}\n")
    srv.clone.write("big.c", BIG)
    srv.clone.write("later.sh", "\tindented\n")
    srv.clone.commit("Add a big file")

    # the server allows it: a warning, and the push goes through
    server_policy.write_text(LIMIT + "  over_limit: allow\n")
    srv.clone.write("later.sh", "indented\n")
    srv.clone.git("commit", "-q", "-a", "--amend", "-m", "Add a big file")
    lines = assert_accepted(srv.push("origin", "main"))
    assert any(x.startswith("big.c:0: LIM001 (warning) not checked") for x in lines), lines
    assert srv.ref("refs/heads/main") == srv.clone.head()


def test_an_svn_commit_over_the_limit(tmp_path: Path) -> None:
    svn = Svn(tmp_path)
    svn.install("--policy", svn.server_policy(LIMIT))
    svn.write("trunk/big.c", BIG)
    svn.write("trunk/later.sh", "\tindented\n")
    svn.write("trunk/etc/xen/a.cfg", GUEST.format(name="a", mac="01"))
    svn.write("trunk/etc/xen/b.cfg", GUEST.format(name="b", mac="01"))
    svn.write("trunk/etc/xen/big.cfg", BIG_GUEST)
    c = svn.block("Add a big file")
    assert c.findings == [
        "trunk/big.c:0: LIM001",
        "trunk/etc/xen/big.cfg:0: LIM001",
        "trunk/later.sh:1:1: WS101",
        "trunk/etc/xen/b.cfg:2:9: XEN101",
    ], c.hook
    assert "its part of the diff is 21.2 kB (21,205 bytes)" in c.hook
    svn.install("--force", "--policy", svn.server_policy(LIMIT + "  over_limit: allow\n"))
    svn.write("trunk/later.sh", "indented\n")
    svn.write("trunk/etc/xen/b.cfg", GUEST.format(name="b", mac="02"))
    svn.accept("Add a big file")


def test_tree_readers_leave_big_files_out_and_stay_in_step(repo: GitRepo, tmp_path: Path) -> None:
    """git cat-file's content of a big blob is read through (the next answers are
    still right); svn's batched read and svnlook cat leave big files out."""
    names = [f"etc/xen/g{i}.cfg" for i in range(12)]
    for i, name in enumerate(names):
        repo.write(name, BIG_GUEST if i in (3, 7) else GUEST.format(name=i, mac=f"{i:02}"))
    repo.commit("guests")
    big: list[tuple[str, int]] = []
    got = dict(GitTree("HEAD", str(repo.path)).read_many(names, 10_000, big))
    assert big == [(names[3], len(BIG_GUEST)), (names[7], len(BIG_GUEST))]
    assert got == {
        n: GUEST.format(name=i, mac=f"{i:02}").encode()
        for i, n in enumerate(names)
        if i not in (3, 7)
    }

    s = Svn(tmp_path / "svn")
    for i, name in enumerate(names):
        s.write(name, BIG_GUEST if i in (3, 7) else GUEST.format(name=i, mac=f"{i:02}"))
    s.accept("guests")
    svnlook = find_svnlook(shutil.which("svnlook"))
    for tree in (SvnTree(Transaction(str(s.repos), "1", svnlook, revision=True)),):
        for wanted in (names, names[2:5]):  # 12: the svn client's batch; 3: svnlook cat
            big = []
            got = dict(tree.read_many(wanted, 10_000, big))
            assert [p for p, _ in big] == [n for n in wanted if n in (names[3], names[7])]
            assert all(size == len(BIG_GUEST) for _, size in big)
            assert sorted(got) == sorted(n for n in wanted if n not in (names[3], names[7]))


# 4. the doors, the time limit


def test_the_time_limit_names_what_was_not_checked(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "limits:\n  max_seconds: 0.000001\n")
    repo.write("a.c", "\tx\n")
    repo.write("b.c", "y\n")
    repo.write("etc/xen/a.cfg", GUEST.format(name="a", mac="01"))
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    lim = findings(res.out, "LIM002")
    assert len(lim) == 1 and not findings(res.out, "WS101"), res.out
    assert lim[0].startswith(".regime.yaml:0: LIM002 the time limit (limits.max_seconds: 1e-06 s)")
    assert "4 files not checked (.regime.yaml, a.c, b.c, etc/xen/a.cfg)" in lim[0]
    assert "the infrastructure checks not run" in lim[0]
    repo.write(".regime.yaml", "limits:\n  max_seconds: 0.000001\n  over_limit: allow\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0 and "LIM002 (warning)" in res.out, res.text


def test_the_time_limit_on_a_push(tmp_path: Path) -> None:
    server_policy = tmp_path / "server.yaml"
    server_policy.write_text("limits:\n  max_seconds: 0.000001\n")
    srv = make_server(tmp_path, install=("--policy", str(server_policy)))
    for i in range(3):
        srv.clone.write(f"f{i}.c", "int x;\n")
        srv.clone.commit(f"Add f{i}")
    lines = assert_refused(srv.push("origin", "main"))
    lim = [x for x in lines if ": LIM002 " in x]
    assert len(lim) == 1 and "3 files not checked (f0.c, f1.c, f2.c)" in lim[0], lines
    assert "the log messages of 3 commits not checked" in lim[0]
    server_policy.write_text("limits:\n  max_seconds: 0.000001\n  over_limit: allow\n")
    assert_accepted(srv.push("origin", "main"))


# 5. memory, measured on a real process


_LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
sys.stderr.write(f"MAXRSS_KIB {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_a_200_mb_line_through_regime_diff_keeps_memory_bounded(tmp_path: Path) -> None:
    """The diff is written into regime's stdin while it reads (never on disk); the
    peak RSS is taken by a small launcher's wait4, so this process's size is not in it."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("limits:\n  max_file_size: 1 MB\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, REGIME, "diff", "--config", str(policy), "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=base_env(), cwd=tmp_path,
    )  # fmt: skip
    assert proc.stdin is not None

    def feed() -> None:
        assert proc.stdin is not None
        proc.stdin.write(b"diff --git a/big.c b/big.c\n--- a/big.c\n+++ b/big.c\n")
        proc.stdin.write(b"@@ -1 +1 @@\n-x\n+")
        block = b"y" * 2**20
        for _ in range(200):
            proc.stdin.write(block)
        proc.stdin.write(b"\t\ndiff --git a/next.c b/next.c\n--- a/next.c\n+++ b/next.c\n")
        proc.stdin.write(b"@@ -1 +1 @@\n-x\n+\tafter\n")
        proc.stdin.close()

    feeder = threading.Thread(target=feed)
    feeder.start()
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()  # regime writes its report at the end: no dead-lock
    err = proc.stderr.read()
    proc.wait()
    feeder.join()
    text = out.decode()
    assert proc.returncode == 1, text + err.decode()
    maxrss = int(err.decode().split("MAXRSS_KIB ")[1].split()[0])
    assert maxrss < 150_000, f"peak RSS {maxrss} KiB"
    assert findings(text, "LIM001")[0].startswith(
        "big.c:0: LIM001 not checked: its part of the diff is 209.7 MB"
    )
    assert findings(text, "WS101") == [
        "next.c:1:1: WS101 a tab character in an added line: indent with spaces"
    ]


def test_svnlook_cat_is_stopped_at_the_limit(tmp_path: Path) -> None:
    """svnlook cat stopped at the limit is killed and waited for, and the file's size
    comes from svnlook filesize."""
    s = Svn(tmp_path)
    s.write("etc/xen/big.cfg", BIG_GUEST)
    s.accept("big guest")
    txn = Transaction(str(s.repos), "1", find_svnlook(shutil.which("svnlook")), revision=True)
    from regime.sources.process import TooBig

    with pytest.raises(TooBig) as caught:
        txn.cat("etc/xen/big.cfg", 1000)
    assert caught.value.size == len(BIG_GUEST)
    assert txn.cat("etc/xen/big.cfg", 10**9) == BIG_GUEST.encode()
    assert txn.cat("etc/xen/none.cfg", 1000) is None


def test_a_file_over_the_limit_is_never_read_whole(tmp_path: Path) -> None:
    """read_regular reads at most its first 8000 bytes of a file over the limit (and
    never more than limit + 1 of one that grows while it is read)."""
    from regime.sources.process import TooBig
    from regime.sources.tree import read_regular

    path = tmp_path / "big.c"
    path.write_bytes(b"x" * 5_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(TooBig) as caught:
            read_regular(str(path), 1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.size == 5_000_000 and caught.value.head == b"x" * 8000
    assert peak < 100_000, peak
    assert read_regular(str(path), 5_000_000) == b"x" * 5_000_000


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_a_file_that_holds_more_than_its_size_says_is_read_on_to_the_limit() -> None:
    """A file that grows while it is read, as /proc shows it: a regular file whose size
    is 0 and which holds more. It is read on past its size, up to the limit (and
    over it, TooBig with the head read)."""
    from regime.sources.process import TooBig
    from regime.sources.tree import read_regular

    status = "/proc/self/status"
    assert os.stat(status).st_size == 0
    whole = read_regular(status, 1 << 20)
    assert whole is not None and whole.startswith(b"Name:") and whole.endswith(b"\n")
    assert read_regular(status) is not None
    with pytest.raises(TooBig) as caught:
        read_regular(status, 10)
    assert caught.value.head.startswith(b"Name:") and len(caught.value.head) == 11


def test_a_finding_on_a_long_line_is_shown_from_around_its_column() -> None:
    """The report walks only the part of a line it shows: the same text and caret as
    walking the whole line (on lines made of everything that shows wider or as a
    glyph), and a line of 50 MB costs no more than a short one."""
    from regime.report import visible

    r = random.Random(7)
    alphabet = ["a", " ", "\t", "\x01", "\udce9", "\u2028", "é", "\x85", "\xa0", "\u3000"]
    for _ in range(200):
        text = "".join(r.choice(alphabet) for _ in range(r.randrange(641, 1400)))
        text += " " * r.choice((0, 0, 1, 100, 300))
        for col in (0, 1, r.randrange(len(text) + 2), len(text) - r.randrange(250), len(text) + 1):
            for unicode_ok in (True, False):
                got = visible._window(text, col, unicode_ok)
                assert got == visible._whole(text, col, unicode_ok), (text, col)
    long = "y" * 50_000_000 + "\t "
    start = time.perf_counter()
    shown, caret = visible.visible(long, 50_000_001)
    assert time.perf_counter() - start < 1.0
    assert shown.endswith("y→·<EOL>…") and shown[caret] == "→"


def test_a_huge_repository_policy_is_pol001_and_never_read_whole(tmp_path: Path) -> None:
    """The server reads at most 64 KiB and a byte of a repository's .regime.yaml."""
    huge = "# " + "x" * 2_000_000 + "\n"
    (tmp_path / "git").mkdir()
    srv = make_server(tmp_path / "git")
    srv.clone.write(".regime.yaml", huge)
    srv.clone.commit("A policy file of 2 MB")
    lines = assert_refused(srv.push("origin", "main"))
    assert any(
        x.startswith(
            "refs/heads/main:.regime.yaml:1:1: POL001 the repository's policy file is not valid: is larger than 64 KiB"
        )
        for x in lines
    ), lines
    from regime.policy.load import MAX_POLICY_BYTES
    from regime.sources import git
    from regime.sources.process import TooBig

    got = git.blob_at("HEAD", ".regime.yaml", str(srv.clone.path), limit=MAX_POLICY_BYTES)
    assert got is not None and len(got) == MAX_POLICY_BYTES + 1
    assert git.blob_at("HEAD", "none", str(srv.clone.path), limit=MAX_POLICY_BYTES) is None
    s = Svn(tmp_path / "svn")
    s.install()
    s.write(".regime.yaml", huge)
    c = s.block("A policy file of 2 MB")
    assert c.findings == [".regime.yaml:1:1: POL001"], c.hook
    assert "is larger than 64 KiB" in c.hook
    s.install("--force", "--policy", s.server_policy("rules: {POL001: {severity: warning}}\n"))
    s.accept("A policy file of 2 MB")
    txn = Transaction(str(s.repos), "1", find_svnlook(shutil.which("svnlook")), revision=True)
    with pytest.raises(TooBig):
        txn.cat(".regime.yaml", MAX_POLICY_BYTES)


def test_inventory_leaves_out_a_config_over_the_limit_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "etc/xen").mkdir(parents=True)
    (tmp_path / "etc/xen/a.cfg").write_text(GUEST.format(name="a", mac="01"))
    (tmp_path / "etc/xen/big.cfg").write_text(BIG_GUEST)
    (tmp_path / ".regime.yaml").write_text(LIMIT)
    res = run_regime("inventory", ".", "--format", "json", cwd=tmp_path)
    assert res.code == 0, res.text
    doc = json.loads(res.out)
    assert [v["config"] for v in doc["vifs"]] == ["etc/xen/a.cfg"]
    assert doc["unreadable"][0].startswith("etc/xen/big.cfg:0:0: LIM001 not checked: the file is")


def test_the_time_limit_on_an_svn_commit(tmp_path: Path) -> None:
    """svnlook diff is still read to its end (every changed file must be seen in it,
    or the hook fails closed): the commit is refused by LIM002, not by an error."""
    svn = Svn(tmp_path)
    svn.install("--policy", svn.server_policy("limits:\n  max_seconds: 0.000001\n"))
    svn.write("trunk/a.c", "\tint x;\n")
    svn.write("trunk/b.c", "int y;\n")
    c = svn.block("Two files")
    assert c.findings == ["trunk/a.c:0: LIM002"], c.hook
    assert "2 files not checked (trunk/a.c, trunk/b.c)" in c.hook
    assert "the log message of 1 commit not checked" in c.hook


def test_a_file_the_walk_listed_is_opened_without_a_look_first_but_only_read_if_regular(
    tmp_path: Path,
) -> None:
    """read_regular(listed=True), for the names walk() has just found as regular files,
    opens without an lstat first; a path swapped since (for a link, a FIFO, nothing)
    still reads as nothing: the open follows no link and does not block, and the fstat
    after it turns away anything but a regular file."""
    from regime.sources.process import TooBig
    from regime.sources.tree import read_regular

    plain = tmp_path / "a.cfg"
    plain.write_bytes(b"name = 'a'\n")
    assert read_regular(str(plain), 100, listed=True) == b"name = 'a'\n"
    link = tmp_path / "link.cfg"
    link.symlink_to(plain)
    assert read_regular(str(link), 100, listed=True) is None
    fifo = tmp_path / "fifo.cfg"
    os.mkfifo(fifo)
    assert read_regular(str(fifo), 100, listed=True) is None  # and no wait for a writer
    assert read_regular(str(tmp_path / "gone.cfg"), 100, listed=True) is None
    empty = tmp_path / "empty.cfg"
    empty.write_bytes(b"")
    assert read_regular(str(empty), 100, listed=True) == b""
    with pytest.raises(TooBig):
        read_regular(str(plain), 5, listed=True)
