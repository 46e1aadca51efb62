"""Read ``rt_tables`` files exactly as iproute2's ``lib/rt_names.c`` does, and check them.

Why an emulation and not a tidy parser: iproute2 reads each line with ``fgets`` into a
512-byte buffer and then ``sscanf(p, "0x%x %s")`` or ``sscanf(p, "%d %s")``. What the
administrator meant and what ``ip`` loads differ in ways no eye catches:

- ``1e3 x`` loads table 1 named ``e3`` and ``12abc n`` table 12 named ``abc``: the number
  stops at the first character that cannot belong to it, and the rest of the word is read
  as the name. ``100 # spare`` defines a table named ``#``.
- A line ``sscanf`` cannot read (``100``, ``abc 1``, even a blank line ending in ``\\r``)
  makes iproute2 print "Database ... is corrupted" and ignore THE REST OF THAT FILE.
- The id is a C ``int``: ids from 2^31 (valid for the kernel) are dropped without a word.
- Names live in a hash keyed on ``id & 255``; ``table NAME`` returns the first match of a
  walk over the buckets 0..255, so a name with two ids resolves to the one in the lower
  bucket, and the order of ``rt_tables.d`` files (directory order) can decide it.

The number conversion follows glibc on a 64-bit machine (``long`` is 64 bits): the
decimal id is read with ``strtol`` and stored into an ``int`` (wrapping modulo 2^32),
the hex id with ``strtoul`` into an ``unsigned int``. Lines longer than 511 bytes are cut
where ``fgets`` cuts them; the cut is placed before, never inside, a multi-byte character.

Problem codes: RT001 a line iproute2 misreads, cannot read, or reads into a trap name;
RT002 words after the name, which iproute2 drops; RT101 one id with two names; RT102
one name with two ids; RT103 a reserved id given another name; RT104 an id iproute2
drops or cannot represent.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from regime.cnumber import C_SPACE, DEC_DIGITS, DIGITS_OF_BASE, HEX_DIGITS, number_start
from regime.findings import Problem

__all__ = [
    "BUILTIN_TABLES",
    "COMPAT_ID",
    "RESERVED_IDS",
    "RT_TABLE_MAX",
    "TableEntry",
    "check_tables",
    "is_c_number",
    "read_rt_tables",
    "table_number",
]

RT_TABLE_MAX = 0xFFFF_FFFF
"""The largest table id the kernel has (``RT_TABLE_MAX``, a 32-bit unsigned number)."""

INT_MAX = 2**31 - 1
"""The largest id iproute2 can keep from a file: it reads the id into a C ``int``."""

LINE_BYTES = 511
"""``fgets(buf, 512, fp)`` returns at most 511 bytes; a longer line comes in pieces."""

RESERVED_IDS: dict[int, str] = {0: "unspec", 253: "default", 254: "main", 255: "local"}
"""Kernel table ids with a fixed meaning, and their standard names."""

COMPAT_ID = 252
"""``RT_TABLE_COMPAT``: the kernel reports every table above 255 as 252 in the 8-bit
``rtm_table`` field, so a table of your own at 252 cannot be told apart from those."""

BUILTIN_TABLES: dict[str, int] = {"unspec": 0, "default": 253, "main": 254, "local": 255}
"""Names that need no definition. iproute2 compiles in ``local``, ``main`` and
``default``; ``unspec`` comes from the ``0 unspec`` line every distribution's stock
rt_tables carries, so it is treated as built in as well."""

_COMPILED_IN: dict[str, int] = {"default": 253, "main": 254, "local": 255}

_SHOW_KEYWORDS: dict[str, str] = {"all": "every table", "cache": "the routing cache"}

_FREE_IDS = "an id from 1 to 251 or from 256 to 2147483647"

_LONG_MIN, _LONG_MAX, _ULONG_MAX = -(2**63), 2**63 - 1, 2**64 - 1

# An id written the way the notes allow: decimal or lowercase-0x hex, optionally signed.
_PLAIN_ID = re.compile(r"[+-]?(?:0x[0-9a-fA-F]+|[0-9]+)")


@dataclass(frozen=True)
class TableEntry:
    """One table as iproute2 loads it: ``id`` is the number ``ip`` will use, which may
    differ from what the line says (see RT001/RT104). ``col`` is the 1-based column of the
    id, ``name_col`` that of the name."""

    id: int
    name: str
    path: str
    line: int
    col: int
    name_col: int = 0


# ---------------------------------------------------------------------------
# C number conversions


def _as_int32(value: int) -> int:
    """The value a C ``int`` holds after an assignment from a wider integer (gcc wraps)."""
    value &= 0xFFFF_FFFF
    return value - 2**32 if value >= 2**31 else value


def _strtoul_result(value: int) -> int:
    """``strtoul``: saturates on overflow, and a minus sign negates modulo 2^64."""
    if abs(value) > _ULONG_MAX:
        return _ULONG_MAX
    return value % 2**64


def _strtoul_full(text: str) -> int | None:
    """``strtoul(text, &end, 0)`` when it consumes the whole string, else None.

    This is how ``ip`` reads a number after ``table`` (``rtnl_rttable_a2n``): leading
    whitespace and a sign are allowed, ``0x`` means hex and a leading ``0`` octal.
    """
    i, negative, base = number_start(text)
    digits = text[i:]
    allowed = DIGITS_OF_BASE[base]
    if not digits or any(c not in allowed for c in digits):
        return None
    if len(digits.lstrip("0")) > 64:
        # above any 64-bit value, so strtoul saturates; and int() refuses more than
        # 4300 decimal digits (a script's `table 111...1` must not crash the check)
        return _ULONG_MAX
    value = int(digits, base)
    return _strtoul_result(-value if negative else value)


def is_c_number(text: str) -> bool:
    """True when C's ``strtoul(text, &end, 0)`` reads all of ``text``, whatever the value."""
    return _strtoul_full(text) is not None


