"""The fast paths of the diff reader agree with the slow ones on every input.

Three shortcuts make a big diff cheap, and each is compared here with the authority
it stands in for, over generated diffs that sit on and around the edges (git, svnlook
and plain headers, CRLF, ``\\ No newline``, empty context lines, added lines that
look like headers, wrong hunk counts, garbage between hunks, truncation, commit
records), cut into blocks at random places:

- the block splitter (runs of hunk lines per regex match) against the line-by-line
  splitter it replaced (tests/reference_split.py), svn chunks with lone CRs (svn ends
  a line there) included;
- a plain chunk read lazily (header lines only, unidiff when a check asks) against
  the same chunk read at once;
- the added lines picked out of the raw runs (``ChangedFile.lines_where``) against
  unidiff's reading of every line: the same lines, numbers, texts and line ends as
  those of unidiff's lines that the patterns match; the byte screens of the
  whitespace check against its line rules (no line that holds a tab or trailing
  space is ever left out); and the findings of the check both ways, identical.
"""

from __future__ import annotations

import dataclasses
import random
import re
import sys

import pytest
import reference_split
from conftest import added_hunks

from regime.changeset import AddedLine, ChangedFile
from regime.checks.whitespace import (
    _NOT_TRAILING,
    TAB,
    TRAILING_AT_EOL,
    UNICODE_SPACES,
    _is_trailing_space,
    check_file,
)
from regime.diff.chunks import to_changed_file
from regime.diff.split import Chunk, CommitRecord, split
from regime.policy.model import default_policy

TEXTS = [
    "x", "int a;", "a ", "a\t", "\tb", "++ c", "-- d", "diff --git a/q b/q", "@@ -1 +1 @@",
    "Index: z", "é", "a\xa0", "a\u3000", "a\u2028", "a\x85", "a\x0c", "a\r", "", " ",
    "+++ b/x", "--- a/x", "\\ x", "日本", "a\u2009", "#", "a\x1c",
]  # fmt: skip
NAMES = ["a.c", "dir x/b.conf", "é.py", "c/d.sh", "-rf.c"]


def _line_bytes(r: random.Random) -> bytes:
    if r.random() < 0.05:
        return bytes([r.randrange(128, 256)]) + b"\xff "[: r.randrange(3)]
    return r.choice(TEXTS).encode("utf-8", "surrogateescape")


def _hunk(r: random.Random, corrupt: bool, lone_cr: bool = False) -> list[bytes]:
    """A hunk; ``lone_cr``: as svn writes one, some lines ended by a lone CR and
    counted as lines (so that a line of the stream holds several, glued to the next
    hunk's header or to svnlook's empty line after the file)."""
    context, removed, added = r.randrange(3), r.randrange(4), r.randrange(5)
    kinds = [" "] * context + ["-"] * removed + ["+"] * added
    r.shuffle(kinds)
    old, new = context + removed, context + added
    if corrupt and r.random() < 0.5:
        if r.random() < 0.5:
            old = max(0, old + r.choice((-1, 1)))
        else:
            new = max(0, new + r.choice((-1, 1)))
    out = [f"@@ -{r.randrange(1, 50)},{old} +{r.randrange(1, 50)},{new} @@ f()\n".encode()]
    for kind in kinds:
        eol = b"\r\n" if r.random() < 0.2 else b"\n"
        if lone_cr and r.random() < 0.4:
            eol = b"\r"
        if kind == " " and r.random() < 0.1:
            out.append(eol)  # an empty context line, its space stripped
        else:
            out.append(kind.encode() + _line_bytes(r) + eol)
    if kinds and r.random() < 0.1:
        out.append(b"\\ No newline at end of file\n")
    return out


