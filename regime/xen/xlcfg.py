"""xl guest configs, parsed with the grammar of xl's own parser (libxlu).

Why a hand-written copy instead of a lenient reader: xl rejects the WHOLE file on
any lexical or syntax error, so a gate has to reject exactly what xl rejects, and
accept exactly what it accepts. The rules below follow Xen's flex lexer and bison
grammar (``libxlu_cfg_l.l`` / ``libxlu_cfg_y.y``) and the helpers in
``libxlu_cfg.c``:

- statements ``key = value`` or ``key += value``, ended by a newline or ``;``
  (the last one of the file may end at end of file); empty statements are fine;
- keys ``[a-z][._0-9a-z]*``; anything else (uppercase, ``_``, ``-``) is a lexical error;
- STRING ``'...'`` or ``"..."`` on one line, with the escapes ``\\' \\" \\\\ \\a \\b
  \\f \\n \\r \\t \\v``; NUMBER ``[0-9][0-9a-fx]*`` (so ``512M``, ``-1``, ``1.5`` and
  ``0x1F`` are errors, ``0x1f`` is not); LIST ``[ ... ]``, nested, maybe empty, with
  an optional trailing comma and newlines or comments after ``[``, values and commas;
- ``#`` comments run to the end of the line, and need that newline;
- a carriage return or a byte order mark outside a string or comment is a lexical error.

xl keeps numbers as text and reads them with ``strtol(..., 0)`` only when a key
is used as a number (so ``010`` is 8 and ``08`` "is not a valid number"). This
module reads valid numbers into ``int`` and keeps the token text in
:attr:`Value.source`, so callers can see both.

The parser is iterative (an explicit stack for nested lists, as deep as xl's bison
stack allows: :data:`YYMAXDEPTH`), linear in the input, and never raises anything but
:class:`XlSyntaxError` for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from regime.cnumber import DIGITS_OF_BASE, number_start

__all__ = [
    "LONG_MAX",
    "MAX_NESTING",
    "DroppedEscape",
    "Setting",
    "Value",
    "XlConfig",
    "XlSyntaxError",
    "parse_xl",
    "strtol",
]

#: bison's YYMAXDEPTH in xl's parser: its stack holds fewer entries than this, and the
#: push that would fill it ends the parse with "memory exhausted".
YYMAXDEPTH = 10000

#: Deepest plain nesting (``[[[...]]]``) xl accepts: a list level takes two entries of
#: bison's stack (``[`` and ``nlok``), five after an element and a comma, so other
#: shapes give up sooner (``[1,[1,...`` at 2,000 levels). Checked against Xen's
#: parser built from source; no real config nests more than two.
MAX_NESTING = 4996

# The entries under a statement's value: state 0, ``stmts``, IDENT and the operator.
_STATEMENT_ENTRIES = 4

#: xl reads numbers into a C ``long`` (64-bit on the platforms Xen runs on).
LONG_MAX = 2**63 - 1

ValueKind = Literal["string", "number", "list"]


@dataclass(slots=True)
class Value:
    """One value of a config, where it starts (1-based line and column). Read-only by
    convention: not frozen, because a frozen dataclass costs a microsecond more per
    instance and a tree of 10,000 guests makes 200,000 of them.

    ``value`` is a ``str`` for a string, a tuple of :class:`Value` for a list, and
    an ``int`` for a number xl's ``strtol`` reads completely. A number token that
    ``strtol`` would reject (``08``, ``1e5``, ``0x``, one above ``LONG_MAX``) is
    still valid syntax for xl, so it is kept with ``kind == "number"`` and its
    text as a ``str`` value: xl itself only complains if the key is read as a
    number. ``source`` is the token as written (a string with its quotes and
    escapes, a number's digits); it is empty for lists and computed values.
    """

    kind: ValueKind
    value: str | int | tuple[Value, ...]
    line: int
    col: int
    source: str = ""

    @property
    def xl_string(self) -> str | None:
        """The text xl stores for a scalar (xl has only strings and lists).

        A number is the token as written (``010`` stays ``"010"``), which is what
        xl uses when a number appears where it wants a string, e.g. in a vif list.
        """
        if self.kind == "string" and isinstance(self.value, str):
            return self.value
        if self.kind == "number":
            return self.source or str(self.value)
        return None

    @property
    def items(self) -> tuple[Value, ...]:
        """The elements of a list (empty for a scalar)."""
        return self.value if isinstance(self.value, tuple) else ()

    def xl_string_items(self) -> list[Value]:
        """The elements xl's device loops see: scalars up to the first nested list.

        xl walks ``vif``, ``disk``... with ``xlu_cfg_get_listitem`` until it
        returns NULL, which it does at the first element that is not a string;
        numbers ARE strings to xl. Later elements are silently ignored.
        """
        out: list[Value] = []
        for item in self.items:
            if item.kind == "list":
                break
            out.append(item)
        return out

    def as_long(self) -> tuple[int | None, str | None]:
        """This value read as xl reads a number (``xlu_cfg_get_long``).

        Returns the number and None, or None and xl's warning. Strings work too,
        as in xl (``memory = "512"`` is 512).
        """
        text = self.xl_string
        if text is None:
            return None, "is a list but should be a single value"
        return strtol(text)


@dataclass(slots=True)
class Setting:
    """One assignment as written: ``key = value`` (or ``key += value``: ``append``).

    ``line``/``col`` are where the key starts; the value has its own position.
    """

    key: str
    value: Value
    line: int
    col: int
    append: bool = False


@dataclass(frozen=True, slots=True)
class DroppedEscape:
    """An octal escape xl accepts and drops from a string (``"A\\101B"`` is ``"AB"``):
    where the escape starts, the escape as written, the string as written and the
    text xl makes of it."""

    line: int
    col: int
    escape: str
    source: str
    value: str


@dataclass
class XlConfig:
    """The assignments of a config in file order, with xl's lookup rules, and the
    escapes xl silently dropped from its strings (``dropped``)."""

    settings: list[Setting] = field(default_factory=list)
    dropped: Sequence[DroppedEscape] = ()

    def get(self, key: str) -> Value | None:
        """The value xl uses for ``key``: the last assignment wins, ``+=`` adds.

        ``+=`` appends a list's elements (they keep their own positions) or
        concatenates a string (numbers are text to xl: ``512`` then ``+= 0`` is
        ``"5120"``). With nothing before it, ``+=`` is a plain assignment. A list
        added to a string is an error :func:`parse_xl` raises; in a config built
        by hand the later value then simply replaces the earlier one.
        """
        current: Value | None = None
        for setting in self.settings:
            if setting.key != key:
                continue
            if setting.append and current is not None:
                current = _combine(current, setting.value) or setting.value
            else:
                current = setting.value
        return current

    def where(self, key: str) -> Setting | None:
        """The last assignment of ``key`` (the one that decides, or adds last)."""
        for setting in reversed(self.settings):
            if setting.key == key:
                return setting
        return None

    def string_value(self, key: str) -> tuple[str, int] | None:
        """``key``'s text when its value is a string (as the guest checks read
        ``name``), and the line of the assignment that decides it; None when ``key``
        is not set or is not a string."""
        value = self.get(key)
        if value is None or value.kind != "string" or not isinstance(value.value, str):
            return None
        where = self.where(key)
        return value.value, where.line if where is not None else value.line

    def string_items(self, key: str) -> list[tuple[str, int, int]] | None:
        """``key``'s list as the guest checks walk it (``vif``): the text, line and
        column of each element up to the first that is not a string (xl's device loop
        stops there); None when ``key`` is not set or is not a list."""
        value = self.get(key)
        if value is None or value.kind != "list":
            return None
        out: list[tuple[str, int, int]] = []
        for element in value.items:
            text = element.value
            if element.kind != "string" or not isinstance(text, str):
                break
            out.append((text, element.line, element.col))
        return out

    def keys(self) -> list[str]:
        """Every key assigned, once each, in order of first assignment."""
        return list(dict.fromkeys(s.key for s in self.settings))

    def get_long(self, key: str) -> tuple[int | None, str | None]:
        """``key`` read as xl reads a number: (number, None), (None, warning), or
        (None, None) when the key is not set.

        xl refuses a number whose last assignment used ``+=``, so this does too.
        """
        setting = self.where(key)
        if setting is None:
            return None, None
        if setting.append:
            return None, f"can't use += with numbers for parameter `{key}'"
        value = self.get(key)
        assert value is not None  # where() found an assignment
        return value.as_long()

    def get_string(self, key: str) -> tuple[str | None, str | None]:
        """``key`` read as xl reads a string: (text, None), (None, warning), or
        (None, None) when the key is not set. A number gives its text."""
        value = self.get(key)
        if value is None:
            return None, None
        text = value.xl_string
        if text is None:
            return None, f"parameter `{key}' is a list but should be a single value"
        return text, None


class XlSyntaxError(Exception):
    """A config xl would reject as a whole, with where and why.

    ``str()`` is xl's own line without the ``FILE:LINE:`` prefix, e.g.
    ``config parsing error near `512M': lexical error``; ``hint`` says in plain
    words what probably went wrong. ``looks_like_python`` is set when the error
    sits on input that looks like an old xm (Python) config, for which xl prints
    "Arbitrary Python is no longer supported".
    """

    def __init__(
        self,
        line: int,
        col: int,
        token: str,
        message: str,
        *,
        looks_like_python: bool = False,
        hint: str | None = None,
        at: Literal["token", "newline", "end"] = "token",
    ) -> None:
        self.line = line
        self.col = col
        self.token = token
        self.message = message
        self.looks_like_python = looks_like_python
        self.hint = hint
        self.at = at
        super().__init__(str(self))

    @property
    def near(self) -> str:
        """The "near ..." part as xl prints it (xl shows nothing at end of file)."""
        if self.at == "newline":
            return "<newline>"
        if self.at == "end" or not self.token:
            return "<end of file>"
        # Control characters, a BOM or undecodable bytes would be invisible or
        # garble a terminal: show them escaped (xl prints the raw bytes).
        token = self.token if len(self.token) <= 200 else self.token[:200] + "..."
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in token)
        return f"`{shown}'"

    def __str__(self) -> str:
        return f"config parsing error near {self.near}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        # Picklable (for test runners and process pools) despite the keyword arguments.
        args = (self.line, self.col, self.token, self.message)
        return (XlSyntaxError, args, self.__dict__.copy())


