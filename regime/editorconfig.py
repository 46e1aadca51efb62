"""What a repository's ``.editorconfig`` files say about WS101 and WS102.

``indent_style = tab`` means tabs are wanted (WS101 does not apply to the file),
``trim_trailing_whitespace = false`` means trailing whitespace is kept (WS102 does
not apply); ``indent_style = space`` and ``trim_trailing_whitespace = true`` apply
the rule even to a file the rule's suffixes do not select. ``tab_width`` (or
``indent_size``) is the tab stop ``regime fix`` expands to.

The files are read with the reference Python core (the ``editorconfig`` package:
its ini reader and its glob, so sections mean what editors make of them, ``root =
true`` and nested files included), but never from the disk by the package itself:
a door hands over a :data:`Reader` that reads an ``.editorconfig`` from where the
change is (the index, a pushed commit, an svn transaction, a tree on disk), so on
a server the pushed ``.editorconfig`` counts, and no work tree is needed.

On a server the repository's files may only TIGHTEN the server's policy, as its
``.regime.yaml`` may: only ``indent_style = space`` and ``trim_trailing_whitespace
= true`` take effect there, unless the server lists the rule in
``server.may_loosen``. A malformed file is a POL002 finding naming it and its line;
what it says on its readable lines still counts (that is what editors do).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from regime.findings import Finding, Severity

if TYPE_CHECKING:
    from editorconfig.ini import EditorConfigParser

    from regime.changeset import Tree
    from regime.policy.model import Policy
    from regime.sources.git import BlobSizes
    from regime.sources.svn import Transaction

FILE = ".editorconfig"

#: Largest .editorconfig read: a real one is a few hundred bytes.
MAX_BYTES = 64 * 1024

#: What a door reads an ``.editorconfig`` with: its repository-relative path to its
#: bytes, or None when there is no regular file there (a symbolic link is never
#: followed: it is None too).
Reader = Callable[[str], bytes | None]

_RULES = ("WS101", "WS102")


@dataclass(frozen=True, slots=True)
class Settings:
    """What the ``.editorconfig`` files in force say of one file (None: nothing)."""

    tabs: bool | None = None  # WS101 applies (True), does not (False)
    trailing: bool | None = None  # WS102 applies (True), does not (False)
    tab_width: int | None = None

    def decides(self, code: str) -> bool | None:
        return self.tabs if code == "WS101" else self.trailing if code == "WS102" else None


_NOTHING = Settings()


@dataclass(slots=True)
class EditorConfigs:
    """The ``.editorconfig`` files of one tree, read through ``read`` as the files
    of the change ask for them (each once), and what they say of a path.

    ``tighten_only``: a server's reading (only what applies a rule counts, but for
    the rules in ``may_loosen``)."""

    read: Reader
    tighten_only: bool = False
    may_loosen: frozenset[str] = frozenset()
    problems_severity: Severity = Severity.WARNING
    _texts: dict[str, str | None] = field(default_factory=dict)
    _settings: dict[str, Settings] = field(default_factory=dict)
    _bare: set[str] = field(default_factory=set)  # folders with none on the way up
    _reported: set[str] = field(default_factory=set)
    _findings: list[Finding] = field(default_factory=list)

    def _text(self, path: str) -> str | None:
        if path not in self._texts:
            text: str | None = None
            try:
                data = self.read(path)
            except _TooBig:
                data = None
                self._problem(path, 1, f"is larger than {MAX_BYTES // 1024} KiB; it was not read")
            if data is not None:
                text = data.decode("utf-8", "replace")
                if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
                    line = text[: text.index("\ufffd")].count("\n") + 1
                    self._problem(path, line, "is not UTF-8 text (editors read it as UTF-8)")
            self._texts[path] = text
        return self._texts[path]

    def settings(self, path: str) -> Settings:
        """What the files in force say of ``path`` (repository-relative). A folder with
        no .editorconfig file on its way up says nothing of any of its files: that is
        found once a folder, not once a file (20,000 files cost 0.3 s)."""
        found = self._settings.get(path)
        if found is None:
            folder = path.rpartition("/")[0]
            if folder in self._bare:
                return _NOTHING
            found = self._settings[path] = self._resolve(path)
        return found

    def decides(self, code: str, path: str) -> bool | None:
        """Whether rule ``code`` applies to ``path`` as the files say (None: they say
        nothing that counts here, and the policy's own filter decides)."""
        said = self.settings(path).decides(code)
        if said is False and self.tighten_only and code not in self.may_loosen:
            return None
        return said

    def take_findings(self, context: str | None = None) -> list[Finding]:
        """The POL002 findings made since the last call."""
        found, self._findings = self._findings, []
        return [replace(f, context=context) for f in found] if context else found

    def _problem(self, path: str, line: int, what: str) -> None:
        if path in self._reported or self.problems_severity is Severity.OFF:
            return
        self._reported.add(path)
        self._findings.append(
            Finding(
                path, line, 0, "POL002",
                f"the .editorconfig file cannot be read well: {what}; fix it (its other "
                "lines are used as editors use them)",
                self.problems_severity,
            )
        )  # fmt: skip

    def _resolve(self, path: str) -> Settings:
        """The options for ``path``: the files from its folder up to the top (or to
        the first with ``root = true``), nearer ones winning, as the package's own
        handler merges them; the paths are given to its parser under a fake ``/`` so
        its globs see the repository as a file system."""
        target = "/" + path
        options: dict[str, str] = {}
        folder = start = path.rpartition("/")[0]
        any_file = False
        while True:
            conf = f"{folder}/{FILE}" if folder else FILE
            text = self._text(conf)
            if text is not None:
                any_file = True
                # the package only once a file is there (its import is 10 ms of every
                # hook run in a repository without one)
                from editorconfig.exceptions import ParsingError

                parser = _parser_class()(target)
                try:
                    parser._read(io.StringIO(text), "/" + conf)  # type: ignore[arg-type]
                except ParsingError as exc:
                    line, shown = exc.errors[0] if exc.errors else (1, "")
                    shown = shown.replace("\\r", "").replace("\\n", "")
                    self._problem(conf, line, f"line {line} is neither a [section] nor a "
                                  f"key = value: {shown}")  # fmt: skip
                for glob, why in getattr(parser, "bad", ()):
                    self._problem(conf, _header_line(text, glob), f"{why}; that section is "
                                  "left out")  # fmt: skip
                merged = dict(parser.options)
                merged.update(options)
                options = merged
                if parser.root_file:
                    break
            if not folder:
                break
            folder = folder.rpartition("/")[0]
        if not any_file:
            self._bare.add(start)
            return _NOTHING
        return _settings(options)


class _TooBig(Exception):
    pass


@cache
def _parser_class() -> type[EditorConfigParser]:
    """The package's parser, its section globs matched with RE2. The package's own
    glob translation makes a Python regex, which backtracks: a section ``[` `` + 30
    stars + ``x]`` took a minute for one name, and on a server the glob is the
    pusher's. The same regex run by RE2 takes linear time (matching as the package
    does: ``matches_filename`` below is its own, but for the engine)."""
    import posixpath

    from editorconfig.ini import EditorConfigParser

    class Parser(EditorConfigParser):
        #: the section globs that could not be used (their sections count for nothing)
        bad: list[tuple[str, str]]

        def matches_filename(self, config_filename: str, glob: str) -> bool:
            try:
                return self._matches(config_filename, glob)
            except (ValueError, RecursionError) as exc:
                if not hasattr(self, "bad"):
                    self.bad = []
                self.bad.append((glob, str(exc) if isinstance(exc, ValueError) else "nested "
                                 "too deeply"))  # fmt: skip
                return False

        def _matches(self, config_filename: str, glob: str) -> bool:
            config_dirname = posixpath.normpath(posixpath.dirname(config_filename))
            glob = glob.replace("\\#", "#").replace("\\;", ";")
            if "/" in glob:
                if glob.find("/") == 0:
                    glob = glob[1:]
                glob = posixpath.join(config_dirname, glob)
            else:
                glob = posixpath.join("**/", glob)
            return _glob_matches(posixpath.normpath(self.filename), glob)

    return Parser


#: Longest section glob used; a longer one is a POL002 (its section counts for nothing).
MAX_GLOB = 1024


@lru_cache(maxsize=1024)
def _glob(glob: str) -> tuple[Any, list[tuple[int, int]]]:
    if len(glob) > MAX_GLOB:
        raise ValueError(f"the section glob is longer than {MAX_GLOB} characters")
    import re2
    from editorconfig.fnmatch import translate

    text, numeric = translate(glob)
    if text.endswith("\\Z"):  # Python's end of text; RE2 spells it \z
        text = text[:-2] + "\\z"
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(text, options), numeric
    except re2.error as exc:
        raise ValueError(f"the section glob {glob[:60]!r} cannot be used") from exc


def _header_line(text: str, glob: str) -> int:
    """The line of the section header ``[glob]`` (1 when it cannot be told)."""
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip().startswith("[" + glob):
            return number
    return 1


def _glob_matches(name: str, glob: str) -> bool:
    """editorconfig.fnmatch.fnmatchcase, with the regex run by RE2."""
    regex, numeric = _glob(glob)
    match = regex.match(name)
    if not match:
        return False
    for number, (low, high) in zip(match.groups(), numeric, strict=False):
        if number is None or number[0] == "0" or not (low <= int(number) <= high):
            return False
    return True


def _settings(options: dict[str, str]) -> Settings:
    style = options.get("indent_style", "").lower()
    trim = options.get("trim_trailing_whitespace", "").lower()
    width: int | None = None
    for key in ("tab_width", "indent_size"):
        value = options.get(key, "").strip()
        if value.isdigit() and 0 < int(value) <= 64:
            width = int(value)
            break
    return Settings(
        tabs=True if style == "space" else False if style == "tab" else None,
        trailing=True if trim == "true" else False if trim == "false" else None,
        tab_width=width,
    )


def apply(policy: Policy, read: Reader | None) -> Policy:
    """``policy`` with WS101 and WS102 deciding their files by the ``.editorconfig``
    files ``read`` reads (unless the policy turns them off: ``editorconfig: false``).
    A copy: the door's policy is left as it is (one policy judges many trees)."""
    if read is None or not policy.editorconfig:
        return policy
    configs = EditorConfigs(
        read,
        tighten_only=policy.on_server,
        may_loosen=policy.server.may_loosen,
        problems_severity=policy.rule("POL002").severity,
    )
    rules = dict(policy.rules)
    for code in _RULES:
        rules[code] = replace(
            rules[code], decide=_decider(configs, code), _filter=rules[code]._filter
        )
    return replace(policy, rules=rules, editorconfigs=configs)


def _decider(configs: EditorConfigs, code: str) -> Callable[[str], bool | None]:
    return lambda path: configs.decides(code, path)


def disk_reader(root: str) -> Reader:
    """The ``.editorconfig`` files of a tree on disk (never through a link)."""
    import os

    from regime.sources.process import TooBig
    from regime.sources.tree import read_regular

    def read(path: str) -> bytes | None:
        if not folders_are_real(root, path):
            return None
        try:
            return read_regular(os.path.join(root, path), MAX_BYTES)
        except TooBig:
            raise _TooBig from None
        except OSError:
            return None

    return read


def folders_are_real(root: str, path: str) -> bool:
    """Whether every folder between ``root`` and ``path`` (repository-relative) is a
    real folder, no symbolic link: opening ``path`` with O_NOFOLLOW guards only its
    last part, and git never reads or writes beyond a link either."""
    import os
    import stat

    here = root
    for part in path.split("/")[:-1]:
        here = os.path.join(here, part)
        try:
            if not stat.S_ISDIR(os.lstat(here).st_mode):
                return False
        except OSError:
            return False
    return True


def git_reader(blobs: BlobSizes, rev: str | None, known: frozenset[str] | None = None) -> Reader:
    """The ``.editorconfig`` files of a commit's tree, or of the index (``rev`` None),
    from the door's ``git cat-file`` processes; a link in git is not a file here.
    With ``known``, only those paths can be one."""
    from regime.sources.process import TooBig

    asked = [0]

    def read(path: str) -> bytes | None:
        name = f"{rev or ''}:{path}"
        if known is not None and path not in known:
            return None
        # the index: past a few folders, its listing (one git ls-files for all), not a
        # question a folder to git cat-file (1,220 of them cost 2,000 staged files 0.6 s;
        # a one-file commit in a big repository is faster without the listing)
        asked[0] += 1
        if rev is None and asked[0] > 16 and blobs.mode(None, path) is None:
            return None
        if "\n" in path or blobs.size(name) is None:  # most folders have none: one question
            return None
        mode = blobs.mode(rev, path)
        if mode is None or not mode.startswith("10"):
            return None
        try:
            return blobs.read(name, MAX_BYTES)
        except TooBig:
            raise _TooBig from None

    return read


def svn_reader(transaction: Transaction) -> Reader:
    """The ``.editorconfig`` files of an svn transaction (``svnlook cat`` of those its
    tree lists); one that is an svn symbolic link (svn:special) is not read."""
    from regime.sources.process import TooBig

    def read(path: str) -> bytes | None:
        # most folders have none: the transaction's listing says so, not a process a
        # folder (1,250 folders cost 1,250 svnlook cats, 10 s)
        if path not in transaction.tree_ids():
            return None
        try:
            data = transaction.cat(path, MAX_BYTES)
        except TooBig:
            raise _TooBig from None
        if data is not None and data.startswith(b"link ") and transaction.special(path):
            return None
        return data

    return read


def per_commit(
    policy_of: Callable[[str], Policy], blobs: BlobSizes, ends: Sequence[Tree]
) -> Callable[[str], Policy]:
    """A commit's policy with the ``.editorconfig`` files of that commit's tree (one
    that changes an .editorconfig is judged by the new one), made once a commit.

    Only the .editorconfig files of the range's ends (``ends``: the trees of the
    commits pushed or checked and of those they build on, which the door lists for
    its tree check anyway) are looked for: asking git at every commit for every folder
    cost a push of 10,000 commits 3 s, and most repositories have none. A file that
    only commits in between hold (added, then removed again) is not seen: on a server,
    where .editorconfig files may only tighten, that judges those commits by the
    server's policy; in CI, where it might loosen, more strictly than it says."""
    known = frozenset(
        p for tree in ends for p in tree.paths() if p == FILE or p.endswith("/" + FILE)
    )
    if not known:
        return policy_of
    made: dict[str, Policy] = {}

    def policy(sha: str) -> Policy:
        found = made.get(sha)
        if found is None:
            found = made[sha] = apply(policy_of(sha), git_reader(blobs, sha, known))
        return found

    return policy
