"""Faults at every door, beyond tests/test_fail_closed.py: svnlook missing, killed or
printing garbage through a real `svn commit`; git killed or printing garbage under a
real push of many commits; a policy file that is a folder, a dangling symlink,
unreadable or a FIFO; the disk full where temporary files would go.

Each must block with a message naming what went wrong (exit 3, or 2 for the policy
file), never pass. Faults are injected with wrapper scripts standing in for svnlook
(named at install time, as an admin would) or git (REGIME_GIT), which run the real
program and then break: kill it, cut it, or print something else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import REGIME, GitRepo, Result, base_env
from test_git_pre_receive import Server, assert_accepted, assert_refused, make_server, remote
from test_svn_door import Commit, Svn

GIT = shutil.which("git") or "/usr/bin/git"
SVNLOOK = "/usr/bin/svnlook"
INTERNAL = "the change was NOT checked, so it is blocked"
# Run as root without the capabilities that let root read any file, so a file with
# mode 000 is really unreadable (as for any other user).
NO_DAC = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
)


def script(path: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def run(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Result:
    """A real process that may not hang (a FIFO policy must not make regime wait)."""
    proc = subprocess.run(
        list(argv), cwd=cwd, env=base_env(env), capture_output=True, check=False, timeout=60,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "backslashreplace"),
        proc.stderr.decode("utf-8", "backslashreplace"),
    )


def svn_commit(s: Svn, message: str, prefix: Sequence[str] = ()) -> Commit:
    """`svn commit` of everything new, optionally under a prefix (setpriv, unshare)."""
    s.svn("add", "-q", "--force", ".")
    res = run(
        [*prefix, "svn", "--non-interactive", "--config-dir", str(s.config), "commit",
         "-m", message, str(s.wc)],
        cwd=s.root,
    )  # fmt: skip
    return Commit(res.code, res.out, res.err)


# 1. svnlook: missing, killed mid-stream, printing garbage


@pytest.fixture
def svn(tmp_path: Path) -> Svn:
    s = Svn(tmp_path)
    (s.wc / "trunk").mkdir()
    s.accept("Create trunk")
    return s


def install_svnlook(s: Svn, body: str) -> Path:
    """A stand-in svnlook (the hook runs with no PATH: absolute paths only)."""
    path = s.root / "bin" / "svnlook"
    path.parent.mkdir(exist_ok=True)
    script(path, body)
    s.install("--svnlook", str(path), "--force")
    return path


def blocked_internal(s: Svn, message: str = "Add files") -> list[str]:
    c = s.block(message, exit_code=3)
    assert c.lines[0].startswith("regime: internal error: could not read the change: "), c.hook
    assert INTERNAL in c.lines[1], c.hook
    return c.lines


def test_svnlook_missing(svn: Svn) -> None:
    stand_in = install_svnlook(svn, f'exec {SVNLOOK} "$@"\n')
    stand_in.unlink()
    svn.write("trunk/a.c", "int a;\n")
    lines = blocked_internal(svn)
    assert lines[0].endswith(f"svnlook not found or not executable at {stand_in}")


def test_svnlook_killed_mid_stream(svn: Svn) -> None:
    install_svnlook(
        svn,
        f'if [ "$1" = diff ]; then {SVNLOOK} "$@" | /usr/bin/head -c 300; kill -9 $$; fi\n'
        f'exec {SVNLOOK} "$@"\n',
    )
    svn.write("trunk/a.c", "".join(f"int a{i};\n" for i in range(100)))
    svn.write("trunk/b.c", "\tint b;\n")
    lines = blocked_internal(svn)
    assert (
        "svnlook diff --no-diff-deleted --ignore-properties ...` failed (killed by signal 9)"
        in (lines[0])
    )


@pytest.mark.parametrize(
    ("command", "output", "expected"),
    [
        ("diff", r"Segmentation fault\n", "`svnlook diff` did not show trunk/a.c and 1 more"),
        ("diff", r"\377\376\0\1 binary noise\n", "`svnlook diff` did not show trunk/a.c and 1 more"),
        ("changed", r"svnlook: warning: something\n", "svnlook changed printed a line it never"),
        ("changed", r"A   trunk/a.c", "svnlook's output stops in the middle of a line"),
    ],
)  # fmt: skip
def test_svnlook_printing_garbage_with_exit_status_0(
    svn: Svn, command: str, output: str, expected: str
) -> None:
    install_svnlook(
        svn,
        f'if [ "$1" = {command} ]; then printf \'{output}\'; exit 0; fi\nexec {SVNLOOK} "$@"\n',
    )
    svn.write("trunk/a.c", "\tint a;\n")
    svn.write("trunk/b.c", "int b;\n")
    lines = blocked_internal(svn)
    assert expected in lines[0]


def test_svnlook_diff_cut_short_with_exit_status_0(svn: Svn) -> None:
    """The first file's diff ends inside a hunk, the second is not there at all."""
    install_svnlook(
        svn,
        f'if [ "$1" = diff ]; then {SVNLOOK} "$@" | /usr/bin/head -c 400; exit 0; fi\n'
        f'exec {SVNLOOK} "$@"\n',
    )
    svn.write("trunk/a.c", "".join(f"int a{i};\n" for i in range(100)))
    svn.write("trunk/b.c", "\tint b;\n")
    lines = blocked_internal(svn)
    assert "`svnlook diff` did not show trunk/b.c, which the transaction changes" in lines[0]