# --------------------------------------------------------------------------- numbers


def strtol(text: str) -> tuple[int | None, str | None]:
    """C ``strtol(text, &end, 0)`` as ``xlu_cfg_get_long`` applies it.

    Leading C white space and a sign are allowed, ``0x`` means hex and a leading
    ``0`` octal; the whole text must be used up and fit a 64-bit ``long``.
    Returns (number, None) or (None, xl's complaint).
    """
    n = len(text)
    i, negative, base = number_start(text)
    digits = DIGITS_OF_BASE[base]
    start = i
    while i < n and text[i] in digits:
        i += 1
    if i == start:
        return None, "not a valid number"
    # xl looks at errno before the end pointer: an overflow is reported as one even
    # when text follows the digits
    magnitude = _magnitude(text[start:i], base)
    limit = LONG_MAX + 1 if negative else LONG_MAX
    if magnitude > limit:
        return None, "could not be parsed as a number: Numerical result out of range"
    if i != n:
        return None, "not a valid number"
    return (-magnitude if negative else magnitude), None


def _magnitude(digits: str, base: int) -> int:
    """``int(digits, base)`` without Python's 4300-digit limit on huge inputs:
    anything that long is out of any C range anyway."""
    significant = digits.lstrip("0")
    if len(significant) > 64:
        return 2**256
    return int(significant or "0", base)


