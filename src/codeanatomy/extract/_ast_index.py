"""One deterministic walk of a file's CPython ``ast``: every node's CPG identity, span and place.

The walk is shared by everything that needs ast node IDs inside a worker (the ast
layer, symtable and bytecode linking, resolution facts): :func:`index_ast` returns
columns (one list per attribute, row ``i`` = ``nodes[i]``) and ``row_of`` maps a node
object to its row. The walk is iterative, so deeply nested files that CPython can
parse do not overflow the interpreter stack.

Node IDs are ``stable_id(file_id, kind, bstart, bend, ast_type[, ordinal])``; the
ordinal is added only for the second and later nodes sharing kind, span and ast
class (CPython < 3.12 gives f-string parts their string's position).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Final

from codeanatomy.source import SourceFile
from codeanatomy.spans import stable_id

__all__ = ["KIND_OF_AST_TYPE", "AstIndex", "ast_index_of", "index_ast", "node_id"]

KIND_OF_AST_TYPE: Final[dict[type[ast.AST], str]] = {
    ast.Module: "MODULE",
    ast.ClassDef: "CLASS",
    ast.FunctionDef: "FUNCTION",
    ast.AsyncFunctionDef: "FUNCTION",
    ast.Lambda: "FUNCTION",
    ast.arg: "PARAMETER",
    ast.alias: "IMPORT",
    ast.Call: "CALL",
    ast.Name: "NAME",
    ast.Attribute: "ATTRIBUTE",
    ast.Constant: "LITERAL",
}
"""CPG kind of each ast class; every class not listed is kind ``AST``."""

# Marker nodes without positions are folded into their parent's ``ctx``/``op`` columns.
_MARKERS: Final = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)

# Visit decorators (and return annotations) before bodies: source order, which is
# what lambda numbering and qualnames follow.
_FIELD_ORDER: Final[dict[type[ast.AST], tuple[str, ...]]] = {
    ast.FunctionDef: ("decorator_list", "type_params", "args", "returns", "body"),
    ast.AsyncFunctionDef: ("decorator_list", "type_params", "args", "returns", "body"),
    ast.ClassDef: ("decorator_list", "type_params", "bases", "keywords", "body"),
}
_SCOPES: Final = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_INNER_FIELDS: Final = frozenset({"body", "args"})
_OUTER_ARGUMENT_FIELDS: Final = frozenset({"defaults", "kw_defaults"})


def node_id(file_id: str, kind: str, bstart: int, bend: int, ast_type: str, ordinal: int = 0) -> str:
    """Return the CPG node ID of an ast node (see module docstring)."""
    return stable_id(file_id, kind, bstart, bend, ast_type, ordinal or None)


@dataclass(slots=True)
class AstIndex:
    """Columns describing every node of one file's ast, in walk (pre-)order.

    ``parent`` holds the parent's row (-1 for the module), ``field``/``idx`` the
    parent field holding the node and its list index (``None`` for a single value),
    ``scope`` the row of the innermost enclosing class, function, lambda or module.
    """

    tree: ast.Module
    nodes: list[ast.AST] = field(default_factory=list)
    node_id: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    ast_type: list[str] = field(default_factory=list)
    bstart: list[int] = field(default_factory=list)
    bend: list[int] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    col: list[int] = field(default_factory=list)
    end_line: list[int] = field(default_factory=list)
    end_col: list[int] = field(default_factory=list)
    name: list[str | None] = field(default_factory=list)
    qualname: list[str | None] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    field_name: list[str | None] = field(default_factory=list)
    idx: list[int | None] = field(default_factory=list)
    scope: list[int] = field(default_factory=list)
    ctx: list[str | None] = field(default_factory=list)
    op: list[str | None] = field(default_factory=list)
    row_of: dict[int, int] = field(default_factory=dict)

    def row(self, node: ast.AST) -> int:
        """Row of ``node`` (a node of :attr:`tree`)."""
        return self.row_of[id(node)]

    def id_of(self, node: ast.AST) -> str:
        """CPG node ID of ``node``."""
        return self.node_id[self.row_of[id(node)]]


def _children(node: ast.AST) -> list[tuple[str, int | None, ast.AST]]:
    order = _FIELD_ORDER.get(type(node), node._fields)
    out: list[tuple[str, int | None, ast.AST]] = []
    for name in order:
        value = getattr(node, name, None)
        if isinstance(value, list):
            out.extend((name, i, v) for i, v in enumerate(value) if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append((name, None, value))
    return out


def _marker(node: ast.AST) -> tuple[str | None, str | None]:
    ctx = getattr(node, "ctx", None)
    ctx_name = type(ctx).__name__ if ctx is not None else None
    op = getattr(node, "op", None)
    if op is not None:
        return ctx_name, type(op).__name__
    ops = getattr(node, "ops", None)
    if ops:
        return ctx_name, ",".join(type(o).__name__ for o in ops)
    return ctx_name, None


def _call_name(func: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
        return ".".join(reversed(parts))
    return None


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.arg):
        return node.arg
    if isinstance(node, ast.alias):
        return node.asname or node.name
    if isinstance(node, ast.Call):
        return _call_name(node.func)
    if isinstance(node, ast.Lambda):
        return "<lambda>"
    if isinstance(node, ast.keyword):
        return node.arg
    return None


def _imported_name(alias: ast.alias, statement: ast.AST) -> str:
    """Full name an alias imports: ``a.b`` for ``import a.b``, ``..m.x`` for ``from ..m import x``."""
    if isinstance(statement, ast.ImportFrom):
        base = "." * statement.level + (statement.module or "")
        joiner = "" if base.endswith(".") or not base else "."
        return f"{base}{joiner}{alias.name}"
    return alias.name


def index_ast(source: SourceFile, tree: ast.Module) -> AstIndex:
    """Walk ``tree`` (parsed from ``source``) and return its :class:`AstIndex`."""
    lines = source.lines
    starts = lines.line_starts
    to_offset = lines.from_utf8_col
    line_col = lines.line_col
    file_id = source.file_id
    index = AstIndex(tree=tree)
    seen: dict[tuple[str, int, int, str], int] = {}
    lambda_counts: dict[str, int] = {}
    end = len(source.data)
    end_line, end_col = line_col(end)
    # (node, parent row, field, idx, scope row, qualname prefix, outer scope row, outer prefix)
    stack: list[tuple[ast.AST, int, str | None, int | None, int, str, int, str]] = [
        (tree, -1, None, None, -1, source.module, -1, source.module)
    ]
    while stack:
        node, parent, field_name, idx, scope, prefix, outer_scope, outer_prefix = stack.pop()
        node_type = type(node)
        ast_type = node_type.__name__
        kind = KIND_OF_AST_TYPE.get(node_type, "AST")
        if node_type is ast.Module:
            bstart, bend, line, col, eline, ecol = 0, end, 1, 0, end_line, end_col
        elif hasattr(node, "lineno"):
            line = node.lineno
            eline = node.end_lineno or line
            bstart = to_offset(line, node.col_offset)
            bend = to_offset(eline, node.end_col_offset or 0)
            col = bstart - starts[line - 1] if line <= len(starts) else 0
            ecol = bend - starts[eline - 1] if eline <= len(starts) else 0
        else:
            bstart, bend = _child_extent(node, to_offset, index.bstart[parent])
            line, col = line_col(bstart)
            eline, ecol = line_col(bend)
        key = (kind, bstart, bend, ast_type)
        ordinal = seen.get(key, 0)
        seen[key] = ordinal + 1
        name = _name_of(node)
        qualname: str | None = None
        child_prefix = prefix
        if node_type is ast.Module:
            qualname = source.module
        elif node_type is ast.Lambda:
            number = lambda_counts.get(prefix, 0) + 1
            lambda_counts[prefix] = number
            qualname = child_prefix = f"{prefix}.<lambda{number}>"
        elif isinstance(node, _SCOPES):
            qualname = child_prefix = f"{prefix}.{name}"
        elif node_type is ast.arg:
            qualname = f"{prefix}.{name}"
        elif node_type is ast.alias:
            qualname = _imported_name(node, index.nodes[parent])  # type: ignore[arg-type]
        row = len(index.nodes)
        index.row_of[id(node)] = row
        index.nodes.append(node)
        index.node_id.append(node_id(file_id, kind, bstart, bend, ast_type, ordinal))
        index.kind.append(kind)
        index.ast_type.append(ast_type)
        index.bstart.append(bstart)
        index.bend.append(bend)
        index.line.append(line)
        index.col.append(col)
        index.end_line.append(eline)
        index.end_col.append(ecol)
        index.name.append(name)
        index.qualname.append(qualname)
        index.parent.append(parent)
        index.field_name.append(field_name)
        index.idx.append(idx)
        index.scope.append(scope if scope >= 0 else row)
        ctx, op = _marker(node)
        index.ctx.append(ctx)
        index.op.append(op)
        inner = (row, child_prefix) if (node_type is ast.Module or isinstance(node, _SCOPES)) else None
        for child_field, child_idx, child in reversed(_children(node)):
            if isinstance(child, _MARKERS):
                continue
            # Decorators, defaults, annotations and bases run in the enclosing scope;
            # parameters and bodies belong to the definition's own scope.
            if inner is not None and child_field in _INNER_FIELDS:
                entry = (*inner, scope, prefix)
            elif inner is not None:
                entry = (scope, prefix, scope, prefix)
            elif node_type is ast.arguments and child_field in _OUTER_ARGUMENT_FIELDS:
                entry = (outer_scope, outer_prefix, outer_scope, outer_prefix)
            elif node_type is ast.arg:
                entry = (outer_scope, outer_prefix, outer_scope, outer_prefix)
            else:
                entry = (scope, prefix, outer_scope, outer_prefix)
            stack.append((child, row, child_field, child_idx, *entry))
    return index


def _child_extent(node: ast.AST, to_offset: object, fallback: int) -> tuple[int, int]:
    """Span of a position-less node (arguments, comprehension, withitem, match_case)."""
    begin: int | None = None
    finish: int | None = None
    for sub in ast.iter_child_nodes(node):
        if not hasattr(sub, "lineno"):
            continue
        start = to_offset(sub.lineno, sub.col_offset)  # type: ignore[operator]
        stop = to_offset(sub.end_lineno, sub.end_col_offset)  # type: ignore[operator]
        begin = start if begin is None else min(begin, start)
        finish = stop if finish is None else max(finish, stop)
    if begin is None or finish is None:
        return fallback, fallback
    return begin, finish


def ast_index_of(source: SourceFile) -> AstIndex:
    """Parse ``source`` and index its tree, once per file per process.

    Raises:
        SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError:
            as :meth:`SourceFile.parse_ast` does.
    """
    cached = source.cache.get("ast_index")
    if cached is None:
        cached = index_ast(source, source.parse_ast())
        source.cache["ast_index"] = cached
    return cached  # type: ignore[no-any-return]
