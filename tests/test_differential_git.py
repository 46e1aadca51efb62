"""regime's trailing-whitespace findings (WS102) against ``git diff --cached --check``.

hypothesis generates a base file set and an edit (new, modified, rewritten and deleted
files; tabs, spaces, CR, vertical tabs, form feeds, no-break and other Unicode spaces,
empty lines, CRLF line ends, no final newline, bytes that are not UTF-8; see
conftest.WS_ATOMS), commits the base in a real git repository and stages the edit.
``regime staged --format json`` (a real process) and

    git -c core.whitespace=blank-at-eol,-space-before-tab,-blank-at-eof diff --cached --check

must name the same lines, except where the two deliberately differ:

| on an added line ending in                       | git   | regime | why                                  |
|--------------------------------------------------|-------|--------|--------------------------------------|
| the CR of a CRLF line end (nothing else)          | flags | passes | the CR is the line end, not a space  |
| \\v, \\f, a no-break space or another Unicode space | passes| flags  | git's isspace() is ASCII space, \\t, \\n, \\r only |
| anything, in Markdown or a file WS102 does not check | flags | passes | the policy (docs/rules.md "Which files")   |

Each difference has its own test below, showing both tools' output on one example. The
property maps every added line on which the two differ to one of these, and checks the
converse: an added line on which a difference is predicted shows it. Everything else
agrees, including the look-alikes: a lone CR at the end of a line counts for both; NEL,
U+2028/U+2029, the ASCII separators \\x1c-\\x1f, zero-width spaces and bytes that are not
UTF-8 (a Latin-1 \\xa0 on its own) count for neither.

The property runs 30 examples by default, derandomized and without a database, so every
run (and CI) sees the same examples. ``REGIME_DIFF_EXAMPLES=N`` runs N examples and
``REGIME_DIFF_SEED=S`` draws them at random from seed S instead; ``bench/differential.py``
runs thousands that way.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from typing import TypeVar

from conftest import (
    WS_ATOMS,
    WS_FILE_NAMES,
    GitRepo,
    WsChange,
    base_env,
    regime_staged_findings,
    reset_to,
)
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

GIT_WHITESPACE = "blank-at-eol,-space-before-tab,-blank-at-eof"

# git's isspace() (ctype.c, sane_ctype: GIT_SPACE) is true for " ", \t, \n and \r only;
# ws.c looks backwards from the end of a line (its \n cut off) while isspace() holds.
GIT_SPACE = frozenset(b" \t\r")

# What regime calls trailing whitespace (docs/rules.md, WS102): str.isspace() less
# the characters that end a line (\n, NEL, U+2028, U+2029) and the ASCII information
# separators \x1c-\x1f. The CR of a CRLF line end is the line end, not part of the line.
REGIME_TRAILING = frozenset(
    " \t\r\v\f\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)

# Files WS102 does not check by default (docs/rules.md "Which files"): trailing whitespace is
# allowed in Markdown, and .txt is not in the list. Every other generated name is checked.
WS102_UNCHECKED = frozenset({"g.md", "h.txt"})

# The deliberate differences, by name.
CRLF = "git only: the CR of a CRLF line end"
NON_ASCII_SPACE = r"regime only: \v, \f or a Unicode space last on the line"
NOT_CHECKED = "git only: a file WS102 does not check"

T = TypeVar("T", bound=Callable[..., None])

# What an edit does to each line of the old file (kept as it is two times in seven).
FATES = ("keep", "keep", "drop", "add space", "add space", "strip", "other eol")


def differential_settings(default: int, env: str) -> Callable[[T], T]:
    """hypothesis settings for a differential property: ``default`` examples (or the
    number in the environment variable ``env``), derandomized and without a database
    unless REGIME_DIFF_SEED names a seed. Real processes are slow, so no deadline."""
    examples = int(os.environ.get(env, default))
    seed_text = os.environ.get("REGIME_DIFF_SEED")
    chosen = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed_text is None,
        # The repository is a fixture made once per test and reset at the start of every
        # example (conftest.reset_to), which is what this health check warns about.
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
    )

    def apply(test: T) -> T:
        test = chosen(test)
        if seed_text is not None:
            test = seed(int(seed_text))(test)
        return test

    return apply


def split_lines(data: bytes) -> list[bytes]:
    """Lines split at \\n only, each with its \\n (the last one may have none)."""
    pieces = data.split(b"\n")
    return [x + b"\n" for x in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


def one_alignment(old: bytes, new: bytes) -> bytes:
    """``new`` less the lines that would let two diffs from ``old`` be equally short:
    each line once, and the lines it shares with ``old`` (each once there too) in the
    order of ``old``. The lines they share are then the one longest common subsequence,
    and every diff tool that finds a shortest diff (git's, svn's) adds the same lines."""
    where = {line: i for i, line in enumerate(split_lines(old))}
    seen: set[bytes] = set()
    last = -1
    out: list[bytes] = []
    for line in split_lines(new):
        i = where.get(line)
        if line in seen or (i is not None and i < last):
            continue
        last = last if i is None else i
        seen.add(line)
        out.append(line)
    return b"".join(out)


def ws_changes(
    *, lone_cr: bool = True, deletions: bool = True, unique_lines: bool = False, max_files: int = 6
) -> st.SearchStrategy[WsChange]:
    """A strategy of WsChange: several files, some new, some modified (lines kept,
    dropped, inserted, given whitespace at the end or stripped of it, given the other
    line end), some rewritten, some unchanged, some deleted; some with CRLF line ends
    (all or some lines), some without a final newline.

    ``lone_cr=False``: a CR only as the CR of a CRLF line end, never inside a line nor
    alone at the end of a file. ``deletions=False``: no file is deleted.
    ``unique_lines=True``: no line twice in a file, and the lines a file keeps in their
    order (see one_alignment), so that only one shortest diff exists."""
    atoms = [a for a in WS_ATOMS if lone_cr or a != b"\r"]
    text = st.lists(st.sampled_from(atoms), max_size=6).map(b"".join)
    spaces = [a for a in atoms if a.decode("utf-8", "replace").isspace()]
    ends = ["as is", "newline", "no newline", *(["lone cr"] if lone_cr else [])]

    @st.composite
    def new_lines(draw: st.DrawFn, crlf: bool, max_size: int) -> list[bytes]:
        texts = draw(st.lists(text, max_size=max_size))
        eol = st.just(b"\r\n") if crlf else st.sampled_from([b"\n", b"\n", b"\n", b"\r\n"])
        return [t + draw(eol) for t in texts]

    def finish(lines: list[bytes], end: str) -> bytes:
        data = b"".join(lines)
        if end == "newline" and data and not data.endswith(b"\n"):
            data += b"\n"
        elif end == "no newline":
            data = data.removesuffix(b"\n").removesuffix(b"\r")
        elif end == "lone cr":  # the last line ends in a CR and nothing after it
            data = data.removesuffix(b"\n")
            if data and not data.endswith(b"\r"):
                data += b"\r"
        return data

    @st.composite
    def content(draw: st.DrawFn) -> bytes:
        crlf = draw(st.integers(0, 3)) == 0  # a file of CRLF lines one time in four
        return finish(draw(new_lines(crlf, 8)), draw(st.sampled_from(ends)))

    @st.composite
    def edit(draw: st.DrawFn, old: bytes) -> bytes:
        crlf = draw(st.integers(0, 3)) == 0
        out: list[bytes] = []
        for line in split_lines(old):
            out += draw(new_lines(crlf, 2))
            fate = draw(st.sampled_from(FATES))
            if fate == "drop":
                continue
            eol = b"\r\n" if line.endswith(b"\r\n") else b"\n"
            body = (
                line.removesuffix(b"\n").removesuffix(b"\r")
                if eol == b"\r\n"
                else line.removesuffix(b"\n")
            )
            if fate == "add space":  # whitespace added at its end
                body += b"".join(draw(st.lists(st.sampled_from(spaces), min_size=1, max_size=3)))
            elif fate == "strip":  # its trailing whitespace removed
                body = body.rstrip(b" \t\v\f\r")
            elif fate == "other eol":  # the other line end
                eol = b"\n" if eol == b"\r\n" else b"\r\n"
            out.append(body + eol)
        out += draw(new_lines(crlf, 3))
        return finish(out, draw(st.sampled_from(ends)))

    @st.composite
    def change(draw: st.DrawFn) -> WsChange:
        names = draw(
            st.lists(st.sampled_from(WS_FILE_NAMES), min_size=1, max_size=max_files, unique=True)
        )
        actions = ["new", "modify", "modify", "rewrite", "keep", *(["delete"] if deletions else [])]
        base: dict[str, bytes] = {}
        after: dict[str, bytes] = {}
        for name in names:
            action = draw(st.sampled_from(actions))
            old = b"" if action == "new" else draw(content())
            if unique_lines:
                old = one_alignment(b"", old)
            if action != "new":
                base[name] = old
            if action == "delete":
                continue
            if action == "modify":
                new = draw(edit(old))
            elif action == "keep":
                new = old
            else:
                new = draw(content())
            after[name] = one_alignment(old, new) if unique_lines else new
        return WsChange(base, after)

    return change()


# --- the two tools, and the model of where they differ ---------------------------------


def git_check_output(repo: GitRepo) -> tuple[int, list[bytes]]:
    """``git diff --cached --check`` with only blank-at-eol: exit status and output lines."""
    proc = subprocess.run(
        ["git", "-c", f"core.whitespace={GIT_WHITESPACE}", "diff", "--cached", "--check"],
        cwd=repo.path,
        env=base_env(),
        capture_output=True,
        check=False,
    )
    assert proc.returncode in (0, 2), proc.stderr.decode(errors="replace")
    return proc.returncode, proc.stdout.split(b"\n")[:-1]


def git_check(repo: GitRepo) -> set[tuple[str, int]]:
    """The (path, line) of every line git calls trailing whitespace. Its output is
    ``PATH:LINE: trailing whitespace.`` followed by the line with its "+"."""
    code, lines = git_check_output(repo)
    found: set[tuple[str, int]] = set()
    for raw in lines:
        if raw.startswith(b"+"):
            continue
        m = re.fullmatch(rb"(.+):(\d+): trailing whitespace\.", raw)
        assert m is not None, f"unexpected git --check output {raw!r}"
        found.add((m.group(1).decode("utf-8", "surrogateescape"), int(m.group(2))))
    assert (code == 2) == bool(found)
    return found


_HUNK = re.compile(rb"@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def added_lines(repo: GitRepo) -> set[tuple[str, int]]:
    """The (path, line) of every line the staged change adds, from the hunk headers of
    ``git diff --cached -U0`` (the same diff, renames included, that --check reads)."""
    proc = subprocess.run(
        ["git", "-c", "core.quotePath=false", "diff", "--cached", "-U0", "--no-color"],
        cwd=repo.path,
        env=base_env(),
        capture_output=True,
        check=True,
    )
    lines = proc.stdout.split(b"\n")
    added: set[tuple[str, int]] = set()
    path = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith(b"+++ "):
            # "+++ b/NAME", with a tab after a name that holds a space
            path = line[6:].rstrip(b"\t").decode("utf-8", "surrogateescape")
            continue
        m = _HUNK.match(line)
        if m is None:
            continue
        old = 1 if m.group(1) is None else int(m.group(1))
        start, new = int(m.group(2)), 1 if m.group(3) is None else int(m.group(3))
        added.update((path, n) for n in range(start, start + new))
        while old + new > 0:  # skip the hunk's lines (and its "\ No newline" notes)
            body = lines[i]
            i += 1
            if body.startswith(b"-"):
                old -= 1
            elif body.startswith(b"+"):
                new -= 1
    return added


def git_flags(raw: bytes) -> bool:
    """Whether git's blank-at-eol flags this line (raw bytes, with its \\n if any)."""
    last = raw.removesuffix(b"\n")[-1:]
    return bool(last) and last[0] in GIT_SPACE