def test_svnlook_tree_printing_garbage(svn: Svn) -> None:
    """The whole tree is listed only when the change touches a guest config."""
    install_svnlook(
        svn,
        f'if [ "$1" = tree ]; then printf \'not a tree\\n\'; exit 0; fi\nexec {SVNLOOK} "$@"\n',
    )
    svn.write("etc/xen/web.cfg", "name = 'web'\n")
    lines = blocked_internal(svn)
    assert "svnlook tree printed a line it never prints: 'not a tree'" in lines[0]


def test_svnlook_that_prints_nothing_and_succeeds(svn: Svn) -> None:
    """`/bin/true` as svnlook: no diff, no files, and an empty log message, which is
    refused (LOG101) whatever the committer wrote."""
    svn.install("--svnlook", "/bin/true", "--force")
    svn.write("trunk/a.c", "\tint a;\n")
    c = svn.block("A real message")
    assert c.findings == ["svn:log:1: LOG101"]


def test_copies_and_property_changes_are_not_taken_for_garbage(svn: Svn) -> None:
    """What `svnlook diff` rightly leaves out (a plain copy, a property change, a
    deletion, a folder) never makes the check of svnlook's output refuse a commit."""
    svn.write("trunk/old.c", "int a;\n")
    svn.write("trunk/gone.c", "int g;\n")
    svn.write("trunk/bin.dat", b"\x00\x01")
    svn.accept("Base")
    svn.install()
    svn.svn("cp", "-q", "trunk/old.c", "trunk/copy.c")
    svn.svn("cp", "-q", "trunk", "branch")
    svn.svn("propset", "-q", "p", "v", "trunk/old.c")
    svn.svn("rm", "-q", "trunk/gone.c")
    svn.write("trunk/bin.dat", b"\x00\x02")
    svn.write("trunk/empty.c", "")
    (svn.wc / "trunk" / "folder").mkdir()
    svn.accept("Copies, a property, a deletion, a binary, an empty file and a folder")


# 2. git under a push: killed mid-stream, printing garbage, cut short

COMMITS = 40


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Server:
    """A server and a clone with COMMITS new commits on main (made in one fast-import)
    not pushed yet. Every push of them below is refused, and a refused push leaves
    the server as it was, so the tests share it."""
    srv = make_server(tmp_path_factory.mktemp("many"))
    stream = []
    for i in range(COMMITS):
        body = "".join(f"int v{i}_{j};\n" for j in range(20)).encode()
        message = f"Add f{i:02}.c\n".encode()
        stream += [
            b"commit refs/heads/main\n",
            b"committer Ada Admin <ada@example.org> 1700000000 +0000\n",
            b"data %d\n%s" % (len(message), message),
            b"from refs/heads/main^0\n" if i == 0 else b"",
            b"M 100644 inline f%02d.c\ndata %d\n%s\n" % (i, len(body), body),
        ]
    srv.clone.git("fast-import", "--quiet", stdin=b"".join(stream))
    return srv