def _number_value(token: str) -> int | str:
    """A NUMBER token as xl would later read it: an int, or the text if invalid."""
    value, _problem = strtol(token)
    return token if value is None else value


# --------------------------------------------------------------------------- lexer

_IDENT_RE = re.compile(r"[a-z][._0-9a-z]*")
_NUMBER_RE = re.compile(r"[0-9][0-9a-fx]*")
# One character or one escape at a time: unambiguous, so matching is linear.
_STRING_RE = {
    "'": re.compile(r"'(?:[^'\\\n]|\\.)*+'"),
    '"': re.compile(r'"(?:[^"\\\n]|\\.)*+"'),
}
_ERROR_RUN_RE = re.compile(r"[^ \t\n]*")
_ESCAPES = {
    "'": "'",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_PUNCT = frozenset("=;[],")

# Token types, named as bison names them in its messages.
IDENT, STRING, NUMBER, NEWLINE, ADD, END = "IDENT", "STRING", "NUMBER", "NEWLINE", "+=", "$end"


class _Token(NamedTuple):
    kind: str  # one of the names above, or the punctuation character itself
    text: str  # as written; a comment's NEWLINE includes the comment
    line: int
    col: int
    pos: int
    string: str = ""  # the decoded text of a STRING


#: Shared by every lexer that meets no octal escape (nearly all): never appended to.
_NONE_DROPPED: list[DroppedEscape] = []


class _Lexer:
    """xl's flex scanner: longest match, first rule on ties, one token at a time."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.dropped: list[DroppedEscape] = _NONE_DROPPED  # a list of its own once needed

    def next(self) -> _Token:
        text = self.text
        n = len(text)
        while True:
            pos = self.pos
            if pos >= n:
                return _Token(END, "", self.line, pos - self.line_start + 1, pos)
            c = text[pos]
            if c == " " or c == "\t":
                self.pos = pos + 1
                continue
            line, col = self.line, pos - self.line_start + 1
            if c == "\n":
                self._newline(pos + 1)
                return _Token(NEWLINE, "\n", line, col, pos)
            if c == "#":
                end = text.find("\n", pos)
                if end < 0:
                    if pos == n - 1:
                        return _Token(END, "", line, col, pos)  # a stray last byte
                    raise self._lexical_error(
                        pos,
                        hint="the file ends in a comment with no newline after it, which xl "
                        "rejects: end the last line with a newline",
                    )
                self._newline(end + 1)
                return _Token(NEWLINE, text[pos : end + 1], line, col, pos)
            if "a" <= c <= "z":
                m = _IDENT_RE.match(text, pos)
                assert m is not None
                self.pos = m.end()
                return _Token(IDENT, m.group(), line, col, pos)
            if "0" <= c <= "9":
                m = _NUMBER_RE.match(text, pos)
                assert m is not None
                self.pos = m.end()
                return _Token(NUMBER, m.group(), line, col, pos)
            if c in _PUNCT:
                self.pos = pos + 1
                return _Token(c, c, line, col, pos)
            if c == "+" and text.startswith("+=", pos):
                self.pos = pos + 2
                return _Token(ADD, "+=", line, col, pos)
            if c == "'" or c == '"':
                m = _STRING_RE[c].match(text, pos)
                if m is not None:
                    self.pos = m.end()
                    raw = m.group()
                    return _Token(STRING, raw, line, col, pos, self._dequote(raw, line, col))
            if pos == n - 1 and _one_byte(c):
                # flex's error rule takes this byte and waits for the rest of the bad
                # run; at end of file there is none, so xl reports nothing and sees the
                # end of the file here (`a = 1\r`, a last `#`, `'` or `@` pass)
                return _Token(END, "", line, col, pos)
            raise self._lexical_error(pos)

    def _newline(self, after: int) -> None:
        self.pos = after
        self.line += 1
        self.line_start = after

    def _lexical_error(self, pos: int, hint: str | None = None) -> XlSyntaxError:
        """flex's error path: the bad character plus the non-blank run after it."""
        run = _ERROR_RUN_RE.match(self.text, pos + 1)
        assert run is not None
        token = self.text[pos] + run.group()
        line_text = _line_text(self.text, pos)
        return XlSyntaxError(
            self.line,
            pos - self.line_start + 1,
            token,
            "lexical error",
            looks_like_python=_lexical_python(token, line_text, self.text, pos),
            hint=hint or _lexical_hint(self.text, pos, token),
        )

    def _dequote(self, raw: str, line: int, col: int) -> str:
        """The text of a string literal, with xl's escapes (``xlu__cfgl_dequote``)."""
        body = raw[1:-1]
        if "\\" not in body and "\0" not in body:
            return body
        out: list[str] = []
        first_dropped = len(self.dropped)  # this string's octal escapes come after
        i = 0
        n = len(body)
        while i < n:
            c = body[i]
            if c == "\0":
                raise XlSyntaxError(
                    line,
                    col + 1 + i,
                    raw,
                    "NUL character in quoted string",
                    hint="xl's C code stops reading the string at a NUL; remove it",
                )
            if c != "\\":
                out.append(c)
                i += 1
                continue
            escape = body[i + 1]  # the regex guarantees a character after "\"
            if escape in _ESCAPES:
                out.append(_ESCAPES[escape])
            elif escape == "x":
                raise XlSyntaxError(
                    line,
                    col + 1 + i,
                    raw,
                    # xl's words: its C source glues "hex" to "numerical"
                    "invalid digit after backslash hexnumerical character escape in quoted string",
                    hint="xl cannot read \\x escapes at all; write the character itself",
                )
            elif "0" <= escape <= "7":
                used = _octal_escape_length(body, i + 2)
                if used is None:
                    raise XlSyntaxError(
                        line,
                        col + 1 + i,
                        raw,
                        "invalid digit after backslash octalnumerical character escape in "
                        "quoted string",
                        hint="xl's parser cannot read octal escapes: it refuses one with "
                        "fewer than two more digits after the first, and drops a longer "
                        "one from the string; write the character itself",
                    )
                escape_text = body[i : i + 2 + used]
                if self.dropped is _NONE_DROPPED:
                    self.dropped = []
                self.dropped.append(DroppedEscape(line, col + 1 + i, escape_text, raw, ""))
                i += 2 + used
                continue
            else:
                raise XlSyntaxError(
                    line,
                    col + 1 + i,
                    raw,
                    # xl's own wording, misspelling included, so it can be searched for.
                    "invalid character after backlash in quoted string",
                    hint="the escapes xl knows are \\' \\\" \\\\ \\a \\b \\f \\n \\r \\t \\v; "
                    "write a backslash as \\\\",
                )
            i += 2
        value = "".join(out)
        for k in range(first_dropped, len(self.dropped)):
            d = self.dropped[k]
            self.dropped[k] = DroppedEscape(d.line, d.col, d.escape, raw, value)
        return value


def _octal_escape_length(body: str, at: int) -> int | None:
    """How many characters after ``\\`` and its first octal digit xl's dequote swallows,
    or None when it calls the escape invalid.

    ``NUMERIC_CHAR(1,3,10,"octal")`` copies the next three characters (fewer at the
    end of the token: the closing quote stops the number) and runs ``strtoul(...,
    10)`` on them: it must use more than one character (white space and a sign count,
    8 and 9 are digits), and those are skipped. The value itself is never stored, so
    the whole escape vanishes from the string.
    """
    window = body[at : at + 3]  # the closing quote is not a digit: it always stops strtoul
    k = 0
    while k < len(window) and window[k] in " \t\n\v\f\r":
        k += 1
    if k < len(window) and window[k] in "+-":
        k += 1
    digits = k
    while k < len(window) and "0" <= window[k] <= "9":
        k += 1
    if k == digits or k <= 1:
        return None
    return k


def _check_depth(entries: int, tok: _Token) -> None:
    """xl's "memory exhausted" when bison's stack would hold ``entries``."""
    if entries >= YYMAXDEPTH:
        token = tok.text.rstrip("\n").rstrip(" \t")  # as xl shows its yytext
        raise XlSyntaxError(
            tok.line,
            tok.col,
            token,
            "memory exhausted",
            at="newline" if tok.kind == NEWLINE and not token else "token",
            hint="lists nested this deeply fill xl's parser stack (bison's YYMAXDEPTH, "
            f"{YYMAXDEPTH} entries: at most {MAX_NESTING} levels); no xl setting nests "
            "lists more than two deep",
        )


def _one_byte(c: str) -> bool:
    """Whether a character is one byte of the file (ASCII, or a byte that is not UTF-8,
    kept as a surrogate by the ``surrogateescape`` decoding)."""
    return c < "\x80" or "\udc80" <= c <= "\udcff"


def _line_text(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)]


