"""File names in diff headers: git's C-quoting, prefixes, svnlook labels."""

from __future__ import annotations

_ESCAPES = {
    "a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13,
    '"': 34, "\\": 92,
}  # fmt: skip


def decode(raw: bytes) -> str:
    """Bytes of a diff as text: UTF-8, undecodable bytes kept as surrogates."""
    return raw.decode("utf-8", "surrogateescape")


def unquote(name: str) -> str:
    """Undo git's C-style quoting (``"dir/\\303\\251t\\303\\251.c"``).

    A name that is not quoted is returned as it is.
    """
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body = name[1:-1].encode("utf-8", "surrogateescape")
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != 0x5C or i + 1 >= len(body):  # not a backslash
            out.append(c)
            i += 1
            continue
        nxt = chr(body[i + 1])
        if (
            nxt in "01234567"
            and i + 3 < len(body)
            and all(chr(d) in "01234567" for d in body[i + 1 : i + 4])
        ):
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        elif nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return decode(bytes(out))


def split_git_header(rest: str) -> tuple[str, str] | None:
    """Split the ``A B`` of ``diff --git A B`` into its two names.

    Quoted names are unambiguous. Unquoted names may contain spaces (even
    `` b/``), so when both sides are the same path (no rename) the line is cut
    in the middle; otherwise there is no safe answer and None is returned.
    """
    if rest.startswith('"'):
        end = _quoted_end(rest)
        if end is None:
            return None
        first, second = rest[: end + 1], rest[end + 2 :]
        return unquote(first), unquote(second)
    if rest.endswith('"'):
        start = rest.rfind(' "')
        if start == -1:
            return None
        return rest[:start], unquote(rest[start + 1 :])
    if len(rest) % 2 == 1:
        half = len(rest) // 2
        first, second = rest[:half], rest[half + 1 :]
        if rest[half] == " " and first[first.find("/") + 1 :] == second[second.find("/") + 1 :]:
            return first, second
    return None


def _quoted_end(text: str) -> int | None:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return None


def strip_prefix(name: str, prefix: str) -> str:
    """Drop a git prefix (``b/``) when it is there."""
    if prefix and name.startswith(prefix):
        return name[len(prefix) :]
    return name


def guess_prefixes(src: str, dst: str) -> tuple[str, str]:
    """The prefixes of a ``diff --git`` header: ``a/ b/`` by default, the mnemonic
    ones (``i/ w/``, ``c/ i/``, ...) when used, none with ``--no-prefix``."""
    sp, dp = src.split("/", 1)[0], dst.split("/", 1)[0]
    if len(sp) == 1 and len(dp) == 1 and sp != dp and "/" in src and "/" in dst:
        return sp + "/", dp + "/"
    return "", ""


def svn_label_name(label: str) -> str:
    """The name in an svnlook ``--- P\\t(rev N)`` label: everything before the tab."""
    return label.split("\t", 1)[0]


_NULL = "/dev/null"


def plain_names(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """The names of a plain diff's ---/+++ labels with their prefixes stripped, as
    ``patch -p1`` would, when both sides carry one: ``diff -ruN a b`` and hg write
    ``a/etc/x`` and ``b/etc/x``, ``diff -ruN old new`` writes ``old/etc/x`` and
    ``new/etc/x``, and the path is ``etc/x``. A prefix is a first component that
    differs between the sides (``diff -u etc/x.orig etc/x`` names one folder twice:
    nothing is stripped). A side that is /dev/null (hg's added and deleted files)
    carries none: the other side's ``b/`` (new) or ``a/`` (old) is stripped then."""
    if old is None or new is None:
        return old, new
    if old == _NULL or new == _NULL:
        if new != _NULL and new.startswith("b/"):
            return old, new[2:]
        if old != _NULL and old.startswith("a/"):
            return old[2:], new
        return old, new
    old_first, _, old_rest = old.partition("/")
    new_first, _, new_rest = new.partition("/")
    if old_rest and new_rest and old_first != new_first:
        return old_rest, new_rest
    return old, new


def binary_names(line: str) -> tuple[str | None, str | None]:
    """The two names of ``Binary files A and B differ`` (GNU diff, git): cut at the
    " and " that leaves the same path on both sides once prefixes go, else the last."""
    body = line[len("Binary files ") :].removesuffix(" differ")
    cuts = [i for i in range(len(body)) if body.startswith(" and ", i)]
    if not cuts:
        return None, None
    pairs = [(body[:i], body[i + 5 :]) for i in cuts]
    for old, new in pairs:
        o, n = plain_names(old, new)
        if o == n or _NULL in (old, new):
            return old, new
    return pairs[-1]
