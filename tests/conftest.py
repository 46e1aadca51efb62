"""Shared fixtures: real git repositories and regime run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from regime.added import Added

REGIME = str(Path(sys.executable).parent / "regime")

# Isolate every git call from the machine's own git configuration.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Ada Admin",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Admin",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "LC_ALL": "C.UTF-8",
}


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_ENV)
    if extra:
        env.update(extra)
    return env


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_regime(
    *args: str,
    cwd: Path | str,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> Result:
    proc = subprocess.run(
        [REGIME, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=base_env(env),
        check=False,
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "backslashreplace"),
        proc.stderr.decode("utf-8", "backslashreplace"),
    )


class GitRepo:
    """A throwaway git work tree."""

    def __init__(self, path: Path, object_format: str = "sha1") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main", f"--object-format={object_format}")

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.path,
            input=stdin,
            capture_output=True,
            env=base_env(),
            check=False,
        )
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
        return proc.stdout.decode("utf-8", "surrogateescape")

    def write(self, name: str, content: bytes | str) -> Path:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    def add(self, *names: str) -> None:
        self.git("add", "-A", "--", *(names or ["."]))

    def commit(self, message: str = "change things") -> str:
        self.add()
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def regime(self, *args: str, stdin: bytes | None = None, **env: str) -> Result:
        return run_regime(*args, cwd=self.path, stdin=stdin, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[GitRepo]:
    yield GitRepo(tmp_path / "repo")


# ---------------------------------------------------------------------------
# The differential tests (tests/test_differential_git.py and test_differential_svn.py):
# a base file set and the files after an edit, as bytes, built from the characters on
# which git and regime might disagree (the strategy is in test_differential_git.py),
# applied in a real git repository.

# Every name is one the differential tests know the WS102 policy of (docs/rules.md "Which
# files"): all are checked except Markdown (trailing whitespace allowed) and .txt
# (not in the default list). No name holds ":" (the tools' output is PATH:LINE).
WS_FILE_NAMES = (
    "a.c",
    "b.sh",
    "etc/c.conf",
    "sp ace.py",
    "dé/f.yaml",
    "Makefile",
    "g.md",
    "h.txt",
)

# The pieces lines are made of, as bytes. Never "+", "-", "@", "\\" or "\n" inside a
# line, so a line of a -U0 diff can never look like a header.
WS_ATOMS: tuple[bytes, ...] = (
    # visible text
    b"a",
    b"x",
    b"=",
    b"#",
    # ASCII whitespace both tools count (twice: the usual case)
    b" ",
    b" ",
    b"\t",
    # a CR: lone, or the CR of a CRLF when it lands before the \n
    b"\r",
    # ASCII whitespace that only regime counts
    b"\v",
    b"\f",
    # Unicode spaces, UTF-8 encoded
    "\xa0".encode(),  # no-break space
    "\u1680".encode(),
    "\u2003".encode(),
    "\u200a".encode(),
    "\u202f".encode(),
    "\u205f".encode(),
    "\u3000".encode(),
    # what Python's str.isspace() says but which are not spaces to anyone, and
    # invisible characters that are not spaces
    b"\x1c",
    b"\x1f",
    "\x85".encode(),  # NEL
    "\u2028".encode(),
    "\u2029".encode(),
    "\u200b".encode(),
    "\ufeff".encode(),
    "\u180e".encode(),
    "é".encode(),
    # bytes that are not UTF-8 on their own; some neighbours make UTF-8 characters
    # (\xc2\xa0 a no-break space, \xe2\x80\x80 U+2000, \xc2\x85 NEL)
    b"\xe9",
    b"\xff",
    b"\xa0",
    b"\x85",
    b"\xc2",
    b"\xe2\x80",
    b"\x80",
)


@dataclass(frozen=True)
class WsChange:
    """A base file set, committed first, and every file as it is after the change
    (a base file missing from ``after`` is deleted)."""

    base: dict[str, bytes]
    after: dict[str, bytes]

    def deleted(self) -> list[str]:
        return sorted(set(self.base) - set(self.after))

    def lines_after(self, path: str) -> list[bytes]:
        """The lines of a file after the change, split at \\n only, each with its \\n."""
        data = self.after[path]
        lines = data.split(b"\n")
        out = [x + b"\n" for x in lines[:-1]]
        if lines[-1]:
            out.append(lines[-1])
        return out


def reset_to(repo: GitRepo, change: WsChange) -> None:
    """Make the repository's HEAD the change's base and stage the change on top."""
    import shutil

    for entry in repo.path.iterdir():
        if entry.name == ".git":
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name, data in change.base.items():
        repo.write(name, data)
    repo.commit("Base")
    for name in change.deleted():
        (repo.path / name).unlink()
    for name, data in change.after.items():
        repo.write(name, data)
    repo.add()


def regime_staged_findings(repo: GitRepo) -> tuple[int, set[tuple[str, int, str]]]:
    """``regime staged --format json`` as a real process: the exit status and the set
    of (path, line, code) of its findings."""
    import json

    res = repo.regime("staged", "--format", "json")
    assert res.code in (0, 1), f"regime staged exited {res.code}:\n{res.text}"
    doc = json.loads(res.out)
    return res.code, {(f["path"], f["line"], f["code"]) for f in doc["findings"]}


def added_hunks(runs: list[tuple[int, bytes]]) -> Added:
    """Added lines as a diff's hunks carry them: one hunk a run of ``+`` lines (each
    with its newline), from the line number given."""
    body = b"".join(b"@@ -1,0 +%d,%d @@\n" % (n, run.count(b"\n")) + run for n, run in runs)
    return Added.hunks(body)