# --------------------------------------------------------------------------- hints

_PYTHON_CHARS = frozenset("+-.():*/%{}")  # xl's own set is + - . ( ) :
_PYTHON_WORDS = frozenset(
    {
        *("import", "from", "def", "class", "if", "elif", "else", "for", "while", "try"),
        *("except", "finally", "with", "return", "print", "global", "del", "pass"),
        *("lambda", "assert", "raise", "exec", "yield", "nonlocal", "and", "or", "not"),
        *("is", "in"),
    }
)
_PYTHON_CONSTANT_RE = re.compile(r"(?:True|False|None)(?![A-Za-z0-9_])")


def _lexical_python(token: str, line_text: str, text: str, pos: int) -> bool:
    """Whether a lexical error sits on something Python-looking."""
    first = token[0]
    if first in _PYTHON_CHARS or _PYTHON_CONSTANT_RE.match(token):
        return True
    end = text.find("\n", pos)
    if first == "\\" and not text[pos + 1 : end if end >= 0 else len(text)].strip():
        return True  # a backslash line continuation
    return "'''" in line_text or '"""' in line_text


def _lexical_hint(text: str, pos: int, token: str) -> str | None:
    c = text[pos]
    before = text[pos - 1] if pos > 0 else ""
    if c == "\ufeff" and pos == 0:
        return "the file starts with a UTF-8 byte order mark, which xl rejects: save it without one"
    if c == "\r":
        if text.startswith("\r\n", pos):
            return "the file has CRLF (Windows) line ends, which xl rejects: convert them to LF"
        return "a carriage return outside a string or comment, which xl rejects"
    if _is_digit(before) and c.isascii() and c.isalpha():
        return _SUFFIX_HINT
    if c == "-" and _is_digit(text[pos + 1 : pos + 2]):
        return "xl has no negative numbers"
    if c == "." and _is_digit(before):
        return "xl numbers are whole numbers, and hex digits are lower case (0x1f)"
    if "A" <= c <= "Z" or c == "_":
        if _PYTHON_CONSTANT_RE.match(token):
            return "True, False and None are Python: xl writes 1 and 0"
        return "keys are lower case ([a-z][._0-9a-z]*) and values need quotes"
    if c == "'" or c == '"':
        return "a string must close on the same line, with the same quote"
    if c == "+":
        return "xl cannot add strings or lists with +; write one literal (or use key += value)"
    if c == "(":
        return "xl has no tuples or calls: a list is written [ ... ]"
    if c == "\\":
        return "xl has no line continuation: a list may span lines, a string may not"
    return None


