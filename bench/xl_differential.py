#!/usr/bin/env python3
"""Compare regime's xl config reader with Xen's own parser, built from Xen's source.

Not a test (pytest does not collect it): it needs a Xen source tree, flex, bison and a
C compiler, which CI does not have. It builds libxlu's config parser
(tools/libs/util/libxlu_cfg_l.l, libxlu_cfg_y.y, libxlu_cfg.c) with a small driver,
then feeds both readers the inputs of regime's own tests (the syntax-error table of
tests/test_xen_config.py) and generated configs made of the pieces on which they could
disagree (escapes, octal escapes, stray bytes at the end, CR, comments with and without
a newline, lists, ``+=``), and compares:

- the verdict: xl refuses the file (its parser returns an error) or accepts it;
- when both accept: the value of every key (a string, or each item of a list), byte
  for byte.

With ``--deep N``, N lists nested 1,400 to 5,000 levels deep are compared as well, and
where regime says "memory exhausted" xl must say the same, near the same token.

Usage::

    apt-get install flex bison gcc
    .venv/bin/python bench/xl_differential.py --xen-src /path/to/xen --cases 3000 --deep 300
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from regime.xen.xlcfg import XlSyntaxError, parse_xl

# Just enough of libxl.h for libxlutil.h to compile; the config parser uses none of it.
LIBXL_STUB = """#include <stdint.h>
#include <stdbool.h>
typedef char **libxl_string_list;
typedef char **libxl_key_value_list;
typedef struct libxl_device_disk libxl_device_disk;
typedef struct { int d; } libxl_bitmap;
typedef struct libxl_device_pci libxl_device_pci;
typedef struct libxl_device_usbdev libxl_device_usbdev;
typedef struct libxl_device_usbctrl libxl_device_usbctrl;
typedef struct libxl_device_virtio libxl_device_virtio;
typedef struct libxl_ctx libxl_ctx;
typedef uint8_t libxl_mac[6];
typedef struct { int val; } libxl_defbool;
typedef struct libxl_rdm_reserve libxl_rdm_reserve;
typedef struct libxl_device_nic libxl_device_nic;
static inline void libxl_defbool_set(libxl_defbool *d, bool b) { d->val = b ? 1 : -1; }
"""

# Reads a config, prints ACCEPT and then KEY TYPE HEX... for the keys asked, or REFUSE;
# xl's own messages go to stderr.
DRIVER = r"""#include <stdio.h>
#include "libxlutil.h"
static void hex(const char *s) { for (; *s; s++) printf("%02x", (unsigned char)*s); }
int main(int argc, char **argv) {
    static char buf[1 << 20];
    FILE *f = fopen(argv[1], "rb");
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    XLU_Config *cfg = xlu_cfg_init(stderr, argv[1]);
    if (xlu_cfg_readdata(cfg, buf, (int)n)) { printf("REFUSE\n"); return 0; }
    printf("ACCEPT\n");
    for (int i = 2; i < argc; i++) {
        const char *v; XLU_ConfigList *l; int cnt;
        if (!xlu_cfg_get_string(cfg, argv[i], &v, 1)) {
            printf("%s S ", argv[i]); hex(v); printf("\n");
        } else if (!xlu_cfg_get_list(cfg, argv[i], &l, &cnt, 1)) {
            printf("%s L", argv[i]);
            for (int j = 0; j < cnt; j++) {
                const char *s = xlu_cfg_get_listitem(l, j);
                if (!s) break;  /* a nested list: xl's device loops stop here too */
                printf(" "); hex(s); printf(".");
            }
            printf("\n");
        }
    }
    return 0;
}
"""


def build(xen: Path, work: Path) -> Path:
    util = xen / "tools/libs/util"
    for name in ("libxlu_cfg.c", "libxlu_cfg_i.h", "libxlu_cfg_l.l", "libxlu_cfg_y.y",
                 "libxlu_internal.h"):  # fmt: skip
        (work / name).write_bytes((util / name).read_bytes())
    (work / "libxlutil.h").write_bytes((xen / "tools/include/libxlutil.h").read_bytes())
    (work / "xen-tools").mkdir(exist_ok=True)
    (work / "xen-tools/common-macros.h").write_text(
        "#define ARRAY_SIZE(a) (sizeof(a)/sizeof((a)[0]))\n"
    )
    (work / "libxl.h").write_text(LIBXL_STUB)
    (work / "driver.c").write_text(DRIVER)
    run = lambda *cmd: subprocess.run(cmd, cwd=work, check=True, capture_output=True)  # noqa: E731
    run("flex", "-o", "libxlu_cfg_l.c", "--header-file=libxlu_cfg_l.h", "libxlu_cfg_l.l")
    run("bison", "-o", "libxlu_cfg_y.c", "--defines=libxlu_cfg_y.h", "libxlu_cfg_y.y")
    run("gcc", "-I.", "-o", "xlu", "driver.c", "libxlu_cfg.c", "libxlu_cfg_l.c", "libxlu_cfg_y.c")
    return work / "xlu"


PIECES = [
    "a = ", "b = ", "a += ", "v = [", "]", ", ", "\n", "\n", "\n", ";", " ", "\t", "1", "0x1f",
    "010", "'x'", '"y"', "'A\\101B'", '"\\1 5x"', "'\\12'", "'\\1'", '"\\1234"', "'\\0000'",
    "'a\\\\b'", "'\\n\\t'", "'\\x41'", "'\\q'", "# c\n", "#", "@", "\r", "'", '"', "+", "-",
    "\ufeff", "\u00e9", "A", "'é✓'", "[]", "[1,]", "[[1],'s']", "'\\1-5'", "'\\19'",
]  # fmt: skip


STRINGS = [
    "'x'", '"y"', "'A\\101B'", '"\\1 5x"', "'\\12'", "'\\1'", '"\\1234"', "'\\0000'",
    "'a\\\\b'", "'\\n\\t'", "'\\x41'", "'\\q'", "'é✓'", "'\\1-5'", "'\\19'", "'\\7\\777'",
    '"\\101\\102c"', "'\\1\t5'", "'cr\r'", "''", "'# not a comment'",
]  # fmt: skip
ENDS = ["", "\n", "\n", "\r", "#", "@", "'", '"', "# c", "\ufeff", "\u00e9", "\udce9", " ", "\\"]


def _value(r: random.Random) -> str:
    roll = r.random()
    if roll < 0.6:
        return r.choice(STRINGS)
    if roll < 0.75:
        return r.choice(["1", "0x1f", "010", "08", "1e5"])
    items = [r.choice(STRINGS) for _ in range(r.randrange(0, 4))]
    return "[" + r.choice([", ", ",\n", ","]).join(items) + r.choice(["", ","]) + "]"


def generated(r: random.Random) -> str:
    """A config of a few statements, mostly valid, with a piece that may break it
    here and there, and one of the endings xl treats specially."""
    out = []
    for _ in range(r.randrange(1, 5)):
        key = r.choice(["a", "b", "name", "vif"])
        out.append(f"{key} {r.choice(['=', '=', '+='])} {_value(r)}")
        if r.random() < 0.1:
            out.append(r.choice(PIECES))
        out.append(r.choice(["\n", "\n", ";", " # note\n", "\n\n"]))
    return "".join(out).rstrip("\n") + r.choice(ENDS)


def deep(r: random.Random) -> str:
    """A list nested 1,400 to 5,000 levels deep, of a random shape on each level: where
    xl's bison stack (YYMAXDEPTH) runs out depends on it."""
    opens, closes = [], []
    for _ in range(r.randrange(1400, 5000)):
        opens.append("[" + r.choice(["", "", "1,", "'a', 2,", "\n", "1,\n"]))
        closes.append(r.choice(["", "", ",", ", 3", ",\n4,", "\n"]) + "]")
    inner = r.choice(["", "1", "1,", "'x'\n", "\n"])
    return "v = " + "".join(opens) + inner + "".join(reversed(closes)) + "\n"