def table_number(arg: str) -> int | None:
    """The table id ``ip ... table ARG`` reads when ARG is a number, else None.

    ``ip`` falls back to ``strtoul(arg, &end, 0)`` and accepts the result up to
    ``RT_TABLE_MAX``; ``table 010`` is table 8 and ``table -1`` is invalid.
    """
    value = _strtoul_full(arg)
    return value if value is not None and value <= RT_TABLE_MAX else None


# ---------------------------------------------------------------------------
# sscanf emulation


@dataclass(frozen=True)
class _Number:
    value: int  # as written, sign applied, no overflow
    start: int  # index of the sign or first digit (after skipped whitespace)
    end: int


@dataclass(frozen=True)
class _Read:
    """What one successful ``sscanf`` of a line produced."""

    id: int  # the C int iproute2 stores
    value: int  # the number as written
    id_start: int
    id_end: int
    name_start: int
    name_end: int
    name: str


def _scan_number(s: str, i: int, base: int) -> _Number | None:
    """glibc's ``%d`` (base 10) or ``%x`` (base 16) conversion starting at ``s[i]``."""
    n = len(s)
    while i < n and s[i] in C_SPACE:
        i += 1
    start = k = i
    negative = False
    if k < n and s[k] in "+-":
        negative = s[k] == "-"
        k += 1
    digits: list[str] = []
    if k < n and s[k] == "0":
        digits.append("0")
        k += 1
        if base == 16 and k < n and s[k] in "xX":
            k += 1  # glibc eats the 0x prefix even when no hex digit follows
    allowed = HEX_DIGITS if base == 16 else DEC_DIGITS
    while k < n and s[k] in allowed:
        digits.append(s[k])
        k += 1
    if not digits:
        return None
    value = int("".join(digits), base)
    return _Number(-value if negative else value, start, k)


def _scan_word(s: str, i: int) -> tuple[int, int] | None:
    """glibc's ``%s``: skip whitespace, then take everything up to the next whitespace."""
    n = len(s)
    while i < n and s[i] in C_SPACE:
        i += 1
    start = i
    while i < n and s[i] not in C_SPACE:
        i += 1
    return (start, i) if i > start else None


