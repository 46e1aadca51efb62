"""The scanner of git's streams (regime/diff/scan.py) against the splitter
(regime/diff/split.py), which reads any diff by following its hunk counts: on
generated streams shaped as git writes them (files of every kind, commit records
between them), with and without corruption, cut into blocks of every size, and under
a size limit, both give the same chunks, field for field, and the same changed files.
A test that only compared clean streams could not see a fast path that trusts a
lying hunk count, so a third of the streams lie somewhere."""

from __future__ import annotations

import dataclasses
import random

import pytest
from test_diff_fast_paths import _hunk, _view, cut

from regime.diff.chunks import to_changed_file
from regime.diff.scan import scan
from regime.diff.split import Chunk, CommitRecord, split

NAMES = [b"a.c", b"dir x/b.conf", b"\xc3\xa9.py", b"c/d.sh", b"-rf.c"]


def _record(r: random.Random) -> bytes:
    message = r.choice((b"Subject\n\nbody\n", b"no newline", b"diff --git a/x b/x\n@@ -1 +1 @@\n"))
    tail = r.choice((b"\n", b"\n\n", b"", b"junk\n"))
    return b"\x00" + b"1" * 40 + b" " + b"2" * 40 + b"\n" + message + b"\x00" + tail


def _git_file(r: random.Random, corrupt: bool) -> bytes:
    name = r.choice(NAMES)
    head = [b"diff --git a/" + name + b" b/" + name + b"\n"]
    shape = r.random()
    if shape < 0.1:
        head += [b"old mode 100644\n", b"new mode 100755\n"]
        return b"".join(head)  # a mode change alone: no hunks
    if shape < 0.2:
        head += [b"similarity index 100%\n", b"rename from x\n", b"rename to " + name + b"\n"]
        return b"".join(head)
    if shape < 0.25:
        head += [b"index 1111111..2222222 100644\n"]
        return b"".join([*head, b"Binary files a/" + name + b" and b/" + name + b" differ\n"])
    if shape < 0.35:
        head.append(b"new file mode 100644\n")
    head.append(b"index 1111111..2222222 100644\n")
    if corrupt and r.random() < 0.1:
        head.insert(1, r.choice((b"--- stray\n", b"Index: x\n", b"garbage\n")))
    head += [b"--- a/" + name + b"\n", b"+++ b/" + name + b"\n"]
    body: list[bytes] = []
    for _ in range(r.randrange(1, 4)):
        hunk = _hunk(r, corrupt)
        if not corrupt:
            # as git writes it: no empty context line, no CR-only line end
            hunk = [x if x not in (b"\n", b"\r\n") else b" \n" for x in hunk]
        body += hunk
        if corrupt and r.random() < 0.1:
            body.append(r.choice((b"garbage\n", b"\n", b"@@ -a +b @@\n", b"+++ b/z\n")))
    return b"".join(head + body)


def git_stream(r: random.Random) -> bytes:
    corrupt = r.random() < 0.35
    parts = []
    for _ in range(r.randrange(1, 6)):
        if r.random() < 0.25:
            parts.append(_record(r))
        parts.append(_git_file(r, corrupt))
    if corrupt and r.random() < 0.2:
        parts.insert(r.randrange(len(parts) + 1), b"--- x\n+++ y\n@@ -1 +1 @@\n-a\n+b\n")
    data = b"".join(parts)
    if corrupt and r.random() < 0.3:
        data = data[: r.randrange(len(data) + 1)]
    return data


def _fields(item: Chunk | CommitRecord) -> tuple:  # type: ignore[type-arg]
    if isinstance(item, CommitRecord):
        return ("commit", item.sha, item.parents, item.message)
    return (
        item.kind, b"".join(item.pieces), item.pieces[: item.head], item.first_line,
        item.problem, item.problem_line, item.hunks, item.head, item.plain, item.trailer,
        item.too_big, item.limit, item.lone_cr,
    )  # fmt: skip


