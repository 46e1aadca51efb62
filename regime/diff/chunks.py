"""Turn one file chunk of a diff into a ChangedFile holding the lines it adds.

A plain chunk (see split.Chunk: nothing but ``+``, ``-`` and space lines in hunks
the splitter has counted) hands its hunks on as the bytes they are (``Added.hunks``,
regime/added.py): a check that looks for a few bad lines finds them there with one
regex pass, so a huge change is never parsed line by line; unidiff is the reference
that reading is tested against on every generated diff
(``tests/test_diff_fast_paths.py``). A chunk that is not plain is read by unidiff at
once, and one unidiff cannot read becomes a ChangedFile with a
``problem`` instead of an exception, so one odd file never hides the findings of
the others. Combined diffs of merges (``diff --cc``), which unidiff does not read,
keep only the lines the merge itself introduced (a ``+`` in every parent column).
"""

from __future__ import annotations

import re
from dataclasses import replace

from regime.changeset import Added, AddedLine, ChangedFile, FileStatus
from regime.diff.names import (
    binary_names,
    decode,
    guess_prefixes,
    plain_names,
    split_git_header,
    strip_prefix,
    svn_label_name,
    unquote,
)
from regime.diff.split import Chunk, split_lines
from regime.diff.svn_lines import SvnNumbering, svn_added, svn_split_lines

_SVN_HEADER = re.compile(r"^(Index|Modified|Added|Deleted|Copied|Replaced): (.*)$")
_SVN_COPY = re.compile(r"^(.*?) \(from rev \d+, .*\)$")
_SVN_STATUS = {
    "Modified": FileStatus.MODIFIED,
    "Added": FileStatus.ADDED,
    "Deleted": FileStatus.DELETED,
    "Copied": FileStatus.COPIED,
    "Replaced": FileStatus.ADDED,
    "Index": FileStatus.MODIFIED,
}


class UnreadableHunks(Exception):
    """unidiff could not read the hunks of one file."""


def to_changed_file(chunk: Chunk) -> ChangedFile | None:
    """The ChangedFile of a chunk, or None for chunks that change no file content
    (svn property blocks)."""
    if chunk.kind in ("svnprop", "note"):
        return None
    if _crlf_patch(chunk):
        chunk = _as_lf(chunk)
    if chunk.too_big:
        return _too_big(chunk)
    if (
        chunk.kind == "git"
        and chunk.problem is None
        and chunk.plain
        and (not chunk.hunks or _unified_head(chunk))  # hunks without labels: DIFF001 below
    ):
        changed = usual_git_header(chunk.pieces[: chunk.head])
        if changed is not None:
            if chunk.hunks and changed.status is not FileStatus.DELETED:
                changed.added = Added.hunks(b"".join(chunk.pieces[chunk.head :]))
            return changed
    lazy = chunk.problem is None and chunk.hunks > 0 and chunk.plain and _unified_head(chunk)
    text = [decode(x) for x in (chunk.pieces[: chunk.head] if lazy else chunk.lines())]
    changed = _from_header(chunk, text)
    if chunk.problem is not None:
        changed.problem = chunk.problem
        changed.problem_line = chunk.problem_line
        return changed
    if changed.binary or changed.status is FileStatus.DELETED or chunk.kind == "combined":
        return changed
    if lazy:
        changed.added = Added.hunks(b"".join(chunk.pieces[chunk.head :]))
    elif chunk.lone_cr:
        lines, segments = _svn_lone_cr(chunk)
        changed.added = Added.of_lines(lines)
        # the whole file, not only from the top: a line may go on below the hunk
        if not (_shown_whole(chunk) and chunk.pieces[chunk.head].startswith(b"@@ -0,0 ")):
            changed.numbering = SvnNumbering(lambda: segments, always=True)
        return changed
    elif chunk.hunks:
        start = next((i for i, x in enumerate(text) if x.startswith("--- ")), None)
        if start is None:
            changed.problem = "hunks without a ---/+++ file header"
            changed.problem_line = chunk.first_line
            return changed
        try:
            changed.added = Added.of_lines(unidiff_added(text[start:]))
        except UnreadableHunks as exc:
            changed.problem = str(exc)
            changed.problem_line = chunk.first_line
    if chunk.kind == "svn" and chunk.hunks and not _shown_whole(chunk) and changed.problem is None:
        # svn's numbers count the lone CRs above the hunks: the file says how many
        changed.numbering = SvnNumbering(changed.added.line_numbers)
    return changed


