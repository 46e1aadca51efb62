#!/usr/bin/env python3
"""Benchmark ``regime staged`` against ``git diff --cached --check`` on a large staged change.

This is a benchmark, not a test (pytest does not collect it). It:

1. generates, in a temporary directory (or ``--workdir DIR``), a git repository whose
   staged change adds thousands of files and tens of MB of realistic config and C-like
   text (deterministic: seeded random). About a quarter of the files already exist in a
   base commit and get lines inserted (and a few removed); a few are renamed with small
   edits, a few are deleted, a few are binary, a few have CRLF line ends or no final
   newline, and a few have names with spaces or non-ASCII characters. Every text file has
   a name regime checks by default (``.c .h .conf .sh .py .cfg .sxp .ini .yaml .yml
   .json``, ``**/network/interfaces``), so the two tools look at the same lines (no
   ``rt_tables``: tabs are its convention, which regime allows and git's
   ``tab-in-indent`` would not). The xl guest configs lie outside ``xen/`` (their MACs
   come from a pool and repeat); the shell scripts and ``interfaces`` files are
   iproute2 scripts, so the infrastructure checks run and read every script of the
   index for the routing tables it uses (RT105). With ``--bad-percent P``, P% of the
   added lines get either a tab in
   their indentation or trailing spaces (half each); both tools must report every one;
   the generator records where, so the counts can be checked exactly.

2. runs, alternately, R times each: ``regime staged`` (the console script next to this
   Python, output to /dev/null) and ``git diff --cached --check`` (output to /dev/null),
   measuring the wall time and the peak RSS of each child with ``os.wait4``.

   Like-for-like: git runs with
   ``-c core.whitespace=blank-at-eol,tab-in-indent,cr-at-eol,-blank-at-eof,-space-before-tab``
   so it looks for what regime's default rules look for: trailing whitespace (WS102),
   where the CR of CRLF is a line end, not whitespace (cr-at-eol), and tabs (WS101;
   git only knows tabs in the indentation, which is where the generator puts them).
   git's default ``blank-at-eof`` and ``space-before-tab`` have no regime equivalent and
   are turned off. git exits 2 when it finds problems, regime 1.

   Peak RSS is ``ru_maxrss`` of ``wait4`` on the child (never the cumulative
   RUSAGE_CHILDREN): its own peak or that of a process it waited for, whichever is larger
   (Linux keeps the maximum, not the sum), so for regime it covers the ``git diff-index``
   it runs. Caveat: a process spawned directly by this script would report at least this
   script's own RSS (Linux carries the spawner's high-water mark across ``exec``), so the
   commands run under GNU ``/usr/bin/time -f %M``, a ~1 MB process that does the
   ``wait4`` on them and writes ``ru_maxrss`` down (see ``Meter``). Without GNU time, or
   with ``--direct-wait4``, ``os.wait4`` is called here and the floor is printed.

3. prints the figures: one correctness check (regime ``--format json`` and git's
   ``--check`` output parsed and compared with what the generator injected), then a
   table of median/min/max wall time, MB/s over the size of ``git diff --cached``, peak
   RSS, and the regime/git ratios; plus the start-up cost of ``python -c pass`` and
   ``regime --version`` for context.

4. ``--json FILE`` saves every figure.

Units: 1 MB = 10**6 bytes everywhere (diff size, MB/s, RSS). All git calls, regime's
included, run with the machine's git configuration disabled (GIT_CONFIG_GLOBAL=/dev/null,
GIT_CONFIG_NOSYSTEM=1) and LC_ALL=C.UTF-8.

Usage::

    .venv/bin/python bench/bench_staged.py                       # clean, ~2,000 files, ~50 MB
    .venv/bin/python bench/bench_staged.py --bad-percent 1 --json /tmp/bad.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

REGIME = str(Path(sys.executable).parent / "regime")
MB = 1_000_000

GIT_WHITESPACE = "blank-at-eol,tab-in-indent,cr-at-eol,-blank-at-eof,-space-before-tab"
GIT_CHECK = ["git", "-c", f"core.whitespace={GIT_WHITESPACE}", "-c", "core.quotePath=false"]
GIT_CHECK_ARGV = [*GIT_CHECK, "diff", "--cached", "--check"]
REGIME_ARGV = [REGIME, "staged"]

# The flags regime reads its staged diff with (to report the size of that stream).
from measure import Meter, Sample, child_env, find_gnu_time  # noqa: E402

from regime.sources.git import DIFF_FLAGS as REGIME_DIFF_FLAGS  # noqa: E402

# --------------------------------------------------------------------------------------
# Content: blocks of realistic text, made once per kind and reused.
# --------------------------------------------------------------------------------------

WORDS = (
    "backup", "bridge", "cache", "client", "cluster", "config", "daemon", "dns", "edge",
    "firewall", "gateway", "guest", "host", "ingress", "kernel", "link", "load", "mail",
    "monitor", "mount", "network", "node", "peer", "pool", "proxy", "queue", "relay", "route",
    "router", "server", "service", "session", "socket", "storage", "switch", "table", "timer",
    "tunnel", "uplink", "vlan", "volume", "worker", "zone",
)  # fmt: skip
VERBS = (
    "add", "check", "clear", "close", "drop", "fetch", "flush", "init", "load", "open",
    "parse", "probe", "read", "reload", "reset", "scan", "send", "set", "start", "stop",
    "sync", "update", "write",
)  # fmt: skip
FILLER = (
    "the", "a", "for", "when", "if", "not", "only", "every", "on", "this", "is", "must", "be",
    "before", "after", "boot", "old", "new", "primary", "secondary", "legacy", "see", "ticket",
)  # fmt: skip
INTL = (
    "réseau",
    "passerelle",
    "Übergang",
    "Schnittstelle",
    "管理ネットワーク",
    "сервер",
    "маршрут",
    "δίκτυο",
    "configuración",
    "düğüm",
)
COMMENT_WORDS = WORDS + VERBS + FILLER


@dataclass(frozen=True, slots=True)
class Block:
    """A few lines of one kind of file (no line ends, no tab, no trailing whitespace)."""

    lines: tuple[str, ...]
    nbytes: int


def _comment(r: random.Random) -> str:
    words = r.choices(COMMENT_WORDS, k=r.randint(3, 10))
    if r.random() < 0.05:
        words.insert(r.randrange(len(words)), r.choice(INTL))
    return " ".join(words).capitalize()


def _ident(r: random.Random) -> str:
    return f"{r.choice(VERBS)}_{r.choice(WORDS)}"


def _ip(r: random.Random) -> str:
    return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def _mac(r: random.Random) -> str:
    return "00:16:3e:{:02x}:{:02x}:{:02x}".format(*(r.randint(0, 255) for _ in range(3)))


def _host(r: random.Random) -> str:
    return f"{r.choice(WORDS)}{r.randint(1, 99):02d}"


def gen_c(r: random.Random) -> list[str]:
    """A C function, a struct or a group of #defines."""
    what = r.random()
    if what < 0.6:
        name, st, arg = _ident(r), r.choice(WORDS), r.choice(("count", "len", "flags", "idx"))
        var = st[:2] + "p"
        out = [
            "/*",
            f" * {_comment(r)}.",
            " */",
            f"static int {name}(struct {st} *{var}, unsigned int {arg})",
            "{",
            "    int i, ret = 0;",
            "",
            f"    if (!{var})",
            "        return -EINVAL;",
        ]
        for _ in range(r.randint(0, 5)):
            out.append(f"    {var}->{r.choice(WORDS)} = {r.randint(0, 65535)}U;")
        out += [
            f"    for (i = 0; i < {arg}; i++) {{",
            f"        ret = {_ident(r)}({var}->{r.choice(WORDS)}[i], {r.randint(0, 4096)});",
            "        if (ret < 0) {",
            f'            pr_err("{name}: failed with %d\\n", ret);',
            "            goto out;",
            "        }",
            "    }",
            "out:",
            "    return ret;",
            "}",
        ]
    elif what < 0.85:
        out = [f"/* {_comment(r)} */", f"struct {r.choice(WORDS)}_{r.choice(WORDS)} {{"]
        for _ in range(r.randint(2, 9)):
            ctype = r.choice(("unsigned int", "int", "u8", "u16", "u32", "char *", "size_t"))
            sep = "" if ctype.endswith("*") else " "
            out.append(f"    {ctype}{sep}{r.choice(WORDS)}_{r.choice(VERBS)};")
        out.append("};")
    else:
        prefix = r.choice(WORDS).upper()
        out = [
            f"#define {prefix}_{r.choice(VERBS).upper()} 0x{r.randint(0, 0xFFFF):04x}"
            for _ in range(r.randint(2, 8))
        ]
    return [*out, ""]


