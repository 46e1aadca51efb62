""" "Did you mean ...?" for a word that is not one of the known ones: a rule code
(`regime explain WS10`, a policy's `rules:`), a policy key, a choice.

A typo should cost one glance, not a read through the list of every rule; difflib
(the standard library's, imported only when a word is wrong) finds the close ones.
"""

from __future__ import annotations

from collections.abc import Iterable


def close_matches(word: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known words closest to ``word``, best first, ignoring case (``ws101`` is
    WS101): the one that differs only in case alone, else up to ``n`` that
    :func:`difflib.get_close_matches` finds (similarity 0.6 or more)."""
    import difflib

    by_fold: dict[str, str] = {}
    for candidate in known:
        by_fold.setdefault(candidate.casefold(), candidate)
    folded = word.casefold()
    if folded in by_fold:
        return [by_fold[folded]]
    found = difflib.get_close_matches(folded, list(by_fold), len(by_fold), 0.6)
    # best first; equally close ones in order (difflib puts WS102 before WS101)
    score = {m: difflib.SequenceMatcher(None, folded, m).ratio() for m in found}
    return [by_fold[m] for m in sorted(found, key=lambda m: (-score[m], m))[:n]]


def did_you_mean(word: str, known: Iterable[str], *, quote: bool = False) -> str:
    """``"; did you mean X?"`` (or ``X or Y``) to append to an error, or ``""`` when
    nothing is close. With ``quote``, the words are shown as Python quotes them."""
    found = [repr(m) if quote else m for m in close_matches(word, known)]
    if not found:
        return ""
    shown = found[0] if len(found) == 1 else f"{', '.join(found[:-1])} or {found[-1]}"
    return f"; did you mean {shown}?"
