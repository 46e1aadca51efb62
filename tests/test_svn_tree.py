"""The whole tree of an svn transaction, as the infrastructure checks read it.

Unchanged files are read in batches with the svn client (one ``svnlook cat`` per file
would take a minute for 10,000 guest configs); these tests hold the batched reading
to what ``svnlook cat`` prints, for every kind of file that could make the two differ,
and show that the hook falls back to svnlook when the client is not there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import base_env, run_regime

from regime.sources.process import ProducerError
from regime.sources.svn import Transaction, find_svnlook, svn_env
from regime.sources.svn_client import find_svn, read_files
from regime.sources.trees import SvnTree

ODD_NAMES = [
    "etc/xen/with space.cfg",
    "etc/xen/gäst-ü.cfg",
    "etc/xen/at@sign.cfg",
    "etc/xen/per%20cent.cfg",
    "etc/xen/-leading-dash.cfg",
]


def sh(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(args, cwd=cwd, env=base_env(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc


def make_repo(tmp_path: Path) -> tuple[Path, Path]:
    repos, wc = tmp_path / "repo", tmp_path / "wc"
    sh("svnadmin", "create", str(repos), cwd=tmp_path)
    sh("svn", "checkout", "-q", repos.as_uri(), str(wc), cwd=tmp_path)
    xen = wc / "etc/xen"
    xen.mkdir(parents=True)
    for i in range(20):
        (xen / f"g{i:02}.cfg").write_text(
            f"name = 'g{i}'\nvif = [ 'mac=00:16:3e:00:01:{i:02x},ip=10.1.0.{i + 1}' ]\n"
        )
    for name in ODD_NAMES:
        (wc / name).write_bytes(b"# odd name\n")
    (xen / "crlf.cfg").write_bytes(b"a = 1\nb = 2\n")
    (xen / "native.cfg").write_bytes(b"a = 1\n")
    (xen / "keywords.cfg").write_bytes(b"# $Id$ $Revision$\nname = 'kw'\n")
    (xen / "latin1.cfg").write_bytes(b"# caf\xe9\nname = 'l1'\n")
    (xen / "binary.cfg").write_bytes(bytes(range(256)) * 4)
    (xen / "empty.cfg").write_bytes(b"")
    os.symlink("g00.cfg", xen / "link.cfg")
    sh("svn", "add", "-q", "etc", cwd=wc)
    sh("svn", "propset", "-q", "svn:eol-style", "CRLF", "etc/xen/crlf.cfg", cwd=wc)
    sh("svn", "propset", "-q", "svn:eol-style", "native", "etc/xen/native.cfg", cwd=wc)
    sh("svn", "propset", "-q", "svn:keywords", "Id Revision", "etc/xen/keywords.cfg", cwd=wc)
    sh("svn", "commit", "-q", "-m", "guests", cwd=wc)
    return repos, wc


def test_batched_reading_gives_what_svnlook_cat_gives(tmp_path: Path) -> None:
    repos, _ = make_repo(tmp_path)
    svnlook = find_svnlook(shutil.which("svnlook"))
    svn = find_svn(svnlook)
    assert svn is not None
    txn = Transaction(str(repos), "1", svnlook, revision=True)
    paths = sorted(txn.tree_ids())
    assert len(paths) == 20 + len(ODD_NAMES) + 7
    batched = dict(read_files(svn, str(repos), "1", paths, svn_env()))
    for path in paths:
        assert batched[path] == txn.cat(path), path
    # keywords stay unexpanded, CRLF stays CRLF, undecodable bytes stay as they are
    assert batched["etc/xen/keywords.cfg"].startswith(b"# $Id$ $Revision$\n")
    assert batched["etc/xen/crlf.cfg"] == b"a = 1\r\nb = 2\r\n"
    assert b"caf\xe9" in batched["etc/xen/latin1.cfg"]


def test_a_path_missing_from_the_revision_is_an_error_not_a_guess(tmp_path: Path) -> None:
    repos, _ = make_repo(tmp_path)
    svn = find_svn(find_svnlook(shutil.which("svnlook")))
    assert svn is not None
    with pytest.raises(ProducerError, match="svn list failed"):
        list(read_files(svn, str(repos), "1", ["etc/xen/g00.cfg", "nope.cfg"], svn_env()))


def test_svn_tree_reads_changed_files_from_the_transaction(tmp_path: Path) -> None:
    """Read as of an older revision: the files changed since then come from svnlook."""
    repos, wc = make_repo(tmp_path)
    (wc / "etc/xen/g03.cfg").write_text("name = 'g3-new'\n")
    sh("svn", "commit", "-q", "-m", "change g3", cwd=wc)
    svnlook = find_svnlook(shutil.which("svnlook"))
    old = SvnTree(Transaction(str(repos), "1", svnlook, revision=True))
    files = dict(old.read_many(old.paths()))
    assert files["etc/xen/g03.cfg"].startswith(b"name = 'g3'\n")
    assert files["etc/xen/g04.cfg"].startswith(b"name = 'g4'\n")
    new = SvnTree(Transaction(str(repos), "2", svnlook, revision=True))
    assert dict(new.read_many(["etc/xen/g03.cfg"]))["etc/xen/g03.cfg"] == b"name = 'g3-new'\n"


@pytest.mark.parametrize("with_svn_client", [True, False])
def test_hook_finds_a_mac_reused_from_an_unchanged_config(
    tmp_path: Path, with_svn_client: bool
) -> None:
    """Through the real hook: the new guest reuses the MAC of one of 20 committed ones,
    read in a batch; without the svn client next to svnlook, read one by one."""
    repos, wc = make_repo(tmp_path)
    args = ["install", "svn", str(repos)]
    if not with_svn_client:
        # a folder holding svnlook alone, as on a server with only the svnlook binary
        tools = tmp_path / "tools"
        tools.mkdir()
        os.symlink(shutil.which("svnlook") or "", tools / "svnlook")
        args += ["--svnlook", str(tools / "svnlook")]
    assert run_regime(*args, cwd=tmp_path).code == 0
    (wc / "etc/xen/new guest.cfg").write_text(
        "name = 'new'\nvif = [ 'mac=00:16:3E:00:01:11,ip=10.1.0.200' ]\n"
    )
    sh("svn", "add", "-q", "etc/xen/new guest.cfg", cwd=wc)
    proc = subprocess.run(
        ["svn", "commit", "-m", "Add a guest"], cwd=wc, env=base_env(), capture_output=True
    )
    err = proc.stderr.decode()
    assert proc.returncode != 0, err
    assert (
        "etc/xen/new guest.cfg:2:9: XEN101 MAC 00:16:3e:00:01:11 (vif 0 of guest 'new') is "
        "also used by vif 0 of guest 'g17' at etc/xen/g17.cfg:2"
    ) in err


def test_unchanged_files_are_read_in_batches_not_one_svnlook_each(tmp_path: Path) -> None:
    """svnlook wrapped by a script that logs each call: of 32 files, only the one the
    newer revision changed is read with `svnlook cat`."""
    repos, wc = make_repo(tmp_path)
    (wc / "etc/xen/g05.cfg").write_text("name = 'g5-new'\n")
    sh("svn", "commit", "-q", "-m", "change g5", cwd=wc)
    tools, log = tmp_path / "tools", tmp_path / "svnlook.log"
    tools.mkdir()
    real = shutil.which("svnlook")
    (tools / "svnlook").write_text(f'#!/bin/sh\necho "$1" >> {log}\nexec {real} "$@"\n')
    (tools / "svnlook").chmod(0o755)
    os.symlink(shutil.which("svn") or "", tools / "svn")
    tree = SvnTree(Transaction(str(repos), "1", str(tools / "svnlook"), revision=True))
    files = dict(tree.read_many(tree.paths()))
    assert len(files) == 32
    assert files["etc/xen/g05.cfg"].startswith(b"name = 'g5'\n")
    assert log.read_text().split().count("cat") == 1


def test_a_file_added_whole_is_taken_from_the_diff_exactly_as_svnlook_cat_gives_it(
    tmp_path: Path,
) -> None:
    from regime.diff.reader import changed_files

    repos, wc = make_repo(tmp_path)
    added = {
        "etc/xen/new-plain.cfg": b"name = 'n'\n+plus at start\n-minus\n\n",
        "etc/xen/new-no-eol.cfg": b"name = 'e'\nlast",
        "etc/xen/new-crlf-bytes.cfg": b"a\r\nb\r\n",
        "etc/xen/new-lone-cr.cfg": b"a\rb\nc\r",
        "etc/xen/new-latin1.cfg": b"caf\xe9 \n\xff\n",
        "etc/xen/new-keywords.cfg": b"# $Id$\n",
        "etc/xen/new-empty.cfg": b"",
        "etc/xen/new eol-style.cfg": b"x = 1\ny = 2\n",
        "etc/xen/new-diff-like.cfg": b"--- a\n+++ b\n@@ -1 +1 @@\n\\ No newline\n",
    }
    for name, data in added.items():
        (wc / name).write_bytes(data)
    sh("svn", "add", "-q", *added, cwd=wc)
    sh("svn", "propset", "-q", "svn:eol-style", "native", "etc/xen/new eol-style.cfg", cwd=wc)
    sh("svn", "propset", "-q", "svn:keywords", "Id", "etc/xen/new-keywords.cfg", cwd=wc)
    (wc / "etc/xen/g00.cfg").write_bytes(b"changed\n")  # modified: not whole in the diff
    sh("svn", "commit", "-q", "-m", "add", cwd=wc)
    txn = Transaction(str(repos), "2", find_svnlook(shutil.which("svnlook")), revision=True)
    changes = txn.changes()
    assert changes.added == frozenset(added)
    with txn.diff() as stream:
        files = {f.path: f for f in changed_files(stream)}
    # what the door hands over: every file, the one with lone CRs too (svn ends a line
    # at a lone CR, and svnlook's empty line after the file follows the last one)
    whole = {n for n in added if files[n].problem is None and not files[n].binary}
    assert whole == set(added)
    for name in whole:
        assert files[name].added_content() == txn.cat(name), name
    tree = SvnTree(txn, lambda path: True)
    for name in whole:
        tree.keep(name, files[name].added_content())
    assert dict(tree.read_many(sorted(added))) == {name: txn.cat(name) for name in added}


def test_reading_ahead_gives_what_svnlook_cat_gives_and_leaves_out_what_the_diff_brings(
    tmp_path: Path,
) -> None:
    repos, wc = make_repo(tmp_path)
    (wc / "etc/xen/g01.cfg").write_bytes(b"name = 'changed'\n")
    (wc / "etc/xen/brand-new.cfg").write_bytes(b"name = 'new'\n")
    sh("svn", "add", "-q", "etc/xen/brand-new.cfg", cwd=wc)
    sh("svn", "commit", "-q", "-m", "change", cwd=wc)
    svnlook = find_svnlook(shutil.which("svnlook"))
    txn = Transaction(str(repos), "2", svnlook, revision=True)
    wanted = [p for p in txn.tree_ids() if p.startswith("etc/xen/")]
    tree = SvnTree(txn, lambda path: path.startswith("etc/xen/"))
    tree.read_ahead(frozenset({"etc/xen/brand-new.cfg"}), None)
    tree.paths()  # waits for the reading ahead
    assert "etc/xen/g01.cfg" in tree._kept and "etc/xen/brand-new.cfg" not in tree._kept
    got = dict(tree.read_many(wanted))
    assert got == {p: txn.cat(p) for p in wanted}
    assert got["etc/xen/g01.cfg"] == b"name = 'changed'\n"


def test_a_failure_while_reading_ahead_is_raised_where_the_files_are_read(
    tmp_path: Path,
) -> None:
    repos, _ = make_repo(tmp_path)
    txn = Transaction(str(repos), "1", str(tmp_path / "no-svnlook-here"), revision=True)
    tree = SvnTree(txn, lambda path: True)
    tree.read_ahead(frozenset(), None)
    with pytest.raises(ProducerError, match="cannot run"):
        tree.paths()