def _sscanf_id_name(p: str) -> _Read | None:
    """The four ``sscanf`` calls of ``fread_id_name``; the trailing ``\\n``/``#`` of the
    formats never change the count, so this is "0x%x %s" then "%d %s"."""
    if p.startswith("0x"):
        num = _scan_number(p, 2, 16)
        word = _scan_word(p, num.end) if num else None
        if num and word:
            cid = _as_int32(_strtoul_result(num.value))
            return _Read(cid, num.value, 0, num.end, word[0], word[1], p[word[0] : word[1]])
    num = _scan_number(p, 0, 10)
    word = _scan_word(p, num.end) if num else None
    if num and word:
        cid = _as_int32(max(_LONG_MIN, min(_LONG_MAX, num.value)))
        return _Read(cid, num.value, num.start, num.end, word[0], word[1], p[word[0] : word[1]])
    return None


def _c_split(s: str) -> list[str]:
    """Split on C whitespace only (Python's ``str.split`` also splits on Unicode spaces)."""
    words: list[str] = []
    current: list[str] = []
    for ch in s:
        if ch in C_SPACE:
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words


# ---------------------------------------------------------------------------
# fgets emulation


@dataclass(frozen=True)
class _Piece:
    """What one ``fgets`` call returns: part or all of a physical line."""

    line: int  # 1-based physical line
    offset: int  # character offset of the piece in its line
    text: str  # includes the newline when the piece ends the line
    first: bool  # False for the continuation of a line longer than LINE_BYTES


def _utf8_len(ch: str) -> int:
    code = ord(ch)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


def _pieces(text: str) -> Iterator[_Piece]:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        last = index == len(lines) - 1
        if last and not line:
            return
        physical = line if last else line + "\n"
        start, size, first = 0, 0, True
        for pos, ch in enumerate(physical):
            width = _utf8_len(ch)
            if size + width > LINE_BYTES:
                yield _Piece(index + 1, start, physical[start:pos], first)
                start, size, first = pos, 0, False
            size += width
        yield _Piece(index + 1, start, physical[start:], first)


def _content(piece: _Piece) -> tuple[str, int] | None:
    """The text iproute2 hands to ``sscanf`` (from the first non-space/tab character, up
    to a NUL) and its offset in the line; None for a line iproute2 skips."""
    cstr = piece.text.split("\0", 1)[0]
    p = cstr.lstrip(" \t")
    if not p or p[0] in "#\n":
        return None
    return p, piece.offset + len(cstr) - len(p)


# ---------------------------------------------------------------------------
# read_rt_tables


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _show(p: str) -> str:
    shown = p.rstrip("\r\n")
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _corrupt_reason(p: str) -> str:
    tokens = _c_split(p)
    if not tokens:
        if "\r" in p:
            return (
                " (a blank line holding a carriage return: the file has DOS/CRLF line"
                " ends, and iproute2 skips only lines that are empty apart from spaces"
                " and tabs; convert the file to LF line ends)"
            )
        return " (a blank line holding whitespace other than spaces and tabs)"
    first = tokens[0]
    if first.startswith("#"):
        return (
            " (the '#' follows whitespace other than spaces and tabs, so it does not"
            " start a comment)"
        )
    if first.startswith((";", "//")):
        return " (only '#' starts a comment)"
    if len(tokens) == 1 and _scan_number(first, 0, 10) is not None:
        return " (it has an id but no name)"
    if len(tokens) >= 2 and _PLAIN_ID.fullmatch(tokens[1]):
        return f" (the id must come first: write `{tokens[1]} {first}`)"
    return " (it must start with a decimal or 0x hex id)"


def _corrupt(path: str, line: int, col: int, p: str, piece: _Piece, rest: list[_Piece]) -> Problem:
    hidden: list[tuple[int, str]] = []
    for later in rest:
        content = _content(later)
        read = _sscanf_id_name(content[0]) if content else None
        if read is not None and read.id >= 0:
            hidden.append((later.line, read.name))
    reason = _corrupt_reason(p)
    if not piece.first:
        reason = (
            f" (this line is longer than {LINE_BYTES} bytes, and iproute2 reads the part"
            f" from column {col} as a line of its own)"
        )
    if hidden:
        listed = ", ".join(f"{name!r} (line {ln})" for ln, name in hidden[:5])
        more = ", ..." if len(hidden) > 5 else ""
        hides = (
            f"so the {_plural(len(hidden), 'table entry', 'table entries')} below it"
            f" ({listed}{more}) {'is' if len(hidden) == 1 else 'are'} not loaded"
        )
    else:
        hides = "(no table entry follows it yet, but any added below it will not load)"
    message = (
        f'iproute2 cannot read this line as `ID NAME`{reason}. It reports "Database'
        f' {path} is corrupted at {_show(p)}" and ignores the rest of this file, {hides}.'
        " Write the line as `ID NAME` (for example `100 uplink`) or comment it out with '#'."
    )
    related = tuple(dict.fromkeys((path, ln) for ln, _ in hidden))
    return Problem("RT001", path, line, col, message, related)


