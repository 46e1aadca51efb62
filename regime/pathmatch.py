"""Which files a rule applies to: suffixes and globs, case-sensitive.

A pattern that starts with "." and holds no wildcard is a suffix (``.C`` is C++,
``.c`` is C: the match is case-sensitive, like the classic hook). Any other
pattern is a glob: without a "/" it matches the base name anywhere in the tree
(like .gitignore); with a "/" it matches the whole path from the repository
root. ``*`` and ``?`` never cross a "/", ``**`` crosses any number of folders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_WILDCARDS = set("*?[")


def is_suffix(pattern: str) -> bool:
    return pattern.startswith(".") and not (_WILDCARDS & set(pattern)) and "/" not in pattern


@lru_cache(maxsize=1024)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob into a regular expression over a "/"-separated path."""
    anchored = "/" in pattern.rstrip("/")
    pat = pattern.lstrip("/") if anchored else pattern
    out: list[str] = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pat.find("]", i + 2 if pat[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    if anchored:
        return re.compile(body + r"\Z", re.DOTALL)
    return re.compile(r"(?:.*/)?" + body + r"\Z", re.DOTALL)


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
        if self.suffixes and path.rsplit("/", 1)[-1].endswith(self.suffixes):
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
