"""The snippets of README.md and docs/*.md are what a reader copies: every ```yaml block
is valid YAML, one that looks like a `.regime.yaml` (only policy keys at its top) loads
with regime's own strict policy loader (as a server policy when it has `server:`), and
every shell snippet parses: ```sh blocks and the `$ ` lines of ```console blocks with
both `bash -n` and `dash -n` (they are meant to be POSIX sh), ```bash blocks with
`bash -n`, and the shell inside the CI jobs (GitHub's `run:`, GitLab's `script:`) with
`dash -n`. Also: every file of docs/ is in docs/README.md's index, and the README
names the index."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from regime.policy.load import _TOP_KEYS, PolicyError, parse_policy

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.M | re.S)


def blocks(kind: str) -> list[tuple[str, str]]:
    """(FILE:LINE, text) of every fenced block of KIND."""
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            if m.group(1) == kind:
                line = text.count("\n", 0, m.start()) + 1
                out.append((f"{doc.relative_to(ROOT)}:{line}", m.group(2)))
    return out


def parses(shell: str, script: str) -> str | None:
    """None when SHELL -n accepts SCRIPT, else what it says."""
    proc = subprocess.run([shell, "-n"], input=script.encode(), capture_output=True, check=False)
    return None if proc.returncode == 0 else proc.stderr.decode(errors="replace")


def test_the_documents_have_snippets_of_each_kind() -> None:
    """So that the tests below cannot pass by finding nothing."""
    assert len(blocks("yaml")) >= 6
    assert len(blocks("sh")) >= 3
    assert len(blocks("console")) >= 2
    assert sum(1 for _where, text in blocks("yaml") if is_policy(yaml.safe_load(text))) >= 3


def is_policy(doc: Any) -> bool:
    return isinstance(doc, dict) and bool(doc) and set(doc) <= _TOP_KEYS | {"server"}


@pytest.mark.parametrize(("where", "text"), blocks("yaml"), ids=lambda v: str(v)[:40])
def test_yaml_snippets_are_valid(where: str, text: str) -> None:
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as err:
        pytest.fail(f"{where}: not valid YAML: {err}")
    for doc in docs:
        if is_policy(doc):
            # regime's own loader: unknown keys, bad globs, patterns RE2 refuses all fail
            parse_policy(text, where, server="server" in doc)
        for script in ci_scripts(doc):
            error = parses("dash", script)
            assert error is None, f"{where}: a CI script dash cannot parse:\n{script}\n{error}"


def ci_scripts(doc: Any) -> list[str]:
    """The shell of a GitHub workflow's `run:` steps and of a GitLab job's `script:`."""
    out: list[str] = []
    if not isinstance(doc, dict):
        return out
    for job in (doc.get("jobs") or {}).values():
        out += [step["run"] for step in job.get("steps", []) if "run" in step]
    for job in doc.values():
        if isinstance(job, dict) and isinstance(job.get("script"), list):
            out.append("\n".join(job["script"]) + "\n")
    return out


SHELL_BLOCKS = [(where, text, "sh") for where, text in blocks("sh")] + [
    (where, text, "bash") for where, text in blocks("bash")
]


@pytest.mark.parametrize(("where", "text", "kind"), SHELL_BLOCKS, ids=lambda v: str(v)[:40])
def test_shell_snippets_parse(where: str, text: str, kind: str) -> None:
    for shell in ("bash", "dash") if kind == "sh" else ("bash",):
        error = parses(shell, text)
        assert error is None, f"{where}: {shell} -n: {error}"


@pytest.mark.parametrize(("where", "text"), blocks("console"), ids=lambda v: str(v)[:40])
def test_console_commands_parse(where: str, text: str) -> None:
    commands = [line[2:] for line in text.splitlines() if line.startswith("$ ")]
    assert commands, f"{where}: a console block without a `$ ` command"
    for command in commands:
        for shell in ("bash", "dash"):
            error = parses(shell, command + "\n")
            assert error is None, f"{where}: {shell} -n {command!r}: {error}"


def test_a_broken_snippet_is_caught() -> None:
    """The checks above catch what they are for."""
    assert parses("dash", 'if [ "$x" = 1 ]; then echo ${x//0/}; fi\n') is None  # runtime only
    assert parses("dash", "if true; then echo\n") is not None
    assert parses("dash", "[[ -n $x ]] && echo (a)\n") is not None
    with pytest.raises(PolicyError, match=r"x\.yaml:2:3: .*WS999"):
        parse_policy("rules:\n  WS999:\n    severity: off\n", "x.yaml")


def test_every_document_is_in_the_index() -> None:
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w.-]+\.md)\)", index))
    present = {p.name for p in (ROOT / "docs").glob("*.md")} - {"README.md"}
    assert present <= linked, f"not in docs/README.md: {sorted(present - linked)}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/README.md)" in readme
    assert len(readme.splitlines()) <= 200, (
        "the README is the short way in; reference goes to docs/"
    )
