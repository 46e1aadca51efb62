"""Find the routing tables that committed scripts use, to report the undefined ones (RT105).

``ip route add ... table uplink`` fails at boot ("table value is invalid") when no
rt_tables file defines ``uplink``; in an ifupdown ``up`` line or a boot script that
failure is easy to miss. This module reads text as a small subset of the POSIX shell
(quotes, backslash-newline continuations, comments, ``;``/``&&``/``||``/``|``/``&``,
``$(...)`` and backticks, redirections and here-documents) and then reads each ``ip``
command the way iproute2 parses its arguments.

What counts as a table use, following iproute2's own matching (``matches(arg, kw)`` is
true when ``arg`` is a non-empty prefix of ``kw``):

- ``ip [OPTIONS] route|mroute SUBCOMMAND ... table X``: any prefix of ``table`` (``t``,
  ``ta``, ``tab``, ...) and seg6local's ``vrftable``. The object is matched in ip.c's
  order, so ``r``/``ro`` mean ``route``, ``ru`` means ``rule``, ``mr`` means ``mroute``.
- ``ip rule|mrule ... table X`` or ``lookup X``: for ``table`` two letters at least, since
  ``t`` alone is ``tun_id`` in current iproute2; ``lookup`` in full, as ``ip rule add``
  requires (``ip rule show`` also takes a prefix of ``lookup``, accepted there).
- ``ip link add NAME type vrf table X``, and commands after ``ip netns exec NS`` /
  ``ip vrf exec NAME``, ``sudo``/``doas``/``env``/``nice``/``timeout``/``exec``,
  ifupdown's ``up``/``down``/``pre-up``/``post-up``/``pre-down``/``post-down``,
  systemd's ``ExecStart=-/sbin/ip ...`` and ``sh -c '...'``.

Global options are matched as ip.c does (``-n``/``-netns``, ``-f``/``-family``,
``-l``/``-loops`` and ``-rc``/``-rcvbuf`` take a value; ``-batch`` reads its commands
from elsewhere and is not followed). Words that are the values of other keywords
(``dev t``, ``via inet6 ...``, ``mtu lock 1400``) are skipped so they are not mistaken
for keywords. For ``ip route show|list|flush|save``, ``all`` and ``cache`` are keywords.

Tables that need no definition are left out: numbers ``ip`` accepts (``strtoul`` base 0
up to 4294967295, so ``0x10`` and ``010``, which is 8) and the built-in names. A table
given by a shell expansion (``$table``, ``${T}``, ``$(cmd)``) cannot be known statically:
it is returned with ``dynamic=True`` and :func:`undefined_tables` ignores it.

``ip -batch -`` (also ``-b``, ``-force -batch``, ``/dev/stdin``) with a here-document
as its stdin runs the body's lines as ip commands: they are read as the shell hands
them over and ip splits them (see :mod:`regime.iproute2.ip_batch`); so does
``cat <<EOF | ip -batch -``. Other here-document bodies are skipped, not read.

Not modelled: aliases and functions, ``eval``, ``ip -batch`` files and other pipes into
``ip -batch -``, per-namespace ``/etc/netns/NS/iproute2`` files.
"""

from __future__ import annotations

import bisect
import difflib
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from regime.findings import Problem
from regime.iproute2.rt_tables import (
    BUILTIN_TABLES,
    TableEntry,
    is_c_number,
    table_number,
)

__all__ = ["TableUse", "find_table_uses", "undefined_tables"]

_MAX_DEPTH = 16  # nesting of $(...), sh -c, netns exec beyond which text is not followed

# Characters the lexer reads one at a time; a run of anything else is one piece of a
# word, taken with one match (a script is mostly such runs).
_PLAIN = re.compile(r"[^ \t\n\\#'\"$`;&|()<>]+")
_PLAIN_IN_DOUBLE_QUOTES = re.compile(r'[^"\\$`]+')

# An ``ip`` that can be a command word once the shell has removed its quotes and
# backslashes: ``ip``, ``/sbin/ip``, ``i\p``, ``'ip'``, ``"i"p``. A text without one
# names no table (a command built by an expansion is never followed anyway), so it
# is not lexed at all: most scripts never run ip.
_QUIET_LINES = re.compile(r"(?:[^'\"`\\(){}<\n]*\n)+")
_MAY_RUN_IP = re.compile(r"i(?<![^\s/;&|()<>`'\"\\={}]i)(?:[\"']|\\\n?)*p(?![^\s;&|()<>`'\"\\])")


# A word that may be ip's ``-batch`` option (``-b``, ``--batch``, quoted or not). Batch
# lines are split by ip, not the shell (``"table"foo`` is two words there), so the
# whole-text shortcut below, which reads keywords the shell's way, is not taken.
_MAY_BATCH = re.compile(r"(?<![^\s'\"\\])-[-'\"\\]*b")

# Where a table word can stand: after a word that spells, once quotes and backslashes
# are removed, a table keyword (a prefix of ``table`` or ``lookup``, or ``vrftable``;
# a keyword is never made by an expansion). The pattern is looser than the lexer: it
# also finds such spellings inside quotes, comments and here-documents, and never
# asks whether the command is ip's; it only has to find every real one.
_SEP = r"(?:\\\n|[\\'\"]|\$')*"