def _range_problem(path: str, line: int, col: int, read: _Read) -> Problem | None:
    value, name = read.value, read.name
    if 0 <= value <= INT_MAX and read.id == value:
        return None
    if value < 0:
        message = (
            f"table id {value} is negative: iproute2 skips this line without a word, so"
            f" {name!r} stays undefined. Use {_FREE_IDS}."
        )
    elif value <= RT_TABLE_MAX:
        message = (
            f"table id {value} is valid for the kernel but not for iproute2, which keeps"
            f" the ids of rt_tables in a C int (at most {INT_MAX}): it skips this line"
            f" without a word, so {name!r} stays undefined. Use {_FREE_IDS}, or write"
            " the number itself after `table`."
        )
    else:
        if read.id >= 0:
            outcome = (
                f"with 64-bit glibc it wraps to id {read.id}, so {name!r} names table {read.id}"
            )
        else:
            outcome = (
                "with 64-bit glibc it becomes a negative int and the line is skipped,"
                f" so {name!r} stays undefined"
            )
        message = (
            f"table id {value} is above {RT_TABLE_MAX}, the largest table id the kernel"
            f" has, and iproute2 does not reject it: {outcome}. Use {_FREE_IDS}."
        )
    return Problem("RT104", path, line, col, message)


def _misread(path: str, line: int, col: int, p: str, read: _Read) -> Problem | None:
    tokens = _c_split(p)
    id_text = p[read.id_start : read.id_end]
    if tokens[:2] == [id_text, read.name] and _PLAIN_ID.fullmatch(id_text):
        return None
    written = " ".join(tokens[:2])
    rest = p[read.name_end :].strip(" \t\n\v\f\r")
    ignored = f", and ignores {rest!r} after it" if rest and not rest.startswith("#") else ""
    if re.fullmatch(r"[+-]?0X[0-9a-fA-F]+", tokens[0]):
        why = "only a lowercase '0x' prefix makes the id hexadecimal"
    else:
        why = (
            "it reads the id as a number up to the first character that cannot belong"
            " to it and takes what follows, even the rest of the same word, as the name"
        )
    message = (
        f"iproute2 reads `{written}` as table id {read.value} named {read.name!r}"
        f"{ignored}: {why}. Write the id as decimal digits or 0x hex, then whitespace,"
        " then the name."
    )
    return Problem("RT001", path, line, col, message)


def _extra_words(path: str, line: int, base: int, p: str, read: _Read) -> Problem | None:
    """RT002: words after the name that are not a comment. ``sscanf`` stops after the
    name and iproute2 never looks further, so ``100 foo bar`` is table 100 named
    ``foo`` and ``bar`` is dropped without a word (a name is one word; only ``#``
    makes the rest a comment a reader can tell apart)."""
    rest = p[read.name_end :]
    stripped = rest.lstrip(C_SPACE)
    if not stripped or stripped.startswith("#"):
        return None
    words = _c_split(stripped)
    col = base + read.name_end + len(rest) - len(stripped) + 1
    shown = " ".join(words) if len(words) <= 5 else " ".join(words[:5]) + " ..."
    return Problem(
        "RT002",
        path,
        line,
        col,
        f"iproute2 loads table {read.id} named {read.name!r} and ignores {shown!r} after"
        " the name without a word: a table name is one word, and only '#' starts a"
        f" comment. Write `{p[read.id_start : read.id_end]} {read.name} # {shown}` if it"
        " is a comment; if you meant another name, that name is not defined.",
    )


