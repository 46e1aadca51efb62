"""Load and strictly validate a policy file (.regime.yaml).

The file is data: it is composed with PyYAML's safe loader into nodes (never
constructed into arbitrary objects, never executed), and every key and value is
checked against the schema. Errors name the file, line and column.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from regime.checks.rules import RULES
from regime.findings import Severity
from regime.pathmatch import GlobError, glob_to_regex, is_suffix
from regime.policy.model import (
    InfraSettings,
    Limits,
    Policy,
    RulePolicy,
    ServerSettings,
    default_rule,
)
from regime.policy.pattern import PatternError, compile_pattern

POLICY_FILE = ".regime.yaml"

_TOP_KEYS = {
    "version", "exclude", "rules", "xen", "iproute2", "preexisting", "limits", "editorconfig",
}  # fmt: skip
_LIMITS_KEYS = {"max_file_size", "max_seconds", "over_limit"}
# Rules whose severity the ``limits:`` section sets (over_limit), not ``rules:``.
_LIMIT_RULES = frozenset(code for code, rule in RULES.items() if rule.scope == "limits")
_XEN_KEYS = {"grammar", "configs", "default_script", "max_vifs", "groups"}
_IPROUTE2_KEYS = {"rt_tables", "scripts"}
_SERVER_KEYS = {
    "repository_policy",
    "may_loosen",
    "on_internal_error",
    "message_prefix",
    "log_file",
}
_FILE_RULE_KEYS = {
    "severity", "include", "exclude", "extend_include", "extend_exclude", "types", "extend_types",
}  # fmt: skip
_RULE_KEYS = {
    "LOG101": {"severity"},
    "LOG102": {"severity", "pattern", "help"},
    "LOG103": {"severity", "pattern", "help"},
    "LOG104": {"severity", "max_length"},
    "DIFF001": {"severity"},
    "POL001": {"severity"},
    "POL002": {"severity"},
}
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
#: Widest tab stop a policy may give (a real one is 2, 4 or 8).
MAX_TAB_WIDTH = 64
# A size as people write it: "64 MB" (10^6), "64 MiB" (2^20), "512k", "100 B".
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([kmgt]i?b?|b)?", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}
# The tags plain YAML data has (what the safe loader's resolver gives untagged nodes).
# Any other tag (`!!python/object:...`, `!!binary`, `!local`) asks for an object to be
# built: a policy is data, so that is refused rather than silently ignored.
_DATA_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge")
)

#: Largest policy file read. A real one is a few KiB; a bigger file is a mistake (or
#: an attempt to make the server spend its time), refused before YAML reads it.
MAX_POLICY_BYTES = 64 * 1024

#: The largest size, time and count a policy may give: far above any real use, and
#: small enough for every use of them (a timer, a comparison with a file's size).
MAX_SIZE = 1024**5  # 1 PiB
MAX_SECONDS = 86_400.0  # a day: a hook that waits longer has no committer left
MAX_COUNT = 2**31 - 1

#: Deepest nesting of lists and mappings. A policy nests four deep (rules, a rule, a
#: list); PyYAML's composer recurses once per level and would hit Python's limit.
MAX_POLICY_DEPTH = 32

if TYPE_CHECKING:
    import yaml


class PolicyError(Exception):
    """A policy file that cannot be used; the message names file, line and column."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{col}: {message}")
        self.path = path
        self.message = message
        self.line = line
        self.col = col


@dataclass
class _Ctx:
    path: str

    def error(self, node: object, message: str) -> PolicyError:
        mark = getattr(node, "start_mark", None)
        line = mark.line + 1 if mark is not None else 1
        col = mark.column + 1 if mark is not None else 1
        return PolicyError(self.path, line, col, message)


def find_policy(root: str) -> str | None:
    """The policy file at a repository root, if there is one."""
    candidate = os.path.join(root, POLICY_FILE)
    return candidate if os.path.lexists(candidate) else None