def _rest(word: str, prefixes: bool) -> str:
    """After a keyword's first letter: the others with the removable characters
    allowed between them, each optional with ``prefixes`` (``t(?:a(?:b...)?)?``)."""
    out = ""
    for letter in reversed(word[1:]):
        out = f"(?:{_SEP}{letter}{out})?" if prefixes else f"{_SEP}{letter}{out}"
    return out


_T, _L, _V = _rest("table", True), _rest("lookup", True), _rest("vrftable", False)
# It starts with the class of a keyword word's first character, so that re skips to
# the candidates at C speed (a leading look-behind would be tried at every position);
# the look-behind after it checks that a word starts there.
_KEYWORD = re.compile(
    r"[tlv\\'\"$](?<![^\s;&|()`][tlv\\'\"$])"
    rf"(?:(?<=t){_T}|(?<=l){_L}|(?<=v){_V}|(?:(?<=\$)'|(?<=\\)\n?|(?<=['\"]))"
    rf"{_SEP}(?:t{_T}|l{_L}|v{_V}))" + _SEP + r"(?=[\s;&|()<>]|\Z)"
)
# The keywords not plainly followed by a table that needs no definition: a decimal
# number below 10**9 (no leading zero: that is octal to strtoul) or a built-in name.
# The others, most of a script of ``table 100`` lines, are passed over in C.
_KEYWORD_TO_LOOK_AT = re.compile(
    _KEYWORD.pattern
    + r"(?![ \t]+(?:0|[1-9][0-9]{0,8}|"
    + "|".join(sorted(BUILTIN_TABLES))
    + r")(?=[ \t\n;&|)]|\Z))"
)
# A keyword followed, in the same command, by a plain word (no character the lexer
# treats specially, so the word's value is its text) that ends there.
_PLAIN_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z0-9_.:+-]+)(?=[ \t\n;&|)]|\Z)")


# Shell text as far as it holds nothing but what this pattern knows to read exactly as
# the lexer does: plain runs, single quotes, double quotes with escapes and plain
# parameters, backslashes, parameters, redirections, and a "#" inside a word. It stops
# at a comment (a "#" where a word starts) and at anything else: a substitution, a
# here-document, ``${``, ``$'``, an unclosed quote. Possessive, so it never backtracks.
_PARAMETER = r"\$(?=[A-Za-z0-9_@*#?!$-])"
_UP_TO_A_COMMENT = re.compile(
    r"(?:[^'\"\\#$`<\n]++|\n|'[^']*+'|\"(?:[^\"\\$`]++|\\[\s\S]|" + _PARAMETER + r")*+\""
    r"|\\[\s\S]|" + _PARAMETER + r"|<(?!<)|(?<=[^\s;&|()])#|(?<=\\\n)#)*+"
)


def _comments(text: str) -> list[tuple[int, int]] | None:
    """The comments of the text as (start, end) spans, or None when the text holds
    something ``_UP_TO_A_COMMENT`` does not read (then no span is known for sure)."""
    spans: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while True:
        m = _UP_TO_A_COMMENT.match(text, pos)
        pos = m.end() if m is not None else pos
        if pos >= n:
            return spans
        if text[pos] != "#":
            return None
        end = text.find("\n", pos)
        end = n if end < 0 else end
        spans.append((pos, end))
        pos = end


def _names_no_table(text: str) -> bool:
    """Whether every table keyword of the text outside its comments is followed by a
    number or a built-in name, which need no definition: then no ``ip`` command of it
    can use a table that RT105 reports or that is dynamic, and the text need not be
    lexed at all (scripts full of ``ip route add ... table 100`` are common, and
    lexing them is the cost)."""
    comments: list[tuple[int, int]] | None = None
    for m in _KEYWORD_TO_LOOK_AT.finditer(text):
        nxt = _PLAIN_NEXT_WORD.match(text, m.end())
        if nxt is not None and (
            nxt.group(1) in BUILTIN_TABLES or table_number(nxt.group(1)) is not None
        ):
            continue
        if comments is None:
            comments = _comments(text)
            if comments is None:
                return False
        at = bisect.bisect_right(comments, (m.start(), len(text))) - 1
        if at < 0 or not comments[at][0] <= m.start() < comments[at][1]:
            return False
    return True


@dataclass(frozen=True)
class TableUse:
    """A table named in an ``ip`` command. ``col`` is the 1-based column of the table
    word, ``text`` the physical line it is on. ``command`` is the ip object
    (``route``, ``rule``, ``mroute``, ``mrule`` or ``vrf``); ``dynamic`` marks a word
    made by a shell expansion, whose value is unknown (``name`` is then partial)."""

    name: str
    path: str
    line: int
    col: int
    text: str
    command: str = "route"
    dynamic: bool = False


# ---------------------------------------------------------------------------
# A small shell lexer: text -> simple commands -> words