def _name_problems(
    path: str, line: int, col: int, name_col: int, id_text: str, read: _Read
) -> Iterator[Problem]:
    name, tid = read.name, read.id
    if name.startswith("#"):
        yield Problem(
            "RT001",
            path,
            line,
            name_col,
            f"this line has no name: iproute2 takes {name!r} as the name of table {tid}"
            " (a comment cannot stand in place of the name). Put the name before the"
            " comment.",
        )
        return
    if "#" in name:
        before = name.split("#", 1)[0]
        yield Problem(
            "RT001",
            path,
            line,
            name_col,
            f"table name {name!r} contains '#': a comment after the name starts only"
            f" after whitespace, so iproute2 reads the whole word as the name. Write"
            f" `{tid} {before} # ...` if the rest is a comment.",
        )
    if name in _SHOW_KEYWORDS:
        yield Problem(
            "RT001",
            path,
            line,
            name_col,
            f"table name {name!r} shadows the keyword of `ip route show table {name}`"
            f" ({_SHOW_KEYWORDS[name]}): iproute2 looks names up first, so that command"
            f" then shows only table {tid}. Choose another name.",
        )
    number = table_number(name)
    if number is not None and number != tid:
        yield Problem(
            "RT001",
            path,
            line,
            name_col,
            f"table name {name!r} is a number: iproute2 looks names up before numbers,"
            f" so `table {name}` means table {tid} here, not table {number}. Use a name"
            " that is not a number.",
        )
    digits = id_text.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1] in DEC_DIGITS:
        octal = _strtoul_full(id_text)
        if octal != read.value:
            after = f"as octal {octal}" if octal is not None else "as an invalid octal number"
            yield Problem(
                "RT001",
                path,
                line,
                col,
                f"id {id_text} has a leading zero: rt_tables reads it as decimal"
                f" {read.value}, but `ip ... table {id_text}` reads a number C-style,"
                f" {after}. Write the id without the leading zero.",
            )


def read_rt_tables(text: str, path: str) -> tuple[list[TableEntry], list[Problem]]:
    """The entries iproute2 loads from one rt_tables file, and the RT001/RT104 problems.

    Entries are what ``ip`` ends up with, not what the file seems to say: a misread line
    yields the misread entry, a dropped id yields none, and nothing after a line iproute2
    calls corrupted is returned (the RT001 for that line lists the entries it hides).
    """
    entries: list[TableEntry] = []
    problems: list[Problem] = []
    pieces = list(_pieces(text))
    for index, piece in enumerate(pieces):
        content = _content(piece)
        if content is None:
            continue
        p, base = content
        read = _sscanf_id_name(p)
        if read is None:
            problems.append(_corrupt(path, piece.line, base + 1, p, piece, pieces[index + 1 :]))
            break
        line, col, name_col = piece.line, base + read.id_start + 1, base + read.name_start + 1
        if not piece.first:
            problems.append(
                Problem(
                    "RT001",
                    path,
                    line,
                    base + 1,
                    f"this line is longer than {LINE_BYTES} bytes: iproute2 reads it in"
                    f" pieces and takes the part from column {base + 1} as a line of its"
                    f" own, table id {read.value} named {read.name!r}. Shorten the line.",
                )
            )
        elif (misread := _misread(path, line, col, p, read)) is not None:
            problems.append(misread)
        elif (extra := _extra_words(path, line, base, p, read)) is not None:
            problems.append(extra)
        if (out_of_range := _range_problem(path, line, col, read)) is not None:
            problems.append(out_of_range)
        if read.id < 0:
            continue
        entries.append(TableEntry(read.id, read.name, path, line, col, name_col))
        id_text = p[read.id_start : read.id_end]
        problems.extend(_name_problems(path, line, col, name_col, id_text, read))
    return entries, problems


# ---------------------------------------------------------------------------
# check_tables


def _is_dropin(path: str) -> bool:
    return posixpath.basename(posixpath.dirname(path)) == "rt_tables.d"


def _dropin_loaded(path: str) -> bool:
    """rt_names.c skips names starting with '.', and keeps only ``*.conf`` longer than 5."""
    name = posixpath.basename(path)
    return not name.startswith(".") and len(name) > 5 and name.endswith(".conf")


