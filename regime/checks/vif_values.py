"""The vif values xl itself rejects or keeps in a form that names nothing: XEN113
(rate, devid, mtu, type) and XEN114 (a bridge, script or other name with a space
at its start or end). Kept apart from the duplicate checks in infra.py: these look
at one vif alone."""

from __future__ import annotations

from regime.checks.guests import VifPlace
from regime.findings import Problem
from regime.xen.vif import VALUE_KEYS, padded_values


def vif_value_problems(path: str, vif: VifPlace, where: str) -> list[Problem]:
    """XEN113 for the values xl rejects (rate, devid, mtu, type), XEN114 for the names
    xl keeps with a space before or after them (bridge, script, vifname...)."""
    spec = vif.spec
    if VALUE_KEYS.isdisjoint(spec.items):
        out = []  # most vifs: nothing to read (this runs for each of 30,000 vifs)
    else:
        out = [
            Problem("XEN113", path, vif.line, vif.col, f"{where}: {problem}", source=spec.raw)
            for problem in spec.value_problems
        ]
    raw = spec.raw
    if " " not in raw and raw.isprintable():
        return out  # no white space at all (isprintable is False for every other kind)
    for key, value in padded_values(spec):
        out.append(Problem(
            "XEN114", path, vif.line, vif.col,
            f"{where}: {key}={value!r} has white space {_ends(value)}, which xl keeps: it "
            f"names a {_NAMED.get(key, key)} {value!r} that does not exist; remove the space",
            source=spec.raw,
        ))  # fmt: skip
    return out


_NAMED = {"bridge": "bridge", "script": "hotplug script", "vifname": "interface",
          "backend": "backend domain", "gatewaydev": "gateway device",
          "netdev": "gateway device", "forwarddev": "forward device"}  # fmt: skip


def _ends(value: str) -> str:
    if value[0].isspace() and value[-1].isspace():
        return "at both ends"
    return "at its start" if value[0].isspace() else "at its end"