_SUFFIX_HINT = (
    "xl numbers have no unit or suffix and hex digits are lower case: write a plain "
    "number (memory is in MiB)"
)


def _is_digit(c: str) -> bool:
    return len(c) == 1 and "0" <= c <= "9"


# --------------------------------------------------------------------------- parser


def _describe(kind: str) -> str:
    """A token type as bison names it in "unexpected X, expecting Y"."""
    return f"'{kind}'" if kind in _PUNCT else kind


# The quick path: a whole statement of the everyday shape in one regex match, ending
# with its newline: `key = 'string'`, `key = 123`, `key += ...`, or a flat list of
# such atoms over one or more lines with comments, and a comment after it. Strings
# with a backslash, NUL or CR, nested lists, `;` and the last line without a newline
# are left to the token path, which also finds every error: this pattern matches only
# what that path accepts, with the same result (tests/test_xen_config.py proves it
# against the token path on generated configs, tests/test_fuzz_xl_fast.py with hypothesis).
_Q_STR = r"'[^'\\\n\r\0]*'" "|" r'"[^"\\\n\r\0]*"'
_Q_ATOM = rf"(?:{_Q_STR}|[0-9][0-9a-fx]*)"
# What may stand between the tokens of a list: blanks and newlines as one run of a
# character class, then any comments, each with the blanks after it (the same text as
# one alternation per character, which cost a fifth of the whole-file match). A run
# stops at the next token, which is never blank, so a failing match gives it up at once.
_Q_GAP = r"[ \t\n]*(?:\#[^\n]*\n[ \t\n]*)*"
_QUICK_RE = re.compile(
    rf"""[ \t]*(?P<key>[a-z][._0-9a-z]*)[ \t]*(?P<op>\+?=)[ \t]*
    (?:(?P<atom>{_Q_ATOM})
      |(?P<list>\[{_Q_GAP}(?:{_Q_ATOM}{_Q_GAP}(?:,{_Q_GAP}{_Q_ATOM}{_Q_GAP})*(?:,{_Q_GAP})?)?\]))
    [ \t]*(?:\#[^\n]*)?\n""",
    re.VERBOSE,
)
# The atoms of a quick list, and the newlines and comments between them (a comment
# may hold quotes or digits, so it is consumed whole).
_Q_ITEM_RE = re.compile(rf"(?P<atom>{_Q_ATOM})|\n|\#[^\n]*\n")