def _ignored_file(path: str, text: str) -> Problem | None:
    entries, _ = read_rt_tables(text, path)
    if not entries:
        return None
    name = posixpath.basename(path)
    suggestion = (name.lstrip(".") or "tables") + ("" if name.endswith(".conf") else ".conf")
    listed = ", ".join(repr(e.name) for e in entries[:5]) + (", ..." if len(entries) > 5 else "")
    return Problem(
        "RT001",
        path,
        0,
        0,
        "iproute2 reads only files named *.conf (not starting with '.') from rt_tables.d"
        f" and ignores this one, so its {_plural(len(entries), 'table', 'tables')}"
        f" ({listed}) {'is' if len(entries) == 1 else 'are'} not defined. Rename it to"
        f" {suggestion!r}.",
        tuple((path, e.line) for e in entries),
    )


def _resolve(name: str, found: list[tuple[int, TableEntry]]) -> int | None:
    """The id ``table NAME`` selects, or None when the rt_tables.d order decides it.

    ``rtnl_rttable_a2n`` walks buckets 0..255 (bucket = id & 255); each bucket is a list
    with the most recently loaded entry first and the compiled-in names last.
    """
    candidates: list[tuple[int, int, int, str | None]] = [
        (e.id & 255, order, e.id, e.path if _is_dropin(e.path) else None) for order, e in found
    ]
    if name in _COMPILED_IN:
        tid = _COMPILED_IN[name]
        candidates.append((tid & 255, -1, tid, None))
    bucket = min(c[0] for c in candidates)
    in_bucket = [c for c in candidates if c[0] == bucket]
    if len({c[3] for c in in_bucket if c[3] is not None}) > 1:
        return None
    return max(in_bucket, key=lambda c: c[1])[2]


def _reserved_problem(entry: TableEntry) -> Problem | None:
    standard = RESERVED_IDS.get(entry.id)
    if entry.id == COMPAT_ID:
        message = (
            f"table id 252 is RT_TABLE_COMPAT: the kernel reports every table above 255"
            f" as 252 in the 8-bit rtm_table field, so tools that read that field mix"
            f" {entry.name!r} up with all large tables. Use {_FREE_IDS}."
        )
    elif standard is not None and entry.name != standard:
        meaning = {
            0: "table 0 means 'no table' (RT_TABLE_UNSPEC)",
            253: "it is the default table",
            254: "it is the main table, which holds the ordinary routes",
            255: "it is the local table, which the kernel fills itself",
        }[entry.id]
        message = (
            f"table id {entry.id} is reserved for {standard!r} ({meaning}), but this line"
            f" names it {entry.name!r}: routes and rules for {entry.name!r} go to that"
            f" reserved table. Use {_FREE_IDS} for a table of your own."
        )
    else:
        return None
    return Problem("RT103", entry.path, entry.line, entry.col, message)


def _load_order(
    files: Iterable[tuple[str, str]],
) -> tuple[list[tuple[str, str]], list[Problem]]:
    """rt_tables first, then rt_tables.d/*.conf. iproute2 reads the directory in
    ``readdir`` order, which is not fixed; drop-ins are sorted by path so reports are
    stable, and RT102 says when the real order could matter."""
    main: list[tuple[str, str]] = []
    dropins: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for path, text in files:
        if not _is_dropin(path):
            main.append((path, text))
        elif _dropin_loaded(path):
            dropins.append((path, text))
        elif (problem := _ignored_file(path, text)) is not None:
            problems.append(problem)
    return main + sorted(dropins, key=lambda f: f[0]), problems


