"""What the admin of a git server keeps beside a guarded repository, in its own git
folder (``GIT_DIR/regime/``), never in pushed content:

- ``accepted-commits``: commit ids the pre-receive hook takes as accepted without
  checking them: the legacy history of a repository put under the hook
  (``regime install git-server REPO --accept-existing`` / ``--accept-commits FILE``).
  A commit made on top of them has another id, so it is checked as any other.
- ``override``: the admin's emergency override. While it exists, holding a reason on
  its first line, a push goes through unchecked, and every ref it moves is logged
  (stderr, syslog and the server policy's ``log_file``) with that reason.

Why files there: a push writes objects and refs, nothing else of the git folder, so
no pusher can write either file, whatever the push holds (a push option, a ref name,
a ``.regime.yaml``); whoever can write the git folder can rewrite the hook itself. An
environment variable was not taken: a hook's environment comes from whoever started
``git receive-pack`` (the pusher, for a push over the file system).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

from regime.hooks.base import UsageError
from regime.hooks.server_guard import log_loudly
from regime.policy.model import Policy
from regime.sources.process import ProducerError

STATE_DIR = "regime"
ACCEPTED = "accepted-commits"
OVERRIDE = "override"
_OID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def git_dir() -> str:
    """The repository's git folder as git gives it to a hook: ``GIT_DIR``, relative to
    the folder the hook runs in (the git folder itself)."""
    return os.path.abspath(os.environ.get("GIT_DIR", "."))


def state_path(repo_git_dir: str, name: str) -> str:
    return os.path.join(repo_git_dir, STATE_DIR, name)


def parse_ids(text: str, source: str) -> list[str]:
    """Commit ids, one a line (``git rev-list --all`` output); blank lines and ``#``
    comments are skipped. Anything else is an error naming SOURCE and the line, so a
    list cut or mangled in transfer is never half taken."""
    ids = []
    for number, line in enumerate(text.split("\n"), 1):
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        if not _OID.fullmatch(word):
            raise UsageError(
                f"{source}:{number}: {word[:80]!r} is not a full commit id (40 or 64 "
                "lowercase hex digits); give the output of `git rev-list --all`"
            )
        ids.append(word)
    return ids


def read_accepted(repo_git_dir: str) -> frozenset[str]:
    """The accepted commits of the repository; none when the file does not exist. A
    file the hook cannot read or parse is an internal error (the push is refused)."""
    path = state_path(repo_git_dir, ACCEPTED)
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            text = fh.read()
    except FileNotFoundError:
        return frozenset()
    except OSError as err:
        raise ProducerError(f"cannot read {path}: {err.strerror}") from err
    try:
        return frozenset(parse_ids(text, path))
    except UsageError as err:
        raise ProducerError(str(err)) from err


def record_accepted(repo_git_dir: str, ids: Iterable[str]) -> tuple[str, int, int]:
    """Add IDS to the accepted commits (atomically: a hook reads the old or the new
    list, never half of one): (the file, how many were added, how many it holds)."""
    path = state_path(repo_git_dir, ACCEPTED)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = read_accepted(repo_git_dir)
    new = old | frozenset(ids)
    tmp = path + ".regime-new"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(
            "# Commits regime's pre-receive hook takes as accepted, unchecked: written by\n"
            "# `regime install git-server --accept-existing/--accept-commits`.\n"
        )
        fh.writelines(oid + "\n" for oid in sorted(new))
    os.replace(tmp, path)
    return path, len(new) - len(old), len(new)


def read_override(repo_git_dir: str) -> tuple[str, str | None] | None:
    """(the override file, its reason) when the file exists; the reason is None when
    its first non-blank line is missing (such an override is not honoured)."""
    path = state_path(repo_git_dir, OVERRIDE)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(4096)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ProducerError(f"cannot read {path}: {err.strerror}") from err
    for line in text.split("\n"):
        if line.strip():
            return path, " ".join(line.split())[:300]
    return path, None


def log_override(
    path: str, reason: str, updates: Sequence[tuple[str, str, str]], server: Policy
) -> None:
    """Say on stderr (the pusher reads it), in syslog and in the server policy's
    ``log_file`` which refs the override let through unchecked, and why."""
    where = os.path.dirname(os.path.dirname(path))
    lines = [
        f"regime: OVERRIDE ({path}): {ref} {old[:12]}..{new[:12]} let through "
        f"unchecked in {where}; reason: {reason}"
        for old, new, ref in updates
    ] or [f"regime: OVERRIDE ({path}): a push of no refs in {where}; reason: {reason}"]
    said = (
        "regime: this push was NOT checked: the server's admin has an override in place "
        f"({reason})\n"
    )
    log_loudly(server, said, lines, "warning")
