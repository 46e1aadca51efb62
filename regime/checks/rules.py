"""The rule catalogue: stable codes, default severities, and the page that
``regime explain CODE`` prints."""

from __future__ import annotations

from dataclasses import dataclass

from regime.findings import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    default: Severity
    summary: str
    explain: str
    scope: str  # "lines" (added lines of files), "message", "diff", "policy", "infra", "limits"


RULES: dict[str, Rule] = {}


def _rule(code: str, name: str, default: Severity, scope: str, summary: str, explain: str) -> None:
    RULES[code] = Rule(code, name, default, summary, explain.strip("\n"), scope)


_rule(
    "WS101",
    "tab",
    Severity.ERROR,
    "lines",
    "a tab character in an added line",
    """
A line the change adds contains a tab character.

Why: tabs render at different widths in every editor and terminal, so indentation
that looks right to the author is wrong for the next admin. Configuration files
read by strict parsers may also treat a tab differently from spaces.

Only lines the change adds are checked; old lines never block new work.
Files: by default the source and config text files of a configuration repository
(see `regime init`), and scripts without a suffix by their shebang (`types:`,
docs/file-types.md); Makefiles and *.mk are excluded because make needs tabs.

Fix: `regime fix` expands the tabs of the lines the staged change adds, in the
index and the work tree, and leaves every old line as it is (tab stops from
.editorconfig `tab_width`/`indent_size`, else `rules.WS101.tab_width`, else 8).
A file with `indent_style = tab` in .editorconfig is not checked. Or exclude the
file in .regime.yaml:
    rules:
      WS101:
        extend_exclude: ["legacy/**"]
""",
)
_rule(
    "WS102",
    "trailing-whitespace",
    Severity.ERROR,
    "lines",
    "trailing whitespace in an added line",
    """
A line the change adds ends with whitespace: spaces, tabs, a lone carriage
return or other non-newline whitespace (no-break space, ideographic space, form
feed, vertical tab) before the line end. A line of whitespace only counts too.

The CR of a CRLF line ending is a line ending, not trailing whitespace: a CRLF
file is fine, but spaces before the CR are reported.

Why: invisible characters make diffs noisy, break `\\` continuation lines in
shell and make, and change values in files where whitespace is significant.

Fix: `regime fix` removes it from the lines the staged change adds, in the index
and the work tree, keeping CRLF ends and every old line as they are (a whole-file
edit would also change old lines, which this rule never asked for). Or exclude the
file in .regime.yaml, or say `trim_trailing_whitespace = false` for it in
.editorconfig. Markdown is excluded by default (two trailing spaces are a line
break there).
""",
)
_rule(
    "LOG101",
    "empty-message",
    Severity.ERROR,
    "message",
    "the log message says nothing",
    """
The log message has no letter or digit in any script: it is empty, or only
punctuation and whitespace. A message in Cyrillic, Greek or Japanese is fine.

Why: the log is the only record of why a production host changed.

Fix: say what the change does and why (`git commit --amend`, or `svn commit -m`).
""",
)
_rule(
    "LOG102",
    "required-pattern",
    Severity.OFF,
    "message",
    "the log message lacks the required pattern (e.g. a ticket id)",
    """
The log message does not contain a match of the policy's required pattern, for
example a ticket id. Off by default; turn it on in .regime.yaml:
    rules:
      LOG102:
        severity: error
        pattern: '\\b(OPS|NET)-[0-9]+\\b'
        help: "name the ticket, e.g. OPS-123"

The pattern is an RE2 regular expression (Python's syntax without look-ahead,
look-behind or back-references; at most 511 characters), searched anywhere in the
message in time linear in its length.
""",
)
_rule(
    "LOG103",
    "forbidden-pattern",
    Severity.OFF,
    "message",
    "the log message contains a forbidden pattern",
    """
The log message contains a match of the policy's forbidden pattern, for example
"WIP", "fixup!" or a password. Off by default; turn it on in .regime.yaml:
    rules:
      LOG103:
        severity: error
        pattern: '(?i)\\b(wip|do not merge)\\b'
""",
)
_rule(
    "LOG104",
    "subject-length",
    Severity.OFF,
    "message",
    "the subject line of the log message is too long",
    """
The first non-empty line of the log message is longer than the policy allows
(characters, not bytes). Off by default; turn it on in .regime.yaml:
    rules:
      LOG104:
        severity: warning
        max_length: 72
""",
)
_rule(
    "POL001",
    "bad-repository-policy",
    Severity.ERROR,
    "policy",
    "the repository's .regime.yaml is not a valid policy",
    """
On a server (Subversion pre-commit, git pre-receive) the admin's policy is the
authority, and a .regime.yaml committed to the repository may tighten it. This
change carries a .regime.yaml that cannot be read (bad YAML, an unknown key, a
wrong type), so the change is refused rather than guessing what was meant.

Fix: run `regime check` (or `regime staged`) locally, which names the file, line
and column of the problem, and commit the corrected file.
""",
)
_rule(
    "POL002",
    "bad-editorconfig",
    Severity.WARNING,
    "policy",
    "an .editorconfig file cannot be read well",
    """
An .editorconfig file that decides which files WS101 (tabs) and WS102 (trailing
whitespace) apply to has a line that is neither a `[section]` nor a `key = value`,
is not UTF-8, is larger than 64 KiB, or has a section glob that cannot be used.
Its readable lines still count, as editors read them; the finding names the file
and the first bad line.

Fix: correct the line (see https://editorconfig.org), or set `editorconfig: false`
in .regime.yaml if the repository's .editorconfig files are not meant for regime.
""",
)
_rule(
    "REF001",
    "replace-ref",
    Severity.ERROR,
    "refs",
    "the push creates, moves or deletes a replace ref (refs/replace/)",
    """
The push changes a ref under refs/replace/. A replace ref `refs/replace/ID` tells
git to show another object wherever object ID is asked for: everyone who fetches
it sees a different commit (its files, parents and message) in place of the real
one, in `git log`, `git show`, blame and most review tools. That rewrites what
history shows without any commit passing review, and a clean stand-in shown in
place of a bad commit is a way to get the bad commit past a reviewer.

regime itself never uses replace refs or grafts: it judges every commit as it was
pushed. Creating, moving and deleting a replace ref are all refused: deleting one
changes what history shows as much as creating it does.

Fix: push without it (git sends refs/replace/ only when asked, e.g. by a mirror
push or `git push origin 'refs/replace/*'`); `git replace -d ID` removes it
locally. If this server uses replace refs on purpose, its admin allows them in the
server policy (a repository's .regime.yaml cannot):
    rules:
      REF001:
        severity: off
""",
)
_rule(
    "DIFF001",
    "unreadable-diff",
    Severity.ERROR,
    "diff",
    "the part of the diff that describes this file could not be read",
    """
The diff of one file is malformed (a hunk shorter or longer than its header
says, a truncated stream, a hunk with no file header), so its added lines could
not be checked. regime never guesses: the file is reported and, by default,
the change is blocked. The other files of the change are still checked.

Fix: produce the diff again with a standard tool (`git diff`, `svn diff`,
`diff -u`). If the diff came from regime's own git or svnlook call, this is a
bug: please report it with the output of `--debug`.
""",
)