def check_tables(
    files: list[tuple[str, str]],
) -> tuple[dict[str, TableEntry], list[Problem]]:
    """Check rt_tables and rt_tables.d files together, as iproute2 loads them.

    ``files`` holds (path, text). A file whose parent directory is ``rt_tables.d`` is a
    drop-in (read only when named ``*.conf``); any other path is read as an rt_tables
    file, before the drop-ins. Returns every name the files define, mapped to the entry
    ``table NAME`` selects (the first definition when the directory order decides), and
    all problems: RT001/RT104 per file, RT101, RT102 and RT103 across files.
    """
    loaded, problems = _load_order(files)
    entries: list[TableEntry] = []
    for path, text in loaded:
        file_entries, file_problems = read_rt_tables(text, path)
        entries.extend(file_entries)
        problems.extend(file_problems)

    for entry in entries:
        if (reserved := _reserved_problem(entry)) is not None:
            problems.append(reserved)

    by_id: dict[int, list[TableEntry]] = {}
    by_name: dict[str, list[tuple[int, TableEntry]]] = {}
    for order, entry in enumerate(entries):
        if entry.id not in RESERVED_IDS and entry.id != COMPAT_ID:
            by_id.setdefault(entry.id, []).append(entry)
        by_name.setdefault(entry.name, []).append((order, entry))

    for tid, same_id in by_id.items():
        first = same_id[0]
        if all(entry.name == first.name for entry in same_id):
            continue
        other_names = _OtherPlaces(same_id, lambda e: e.name)
        for entry in same_id[1:]:
            if entry.name == first.name:
                continue
            others = other_names.besides(entry.name)
            problems.append(
                Problem(
                    "RT101",
                    entry.path,
                    entry.line,
                    entry.col,
                    f"table id {tid} has two names: {entry.name!r} here and {first.name!r}"
                    f" at {first.path}:{first.line}. Both names select the same table, so"
                    " routes meant for two separate tables end up mixed in one. Give each"
                    " table its own id.",
                    others,
                )
            )

    defined: dict[str, TableEntry] = {}
    for name, found in by_name.items():
        winner = _resolve(name, found)
        chosen = next((e for _, e in found if e.id == winner), found[0][1])
        if winner is None or winner == chosen.id:
            defined[name] = chosen
        problems.extend(_name_id_problems(name, found, winner))
    problems.sort(key=lambda p: (p.path, p.line, p.col, p.code))
    return defined, problems


class _OtherPlaces:
    """The places to name next to one entry of a group (one table id, or one name):
    for each file, the first entry whose key (name, or id) differs from the entry's.

    One place per file, not every line: the places tell which files a problem
    involves (a duplicate blocks a change that touches either file), and listing
    every line of a group at every member would grow with the square of the group
    (an rt_tables of 100,000 lines with one id would make 10^10 places).
    """

    def __init__(self, entries: Sequence[TableEntry], key: Callable[[TableEntry], object]) -> None:
        self._key = key
        # per file: its first entry, and its first entry with another key than that one
        self._firsts: dict[str, tuple[TableEntry, TableEntry | None]] = {}
        for entry in entries:
            first, second = self._firsts.get(entry.path, (entry, None))
            if second is None and key(entry) != key(first):
                second = entry
            self._firsts[entry.path] = (first, second)

    def besides(self, value: object) -> tuple[tuple[str, int], ...]:
        places = []
        for first, second in self._firsts.values():
            other = first if self._key(first) != value else second
            if other is not None:
                places.append((other.path, other.line))
        return tuple(places)


def _name_id_problems(
    name: str, found: list[tuple[int, TableEntry]], winner: int | None
) -> Iterator[Problem]:
    """RT102 for every definition of ``name`` whose id differs from the reference: the
    reserved id for a built-in name, else the first definition loaded."""
    reserved = BUILTIN_TABLES.get(name)
    reference = reserved if reserved is not None else found[0][1].id
    if all(e.id == reference for _, e in found):
        return
    first = found[0][1]
    ids = {e.id for _, e in found} | ({reserved} if reserved is not None else set())
    if winner is None:
        outcome = (
            f"Which of them `table {name}` selects depends on the order in which iproute2"
            " reads rt_tables.d, and that order is not fixed."
        )
    else:
        lost_ids = sorted(ids - {winner})
        lost = ", ".join(str(i) for i in lost_ids[:5])
        if len(lost_ids) > 5:
            lost += f" and {len(lost_ids) - 5} more"
        outcome = f"iproute2 resolves `table {name}` to id {winner}"
        if reserved is not None and winner != reserved:
            outcome += f", so `table {name}` no longer means table {reserved}"
        outcome += f"; id {lost} cannot be reached by this name."
    other_ids = _OtherPlaces([e for _, e in found], lambda e: e.id)
    for _, entry in found:
        if entry.id == reference:
            continue
        if reserved is not None:
            head = (
                f"table name {name!r} belongs to table {reserved}, but this line gives it"
                f" id {entry.id}"
            )
        else:
            head = (
                f"table name {name!r} has two ids: {entry.id} here and {first.id} at"
                f" {first.path}:{first.line}"
            )
        related = other_ids.besides(entry.id)
        yield Problem(
            "RT102",
            entry.path,
            entry.line,
            entry.name_col,
            f"{head}. {outcome} Give each name one id.",
            related,
        )