def _crlf_patch(chunk: Chunk) -> bool:
    """Whether the chunk's own header lines end in CRLF: a patch saved by a mail client
    or an editor on Windows, every line of which got a CR (git, svn and diff write
    their headers with LF, whatever the files' line ends)."""
    head = chunk.pieces[: chunk.head]
    return bool(head) and head[0].endswith(b"\r\n") and all(x.endswith(b"\r\n") for x in head)


def _as_lf(chunk: Chunk) -> Chunk:
    """The chunk as GNU patch reads a CRLF patch ("Stripping trailing CRs from
    patch"): one CR before each line's LF is the patch's, not the file's, so the
    names lose it and the added lines are the file's lines with LF ends (a line that
    ended in CR CR LF keeps one CR: it is a CRLF line of the file)."""

    def lf(data: bytes) -> bytes:
        return data.replace(b"\r\n", b"\n")

    return replace(chunk, pieces=[lf(x) for x in chunk.pieces])


_FROM_THE_TOP = re.compile(rb"@@ -\d+(?:,\d+)? \+(?:1|0,0)[ ,]")


def _shown_whole(chunk: Chunk) -> bool:
    """Whether the diff shows the file from its first line on (one hunk from the
    top: an added file, a small one): then no lone CR above a hunk goes unseen, and
    the numbers made from the diff are the file's."""
    return chunk.hunks == 1 and _FROM_THE_TOP.match(chunk.pieces[chunk.head]) is not None


def _svn_lone_cr(chunk: Chunk) -> tuple[list[AddedLine], list[int]]:
    """The added lines of an svn chunk with a lone CR, read in svn's lines."""
    hunks = b"".join(chunk.pieces[chunk.head :])
    if not chunk.trailer and hunks.endswith(b"\r\n"):
        hunks = hunks[:-1]  # svnlook's empty line after the file, after a lone CR
    return svn_added(svn_split_lines(hunks))


def _too_big(chunk: Chunk) -> ChangedFile:
    """A chunk over the size limit: its header says which file it is and whether
    there is anything to check (a deletion, a binary file: no); its hunks are gone."""
    changed = _from_header(
        chunk, [decode(x) for x in split_lines(b"".join(chunk.pieces[: chunk.head]))]
    )
    if chunk.problem is not None:
        changed.problem = chunk.problem
        changed.problem_line = chunk.problem_line
    elif not changed.binary and changed.status is not FileStatus.DELETED:
        changed.too_big = (chunk.too_big, chunk.limit)
    return changed


def _from_header(chunk: Chunk, text: list[str]) -> ChangedFile:
    """The file a chunk's header (and, for a merge, its lines) describes."""
    if chunk.kind == "combined":
        return _combined(text)
    if chunk.kind == "svn":
        return _svn_header(text)
    if chunk.kind == "git":
        return _git_header(text)
    return _plain_header(text)


def _unified_head(chunk: Chunk) -> bool:
    """Whether the header ends with the ---/+++ pair unidiff starts from."""
    head = chunk.pieces[: chunk.head]
    return len(head) >= 2 and head[-2].startswith(b"--- ") and head[-1].startswith(b"+++ ")


def unidiff_added(text: list[str]) -> list[AddedLine]:
    """The added lines of one file's ---/+++ header and hunks, as unidiff reads them."""
    from unidiff.errors import UnidiffParseError
    from unidiff.patch import PatchSet

    # unidiff only needs the ---/+++ pair and the hunks; header lines such as an
    # svnlook label or a git "rename to" are ours to read, not its.
    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise UnreadableHunks(f"unreadable diff: {exc}".rstrip()) from exc
    if len(patch) != 1:
        raise UnreadableHunks(f"expected one file in this part of the diff, found {len(patch)}")
    added: list[AddedLine] = []
    for hunk in patch[0]:
        last: AddedLine | None = None
        for line in hunk:
            kind = line.line_type
            if kind == "+":
                last = added_line(line.target_line_no or 0, line.value)
                added.append(last)
            elif kind == "\\":
                if last is not None and added and added[-1] is last:
                    # "\ No newline at end of file": the newline was the diff's own
                    added[-1] = AddedLine(last.number, last.text + last.eol[:-1], "")
                last = None
            else:
                last = None
    return added


def added_line(number: int, value: str) -> AddedLine:
    """An added line from its text as the diff carries it (with its line end)."""
    if value.endswith("\r\n"):
        return AddedLine(number, value[:-2], "\r\n")
    if value.endswith("\n"):
        return AddedLine(number, value[:-1], "\n")
    return AddedLine(number, value, "")


