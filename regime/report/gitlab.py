"""GitLab Code Quality: the JSON array a job uploads as ``artifacts: reports: codequality:``.

GitLab reads, of each issue, ``description``, ``check_name``, ``fingerprint``,
``severity`` (info, minor, major, critical, blocker), ``location.path`` and
``location.lines.begin``; other Code Climate fields are ignored, and a byte order mark
at the start of the file is refused. GitLab compares the fingerprints of the merge
request's report with those of the target branch's: an issue whose fingerprint is
new is shown as introduced, one that is gone as resolved, and issues with the same
fingerprint are shown once. So a fingerprint must not change when unrelated lines
move the finding (no line number in it), and two findings must never share one.

The fingerprint is the SHA-256 (first 32 hex digits, MD5's length, as GitLab's
example) of: the path, the rule code, what the finding is about (the offending
line's text when the finding has it, else the message with line numbers masked, as
``etc/xen/a.cfg:6`` or ``line 12`` in the message point at other lines that move
too; for a log message's finding, also the commit's subject), and the occurrence
index among the findings of the report with the same three (so two identical tabs in
one file are ``#0`` and ``#1``). Neither the line number nor the commit id (it
changes on every rebase) is part of it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, TextIO

from regime.engine import Outcome
from regime.findings import Finding

#: regime's two severities on GitLab's scale. An error blocks the change (the job
#: fails), which is what "blocker" says; a warning is reported and blocks nothing.
SEVERITY = {True: "blocker", False: "minor"}

_LINE_WORD = re.compile(r"\bline \d+\b")
_LINE_NUMBER = re.compile(r":\d+")
_COMMIT_ID = re.compile(r"^commit [0-9a-f]+: ")


def _mask_lines(message: str) -> str:
    """The message with the line numbers it quotes replaced by ``#``: ``line N``, and
    ``PATH:LINE`` in a word whose part before the first colon has a / or a . (a
    path does; a MAC such as ``00:16:3e:00:00:10`` or a time does not)."""
    out = []
    for word in re.split(r"(\s+)", message):
        head = word.split(":", 1)[0]
        if ":" in word and ("/" in head or "." in head):
            word = _LINE_NUMBER.sub(":#", word)
        out.append(word)
    return _LINE_WORD.sub("line #", "".join(out))


def _text(value: str) -> str:
    """Valid UTF-8 for GitLab's parser: bytes a name or line could not be decoded
    from (kept as surrogates) are shown as ``\\xe9``."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def fingerprints(findings: list[Finding]) -> list[str]:
    """One fingerprint per finding, in order (see the module's docstring)."""
    seen: dict[tuple[str, str, str], int] = {}
    out: list[str] = []
    for f in findings:
        if f.source is not None:
            about = f"line\0{f.source}"
        else:
            about = f"message\0{_mask_lines(f.message)}"
        if f.path.startswith("<") and f.context is not None:
            # a log message's finding: which commit, by its subject (not its id)
            about += "\0" + _COMMIT_ID.sub("", f.context)
        key = (f.path, f.code, about)
        index = seen.get(key, 0)
        seen[key] = index + 1
        text = "\0".join(("regime-codequality-1", *key, str(index)))
        digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
        out.append(digest[:32])
    return out


def issues(outcome: Outcome) -> list[dict[str, Any]]:
    """The report's issues, as GitLab reads them."""
    found: list[dict[str, Any]] = []
    for f, fingerprint in zip(outcome.findings, fingerprints(outcome.findings), strict=True):
        message = f.message if f.context is None else f"{f.message} [{f.context}]"
        found.append(
            {
                "description": _text(f"{f.code}: {message}"),
                "check_name": f.code,
                "fingerprint": fingerprint,
                "severity": SEVERITY[f.blocking],
                "location": {"path": _text(f.path), "lines": {"begin": max(f.line, 1)}},
            }
        )
    return found


def render_gitlab(outcome: Outcome, out: TextIO) -> None:
    json.dump(issues(outcome), out, indent=2, ensure_ascii=False)
    out.write("\n")
