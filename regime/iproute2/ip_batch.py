"""The commands ``ip -batch -`` reads from a here-document, word by word, each word
placed in the script's text.

Why a reader of its own: the lines of a batch are split by two programs in turn, and
neither splits like the shell lexer of :mod:`regime.iproute2.table_use`:

1. The shell hands the body over. With an unquoted delimiter (``<<EOF``) it expands
   ``$NAME``, ``${...}``, ``$(...)``, ``$((...))`` and backquotes, joins a line ending
   in a backslash with the next, and takes ``\\$``, ``\\``` and ``\\\\`` as the character
   itself; every other character, quotes included, is literal. With a quoted delimiter
   (``<<'EOF'``, ``<<"EOF"``, ``<<\\EOF``) the body is literal. ``<<-`` drops the tabs
   that start each line.
2. ip reads it (``do_batch`` in iproute2's lib/utils.c): ``getcmdline`` cuts each line
   at its first ``#``, wherever it is, then joins a line that still ends in a
   backslash with the next (cut at its ``#`` too); ``makeargs`` splits on space, tab,
   CR and newline, and a word that starts with ``'`` or ``"`` runs to the next such
   quote (spaces and all; what follows the closing quote starts a new word). An
   unclosed quote makes ip exit ("Unterminated quoted string"): no later line runs.

Each line is ``OBJECT ARGS...`` (``route add ... table T``), without the ``ip``. A word
an expansion helped to make is marked dynamic: its value cannot be known statically.
"""

from __future__ import annotations

from typing import NamedTuple

# table_use imports this module only when a script uses `ip -batch`: no cycle
from regime.iproute2.table_use import skip_backquoted, skip_balanced

__all__ = ["BatchWord", "batch_commands"]

_EXPANDED = "\0"  # stands for the unknown text of one expansion
_IP_SPACE = " \t\r\n"  # makeargs' separators
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_SPECIAL_PARAMETERS = frozenset("0123456789@*#?$!-")


class BatchWord(NamedTuple):
    value: str  # as ip sees it (expansions contribute nothing)
    start: int  # offset of its first character (an opening quote) in the text
    end: int
    dynamic: bool
    quoted: bool


class _Char(NamedTuple):
    char: str  # _EXPANDED for an expansion
    pos: int


def batch_commands(
    text: str, start: int, end: int, *, strip_tabs: bool, expand: bool
) -> list[list[BatchWord]]:
    """The commands of the here-document body ``text[start:end]`` (its lines, the
    delimiter line excluded), as ip runs them."""
    stream = _shell_body(text, start, end, strip_tabs=strip_tabs, expand=expand)
    commands: list[list[BatchWord]] = []
    for line in _ip_lines(stream):
        words = _makeargs(line)
        if words is None:
            break  # ip exits at an unclosed quote
        if words:
            commands.append(words)
    return commands


def _shell_body(text: str, pos: int, end: int, *, strip_tabs: bool, expand: bool) -> list[_Char]:
    """The body as the shell hands it to ip: one entry per character, with where it
    stands in the text."""
    out: list[_Char] = []
    line_start = True
    while pos < end:
        c = text[pos]
        if line_start and strip_tabs and c == "\t":
            pos += 1
            continue
        line_start = False
        if c == "\n":
            out.append(_Char(c, pos))
            line_start = True
            pos += 1
        elif not expand:
            out.append(_Char(c, pos))
            pos += 1
        elif c == "\\" and pos + 1 < end and text[pos + 1] in "$`\\\n":
            if text[pos + 1] != "\n":
                out.append(_Char(text[pos + 1], pos + 1))
            else:
                line_start = True  # the shell reads the next line: its tabs go too
            pos += 2
        elif c == "$" or c == "`":
            after = _expansion_end(text, pos, end)
            if after == pos + 1:
                out.append(_Char(c, pos))  # a lone $: literal
            else:
                out.append(_Char(_EXPANDED, pos))
            pos = after
        else:
            out.append(_Char(c, pos))
            pos += 1
    return out


def _expansion_end(text: str, pos: int, end: int) -> int:
    """Just after the expansion that starts at ``pos`` (a ``$`` or a backquote), or
    ``pos + 1`` when the ``$`` starts none."""
    if text[pos] == "`":
        return skip_backquoted(text, pos + 1, end)
    nxt = text[pos + 1] if pos + 1 < end else ""
    if nxt == "(" or nxt == "{":
        return skip_balanced(text, pos + 1, nxt, ")" if nxt == "(" else "}", end)
    if nxt in _NAME_START:
        k = pos + 2
        while k < end and text[k] in _NAME_CHARS:
            k += 1
        return k
    if nxt and nxt in _SPECIAL_PARAMETERS:
        return pos + 2
    return pos + 1


def _ip_lines(stream: list[_Char]) -> list[list[_Char]]:
    """``getcmdline``: the logical lines of the stream, each cut at its first ``#``,
    a line that still ends in backslash-newline joined with the next."""
    physical: list[list[_Char]] = [[]]
    for ch in stream:
        physical[-1].append(ch)
        if ch.char == "\n":
            physical.append([])
    if not physical[-1]:
        physical.pop()
    lines: list[list[_Char]] = []
    i = 0
    while i < len(physical):
        line = _cut_comment(physical[i])
        i += 1
        while len(line) >= 2 and line[-1].char == "\n" and line[-2].char == "\\":
            if i >= len(physical):
                return lines  # "Missing continuation line": ip stops reading
            line = line[:-2] + _cut_comment(physical[i])
            i += 1
        lines.append(line)
    return lines


def _cut_comment(line: list[_Char]) -> list[_Char]:
    for k, ch in enumerate(line):
        if ch.char == "#":
            return line[:k]
    return line


def _makeargs(line: list[_Char]) -> list[BatchWord] | None:
    """``makeargs``: the words of one logical line; None at an unclosed quote."""
    words: list[BatchWord] = []
    k, n = 0, len(line)
    while k < n:
        while k < n and line[k].char in _IP_SPACE:
            k += 1
        if k >= n:
            break
        first = line[k]
        if first.char in "'\"":
            close = next((m for m in range(k + 1, n) if line[m].char == first.char), None)
            if close is None:
                return None
            words.append(_word(line[k + 1 : close], first.pos, line[close].pos + 1, True))
            k = close + 1
        else:
            m = k
            while m < n and line[m].char not in _IP_SPACE:
                m += 1
            words.append(_word(line[k:m], first.pos, line[m - 1].pos + 1, False))
            k = m + 1
    return words


def _word(chars: list[_Char], start: int, end: int, quoted: bool) -> BatchWord:
    dynamic = any(ch.char == _EXPANDED for ch in chars)
    value = "".join(ch.char for ch in chars if ch.char != _EXPANDED)
    return BatchWord(value, start, end, dynamic, quoted)