def read_both_ways(data: bytes, r: random.Random) -> list[tuple[Chunk, Chunk]]:
    """The stream read by the scanner and by the splitter (each cut into its own random
    blocks, under the same random size limit): the same items, field by field, and the
    same changed files; the pairs of chunks, for what a test counts of them."""
    limit = r.choice((None, None, None, 40, 200, 5000))
    expected = list(split(cut(data, r), limit))
    got = list(scan(cut(data, r), limit))
    assert [_fields(x) for x in got] == [_fields(x) for x in expected], (data, limit)
    pairs = []
    for a, b in zip(got, expected, strict=True):
        if isinstance(a, Chunk) and isinstance(b, Chunk):
            one, other = to_changed_file(a), to_changed_file(b)
            assert (one and _view(one)) == (other and _view(other)), data
            pairs.append((a, b))
    return pairs


def _scanned(chunk: Chunk) -> bool:
    """Whether the scanner made the chunk itself: its hunks in one piece (the splitter
    keeps a piece a run), then svnlook's empty lines."""
    return chunk.hunks > 0 and len(chunk.pieces) == chunk.head + 1 + chunk.trailer


@pytest.mark.parametrize("seed", range(5))
def test_the_scanner_reads_every_git_stream_as_the_splitter_does(seed: int) -> None:
    r = random.Random(7000 + seed)
    fast = problems = 0
    for _ in range(1500):
        for a, _b in read_both_ways(git_stream(r), r):
            fast += _scanned(a)
            problems += a.problem is not None
    assert fast > 1000 and problems > 200, (fast, problems)


def test_a_stream_that_does_not_start_like_git_s_is_the_splitter_s() -> None:
    data = b"From: someone\n\n" + b"".join(_git_file(random.Random(1), False) for _ in range(3))
    assert [_fields(x) for x in scan([data])] == [_fields(x) for x in split([data])]


def test_a_lying_hunk_count_is_found_as_the_splitter_finds_it() -> None:
    # totals that add up over the file, but not hunk by hunk: the splitter's DIFF001
    stream = (
        b"diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n"
        b"@@ -1,1 +1,1 @@\n-a\n+b\n+c\n@@ -5,1 +6,2 @@\n-d\n+e\n"
    )
    (chunk,) = list(scan([stream]))
    assert isinstance(chunk, Chunk) and chunk.problem is not None
    assert _fields(chunk) == _fields(next(iter(split([stream]))))


def test_a_file_over_the_limit_is_the_splitter_s_with_its_size() -> None:
    big = b"diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -0,0 +1,3 @@\n" + b"+x\t\n" * 3
    stream = big + b"diff --git a/g.c b/g.c\n--- a/g.c\n+++ b/g.c\n@@ -1 +1 @@\n-a\n+b \n"
    got = list(scan([stream], 30))
    assert [_fields(x) for x in got] == [_fields(x) for x in split([stream], 30)]
    assert isinstance(got[0], Chunk) and got[0].too_big == len(big)


def test_every_hunk_line_kind_keeps_its_numbers() -> None:
    # context lines count on the new side, removed lines do not
    stream = (
        b"diff --git a/f.c b/f.c\nindex 1..2 100644\n--- a/f.c\n+++ b/f.c\n"
        b"@@ -10,4 +10,4 @@ int f()\n a\n-b\n+b\t\n c\n-d\n+d \n"
    )
    (chunk,) = list(scan([stream]))
    assert isinstance(chunk, Chunk) and len(chunk.pieces) == chunk.head + 1
    changed = to_changed_file(chunk)
    assert changed is not None
    assert [(x.number, x.text) for x in changed.lines()] == [(11, "b\t"), (13, "d ")]
    slow = to_changed_file(dataclasses.replace(chunk, plain=False))
    assert slow is not None and list(slow.lines()) == list(changed.lines())


HEADER_NAMES = [
    b"a.c", b"dir x/b.conf", b"\xc3\xa9t\xc3\xa9.c", b"\xff.c", b"x b/y.c", b"t\tab.c",
    b'"q\\303\\251.c"', b"-rf.c",
]  # fmt: skip


