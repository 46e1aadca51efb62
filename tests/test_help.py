"""`regime COMMAND --help` helps: every argument has a description, every command a
description and examples, and the examples are commands regime really accepts."""

from __future__ import annotations

import argparse
import shlex
import subprocess

import pytest
from conftest import REGIME, base_env

from regime.cli import COMMANDS, build_parser

KINDS = ("svn", "git-server", "git")
# every command, and each KIND of install and uninstall
PAGES = [(c,) for c in COMMANDS] + [(v, k) for v in ("install", "uninstall") for k in KINDS]


def parser_of(words: tuple[str, ...]) -> argparse.ArgumentParser:
    """The parser of ``regime WORDS...``, as main() builds it (only that command)."""
    found: argparse.ArgumentParser = build_parser(only=words[0])
    for word in words:
        [sub] = [a for a in found._actions if isinstance(a, argparse._SubParsersAction)]
        found = sub.choices[word]
    return found


def help_text(words: tuple[str, ...]) -> str:
    proc = subprocess.run(
        [REGIME, *words, "--help"], capture_output=True, env=base_env({"COLUMNS": "100"})
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode()


def examples(epilog: str) -> list[list[str]]:
    """The regime commands of an epilog's Example(s) lines: each line is split as the
    shell splits it, at | ; < > && into commands; those that start with regime."""
    assert "Example" in epilog
    found: list[list[str]] = []
    for line in epilog.split("Example", 1)[1].splitlines()[1:]:
        if not line.startswith("  "):
            continue
        lexer = shlex.shlex(line.strip(), posix=True, punctuation_chars=True)
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token in ("|", ";", "<", ">", "&&", "||"):
                if command and command[0] == "regime":
                    found.append(command[1:])
                command = []
            else:
                command.append(token)
    return found


@pytest.mark.parametrize("words", PAGES, ids=" ".join)
def test_every_argument_is_described(words: tuple[str, ...]) -> None:
    parser = parser_of(words)
    text = help_text(words)
    assert parser.description, words
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        shown = action.metavar or (action.option_strings or [action.dest])[0]
        assert action.help and action.help != argparse.SUPPRESS, (words, shown)
        assert isinstance(shown, str)
        assert shown.upper() == shown or shown.startswith("--"), f"{words}: metavar of {shown}"
        # the description is on the page (argparse wraps it: compare its first words)
        first = " ".join(action.help.split()[:3])
        assert first in " ".join(text.split()), (words, shown, first)
    assert "Example" in text


@pytest.mark.parametrize("words", PAGES, ids=" ".join)
def test_the_examples_parse(words: tuple[str, ...]) -> None:
    parser = parser_of(words)
    assert parser.epilog
    found = examples(parser.epilog)
    assert found, words
    for example in found:
        assert example[: len(words)] == list(words), example  # an example of this page
        args = build_parser(only=example[0]).parse_args(example)  # exit 2 on a bad one
        assert args.command == words[0]


def test_regimes_own_examples_parse() -> None:
    top = build_parser()
    assert top.epilog
    for example in examples(top.epilog):
        build_parser(only=example[0]).parse_args(example)


def test_the_example_finder_sees_a_bad_example() -> None:
    """The examples test can fail: an option the command lacks is refused."""
    [bad] = examples("Example:\n  git diff | regime diff --colour -\n")
    with pytest.raises(SystemExit) as exc:
        build_parser(only="diff").parse_args(bad)
    assert exc.value.code == 2