@dataclass(frozen=True)
class _Word:
    value: str  # after quote removal; expansions contribute nothing
    start: int  # offset of the word's first character in the text
    end: int
    dynamic: bool  # holds a parameter, command or arithmetic expansion
    quoted: bool


@dataclass
class _Heredoc:
    """A here-document: its delimiter, whether ``<<-`` strips leading tabs, whether the
    delimiter was quoted (then the body is literal, else the shell expands ``$...``
    and backquotes in it and joins backslash-newlines), and the span of its body in
    ``text`` (set when the lexer reaches the body, after the command's line)."""

    delimiter: str
    strip: bool
    quoted: bool
    text: str
    start: int = 0
    end: int = 0


@dataclass
class _Builder:
    """The word and the simple command being assembled."""

    command: list[_Word] = field(default_factory=list)
    buf: list[str] = field(default_factory=list)
    in_word: bool = False
    dynamic: bool = False
    quoted: bool = False
    escaped: bool = False  # a backslash quoted a character of the word
    start: int = 0
    discard_next: bool = False  # the next word is a redirection target
    heredoc_next: bool | None = None  # the next word is a here-doc delimiter (strip tabs?)
    heredoc_to_stdin: bool = True  # ... and the here-doc is the command's stdin (no 3<<)
    stdin: _Heredoc | None = None  # the here-doc the command reads as its stdin

    def begin(self, pos: int) -> None:
        if not self.in_word:
            self.in_word, self.start = True, pos

    def add(self, text: str, pos: int) -> None:
        self.begin(pos)
        self.buf.append(text)

    def end_word(self, pos: int, pending: list[_Heredoc], text: str) -> None:
        if self.in_word:
            value = "".join(self.buf)
            if self.heredoc_next is not None:
                doc = _Heredoc(value, self.heredoc_next, self.quoted or self.escaped, text)
                pending.append(doc)
                if self.heredoc_to_stdin:
                    self.stdin = doc
                self.heredoc_next = None
            elif self.discard_next:
                self.discard_next = False
            else:
                self.command.append(_Word(value, self.start, pos, self.dynamic, self.quoted))
        self.drop_word()

    def drop_word(self) -> None:
        self.buf, self.in_word, self.dynamic, self.quoted = [], False, False, False
        self.escaped = False