def regime_text(raw: bytes) -> str:
    """The line as regime reads it: decoded with surrogateescape, without its line end
    (\\n or CRLF; a lone CR at the end of a file is part of the line)."""
    body = raw[:-2] if raw.endswith(b"\r\n") else raw.removesuffix(b"\n")
    return body.decode("utf-8", "surrogateescape")


def regime_flags(raw: bytes) -> bool:
    return regime_text(raw)[-1:] in REGIME_TRAILING


def why_different(path: str, raw: bytes) -> str | None:
    """The documented difference that makes the tools disagree on this added line,
    or None when they must agree."""
    if path in WS102_UNCHECKED:
        return NOT_CHECKED if git_flags(raw) else None
    by_git, by_regime = git_flags(raw), regime_flags(raw)
    if by_git and not by_regime:
        assert raw.endswith(b"\r\n"), raw  # the model allows no other reason
        return CRLF
    if by_regime and not by_git:
        assert regime_text(raw)[-1] not in " \t\r", raw
        return NON_ASCII_SPACE
    return None


# --- the property -------------------------------------------------------------------------


def compare(repo: GitRepo, change: WsChange) -> None:
    """Stage the change and compare regime's WS102 findings with git's, line by line."""
    reset_to(repo, change)
    code, found = regime_staged_findings(repo)
    assert not [f for f in found if f[2] not in ("WS101", "WS102")], found
    assert code == (1 if found else 0), (code, found)
    by_regime = {(path, line) for path, line, c in found if c == "WS102"}
    by_git = git_check(repo)
    added = added_lines(repo)
    assert by_git <= added, by_git - added
    assert by_regime <= added, by_regime - added
    for path, number in sorted(added):
        raw = change.lines_after(path)[number - 1]
        reason = why_different(path, raw)
        seen = (path, number) in by_git, (path, number) in by_regime
        where = f"{path}:{number} {raw!r}: git {seen[0]}, regime {seen[1]}, expected: {reason}"
        if reason is None:
            assert seen[0] == seen[1], where
            if seen[0]:
                event("agree: both flag")
        elif reason in (CRLF, NOT_CHECKED):
            assert seen == (True, False), where
        else:
            assert seen == (False, True), where
        if reason is not None:
            event(reason)


