"""A diff stream as change sets: one for a plain diff, one per commit for
``git diff-tree --stdin`` output."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from regime.changeset import ChangedFile, ChangeSet
from regime.diff.chunks import to_changed_file
from regime.diff.scan import scan
from regime.diff.split import CommitRecord


@dataclass(slots=True)
class Seen:
    """What a diff given by a user held, for saying plainly that it held no diff at
    all (garbage, a coloured diff) instead of passing it as a change of 0 files."""

    chunks: int = 0  # file chunks (property blocks and `Only in` lines too)
    text: bool = False  # a byte that is not white space
    colour: bool = False  # a terminal escape sequence (git diff --color)

    def watch(self, blocks: Iterable[bytes]) -> Iterator[bytes]:
        for block in blocks:
            if not self.text and block.strip():
                self.text = True
            if not self.colour and b"\x1b[" in block:
                self.colour = True
            yield block


def changed_files(
    blocks: Iterable[bytes],
    only: Callable[[str], bool] | None = None,
    limit: int | None = None,
    seen: Seen | None = None,
) -> Iterator[ChangedFile]:
    """Every changed file of a diff (its bytes in blocks cut anywhere, or lines), one
    at a time (commit records are skipped); with ``only``, just the files whose path
    it accepts. A file whose part of the diff is larger than ``limit`` bytes (the
    policy's limits.max_file_size) comes with ``too_big`` and no lines. ``seen``
    counts the chunks and watches the bytes."""
    for item in scan(seen.watch(blocks) if seen is not None else blocks, limit):
        if isinstance(item, CommitRecord):
            continue
        if seen is not None:
            seen.chunks += 1
        changed = to_changed_file(item)
        if changed is not None and (only is None or only(changed.path)):
            yield changed


class _Records:
    """A one-item push-back over the split stream, shared by the per-commit views."""

    def __init__(self, blocks: Iterable[bytes], limit_for: Callable[[str], int] | None) -> None:
        self._limit_for = limit_for
        self._limit = 1 << 62
        self._it = scan(blocks, lambda: self._limit)
        self._back: CommitRecord | None = None

    def next_commit(self) -> CommitRecord | None:
        rec: CommitRecord | None = self._back
        if rec is not None:
            self._back = None
        else:
            rec = next((x for x in self._it if isinstance(x, CommitRecord)), None)
        if rec is not None and self._limit_for is not None:
            # the splitter asks at each chunk's start: the files of this commit
            self._limit = self._limit_for(rec.sha)
        return rec

    def files(self) -> Iterator[ChangedFile]:
        for item in self._it:
            if isinstance(item, CommitRecord):
                self._back = item
                return
            changed = to_changed_file(item)
            if changed is not None:
                yield changed


def commits(
    blocks: Iterable[bytes], limit_for: Callable[[str], int] | None = None
) -> Iterator[tuple[CommitRecord, ChangeSet]]:
    """One change set per commit record, each streaming its own files.

    The files of a commit must be consumed before asking for the next commit
    (the checks do exactly that); anything left over is skipped. ``limit_for``
    gives the size limit of a commit's files (its policy's limits.max_file_size).
    """
    records = _Records(blocks, limit_for)
    while True:
        rec = records.next_commit()
        if rec is None:
            return
        files = records.files()
        yield rec, ChangeSet(files=files, message=rec.message)
        for _ in files:  # drain what the consumer did not read
            pass