class _Lexer:
    """Splits shell text into simple commands. Command substitutions are lexed as
    commands of their own (they run too) and make the enclosing word dynamic."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.commands: list[list[_Word]] = []
        self.stdin_of: dict[int, _Heredoc] = {}  # command index -> the here-doc it reads
        self.pending: list[_Heredoc] = []  # here-docs whose body comes next
        self._ip_at = -1  # see _next_ip
        self._piped: _Heredoc | None = None  # `cat <<EOF |`: the next command's stdin

    def run(self) -> list[list[_Word]]:
        self._run(self._skip_quiet_lines(0), None, 0)
        return self.commands

    def _finish(self, b: _Builder, pos: int) -> None:
        b.end_word(pos, self.pending, self.text)
        if b.command:
            stdin = b.stdin or self._piped
            if stdin is not None:
                self.stdin_of[len(self.commands)] = stdin
            self.commands.append(b.command)
            self._piped = None
        b.command = []
        b.discard_next, b.heredoc_next, b.stdin = False, None, None

    def _run(self, pos: int, stop: str | None, depth: int) -> int:
        text, n = self.text, len(self.text)
        b = _Builder()
        parens = 0
        while pos < n:
            c = text[pos]
            if (c == "`" and stop == "`") or (c == ")" and stop == ")" and parens == 0):
                self._finish(b, pos)
                return pos + 1
            if c in " \t":
                b.end_word(pos, self.pending, text)
                pos += 1
            elif c == "\n":
                self._finish(b, pos)
                pos = self._skip_quiet_lines(self._skip_heredocs(pos + 1))
            elif c == "\\":
                if text.startswith("\n", pos + 1):
                    pos += 2
                else:
                    b.add(text[pos + 1 : pos + 2] or "\\", pos)
                    b.escaped = True
                    pos += 2
            elif c == "#" and not b.in_word:
                end = text.find("\n", pos)
                pos = n if end < 0 else end
            elif c == "'":
                b.begin(pos)
                b.quoted = True
                end = text.find("'", pos + 1)
                end = n if end < 0 else end
                b.buf.append(text[pos + 1 : end])
                pos = end + 1
            elif c == '"':
                pos = self._double_quoted(pos, b, depth)
            elif c == "$":
                pos = self._dollar(pos, b, depth, quoted=False)
            elif c == "`":
                b.begin(pos)
                b.dynamic = True
                pos = self._substitution(pos + 1, "`", depth)
            elif c in ";&|":
                self._finish(b, pos)
                self._piped = None
                if c == "|" and text[pos - 1 : pos] != "|" and text[pos + 1 : pos + 2] not in "|&":
                    self._piped = self._cat_of_heredoc()
                pos += 1
            elif c == "(":
                self._finish(b, pos)
                parens += 1
                pos += 1
            elif c == ")":
                self._finish(b, pos)
                parens = max(0, parens - 1)
                pos += 1
            elif c in "<>":
                pos = self._redirection(pos, b)
            else:
                m = _PLAIN.match(text, pos)
                end = m.end() if m is not None else pos + 1
                b.add(text[pos:end], pos)
                pos = end
        self._finish(b, n)
        return n

    def _cat_of_heredoc(self) -> _Heredoc | None:
        """The here-document the command just finished copies to its stdout, when it is
        ``cat`` (no file, or ``-``) reading one: ``cat <<EOF | ip -batch -``."""
        index = len(self.commands) - 1
        doc = self.stdin_of.get(index)
        if doc is None:
            return None
        words = self.commands[index]
        if words[0].dynamic or posixpath.basename(words[0].value) != "cat":
            return None
        return doc if all(w.value == "-" for w in words[1:]) else None

    def _double_quoted(self, pos: int, b: _Builder, depth: int) -> int:
        text, n = self.text, len(self.text)
        b.begin(pos)
        b.quoted = True
        pos += 1
        while pos < n:
            c = text[pos]
            if c == '"':
                return pos + 1
            if c == "\\" and pos + 1 < n and text[pos + 1] in '$`"\\\n':
                if text[pos + 1] != "\n":
                    b.buf.append(text[pos + 1])
                pos += 2
            elif c == "$":
                pos = self._dollar(pos, b, depth, quoted=True)
            elif c == "`":
                b.dynamic = True
                pos = self._substitution(pos + 1, "`", depth)
            else:
                m = _PLAIN_IN_DOUBLE_QUOTES.match(text, pos)
                end = m.end() if m is not None else pos + 1
                b.buf.append(text[pos:end])
                pos = end
        return n

    def _dollar(self, pos: int, b: _Builder, depth: int, *, quoted: bool) -> int:
        text, n = self.text, len(self.text)
        b.begin(pos)
        nxt = text[pos + 1 : pos + 2]
        if nxt == "(":
            b.dynamic = True
            if text.startswith("((", pos + 1):
                return skip_balanced(self.text, pos + 1, "(", ")", len(self.text))
            return self._substitution(pos + 2, ")", depth)
        if nxt == "{":
            b.dynamic = True
            return skip_balanced(self.text, pos + 1, "{", "}", len(self.text))
        if nxt == "'" and not quoted:  # $'...' (ANSI-C quoting): a literal
            b.quoted = True
            pos += 2
            while pos < n and text[pos] != "'":
                if text[pos] == "\\" and pos + 1 < n:
                    pos += 1
                b.buf.append(text[pos])
                pos += 1
            return pos + 1
        if nxt and (nxt.isascii() and (nxt.isalpha() or nxt == "_")):
            b.dynamic = True
            end = pos + 2
            while end < n and (text[end].isascii() and (text[end].isalnum() or text[end] == "_")):
                end += 1
            return end
        if nxt and nxt in "0123456789@*#?$!-":
            b.dynamic = True
            return pos + 2
        b.buf.append("$")
        return pos + 1

    def _substitution(self, pos: int, stop: str, depth: int) -> int:
        """Lex ``$(...)`` or a backtick substitution starting at ``pos`` (after the
        opener); past ``_MAX_DEPTH`` nesting, skip it without reading it."""
        if depth < _MAX_DEPTH:
            return self._run(pos, stop, depth + 1)
        if stop == ")":
            return skip_balanced(self.text, pos - 1, "(", ")", len(self.text))
        return skip_backquoted(self.text, pos, len(self.text))

    def _redirection(self, pos: int, b: _Builder) -> int:
        fd = "0" if self.text[pos] == "<" else "1"
        if b.in_word and not b.quoted and not b.dynamic and "".join(b.buf).isdigit():
            fd = "".join(b.buf).lstrip("0") or "0"
            b.drop_word()  # `2>/dev/null`: the 2 is part of the redirection
        else:
            b.end_word(pos, self.pending, self.text)
        text = self.text
        if fd == "0" and text[pos] == "<":
            b.stdin = None  # a later redirection of stdin replaces a here-doc before it
        if text.startswith("<<<", pos):
            b.discard_next = True
            return pos + 3
        if text.startswith("<<", pos):
            strip = text.startswith("-", pos + 2)
            b.heredoc_next = strip
            b.heredoc_to_stdin = fd == "0"
            return pos + (3 if strip else 2)
        pos += 1
        while pos < len(text) and text[pos] in "<>&|":
            pos += 1
        b.discard_next = True
        return pos

    def _skip_quiet_lines(self, pos: int) -> int:
        """Past the lines from ``pos`` on that cannot name a table: no ``ip`` word and
        none of the characters that carry the lexer's state past a line's end
        (quotes, backslashes, parentheses, braces, ``<<``). At a line's start with
        nothing pending, such lines hold whole commands that are not ip's, so
        skipping them changes nothing but the time (most lines of most scripts)."""
        # Only up to the line of the next ip word, found once and kept: matching the
        # whole quiet stretch at every line of a script made of ip lines cost time
        # with the square of its length (8,000 lines: 10 s).
        ip = self._next_ip(pos)
        limit = self.text.rfind("\n", pos, ip) + 1 if ip < len(self.text) else len(self.text)
        if limit <= pos:
            return pos
        m = _QUIET_LINES.match(self.text, pos, limit)
        return pos if m is None else m.end()

    def _next_ip(self, pos: int) -> int:
        """Where the first ``ip`` word at or after ``pos`` starts (the text's length if
        none). A match does not depend on where the search starts (the look-behind
        sees the text before it), so the last one found serves until ``pos`` passes it."""
        if self._ip_at < pos:
            m = _MAY_RUN_IP.search(self.text, pos)
            self._ip_at = len(self.text) if m is None else m.start()
        return self._ip_at

    def _skip_heredocs(self, pos: int) -> int:
        text = self.text
        for doc in self.pending:
            doc.start = doc.end = min(pos, len(text))
            while pos < len(text):
                end = text.find("\n", pos)
                end = len(text) if end < 0 else end
                line = text[pos:end]
                if (line.lstrip("\t") if doc.strip else line) == doc.delimiter:
                    pos = end + 1
                    break
                pos = doc.end = min(end + 1, len(text))
        self.pending = []
        return min(pos, len(text))


# ---------------------------------------------------------------------------
# Reading ip commands


def _matches(arg: str, keyword: str) -> bool:
    """iproute2's ``matches(arg, keyword) == 0``: arg is a non-empty prefix of keyword."""
    return bool(arg) and keyword.startswith(arg)