@differential_settings(30, "REGIME_DIFF_EXAMPLES")
@given(change=ws_changes())
def test_ws102_agrees_with_git_diff_check(repo: GitRepo, change: WsChange) -> None:
    compare(repo, change)


# --- each deliberate difference on one example ---------------------------------------------

FINDING = re.compile(r"^\S.*:\d+:\d+: [A-Z]+\d{3} .*$")


def both(repo: GitRepo, files: dict[str, bytes]) -> tuple[list[bytes], list[str], int]:
    """Stage new files; git's --check output lines, regime's finding lines and exit status."""
    for name, data in files.items():
        repo.write(name, data)
    repo.add()
    _, git_lines = git_check_output(repo)
    res = repo.regime("staged")
    assert res.code in (0, 1), res.text
    return git_lines, [x for x in res.out.splitlines() if FINDING.match(x)], res.code


def test_the_cr_of_a_crlf_line_end_is_whitespace_to_git_only(repo: GitRepo) -> None:
    git, regime, code = both(repo, {"a.c": b"int a;\r\n\r\nint b; \r\n"})
    assert git == [
        b"a.c:1: trailing whitespace.",
        b"+int a;\r",
        b"a.c:2: trailing whitespace.",
        b"+\r",
        b"a.c:3: trailing whitespace.",
        b"+int b; \r",
    ]
    # the CR is the line end; the space before it is trailing whitespace
    assert regime == ["a.c:3:7: WS102 trailing whitespace (1 space): remove it"]
    assert code == 1


