"""The infrastructure checks read the tree in a thread while the diff streams, when the
door knows early which files the change touches: the findings are those of reading
it afterwards, a failure of that reading still fails the run, and a change that
touches no infrastructure file never starts it.

The staged door takes this path in every infrastructure test through ``regime
staged`` (tests/test_infra_doors.py, tests/test_xen_rules.py); here the engine is
held to it directly, over the same trees read both ways.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import GitRepo

from regime.changeset import Added, AddedLine, ChangedFile, ChangeSet
from regime.engine import Outcome, check_changeset
from regime.policy.model import default_policy
from regime.sources.process import ProducerError
from regime.sources.trees import FsTree

GUESTS = {
    "etc/xen/web.cfg": "name = 'web'\nvif = [ 'mac=00:16:3e:00:00:01,ip=192.0.2.10' ]\n",
    "etc/xen/db.cfg": "name = 'db'\nvif = [ 'mac=00:16:3e:00:00:01,ip=192.0.2.10' ]\n",
    "etc/xen/old-a.cfg": "name = 'a'\nvif = [ 'mac=00:16:3e:00:00:09' ]\n",
    "etc/xen/old-b.cfg": "name = 'b'\nvif = [ 'mac=00:16:3e:00:00:09' ]\n",
    "etc/iproute2/rt_tables": "100 uplink\n100 dmz\n",
    "bin/up.sh": "ip route add default via 192.0.2.1 table nowhere\n",
}


def _tree(root: Path) -> FsTree:
    for name, text in GUESTS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return FsTree(str(root))


def _run(tree: FsTree, early: bool) -> Outcome:
    changed = ChangedFile("etc/xen/db.cfg", added=Added.of_lines([AddedLine(2, "vif = [ ... ]")]))
    touched = frozenset({"etc/xen/db.cfg"}) if early else None
    outcome = Outcome()
    changeset = ChangeSet(files=iter([changed]), tree=tree, touched_early=touched)
    check_changeset(changeset, default_policy(), outcome)
    return outcome


def test_reading_early_finds_what_reading_afterwards_finds(tmp_path: Path) -> None:
    late = _run(_tree(tmp_path), early=False)
    early = _run(_tree(tmp_path), early=True)
    assert early.findings == late.findings
    codes = sorted((f.code, f.path, f.blocking) for f in late.findings)
    assert ("XEN101", "etc/xen/db.cfg", True) in codes  # touched: blocks
    assert ("XEN101", "etc/xen/old-b.cfg", False) in codes  # between untouched files
    assert {"RT101", "RT105"} <= {c for c, _, _ in codes}


class _FailingTree:
    """A tree whose reading fails, as git cat-file dying would make it."""

    def __init__(self) -> None:
        self.read_in: list[str] = []

    def paths(self) -> list[str]:
        return ["etc/xen/db.cfg"]

    def read_many(
        self,
        paths: Sequence[str],
        limit: int | None = None,
        too_big: list[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        self.read_in.append(threading.current_thread().name)
        raise ProducerError("git cat-file --batch failed (killed by signal 9)")
        yield  # a generator, as the real ones are

    def link_paths(self) -> list[str]:
        return []  # a listing: what a change with no infrastructure file may ask

    def link(self, path: str) -> str | None:
        return None


def test_a_failure_of_the_early_reading_fails_the_run() -> None:
    tree = _FailingTree()
    changeset = ChangeSet(
        files=iter([ChangedFile("etc/xen/db.cfg")]),
        tree=tree,  # type: ignore[arg-type]
        touched_early=frozenset({"etc/xen/db.cfg"}),
    )
    with pytest.raises(ProducerError, match="killed by signal 9"):
        check_changeset(changeset, default_policy(), Outcome())
    assert tree.read_in == ["regime-infra"]  # it was read in the thread


def test_a_change_without_infrastructure_files_never_reads_the_tree() -> None:
    tree = _FailingTree()
    changeset = ChangeSet(
        files=iter([ChangedFile("README.md")]),
        tree=tree,  # type: ignore[arg-type]
        touched_early=frozenset({"README.md"}),
    )
    outcome = Outcome()
    check_changeset(changeset, default_policy(), outcome)
    assert tree.read_in == [] and outcome.findings == []


def test_regime_staged_reads_early_and_blocks_a_reused_mac(repo: GitRepo) -> None:
    repo.write("etc/xen/web.cfg", GUESTS["etc/xen/web.cfg"])
    repo.commit()
    repo.write("etc/xen/db.cfg", GUESTS["etc/xen/db.cfg"])
    repo.add("etc/xen/db.cfg")
    res = repo.regime("staged")
    assert res.code == 1
    assert "etc/xen/db.cfg:2:9: XEN101" in res.out and "etc/xen/web.cfg:2" in res.out
