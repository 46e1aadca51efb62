"""Old xm guest configs, read as data: parsed with :mod:`ast`, never executed.

Why: xm ran its configs with ``execfile``, so an xm config is a Python program,
and running a program from a commit in a commit gate would hand the committer a
shell on the server. Instead the module is parsed (``ast.parse`` only builds a
tree; nothing is compiled to code or run) and only top-level ``NAME = literal``
assignments are taken as settings, in the same :class:`~regime.xen.xlcfg.XlConfig`
model xl configs use:

- strings, integers (``True``/``False`` as 1/0, ``-1`` allowed), lists and tuples
  of those, nested (tuples become lists);
- ``'a' + 'b'`` and ``[...] + [...]`` of literals are folded, as Python would
  (implicit ``'a' 'b'`` already is); ``NAME += literal`` too, for a string or list
  NAME that is itself known;
- ``a = b = literal``, ``a: str = literal``; docstrings and ``pass`` are ignored.

Everything else that sets or may change a name (a call, a reference to another
variable, arithmetic, an f-string, ``import``, ``if``, ``for``, ``def``,
``vif.append(...)``, ``vif[0] = ...``) is reported as :class:`NotStatic` and never
guessed: the names it may set are dropped from the config, so a later check sees
"not set" rather than a stale literal. (A call such as ``exec(...)`` could in
principle change any name; it is reported with ``key=None`` and drops nothing.)

The grammar is the running Python's (3.11+): Python-2-only syntax (``print "x"``,
``0755``, ``10L``) is an :class:`XmSyntaxError`.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
import warnings
from dataclasses import dataclass, field

from regime.xen.xlcfg import Setting, Value, XlConfig

__all__ = ["NotStatic", "XmSyntaxError", "parse_xm"]

#: Deepest literal nesting followed (Python's own parser stops at 200 brackets).
MAX_DEPTH = 100


@dataclass(frozen=True)
class NotStatic:
    """A statement whose effect cannot be known without running the config.

    ``key`` is the setting it assigns or changes, when there is exactly one
    obvious one; None for statements (``import``, ``if``, a bare call) that are
    not an assignment to one name. ``reason`` is a short phrase such as
    ``a call to make_vifs()``. ``may_set`` names every setting the statement may
    set or change; None when it may change any of them (``exec``, ``globals()``,
    ``from m import *``): a check that needs a setting learns from it whether that
    setting is known (it is not part of the statement's identity).
    """

    line: int
    col: int
    key: str | None
    reason: str
    may_set: tuple[str, ...] | None = field(default=(), compare=False)


class XmSyntaxError(Exception):
    """The config is not valid Python (for this Python), so nothing was read."""

    def __init__(self, line: int, col: int, message: str) -> None:
        self.line = line
        self.col = col
        self.message = message
        super().__init__(line, col, message)

    def __str__(self) -> str:
        return f"line {self.line}, column {self.col}: {self.message}"


def parse_xm(text: str) -> tuple[XlConfig, list[NotStatic]]:
    """The literal settings of an xm config, and what could not be read statically.

    ``text`` is the decoded file (UTF-8 with surrogateescape, as for xl); it is
    re-encoded so a ``# -*- coding: latin-1 -*-`` line still works. Raises
    :class:`XmSyntaxError` (and nothing else) when Python cannot parse it.
    """
    source = text.encode("utf-8", "surrogateescape")
    bom = text.startswith("\ufeff")
    try:
        tree = _parse(source)
    except SyntaxError as exc:
        lines = _Lines(_source_lines(source), bom)
        line = exc.lineno or 1
        message = exc.msg or "invalid syntax"
        if "integer string conversion" in message:  # 3.11: a SyntaxError at offset 0
            line, col, message = _huge_integer(lines, line)
        elif exc.lineno == 0:  # "unknown encoding: x" has no position: the cookie's
            line, col = _coding_cookie(lines)
        else:
            col = lines.char_col(line, (exc.offset or 1) - 1)
        raise XmSyntaxError(line, lines.clamp(line, col), message) from None
    except (RecursionError, MemoryError):
        # Python's parser gives no position: find the line where it gives up
        lines = _Lines(_source_lines(source), bom)
        found = _too_deep_line(source)
        where = "" if found else " somewhere in this file (too big to search for the line)"
        line = found or 1
        raise XmSyntaxError(
            line,
            lines.first_word_col(line),
            f"nested too deeply for Python's parser{where} (thousands of operators, calls "
            "or brackets inside each other): write the value as a plain literal",
        ) from None
    except (ValueError, UnicodeError, LookupError) as exc:
        # NUL bytes, an unknown coding, an integer literal Python refuses to convert...
        raise XmSyntaxError(1, 1, str(exc) or type(exc).__name__) from None
    reader = _Reader(_Lines(_source_lines(source), bom))
    for statement in tree.body:
        reader.statement(statement)
    return reader.result()


def _parse(source: bytes) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for "\d" and the like
        return ast.parse(source, mode="exec")


#: Above this size the line of a too deeply nested expression is searched for only by
#: its look (see :func:`_too_deep_line`): the search parses prefixes of the file, some
#: 17 times for 140,000 lines, which took 30 s for 900 KB.
DEEP_SEARCH_BYTES = 100_000

# What deep nesting is made of: operators, brackets, dots of attribute chains, and the
# words that nest (not, lambda, conditional expressions, await).
_NESTING_RE = re.compile(rb"[-+~*/%&|^<>.@(\[{:]|\b(?:not|lambda|if|await)\b")


def _too_deep_line(source: bytes) -> int | None:
    """The first line at which Python's parser runs out of stack, or None when it cannot
    be found in reasonable time.

    First the line with the most nesting tokens, parsed alone: that is the line in all
    but contrived files. Otherwise, for a file up to :data:`DEEP_SEARCH_BYTES`, the
    shortest prefix of whole lines on which the parser fails that way (a binary search:
    the whole file fails)."""
    lines = source.splitlines(keepends=True)  # bytes: at \n, \r\n and \r, as Python
    if not lines:
        return None
    scores = [len(_NESTING_RE.findall(line)) for line in lines]
    busiest = max(range(len(lines)), key=scores.__getitem__)
    if _overflows(lines[busiest].lstrip(b" \t\f")):
        return busiest + 1
    if len(source) > DEEP_SEARCH_BYTES:
        return None
    low, high = 1, len(lines)
    while low < high:
        middle = (low + high) // 2
        if _overflows(b"".join(lines[:middle])):
            high = middle
        else:
            low = middle + 1
    return high


def _overflows(source: bytes) -> bool:
    """Whether Python's parser runs out of stack on ``source`` (any other error: no)."""
    try:
        _parse(source)
    except (RecursionError, MemoryError):
        return True
    except (SyntaxError, ValueError, UnicodeError, LookupError):
        return False
    return False


def _huge_integer(lines: _Lines, line: int) -> tuple[int, int, str]:
    """Where an integer literal too long for Python is, and a message that says so."""
    text = lines.text(line)
    m = re.search(r"[0-9][0-9_]{4300,}", text)
    col = (m.start() if m else 0) + 1 + (line == 1 and lines.bom)
    digits = len(m.group().replace("_", "")) if m else 0
    what = f"{digits} digits" if digits else "thousands of digits"
    return line, col, f"an integer literal of {what}, more than Python reads (4300)"


def _coding_cookie(lines: _Lines) -> tuple[int, int]:
    """Where the ``# -*- coding: NAME -*-`` line names its encoding (line 1 or 2)."""
    for line in (1, 2):
        m = re.match(r"[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", lines.text(line))
        if m:
            return line, m.start(1) + 1 + (line == 1 and lines.bom)
    return 1, 1


class _Lines:
    """The lines of a config as Python decoded them, to turn Python's positions (UTF-8
    byte offsets) into character columns: once per line, not per node, so a line of a
    million list elements is not walked a million times."""

    def __init__(self, lines: list[str], bom: bool) -> None:
        self.lines = lines
        self.bom = bom
        # per line: None when it is ASCII (a byte is a character), else the byte offset
        # of each non-ASCII character and the extra bytes of the ones before it
        self._wide: dict[int, tuple[list[int], list[int], list[int]] | None] = {}

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def char_col(self, line: int, offset: int) -> int:
        """The 1-based character column of a 0-based UTF-8 byte offset on a line, which
        is how Python counts positions of source given as bytes (``col_offset``, and
        the ``offset`` of a SyntaxError)."""
        col = offset + 1
        if 1 <= line <= len(self.lines) and offset > 0:
            wide = self._wide_chars(line)
            if wide is not None:
                starts, widths, extra = wide
                k = bisect.bisect_left(starts, offset)  # wide characters before offset
                if k and starts[k - 1] + widths[k - 1] > offset:
                    # inside a character: count it as one, as a "replace" decode would
                    col = starts[k - 1] - extra[k - 1] + 2
                else:
                    col = offset - extra[k] + 1
        if line == 1 and self.bom:
            col += 1  # Python skips the byte order mark; the caller's text has it
        return col

    def _wide_chars(self, line: int) -> tuple[list[int], list[int], list[int]] | None:
        if line not in self._wide:
            text = self.lines[line - 1]
            if text.isascii():
                self._wide[line] = None
            else:
                starts: list[int] = []
                widths: list[int] = []
                extra = [0]
                for m in _NON_ASCII_RE.finditer(text):
                    width = len(m.group().encode("utf-8", "surrogateescape"))
                    starts.append(m.start() + extra[-1])
                    widths.append(width)
                    extra.append(extra[-1] + width - 1)
                self._wide[line] = (starts, widths, extra)
        return self._wide[line]

    def clamp(self, line: int, col: int) -> int:
        """A column on the line or just after it (Python may point past its end)."""
        return max(1, min(col, len(self.text(line)) + 1 + (line == 1 and self.bom)))

    def first_word_col(self, line: int) -> int:
        text = self.text(line)
        return len(text) - len(text.lstrip(" \t\f")) + 1 if text.strip() else 1


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _source_lines(source: bytes) -> list[str]:
    """The lines as Python decoded them, to turn byte columns into characters."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        decoded = source.decode(encoding, "replace")
    except (SyntaxError, LookupError, UnicodeError):
        decoded = source.decode("utf-8", "replace")
    return re.split(r"\r\n|\r|\n", decoded)


class _Reader:
    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.settings: list[Setting] = []
        self.not_static: list[NotStatic] = []
        self.known: dict[str, tuple[Value, str]] = {}  # name -> value, Python type
        self.dropped_at: dict[str, int] = {}  # name -> len(settings) when last dropped

    def result(self) -> tuple[XlConfig, list[NotStatic]]:
        kept = [s for i, s in enumerate(self.settings) if i >= self.dropped_at.get(s.key, 0)]
        return XlConfig(kept), self.not_static

    # ------------------------------------------------------------------ positions

    def pos(self, node: ast.expr | ast.stmt) -> tuple[int, int]:
        """1-based line and character column (ast counts UTF-8 bytes)."""
        return node.lineno, self.lines.char_col(node.lineno, node.col_offset)

    # ------------------------------------------------------------------ statements

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            self.assign(stmt.targets, stmt.value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign([stmt.target], stmt.value)
            elif not isinstance(stmt.target, ast.Name):
                self.opaque(stmt, "an annotated assignment to a part of a value")
        elif isinstance(stmt, ast.AugAssign):
            self.augassign(stmt)
        elif isinstance(stmt, ast.Expr):
            if not isinstance(stmt.value, ast.Constant):  # a docstring changes nothing
                self.expression(stmt)
        elif not isinstance(stmt, ast.Pass):
            self.opaque(stmt, _statement_kind(stmt))

    def assign(self, targets: list[ast.expr], node: ast.expr) -> None:
        value, pytype, why = self.literal(node)
        for target in targets:
            if isinstance(target, ast.Name):
                if value is not None:
                    self.set(target, value, pytype)
                else:
                    self.unknown(target, target.id, why)
            elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
                for name in _affected_names(target):
                    self.unknown(target, name, "unpacking into several names")
            else:  # vif[0] = ..., x.y = ...
                base = _base_name(target)
                if base is not None:
                    self.unknown(target, base, f"an assignment into a part of {base}")
                else:
                    self.opaque(target, "an assignment into a computed value")

    def augassign(self, stmt: ast.AugAssign) -> None:
        target = stmt.target
        if not isinstance(target, ast.Name):
            base = _base_name(target)
            if base is not None:
                self.unknown(target, base, f"an augmented assignment into a part of {base}")
            else:
                self.opaque(stmt, "an augmented assignment into a computed value")
            return
        if not isinstance(stmt.op, ast.Add):
            self.unknown(target, target.id, "arithmetic, which is not evaluated")
            return
        value, pytype, why = self.literal(stmt.value)
        before = self.known.get(target.id)
        if value is None:
            self.unknown(target, target.id, why)
        elif before is None:
            self.unknown(target, target.id, f"+= on {target.id}, which has no literal value here")
        else:
            result = _ADD_RESULT.get((before[1], pytype))
            if result is None:
                self.unknown(target, target.id, f"+= of a {pytype} to a {before[1]}")
            else:
                # Kept as written, with append=True: XlConfig.get's += (list append,
                # string concatenation) is exactly Python's for these types.
                line, col = self.pos(target)
                self.settings.append(Setting(target.id, value, line, col, append=True))
                old = before[0]
                combined = (
                    Value("string", f"{old.value}{value.value}", old.line, old.col)
                    if result == "str"
                    else Value("list", old.items + value.items, old.line, old.col)
                )
                self.known[target.id] = (combined, result)

    def expression(self, stmt: ast.Expr) -> None:
        node = stmt.value
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                base = _base_name(func.value)
                if base is not None:  # vif.append(...), vif.extend(...)
                    line, col = self.pos(stmt)
                    names = (base, *(n for n in _affected_names(node) if n != base))
                    self.not_static.append(
                        NotStatic(
                            line,
                            col,
                            base,
                            f"a call to {_snippet(func)}(), which may change {base}",
                            None if _may_set_anything(node) else names,
                        )
                    )
                    for name in names:
                        self.drop(name)
                    return
            self.opaque(stmt, f"a call to {_snippet(func)}()")
        else:
            self.opaque(stmt, f"an expression ({_snippet(node)})")

    def opaque(self, node: ast.stmt | ast.expr, reason: str) -> None:
        """A statement that is not one assignment: report it, drop what it may set."""
        names = _affected_names(node)
        if names and not isinstance(node, ast.Import | ast.ImportFrom):
            shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
            reason = f"{reason}, which may set {shown}"
        line, col = self.pos(node)
        may_set = None if _may_set_anything(node) else tuple(names)
        self.not_static.append(NotStatic(line, col, None, reason, may_set))
        for name in names:
            self.drop(name)

    def set(self, target: ast.Name, value: Value, pytype: str) -> None:
        line, col = self.pos(target)
        self.settings.append(Setting(target.id, value, line, col))
        self.known[target.id] = (value, pytype)

    def unknown(self, node: ast.expr, name: str, reason: str) -> None:
        line, col = self.pos(node)
        self.not_static.append(NotStatic(line, col, name, reason, (name,)))
        self.drop(name)

    def drop(self, name: str) -> None:
        self.known.pop(name, None)
        self.dropped_at[name] = len(self.settings)

    # ------------------------------------------------------------------ literals

    def literal(self, node: ast.expr, depth: int = 0) -> tuple[Value | None, str, str]:
        """(value, Python type name, "") for a literal; (None, "", reason) otherwise."""
        if depth > MAX_DEPTH:
            return None, "", "a literal nested too deeply"
        line, col = self.pos(node)
        if isinstance(node, ast.Constant):
            return self.constant(node.value, line, col)
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int)  # bool included: -True is -1
        ):
            number = int(node.operand.value)
            number = -number if isinstance(node.op, ast.USub) else number
            return Value("number", number, line, col, _int_text(number)), "int", ""
        if isinstance(node, ast.List | ast.Tuple):
            elements: list[Value] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    return None, "", f"unpacking with * ({_snippet(element)})"
                value, _pytype, why = self.literal(element, depth + 1)
                if value is None:
                    return None, "", why
                elements.append(value)
            pytype = "list" if isinstance(node, ast.List) else "tuple"
            return Value("list", tuple(elements), line, col), pytype, ""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.concatenation(node, depth)
        return None, "", _describe(node)

    @staticmethod
    def constant(value: object, line: int, col: int) -> tuple[Value | None, str, str]:
        if isinstance(value, bool):
            return Value("number", int(value), line, col, str(int(value))), "bool", ""
        if isinstance(value, int):
            return Value("number", value, line, col, _int_text(value)), "int", ""
        if isinstance(value, str):
            return Value("string", value, line, col), "str", ""
        if value is None:
            return None, "", "None, which xl has no way to write"
        if isinstance(value, float):
            return None, "", f"a float ({value!r}), which xl has no way to write"
        return None, "", f"a {type(value).__name__} literal, which xl has no way to write"

    def concatenation(self, node: ast.BinOp, depth: int) -> tuple[Value | None, str, str]:
        """``a + b + c`` of string or list literals, walked without recursion."""
        operands: list[ast.expr] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            operands.append(current.right)
            current = current.left
        operands.append(current)
        operands.reverse()
        values: list[Value] = []
        pytypes: set[str] = set()
        for operand in operands:
            value, pytype, _why = self.literal(operand, depth + 1)
            if value is None:
                return None, "", _describe(node)
            values.append(value)
            pytypes.add(pytype)
        line, col = self.pos(node)
        if pytypes == {"str"}:
            text = "".join(v.value for v in values if isinstance(v.value, str))
            return Value("string", text, line, col), "str", ""
        if pytypes in ({"list"}, {"tuple"}):
            items = tuple(item for v in values for item in v.items)
            return Value("list", items, line, col), pytypes.pop(), ""
        return None, "", _describe(node)


# Python's + for the types a literal can have: (left, right) -> result type.
_ADD_RESULT = {
    ("str", "str"): "str",
    ("list", "list"): "list",
    ("list", "tuple"): "list",  # list += tuple extends the list
    ("tuple", "tuple"): "tuple",
}


def _int_text(number: int) -> str:
    """Decimal text, or hex for integers too long for Python's str() limit."""
    return str(number) if abs(number).bit_length() <= 10_000 else hex(number)


def _describe(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return f"a call to {_snippet(node.func)}()"
    if isinstance(node, ast.Name):
        return f"a reference to the variable {node.id}"
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.BoolOp | ast.Compare):
        return f"an expression ({_snippet(node)}), which is not evaluated"
    if isinstance(node, ast.Dict | ast.Set | ast.DictComp | ast.SetComp):
        return "a dict or set, which xl has no way to write"
    return f"an expression ({_snippet(node)})"


def _snippet(node: ast.AST, limit: int = 60) -> str:
    """Short source text for a message (ast.unparse, guarded and truncated)."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError, AttributeError, TypeError):
        return "..."
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _base_name(node: ast.expr) -> str | None:
    """``vif`` for ``vif``, ``vif[0]``, ``vif.append``, ``a.b[1].c``."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _affected_names(node: ast.AST) -> list[str]:
    """Names a statement may bind or change, in order: assignment targets, loop and
    ``with``/``except`` names, defs, imports, ``global``, and the receivers of
    method calls and item/attribute assignments (``vif.append``, ``vif[0] =``)."""
    names: dict[str, None] = {}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store | ast.Del):
            names[sub.id] = None
        elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[sub.name] = None
        elif isinstance(sub, ast.alias) and sub.name != "*":
            names[sub.asname or sub.name.split(".")[0]] = None
        elif isinstance(sub, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and sub.name:
            names[sub.name] = None
        elif isinstance(sub, ast.MatchMapping) and sub.rest:
            names[sub.rest] = None
        elif isinstance(sub, ast.Global | ast.Nonlocal):
            names.update(dict.fromkeys(sub.names))
        elif isinstance(sub, ast.Attribute | ast.Subscript) and isinstance(
            sub.ctx, ast.Store | ast.Del
        ):
            base = _base_name(sub)
            if base is not None:
                names[base] = None
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
            base = _base_name(sub.func.value)
            if base is not None:
                names[base] = None
    return list(names)


#: Calls through which a config can set a name it never writes as a target
#: (``exec("vif = ...")``, ``globals()["vif"] = ...``, ``setattr(module, "vif", ...)``).
_ANY_NAME_CALLS = frozenset(
    ("exec", "eval", "execfile", "compile", "globals", "locals", "vars", "setattr", "__import__")
)


def _may_set_anything(node: ast.AST) -> bool:
    """Whether a statement may set names it does not show: a wildcard import, a call
    (by name or attribute) to one of :data:`_ANY_NAME_CALLS`, or a use of
    ``__builtins__`` or of a ``__dict__``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.ImportFrom) and any(a.name == "*" for a in sub.names):
            return True
        if isinstance(sub, ast.Call):
            func = sub.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called in _ANY_NAME_CALLS:
                return True
        if isinstance(sub, ast.Name | ast.Attribute) and (
            getattr(sub, "id", None) in ("__builtins__", "__dict__")
            or getattr(sub, "attr", None) == "__dict__"
        ):
            return True
    return False


def _statement_kind(stmt: ast.stmt) -> str:
    """A short name for a statement that is not a plain assignment."""
    if isinstance(stmt, ast.Import):
        return "import " + ", ".join(a.name for a in stmt.names)
    if isinstance(stmt, ast.ImportFrom):
        what = ", ".join(a.name for a in stmt.names)
        return f"from {'.' * stmt.level}{stmt.module or ''} import {what}"
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return f"a function definition (def {stmt.name})"
    if isinstance(stmt, ast.ClassDef):
        return f"a class definition (class {stmt.name})"
    kinds: dict[type[ast.stmt], str] = {
        ast.If: "an if statement",
        ast.For: "a for loop",
        ast.AsyncFor: "a for loop",
        ast.While: "a while loop",
        ast.With: "a with statement",
        ast.AsyncWith: "a with statement",
        ast.Try: "a try statement",
        ast.Delete: "a del statement",
        ast.Global: "a global statement",
        ast.Nonlocal: "a nonlocal statement",
        ast.Raise: "a raise statement",
        ast.Assert: "an assert statement",
        ast.Return: "a return statement",
        ast.Match: "a match statement",
    }
    for kind, name in kinds.items():
        if isinstance(stmt, kind):
            return name
    return f"a {type(stmt).__name__} statement"