def test_vertical_tab_and_form_feed_are_whitespace_to_regime_only(repo: GitRepo) -> None:
    git, regime, code = both(repo, {"a.c": b"int a;\v\nint b;\f\nint c; \v\n"})
    assert git == []
    assert regime == [
        "a.c:1:7: WS102 trailing whitespace (1 U+000B): remove it",
        "a.c:2:7: WS102 trailing whitespace (1 U+000C): remove it",
        # git stops at the \v, which it does not call a space; regime sees both
        "a.c:3:7: WS102 trailing whitespace (1 space, 1 U+000B): remove it",
    ]
    assert code == 1


def test_no_break_space_is_whitespace_to_regime_only(repo: GitRepo) -> None:
    git, regime, code = both(repo, {"a.c": "int a;\xa0\nint b; \xa0\n".encode()})
    assert git == []
    assert regime == [
        "a.c:1:7: WS102 trailing whitespace (1 no-break space): remove it",
        "a.c:2:7: WS102 trailing whitespace (1 space, 1 no-break space): remove it",
    ]
    assert code == 1


def test_unicode_spaces_are_whitespace_to_regime_only(repo: GitRepo) -> None:
    text = "a\u3000\nb\u2003\nc\u1680\nd\u202f\ne\u205f\nf\u2000\u200a\n"
    git, regime, code = both(repo, {"a.c": text.encode()})
    assert git == []
    assert regime == [
        "a.c:1:2: WS102 trailing whitespace (1 U+3000): remove it",
        "a.c:2:2: WS102 trailing whitespace (1 U+2003): remove it",
        "a.c:3:2: WS102 trailing whitespace (1 U+1680): remove it",
        "a.c:4:2: WS102 trailing whitespace (1 U+202F): remove it",
        "a.c:5:2: WS102 trailing whitespace (1 U+205F): remove it",
        "a.c:6:2: WS102 trailing whitespace (1 U+2000, 1 U+200A): remove it",
    ]
    assert code == 1