def _first_match(arg: str, keywords: Sequence[str]) -> str | None:
    return next((kw for kw in keywords if _matches(arg, kw)), None)


# ip.c's objects, in its order: the first one the word is a prefix of wins.
_OBJECTS = (
    "address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable",
    "ntbl", "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tunl", "tuntap", "tap",
    "token", "tcpmetrics", "tcp_metrics", "monitor", "xfrm", "mroute", "mrule", "netns",
    "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam", "stats", "help",
)  # fmt: skip

# ip.c's global options in its order: (name, takes a value, matched exactly).
_IP_OPTIONS: tuple[tuple[str, bool, bool], ...] = (
    ("-loops", True, False), ("-family", True, False), ("-4", False, True),
    ("-6", False, True), ("-0", False, True), ("-D", False, True), ("-M", False, True),
    ("-B", False, True), ("-human", False, False), ("-human-readable", False, False),
    ("-iec", False, False), ("-stats", False, False), ("-statistics", False, False),
    ("-details", False, False), ("-resolve", False, False), ("-oneline", False, False),
    ("-timestamp", False, False), ("-tshort", False, False), ("-Version", False, False),
    ("-force", False, False), ("-batch", True, False), ("-brief", False, False),
    ("-json", False, False), ("-pretty", False, False), ("-rcvbuf", True, False),
    ("-color", False, False), ("-help", False, False), ("-netns", True, False),
    ("-Numeric", False, False), ("-all", False, False),
)  # fmt: skip

_ROUTE_SUBCOMMANDS = (
    "add", "change", "chg", "replace", "prepend", "append", "test", "delete", "list",
    "show", "lst", "get", "flush", "save", "restore", "showdump", "help",
)  # fmt: skip
_RULE_SUBCOMMANDS = ("list", "lst", "show", "save", "restore", "flush", "add", "delete", "help")
_LISTING = frozenset({"list", "lst", "show", "flush", "save"})

# Keywords whose next word is a value, so that value is never read as a keyword.
_ROUTE_EXACT = frozenset({
    "src", "as", "via", "from", "to", "tos", "expires", "preference", "scope", "mtu",
    "hoplimit", "advmss", "rtt", "rto_min", "nhid", "dev", "oif", "iif", "ttl-propagate",
    "weight", "mark", "ipproto", "sport", "dport", "root", "match", "exact", "type",
})  # fmt: skip
_ROUTE_PREFIX = (
    "dsfield", "metric", "priority", "reordering", "window", "cwnd", "initcwnd", "initrwnd",
    "features", "quickack", "congctl", "rttvar", "ssthresh", "realms", "protocol", "vrf",
    "pref", "fastopen_no_cookie",
)  # fmt: skip
_LOCKABLE = frozenset({
    "mtu", "hoplimit", "advmss", "rtt", "reordering", "window", "cwnd", "initcwnd",
    "initrwnd", "congctl", "rttvar", "ssthresh",
})  # fmt: skip
_FAMILIES = frozenset({"inet", "inet6", "link", "mpls", "bridge", "ipx", "dnet", "any"})
_RULE_EXACT = frozenset({
    "from", "to", "tos", "fwmark", "dev", "iif", "oif", "nat", "uidrange", "ipproto",
    "sport", "dport", "sup_pl", "sup_group", "goto", "type", "dscp", "flowlabel", "src", "dst",
})  # fmt: skip
_RULE_PREFIX = (
    "preference", "order", "priority", "realms", "map-to", "tun_id", "protocol",
    "suppress_prefixlength", "suppress_ifgroup", "dsfield",
)  # fmt: skip