def gen_conf(r: random.Random) -> list[str]:
    """An nginx-like server block or an ini-like daemon section."""
    if r.random() < 0.5:
        out = [
            f"# {_comment(r)}",
            "server {",
            f"    listen {_ip(r)}:{r.choice((80, 443, 8080))};",
            f"    server_name {_host(r)}.example.net;",
        ]
        for _ in range(r.randint(1, 3)):
            out += [
                f"    location /{r.choice(WORDS)}/ {{",
                f"        proxy_pass http://{_ip(r)}:{r.randint(1024, 65535)};",
                f"        proxy_read_timeout {r.randint(5, 300)}s;",
                "    }",
            ]
        out.append("}")
    else:
        out = [f"# {_comment(r)}", f"[{r.choice(WORDS)}-{r.choice(WORDS)}]"]
        for _ in range(r.randint(2, 10)):
            value = r.choice((_ip(r), str(r.randint(0, 9999)), r.choice(WORDS), "yes", "no"))
            out.append(f"{r.choice(WORDS)}_{r.choice(VERBS)} = {value}")
    return [*out, ""]


def gen_sh(r: random.Random) -> list[str]:
    """A shell function or a run of iptables/ip commands."""
    if r.random() < 0.5:
        name = _ident(r)
        out = [
            f"# {_comment(r)}",
            f"{name}() {{",
            '    local dev="$1"',
            '    if ! ip link show "$dev" >/dev/null 2>&1; then',
            f'        echo "{name}: no such device: $dev" >&2',
            "        return 1",
            "    fi",
        ]
        for _ in range(r.randint(1, 4)):
            out.append(f'    ip route add {_ip(r)}/32 dev "$dev" table {r.randint(1, 252)}')
        out.append("}")
    else:
        out = [f"# {_comment(r)}"]
        for _ in range(r.randint(2, 8)):
            out.append(
                f"iptables -A {r.choice(('INPUT', 'FORWARD', 'OUTPUT'))} -s {_ip(r)}/32 "
                f"-p {r.choice(('tcp', 'udp'))} --dport {r.randint(1, 65535)} "
                f"-j {r.choice(('ACCEPT', 'DROP', 'LOG'))}"
            )
    return [*out, ""]


