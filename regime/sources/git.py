"""git as a source of changes: fixed plumbing flags so no user configuration
(color, prefixes, external diff drivers, textconv, quoting) can change the
format regime reads."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from regime.sources.process import ProducerError, Stream, TooBig, read_at_most, run_text

if TYPE_CHECKING:
    from regime.changeset import ChangedFile

GIT = os.environ.get("REGIME_GIT", "git")

# regime judges the objects as they were pushed or committed, never stand-ins: a
# replace ref (refs/replace/ID, which anyone who may push can write) or a graft
# (info/grafts) makes git show another commit's tree, parents or message in place of
# the real one, and a clean stand-in judged would let the real commit land unchecked.
# Turned off here, once, for every git this process runs (any door, any call, and
# the git those run): GIT_NO_REPLACE_OBJECTS in the environment, and in every argv
# core.useReplaceRefs=false (a repository's config setting it true overrides the
# variable); GIT_GRAFT_FILE names a path that can never exist (a file under
# /dev/null), which git skips in silence. Nothing else of the environment changes: in
# a pre-receive hook the quarantine variables must reach git as git set them.
NO_GRAFTS = os.path.join(os.devnull, "no-grafts")
os.environ.update(GIT_NO_REPLACE_OBJECTS="1", GIT_GRAFT_FILE=NO_GRAFTS)

# Options every diff regime reads is produced with.
DIFF_FLAGS = (
    "-p",
    "--unified=3",  # git's own context: fewer hunks to count than -U0 (see bench/suite.py)
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
    "--irreversible-delete",
    "--full-index",  # the blob ids, for the size of a file git calls binary (BlobSizes)
)
COMMIT_FORMAT = "--format=%x00%H %P%n%B%x00"


def git(*args: str) -> list[str]:
    return [
        GIT, "--literal-pathspecs", "-c", "core.quotePath=false",
        "-c", "core.useReplaceRefs=false", *args,
    ]  # fmt: skip


def _ask(proc: subprocess.Popen[bytes], how: str, name: str) -> list[bytes]:
    """One question to a ``git cat-file`` batch process: the words of its answer's
    first line (an empty list when it has stopped answering)."""
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        proc.stdin.flush()
    except (BrokenPipeError, OSError) as exc:
        raise ProducerError(f"git cat-file {how} failed: {exc}") from exc
    return proc.stdout.readline().split()


def _big(limit: int | None) -> list[str]:
    """git options for a diff under the size limit: a file larger than the limit is
    one git calls binary (core.bigFileThreshold) and never loads, so neither git nor
    regime holds it; its size then comes from BlobSizes, and the checks report it."""
    return [] if limit is None else ["-c", f"core.bigFileThreshold={limit}"]


class BlobSizes:
    """The size of blobs by id (or by ``REV:PATH``), from one ``git cat-file
    --batch-check``, and their content from one ``git cat-file --batch``, each started
    at its first question (most changes hold no file the diff does not show)."""

    def __init__(self, cwd: str | None = None) -> None:
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None
        self._batch: subprocess.Popen[bytes] | None = None
        self._index_modes: dict[str, str] | None = None
        self._id_size = 20  # bytes of an object id: 32 in a SHA-256 repository
        self._folder: tuple[str, dict[bytes, str]] | None = None  # the last folder asked

    def head(self, blob: str, most: int = 8000) -> bytes:
        """The first 8000 bytes of a blob (git is stopped there, never made to print it
        all): a NUL among them means binary, as git itself decides."""
        proc = subprocess.Popen(
            git("cat-file", "blob", blob), cwd=self.cwd,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert proc.stdout is not None
        with proc:
            data = proc.stdout.read(most)
            proc.kill()
        return data

    def first(self, name: str, most: int) -> tuple[bytes, bytes | None] | None:
        """The first ``most`` bytes of a blob (by id or ``REV:PATH``), and the whole of
        it when it came whole: a small blob through the one ``cat-file --batch`` (the
        batch cannot stop inside an object, and a process a file would cost more than
        its bytes), a larger one from a ``git cat-file blob`` stopped after ``most``
        bytes. None when there is no such blob."""
        if "\n" not in name:
            size = self.size(name)
            if size is None:
                return None
            if size <= _WHOLE_HEAD:
                kind, data = self._object(name)
                return (data[:most], data) if kind == "blob" else None
        return self.head(name, most), None

    def size(self, blob: str) -> int | None:
        """The blob's size, or None when git does not have it."""
        if self._proc is None:
            self._proc = self._start("--batch-check")
        answer = _ask(self._proc, "--batch-check", blob)
        if not answer:
            raise ProducerError("git cat-file --batch-check stopped answering")
        if len(answer) == 3 and answer[2].isdigit():
            return int(answer[2])
        return None

    def read(self, name: str, limit: int) -> bytes | None:
        """The content of a blob (by id or ``REV:PATH``), or None when there is none;
        TooBig (with its first 8000 bytes) when it is larger than ``limit``, which is
        never read whole. A name with a newline cannot be asked for in a batch: it is
        read by a process of its own (a hostile name, never the usual case)."""
        if "\n" in name:
            data = object_at(name, self.cwd, limit)
            if data is not None and len(data) > limit:
                raise TooBig(len(data), data[:8000])
            return data
        size = self.size(name)
        if size is None:
            return None
        if size > limit:
            raise TooBig(size, self.head(name))
        kind, data = self._object(name)
        if kind != "blob":
            raise ProducerError(f"git cat-file --batch: {name} is a {kind}, not a file")
        return data

    def _object(self, name: str) -> tuple[str, bytes]:
        """An object's type and content from the one ``git cat-file --batch``."""
        if self._batch is None:
            self._batch = self._start("--batch")
        header = _ask(self._batch, "--batch", name)
        assert self._batch.stdout is not None
        if len(header) != 3 or not header[2].isdigit():
            raise ProducerError(f"git cat-file --batch: unexpected answer for {name}: {header!r}")
        size = int(header[2])
        data = self._batch.stdout.read(size)
        if len(data) != size or self._batch.stdout.read(1) != b"\n":
            raise ProducerError(f"git cat-file --batch: {name} is cut short")
        self._id_size = len(header[0]) // 2
        return header[1].decode("ascii", "replace"), data

    def _start(self, how: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            git("cat-file", how), cwd=self.cwd,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def mode(self, rev: str | None, path: str) -> str | None:
        """The mode of PATH in REV's tree (its folder's tree object, from the same
        ``git cat-file --batch``) or, with ``rev`` None, in the index (one ``git
        ls-files -s`` for all); None when it is not there."""
        if rev is None:
            if self._index_modes is None:
                out = run_text(git("ls-files", "-s", "-z", "--full-name"), cwd=self.cwd)
                modes: dict[str, str] = {}
                for entry in out.split("\0"):
                    if entry:
                        meta, name = entry.split("\t", 1)
                        modes[name] = meta.split(" ", 1)[0]
                self._index_modes = modes
            return self._index_modes.get(path)
        folder, _, base = path.rpartition("/")
        if "\n" in folder:  # not a name a batch can carry: a process of its own
            out = run_text(git("ls-tree", "-z", "--full-tree", rev, "--", path), cwd=self.cwd)
            return out.split(" ", 1)[0] if out else None
        name = f"{rev}:{folder}" if folder else f"{rev}^{{tree}}"
        if self._folder is None or self._folder[0] != name:  # renames come folder by folder
            kind, data = self._object(name)
            self._folder = (name, _tree_modes(data, self._id_size) if kind == "tree" else {})
        return self._folder[1].get(base.encode("utf-8", "surrogateescape"))

    def __enter__(self) -> BlobSizes:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in (self._proc, self._batch):
            if proc is not None:
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.close()
                proc.stdout.close()
                proc.wait()


def _tree_modes(tree: bytes, id_size: int) -> dict[bytes, str]:
    """The mode of each entry of a raw tree object (``MODE NAME\\0ID`` entries, the id
    ``id_size`` bytes: 20, or 32 in a SHA-256 repository)."""
    modes: dict[bytes, str] = {}
    pos = 0
    while pos < len(tree):
        space = tree.find(b" ", pos)
        nul = tree.find(b"\0", space)
        if space < 0 or nul < 0:
            break
        modes[tree[space + 1 : nul]] = tree[pos:space].decode("ascii", "replace")
        pos = nul + 1 + id_size
    return modes


# A blob up to this size is read whole through the batch when its first bytes are
# asked for (and kept for the one reading of it that may follow).
_WHOLE_HEAD = 64 * 1024


class GitContents:
    """A changed file's content from the objects of one change (ChangeSet.contents):
    the commit ``rev``, or the index when ``rev`` is None. The diff's blob ids name
    the sides; a rename git found whole (no index line) is named by its path in the
    change. One BlobSizes serves every change of a door."""

    def __init__(self, blobs: BlobSizes, rev: str | None) -> None:
        self.blobs = blobs
        self.rev = rev
        self._kept: tuple[str, bytes] | None = None  # the last blob head() had whole

    def _name(self, changed: ChangedFile) -> str | None:
        """The new blob's name; a rename git found whole has no index line (nor a mode
        line, the mode being the same): its mode is asked first, a symlink has no lines."""
        name = changed.blob if changed.blob and changed.blob.strip("0") else None
        if name is None:
            mode = self.blobs.mode(self.rev, changed.path)
            if mode is None or not mode.startswith("10"):
                return None  # a symlink (120000) or a submodule (160000): no lines
            name = f":0:{changed.path}" if self.rev is None else f"{self.rev}:{changed.path}"
        return name

    def after(self, changed: ChangedFile, limit: int) -> bytes | None:
        """The new blob (the one head() just read whole is not read again)."""
        name = self._name(changed)
        if name is None:
            return None
        kept, self._kept = self._kept, None
        if kept is not None and kept[0] == name and len(kept[1]) <= limit:
            return kept[1]
        return self.blobs.read(name, limit)

    def head(self, changed: ChangedFile, size: int) -> bytes | None:
        """The new blob's first bytes (regime/filetypes.py)."""
        name = self._name(changed)
        got = None if name is None else self.blobs.first(name, size)
        if got is None or name is None:
            return None
        self._kept = None if got[1] is None else (name, got[1])
        return got[0]

    def before(self, changed: ChangedFile, limit: int) -> list[bytes]:
        olds = [self.blobs.read(blob, limit) for blob in changed.old_blobs]
        return [old for old in olds if old is not None]


class NotARepository(ProducerError):
    """regime was asked for a git change outside a git work tree (a usage error)."""


def toplevel(cwd: str | None = None) -> str:
    proc = subprocess.run(
        git("rev-parse", "--show-toplevel"), cwd=cwd, capture_output=True, check=False
    )
    out = proc.stdout.decode("utf-8", "surrogateescape").strip()
    if proc.returncode != 0 or not out:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise NotARepository(f"not inside a git work tree ({err or 'no work tree'})")
    return out


@dataclass(frozen=True, slots=True)
class WorkTree:
    """What a door of a work tree needs to know before it asks for a diff."""

    root: str
    has_head: bool  # False on a branch with no commit yet
    merge_heads: tuple[str, ...]  # the other parents while a merge is being committed


def work_tree(cwd: str | None = None) -> WorkTree:
    """The work tree's top, whether HEAD is a commit, and the heads being merged, from
    one ``git rev-parse`` (three cost a hook 10 ms on every commit). rev-parse prints
    the top and the path of MERGE_HEAD, then HEAD's id or, when there is none, exits 1
    under --quiet; outside a work tree it exits 128."""
    argv = git(
        "rev-parse", "--show-toplevel", "--git-path", "MERGE_HEAD",
        "--verify", "--quiet", "HEAD^{commit}",
    )  # fmt: skip
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    lines = proc.stdout.decode("utf-8", "surrogateescape").split("\n")
    if proc.returncode not in (0, 1) or len(lines) < 3 or not lines[0]:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise NotARepository(f"not inside a git work tree ({err or 'no work tree'})")
    path = lines[1]
    if cwd is not None and not os.path.isabs(path):
        path = os.path.join(cwd, path)
    return WorkTree(lines[0], proc.returncode == 0 and bool(lines[2]), _merge_heads_in(path))


def _merge_heads_in(path: str) -> tuple[str, ...]:
    try:
        with open(path, encoding="ascii") as fh:
            return tuple(line.strip() for line in fh if line.strip())
    except OSError:
        return ()


def empty_tree(cwd: str | None = None) -> str:
    """The id of the empty tree in this repository's hash (SHA-1 or SHA-256)."""
    proc = subprocess.run(
        git("hash-object", "-t", "tree", "--stdin"),
        cwd=cwd, input=b"", capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise ProducerError(f"git hash-object failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode().strip()


def has_head(cwd: str | None = None) -> bool:
    proc = subprocess.run(
        git("rev-parse", "--verify", "--quiet", "HEAD^{commit}"),
        cwd=cwd, capture_output=True, check=False,
    )  # fmt: skip
    return proc.returncode == 0


def resolve(rev: str, cwd: str | None = None) -> str:
    proc = subprocess.run(
        git("rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"),
        cwd=cwd, capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise LookupError(f"{rev!r} is not a commit in this repository")
    return proc.stdout.decode().strip()


def merge_heads(cwd: str | None = None) -> list[str]:
    """The other parents of the commit being made when a merge is in progress."""
    path = run_text(git("rev-parse", "--git-path", "MERGE_HEAD"), cwd=cwd).strip()
    if cwd is not None and not os.path.isabs(path):
        path = os.path.join(cwd, path)
    return list(_merge_heads_in(path))


@contextmanager
def staged_diff(
    cwd: str | None = None, state: WorkTree | None = None, limit: int | None = None
) -> Iterator[Stream]:
    """What a commit would add: the index against HEAD (or the empty tree).

    The diff is never limited by pathspec: git could not pair a renamed file with
    its old name and the whole file would look added. Doors filter by path.
    While a merge is being committed, only what the merge itself introduces
    counts: a combined diff of the index against HEAD and the merged heads, so
    resolving a conflict never blames the other branch's accepted lines.
    """
    big = _big(limit)
    if not (has_head(cwd) if state is None else state.has_head):
        argv = git(*big, "diff-index", "--cached", *DIFF_FLAGS, empty_tree(cwd))
    elif heads := (merge_heads(cwd) if state is None else list(state.merge_heads)):
        tree = run_text(git("write-tree"), cwd=cwd).strip()
        argv = git(*big, "diff", "--no-relative", "--cc", *DIFF_FLAGS, tree, "HEAD", *heads)
    else:
        argv = git(*big, "diff-index", "--cached", *DIFF_FLAGS, "HEAD")
    with Stream(argv, cwd=cwd) as stream:
        yield stream


@contextmanager
def range_diff(
    base: str, tip: str, cwd: str | None = None, limit: int | None = None
) -> Iterator[Stream]:
    """The change from base to tip as one diff (pre-commit's --from-ref/--to-ref),
    never limited by pathspec (see staged_diff)."""
    argv = git(*_big(limit), "diff-tree", "-r", *DIFF_FLAGS, base, tip)
    with Stream(argv, cwd=cwd) as stream:
        yield stream


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    oid: str
    kind: str  # commit, tree, blob or tag
    size: int


def object_info(names: Sequence[str], cwd: str | None = None) -> list[ObjectInfo | None]:
    """What each name (any object name git reads: an id, ``ID^{commit}``, ``ID:PATH``)
    names, or None when it names no object, in the order given: one ``git cat-file
    --batch-check`` for all of them (a push of 5,000 refs asks 5,000 questions)."""
    if not names:
        return []
    proc = subprocess.run(
        git("cat-file", "--batch-check"), cwd=cwd,
        input="".join(name + "\n" for name in names).encode("utf-8", "surrogateescape"),
        capture_output=True, check=False,
    )  # fmt: skip
    answers = proc.stdout.decode("utf-8", "surrogateescape").split("\n")[: len(names)]
    if proc.returncode != 0 or len(answers) != len(names):
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise ProducerError(
            f"git cat-file --batch-check failed (exit status {proc.returncode}, "
            f"{len(answers)} of {len(names)} answers)" + (f": {err}" if err else "")
        )
    out: list[ObjectInfo | None] = []
    for name, answer in zip(names, answers, strict=True):
        fields = answer.split(" ")
        if len(fields) == 3 and fields[2].isdigit():
            out.append(ObjectInfo(fields[0], fields[1], int(fields[2])))
        elif answer in (f"{name} missing", f"{name} ambiguous"):
            out.append(None)
        else:
            raise ProducerError(f"git cat-file --batch-check: unexpected answer {answer[:200]!r}")
    return out


def new_commits(tips: Sequence[str], cwd: str | None = None) -> list[tuple[str, list[str]]]:
    """The commits reachable from TIPS and from no ref, each with its parents (which
    may be old), parents before children: ``git rev-list --reverse --topo-order
    --parents TIPS --not --all``, one process and one walk of the existing refs for
    every tip of a push (the tips on stdin: there may be thousands)."""
    if not tips:
        return []
    argv = git("rev-list", "--reverse", "--topo-order", "--parents", "--stdin", "--not", "--all")
    proc = subprocess.run(
        argv, cwd=cwd, input="".join(t + "\n" for t in tips).encode("ascii"),
        capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise ProducerError(
            f"git rev-list failed (exit status {proc.returncode})" + (f": {err}" if err else "")
        )
    out = []
    for line in proc.stdout.decode("ascii", "replace").split("\n"):
        if line:
            sha, *parents = line.split(" ")
            out.append((sha, parents))
    return out


def rev_list(rev_args: Sequence[str], cwd: str | None = None) -> list[str]:
    """``git rev-list --reverse --topo-order REV_ARGS``: oldest first."""
    out = run_text(git("rev-list", "--reverse", "--topo-order", *rev_args), cwd=cwd)
    return out.split()


@contextmanager
def commit_diffs(
    commits: Sequence[str], cwd: str | None = None, limit: int | None = None
) -> Iterator[Stream]:
    """Each commit with its message and its diff, in the order given, streamed by
    one ``git diff-tree --stdin`` process (never one process per commit).

    Merges show only what they introduce themselves (combined diff, ``--cc``).
    """
    argv = git(
        *_big(limit),
        "diff-tree", "--stdin", "-r", "--root", "--always", "--cc", *DIFF_FLAGS, COMMIT_FORMAT,
    )  # fmt: skip
    stream = Stream(argv, cwd=cwd, stdin=subprocess.PIPE)
    feeder = threading.Thread(target=_feed, args=(stream, commits), daemon=True)
    feeder.start()
    try:
        with stream:  # on an error the process is killed first, so the feeder cannot hang
            yield stream
    finally:
        feeder.join()


def _feed(stream: Stream, commits: Sequence[str]) -> None:
    """Write the commit ids to diff-tree while the main thread reads its output."""
    pipe = stream.proc.stdin
    assert pipe is not None
    try:
        for start in range(0, len(commits), 1000):
            pipe.write("".join(c + "\n" for c in commits[start : start + 1000]).encode("ascii"))
        pipe.close()
    except (BrokenPipeError, ValueError, OSError):
        pass  # diff-tree died; its exit status says why


def object_type(rev: str, cwd: str | None = None) -> str | None:
    """commit, tag, tree or blob; None when there is no such object."""
    proc = subprocess.run(git("cat-file", "-t", rev), cwd=cwd, capture_output=True, check=False)
    return proc.stdout.decode().strip() or None if proc.returncode == 0 else None


def blob_at(rev: str, path: str, cwd: str | None = None, limit: int | None = None) -> bytes | None:
    """The content of PATH in the tree of REV, or None when it is not a file there;
    with ``limit``, at most limit + 1 bytes of it (more says it is too big)."""
    return object_at(f"{rev}:{path}", cwd, limit)


def object_at(name: str, cwd: str | None = None, limit: int | None = None) -> bytes | None:
    """The content of the blob NAME (an id, ``REV:PATH``), or None when there is none;
    with ``limit``, at most limit + 1 bytes of it (more says it is too big)."""
    if limit is None:
        proc = subprocess.run(
            git("cat-file", "blob", name), cwd=cwd, capture_output=True, check=False
        )
        return proc.stdout if proc.returncode == 0 else None
    with subprocess.Popen(
        git("cat-file", "blob", name), cwd=cwd,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    ) as pipe:  # fmt: skip
        assert pipe.stdout is not None
        data = read_at_most(pipe.stdout, limit)
        if len(data) > limit:
            pipe.kill()
            return data
        pipe.stdout.read()
    return data if pipe.returncode == 0 else None


def merge_base(a: str, b: str, cwd: str | None = None) -> str | None:
    proc = subprocess.run(git("merge-base", a, b), cwd=cwd, capture_output=True, check=False)
    return proc.stdout.decode().strip() or None if proc.returncode == 0 else None


def staged_names(
    paths: Sequence[str] = (), cwd: str | None = None, head: bool | None = None
) -> set[str]:
    """Paths with a staged change (as git names them, unquoted via -z)."""
    base = "HEAD" if (has_head(cwd) if head is None else head) else empty_tree(cwd)
    out = run_text(
        git("diff-index", "--cached", "--name-only", "-z", "--no-renames", base, "--", *paths),
        cwd=cwd,
    )
    return {p for p in out.split("\0") if p}


def changed_names(base: str, tip: str, cwd: str | None = None) -> set[str]:
    """Every path that differs between two commits (both names of a rename)."""
    out = run_text(git("diff-tree", "-r", "--name-only", "-z", "--no-renames", base, tip), cwd=cwd)
    return {p for p in out.split("\0") if p}


def tracked_files(paths: Sequence[str] = (), cwd: str | None = None) -> list[str]:
    out = run_text(git("ls-files", "-z", "--full-name", "--", *paths), cwd=cwd)
    return [p for p in out.split("\0") if p]


def config_value(key: str, cwd: str | None = None) -> str | None:
    proc = subprocess.run(git("config", "--get", key), cwd=cwd, capture_output=True, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape").rstrip("\n")
