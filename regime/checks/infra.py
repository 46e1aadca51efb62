"""Infrastructure checks over the whole tree after a change: Xen guest configs
(XEN1xx) and iproute2 routing tables (RT1xx).

A duplicate needs both sides, so these checks read every infrastructure file of
the tree, not just the changed lines. A finding that involves a file the change
touches blocks as its rule says; one only between untouched files is reported as
pre-existing and does not block (unless the policy says ``preexisting: block``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from regime.checks.guests import Guest, VifPlace, paused_gc, read_guests
from regime.checks.vif_values import vif_value_problems
from regime.findings import Finding, Problem, Severity
from regime.policy.model import Policy
from regime.sources.links import Followed, Links
from regime.xen.vif import VALUE_KEYS


def check_infra(
    files: Mapping[str, bytes], touched: set[str] | None, policy: Policy
) -> list[Finding]:
    """Findings for the infrastructure files of a tree. ``touched`` None: all count."""
    return judge_infra(prepare_infra(files, policy), touched, policy)


@dataclass(slots=True)
class Prepared:
    """What reading a tree's infrastructure files gives before the change is known:
    the guests, and the problems of single files and of the routing tables. This is
    the costly part, so a door that knows early that the checks will run can have it
    made while the diff still streams (see engine.check_changeset)."""

    files: Mapping[str, bytes]
    guests: list[Guest]
    parse_problems: list[Problem]
    rt_problems: list[Problem]
    # the links among the files (regime.sources.links), and every infrastructure path
    # of the tree (read or not): a touched one not there was deleted or renamed away
    links: Links = field(default_factory=Links)
    present: frozenset[str] = frozenset()


def prepare_infra(
    files: Mapping[str, bytes],
    policy: Policy,
    links: Links | None = None,
    present: Iterable[str] | None = None,
) -> Prepared:
    """``files`` holds a link's target under the link's name (see regime.sources.links);
    ``present``: every infrastructure path of the tree (default: those of ``files``)."""
    infra = policy.infra
    links = links if links is not None else Links()
    with paused_gc():
        configs = {p: d for p, d in files.items() if infra.is_guest_config(p)}
        guests, parse_problems = read_guests(configs, infra.xen_grammar)
        parse_problems += link_problems(links)
        return Prepared(
            files, guests, parse_problems, _rt_problems(files, policy), links,
            frozenset(present if present is not None else files),
        )  # fmt: skip


def link_problems(links: Links) -> list[Problem]:
    """INF001 for each link that cannot be followed inside the tree."""
    return [_broken_link(f) for f in links.broken]


def _broken_link(followed: Followed) -> Problem:
    return Problem(
        "INF001", followed.link, 0, 0,
        f"{followed.link} is a symbolic link to {followed.target}: {followed.problem}; xl "
        "and iproute2 would follow it, regime reads only the repository: point it at a file "
        "of the repository with a relative path, or make it a file",
        related=tuple((path, 0) for path in followed.through),
    )  # fmt: skip


def judge_infra(prepared: Prepared, touched: set[str] | None, policy: Policy) -> list[Finding]:
    """The findings, once the paths the change touches are known."""
    with paused_gc():
        guests = list(prepared.guests)
        rt_problems = prepared.rt_problems
        if touched is not None:
            # a link reads its target: a change to the target (or a link on the way) is
            # a change to the link
            touched = touched | prepared.links.touched_through(touched)
            rt_problems = _after_removed_tables(rt_problems, touched, prepared, policy)
            # a duplicate is reported at its second place: make that the file the change
            # touches (the new guest reuses the old one's MAC, not the other way round)
            guests.sort(key=lambda g: g.path in touched)
        problems = list(prepared.parse_problems)
        problems += _guest_problems(guests, policy)
        for group in _guest_groups(guests, policy):
            problems += _cross_guest_problems(group)
        problems += rt_problems
        findings = _to_findings(problems, touched, policy, prepared.files)
        findings.sort(key=lambda f: (f.path, f.line, f.col, f.code))
        return findings


def _after_removed_tables(
    problems: list[Problem], touched: set[str], prepared: Prepared, policy: Policy
) -> list[Problem]:
    """A change that deletes an rt_tables file, renames it away or edits it may take
    away the definition of a table a script of the same host still uses: each RT105
    of that host then involves the file, so it blocks (the tables the file defined
    before are not known here: its old content is not read; so every table no file of
    the host defines now counts, which is the safe side)."""
    from regime.checks.hosts import hosts_of

    infra = policy.infra
    changed = sorted(p for p in touched if infra.is_rt_tables(p))
    if not changed:
        return problems
    others = [p for p in prepared.files if infra.is_rt_tables(p) or infra.is_table_script(p)]
    host = hosts_of([*changed, *others, *(p.path for p in problems if p.code == "RT105")])
    out = []
    for problem in problems:
        own = [p for p in changed if host[p] == host.get(problem.path)]
        if problem.code != "RT105" or not own:
            out.append(problem)
            continue
        gone = [p for p in own if p not in prepared.present]
        edited = [p for p in own if p in prepared.present]
        what = []
        if gone:
            what.append(f"deletes or renames {_some(gone)}")
        if edited:
            what.append(f"edits {_some(edited)}")
        note = f" The change {' and '.join(what)}, which may have defined it."
        related = tuple((path, 0) for path in own)
        out.append(
            replace(problem, message=problem.message + note, related=problem.related + related)
        )
    return out


def _some(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _guest_problems(guests: Iterable[Guest], policy: Policy) -> list[Problem]:
    out: list[Problem] = []
    limit = policy.infra.max_vifs
    routed_default = "vif-route" in policy.infra.default_script
    for guest in guests:
        if guest.vif_is_string is not None:
            line, col = guest.vif_is_string
            out.append(Problem(
                "XEN106", guest.path, line, col,
                "vif is a string, not a list: xl gives the guest NO network interface; "
                "write vif = [ '...' ]",
            ))  # fmt: skip
        if len(guest.vifs) > limit:
            vif = guest.vifs[limit]
            out.append(Problem(
                "XEN104", guest.path, vif.line, vif.col,
                f"guest {guest.label} has {len(guest.vifs)} vifs, more than the {limit} the "
                "policy allows (xen.max_vifs); the extra ones will not come up",
            ))  # fmt: skip
        label = guest.label
        for vif in guest.vifs:
            # This runs for each of 30,000 vifs and nearly all are fine: what costs
            # (the words of a message, a call per rule) is done only for a vif that
            # has something to say.
            spec = vif.spec
            items = spec.items
            if spec.unknown or spec.quoted or "mac" not in items:
                out += _spec_problems(guest.path, vif, label)
            else:
                value, problem = spec.parsed_mac
                if value is None or value == 0 or (value >> 40) & 0x01:
                    out += _mac_problem(guest.path, vif, label, value, problem)
            vifname = items.get("vifname")
            if vifname is not None and len(vifname) > 15:
                out.append(Problem(
                    "XEN110", guest.path, vif.line, vif.col,
                    f"{_where(vif, label)}: vifname={vifname} is {len(vifname)} characters; "
                    "Linux truncates interface names to 15",
                    source=spec.raw,
                ))  # fmt: skip
            raw = spec.raw
            if not VALUE_KEYS.isdisjoint(items) or " " in raw or not raw.isprintable():
                out += vif_value_problems(guest.path, vif, _where(vif, label))
            script = items.get("script")
            routed = "vif-route" in script.rsplit("/", 1)[-1] if script else routed_default
            # no word in ip= (spec.ips splits it on these blanks: not needed to say so)
            if routed and not items.get("ip", "").strip(" \t\n"):
                how = (
                    f"script={script}"
                    if script
                    else f"the default script ({policy.infra.default_script})"
                )
                out.append(Problem(
                    "XEN103", guest.path, vif.line, vif.col,
                    f"{_where(vif, label)} is routed ({how}) but has no ip=: vif-route adds no "
                    "route and the guest is unreachable; add ip=ADDRESS",
                    source=spec.raw,
                ))  # fmt: skip
    return out


def _where(vif: VifPlace, label: str) -> str:
    """How a message names a vif: ``vif 0 of guest 'web'``."""
    return f"vif {vif.index} of guest {label}"


def _spec_problems(path: str, vif: VifPlace, label: str) -> list[Problem]:
    """XEN108 for the items xl does not know, XEN107 for quoted values, XEN109 for a
    vif with no mac=, else what :func:`_mac_problem` says of its MAC."""
    spec = vif.spec
    where = _where(vif, label)
    out: list[Problem] = []
    for item in spec.unknown:
        hint = (
            "; several addresses are space-separated: ip=A B"
            if _looks_like_address(item)
            else "; keys are case-sensitive, with no spaces around ="
        )
        out.append(Problem(
            "XEN108", path, vif.line, vif.col,
            f"{where}: {item!r} is not a known key=value, xl ignores it{hint}",
            source=spec.raw,
        ))  # fmt: skip
    for key in spec.quoted:
        out.append(Problem(
            "XEN107", path, vif.line, vif.col,
            f"{where}: the value of {key}= holds a quote, which xl keeps literally "
            f"({key}={spec.items.get(key, '')}); remove the quotes",
            source=spec.raw,
        ))  # fmt: skip
    if spec.mac is None:
        out.append(Problem(
            "XEN109", path, vif.line, vif.col,
            f"{where} has no mac=: xl makes a random MAC on every boot; set one",
            source=spec.raw,
        ))  # fmt: skip
    else:
        value, problem = spec.parsed_mac
        out += _mac_problem(path, vif, label, value, problem)
    return out


def _mac_problem(
    path: str, vif: VifPlace, label: str, value: int | None, problem: str | None
) -> list[Problem]:
    """XEN105 for a MAC xl cannot read, an all-zero one or a multicast one."""
    from regime.xen.vif import is_multicast, is_zero

    spec = vif.spec
    where = _where(vif, label)
    if value is None:
        message = f"{where}: mac={spec.mac} is not a MAC xl can read ({problem})"
    elif is_zero(value):
        message = (
            f"{where}: mac={spec.mac} is all zeros, so xl picks a random one on every "
            "boot; set a real address"
        )
    elif is_multicast(value):
        message = (
            f"{where}: mac={spec.mac} is a multicast address (bit 0x01 of the first "
            "octet), which the Linux bridge drops; use 00:16:3e:... or a locally "
            "administered address (x2:, x6:, xA:, xE:)"
        )
    else:
        return []
    return [Problem("XEN105", path, vif.line, vif.col, message, source=spec.raw)]


def _guest_groups(guests: list[Guest], policy: Policy) -> list[list[Guest]]:
    """The guests compared with each other: all of them, or each group of
    ``xen.groups`` (in their order: the touched ones last, see judge_infra)."""
    infra = policy.infra
    if not infra.xen_groups:
        return [guests]
    groups: dict[int, list[Guest]] = {}
    for guest in guests:
        groups.setdefault(infra.guest_group(guest.path), []).append(guest)
    return [groups[i] for i in sorted(groups)]


def _looks_like_address(item: str) -> bool:
    head = item.split("/", 1)[0]
    return head.count(".") == 3 or ":" in head


def _cross_guest_problems(guests: list[Guest]) -> list[Problem]:
    from regime.xen.vif import format_mac, ip_ranges

    out: list[Problem] = []
    # the first vif of each MAC, vifname and address: where a second one is found,
    # its message names this one
    macs: dict[int, tuple[Guest, VifPlace]] = {}
    names: dict[str, tuple[Guest, int]] = {}
    vifnames: dict[str, tuple[Guest, VifPlace]] = {}
    networks: list[tuple[int, int, int, Guest, VifPlace]] = []
    for guest in guests:
        if guest.name is not None:
            first = names.get(guest.name)
            if first is None:
                names[guest.name] = (guest, guest.name_line)
            else:
                other, line = first
                out.append(Problem(
                    "XEN112", guest.path, guest.name_line, 1,
                    f"guest name {guest.name!r} is also used by {other.path}:{line}",
                    related=((other.path, line),),
                ))  # fmt: skip
        for vif in guest.vifs:
            spec = vif.spec
            items = spec.items
            value = spec.parsed_mac[0]  # None: no mac= or one xl cannot read
            if value:  # 0: all zeros, a random MAC on each boot
                seen = macs.setdefault(value, (guest, vif))
                if seen[1] is not vif:
                    og, ovif = seen
                    out.append(Problem(
                        "XEN101", guest.path, vif.line, vif.col,
                        f"MAC {format_mac(value)} (vif {vif.index} of guest {guest.label}) is "
                        f"also used by vif {ovif.index} of guest {og.label} at "
                        f"{og.path}:{ovif.line}",
                        related=((og.path, ovif.line),),
                        source=spec.raw,
                    ))  # fmt: skip
            vifname = items.get("vifname")
            if vifname:
                seen = vifnames.setdefault(vifname, (guest, vif))
                if seen[1] is not vif:
                    og, ovif = seen
                    out.append(Problem(
                        "XEN111", guest.path, vif.line, vif.col,
                        f"vifname {vifname} is also used by vif {ovif.index} of guest "
                        f"{og.label} at {og.path}:{ovif.line}",
                        related=((og.path, ovif.line),),
                        source=spec.raw,
                    ))  # fmt: skip
            ip = items.get("ip")
            if ip:  # ip_ranges splits it into words as spec.ips does
                ranges, bad = ip_ranges(ip)
                for token in bad:
                    out.append(Problem(
                        "XEN108", guest.path, vif.line, vif.col,
                        f"vif {vif.index} of guest {guest.label}: ip= holds {token!r}, which is "
                        "not an address or network",
                        source=spec.raw,
                    ))  # fmt: skip
                for version, low, high in ranges:
                    networks.append((version, low, high, guest, vif))
    out += _overlaps(networks)
    return out


def _overlaps(networks: list[tuple[int, int, int, Guest, VifPlace]]) -> list[Problem]:
    """Addresses used twice, including a host inside another vif's network: one sweep
    over the networks sorted by their first address (n log n for 30,000 vifs)."""
    out: list[Problem] = []
    keyed = sorted(networks, key=lambda x: (x[0], x[1], -x[2]))
    widest = None
    for version, first, last, guest, vif in keyed:
        if widest is not None and widest[0] == version and first <= widest[2]:
            _, wfirst, wlast, wguest, wvif = widest
            if not (wguest is guest and wvif is vif):
                out.append(Problem(
                    "XEN102", guest.path, vif.line, vif.col,
                    f"{_net_text(version, first, last)} (vif {vif.index} of guest {guest.label}) "
                    f"overlaps {_net_text(version, wfirst, wlast)} of vif {wvif.index} of guest "
                    f"{wguest.label} at {wguest.path}:{wvif.line}",
                    related=((wguest.path, wvif.line),),
                    source=vif.spec.raw,
                ))  # fmt: skip
            if last > wlast:
                widest = (version, first, last, guest, vif)
        else:
            widest = (version, first, last, guest, vif)
    return out


def _net_text(version: int, first: int, last: int) -> str:
    import netaddr

    rng = netaddr.IPRange(netaddr.IPAddress(first, version), netaddr.IPAddress(last, version))
    cidrs = rng.cidrs()
    if len(cidrs) == 1:
        net = cidrs[0]
        return str(net.ip) if net.size == 1 else str(net)
    return str(rng)


def _rt_problems(files: Mapping[str, bytes], policy: Policy) -> list[Problem]:
    """The routing-table problems of each host on its own (see checks/hosts.py): its
    rt_tables and rt_tables.d together, and its scripts against those tables."""
    infra = policy.infra
    tables: list[str] = []
    scripts: list[str] = []
    for path in files:
        if infra.is_table_file(path):  # nearly all are guest configs: one match for those
            if infra.is_rt_tables(path):
                tables.append(path)
            if infra.is_table_script(path):
                scripts.append(path)
    if not tables and not scripts:
        return []
    from regime.checks.hosts import host_label, hosts_of
    from regime.iproute2.rt_tables import check_tables
    from regime.iproute2.table_use import find_table_uses, undefined_tables

    host = hosts_of(tables + scripts)
    by_host: dict[str, tuple[list[str], list[str]]] = {}
    for kind, paths in enumerate((tables, scripts)):
        for path in paths:
            by_host.setdefault(host[path], ([], []))[kind].append(path)
    out: list[Problem] = []
    for name, (own_tables, own_scripts) in sorted(by_host.items()):
        own = [(p, _text(files[p])) for p in own_tables]
        own.sort(key=lambda pt: (not pt[0].endswith("/rt_tables"), pt[0]))  # iproute2's order
        defined, rt_problems = check_tables(own)
        uses = [use for path in own_scripts for use in find_table_uses(_text(files[path]), path)]
        rt_file = f"{name}/etc/iproute2/rt_tables" if name else "/etc/iproute2/rt_tables"
        out += rt_problems + undefined_tables(uses, defined, host_label(name), rt_file)
    return out


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _to_findings(
    problems: list[Problem],
    touched: set[str] | None,
    policy: Policy,
    files: Mapping[str, bytes],
) -> list[Finding]:
    findings = []
    lines: dict[str, list[bytes]] = {}
    block_old = policy.infra.preexisting == "block"
    for p in problems:
        rule = policy.rule(p.code)
        if not rule.active:
            continue
        severity = rule.severity
        message = p.message
        involved = {p.path, *(path for path, _ in p.related)}
        if touched is not None and not (involved & touched):
            message += " (pre-existing: the change touches none of these files)"
            if not block_old:
                severity = Severity.WARNING
        findings.append(
            Finding(p.path, p.line, p.col, p.code, message, severity, _line(files, lines, p))
        )
    return findings


#: Longest line shown under a finding. The report walks the whole line to make it
#: visible, once per finding: a guest with 20,000 vifs on one 600 KB line would cost
#: hours. A longer line is not shown; the finding still names its line and column.
MAX_SHOWN_LINE_BYTES = 2000


def _line(files: Mapping[str, bytes], cache: dict[str, list[bytes]], p: Problem) -> str | None:
    """The line of the file the finding points at, so the report shows it with the caret
    under the column (the vif spec alone would put the caret in the wrong place)."""
    data = files.get(p.path)
    if data is None or p.line < 1:
        return _bounded(p.source)
    split = cache.get(p.path)
    if split is None:
        split = cache[p.path] = data.split(b"\n")
    if p.line > len(split):
        return _bounded(p.source)
    line = split[p.line - 1]
    if len(line) > MAX_SHOWN_LINE_BYTES:
        return None
    return line.removesuffix(b"\r").decode("utf-8", "surrogateescape")


def _bounded(source: str | None) -> str | None:
    return source if source is None or len(source) <= MAX_SHOWN_LINE_BYTES else None