class _Parser:
    def __init__(self, text: str, quick: bool = True) -> None:
        self.text = text
        self.lexer = _Lexer(text)
        self.settings: list[Setting] = []
        self.effective: dict[str, Value] = {}
        self.quick = quick

    def parse(self) -> XlConfig:
        lexer = self.lexer
        quick = _QUICK_RE.match if self.quick else None
        text = self.text
        while True:
            if quick is not None:
                m = quick(text, lexer.pos)
                if m is not None:
                    self._quick_statement(m)
                    continue
            tok = lexer.next()
            if tok.kind == END:
                return XlConfig(self.settings, lexer.dropped)
            if tok.kind in (NEWLINE, ";"):
                continue
            if tok.kind != IDENT:
                raise self._syntax_error(tok, (END, IDENT, NEWLINE, "';'"), "statement")
            key = tok
            op = lexer.next()
            if op.kind not in ("=", ADD):
                raise self._syntax_error(op, (ADD, "'='"), "operator", key)
            value = self._value(key)
            end = lexer.next()
            if end.kind not in (NEWLINE, ";", END):
                raise self._syntax_error(end, (END, NEWLINE, "';'"), "end", key)
            self._store(key, op, value)
            if end.kind == END:
                return XlConfig(self.settings, lexer.dropped)

    def _quick_statement(self, m: re.Match[str]) -> None:
        """Store a statement the quick pattern matched, as the token path would."""
        lexer = self.lexer
        line = lexer.line
        setting, newlines = _quick_setting(m, line, lexer.line_start)
        self._store_setting(setting.key, line, setting.col, setting.append, setting.value)
        lexer.pos = lexer.line_start = m.end()
        lexer.line = line + newlines

    def _value(self, key: _Token) -> Value:
        """A value: an atom, or a list read with an explicit stack (no recursion)."""
        tok = self.lexer.next()
        if tok.kind in (STRING, NUMBER):
            return self._atom(tok)
        if tok.kind != "[":
            raise self._syntax_error(tok, (STRING, NUMBER, "'['"), "value", key)
        # bison's stack, counted as xl's parser grows it (see YYMAXDEPTH): ``below`` holds
        # the statement's entries and those of the enclosing levels, ``cur`` the open
        # level's: 2 after "[" ('[' nlok), +2 per value until a "," or "]" reduces them
        # (value nlok), 5 after a "," (values ',' nlok); each level keeps its parent's.
        below, cur = _STATEMENT_ENTRIES, 2
        _check_depth(below + cur, tok)
        stack: list[tuple[_Token, list[Value], int]] = [(tok, [], 0)]
        expect_value = True  # after "[" or ","; otherwise after a value
        while True:
            tok = self.lexer.next()
            if tok.kind == NEWLINE:
                _check_depth(below + cur + 1, tok)  # shifted, then reduced into nlok
                continue
            if tok.kind == "]":
                if cur == 2:
                    _check_depth(below + 4, tok)  # an empty valuelist, then the "]"
                opened, elements, parent = stack.pop()
                done = Value("list", tuple(elements), opened.line, opened.col)
                if not stack:
                    return done
                stack[-1][1].append(done)
                below, cur = below - parent, parent + 2
                expect_value = False
            elif expect_value and tok.kind in (STRING, NUMBER):
                _check_depth(below + cur + 2, tok)
                stack[-1][1].append(self._atom(tok))
                cur += 2
                expect_value = False
            elif expect_value and tok.kind == "[":
                _check_depth(below + cur + 2, tok)
                stack.append((tok, [], cur))
                below, cur = below + cur, 2
            elif not expect_value and tok.kind == ",":
                cur = 5
                _check_depth(below + cur, tok)
                expect_value = True
            elif expect_value:
                # STRING NUMBER NEWLINE '[' ']': bison lists at most four.
                raise self._syntax_error(tok, (), "element", key)
            else:
                raise self._syntax_error(tok, (NEWLINE, "']'", "','"), "after element", key)

    @staticmethod
    def _atom(tok: _Token) -> Value:
        if tok.kind == STRING:
            return Value("string", tok.string, tok.line, tok.col, tok.text)
        return Value("number", _number_value(tok.text), tok.line, tok.col, tok.text)

    def _store(self, key: _Token, op: _Token, value: Value) -> None:
        self._store_setting(key.text, key.line, key.col, op.kind == ADD, value)

    def _store_setting(self, key: str, line: int, col: int, append: bool, value: Value) -> None:
        previous = self.effective.get(key)
        if append and previous is not None:
            combined = _combine(previous, value)
            if combined is None:
                raise XlSyntaxError(
                    value.line,
                    value.col,
                    value.source or "[",
                    'can\'t add [list] to "string" or vice versa',
                    hint=f"`{key} +=' must add the same type as the earlier "
                    f"`{key}' (line {previous.line})",
                )
            self.effective[key] = combined
        else:
            self.effective[key] = value
        self.settings.append(Setting(key, value, line, col, append))

    def _syntax_error(
        self,
        tok: _Token,
        expected: tuple[str, ...],
        context: _Context,
        statement: _Token | None = None,
    ) -> XlSyntaxError:
        """bison's "syntax error, unexpected X, expecting A or B" at ``tok``.

        ``context`` says what the parser wanted there; ``statement`` is the key
        of the statement being read, if any.
        """
        value = context in ("value", "element")
        message = f"syntax error, unexpected {_describe(tok.kind)}"
        if expected:
            message += ", expecting " + " or ".join(expected)
        at: Literal["token", "newline", "end"] = "token"
        token = tok.text.rstrip("\n").rstrip(" \t")
        if tok.kind == END:
            at = "end"
        elif tok.kind == NEWLINE and not token:
            at = "newline"
        line_text = _line_text(self.text, tok.pos)
        python = "'''" in line_text or '"""' in line_text
        if tok.kind == IDENT and (value or tok.text in _PYTHON_WORDS):
            python = True  # a bare word where a value belongs, or a Python keyword
        if statement is not None and statement.text in _PYTHON_WORDS:
            python = True  # import os, def f..., print "x", if x...
        return XlSyntaxError(
            tok.line,
            tok.col,
            token,
            message,
            looks_like_python=python,
            hint=_syntax_hint(self.text, tok, context, statement),
            at=at,
        )


_Context = Literal["statement", "operator", "value", "end", "element", "after element"]


def _syntax_hint(text: str, tok: _Token, context: _Context, statement: _Token | None) -> str | None:
    if tok.kind == IDENT and tok.pos > 0 and _is_digit(text[tok.pos - 1]):
        return _SUFFIX_HINT  # 512k: NUMBER "512" then IDENT "k"
    if statement is not None and statement.text in _PYTHON_WORDS and context == "operator":
        return "this is Python, which xl does not run"
    if context in ("value", "element") and tok.kind == IDENT:
        return "a value is a quoted string, a number or a list: put the word in quotes"
    if context == "value" and tok.kind in (NEWLINE, END):
        return "the value must start on the same line as `='"
    if context in ("value", "element", "after element") and tok.kind == END:
        return "the list is not closed with ]"
    if context == "end" and tok.kind == ",":
        return "several values make a list: write [ a, b ]"
    if context == "end":
        return "one statement per line, or separate them with ;"
    if context == "element" and tok.kind == ",":
        return "a list has no empty elements"
    if context == "after element":
        return "list elements are separated by commas"
    if context == "statement" and tok.kind in (STRING, NUMBER):
        return "a statement starts with a key: key = value"
    return None