def gen_py(r: random.Random) -> list[str]:
    """A small Python function with a docstring and a dict literal."""
    name = _ident(r)
    out = [
        "",
        f"def {name}(host, timeout={r.randint(1, 60)}):",
        f'    """{_comment(r)}."""',
        "    settings = {",
    ]
    for _ in range(r.randint(2, 7)):
        out.append(f'        "{r.choice(WORDS)}": "{_ip(r)}",')
    out += [
        "    }",
        "    if host not in settings:",
        "        return None",
        f"    return settings[host], timeout * {r.randint(2, 10)}",
    ]
    return [*out, ""]


def gen_cfg(r: random.Random) -> list[str]:
    """A Xen xl guest config."""
    host = _host(r)
    vifs = ", ".join(
        f"'mac={_mac(r)}, ip={_ip(r)}, bridge=xenbr{r.randint(0, 3)}'"
        for _ in range(r.randint(1, 3))
    )
    return [
        f"# {_comment(r)}",
        f'name = "{host}"',
        f"memory = {r.choice((512, 1024, 2048))}",
        f"vcpus = {r.randint(1, 8)}",
        f"vif = [ {vifs} ]",
        f"disk = [ 'phy:/dev/vg0/{host}-disk,xvda,w' ]",
        'on_crash = "restart"',
        "",
    ]


def gen_sxp(r: random.Random) -> list[str]:
    """A xend s-expression."""
    return [
        "(vm",
        f"    (name {_host(r)})",
        f"    (memory {r.choice((256, 512, 1024))})",
        f"    (vcpus {r.randint(1, 4)})",
        f"    (device (vif (mac {_mac(r)}) (ip {_ip(r)}) (bridge xenbr0)))",
        ")",
        "",
    ]


def gen_ini(r: random.Random) -> list[str]:
    """An ini section."""
    out = [f"; {_comment(r)}", f"[{r.choice(WORDS).capitalize()}{r.randint(1, 9)}]"]
    for _ in range(r.randint(2, 8)):
        out.append(f"{r.choice(WORDS).capitalize()}={r.choice((_ip(r), str(r.randint(0, 999))))}")
    return [*out, ""]


def gen_yaml(r: random.Random) -> list[str]:
    """An Ansible-like task."""
    return [
        f"- name: {_comment(r)}",
        f"  {r.choice(('template', 'copy', 'lineinfile'))}:",
        f"    dest: /etc/{r.choice(WORDS)}/{r.choice(WORDS)}.conf",
        f"    mode: '0{r.choice((644, 640, 600))}'",
        "  notify:",
        f"    - reload {r.choice(WORDS)}",
        "",
    ]


def gen_json(r: random.Random) -> list[str]:
    """A JSON object of an inventory list."""
    ports = ", ".join(str(r.randint(1, 65535)) for _ in range(r.randint(1, 4)))
    return [
        "  {",
        f'    "name": "{_host(r)}",',
        f'    "address": "{_ip(r)}",',
        f'    "ports": [{ports}],',
        f'    "role": "{r.choice(WORDS)}"',
        "  },",
    ]


def gen_interfaces(r: random.Random) -> list[str]:
    """A stanza of /etc/network/interfaces."""
    dev = f"eth{r.randint(0, 7)}"
    return [
        f"# {_comment(r)}",
        f"auto {dev}",
        f"iface {dev} inet static",
        f"    address {_ip(r)}",
        "    netmask 255.255.255.0",
        f"    gateway {_ip(r)}",
        "",
    ]


Generator = Callable[[random.Random], list[str]]