def _svn_header(text: list[str]) -> ChangedFile:
    m = _SVN_HEADER.match(text[0].rstrip("\r\n"))
    assert m is not None
    word, name = m.group(1), m.group(2)
    status = _SVN_STATUS[word]
    old: str | None = None
    plus = next((x for x in text[2:4] if x.startswith("+++ ")), None)
    minus = next((x for x in text[2:4] if x.startswith("--- ")), None)
    if plus is not None:
        # the label is unambiguous (svn paths have no tab): a header like
        # "Copied: new (from rev 1, old (from rev 1, x).c)" is not
        name = svn_label_name(plus[4:].rstrip("\n"))
    if word == "Copied":
        if minus is not None:
            old = svn_label_name(minus[4:].rstrip("\n"))
        elif plus is None and (cm := _SVN_COPY.match(name)) is not None:
            name = cm.group(1)
    binary = any(x.rstrip("\r\n") == "(Binary files differ)" for x in text[1:4])
    return ChangedFile(path=name, status=status, binary=binary, old_path=old)


def _git_header(text: list[str]) -> ChangedFile:
    rest = text[0].rstrip("\n")[len("diff --git ") :]
    pair = split_git_header(rest)
    src_prefix, dst_prefix = guess_prefixes(*pair) if pair else ("a/", "b/")
    path = strip_prefix(pair[1], dst_prefix) if pair else None
    old: str | None = strip_prefix(pair[0], src_prefix) if pair else None
    status = FileStatus.MODIFIED
    binary = False
    minus: str | None = None
    blob: str | None = None
    old_blobs: tuple[str, ...] = ()
    link = False
    for raw in text[1:]:
        line = raw.rstrip("\n")
        if line.startswith("@@"):
            break
        if line.startswith(("new file mode 120000", "new mode 120000")) or (
            line.startswith("index ") and line.endswith(" 120000")
        ):
            binary = link = True  # a symlink: its "line" is the link's target, not text
        if line.startswith("new file mode "):
            status = FileStatus.ADDED
        elif line.startswith("deleted file mode "):
            status = FileStatus.DELETED
        elif line.startswith("rename from "):
            old = unquote(line[len("rename from ") :])
            status = FileStatus.RENAMED
        elif line.startswith("rename to "):
            path = unquote(line[len("rename to ") :])
        elif line.startswith("copy from "):
            old = unquote(line[len("copy from ") :])
            status = FileStatus.COPIED
        elif line.startswith("copy to "):
            path = unquote(line[len("copy to ") :])
        elif line.startswith("--- "):
            minus = _label(line[4:])
        elif line.startswith("+++ "):
            name = _label(line[4:])
            if name != "/dev/null":
                path = strip_prefix(name, dst_prefix)
        elif line.startswith("Binary files ") or line == "GIT binary patch":
            binary = True
        elif line.startswith("index ") and ".." in line:
            blob, old_blobs = _index_blobs(line)
    if path is None:
        path = strip_prefix(minus, src_prefix) if minus and minus != "/dev/null" else rest
    return ChangedFile(
        path=path, status=status, binary=binary, old_path=old, blob=blob,
        old_blobs=old_blobs, link=link,
    )  # fmt: skip


# The header git writes for a file changed, added or deleted in place (no rename, no
# mode change, no link, no binary, a name git does not quote or end with a tab).
_USUAL_GIT_HEADER = re.compile(
    rb"diff --git a/(?P<a>[^\t\n\"]+) b/(?P<b>[^\t\n\"]+)\n"
    rb"(?:(?P<kind>new|deleted) file mode 100(?:644|755)\n)?"
    rb"index (?P<old>[0-9a-f]+)\.\.(?P<new>[0-9a-f]+)(?: 100(?:644|755))?\n"
    rb"(?:--- (?:a/(?P<minus>[^\t\n\"]+)|/dev/null)\n"
    rb"\+\+\+ (?:b/(?P<plus>[^\t\n\"]+)|/dev/null)\n)?"
)