_rule(
    "LIM001",
    "file-over-size-limit",
    Severity.ERROR,
    "limits",
    "a file was not checked: it is larger than limits.max_file_size",
    """
A file's part of the diff (or the whole file, in `regime check PATH` and when the
infrastructure checks read the tree after the change) is larger than the policy's
`limits.max_file_size` (64 MiB by default). regime does not read such a file into
memory, so none of its lines were checked. The finding names the file, its size
and the limit. The rest of the change is still checked, and the infrastructure
checks go on without the file.

By default (`limits.over_limit: block`) this blocks: a change that was not fully
checked is not accepted. With `over_limit: allow` it is a warning and does not
block. Files no rule would look at (a suffix not in any rule's list, an excluded
path) are not reported: nothing in them would have been checked anyway.

Fix: keep files this large out of a configuration repository (generate them on
the host, or store them elsewhere), or raise the limit in the policy:
    limits:
      max_file_size: 256 MiB
On a server the server policy sets the limit; a repository's .regime.yaml can
only lower it.
""",
)
_rule(
    "LIM002",
    "time-limit",
    Severity.ERROR,
    "limits",
    "the run took longer than limits.max_seconds; the rest was not checked",
    """
The run reached the policy's `limits.max_seconds` (300 s by default) before it
had checked every file. The files (and commit messages, and the infrastructure
checks) not reached by then were not checked; the finding says how many and names
the first of them. What was checked before is reported as usual.

By default (`limits.over_limit: block`) this blocks; with `over_limit: allow` it
is a warning and does not block.

Fix: split the change into smaller ones (push fewer commits at a time), or raise
the limit in the policy:
    limits:
      max_seconds: 900
On a server the server policy sets the limit; a repository's .regime.yaml can
only lower it.
""",
)


def _register_infra() -> None:
    from regime.checks.rules_infra import INFRA_RULES

    for code, name, default, summary, explain in INFRA_RULES:
        _rule(code, name, default, "infra", summary, explain)


_register_infra()