def ours(text: str) -> tuple[str, dict[str, str]]:
    try:
        cfg = parse_xl(text)
    except XlSyntaxError:
        return "REFUSE", {}
    values: dict[str, str] = {}
    for key in cfg.keys():  # noqa: SIM118 (XlConfig.keys, not a dict)
        value = cfg.get(key)
        assert value is not None
        raw = lambda s: s.encode("utf-8", "surrogateescape").hex()  # noqa: E731
        if value.kind == "list":
            items = "".join(f" {raw(v.xl_string or '')}." for v in value.xl_string_items())
            values[key] = f"L{items}"
        else:
            values[key] = f"S {raw(value.xl_string or '')}"
    return "ACCEPT", values


def _our_error(text: str) -> str:
    try:
        parse_xl(text)
    except XlSyntaxError as exc:
        return str(exc)
    return ""


def _their_error(xlu: Path, work: Path, text: str) -> str:
    """xl's message, from the driver's stderr."""
    path = work / "in.cfg"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    out = subprocess.run([str(xlu), str(path)], capture_output=True, check=False)
    return out.stderr.decode("utf-8", "replace")


def theirs(xlu: Path, work: Path, text: str, keys: list[str]) -> tuple[str, dict[str, str]]:
    path = work / "in.cfg"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    out = subprocess.run([str(xlu), str(path), *keys], capture_output=True, check=False)
    if out.returncode < 0:
        return "CRASH", {}
    lines = out.stdout.decode().splitlines()
    values = {}
    for line in lines[1:]:
        key, rest = line.split(" ", 1)
        values[key] = rest
    return lines[0], values


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--xen-src", type=Path, required=True, help="a Xen source tree")
    ap.add_argument("--cases", type=int, default=3000, help="generated configs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deep", type=int, default=0, help="deeply nested lists, compared too")
    args = ap.parse_args()
    from test_xen_config import SYNTAX_ERRORS

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        xlu = build(args.xen_src, work)
        r = random.Random(args.seed)
        inputs = [case[0] for case in SYNTAX_ERRORS] + [generated(r) for _ in range(args.cases)]
        inputs += [deep(r) for _ in range(args.deep)]
        differ = 0
        counts = {"ACCEPT": 0, "REFUSE": 0, "CRASH": 0}
        for text in inputs:
            verdict, values = ours(text)
            real, real_values = theirs(xlu, work, text, sorted(values))
            counts[real] += 1
            # xl aborts on a NUL inside a string (an assert in its dequote): a refusal
            same = verdict == real or (real == "CRASH" and verdict == "REFUSE")
            if (
                not same
                or (verdict == "ACCEPT" and values != real_values)
                or (
                    verdict == "REFUSE"
                    and "memory exhausted" in _our_error(text)
                    and _our_error(text) not in _their_error(xlu, work, text)
                )
            ):
                differ += 1
                shown = repr(text) if len(text) < 200 else repr(text[:200]) + "..."
                print(f"DIFFER {shown}: regime {verdict} {values}, xl {real} {real_values}")
        print(f"{len(inputs)} inputs: xl accepted {counts['ACCEPT']}, refused "
              f"{counts['REFUSE']}, aborted {counts['CRASH']}; {differ} differ")  # fmt: skip
        return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