def test_markdown_is_checked_by_git_only(repo: GitRepo) -> None:
    git, regime, code = both(repo, {"g.md": b"A line break:  \nnext line\n"})
    assert git == [b"g.md:1: trailing whitespace.", b"+A line break:  "]
    assert (regime, code) == ([], 0)


def test_files_outside_the_list_are_checked_by_git_only(repo: GitRepo) -> None:
    git, regime, code = both(repo, {"h.txt": b"notes \n"})
    assert git == [b"h.txt:1: trailing whitespace.", b"+notes "]
    assert (regime, code) == ([], 0)


def test_look_alikes_on_which_both_agree(repo: GitRepo) -> None:
    """What might be taken for a difference but is none: a lone CR counts for both
    (before a CRLF, or alone at the end of the file); NEL, the line and paragraph
    separators, \\x1c-\\x1f, a zero-width space, a BOM and bytes that are not UTF-8
    (Latin-1 \\xa0 and \\x85 on their own) count for neither."""
    text = (
        b"a\r\r\n"
        + "b\x85\nc\u2028\nd\u2029\ne\x1c\nf\x1f\ng\u200b\nh\ufeff\n".encode()
        + b"i\xa0\nj\x85\nk\r"
    )
    git, regime, code = both(repo, {"a.c": text})
    assert git == [
        b"a.c:1: trailing whitespace.",
        b"+a\r\r",
        b"a.c:11: trailing whitespace.",
        b"+k\r",
    ]
    assert regime == [
        "a.c:1:2: WS102 trailing whitespace (1 carriage return): remove it",
        "a.c:11:2: WS102 trailing whitespace (1 carriage return): remove it",
    ]
    assert code == 1


def test_with_cr_at_eol_git_agrees_on_crlf_but_passes_a_lone_cr_at_the_end(
    repo: GitRepo,
) -> None:
    """git's cr-at-eol (bench/bench_staged.py compares with it) removes the CRLF
    difference, but git then also takes the CR of a last line without a newline for a
    line end, which regime calls trailing whitespace (a lone CR)."""
    repo.write("a.c", b"a\r\nb \r\nc\r\r\nd\r")
    repo.add()
    proc = subprocess.run(
        ["git", "-c", f"core.whitespace={GIT_WHITESPACE},cr-at-eol", "diff", "--cached", "--check"],
        cwd=repo.path,
        env=base_env(),
        capture_output=True,
        check=False,
    )
    assert proc.stdout.split(b"\n")[:-1] == [
        b"a.c:2: trailing whitespace.",
        b"+b \r",
        b"a.c:3: trailing whitespace.",
        b"+c\r\r",
    ]
    _, regime, code = both(repo, {})
    assert regime == [
        "a.c:2:2: WS102 trailing whitespace (1 space): remove it",
        "a.c:3:2: WS102 trailing whitespace (1 carriage return): remove it",
        "a.c:4:2: WS102 trailing whitespace (1 carriage return): remove it",
    ]
    assert code == 1
