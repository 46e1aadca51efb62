"""`regime commit-msg`: the message file as git leaves it, and the LOG rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GitRepo

HELP = (
    "\n# Please enter the commit message for your changes. Lines starting\n"
    "# with '#' will be ignored, and an empty message aborts the commit.\n"
)
SCISSORS = "# ------------------------ >8 ------------------------\n"


def msg(repo: GitRepo, text: str | bytes, *args: str) -> tuple[int, str]:
    path = repo.path / ".git" / "COMMIT_EDITMSG"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    res = repo.regime("commit-msg", *args, str(path))
    return res.code, res.text


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "   \n", "...\n", "- * -\n", "# only a comment\n", HELP, "!!!" + HELP],
)
def test_messages_that_say_nothing_are_blocked(repo: GitRepo, text: str) -> None:
    code, out = msg(repo, text)
    assert code == 1, out
    assert "COMMIT_EDITMSG:1: LOG101 the log message" in out
    assert "the commit is blocked" in out


@pytest.mark.parametrize(
    "text", ["Fix the resolver\n", "Исправить DNS\n", "ネットワーク設定\n", "42\n", "x" + HELP]
)
def test_messages_in_any_script_pass(repo: GitRepo, text: str) -> None:
    code, out = msg(repo, text)
    assert code == 0, out
    assert "no problems in the log message" in out


def test_verbose_commit_diff_below_scissors_is_not_the_message(repo: GitRepo) -> None:
    text = "\n" + HELP + SCISSORS + "diff --git a/a b/a\n+Fix everything\n"
    code, out = msg(repo, text)
    assert code == 1
    assert "LOG101" in out


def test_comment_char_from_config(repo: GitRepo) -> None:
    repo.git("config", "core.commentChar", ";")
    code, out = msg(repo, "; nothing here\n# a real line starting with hash\n")
    assert code == 0, out
    code, out = msg(repo, "; nothing here\n")
    assert code == 1


def test_comment_char_auto(repo: GitRepo) -> None:
    repo.git("config", "core.commentChar", "auto")
    # git picks ";" because the message itself has a line starting with "#"
    text = "#42 tag\n\n; Please enter the commit message for your changes.\n"
    code, out = msg(repo, text)
    assert code == 0, out
    text = "\n; Please enter the commit message for your changes.\n; ------------------------ >8 ------------------------\nx\n"
    code, out = msg(repo, text)
    assert code == 1


def test_non_utf8_message_does_not_crash(repo: GitRepo) -> None:
    code, out = msg(repo, b"caf\xe9 au lait\n")
    assert code == 0, out


def test_optional_rules_from_policy(repo: GitRepo, tmp_path: Path) -> None:
    repo.write(
        ".regime.yaml",
        "rules:\n"
        "  LOG102:\n    severity: error\n    pattern: '\\b(OPS|NET)-[0-9]+\\b'\n"
        "    help: name the ticket, e.g. OPS-123\n"
        "  LOG103:\n    severity: error\n    pattern: '(?i)\\bwip\\b'\n"
        "  LOG104:\n    severity: warning\n    max_length: 20\n",
    )
    code, out = msg(repo, "OPS-7 rotate keys\n")
    assert code == 0, out
    code, out = msg(repo, "rotate keys\n")
    assert code == 1
    assert (
        "COMMIT_EDITMSG:1: LOG102 the log message lacks the required pattern: name the ticket"
        in out
    )
    code, out = msg(repo, "OPS-7 keys\n\nstill WIP here\n")
    assert code == 1
    assert "COMMIT_EDITMSG:3:7: LOG103 the log message contains 'WIP'" in out
    code, out = msg(repo, "\nOPS-7 a subject that is far too long\n")
    assert code == 0, out  # a warning does not block
    assert "COMMIT_EDITMSG:2:21: LOG104 (warning) the subject line is 36 characters long" in out
    assert "1 warning" in out and "nothing blocks" in out


def test_missing_message_file_is_a_usage_error(repo: GitRepo) -> None:
    res = repo.regime("commit-msg", "no-such-file")
    assert res.code == 2
    assert "cannot read the message file no-such-file" in res.err