# kind: (generator, share of the files, file suffixes, directories)
KINDS: dict[str, tuple[Generator, float, tuple[str, ...], tuple[str, ...]]] = {
    "c": (gen_c, 0.22, (".c", ".c", ".h"), ("src/{w}", "drivers/{w}", "lib")),
    "conf": (gen_conf, 0.20, (".conf",), ("etc/{w}", "hosts/{h}/etc", "etc/{w}/conf.d")),
    "sh": (gen_sh, 0.12, (".sh",), ("scripts", "bin", "hosts/{h}/bin")),
    "py": (gen_py, 0.12, (".py",), ("tools/{w}", "lib/python/{w}")),
    "cfg": (gen_cfg, 0.10, (".cfg",), ("guests", "hosts/{h}/guests")),
    "yaml": (gen_yaml, 0.08, (".yml", ".yaml"), ("ansible/roles/{w}/tasks",)),
    "json": (gen_json, 0.05, (".json",), ("inventory", "inventory/{w}")),
    "ini": (gen_ini, 0.06, (".ini",), ("etc/windows", "hosts/{h}/win")),
    "sxp": (gen_sxp, 0.03, (".sxp",), ("legacy/xend",)),
    "interfaces": (gen_interfaces, 0.01, ("",), ("hosts/{h}/etc/network",)),
}
SPECIAL_NAMES = (  # names with spaces and non-ASCII characters ({i} keeps them unique)
    "etc/network/if-up.d/bridge setup {i}.sh",
    "hosts/münchen{i:02d}/etc/ntp.conf",
    "etc/日本/proxy {i}.conf",
    "guests/gäst web{i}.cfg",
    "docs/Notes réseau {i}.py",
)
POOL_BLOCKS = 1500


def build_pools(seed: int) -> dict[str, list[Block]]:
    """POOL_BLOCKS blocks of every kind; checked to hold no tab and no trailing whitespace."""
    pools: dict[str, list[Block]] = {}
    for kind, (gen, *_rest) in KINDS.items():
        r = random.Random(f"{seed}-{kind}")
        pool = []
        for _ in range(POOL_BLOCKS):
            lines = tuple(gen(r))
            for line in lines:
                assert "\t" not in line and line == line.rstrip(), (kind, line)
            pool.append(Block(lines, sum(len(x.encode()) + 1 for x in lines)))
        pools[kind] = pool
    return pools


# --------------------------------------------------------------------------------------
# The repository.
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class FilePlan:
    path: str
    kind: str
    role: str  # new | modified | renamed | deleted | binary
    target: int  # bytes of added text
    old_path: str | None = None
    crlf: bool = False
    final_newline: bool = True
    base: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class Injected:
    """Where the generator put the whitespace problems (the answer key)."""

    tabs: set[tuple[str, int]] = field(default_factory=set)
    trailing: set[tuple[str, int]] = field(default_factory=set)


@dataclass(slots=True)
class RepoInfo:
    files: int = 0
    roles: dict[str, int] = field(default_factory=dict)
    crlf_files: int = 0
    no_final_newline: int = 0
    special_names: int = 0
    generated_added_lines: int = 0
    largest_file_bytes: int = 0
    generate_s: float = 0.0