def _file(r: random.Random, corrupt: bool) -> list[bytes]:
    name = r.choice(NAMES).encode()
    kind = r.choice(("git", "git", "svn", "plain"))
    if kind == "git":
        head = [b"diff --git a/" + name + b" b/" + name + b"\n"]
        if r.random() < 0.2:
            head.append(b"new file mode 100644\n")
        head.append(b"index 1111111..2222222 100644\n")
        if r.random() < 0.1:
            return [*head, b"Binary files a/" + name + b" and b/" + name + b" differ\n"]
        head += [b"--- a/" + name + b"\n", b"+++ b/" + name + b"\n"]
    elif kind == "svn":
        head = [b"Modified: " + name + b"\n", b"=" * 67 + b"\n"]
        head += [b"--- " + name + b"\t(rev 1)\n", b"+++ " + name + b"\t(txn 1-1)\n"]
    else:
        # plain: diff -u, GNU diff -ruN (its command line, a/ b/ prefixes), hg
        command = r.choice((b"", b"", b"diff -ruN a/" + name + b" b/" + name + b"\n"))
        command = command or r.choice((b"", b"diff -r 0123456789ab " + name + b"\n"))
        prefixed = b"/" in command or r.random() < 0.3
        old, new = (b"a/" + name, b"b/" + name) if prefixed else (name, name)
        head = ([command] if command else []) + [b"--- " + old + b"\n", b"+++ " + new + b"\n"]
    if corrupt and r.random() < 0.2:
        head.insert(r.randrange(1, len(head)), b"--- stray\n")
    body: list[bytes] = []
    lone_cr = kind == "svn" and r.random() < 0.3
    for _ in range(r.randrange(4)):
        body += _hunk(r, corrupt, lone_cr)
        if corrupt and r.random() < 0.2:
            body.append(r.choice((b"garbage\n", b"Binary files x and y differ\n", b"\n")))
        if corrupt and r.random() < 0.1:
            body.append(r.choice((b"@@ -a +b @@\n", b"@@ -1 +1\n", b"@@@ -1 -1 +1 @@@\n")))
    if kind == "svn":
        body.append(b"\n")  # svnlook's blank line after a file
    if r.random() < 0.1:  # GNU diff -r: lines of no file, or a binary file, between files
        body.append(r.choice((b"Only in a: " + name + b"\n", b"Only in b/sub: x\n")))
    elif r.random() < 0.1:
        body.append(b"Binary files a/" + name + b".bin and b/" + name + b".bin differ\n")
    if kind != "svn" and r.random() < 0.1:  # a patch saved with CRLF line ends throughout
        return [x.replace(b"\n", b"\r\n") for x in head + body]
    return head + body


def generated_diff(r: random.Random) -> bytes:
    corrupt = r.random() < 0.3
    parts: list[bytes] = []
    if r.random() < 0.2:
        parts.append(b"From: someone\n\n")  # a mail preamble
    for _ in range(r.randrange(1, 5)):
        if r.random() < 0.15:
            parts.append(b"\x00" + b"1" * 40 + b" " + b"2" * 40 + b"\nSubject\n\nbody\n\x00\n")
        parts += _file(r, corrupt)
    data = b"".join(parts)
    if corrupt and r.random() < 0.3:
        data = data[: r.randrange(len(data) + 1)]
    return data


def cut(data: bytes, r: random.Random) -> list[bytes]:
    """The stream in blocks as a pipe might hand them out (or as lines, or whole)."""
    how = r.random()
    if how < 0.1:
        return [data]
    if how < 0.2:
        return data.splitlines(keepends=True) if b"\r" not in data else [data]
    blocks, pos = [], 0
    while pos < len(data):
        size = r.choice((1, 2, 3, 7, 16, 64, 500))
        blocks.append(data[pos : pos + size])
        pos += size
    return blocks


def _shape(
    item: Chunk | CommitRecord | reference_split.Chunk | reference_split.CommitRecord,
) -> tuple:  # type: ignore[type-arg]
    if isinstance(item, (CommitRecord, reference_split.CommitRecord)):
        return ("commit", item.sha, item.parents, item.message)
    raw = b"".join(item.pieces) if isinstance(item, Chunk) else b"".join(item.lines)
    return (item.kind, raw, item.first_line, item.problem, item.problem_line, item.hunks)


def _reference_lines(data: bytes) -> list[bytes]:
    return [line + b"\n" for line in data.split(b"\n")[:-1]] + (
        [data.rsplit(b"\n", 1)[-1]] if not data.endswith(b"\n") and data else []
    )


@pytest.mark.parametrize("seed", range(6))
def test_block_splitter_agrees_with_the_line_by_line_splitter(seed: int) -> None:
    r = random.Random(seed)
    problems = lone_cr = 0
    for _ in range(1500):
        data = generated_diff(r)
        expected = [_shape(x) for x in reference_split.split(_reference_lines(data))]
        items = list(split(cut(data, r)))
        assert [_shape(x) for x in items] == expected, data
        problems += sum(1 for x in expected if len(x) > 4 and x[3] is not None)
        lone_cr += sum(1 for x in items if isinstance(x, Chunk) and x.lone_cr and not x.problem)
    assert problems > 100  # the corrupt diffs did reach the error paths
    assert lone_cr > 50  # and svn's lines ended by a lone CR were read


