"""``regime inventory [PATH]``: every guest and vif of the Xen configs in a tree,
the view an admin wants before picking a new MAC or address."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from regime.checks.guests import read_guests
from regime.hooks.base import Options, policy_for
from regime.sources.trees import FsTree

if TYPE_CHECKING:
    from ipaddress import IPv4Network, IPv6Network

COLUMNS = ("config", "line", "guest", "vif", "mac", "ips", "script", "bridge", "vifname")


Row = dict[str, Any]


def rows_of(root: str, opts: Options) -> tuple[list[Row], list[str]]:
    """One row per vif (a guest without vifs: one row with no vif), as data: ``line``
    and ``vif`` are numbers (``vif`` None for a guest without vifs), ``ips`` the list
    of the words of ``ip=``; and the notes on what could not be read."""
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
    rows: list[Row] = []
    for guest in guests:
        if not guest.vifs:
            rows.append(_row(guest.path, guest.name_line, guest.name, None, "", [], "", "", ""))
        for vif in guest.vifs:
            spec = vif.spec
            mac_value = spec.parsed_mac[0] if spec.mac else None
            mac = format_mac(mac_value) if mac_value is not None else (spec.mac or "")
            rows.append(
                _row(
                    guest.path,
                    vif.line,
                    guest.name,
                    vif.index,
                    mac,
                    spec.ips,
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


def _row(
    path: str, line: int, guest: str | None, vif: int | None, mac: str, ips: list[str], *rest: str
) -> Row:
    return dict(zip(COLUMNS, (path, line, guest or "", vif, mac, ips, *rest), strict=True))


def _cells(row: Row) -> dict[str, str]:
    """A row as the table and CSV show it: ``ips`` space-separated (as in ``ip=``),
    no vif as an empty cell."""
    cells = {c: str(row[c]) for c in COLUMNS}
    cells["vif"] = "" if row["vif"] is None else str(row["vif"])
    cells["ips"] = " ".join(row["ips"])
    return cells


def run(
    path: str,
    fmt: str,
    opts: Options,
    out: TextIO = sys.stdout,
    *,
    free: str | None = None,
    free_mac: int | None = None,
) -> int:
    """The inventory; with ``free``, the free host addresses of that network instead;
    with ``free_mac``, that many MACs no vif uses."""
    from regime.hooks.base import UsageError

    network = parse_network(free) if free is not None else None
    if free_mac is not None and not 1 <= free_mac <= MAX_MACS:
        raise UsageError(f"--free-mac takes a count from 1 to {MAX_MACS}, not {free_mac}")
    if not os.path.isdir(path):
        raise UsageError(f"{path}: not a folder")
    rows, notes = rows_of(path, opts)
    if network is not None:
        _write_free(network, rows, notes, fmt, out)
    elif free_mac is not None:
        _write_macs(rows, free_mac, fmt, out)
    elif fmt == "json":
        json.dump({"vifs": rows, "unreadable": notes}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_cells(r) for r in rows)
    else:
        _table([_cells(r) for r in rows], COLUMNS, out)
        guests = len({(r["config"], r["guest"]) for r in rows})
        vifs = sum(1 for r in rows if r["vif"] is not None)
        out.write(f"{guests} guests, {vifs} vifs\n")
    for note in notes:
        sys.stderr.write(f"regime: not in the inventory: {note}\n")
    if notes and (network is not None or free_mac is not None):
        sys.stderr.write(
            "regime: the answer does not know what the configs above use: check them first\n"
        )
    return 0


def _table(rows: Sequence[dict[str, str]], columns: Sequence[str], out: TextIO) -> None:
    widths = {c: max([len(c), *(len(r[c]) for r in rows)]) for c in columns}
    out.write("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(r[c].ljust(widths[c]) for c in columns).rstrip() + "\n")


# --------------------------------------------------------------------------- --free


def parse_network(text: str) -> IPv4Network | IPv6Network:
    """``--free``'s network, strictly: an IPv4 or IPv6 network (a bare address is its
    /32 or /128); host bits set is an error naming the network meant."""
    import ipaddress

    from regime.hooks.base import UsageError

    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        pass
    try:
        meant = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise UsageError(
            f"--free {text!r} is not an IPv4 or IPv6 network: give one such as "
            "192.0.2.0/24 or 2001:db8::/64"
        ) from None
    raise UsageError(f"--free {text!r} has host bits set: the network is {meant}")


def host_range(network: IPv4Network | IPv6Network) -> tuple[int, int]:
    """The first and last host address of a network, as integers. IPv4 below /31:
    without the network and broadcast addresses. IPv6 below /127: without the
    Subnet-Router anycast address (the all-zero host part, RFC 4291), as Python's
    ``hosts()``. /31, /32, /127, /128: every address (RFC 3021 point-to-point links)."""
    first, last = int(network.network_address), int(network.broadcast_address)
    if network.version == 4 and network.prefixlen < 31:
        return first + 1, last - 1
    if network.version == 6 and network.prefixlen < 127:
        return first + 1, last
    return first, last


def used_ranges(rows: Sequence[Row], version: int) -> tuple[list[tuple[int, int, Row]], list[str]]:
    """What the vifs' ``ip=`` use, read as the duplicate-address check reads it
    (:func:`regime.xen.vif.ip_ranges`: a network counts whole), and notes on the words
    that are not addresses (they use nothing)."""
    from regime.xen.vif import ip_ranges

    used: list[tuple[int, int, Row]] = []
    notes: list[str] = []
    for row in rows:
        if not row["ips"]:
            continue
        ranges, bad = ip_ranges(" ".join(row["ips"]))
        used += [(first, last, row) for v, first, last in ranges if v == version]
        for word in bad:
            notes.append(
                f"{row['config']}:{row['line']}: ip= word {word!r} of guest {row['guest']!r} "
                "is not an address: counted as using nothing"
            )
    return used, notes


def free_ranges(lo: int, hi: int, used: Sequence[tuple[int, int, Row]]) -> list[tuple[int, int]]:
    """The runs of ``lo..hi`` no used range covers: at most one more than there are
    used ranges, so a /8 or an IPv6 /64 is a few lines, never one per address."""
    runs: list[tuple[int, int]] = []
    at = lo
    for first, last, _ in sorted(used, key=lambda u: (u[0], u[1])):
        if last < at or first > hi:
            continue
        if first > at:
            runs.append((at, first - 1))
        at = max(at, last + 1)
        if at > hi:
            break
    if at <= hi:
        runs.append((at, hi))
    return runs


def _write_free(
    network: IPv4Network | IPv6Network,
    rows: Sequence[Row],
    notes: list[str],
    fmt: str,
    out: TextIO,
) -> None:
    import ipaddress

    lo, hi = host_range(network)
    used, bad = used_ranges(rows, network.version)
    notes += bad
    inside = [u for u in used if u[1] >= lo and u[0] <= hi]
    runs = free_ranges(lo, hi, inside)
    hosts = hi - lo + 1
    count = sum(last - first + 1 for first, last in runs)

    kind = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address

    def address(value: int) -> str:
        return str(kind(value))

    if fmt == "json":
        doc = {
            "network": str(network),
            "hosts": hosts,
            "free": count,
            "ranges": [
                {"first": address(a), "last": address(b), "count": b - a + 1} for a, b in runs
            ],
            "used_by": [
                {
                    "first": address(a),
                    "last": address(b),
                    "config": row["config"],
                    "line": row["line"],
                    "guest": row["guest"],
                    "vif": row["vif"],
                }
                for a, b, row in sorted(inside, key=lambda u: (u[0], u[1]))
            ],
            "unreadable": notes,
        }
        json.dump(doc, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("first", "last", "count"))
        writer.writerows((address(a), address(b), b - a + 1) for a, b in runs)
        return
    for a, b in runs:
        out.write(f"{address(a)}\n" if a == b else f"{address(a)}-{address(b)}  ({b - a + 1})\n")
    vifs = len({(row["config"], row["line"], row["vif"]) for _, _, row in inside})
    out.write(
        f"{count} of {hosts} host addresses of {network} are free "
        f"({hosts - count} used by {vifs} vif{'' if vifs == 1 else 's'})\n"
    )


# --------------------------------------------------------------------------- --free-mac

#: Most MACs ``--free-mac N`` proposes at once.
MAX_MACS = 1000


def free_macs(rows: Sequence[Row], count: int) -> list[str]:
    """``count`` MACs in Xen's range 00:16:3e:xx:xx:xx that no vif of the tree uses.

    Deterministic: the same tree gives the same answer. The last three bytes come
    from a SHA-256 of the tree's inventory (every config, guest and MAC), counted on
    until a free one comes up; not the lowest free one, since a MAC must be unique on
    the whole Ethernet segment, which often has guests of other trees and hosts whose
    admins also start at 00:16:3e:00:00:01, and xl's own random MACs (guests without
    ``mac=``) are spread over the whole range the same way. Xen's OUI keeps the first
    byte 00: not multicast (bit 0x01, whose frames the Linux bridge drops) and
    universally administered (bit 0x02 clear, right for a registered OUI). 00:00:00
    and ff:ff:ff are never proposed."""
    import hashlib

    from regime.xen.vif import XEN_OUI, format_mac, parse_mac

    used: set[int] = set()
    for row in rows:
        if row["mac"]:
            value = parse_mac(row["mac"])[0]
            if value is not None:
                used.add(value)
    seed = "\n".join(
        sorted(f"{row['config']}\0{row['guest']}\0{row['mac']}" for row in rows)
    ).encode("utf-8", "surrogateescape")
    proposed: list[str] = []
    taken = set(used)
    counter = 0
    while len(proposed) < count:
        digest = hashlib.sha256(seed + b"\0" + str(counter).encode()).digest()
        counter += 1
        low = int.from_bytes(digest[:3], "big")
        value = XEN_OUI << 24 | low
        if low in (0, 0xFFFFFF) or value in taken:
            if counter > 100_000:  # a range nearly full: no tree has 16 million vifs
                raise RuntimeError("no free MAC found in 00:16:3e:xx:xx:xx")
            continue
        taken.add(value)
        proposed.append(format_mac(value))
    return proposed


def _write_macs(rows: Sequence[Row], count: int, fmt: str, out: TextIO) -> None:
    macs = free_macs(rows, count)
    if fmt == "json":
        json.dump({"macs": macs}, out, indent=2)
        out.write("\n")
    elif fmt == "csv":
        out.write("mac\n" + "".join(f"{m}\n" for m in macs))
    else:
        out.write("".join(f"{m}\n" for m in macs))
