"""Which files a rule applies to: suffixes and globs, case-sensitive.

A pattern that starts with "." and holds no wildcard is a suffix (``.C`` is C++,
``.c`` is C: the match is case-sensitive, like the classic hook). Any other
pattern is a glob: without a "/" it matches the base name anywhere in the tree
(like .gitignore); with a "/" it matches the whole path from the repository
root. ``*``, ``?`` and ``[...]`` never match a "/"; ``**`` as a whole segment
matches any number of folders (elsewhere it is ``*``, as in git). Matching takes
time linear in the path whatever the glob: a policy is supplied by a repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_WILDCARDS = set("*?[")


def is_suffix(pattern: str) -> bool:
    return pattern.startswith(".") and not (_WILDCARDS & set(pattern)) and "/" not in pattern


_GLOBSTAR = "**"


class GlobError(ValueError):
    """A glob that cannot be used (a character class that runs backwards): the
    message says what is wrong, for the policy loader to report at its line."""


@lru_cache(maxsize=1024)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob into a regular expression over a "/"-separated path that
    matches in time linear in the path, whatever the glob (GlobError if it is bad).

    A backtracking translation of ``*a*a*a*b`` tries every way of placing its stars:
    a long name held a push for minutes. Here each ``*`` after the first of a
    segment and each ``**`` before the last takes the earliest place its next
    piece fits and never gives it back (an atomic group): the earliest place leaves
    the most for what follows, which starts with a star again, so no match is lost.
    ``**`` is special only as a whole segment (as in git); elsewhere it is ``*``."""
    anchored = "/" in pattern.rstrip("/")
    segments = (pattern.lstrip("/") if anchored else pattern).split("/")
    if not anchored:
        segments.insert(0, _GLOBSTAR)  # the base name, at any depth
    # runs of segments between globstars (consecutive globstars are one)
    items: list[list[str] | None] = []
    for seg in segments:
        if seg == _GLOBSTAR:
            if not items or items[-1] is not None:
                items.append(None)
        elif items and items[-1] is not None:
            items[-1].append(seg)
        else:
            items.append([seg])
    out: list[str] = []
    last = len(items) - 1
    for i, item in enumerate(items):
        if item is not None:
            if i == 0:  # anchored at the root
                out.append(_group(item) + ("/" if i < last else ""))
            continue
        if i == last:
            out.append(".*")  # a trailing globstar: anything below
        elif i + 1 == last:  # the last run: it ends the path
            run = items[i + 1]
            assert run is not None
            # one segment can only be the last one: take every folder, give none back
            loop = "(?:[^/]*+/)*+" if len(run) == 1 else "(?:[^/]*+/)*"
            out.append(loop + _group(run))
        else:
            run = items[i + 1]
            assert run is not None
            out.append("(?>(?:[^/]*+/)*?" + _group(run) + "/)")
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _group(segments: list[str]) -> str:
    return "/".join(_segment(seg) for seg in segments)


def _segment(seg: str) -> str:
    """One segment of a glob (no "/"): pieces of fixed length between stars."""
    pieces: list[list[str]] = [[]]
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            while i < len(seg) and seg[i] == "*":
                i += 1
            pieces.append([])
            continue
        if c == "?":
            pieces[-1].append("[^/]")
        elif c == "[" and (cls := _char_class(seg, i)) is not None:
            text, i = cls
            pieces[-1].append(text)
            continue
        else:
            pieces[-1].append(re.escape(c))
        i += 1
    texts = ["".join(p) for p in pieces]
    if len(texts) == 1:
        return texts[0]
    first, *middle, final = texts
    return first + "".join(f"(?>[^/]*?{p})" for p in middle) + "[^/]*" + final


def _char_class(seg: str, start: int) -> tuple[str, int] | None:
    """The class ``[...]`` at ``start`` as a regex that never matches "/" (git's
    rule for paths), and the index after it; None if it is not closed (then the
    "[" is literal). A range that runs backwards (``[z-a]``) is a GlobError."""
    i = start + 1
    negate = i < len(seg) and seg[i] in "!^"
    i += negate
    body_start = i
    end = seg.find("]", i + 1 if i < len(seg) and seg[i] == "]" else i)
    if end == -1:
        return None
    body = seg[body_start:end]
    items: list[str] = []
    j = 0
    while j < len(body):
        lo = body[j]
        if j + 2 < len(body) and body[j + 1] == "-":
            hi = body[j + 2]
            if lo > hi:
                raise GlobError(
                    f"the range {lo}-{hi} in {seg[start : end + 1]} runs backwards: write {hi}-{lo}"
                )
            items.append(f"{_char(lo)}-{_char(hi)}")
            j += 3
        else:
            items.append(_char(lo))
            j += 1
    chars = "".join(items)
    text = f"[^/{chars}]" if negate else f"(?!/)[{chars}]"
    return text, end + 1


def _char(c: str) -> str:
    return f"\\U{ord(c):08x}"


class _Patterns:
    """A compiled list of suffixes and globs."""

    __slots__ = ("globs", "suffixes")

    def __init__(self, patterns: Iterable[str]) -> None:
        pats = list(patterns)
        self.suffixes: tuple[str, ...] = tuple(p for p in pats if is_suffix(p))
        # every glob in one alternation: one regex call per path, not one per glob
        # (each alternative ends in \Z, so it matches exactly what any() of them would)
        globs = [glob_to_regex(p).pattern for p in pats if not is_suffix(p)]
        self.globs: re.Pattern[str] | None = (
            re.compile("|".join(f"(?:{g})" for g in globs), re.DOTALL) if globs else None
        )

    def match(self, path: str) -> bool:
        # a suffix holds no "/": the path ends with it exactly when its last part does
        if self.suffixes and path.endswith(self.suffixes):
            return True
        return self.globs is not None and self.globs.match(path) is not None


class PathFilter:
    """Include and exclude patterns (suffixes or globs), compiled once."""

    __slots__ = ("_exclude", "_include")

    def __init__(self, include: Iterable[str], exclude: Iterable[str] = ()) -> None:
        self._include = _Patterns(include)
        self._exclude = _Patterns(exclude)

    def matches(self, path: str) -> bool:
        return self._include.match(path) and not self._exclude.match(path)

    def excluded(self, path: str) -> bool:
        return self._exclude.match(path)