def push_with_git(srv: Server, tmp_path: Path, body: str) -> list[str]:
    fake = script(tmp_path / "fake-git", f"GIT={GIT}\n" + body)
    before = srv.ref("refs/heads/main")
    res = srv.push("origin", "main", env={"REGIME_GIT": fake})
    assert res.code != 0, res.text
    lines = remote(res)
    assert srv.ref("refs/heads/main") == before
    assert lines[0].startswith("regime: internal error: could not read the change: "), lines
    assert INTERNAL in lines[1]
    return lines


def test_git_killed_mid_stream_during_a_push_of_many_commits(many: Server, tmp_path: Path) -> None:
    lines = push_with_git(
        many,
        tmp_path,
        'case "$*" in *diff-tree*--stdin*) "$GIT" "$@" | head -c 3000; kill -9 $$ ;;\n'
        '*) exec "$GIT" "$@" ;;\nesac\n',
    )
    assert lines[0].endswith("...` failed (killed by signal 9)"), lines[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("printf 'fatal: something went wrong\\n'; exit 0",
         f"git diff-tree did not show commit {{first}} and {COMMITS - 1} more: 0 of {COMMITS}"),
        ('"$GIT" "$@" | head -c 3000; exit 0', "commits were read, so the rest were not checked"),
        # the old tip (HEAD of the bare repository) instead of the commits asked for
        ('"$GIT" rev-parse HEAD | "$GIT" "$@"', "git diff-tree answered with commit"),
    ],
)  # fmt: skip
def test_git_printing_garbage_during_a_push(
    many: Server, tmp_path: Path, body: str, expected: str
) -> None:
    first = many.clone.git("rev-list", "--reverse", "origin/main..main").split()[0]
    assert len(many.clone.git("rev-list", "origin/main..main").split()) == COMMITS
    lines = push_with_git(
        many,
        tmp_path,
        f'case "$*" in *diff-tree*--stdin*) {body} ;;\n*) exec "$GIT" "$@" ;;\nesac\n',
    )
    assert expected.format(first=first) in lines[0], lines[0]


# 3. the policy file: a folder, a dangling symlink, unreadable, a FIFO

KINDS = ["folder", "dangling", "unreadable", "fifo"]


def bad_policy(path: Path, kind: str) -> str:
    """Make PATH a policy file of this kind; return what regime must say about it."""
    if kind == "folder":
        path.mkdir()
        return f"{path}:1:1: is a directory, not a policy file"
    if kind == "dangling":
        target = path.parent / "no-such-policy.yaml"
        path.symlink_to(target)
        return (
            f"{path}:1:1: is a symbolic link to {target}, which cannot be read (No such file "
            "or directory): point it at the policy file or remove it"
        )
    if kind == "unreadable":
        path.write_text("version: 1\n")
        path.chmod(0)
        return f"{path}:1:1: cannot read the policy file: Permission denied"
    os.mkfifo(path)
    return f"{path}:1:1: is a FIFO (named pipe), not a policy file: give a regular file"


WRONG = "regime: the policy file is wrong; nothing was checked."


@pytest.mark.parametrize("kind", KINDS)
def test_policy_file_at_every_door_of_a_work_tree(repo: GitRepo, tmp_path: Path, kind: str) -> None:
    """--config at every door run in a clone or CI, and the repository's own
    .regime.yaml where a door looks for it."""
    repo.write("a.c", "int a;\n")
    base = repo.commit("Base")
    repo.write("a.c", "int a;\nint b;\n")
    repo.commit("Add b")
    repo.write("a.c", "int a;\nint b;\nint c;\n")
    repo.add()
    (tmp_path / "msg").write_text("Add c\n")
    (tmp_path / "change.diff").write_text(repo.git("diff", "--cached"))
    policy = tmp_path / "policy.yaml"
    said = bad_policy(policy, kind)
    doors = [
        ["staged"],
        ["commit-msg", str(tmp_path / "msg")],
        ["diff", str(tmp_path / "change.diff")],
        ["check"],
        ["check", "--from", base],
        ["pre-commit", "a.c"],
        ["pre-commit", "--only", "infra"],
        ["inventory"],
    ]
    for door in doors:
        res = run([*NO_DAC, REGIME, *door, "--config", str(policy)], cwd=repo.path)
        assert (res.code, res.out, res.err) == (2, "", f"{said}\n{WRONG}\n"), door
    for kind_of_hook in ("git-server", "svn"):
        res = run(
            [*NO_DAC, REGIME, "install", kind_of_hook, str(tmp_path / "x"), "--policy", str(policy)],
            cwd=tmp_path,
        )  # fmt: skip
        assert (res.code, res.err) == (2, f"{said}\n{WRONG}\n"), kind_of_hook
    # the repository's own .regime.yaml, found at the root
    found = repo.path / ".regime.yaml"
    said = bad_policy(found, kind)
    for door in (["staged"], ["commit-msg", str(tmp_path / "msg")], ["check"]):
        res = run([*NO_DAC, REGIME, *door], cwd=repo.path)
        assert (res.code, res.out, res.err) == (2, "", f"{said}\n{WRONG}\n"), door


