"""Which host a file of a configuration repository belongs to.

Repositories often hold several hosts (``hosts/a/etc/...``, ``hosts/b/etc/...``). A
host is the folder whose ``etc/`` holds its files: ``hosts/a`` for
``hosts/a/etc/iproute2/rt_tables``, the repository itself ("") for
``etc/iproute2/rt_tables`` and for a repository that is an ``/etc`` of its own
(etckeeper: ``iproute2/rt_tables``). A file under no ``etc/`` (``bin/routes.sh``,
``hosts/a/usr/local/sbin/routes``) belongs to the deepest host folder that holds it,
else to the repository. The routing tables of one host say nothing of another's:
rt_tables, rt_tables.d and the scripts that use the tables are compared within a host.
"""

from __future__ import annotations

from collections.abc import Iterable


def etc_host(path: str) -> str | None:
    """The folder whose ``etc/`` holds ``path`` (the last ``etc`` folder on its way),
    or None when no folder of its path is named ``etc``."""
    parts = path.split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "etc":
            return "/".join(parts[:i])
    return None


def hosts_of(paths: Iterable[str]) -> dict[str, str]:
    """The host of each path: its ``etc/`` host, else the deepest host folder (of
    those the paths name by their ``etc/``) that holds it, else the repository ("")."""
    paths = list(paths)
    known = {p: etc_host(p) for p in paths}
    roots = sorted({h for h in known.values() if h}, key=len, reverse=True)
    out: dict[str, str] = {}
    for path, host in known.items():
        if host is None:
            host = next((r for r in roots if path.startswith(r + "/")), "")
        out[path] = host
    return out


def host_label(host: str) -> str:
    """How a message names a host: its folder, or nothing for the repository's own."""
    return f" of host {host}/" if host else ""