def _view(changed: ChangedFile) -> tuple:  # type: ignore[type-arg]
    return (
        changed.path, changed.status, changed.binary, changed.old_path,
        changed.problem, changed.problem_line, list(changed.lines()),
    )  # fmt: skip


def _holds_finding(lines: list[AddedLine]) -> bool:
    return any("\t" in x.text or (x.text != "" and _is_trailing_space(x.text[-1])) for x in lines)


def _raw(line: AddedLine) -> bytes:
    return b"+" + line.text.encode("utf-8", "surrogateescape") + line.eol.encode()


SCREENS = [TAB, TRAILING_AT_EOL]
PATTERN_SETS = [SCREENS, [TAB], [TRAILING_AT_EOL], [re.compile(b"a")], [re.compile(b"\\+\\+")], []]


@pytest.mark.parametrize("seed", range(6))
def test_lazy_chunks_and_the_raw_runs_agree_with_reading_at_once(seed: int) -> None:
    r = random.Random(100 + seed)
    policy = default_policy()
    lazy_files = screened_clean = screened_dirty = findings = 0
    for _ in range(1500):
        for chunk in split(cut(generated_diff(r), r)):
            if isinstance(chunk, CommitRecord):
                continue
            eager = to_changed_file(dataclasses.replace(chunk, plain=False))
            lazy = to_changed_file(chunk)
            if lazy is None:
                assert eager is None
                continue
            assert eager is not None and not eager.added.diff
            lazy_files += lazy.added.diff
            runs = lazy.added.data if lazy.added.diff else None
            lazy.path = eager.path = "f.c"  # a name the whitespace rules check
            got = list(check_file(lazy, policy))
            assert got == list(check_file(eager, policy))
            findings += len(got)
            assert _view(lazy) == _view(eager)
            assert lazy.added_content() == eager.added_content()
            if runs is None:
                continue
            every = list(eager.lines())
            for patterns in PATTERN_SETS:
                expected = [x for x in every if any(p.search(_raw(x)) for p in patterns)]
                assert list(lazy.lines_where(patterns)) == expected, (runs, patterns)
            picked = list(lazy.lines_where(SCREENS))
            assert not _holds_finding([x for x in every if x not in picked]), runs
            if picked:
                screened_dirty += 1
            else:
                screened_clean += 1
    assert lazy_files > 1000 and screened_clean > 300 and screened_dirty > 300 and findings > 300


@pytest.mark.parametrize(
    ("added", "holds", "screened"),
    [
        (b"+a\n", False, False), (b"+a\r\n", False, False), (b"+\n+\r\n", False, False),
        (b"+\xc3\xa9\n", False, False), (b"+a\xe2\x80\xa8\n", False, False),
        # not space, but ending in a byte a space character can end in: a full read
        (b"+a\xc2\x85\r\n", False, True), (b"+\xa0\n", False, True),
        (b"+a \n", True, True), (b"+a \r\n", True, True), (b"+a\r\r\n", True, True),
        (b"+\t\n", True, True), (b"+a\xc2\xa0\n", True, True), (b"+a\x0c\n", True, True),
        (b"+a\xe3\x80\x80\r\n", True, True), (b"+x\n+a\x0b\n+y\n", True, True),
    ],
)  # fmt: skip
def test_byte_screen_edges(added: bytes, holds: bool, screened: bool) -> None:
    decoded = added.decode("utf-8", "surrogateescape").split("\n")[:-1]
    lines = [AddedLine(1, x[1:].removesuffix("\r"), "\n") for x in decoded]
    assert _holds_finding(lines) == holds
    changed = ChangedFile("f.c", added=added_hunks([(1, added)]))
    assert bool(list(changed.lines_where(SCREENS))) == screened


def test_lines_where_numbers_the_lines_of_each_run() -> None:
    changed = ChangedFile(
        "f.c", added=added_hunks([(3, b"+a\n+b \n+c\n+\td\r\n"), (20, b"+e\n+f\t\n")])
    )
    assert list(changed.lines_where(SCREENS)) == [
        AddedLine(4, "b ", "\n"), AddedLine(6, "\td", "\r\n"), AddedLine(21, "f\t", "\n"),
    ]  # fmt: skip


def test_unicode_spaces_are_every_character_python_calls_space() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert every == UNICODE_SPACES
    assert set(UNICODE_SPACES) >= _NOT_TRAILING
