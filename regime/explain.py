"""``regime explain`` and ``regime init``: the rule pages and the default policy."""

from __future__ import annotations

import os
from importlib.resources import files
from typing import TextIO

from regime.checks.rules import RULES


def explain(code: str | None, out: TextIO) -> int:
    if code is None:
        out.write("regime rules (`regime explain CODE` for one):\n")
        for rule in RULES.values():
            out.write(f"  {rule.code:<8} {rule.default.value:<8} {rule.summary}\n")
        return 0
    if code.upper() not in RULES:
        from regime.hooks.base import UsageError
        from regime.suggest import did_you_mean

        hint = did_you_mean(code, RULES)
        raise UsageError(f"no rule {code!r}{hint} (`regime explain` lists them)")
    rule = RULES[code.upper()]
    out.write(f"{rule.code} ({rule.name}), default severity: {rule.default.value}\n")
    out.write(f"{rule.summary}\n\n{rule.explain}\n")
    return 0


def default_policy_text() -> str:
    return files("regime.policy").joinpath("default.regime.yaml").read_text(encoding="utf-8")


def write_default_policy(path: str | None, force: bool) -> int:
    """Write the default policy where regime reads it: ``.regime.yaml`` at the top of
    the git work tree (from a subfolder too), outside git in the current folder (the
    tree ``regime check`` takes there); or at ``path`` when one is given."""
    from regime.hooks.base import UsageError, git_root_or_cwd

    if path is None:
        path = os.path.join(git_root_or_cwd(), ".regime.yaml")
    if os.path.lexists(path) and not force:
        raise UsageError(f"{path} exists already; use --force to overwrite it")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(default_policy_text())
    shown = os.path.relpath(path)
    if shown.startswith(".."):
        shown = os.path.abspath(path)  # not below here: say where plainly
    print(f"regime: wrote {shown}; edit it and commit it with the repository.")
    return 0