def plan_files(
    n: int, total_bytes: int, pools: Mapping[str, list[Block]], r: random.Random
) -> list[FilePlan]:
    """Names, kinds, roles and sizes of the n files of the staged change."""
    names: set[str] = set()

    def unique(path: str) -> str:
        """path, or (when taken) path with "-K" added to its first folder."""
        first, _, rest = path.partition("/")
        candidate, k = path, 1
        while candidate in names:
            k += 1
            candidate = f"{first}-{k}/{rest}"
        names.add(candidate)
        return candidate

    kinds = list(KINDS)
    weights = [KINDS[k][1] for k in kinds]
    plans: list[FilePlan] = []
    n_special = max(1, n // 100)
    for i in range(n):
        kind = r.choices(kinds, weights)[0]
        _gen, _share, suffixes, dirs = KINDS[kind]
        if i < n_special:
            path = SPECIAL_NAMES[i % len(SPECIAL_NAMES)].format(i=i)
            kind = {"sh": "sh", "conf": "conf", "cfg": "cfg", "py": "py"}[path.rsplit(".", 1)[1]]
        else:
            folder = r.choice(dirs).format(w=r.choice(WORDS), h=_host(r))
            if kind == "interfaces":
                path = f"{folder}/{kind}"
            else:
                path = f"{folder}/{r.choice(VERBS)}_{r.choice(WORDS)}{r.choice(suffixes)}"
        plans.append(FilePlan(path=unique(path), kind=kind, role="new", target=0))
    r.shuffle(plans)

    # Roles: ~0.5% deleted, ~0.5% binary, ~1% renamed, ~25% modified, the rest new.
    few = max(1, n // 200)
    for i, plan in enumerate(plans):
        if i < few:
            plan.role = "deleted"
        elif i < 2 * few:
            plan.role, plan.path = "binary", unique(f"firmware/blob-{i:04d}.bin")
        elif i < 2 * few + max(1, n // 100):
            plan.role = "renamed"
        elif i < 2 * few + max(1, n // 100) + n // 4:
            plan.role = "modified"
    text = [p for p in plans if p.role in ("new", "modified", "renamed")]

    # Sizes: log-normal, normalised to the total, so a few files are large.
    weights_f = [r.lognormvariate(0.0, 1.2) for _ in text]
    scale = total_bytes / sum(weights_f)
    for plan, w in zip(text, weights_f, strict=True):
        plan.target = max(200, int(w * scale))
        if plan.kind == "ini" and r.random() < 0.3:
            plan.crlf = True
        if plan.role == "new" and r.random() < 0.02:
            plan.final_newline = False
    for plan in plans:
        pool = pools[plan.kind]
        if plan.role in ("modified", "deleted"):
            plan.base = _pick(pool, max(400, plan.target // 2), r)
        elif plan.role == "renamed":
            plan.base = _pick(pool, max(2000, plan.target), r)
            plan.target = max(100, plan.target // 8)  # small edit: git still sees a rename
            plan.old_path = plan.path
            plan.path = unique(plan.path.replace("/", "/renamed-", 1))
    return plans


def _pick(pool: Sequence[Block], nbytes: int, r: random.Random) -> list[Block]:
    out: list[Block] = []
    total = 0
    while total < nbytes:
        block = r.choice(pool)
        out.append(block)
        total += block.nbytes
    return out


def _render(
    plan: FilePlan,
    added: list[Block],
    r: random.Random,
    bad: float,
    r_bad: random.Random,
    injected: Injected,
) -> tuple[bytes, int]:
    """The new content of a file (base blocks with the added blocks inserted), and the
    number of added lines. Injects whitespace problems into added lines at rate ``bad``."""
    base = list(plan.base)
    if plan.role == "modified" and base:  # drop ~5% of the old blocks
        base = [b for b in base if r.random() >= 0.05]
    slots = sorted(r.randint(0, len(base)) for _ in added)
    pairs: list[tuple[str, bool]] = []
    j = 0
    for i in range(len(base) + 1):
        while j < len(added) and slots[j] == i:
            pairs.extend((line, True) for line in added[j].lines)
            j += 1
        if i < len(base):
            pairs.extend((line, False) for line in base[i].lines)
    while pairs and pairs[-1][0] == "":
        pairs.pop()
    out: list[str] = []
    n_added = 0
    for number, (line, is_added) in enumerate(pairs, 1):
        if is_added:
            n_added += 1
            if bad and r_bad.random() < bad:
                if line and r_bad.random() < 0.5:
                    line = "\t" + line.lstrip(" ")
                    injected.tabs.add((plan.path, number))
                else:
                    line += " " * r_bad.randint(1, 3)
                    injected.trailing.add((plan.path, number))
        out.append(line)
    eol = "\r\n" if plan.crlf else "\n"
    text = eol.join(out) + (eol if plan.final_newline else "")
    return text.encode(), n_added


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def git_run(args: Sequence[str], cwd: Path) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=child_env(), capture_output=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"bench: git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def generate(
    root: Path, n_files: int, megabytes: float, bad_percent: float, seed: int
) -> tuple[RepoInfo, Injected]:
    """Create the repository at root: a base commit, then the big change staged."""
    t0 = time.perf_counter()
    info, injected = RepoInfo(), Injected()
    r = random.Random(seed)
    r_bad = random.Random(f"{seed}-bad")  # separate, so the clean and bad repos differ only there
    pools = build_pools(seed)
    plans = plan_files(n_files, int(megabytes * MB), pools, r)

    git_run(["-c", "init.defaultBranch=main", "init", "-q", "."], root)
    for plan in plans:
        if plan.base:
            eol = "\r\n" if plan.crlf else "\n"
            lines = [line for b in plan.base for line in b.lines]
            while lines and lines[-1] == "":
                lines.pop()
            _write(root, plan.old_path or plan.path, (eol.join(lines) + eol).encode())
    git_run(["add", "-A"], root)
    git_run(["commit", "-q", "--no-verify", "-m", "base"], root)

    bad = bad_percent / 100.0
    for plan in plans:
        if plan.role == "deleted":
            (root / plan.path).unlink()
            continue
        if plan.role == "binary":
            _write(root, plan.path, bytes(r.randrange(256) for _ in range(r.randint(512, 8192))))
            continue
        if plan.role == "renamed":
            assert plan.old_path is not None
            (root / plan.old_path).unlink()
        data, n_added = _render(
            plan, _pick(pools[plan.kind], plan.target, r), r, bad, r_bad, injected
        )
        _write(root, plan.path, data)
        info.generated_added_lines += n_added
        info.largest_file_bytes = max(info.largest_file_bytes, len(data))
        info.crlf_files += plan.crlf
        info.no_final_newline += not plan.final_newline
    git_run(["add", "-A"], root)

    info.files = len(plans)
    info.roles = dict(Counter(p.role for p in plans))
    info.special_names = sum(1 for p in plans if not p.path.isascii() or " " in p.path)
    info.generate_s = time.perf_counter() - t0
    return info, injected


# --------------------------------------------------------------------------------------
# Facts about the staged change.
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class DiffInfo:
    diff_bytes: int  # `git diff --cached | wc -c`
    regime_stream_bytes: int  # what regime reads: git diff-index --cached -p --unified=0 ...
    files: int
    added_lines: int
    deleted_lines: int
    binary_files: int


def stream_size(argv: Sequence[str], cwd: Path) -> int:
    with subprocess.Popen(argv, cwd=cwd, env=child_env(), stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        total = 0
        for chunk in iter(lambda: proc.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
            total += len(chunk)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({proc.returncode})")
    return total


def diff_info(root: Path) -> DiffInfo:
    head = git_run(["rev-parse", "HEAD"], root).strip()
    numstat = git_run(["-c", "core.quotePath=false", "diff", "--cached", "--numstat", "-z"], root)
    files = added = deleted = binary = 0
    fields = iter(numstat.split("\0"))
    for item in fields:
        if not item:
            continue
        a, d, name = item.split("\t", 2)
        if not name:  # a rename: the two names follow as their own fields
            next(fields)
            next(fields)
        files += 1
        if a == "-":
            binary += 1
        else:
            added += int(a)
            deleted += int(d)
    git = ["git", "-c", "core.quotePath=false"]
    return DiffInfo(
        diff_bytes=stream_size([*git, "diff", "--cached", "--no-color", "--no-ext-diff"], root),
        regime_stream_bytes=stream_size(
            [*git, "diff-index", "--cached", *REGIME_DIFF_FLAGS, head, "--"], root
        ),
        files=files,
        added_lines=added,
        deleted_lines=deleted,
        binary_files=binary,
    )


@dataclass(slots=True)
class Summary:
    tool: str
    argv: list[str]
    runs: int
    median_s: float
    min_s: float
    max_s: float
    mb_per_s: float | None
    peak_rss_mb: float
    exit_codes: list[int]


def summarize(tool: str, argv: Sequence[str], samples: Sequence[Sample], mb: float) -> Summary:
    walls = [s.wall_s for s in samples]
    med = statistics.median(walls)
    return Summary(
        tool=tool,
        argv=list(argv),
        runs=len(samples),
        median_s=med,
        min_s=min(walls),
        max_s=max(walls),
        mb_per_s=mb / med if mb else None,
        peak_rss_mb=max(s.maxrss_kib for s in samples) * 1024 / MB,
        exit_codes=sorted({s.exit_code for s in samples}),
    )


# --------------------------------------------------------------------------------------
# Correctness: what each tool reported against what was injected.
# --------------------------------------------------------------------------------------

_GIT_CHECK_LINE = re.compile(r"^(.*):(\d+): (.*)\.$")


@dataclass(slots=True)
class Correctness:
    expected_tab: int
    expected_trailing: int
    regime_exit: int
    regime_ws101: int
    regime_ws102: int
    regime_other: dict[str, int]
    regime_files: int | None
    regime_exact: bool
    regime_missing: int
    regime_extra: int
    git_exit: int
    git_output_lines: int
    git_problems: int
    git_tab: int
    git_trailing: int
    git_exact: bool
    git_missing: int
    git_extra: int
    regime_stderr: str = ""


def check_correctness(root: Path, injected: Injected, meter: Meter) -> Correctness:
    """One untimed run of each tool with its output parsed (also warms the caches)."""
    with tempfile.TemporaryDirectory() as tmp:
        rj = Path(tmp, "regime.json")
        rs = meter.run([REGIME, "staged", "--format", "json"], root, str(rj))
        raw = rj.read_text("utf-8", "surrogateescape")
        gout = Path(tmp, "git-check.txt")
        gs = meter.run(GIT_CHECK_ARGV, root, str(gout))
        git_lines = gout.read_text("utf-8", "surrogateescape").splitlines()
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = {"findings": [], "summary": {}}
    codes = Counter(f["code"] for f in doc["findings"])
    got_tab = {(f["path"], f["line"]) for f in doc["findings"] if f["code"] == "WS101"}
    got_trail = {(f["path"], f["line"]) for f in doc["findings"] if f["code"] == "WS102"}
    r_missing = len(injected.tabs - got_tab) + len(injected.trailing - got_trail)
    r_extra = len(got_tab - injected.tabs) + len(got_trail - injected.trailing)

    g_tab: set[tuple[str, int]] = set()
    g_trail: set[tuple[str, int]] = set()
    g_problems = 0
    for line in git_lines:
        if line.startswith("+"):
            continue  # the offending line, shown under each problem
        m = _GIT_CHECK_LINE.match(line)
        if m is None:
            continue
        g_problems += 1
        where = (m.group(1), int(m.group(2)))
        if "tab in indent" in m.group(3):
            g_tab.add(where)
        if "trailing whitespace" in m.group(3):
            g_trail.add(where)
    g_missing = len(injected.tabs - g_tab) + len(injected.trailing - g_trail)
    g_extra = len(g_tab - injected.tabs) + len(g_trail - injected.trailing)
    return Correctness(
        expected_tab=len(injected.tabs),
        expected_trailing=len(injected.trailing),
        regime_exit=rs.exit_code,
        regime_ws101=codes.pop("WS101", 0),
        regime_ws102=codes.pop("WS102", 0),
        regime_other=dict(codes),
        regime_files=doc.get("summary", {}).get("files"),
        regime_exact=r_missing == 0 and r_extra == 0 and not codes,
        regime_missing=r_missing,
        regime_extra=r_extra,
        git_exit=gs.exit_code,
        git_output_lines=len(git_lines),
        git_problems=g_problems,
        git_tab=len(g_tab),
        git_trailing=len(g_trail),
        git_exact=g_missing == 0 and g_extra == 0,
        git_missing=g_missing,
        git_extra=g_extra,
        regime_stderr=rs.stderr,
    )


# --------------------------------------------------------------------------------------
# Report.
# --------------------------------------------------------------------------------------


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(
        c.ljust(w) if i < 2 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def _exit_cell(codes: Sequence[int], want: int | None) -> str:
    text = ",".join(map(str, codes))
    return text if want is None or list(codes) == [want] else f"{text} (want {want})"


def print_report(
    case: str,
    info: RepoInfo,
    diff: DiffInfo,
    corr: Correctness,
    results: Sequence[Summary],
    startup: Sequence[Summary],
    expected_exit: Mapping[str, int],
    rss_method: str,
) -> None:
    """The report on stdout: the change, the correctness check, the timing table."""
    regime, git = results
    roles = ", ".join(f"{k} {v}" for k, v in sorted(info.roles.items()))
    print()
    print(f"== regime staged vs git diff --cached --check: case {case!r} ==")
    print(f"staged change: {diff.files:,} files ({roles})")
    print(
        f"  {info.crlf_files} CRLF, {info.no_final_newline} without final newline, "
        f"{info.special_names} names with spaces/non-ASCII; "
        f"largest file {info.largest_file_bytes / MB:.2f} MB"
    )
    print(
        f"  added lines {diff.added_lines:,} (generator: {info.generated_added_lines:,}), "
        f"deleted lines {diff.deleted_lines:,}"
    )
    print(
        f"  diff size: `git diff --cached` {diff.diff_bytes / MB:.1f} MB; "
        f"the -U0 diff-index stream regime reads {diff.regime_stream_bytes / MB:.1f} MB"
    )
    print()
    print("correctness (one untimed run each; regime --format json and git --check output parsed):")
    print(
        f"  injected: {corr.expected_tab + corr.expected_trailing:,} "
        f"({corr.expected_tab:,} tab in indent, {corr.expected_trailing:,} trailing whitespace)"
    )
    other = f", other codes {corr.regime_other}" if corr.regime_other else ""
    print(
        f"  regime:   {corr.regime_ws101 + corr.regime_ws102:,} findings "
        f"(WS101 {corr.regime_ws101:,}, WS102 {corr.regime_ws102:,}{other}), "
        f"{corr.regime_files} files seen, exit {corr.regime_exit}; same lines as injected: "
        f"{'yes' if corr.regime_exact else 'NO'} "
        f"(missing {corr.regime_missing}, extra {corr.regime_extra})"
    )
    print(
        f"  git:      {corr.git_problems:,} problems in {corr.git_output_lines:,} lines of "
        f"--check output (tab in indent {corr.git_tab:,}, trailing {corr.git_trailing:,}), "
        f"exit {corr.git_exit}; same lines as injected: {'yes' if corr.git_exact else 'NO'} "
        f"(missing {corr.git_missing}, extra {corr.git_extra})"
    )
    if corr.regime_stderr.strip():
        print("  regime stderr: " + corr.regime_stderr.strip().replace("\n", "\n    "))
    print()
    head = ["case", "tool", "median s", "min s", "max s", "MB/s", "peak RSS MB", "exit"]
    rows = [
        [
            case if s is regime else "",
            s.tool,
            f"{s.median_s:.3f}",
            f"{s.min_s:.3f}",
            f"{s.max_s:.3f}",
            f"{s.mb_per_s:.1f}" if s.mb_per_s else "-",
            f"{s.peak_rss_mb:.1f}",
            _exit_cell(s.exit_codes, expected_exit.get(s.tool)),
        ]
        for s in [*results, *startup]
    ]
    ratio = [
        "",
        "ratio regime/git",
        f"{regime.median_s / git.median_s:.2f}x",
        "",
        "",
        "",
        f"{regime.peak_rss_mb / git.peak_rss_mb:.2f}x",
        "",
    ]
    rows.insert(len(results), ratio)
    rows[len(results) + 1][0] = "startup"
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, ["-" * w for w in widths], *rows]:
        print(_row(row, widths))
    print(
        f"({regime.runs} runs each, alternating; MB/s = {diff.diff_bytes / MB:.1f} MB of "
        "`git diff --cached` / median wall time; 1 MB = 10^6 bytes)"
    )
    print(f"(peak RSS = max ru_maxrss over the runs, by {rss_method})")


# --------------------------------------------------------------------------------------
# Main.
# --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--files", type=int, default=2000, help="files in the change (default 2000)")
    p.add_argument("--megabytes", type=float, default=50.0, help="MB of added text (default 50)")
    p.add_argument(
        "--bad-percent",
        type=float,
        default=0.0,
        metavar="P",
        help="percent of added lines given a tab or trailing spaces (default 0)",
    )
    p.add_argument("--runs", type=int, default=5, help="timed runs of each tool (default 5)")
    p.add_argument("--seed", type=int, default=1234, help="random seed (default 1234)")
    p.add_argument("--workdir", type=Path, help="make the repository here (must be empty)")
    p.add_argument("--keep", action="store_true", help="keep the repository afterwards")
    p.add_argument(
        "--direct-wait4",
        action="store_true",
        help="call os.wait4 here even if GNU time is there (RSS then has this script's floor)",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="save the figures as JSON")
    args = p.parse_args(argv)
    if args.files < 10 or args.megabytes <= 0 or args.runs < 1:
        p.error("need --files >= 10, --megabytes > 0, --runs >= 1")
    if not 0 <= args.bad_percent <= 100:
        p.error("--bad-percent must be between 0 and 100")
    return args


@contextmanager
def workdir(args: argparse.Namespace) -> Iterator[Path]:
    """The directory of the repository, removed afterwards unless kept."""
    if args.workdir is not None:
        root = args.workdir.resolve()
        if root.exists() and any(root.iterdir()):
            sys.exit(f"bench: --workdir {root} is not empty")
        root.mkdir(parents=True, exist_ok=True)
        created = root
    else:
        created = Path(tempfile.mkdtemp(prefix="regime-bench-"))
        root = created / "repo"
        root.mkdir()
    try:
        yield root
    finally:
        if args.keep:
            progress(f"repository kept at {root}")
        else:
            shutil.rmtree(created, ignore_errors=True)


def progress(text: str) -> None:
    """Progress goes to stderr, so stdout holds only the report."""
    print(f"bench: {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.access(REGIME, os.X_OK):
        sys.exit(f"bench: {REGIME} not found: run this with the venv's python")
    bad = args.bad_percent > 0
    case = f"bad {args.bad_percent:g}%" if bad else "clean"
    tools = {"regime staged": REGIME_ARGV, "git --check": GIT_CHECK_ARGV}
    expected_exit = {"regime staged": 1 if bad else 0, "git --check": 2 if bad else 0}
    meter = Meter(None if args.direct_wait4 else find_gnu_time())
    with workdir(args) as root:
        progress(f"generating {args.files} files, {args.megabytes:g} MB in {root} ...")
        info, injected = generate(root, args.files, args.megabytes, args.bad_percent, args.seed)
        diff = diff_info(root)
        progress(f"generated in {info.generate_s:.1f} s; checking correctness ...")
        corr = check_correctness(root, injected, meter)

        samples: dict[str, list[Sample]] = {t: [] for t in tools}
        for i in range(args.runs):
            order = list(tools) if i % 2 == 0 else list(reversed(tools))
            for tool in order:
                s = meter.run(tools[tool], root)
                samples[tool].append(s)
                progress(
                    f"run {i + 1}/{args.runs} {tool}: {s.wall_s:.3f} s, "
                    f"peak RSS {s.maxrss_kib * 1024 / MB:.1f} MB, exit {s.exit_code}"
                )
                if s.exit_code != expected_exit[tool]:
                    progress(
                        f"UNEXPECTED: {tool} exited {s.exit_code} (expected "
                        f"{expected_exit[tool]}); stderr: {s.stderr.strip()!r}"
                    )
        mb = diff.diff_bytes / MB
        results = [summarize(t, tools[t], samples[t], mb) for t in tools]
        startup_cmds = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "regime --version": [REGIME, "--version"],
        }
        startup = [
            summarize(t, a, [meter.run(a, root) for _ in range(max(args.runs, 5))], 0.0)
            for t, a in startup_cmds.items()
        ]
        print_report(case, info, diff, corr, results, startup, expected_exit, meter.method)
        if args.json is not None:
            doc = {
                "case": case,
                "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "git": git_run(["--version"], root).strip(),
                    "platform": platform.platform(),
                },
                "git_whitespace": GIT_WHITESPACE,
                "rss_method": meter.method,
                "expected_exit": expected_exit,
                "repo": asdict(info),
                "diff": asdict(diff),
                "correctness": asdict(corr),
                "results": [asdict(s) for s in results],
                "startup": [asdict(s) for s in startup],
                "samples": {t: [asdict(s) for s in v] for t, v in samples.items()},
            }
            args.json.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
            progress(f"figures saved to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