@pytest.mark.parametrize("kind", KINDS)
def test_server_policy_of_a_push(tmp_path: Path, kind: str) -> None:
    policy = tmp_path / "server.yaml"
    policy.write_text("version: 1\n")
    srv = make_server(tmp_path, install=["--policy", str(policy)])
    policy.unlink()
    said = bad_policy(policy, kind)
    srv.clone.write("a.c", "int a;\n")
    srv.clone.commit("Add a.c")
    before = srv.ref("refs/heads/main")
    res = run([*NO_DAC, "git", "push", "origin", "main"], cwd=srv.clone.path)
    assert res.code != 0 and "(pre-receive hook declined)" in res.err, res.text
    assert remote(res) == [said, WRONG]
    assert srv.ref("refs/heads/main") == before


@pytest.mark.parametrize("kind", KINDS)
def test_server_policy_of_an_svn_commit(svn: Svn, kind: str) -> None:
    policy = svn.root / "server.yaml"
    policy.write_text("version: 1\n")
    svn.install("--policy", str(policy), "--force")
    policy.unlink()
    said = bad_policy(policy, kind)
    svn.write("trunk/a.c", "int a;\n")
    c = svn_commit(svn, "Add a.c", NO_DAC)
    assert c.code == 1
    assert "Commit blocked by pre-commit hook (exit code 2) with output:" in c.err
    assert c.lines == [said, WRONG]
    assert svn.youngest() == 1


def test_pushed_policy_that_is_a_symlink_is_never_followed(tmp_path: Path) -> None:
    """A .regime.yaml committed as a symlink (to /etc/passwd): git stores the link's
    target, which is not a policy: POL001, and /etc/passwd is never read."""
    srv = make_server(tmp_path)
    (srv.clone.path / ".regime.yaml").symlink_to("/etc/passwd")
    srv.clone.write("a.c", "int a;\n")
    srv.clone.commit("A policy that is a link")
    lines = assert_refused(srv.push("origin", "main"))
    text = "\n".join(lines)
    assert "refs/heads/main:.regime.yaml:1:1: POL001 the repository's policy file is not valid" in (
        text
    )
    assert "root:" not in text


# 4. the disk full where temporary files go

# The checkout (regime's code and its .venv) and the test's folder WORK are brought
# back after /tmp and /var/tmp are hidden: either may live under /tmp (a clone in
# /tmp, pytest's own folders), and the disk is full only where temporary files go.
# /tmp itself must be full, not some folder TMPDIR names: svnlook (APR) and Python
# fall back to /tmp, /var/tmp and the current folder when TMPDIR has no room.
CHECKOUT = Path(__file__).resolve().parents[1]

FILL = """
set -e
exec 3<"$WORK" 4<"$CHECKOUT"   # about to be hidden if they are under /tmp
for dir in /tmp /var/tmp; do
  mount -t tmpfs -o size=64k,mode=1777 regime-full "$dir"
done
mkdir -p "$CHECKOUT" "$WORK"
mount --no-canonicalize --bind /proc/self/fd/4 "$CHECKOUT"
mkdir -p "$WORK"
mount --no-canonicalize --bind /proc/self/fd/3 "$WORK"
exec 3<&- 4<&-
for dir in /tmp /var/tmp; do
  if head -c 1048576 /dev/zero > "$dir/fill" 2>/dev/null; then
    echo "$dir is not full" >&2; exit 99
  fi
done
cd /tmp                        # the last place svnlook and Python look for room
export TMPDIR=/tmp
"""


