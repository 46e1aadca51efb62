"""Xen guest configs read into guests and their vifs, for the XEN checks and
``regime inventory``. Configs are data: xl ones are parsed with xl's grammar, xm
ones (Python) with ``ast`` only; nothing is ever executed."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from regime.findings import Problem
from regime.xen.vif import VifSpec

if TYPE_CHECKING:
    from regime.xen.xlcfg import XlConfig, XlSyntaxError


@dataclass(slots=True)  # read-only by convention (see regime.xen.xlcfg.Value)
class VifPlace:
    index: int  # 0-based, as xl numbers devices
    line: int
    col: int
    spec: VifSpec


@dataclass(slots=True)
class Guest:
    path: str
    name: str | None = None
    name_line: int = 1
    vifs: list[VifPlace] = field(default_factory=list)
    vif_is_string: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        return repr(self.name) if self.name is not None else self.path


#: The settings the XEN rules read (XEN101-XEN112: the vifs and the guest's name).
#: An xm config that computes one of them cannot be judged: XEN003 (an error), not
#: XEN002, or a reused MAC written as ``vif = make_vifs()`` would pass.
NEEDED_SETTINGS = frozenset(("vif", "name"))


def needs_value(may_set: tuple[str, ...] | None) -> str | None:
    """The setting a rule needs that a statement may set (None: it sets none)."""
    if may_set is None:
        return "any setting (vif and name too)"
    return next((key for key in may_set if key in NEEDED_SETTINGS), None)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector paused while a tree's guests are read and compared.

    Reading 10,000 guests makes some 350,000 objects, none of them in a cycle, and the
    collector walks the young ones again every 700 allocations: a quarter of the time,
    and more than linear in the number of guests. Nothing is lost by pausing it (plain
    reference counting still frees everything); it runs again afterwards.

    Before it runs again, every object alive is frozen (``gc.freeze``): moved out of
    the collector's generations, so the first collection after the pause does not
    walk the 350,000 objects just made (an 80 ms pass at 10,000 guests, and more in a
    full one). They are still freed by reference counting; only a cycle among them
    would outlive the process, and regime is one process per hook or check.

    Why not pause it for the whole run where the command line starts a check: with
    this, ``regime check`` of 10,000 guests runs 24 collections in all, every one while
    modules are imported, 5.5 ms together, and the pass at exit takes 0.4 ms (issue 16,
    counted with ``gc.callbacks``): less than 1% of the run to win, against a collector
    kept from the cycles of a long push or a big svn transaction.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _refusal(exc: XlSyntaxError) -> str:
    """XEN001's message: xl's own line, then why and what to write (the hint the
    parser worked out), then the word on old xm configs."""
    message = f"xl refuses this file: {exc}"
    if exc.hint:
        message += f"; {exc.hint}"
    if exc.looks_like_python:
        message += (
            "; this looks like an old xm config (Python), which xl no longer reads: "
            "rewrite it in xl syntax, or set xen: {grammar: xm} in .regime.yaml"
        )
    return message


def _dropped_escapes(path: str, config: XlConfig) -> list[Problem]:
    """XEN115 for each octal escape xl accepts and drops from a string."""
    return [
        Problem(
            "XEN115",
            path,
            d.line,
            d.col,
            f"xl drops the octal escape {d.escape} from the string {d.source} without a "
            f"word and reads it as {d.value!r}; write the character itself",
        )
        for d in config.dropped
    ]


def read_guests(configs: Mapping[str, bytes], grammar: str) -> tuple[list[Guest], list[Problem]]:
    with paused_gc():
        return _read_guests(configs, grammar)


def _read_guests(configs: Mapping[str, bytes], grammar: str) -> tuple[list[Guest], list[Problem]]:
    from regime.xen.vif import parse_vif
    from regime.xen.xlcfg import XlSyntaxError, parse_xl

    if grammar == "xm":  # its reader (and Python's ast) only then: 3 ms of start-up
        from regime.xen.xmcfg import XmSyntaxError, parse_xm

    guests: list[Guest] = []
    problems: list[Problem] = []
    for path in sorted(configs):
        text = configs[path].decode("utf-8", "surrogateescape")
        config: XlConfig
        if grammar == "xm":
            try:
                config, not_static = parse_xm(text)
            except XmSyntaxError as exc:
                problems.append(Problem(
                    "XEN001", path, exc.line, exc.col,
                    f"not valid Python, so xm would refuse it too: {exc.message}",
                ))  # fmt: skip
                continue
            for ns in not_static:
                what = f"{ns.key} = ..." if ns.key else "this statement"
                needed = needs_value(ns.may_set)
                if needed is None:
                    problems.append(Problem(
                        "XEN002", path, ns.line, ns.col,
                        f"{what} cannot be checked statically ({ns.reason}); regime never "
                        "runs a config: write it as a literal",
                    ))  # fmt: skip
                else:
                    problems.append(Problem(
                        "XEN003", path, ns.line, ns.col,
                        f"{what} cannot be checked statically ({ns.reason}), and it may set "
                        f"{needed}, which the XEN rules compare across guests; regime never "
                        "runs a config: write it as a literal",
                                    ))  # fmt: skip
        else:
            try:
                config = parse_xl(text)
            except XlSyntaxError as exc:
                problems.append(Problem("XEN001", path, exc.line, exc.col, _refusal(exc)))
                continue
            if config.dropped:
                problems += _dropped_escapes(path, config)
        guest = Guest(path)
        named = config.string_value("name")
        if named is not None:
            guest.name, guest.name_line = named
        specs = config.string_items("vif")  # up to the first element that is not a string
        if specs is not None:
            places = guest.vifs
            for index, (spec, line, col) in enumerate(specs):
                places.append(VifPlace(index, line, col, parse_vif(spec)))
        else:
            vif = config.get("vif")
            if vif is not None and vif.kind == "string":
                guest.vif_is_string = (vif.line, vif.col)
        guests.append(guest)
    return guests, problems