# Words that may come before the command itself.
_IFUPDOWN = frozenset({"up", "down", "pre-up", "post-up", "pre-down", "post-down"})
_SHELL_WORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}"})
# Command wrappers: (options that take a value, positional words before the command).
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-T", "-U", "-R"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "-S", "--unset", "--chdir"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "-P", "-u"}), 0),
    "timeout": (frozenset({"-k", "-s", "--kill-after", "--signal"}), 1),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "exec": (frozenset({"-a"}), 0),
    "time": (frozenset({"-f", "-o"}), 0),
    "nohup": (frozenset(), 0),
    "command": (frozenset(), 0),
    "busybox": (frozenset(), 0),
}
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh"})
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class _Found:
    word: _Word
    command: str


def _command_start(words: Sequence[_Word]) -> tuple[int, str] | None:
    """Index and base name of the command word, after assignments, shell keywords,
    ifupdown's hook names and wrappers such as sudo; None when it cannot be known."""
    i = 0
    while i < len(words):
        word = words[i]
        if match := _ASSIGNMENT.match(word.value):
            # systemd: ExecStart=-/sbin/ip ... (a shell would run the next word instead)
            target = posixpath.basename(word.value[match.end() :].lstrip("-@:+!"))
            if not word.dynamic and (target == "ip" or target in _SHELLS):
                return i, target
            i += 1
            continue
        if word.dynamic:
            return None
        value = word.value
        if value in _IFUPDOWN or value in _SHELL_WORDS:
            i += 1
        elif value in _WRAPPERS:
            with_value, positionals = _WRAPPERS[value]
            i += 1
            while i < len(words) and words[i].value.startswith("-") and words[i].value != "-":
                option = words[i].value
                if value == "command" and option[1:2] in ("v", "V"):
                    return None  # `command -v ip` only looks ip up
                i += 2 if option in with_value else 1
                if option == "--":
                    break
            while i < len(words) and _ASSIGNMENT.match(words[i].value):
                i += 1
            i += positionals
        else:
            return i, posixpath.basename(value)
    return None


def _ip_options(args: Sequence[_Word]) -> tuple[int | None, _Word | None]:
    """Where the object word is after ip's global options (None: there is none, or
    ``-Version``/``-help`` end ip first), and the file of the last ``-batch FILE``.

    ip.c reads every global option before it acts, then runs the batch if one was
    given, whatever follows: ``ip -batch - route ...`` reads its commands from stdin.
    """
    k = 0
    batch: _Word | None = None
    while k < len(args):
        value = args[k].value
        if args[k].dynamic:
            k += 1  # `ip $FAMILY route ...`: most likely an option
            continue
        if not value.startswith("-"):
            return k, batch
        if value == "--":
            return k + 1, batch
        opt = value[1:] if value.startswith("--") else value
        for name, takes_value, exact in _IP_OPTIONS:
            if name == "-color":
                hit = _matches(opt.split("=", 1)[0], name)
            else:
                hit = opt == name if exact else _matches(opt, name)
            if hit:
                if name in ("-Version", "-help"):
                    return None, None
                if name == "-batch":
                    if k + 1 >= len(args):
                        return None, None  # ip: "batch file" is missing
                    batch = args[k + 1]
                k += 2 if takes_value else 1
                break
        else:
            k += 1  # unknown to this table (newer ip?): take it as a flag
    return None, batch


def _value_count(
    args: Sequence[_Word], j: int, exact: frozenset[str], prefix: tuple[str, ...]
) -> int:
    """How many words after ``args[j]`` are its values."""
    word = args[j]
    value = word.value
    if word.dynamic or not (value in exact or any(_matches(value, kw) for kw in prefix)):
        return 0
    nxt = args[j + 1].value if j + 1 < len(args) else None
    if value == "via" and nxt in _FAMILIES:
        return 2
    if value == "as" and nxt == "to":
        return 2
    lockable = value in _LOCKABLE or any(_matches(value, kw) for kw in prefix if kw in _LOCKABLE)
    if lockable and nxt == "lock":
        return 2
    return 1


def _scan_tables(
    args: Sequence[_Word],
    command: str,
    listing: bool,
    exact: frozenset[str],
    prefix: tuple[str, ...],
    rule: bool,
) -> Iterator[_Found]:
    """The words after table keywords in the arguments of a route or rule subcommand.
    Values of other keywords are stepped over, as iproute2's NEXT_ARG() does."""
    j = 0
    while j < len(args):
        word = args[j]
        value = word.value
        is_keyword = not word.dynamic and (
            (rule and ((len(value) >= 2 and _matches(value, "table")) or value == "lookup"))
            or (rule and listing and _matches(value, "lookup"))
            or (not rule and (_matches(value, "table") or value == "vrftable"))
        )
        if is_keyword:
            if j + 1 >= len(args):
                return
            table = args[j + 1]
            keyword = not rule and listing and table.value in ("all", "cache", "help")
            if table.dynamic or not keyword:
                yield _Found(table, command)
            j += 2
            continue
        j += 1 + _value_count(args, j, exact, prefix)