def in_full_disk(work: Path, command: str, prefix: str = "") -> Result:
    """COMMAND in a private mount namespace where /tmp and /var/tmp are full tmpfs
    (so is the current folder), and the test's folder WORK and the checkout are
    reachable as before, wherever they are."""
    return run(
        ["unshare", "--mount", "sh", "-c", prefix + FILL + command],
        cwd=work,
        env={"WORK": str(work), "CHECKOUT": str(CHECKOUT)},
    )


def test_push_with_no_room_for_temporary_files(tmp_path: Path) -> None:
    """The git doors write no temporary file: a push is judged as usual."""
    srv = make_server(tmp_path)
    srv.clone.write("a.c", "\tint a;\n")
    srv.clone.commit("Add a.c")
    push = f"cd {srv.clone.path} && git push origin main"
    res = in_full_disk(tmp_path, push)
    lines = assert_refused(res)
    assert "a.c:1:1: WS101 a tab character in an added line: indent with spaces" in lines
    srv.clone.write("a.c", "    int a;\n")
    srv.clone.git("commit", "-q", "-a", "--amend", "-m", "Add a.c")
    res = in_full_disk(tmp_path, push)
    assert assert_accepted(res) == ["regime: no problems in 1 file in 1 commit."]


def test_push_with_tmpdir_missing_or_read_only(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write("a.c", "\tint a;\n")
    srv.clone.commit("Add a.c")
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o555)
    for tmpdir in (str(tmp_path / "missing"), str(read_only)):
        res = run([*NO_DAC, "git", "push", "origin", "main"], cwd=srv.clone.path,
                  env={"TMPDIR": tmpdir})  # fmt: skip
        assert "a.c:1:1: WS101 a tab character in an added line: indent with spaces" in (
            assert_refused(res)
        )


def test_svn_commit_with_no_room_for_temporary_files(svn: Svn) -> None:
    """`svnlook diff` needs temporary files: with none to be had it fails, and the
    commit is blocked saying so."""
    svn.install()
    svn.write("trunk/a.c", "int a;\n")
    c = svn_commit_in_full_disk(svn, "Add a.c")
    assert "Commit blocked by pre-commit hook (exit code 3) with output:" in c.err, c.err
    assert c.lines[0].startswith(
        "regime: internal error: could not read the change: `/usr/bin/svnlook diff "
        "--no-diff-deleted --ignore-properties ...` failed (exit status 1): svnlook: "
    ), c.err
    # svnlook's own words, then regime's
    assert "svnlook: E020014: Can't find a temporary directory" in c.hook
    assert (
        "svnlook diff needs room for temporary files and found none (TMPDIR, /tmp, /var/tmp, "
        "/usr/tmp and the hook's current folder: No usable temporary directory found in "
        "['/tmp', '/var/tmp', '/usr/tmp', '/tmp']): free some space there\n"
    ) in c.hook
    assert c.lines[-1].startswith(f"regime: {INTERNAL}")
    assert svn.youngest() == 1


GUESTS = 12


def test_svn_tree_read_with_no_room_for_svn_configuration(svn: Svn) -> None:
    """A copy of guest configs needs no diff, but the tree after it is read; regime's
    one temporary folder (svn's configuration, to read many files in one go) cannot
    be made, so it reads them with svnlook instead, and finds every reused MAC."""
    for i in range(GUESTS):
        svn.write(f"etc/xen/g{i:02}.cfg", f"name = 'g{i}'\nvif = ['mac=00:16:3e:00:01:{i:02x}']\n")
    svn.accept("Guests")
    svn.install()
    svn.svn("cp", "-q", "etc/xen/g00.cfg", "etc/xen/copy.cfg")
    c = svn_commit_in_full_disk(svn, "Copy a guest")
    assert "Commit blocked by pre-commit hook (exit code 1) with output:" in c.err, c.err
    assert c.findings == ["etc/xen/copy.cfg:1:1: XEN112", "etc/xen/copy.cfg:2:8: XEN101"], c.hook
    assert "is also used by etc/xen/g00.cfg:1" in c.hook
    assert svn.youngest() == 2


def svn_commit_in_full_disk(s: Svn, message: str) -> Commit:
    s.svn("add", "-q", "--force", ".")
    res = in_full_disk(
        s.root,
        f"exec svn --non-interactive --config-dir {s.config} commit -m '{message}' {s.wc}",
    )
    return Commit(res.code, res.out, res.err)