def _quick_setting(
    m: re.Match[str], line: int, line_start: int, group: str = ""
) -> tuple[Setting, int]:
    """The setting a match of :data:`_QUICK_RE` at ``line`` (which starts at offset
    ``line_start``) holds, as the token path reads it, and the newlines it spans.
    ``group``: the prefix of the groups to read (a key :data:`_FILE_RE` captures)."""
    key_at = m.start(group + "key")
    atom_at = m.start(group + "atom")
    # a group inside _FILE_RE's repetition keeps what an earlier statement put in it:
    # an atom before the key is not this statement's (whose value is then a list)
    if atom_at > key_at:
        value = _quick_atom(m.group(group + "atom"), line, atom_at - line_start + 1)
        newlines = 1
    else:
        start, end = m.span(group + "list")
        elements, last_line = _quick_list(m.string, start, end, line, line_start)
        value = Value("list", elements, line, start - line_start + 1)
        newlines = last_line - line + 1
    append = m.group(group + "op") == ADD
    return Setting(m.group(group + "key"), value, line, key_at - line_start + 1, append), newlines


#: What may stand between the elements of a quick list: brackets, commas, blanks.
_LIST_GAP = " \t\n,[]"


def _quick_list(
    text: str, start: int, end: int, line: int, line_start: int
) -> tuple[tuple[Value, ...], int]:
    """The elements of the flat list ``text[start:end]`` (``[`` to ``]``) a quick
    pattern matched, which starts on ``line`` (at offset ``line_start``), and the
    line of its ``]``.

    Nearly every list (vif, disk) holds only single-quoted strings: those are read by
    splitting it at its quotes (no quote, backslash or newline can be inside such a
    string, the pattern saw to that), which is a third of the cost of a regex match
    per element. A list with a comment, a double quote or a number is read one token
    at a time (a comment may hold quotes or digits, so it is consumed whole)."""
    split = _split_strings(text, start, end, line, line_start)
    if split is not None:
        strings, last_line = split
        return tuple(Value("string", t, ln, col, f"'{t}'") for t, ln, col in strings), last_line
    elements: list[Value] = []
    for item in _Q_ITEM_RE.finditer(text, start, end):
        found = item.group("atom")
        if found is not None:
            elements.append(_quick_atom(found, line, item.start() - line_start + 1))
        else:
            line += 1
            line_start = item.end()
    return tuple(elements), line


def _split_strings(
    text: str, start: int, end: int, line: int, line_start: int
) -> tuple[list[tuple[str, int, int]], int] | None:
    """The elements of a quick list that holds only single-quoted strings, each as
    (text, line, column), and the line of its ``]``; None for any other list (see
    :func:`_quick_list`)."""
    body = text[start:end]
    if "#" in body or '"' in body:
        return None
    pieces = body.split("'")
    if "".join(pieces[0::2]).strip(_LIST_GAP):  # a number between the strings
        return None
    out: list[tuple[str, int, int]] = []
    pos = start
    for i in range(1, len(pieces), 2):
        gap = pieces[i - 1]
        if "\n" in gap:
            line += gap.count("\n")
            line_start = pos + gap.rindex("\n") + 1
        pos += len(gap)
        string = pieces[i]
        out.append((string, line, pos - line_start + 1))
        pos += len(string) + 2
    return out, line + body.count("\n", pos - start)


def _file_statement(key: str, group: str | None) -> str:
    """A quick statement with a plain ``=`` of ``key`` (a pattern), its parts in groups
    named with the prefix ``group`` (``stmt`` is the whole, from its line's start), or
    in no group at all (None: a group costs time at every match)."""

    def part(name: str) -> str:
        return "(?:" if group is None else f"(?P<{group}{name}>"

    return (
        rf"{part('stmt')}[ \t]*{part('key')}{key})[ \t]*{part('op')}=)[ \t]*"
        rf"(?:{part('atom')}{_Q_ATOM})|{part('list')}\[{_Q_GAP}(?:{_Q_ATOM}{_Q_GAP}"
        rf"(?:,{_Q_GAP}{_Q_ATOM}{_Q_GAP})*(?:,{_Q_GAP})?)?\]))[ \t]*(?:\#[^\n]*)?\n)"
    )


#: The keys :data:`_FILE_RE` captures as it validates (those the guest checks read):
#: a group in a repetition holds its last match, which is the assignment xl uses.
_CAPTURED = {"name": "n_", "vif": "v_"}
# Any other key: the forms exclude each other, so a line matches in one way only.
_OTHER_KEY = rf"(?!(?:{'|'.join(map(re.escape, _CAPTURED))})[ \t]*=)[a-z][._0-9a-z]*"

