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
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final

from codeanatomy.source import SourceFile
from codeanatomy.spans import keyed_ids, stable_id

__all__ = ["KIND_OF_AST_TYPE", "AstIndex", "ast_index_of", "dotted_name", "index_ast", "node_id"]

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

    ``parent`` holds the parent's row (-1 for the module), ``field_name``/``idx`` the
    parent field holding the node and its list index (``None`` for a single value),
    ``scope`` the row of the innermost enclosing class, function, lambda or module.
    """

    tree: ast.Module
    nodes: list[ast.AST]
    node_id: list[str]
    kind: list[str]
    ast_type: list[str]
    bstart: list[int]
    bend: list[int]
    line: list[int]
    col: list[int]
    end_line: list[int]
    end_col: list[int]
    name: list[str | None]
    qualname: list[str | None]
    parent: list[int]
    field_name: list[str | None]
    idx: list[int | None]
    scope: list[int]
    ctx: list[str | None]
    op: list[str | None]
    row_of: dict[int, int] = field(default_factory=dict)

    def row(self, node: ast.AST) -> int:
        """Row of ``node`` (a node of :attr:`tree`)."""
        return self.row_of[id(node)]

    def id_of(self, node: ast.AST) -> str:
        """CPG node ID of ``node``."""
        return self.node_id[self.row_of[id(node)]]


# Fields that never hold ast nodes (identifiers, flags, constants, marker nodes).
_SCALAR_FIELDS: Final = frozenset(
    {
        "ctx", "op", "ops", "name", "id", "attr", "arg", "module", "level", "asname",
        "conversion", "is_async", "kind", "type_comment", "simple", "names", "tag",
    }
)


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a name or a chain of attributes of a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _alias_name(node: ast.alias) -> str:
    return node.asname or node.name


# The name column of each named ast class, in isinstance order.
_NAMERS: Final[tuple[tuple[type | tuple[type, ...], Callable[[Any], str | None]], ...]] = (
    ((ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef), attrgetter("name")),
    (ast.Name, attrgetter("id")),
    (ast.Attribute, attrgetter("attr")),
    (ast.arg, attrgetter("arg")),
    (ast.alias, _alias_name),
    (ast.Call, lambda node: dotted_name(node.func)),
    (ast.Lambda, lambda node: "<lambda>"),
    (ast.keyword, attrgetter("arg")),
)


def _ctx_name(node: ast.AST) -> tuple[str | None, str | None]:
    return type(node.ctx).__name__, None  # type: ignore[attr-defined]


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


# The ctx and op columns of each ast class holding marker nodes.
_MARKERS: Final[dict[type, Callable[[Any], tuple[str | None, str | None]]]] = {
    **dict.fromkeys(
        (ast.Name, ast.Attribute, ast.Subscript, ast.Starred, ast.List, ast.Tuple), _ctx_name
    ),
    **dict.fromkeys((ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.AugAssign, ast.Compare), _marker),
}

# How a node's qualname is formed (only nodes of a kind other than ``AST`` have one).
_QUAL_NONE, _QUAL_MODULE, _QUAL_LAMBDA, _QUAL_SCOPE, _QUAL_ARG, _QUAL_ALIAS = range(6)


@dataclass(frozen=True, slots=True)
class _TypeInfo:
    ast_type: str
    kind: str
    fields: tuple[str, ...]
    """Fields that may hold child nodes, last field first (the walk pushes them in reverse)."""
    is_scope: bool
    has_position: bool
    namer: Callable[[Any], str | None] | None
    marker: Callable[[Any], tuple[str | None, str | None]] | None
    qual: int


def _type_info(node_type: type) -> _TypeInfo:
    order: tuple[str, ...] = _FIELD_ORDER.get(node_type) or node_type._fields  # type: ignore[attr-defined]
    if node_type in (ast.Constant, ast.MatchSingleton):
        fields: tuple[str, ...] = ()
    else:
        fields = tuple(
            f
            for f in order
            if f not in _SCALAR_FIELDS
            or node_type in _NAME_LISTS
            or (f == "name" and node_type.__name__ == "TypeAlias")  # 3.12+: a Name node
        )
    kind = KIND_OF_AST_TYPE.get(node_type, "AST")
    is_scope = node_type is ast.Module or issubclass(node_type, _SCOPES)
    if kind == "AST":
        qual = _QUAL_NONE
    elif node_type is ast.Module:
        qual = _QUAL_MODULE
    elif node_type is ast.Lambda:
        qual = _QUAL_LAMBDA
    elif is_scope:
        qual = _QUAL_SCOPE
    elif node_type is ast.arg:
        qual = _QUAL_ARG
    elif node_type is ast.alias:
        qual = _QUAL_ALIAS
    else:
        qual = _QUAL_NONE
    return _TypeInfo(
        ast_type=node_type.__name__,
        kind=kind,
        fields=fields[::-1],
        is_scope=is_scope,
        has_position="lineno" in getattr(node_type, "_attributes", ()),
        namer=next((namer for types, namer in _NAMERS if issubclass(node_type, types)), None),
        marker=_MARKERS.get(node_type),
        qual=qual,
    )


# ``names`` holds aliases (nodes) in imports but plain strings in global/nonlocal.
_NAME_LISTS: Final = (ast.Import, ast.ImportFrom)


_TYPE_INFO: Final[dict[type, _TypeInfo]] = {
    cls: _type_info(cls)
    for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, ast.AST) and cls is not ast.AST
}


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
    nlines = len(starts)
    direct = lines.utf8_columns_are_stored
    to_offset = lines.from_utf8_col
    line_col = lines.line_col
    module = source.module
    type_info = _TYPE_INFO
    node_base = ast.AST
    nodes: list[ast.AST] = []
    rows: list[tuple[object, ...]] = []
    lambda_counts: dict[str, int] = {}
    end = len(source.data)
    end_line, end_col = line_col(end)
    bstarts: list[int] = []
    # (node, parent row, field, idx, scope row, qualname prefix, outer scope row, outer prefix)
    stack: list[tuple[ast.AST, int, str | None, int | None, int, str, int, str]] = [
        (tree, -1, None, None, -1, module, -1, module)
    ]
    pop = stack.pop
    push = stack.append
    while stack:
        node, parent, field_name, idx, scope, prefix, outer_scope, outer_prefix = pop()
        node_type = type(node)
        info = type_info[node_type]
        if info.has_position:
            line = node.lineno  # type: ignore[attr-defined]
            eline = node.end_lineno or line  # type: ignore[attr-defined]
            col = node.col_offset  # type: ignore[attr-defined]
            ecol = node.end_col_offset or 0  # type: ignore[attr-defined]
            if direct and line <= nlines and eline <= nlines:
                bstart = starts[line - 1] + col
                bend = starts[eline - 1] + ecol
            else:
                bstart = to_offset(line, col)
                bend = to_offset(eline, ecol)
                col = bstart - starts[line - 1] if line <= nlines else 0
                ecol = bend - starts[eline - 1] if eline <= nlines else 0
        elif node_type is ast.Module:
            bstart, bend, line, col, eline, ecol = 0, end, 1, 0, end_line, end_col
        else:
            bstart, bend = _child_extent(node, to_offset, bstarts[parent])
            line, col = line_col(bstart)
            eline, ecol = line_col(bend)
        namer = info.namer
        name = namer(node) if namer is not None else None
        qualname: str | None = None
        child_prefix = prefix
        qual = info.qual
        if qual:
            if qual == _QUAL_SCOPE:
                qualname = child_prefix = f"{prefix}.{name}"
            elif qual == _QUAL_ARG:
                qualname = f"{prefix}.{name}"
            elif qual == _QUAL_LAMBDA:
                number = lambda_counts.get(prefix, 0) + 1
                lambda_counts[prefix] = number
                qualname = child_prefix = f"{prefix}.<lambda{number}>"
            elif qual == _QUAL_ALIAS:
                qualname = _imported_name(node, nodes[parent])  # type: ignore[arg-type]
            else:
                qualname = module
        row = len(nodes)
        nodes.append(node)
        bstarts.append(bstart)
        marker = info.marker
        ctx, op = marker(node) if marker is not None else (None, None)
        rows.append(
            (info.kind, info.ast_type, bstart, bend, line, col, eline, ecol, name, qualname,
             parent, field_name, idx, scope if scope >= 0 else row, ctx, op)
        )
        for child_field in info.fields:
            value = getattr(node, child_field, None)
            if value is None:
                continue
            # The child's scope, prefix, outer scope and outer prefix. Decorators, defaults,
            # annotations and bases run in the enclosing scope; parameters and bodies
            # belong to the definition's own scope.
            if info.is_scope:
                if child_field in _INNER_FIELDS:
                    sub = (row, child_prefix, scope, prefix)
                else:
                    sub = (scope, prefix, scope, prefix)
            elif node_type is ast.arg or (
                node_type is ast.arguments and child_field in _OUTER_ARGUMENT_FIELDS
            ):
                sub = (outer_scope, outer_prefix, outer_scope, outer_prefix)
            else:
                sub = (scope, prefix, outer_scope, outer_prefix)
            sub_scope, sub_prefix, sub_outer, sub_outer_prefix = sub
            if type(value) is list:
                for child_idx in range(len(value) - 1, -1, -1):
                    child = value[child_idx]
                    if isinstance(child, node_base):
                        push((child, row, child_field, child_idx,
                              sub_scope, sub_prefix, sub_outer, sub_outer_prefix))
            elif isinstance(value, node_base):
                push((value, row, child_field, None,
                      sub_scope, sub_prefix, sub_outer, sub_outer_prefix))
    columns: list[list[Any]] = (
        [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(16)]
    )
    kinds, ast_types, bstart_column, bend_column = columns[:4]
    node_ids = keyed_ids((source.file_id,), kinds, bstart_column, bend_column, ast_types)
    row_of = dict(zip(map(id, nodes), range(len(nodes))))
    return AstIndex(tree, nodes, node_ids, *columns, row_of=row_of)  # type: ignore[misc, arg-type]


def _child_extent(node: ast.AST, to_offset: Callable[[int, int], int], fallback: int) -> tuple[int, int]:
    """Span of a position-less node (arguments, comprehension, withitem, match_case)."""
    begin: int | None = None
    finish: int | None = None
    for sub in ast.iter_child_nodes(node):
        if not isinstance(sub, (ast.expr, ast.stmt, ast.arg, ast.pattern, ast.keyword)):
            continue
        start = to_offset(sub.lineno, sub.col_offset)
        stop = to_offset(sub.end_lineno or sub.lineno, sub.end_col_offset or 0)
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
    if not isinstance(cached, AstIndex):
        cached = index_ast(source, source.parse_ast())
        source.cache["ast_index"] = cached
    return cached