def _batch_commands(doc: _Heredoc) -> Iterator[list[_Word]]:
    """The commands of a here-document ``ip -batch -`` reads (see ``ip_batch``)."""
    from regime.iproute2.ip_batch import batch_commands

    for command in batch_commands(
        doc.text, doc.start, doc.end, strip_tabs=doc.strip, expand=not doc.quoted
    ):
        yield [_Word(w.value, w.start, w.end, w.dynamic, w.quoted) for w in command]


#: The batch files that are ip's stdin.
_STDIN_FILES = frozenset({"-", "/dev/stdin", "/proc/self/fd/0", "/dev/fd/0"})


def _ip_tables(args: Sequence[_Word], depth: int, stdin: _Heredoc | None) -> Iterator[_Found]:
    """Table words of one ``ip`` command; ``args`` follow the ``ip`` word. ``stdin`` is
    the here-document the command reads, if any: ``ip -batch -`` runs its lines."""
    k, batch = _ip_options(args)
    if batch is not None:
        if stdin is not None and not batch.dynamic and batch.value in _STDIN_FILES:
            for words in _batch_commands(stdin):
                yield from _object_tables(words, 0, depth, None)
        return  # a batch file elsewhere is not read
    if k is not None:
        yield from _object_tables(args, k, depth, stdin)


def _object_tables(
    args: Sequence[_Word], k: int, depth: int, stdin: _Heredoc | None
) -> Iterator[_Found]:
    """Table words of ``OBJECT ARGS...`` from ``args[k]`` on: the rest of an ``ip``
    command line after its options, or one line of a batch."""
    if k >= len(args) or args[k].dynamic:
        return
    obj = _first_match(args[k].value, _OBJECTS)
    rest = args[k + 1 :]
    if obj is not None and obj in ("route", "mroute", "rule", "mrule"):
        rule = obj in ("rule", "mrule")
        if not rest:
            return
        if rest[0].dynamic:
            listing = True  # `ip route $op ...`: unknown, so all/cache stay keywords
        else:
            sub = _first_match(rest[0].value, _RULE_SUBCOMMANDS if rule else _ROUTE_SUBCOMMANDS)
            if sub is None or sub in ("help", "restore", "showdump"):
                return
            listing = sub in _LISTING
        if rule:
            yield from _scan_tables(rest[1:], obj, listing, _RULE_EXACT, _RULE_PREFIX, True)
        else:
            yield from _scan_tables(rest[1:], obj, listing, _ROUTE_EXACT, _ROUTE_PREFIX, False)
    elif obj == "link":
        for j in range(len(rest) - 1):
            if rest[j].value == "type" and rest[j + 1].value == "vrf":
                for m in range(j + 2, len(rest) - 1):
                    if not rest[m].dynamic and _matches(rest[m].value, "table"):
                        yield _Found(rest[m + 1], "vrf")
                        break
                return
    elif obj in ("netns", "vrf") and len(rest) >= 3 and _matches(rest[0].value, "exec"):
        yield from _command_tables(rest[2:], depth + 1, stdin)  # the command inherits stdin


def _command_tables(
    words: Sequence[_Word], depth: int, stdin: _Heredoc | None = None
) -> Iterator[_Found]:
    if depth > _MAX_DEPTH:
        return
    start = _command_start(words)
    if start is None:
        return
    i, name = start
    if name == "ip":
        yield from _ip_tables(words[i + 1 :], depth, stdin)
        return
    # sh -c 'script': the script is commands too.
    if name in _SHELLS:
        for j in range(i + 1, len(words) - 1):
            flag = words[j].value
            if re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", flag):
                yield from _inline_script(words[j + 1], depth + 1)
                return
            if not flag.startswith("-"):
                return


def _inline_script(word: _Word, depth: int) -> Iterator[_Found]:
    """Table words inside ``sh -c SCRIPT``. Positions map into the outer text when the
    script is one quoted string without escapes, else they point at the script word."""
    if word.dynamic or depth > _MAX_DEPTH:
        return
    simple = word.quoted and word.end - word.start == len(word.value) + 2
    lexer = _Lexer(word.value)
    for index, command in enumerate(lexer.run()):
        for found in _command_tables(command, depth, lexer.stdin_of.get(index)):
            inner = found.word
            start = word.start + 1 + inner.start if simple else word.start
            shifted = _Word(inner.value, start, start, inner.dynamic, inner.quoted)
            yield _Found(shifted, found.command)


def find_table_uses(text: str, path: str) -> list[TableUse]:
    """Every routing table that ``ip`` commands in ``text`` name and that needs a
    definition, in text order. Numbers and built-in names are left out; tables made by
    shell expansions are included with ``dynamic=True``."""
    if _MAY_RUN_IP.search(text) is None or (
        _MAY_BATCH.search(text) is None and _names_no_table(text)
    ):
        return []
    line_starts: list[int] = []
    lines: list[str] = []
    uses: list[TableUse] = []
    lexer = _Lexer(text)
    for index, command in enumerate(lexer.run()):
        for found in _command_tables(command, 0, lexer.stdin_of.get(index)):
            word = found.word
            if not word.dynamic and (
                word.value in BUILTIN_TABLES or table_number(word.value) is not None
            ):
                continue
            if not line_starts:
                line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
                lines = text.split("\n")
            index = bisect.bisect_right(line_starts, word.start) - 1
            uses.append(
                TableUse(
                    name=word.value,
                    path=path,
                    line=index + 1,
                    col=word.start - line_starts[index] + 1,
                    text=lines[index].rstrip("\r"),
                    command=found.command,
                    dynamic=word.dynamic,
                )
            )
    uses.sort(key=lambda u: (u.line, u.col))
    return uses