def _header(r: random.Random) -> list[bytes]:
    old, new = r.choice(HEADER_NAMES), r.choice(HEADER_NAMES)
    if r.random() < 0.7:
        new = old
    lines = [b"diff --git a/" + old + b" b/" + new + b"\n"]
    kind = r.choice((b"", b"", b"new file mode 100644\n", b"deleted file mode 100755\n",
                     b"new file mode 120000\n", b"old mode 100644\nnew mode 100755\n"))  # fmt: skip
    lines += [kind] if kind else []
    lines.append(b"index " + r.choice((b"0000000", b"1234abc")) + b"..9abcdef"
                 + r.choice((b"", b" 100644", b" 160000")) + b"\n")  # fmt: skip
    if r.random() < 0.8:
        minus = r.choice((b"--- a/" + old, b"--- /dev/null", b"--- a/" + old + b"\t"))
        plus = r.choice((b"+++ b/" + new, b"+++ /dev/null", b"+++ b/other.c"))
        lines += [minus + b"\n", plus + b"\n"]
    if r.random() < 0.05:
        lines.insert(1, b"similarity index 90%\n")
    return lines


def test_the_usual_git_header_reads_as_the_general_reading_does() -> None:
    from regime.diff.chunks import _git_header, usual_git_header
    from regime.diff.names import decode

    r = random.Random(11)
    usual = 0
    for _ in range(5000):
        head = _header(r)
        fast = usual_git_header(head)
        if fast is None:
            continue
        usual += 1
        assert fast == _git_header([decode(x) for x in head]), head
    assert usual > 400


def _svn_file(r: random.Random, corrupt: bool) -> bytes:
    name = r.choice(NAMES)
    word = r.choice((b"Modified", b"Added", b"Index", b"Copied", b"Deleted"))
    head = [word + b": " + name + b"\n", b"=" * 67 + b"\n"]
    if r.random() < 0.05:
        return b"".join([*head, b"(Binary files differ)\n", b"\n"])
    if r.random() < 0.05:
        prop = [b"Property changes on: " + name + b"\n", b"_" * 67 + b"\n", b"Added: p\n"]
        return b"".join([*prop, b"## -0,0 +1 ##\n", b"+++ v\n", b"\n"])
    head += [b"--- " + name + b"\t(rev 1)\n", b"+++ " + name + b"\t(txn 1-1)\n"]
    body: list[bytes] = []
    lone_cr = r.random() < 0.2
    for _ in range(r.randrange(1, 4)):
        hunk = _hunk(r, corrupt, lone_cr)
        if not corrupt:
            hunk = [x if x not in (b"\n", b"\r\n") else b" \n" for x in hunk]
        body += hunk
    body.append(r.choice((b"\n", b"\n", b"\n", b"", b"\n\n", b"\r\n")))  # svnlook's empty line
    if corrupt and r.random() < 0.1:
        body.insert(r.randrange(len(body) + 1), r.choice((b"garbage\n", b"\x00x\n")))
    return b"".join(head + body)


@pytest.mark.parametrize("seed", range(4))
def test_the_scanner_reads_every_svnlook_stream_as_the_splitter_does(seed: int) -> None:
    r = random.Random(9000 + seed)
    fast = problems = lone = 0
    for _ in range(1500):
        corrupt = r.random() < 0.35
        data = b"".join(_svn_file(r, corrupt) for _ in range(r.randrange(1, 6)))
        if corrupt and r.random() < 0.3:
            data = data[: r.randrange(len(data) + 1)]
        for a, _b in read_both_ways(data, r):
            fast += _scanned(a)
            problems += a.problem is not None
            lone += a.lone_cr
    assert fast > 600 and problems > 200 and lone > 100, (fast, problems, lone)


def test_hunks_without_labels_are_a_problem_whichever_reader_reads_the_header() -> None:
    stream = b"diff --git a/f.c b/f.c\nindex 1111111..2222222 100644\n@@ -1 +1 @@\n-a\n+b\t\n"
    (chunk,) = [x for x in split([stream]) if isinstance(x, Chunk)]
    changed = to_changed_file(chunk)
    assert changed is not None and changed.problem == "hunks without a ---/+++ file header"