def usual_git_header(head: list[bytes]) -> ChangedFile | None:
    """The file of the header git writes for most files, read with one regex match
    (reading it as _git_header does costs 25 us a file, most of what regime spends on
    20,000 new files); None for any other header, which _git_header reads.
    ``tests/test_diff_scan.py`` holds the two readings equal."""
    m = _USUAL_GIT_HEADER.fullmatch(b"".join(head))
    if m is None:
        return None
    name = m.group("a")
    if m.group("b") != name or m.group("minus") not in (None, name):
        return None
    if m.group("plus") not in (None, name):
        return None
    path = name.decode("utf-8", "surrogateescape")
    kind = m.group("kind")
    status = (
        FileStatus.MODIFIED
        if kind is None
        else FileStatus.ADDED
        if kind == b"new"
        else FileStatus.DELETED
    )
    old = m.group("old").decode("ascii")
    return ChangedFile(
        path=path, status=status, old_path=path, blob=m.group("new").decode("ascii"),
        old_blobs=(old,) if old.strip("0") else (),
    )  # fmt: skip


def _index_blobs(line: str) -> tuple[str, tuple[str, ...]]:
    """The new blob and the old ones of an ``index OLD[,OLD...]..NEW [MODE]`` line (a
    merge's combined diff names one old blob a parent); a new file's is all zeros."""
    olds, new = line[len("index ") :].split("..", 1)
    return new.split(" ", 1)[0], tuple(b for b in olds.split(",") if b.strip("0"))


def _label(label: str) -> str:
    """A ---/+++ name: unquoted, cut at the tab git adds after names with spaces."""
    if label.startswith('"'):
        return unquote(label.split("\t", 1)[0])
    return svn_label_name(label)


def _plain_header(text: list[str]) -> ChangedFile:
    """A file of a diff that is not git's nor svn's: GNU ``diff -u``/``-ruN``, hg, a
    patch from a mail. Its names are those of the ---/+++ labels (or of a ``Binary
    files A and B differ`` line) of its header, never of its hunks' lines (an added
    ``++ x`` reads ``+++ x``), their prefixes stripped as ``patch -p1`` would when
    both sides carry one (see plain_names)."""
    head = text[: next((i for i, x in enumerate(text) if x.startswith("@@")), len(text))]
    plus = next((x for x in head if x.startswith("+++ ")), None)
    minus = next((x for x in head if x.startswith("--- ")), None)
    new = _label(plus[4:].rstrip("\n")) if plus else None
    old = _label(minus[4:].rstrip("\n")) if minus else None
    binary_line = next((x for x in head if x.startswith("Binary files ")), None)
    if new is None and old is None and binary_line is not None:
        old, new = binary_names(binary_line.rstrip("\n"))
    old, new = plain_names(old, new)
    status = FileStatus.MODIFIED
    name = new or ""
    if new == "/dev/null":
        status = FileStatus.DELETED
        name = old or name
    elif old == "/dev/null":
        status = FileStatus.ADDED
    if not name:
        name = text[0].rstrip("\n")
    return ChangedFile(path=name, status=status, binary=binary_line is not None)


def _combined(text: list[str]) -> ChangedFile:
    """The lines a merge itself introduced: a "+" in every parent column."""
    head = text[0].rstrip("\n")
    name = head.split(" ", 2)[2] if head.count(" ") >= 2 else head
    path = unquote(name)
    binary = False
    blob: str | None = None
    old_blobs: tuple[str, ...] = ()
    added: list[AddedLine] = []
    parents = 0
    target = 0
    for raw in text[1:]:
        if parents == 0 and raw.startswith("index ") and ".." in raw:
            blob, old_blobs = _index_blobs(raw.rstrip("\n"))
        if raw.startswith("@@@"):
            parents = len(raw) - len(raw.lstrip("@")) - 1
            plus = raw.split(" +", 1)[1].split(" ", 1)[0]
            target = int(plus.split(",", 1)[0])
            continue
        if parents == 0:
            if raw.startswith("+++ "):
                label = _label(raw[4:].rstrip("\n"))
                if label != "/dev/null":
                    path = strip_prefix(label, "b/")
            elif raw.startswith("Binary files "):
                binary = True
            continue
        cols = raw[:parents]
        if cols.startswith("\\"):
            if added and added[-1].number == target - 1 and added[-1].eol:
                last = added[-1]
                added[-1] = AddedLine(last.number, last.text + last.eol[:-1], "")
            continue
        if "-" in cols:
            continue
        if cols == "+" * parents:
            added.append(added_line(target, raw[parents:]))
        target += 1
    return ChangedFile(
        path=path, status=FileStatus.MODIFIED, binary=binary, added=Added.of_lines(added),
        blob=blob, old_blobs=old_blobs,
    )  # fmt: skip