def load_policy(path: str | None, *, server: bool = False) -> Policy:
    """The policy in ``path``, or the built-in defaults when path is None.

    With ``server``, the file may have a ``server:`` section (a server policy)."""
    if path is None:
        return Policy(rules={code: default_rule(code) for code in RULES}, on_server=server)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise PolicyError(path, 1, 1, f"cannot read the policy file: {exc.strerror}") from exc
    if stat.S_ISDIR(mode):
        raise PolicyError(path, 1, 1, "is a directory, not a policy file")
    if not stat.S_ISREG(mode):
        # opening a FIFO waits for a writer for ever, reading /dev/zero never ends
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
        )
        raise PolicyError(path, 1, 1, f"is {kind}, not a policy file: give a regular file")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise PolicyError(path, 1, 1, f"cannot read the policy file: {exc.strerror}") from exc
    if len(data) > MAX_POLICY_BYTES:
        raise _too_big(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PolicyError(path, line, 1, "is not UTF-8 text: save it as UTF-8") from exc
    return parse_policy(text, path, server=server)


def _too_big(path: str) -> PolicyError:
    return PolicyError(
        path,
        1,
        1,
        f"is larger than {MAX_POLICY_BYTES // 1024} KiB, far more than a policy needs: "
        "is this the right file?",
    )


def parse_policy(text: str, path: str, *, server: bool = False) -> Policy:
    ctx = _Ctx(path)
    if len(text) > MAX_POLICY_BYTES:
        raise _too_big(path)
    root = _compose(text, path)
    if root is None:  # an empty file: the defaults
        return Policy(
            rules={code: default_rule(code) for code in RULES}, source=path, on_server=server
        )
    top = _mapping(ctx, root, "the policy file", _TOP_KEYS | {"server"})
    if "server" in top and not server:
        raise ctx.error(
            top["server"][0],
            "a `server:` section belongs in the server's policy file (regime install --policy), "
            "not in a repository",
        )
    settings = _server(ctx, top["server"][1]) if "server" in top else ServerSettings()
    if "version" in top:
        vnode = top["version"][1]
        if getattr(vnode, "tag", None) != _INT or getattr(vnode, "value", None) != "1":
            raise ctx.error(vnode, "version must be 1")
    global_exclude: tuple[str, ...] = ()
    if "exclude" in top:
        global_exclude = _patterns(ctx, top["exclude"][1], "exclude")
    rules = {code: default_rule(code, global_exclude) for code in RULES}
    rules_map = _mapping(ctx, top["rules"][1], "rules", set(RULES)) if "rules" in top else {}
    for code in _LIMIT_RULES & rules_map.keys():
        raise ctx.error(
            rules_map[code][0],
            f"{code} is set in the `limits:` section (over_limit: block | allow), not under rules",
        )
    for code, (_, node) in rules_map.items():
        _rule(ctx, rules[code], node, global_exclude)
    for code in ("LOG102", "LOG103"):
        rp = rules[code]
        if rp.active and rp.pattern is None:
            where = rules_map[code][1] if code in rules_map else root
            raise ctx.error(where, f"rules.{code} is on but has no pattern: add `pattern: REGEX`")
    infra = _infra(ctx, top)
    limits = _limits(ctx, top["limits"][1]) if "limits" in top else Limits()
    editorconfig = True
    if "editorconfig" in top:
        enode = top["editorconfig"][1]
        value = _scalar(ctx, enode, "editorconfig")
        if getattr(enode, "tag", None) != _BOOL:
            raise ctx.error(
                enode,
                f"editorconfig must be true or false (whether .editorconfig files say "
                f"which files WS101 and WS102 apply to), not {_shown(value)}",
            )
        editorconfig = value.lower() in ("true", "yes", "on", "y")
    # last, so a tagged value in the wrong place is named by what is wrong with it
    _refuse_object_tags(root, path)
    return Policy(
        rules=rules, source=path, server=settings, infra=infra, limits=limits,
        editorconfig=editorconfig, on_server=server,
    )  # fmt: skip


def _compose(text: str, path: str) -> yaml.Node | None:
    """The YAML node tree of ``text`` (nothing constructed), or a PolicyError at the
    place YAML gave up: invalid YAML, a character YAML forbids, nesting deeper than
    :data:`MAX_POLICY_DEPTH`."""
    import yaml

    try:
        root: yaml.Node | None = yaml.compose(text, Loader=_loader())
    except _TooDeep as exc:
        raise PolicyError(
            path,
            exc.mark.line + 1,
            exc.mark.column + 1,
            f"lists and mappings nested more than {MAX_POLICY_DEPTH} deep: a policy "
            "needs four levels at most",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "cannot be read"
        raise PolicyError(path, line, col, f"not valid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line, col = _yaml_place(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else 0
        raise PolicyError(
            path,
            line,
            col,
            f"not valid YAML: the character U+{char:04X} is not allowed in YAML "
            f"({exc.reason}): remove it",
        ) from None
    except yaml.YAMLError as exc:
        raise PolicyError(path, 1, 1, f"not valid YAML: {exc}") from None
    return root


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__("nested too deeply")
        self.mark = mark


@cache
def _loader() -> type[yaml.SafeLoader]:
    """PyYAML's safe loader, composing only, with a depth limit: its composer
    recurses once per nested list or mapping and would raise RecursionError."""
    import yaml

    class DepthLimitedLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            if self.depth >= MAX_POLICY_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return DepthLimitedLoader


def _yaml_place(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset, counting line breaks as YAML does."""
    before = text[:position]
    breaks = list(re.finditer("\r\n|[\r\n\x85\u2028\u2029]", before))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, position - start + 1


def _refuse_object_tags(root: yaml.Node, path: str) -> None:
    """Every node is plain data: no tag asks for an object (nodes are visited once
    each, as aliases may share or loop). Nothing is ever constructed either way."""
    import yaml

    stack: list[yaml.Node] = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in _DATA_TAGS:
            mark = node.start_mark
            raise PolicyError(
                path,
                mark.line + 1,
                mark.column + 1,
                f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} asks for an "
                "object to be made; a policy file is plain data: remove the tag",
            )
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def _infra(ctx: _Ctx, top: dict[str, tuple[object, object]]) -> InfraSettings:
    values: dict[str, object] = {}
    if "xen" in top:
        for key, (_, vnode) in _mapping(ctx, top["xen"][1], "xen", _XEN_KEYS).items():
            where = f"xen.{key}"
            if key == "grammar":
                values["xen_grammar"] = _choice(ctx, vnode, where, ("xl", "xm"))
            elif key == "configs":
                values["xen_configs"] = _patterns(ctx, vnode, where)
            elif key == "default_script":
                values["default_script"] = _string(ctx, vnode, where)
            elif key == "max_vifs":
                values["max_vifs"] = _positive_int(ctx, vnode, where)
            elif key == "groups":
                values["xen_groups"] = _patterns(ctx, vnode, where)
    if "iproute2" in top:
        for key, (_, vnode) in _mapping(
            ctx, top["iproute2"][1], "iproute2", _IPROUTE2_KEYS
        ).items():
            field_name = "rt_tables" if key == "rt_tables" else "table_scripts"
            values[field_name] = _patterns(ctx, vnode, f"iproute2.{key}")
    if "preexisting" in top:
        values["preexisting"] = _choice(
            ctx, top["preexisting"][1], "preexisting", ("report", "block")
        )
    return InfraSettings(**values)  # type: ignore[arg-type]


def _server(ctx: _Ctx, node: object) -> ServerSettings:
    fields = _mapping(ctx, node, "server", _SERVER_KEYS)
    values: dict[str, object] = {}
    for key, (_, vnode) in fields.items():
        where = f"server.{key}"
        if key == "repository_policy":
            values[key] = _choice(ctx, vnode, where, ("tighten", "ignore"))
        elif key == "on_internal_error":
            values[key] = _choice(ctx, vnode, where, ("block", "allow"))
        elif key == "may_loosen":
            codes = _patterns(ctx, vnode, where, globs=False)
            for code in codes:
                if code not in RULES:
                    from regime.suggest import did_you_mean

                    raise ctx.error(vnode, f"{where}: no rule {code!r}{did_you_mean(code, RULES)}")
                if code in _LIMIT_RULES:
                    raise ctx.error(
                        vnode,
                        f"{where}: {code} follows limits.over_limit, which a repository "
                        "can only make stricter",
                    )
            values[key] = frozenset(codes)
        elif key == "message_prefix" or key == "log_file":
            values[key] = _string(ctx, vnode, where)
    return ServerSettings(**values)  # type: ignore[arg-type]


def _limits(ctx: _Ctx, node: object) -> Limits:
    values: dict[str, object] = {}
    for key, (_, vnode) in _mapping(ctx, node, "limits", _LIMITS_KEYS).items():
        where = f"limits.{key}"
        if key == "max_file_size":
            values[key] = _size(ctx, vnode, where)
        elif key == "max_seconds":
            values[key] = _seconds(ctx, vnode, where)
        elif key == "over_limit":
            values[key] = _choice(ctx, vnode, where, ("block", "allow"))
    return Limits(**values, given=frozenset(values))  # type: ignore[arg-type]


def _size(ctx: _Ctx, node: object, where: str) -> int:
    """A number of bytes: a whole number, or a text with a unit (decimal kB, MB, GB,
    TB as 10^3, 10^6...; binary KiB, MiB, GiB, TiB as 2^10, 2^20...; a bare k, M, G
    is decimal). At least one byte."""
    value = _scalar(ctx, node, where)
    tag = getattr(node, "tag", None)
    number = 0
    if tag == _INT:
        number = _whole(value)
    elif tag == _STR and (m := _SIZE.fullmatch(value.strip())) is not None:
        unit = (m.group(2) or "").lower()
        scale = 1024 ** "bkmgt".index(unit[0]) if "i" in unit else _UNITS[unit[:1]]
        number = _bounded(float(m.group(1)) * scale, MAX_SIZE)
    if number > MAX_SIZE:
        raise ctx.error(node, f"{where} is too large: at most 1 PiB, not {_shown(value)}")
    if number < 1:
        raise ctx.error(
            node,
            f"{where} must be a size of at least 1 byte: a number of bytes or a text "
            f'such as "64 MB" or "64 MiB", not {value!r}',
        )
    return number


def _seconds(ctx: _Ctx, node: object, where: str) -> float:
    value = _scalar(ctx, node, where)
    number = 0.0
    if getattr(node, "tag", None) in (_INT, _FLOAT):
        try:
            number = float(value.replace("_", ""))
        except ValueError:
            number = 0.0
    if number > MAX_SECONDS:  # also .inf (a .nan is refused below)
        raise ctx.error(
            node, f"{where} is too large: at most {MAX_SECONDS:g} (a day), not {_shown(value)}"
        )
    if not (0 < number < float("inf")):  # also refuses .nan
        raise ctx.error(
            node, f"{where} must be a number of seconds above 0, e.g. 300, not {value!r}"
        )
    return number


def _choice(ctx: _Ctx, node: object, where: str, choices: tuple[str, ...]) -> str:
    value = _scalar(ctx, node, where)
    if value not in choices:
        from regime.suggest import did_you_mean

        hint = did_you_mean(value, choices)
        raise ctx.error(node, f"{where} must be one of {', '.join(choices)}, not {value!r}{hint}")
    return value


def _mapping(
    ctx: _Ctx, node: object, what: str, allowed: set[str]
) -> dict[str, tuple[object, object]]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        raise ctx.error(node, f"{what} must be a mapping of keys to values")
    out: dict[str, tuple[object, object]] = {}
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            raise ctx.error(knode, f"{what}: keys must be plain words")
        key = knode.value
        if key not in allowed:
            from regime.suggest import did_you_mean

            if what == "rules":  # 37 codes: too many to list
                hint = did_you_mean(str(key), allowed)
                known = "`regime explain` lists the rules"
            else:
                hint = did_you_mean(str(key), allowed, quote=True)
                known = "known: " + ", ".join(sorted(allowed))
            raise ctx.error(knode, f"unknown key {key!r} in {what}{hint} ({known})")
        if key in out:
            raise ctx.error(knode, f"{key!r} is given twice in {what}")
        out[key] = (knode, vnode)
    return out


def _scalar(ctx: _Ctx, node: object, what: str) -> str:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        raise ctx.error(node, f"{what} must be a single value, not a list or mapping")
    return str(node.value)


def _string(ctx: _Ctx, node: object, what: str) -> str:
    value = _scalar(ctx, node, what)
    if getattr(node, "tag", None) != _STR:
        raise ctx.error(node, f"{what} must be a string (quote it)")
    return value


def _patterns(ctx: _Ctx, node: object, what: str, *, globs: bool = True) -> tuple[str, ...]:
    """A list of suffixes and globs, each glob compiled now: a bad one (``[z-a]``) is
    an error at its line, never a crash when a file first needs it."""
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        raise ctx.error(node, f'{what} must be a list of suffixes or globs, e.g. [".c", "*.mk"]')
    out = []
    for item in node.value:
        value = _string(ctx, item, f"each entry of {what}")
        if not value:
            raise ctx.error(item, f"an entry of {what} is empty")
        if globs and not is_suffix(value):
            try:
                glob_to_regex(value)
            except GlobError as exc:
                raise ctx.error(
                    item, f"{what}: the glob {_shown(value)} is not valid: {exc}"
                ) from None
        out.append(value)
    return tuple(out)


def _rule(ctx: _Ctx, rp: RulePolicy, node: object, global_exclude: tuple[str, ...]) -> None:
    code = rp.code
    scope = RULES[code].scope
    allowed = _FILE_RULE_KEYS if scope == "lines" else _RULE_KEYS.get(code, {"severity"})
    if code == "WS101":
        allowed = allowed | {"tab_width"}
    fields = _mapping(ctx, node, f"rules.{code}", allowed)
    for key, (_, vnode) in fields.items():
        where = f"rules.{code}.{key}"
        if key == "severity":
            value = _scalar(ctx, vnode, where)
            # YAML 1.1 reads a bare `off` as false: take the text as written.
            try:
                rp.severity = Severity(value.lower())
            except ValueError:
                raise ctx.error(
                    vnode, f"{where} must be error, warning or off, not {value!r}"
                ) from None
        elif key == "include":
            rp.include = _patterns(ctx, vnode, where)
        elif key == "exclude":
            rp.exclude = _patterns(ctx, vnode, where) + global_exclude
        elif key == "extend_include":
            rp.include = rp.include + _patterns(ctx, vnode, where)
        elif key == "extend_exclude":
            rp.exclude = rp.exclude + _patterns(ctx, vnode, where)
        elif key == "types":
            rp.types = _types(ctx, vnode, where)
        elif key == "extend_types":
            rp.types = rp.types + _types(ctx, vnode, where)
        elif key == "pattern":
            text = _string(ctx, vnode, where)
            try:
                rp.pattern = compile_pattern(text)
            except PatternError as exc:
                raise ctx.error(vnode, f"{where} {exc}") from None
        elif key == "help":
            rp.help = _string(ctx, vnode, where)
        elif key == "max_length":
            rp.max_length = _positive_int(ctx, vnode, where)
        elif key == "tab_width":
            width = _positive_int(ctx, vnode, where)
            if width > MAX_TAB_WIDTH:
                raise ctx.error(
                    vnode,
                    f"{where} is the tab stop `regime fix` expands tabs to: a whole number "
                    f"from 1 to {MAX_TAB_WIDTH}, not {width}",
                )
            rp.tab_width = width


def _types(ctx: _Ctx, node: object, what: str) -> tuple[str, ...]:
    """A list of identify's type tags (``shell``, ``python``): a word identify does not
    know would select no file, silently, so it is an error at its line."""
    import yaml
    from identify.identify import ALL_TAGS

    if not isinstance(node, yaml.SequenceNode):
        raise ctx.error(node, f"{what} must be a list of file types, e.g. [shell, python]")
    out = []
    for item in node.value:
        value = _string_or_word(ctx, item, f"each entry of {what}")
        if value not in ALL_TAGS:
            close = sorted(t for t in ALL_TAGS if t.startswith(value[:3]))[:8]
            hint = f" (did you mean one of: {', '.join(close)}?)" if close else ""
            raise ctx.error(
                item,
                f"{what}: {_shown(value)} is not a file type identify knows{hint}; "
                "`identify-cli FILE` prints the types of a file",
            )
        out.append(value)
    return tuple(out)


def _string_or_word(ctx: _Ctx, node: object, what: str) -> str:
    """A plain word or a quoted string (``shell`` and ``"shell"`` alike)."""
    value = _scalar(ctx, node, what)
    if getattr(node, "tag", None) not in (_STR, None):
        raise ctx.error(node, f"{what} must be a word such as shell, not {_shown(value)}")
    return value


def _positive_int(ctx: _Ctx, node: object, where: str) -> int:
    value = _scalar(ctx, node, where)
    number = _whole(value) if getattr(node, "tag", None) == _INT else 0
    if number > MAX_COUNT:
        raise ctx.error(node, f"{where} is too large: at most {MAX_COUNT}, not {_shown(value)}")
    if number < 1:
        raise ctx.error(node, f"{where} must be a whole number above 0, not {_shown(value)}")
    return number


def _whole(value: str) -> int:
    """A YAML int as written in base 10 ("1_000"), a number too long to convert as
    one above every limit, anything else (0x10, 1:30) as 0 (refused as not above 0)."""
    digits = value.replace("_", "").lstrip("+")
    if digits.isdigit() and len(digits) > 30:
        return 10**30
    try:
        return int(digits, 10)
    except ValueError:
        return 0


def _bounded(number: float, limit: int) -> int:
    """A float as a whole number, an infinite or huge one as just over ``limit``."""
    return limit + 1 if not number < limit + 1 else int(number)


def _shown(value: str) -> str:
    """A value as an error message quotes it: at most 40 characters."""
    return repr(value if len(value) <= 40 else value[:37] + "...")
