"""``regime inventory [PATH]``: every guest and vif of the Xen configs in a tree,
the view an admin wants before picking a new MAC or address."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from regime.checks.guests import read_guests
from regime.hooks.base import Options, policy_for
from regime.sources.trees import FsTree

COLUMNS = ("config", "line", "guest", "vif", "mac", "ips", "script", "bridge", "vifname")


def rows_of(root: str, opts: Options) -> tuple[list[dict[str, str]], list[str]]:
    from regime.sources import git
    from regime.sources.process import ProducerError
    from regime.xen.vif import format_mac

    try:
        top = git.toplevel(root)
        tree = FsTree(top, git.tracked_files(cwd=top))
        base = top
    except ProducerError:
        tree = FsTree(root)
        base = root
    policy = policy_for(opts, base)
    configs = [p for p in tree.paths() if policy.infra.is_guest_config(p)]
    too_big: list[tuple[str, int]] = []
    limit = policy.limits.max_file_size
    files = dict(tree.read_many(configs, limit, too_big))
    # a config that is a link is its target's guest, as for the checks (xl follows it)
    from regime.checks.infra import link_problems
    from regime.sources.links import read_links

    is_config = policy.infra.is_guest_config
    links = read_links(tree, configs, files, is_config, is_config, limit, too_big)
    guests, problems = read_guests(files, policy.infra.xen_grammar)
    problems += link_problems(links)
    rows: list[dict[str, str]] = []
    for guest in guests:
        if not guest.vifs:
            rows.append(_row(guest.path, guest.name_line, guest.name, "", "", "", "", "", ""))
        for vif in guest.vifs:
            spec = vif.spec
            mac_value = spec.parsed_mac[0] if spec.mac else None
            mac = format_mac(mac_value) if mac_value is not None else (spec.mac or "")
            rows.append(
                _row(
                    guest.path,
                    vif.line,
                    guest.name,
                    str(vif.index),
                    mac,
                    " ".join(spec.ips),
                    spec.script or "",
                    spec.bridge or "",
                    spec.vifname or "",
                )
            )
    from regime.limits import too_big_finding

    notes = [f"{p.path}:{p.line}:{p.col}: {p.code} {p.message}" for p in problems]
    for path, size in too_big:
        f = too_big_finding(path, size, limit, policy, "file")
        notes.append(f"{f.path}:0:0: {f.code} {f.message}")
    return rows, notes


def _row(path: str, line: int, guest: str | None, *rest: str) -> dict[str, str]:
    return dict(zip(COLUMNS, (path, str(line), guest or "", *rest), strict=True))


def run(path: str, fmt: str, opts: Options, out: TextIO = sys.stdout) -> int:
    if not os.path.isdir(path):
        from regime.hooks.base import UsageError

        raise UsageError(f"{path}: not a folder")
    rows, notes = rows_of(path, opts)
    if fmt == "json":
        json.dump({"vifs": rows, "unreadable": notes}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        _table(rows, out)
        guests = len({(r["config"], r["guest"]) for r in rows})
        vifs = sum(1 for r in rows if r["vif"])
        out.write(f"{guests} guests, {vifs} vifs\n")
    for note in notes:
        sys.stderr.write(f"regime: not in the inventory: {note}\n")
    return 0


def _table(rows: Sequence[dict[str, str]], out: TextIO) -> None:
    widths = {c: max([len(c), *(len(r[c]) for r in rows)]) for c in COLUMNS}
    out.write("  ".join(c.upper().ljust(widths[c]) for c in COLUMNS).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(r[c].ljust(widths[c]) for c in COLUMNS).rstrip() + "\n")