# The quicker path: a whole file of everyday lines, checked with one fullmatch. A line
# is blank, a comment, or one quick statement with a plain `=` (no `+=`, so the last
# assignment of a key is its value and no type clash can happen); the file ends with a
# newline (or is empty). Each form is one the token path reads to the same result (the
# quick statement above), so a file they cover is valid and means what they say; any
# other file (`;`, `+=`, escapes, nested lists, CR, a BOM, a last line without its
# newline, any error) fails the match and takes the exact path. Every line matches
# one form in one way, so a file that fails is given up in linear time (not
# possessive: Python 3.11's re gets the groups of a possessive repetition wrong).
# Since the forms exclude each other, their order changes only the speed: the most
# common first (another key's statement, then a blank or comment line), and no groups
# but those of the captured keys (5.2 us a guest of the benchmark, not 7.4).
_FILE_RE = re.compile(
    "(?:"
    + _file_statement(_OTHER_KEY, None)
    + r"|[ \t]*(?:\#[^\n]*)?\n|"
    + "|".join(_file_statement(re.escape(k), g) for k, g in _CAPTURED.items())
    + ")*"
)

#: One pattern per key looked up in validated files: a line that starts its statement.
_KEY_START_RE: dict[str, re.Pattern[str]] = {}


class _CheckedConfig(XlConfig):
    """A config :data:`_FILE_RE` validated as a whole: a setting is read when it is
    asked for (a guest check asks for two keys of a dozen, and those the match has
    already found), the whole list of settings only if someone wants it. In such a
    file every statement starts a line and no key is added to, so a key's value is
    its last statement."""

    def __init__(self, match: re.Match[str]) -> None:
        self._match = match
        self._all: list[Setting] | None = None
        self._last: dict[str, Setting | None] = {}
        self.dropped = _NONE_DROPPED

    @property
    def settings(self) -> list[Setting]:
        if self._all is None:
            self._all = _Parser(self._match.string).parse().settings
        return self._all

    @settings.setter
    def settings(self, value: list[Setting]) -> None:
        self._all = value

    def where(self, key: str) -> Setting | None:
        if self._all is not None:
            return XlConfig.where(self, key)
        last = self._last
        if key in last:  # not try/except: a miss (each key's first look) raised a KeyError
            return last[key]
        text = self._match.string
        group = _CAPTURED.get(key)
        m: re.Match[str] | None
        if group is not None:
            m, pos = self._match, self._match.start(group + "stmt")
            if pos < 0:
                m = None
        else:
            group = ""
            pattern = _KEY_START_RE.get(key)
            if pattern is None:
                pattern = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.M)
                _KEY_START_RE[key] = pattern
            starts = [found.start() for found in pattern.finditer(text)]
            pos = starts[-1] if starts else -1  # the last assignment decides
            m = _QUICK_RE.match(text, pos) if starts else None
            assert m is not None or not starts  # the whole file matched _FILE_RE
        setting = None
        if m is not None:
            setting = _quick_setting(m, text.count("\n", 0, pos) + 1, pos, group)[0]
        last[key] = setting
        return setting

    def get(self, key: str) -> Value | None:
        if self._all is not None:
            return XlConfig.get(self, key)
        setting = self.where(key)
        return None if setting is None else setting.value

    def string_value(self, key: str) -> tuple[str, int] | None:
        # name of 10,000 guests: read from the match itself, no Value or Setting made
        group = _CAPTURED.get(key)
        if group is None or self._all is not None or key in self._last:
            return XlConfig.string_value(self, key)
        m = self._match
        pos = m.start(group + "stmt")
        if pos < 0 or m.start(group + "atom") < m.start(group + "key"):
            return None  # not set, or a list
        atom = m.group(group + "atom")
        if atom[0] != "'" and atom[0] != '"':
            return None  # a number
        return atom[1:-1], m.string.count("\n", 0, pos) + 1

    def string_items(self, key: str) -> list[tuple[str, int, int]] | None:
        # vif of 10,000 guests: read from the match itself, no Value or Setting made
        group = _CAPTURED.get(key)
        if group is None or self._all is not None or key in self._last:
            return XlConfig.string_items(self, key)
        m = self._match
        pos = m.start(group + "stmt")
        if pos < 0:
            return None  # not set
        if m.start(group + "atom") > m.start(group + "key"):
            return None  # a string or a number, not a list
        text = m.string
        start, end = m.span(group + "list")
        split = _split_strings(text, start, end, text.count("\n", 0, pos) + 1, pos)
        if split is None:
            return XlConfig.string_items(self, key)
        return split[0]


def _quick_atom(token: str, line: int, col: int) -> Value:
    """A string (no escapes: the quick pattern leaves those to the lexer) or a number."""
    if token[0] == "'" or token[0] == '"':
        return Value("string", token[1:-1], line, col, token)
    return Value("number", _number_value(token), line, col, token)


def _combine(previous: Value, added: Value) -> Value | None:
    """xl's ``+=`` (``xlu__cfg_concat_vals``): None when the types differ."""
    if previous.kind == "list" and added.kind == "list":
        return Value("list", previous.items + added.items, previous.line, previous.col)
    if previous.kind != "list" and added.kind != "list":
        text = (previous.xl_string or "") + (added.xl_string or "")
        return Value("string", text, previous.line, previous.col)
    return None


def parse_xl(text: str) -> XlConfig:
    """Parse an xl config (already decoded) exactly as xl would.

    Raises :class:`XlSyntaxError` (and nothing else) for any input xl would
    reject; the caller adds the file name to its ``str()``. Decode with
    ``text.decode("utf-8", "surrogateescape")``: bytes that are not UTF-8 stay
    distinct characters, allowed inside strings and comments as xl allows them.
    """
    whole = _FILE_RE.fullmatch(text)
    if whole is not None:
        return _CheckedConfig(whole)
    return _Parser(text).parse()