def _free_id(defined: dict[str, TableEntry]) -> int:
    used = {entry.id for entry in defined.values()}
    return next((i for i in range(100, 252) if i not in used), 1000)


#: How many name comparisons "Did you mean" may make in one check. Each undefined
#: name is compared with every defined name of a similar length; a tree with
#: thousands of both would otherwise spend minutes on hints (past the budget, only a
#: name that differs in case is suggested).
SUGGESTION_BUDGET = 100_000


class _Suggestions:
    """The defined name closest to an undefined one, once per name, within a budget."""

    def __init__(self, defined: dict[str, TableEntry]) -> None:
        self.by_length: dict[int, list[str]] = {}
        self.by_lower: dict[str, str] = {}
        for name in defined:
            self.by_length.setdefault(len(name), []).append(name)
            self.by_lower.setdefault(name.lower(), name)
        self.budget = SUGGESTION_BUDGET
        self.memo: dict[str, str | None] = {}

    def close_to(self, name: str) -> str | None:
        if name not in self.memo:
            self.memo[name] = self._find(name)
        return self.memo[name]

    def _find(self, name: str) -> str | None:
        # difflib's ratio is 2*matches/(len(a)+len(b)); reaching 0.75 needs the shorter
        # name to be at least 3/5 of the longer, so other lengths cannot match.
        low, high = -(-len(name) * 3 // 5), len(name) * 5 // 3
        groups = [group for length, group in self.by_length.items() if low <= length <= high]
        count = sum(len(group) for group in groups)
        if 0 < count <= self.budget:
            self.budget -= count
            candidates = [other for group in groups for other in group]
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
            if close:
                return close[0]
        return self.by_lower.get(name.lower())


def undefined_tables(
    uses: Sequence[TableUse],
    defined: dict[str, TableEntry],
    host: str = "",
    rt_file: str = "/etc/iproute2/rt_tables",
) -> list[Problem]:
    """RT105 for every use of a table name no rt_tables file defines.

    ``defined`` is the map :func:`regime.iproute2.rt_tables.check_tables` returns (of
    one host: ``host`` names it in the message, " of host hosts/a/", and ``rt_file``
    is where the message says to define the table). Dynamic uses, numbers and
    built-in names are never reported.
    """
    problems: list[Problem] = []
    suggestions = _Suggestions(defined)
    free_id: int | None = None
    for use in uses:
        name = use.name
        if use.dynamic or name in defined or name in BUILTIN_TABLES:
            continue
        if table_number(name) is not None:
            continue
        error = (
            '"invalid table ID"' if use.command in ("rule", "mrule", "vrf")
            else '"table value is invalid"'
        )  # fmt: skip
        if is_c_number(name):
            what = (
                f"table {name!r} is not a valid table number (0 to 4294967295) and no"
                f" rt_tables file{host} defines it as a name"
            )
        else:
            what = (
                f"table {name!r} is not defined in any rt_tables file{host} (rt_tables or"
                " rt_tables.d/*.conf)"
            )
        close = suggestions.close_to(name)
        hint = f" Did you mean {close!r}?" if close is not None else ""
        related = ((defined[close].path, defined[close].line),) if close is not None else ()
        if free_id is None:
            free_id = _free_id(defined)
        message = (
            f"{what}, so `ip {use.command if use.command != 'vrf' else 'link'}` stops here"
            f" with {error}.{hint} Define it in this change, for example with the line"
            f" `{free_id} {name}` in {rt_file} or an"
            " rt_tables.d/*.conf file, or use the table number."
        )
        problems.append(Problem("RT105", use.path, use.line, use.col, message, related))
    return problems


def skip_balanced(text: str, pos: int, opener: str, closer: str, end: int) -> int:
    """From an opener at ``pos``, the offset just after its matching closer (a
    backslash escapes the next character), or ``end`` when there is none before it:
    how the shell skips ``$(...)`` and ``${...}`` (also in an ``ip -batch``
    here-document, regime.iproute2.ip_batch)."""
    level = 0
    while pos < end:
        c = text[pos]
        if c == "\\":
            pos += 2
            continue
        if c == opener:
            level += 1
        elif c == closer:
            level -= 1
            if level == 0:
                return pos + 1
        pos += 1
    return end


def skip_backquoted(text: str, pos: int, end: int) -> int:
    """From just after an opening backquote, the offset just after its closing one
    (a backslash escapes the next character), or ``end``."""
    while pos < end and text[pos] != "`":
        pos += 2 if text[pos] == "\\" else 1
    return min(pos + 1, end)
