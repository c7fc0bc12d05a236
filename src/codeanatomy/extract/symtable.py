"""The ``symtable`` evidence layer: CPython's own scopes and symbol flags for one file.

Writes ``symtable_scopes`` (one row per scope: module, class, function, lambda,
comprehension and, on Python 3.12+, type-parameter, type-variable and ``type``
alias scopes; list, set and dict comprehensions are inlined into their enclosing
scope from 3.12 on and so are no scopes there) and ``symtable_symbols`` (one row
per name of each scope with the flags the ``symtable`` module reports).

``symtable_scopes.node_id`` is the ast node owning the scope (the CLASS, FUNCTION
or MODULE node; the comprehension's ast node; the generic definition for a
type-parameter scope; the ``TypeVar`` node for a type-variable scope), so that
``cpg_nodes.node_id = symtable_scopes.node_id`` joins a definition to its scope.
"""

from __future__ import annotations

import symtable as _symtable
import warnings
from typing import Final

import pyarrow as pa

from codeanatomy.extract._ast_index import AstIndex, ast_index_of
from codeanatomy.extract._base import ExtractOptions, FileError, Layer, LayerOutput
from codeanatomy.extract._scope_nodes import (
    COMPREHENSION_NAMES,
    ScopeMatcher,
    ScopeNode,
    scope_nodes_of,
    type_param_row,
)
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile
from codeanatomy.spans import stable_id

__all__ = ["LAYER", "SCOPES", "SCOPE_TYPES", "SYMBOLS", "extract"]

SCOPE_TYPES: Final = (
    "module",
    "class",
    "function",
    "lambda",
    "comprehension",
    "type_parameters",
    "type_variable",
    "type_alias",
    "annotation",
)
"""Values of ``symtable_scopes.type`` (the same on every Python version)."""

SCOPES = TableSpec(
    "symtable_scopes",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("scope_id", pa.string()),
            ("parent_scope_id", pa.string()),
            ("type", pa.string()),
            ("name", pa.string()),
            ("qualname", pa.string()),
            ("line", pa.int32()),
            ("is_nested", pa.bool_()),
            ("is_optimized", pa.bool_()),
            ("node_id", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
        ]
    ),
)
"""One row per scope, in symtable's (depth-first, entry) order.

``scope_id`` is ``stable_id(file_id, "scope", qualname, ordinal)``, the ordinal
counting earlier scopes with the same qualname (a redefined function). ``bstart``/
``bend`` are the owning ast node's span (null when no node was found).
"""

SYMBOLS = TableSpec(
    "symtable_symbols",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("scope_id", pa.string()),
            ("name", pa.string()),
            ("is_referenced", pa.bool_()),
            ("is_assigned", pa.bool_()),
            ("is_parameter", pa.bool_()),
            ("is_global", pa.bool_()),
            ("is_declared_global", pa.bool_()),
            ("is_nonlocal", pa.bool_()),
            ("is_local", pa.bool_()),
            ("is_free", pa.bool_()),
            ("is_imported", pa.bool_()),
            ("is_annotated", pa.bool_()),
            ("is_namespace", pa.bool_()),
            ("namespace_node_ids", pa.list_(pa.string())),
        ]
    ),
)
"""One row per name of each scope (in name order), flags as ``symtable.Symbol`` reports them.

``is_global`` is true for declared and implicit globals (and, as ``symtable``
says, for names bound at module level); ``namespace_node_ids`` lists the ast
nodes of the scopes the name binds (a ``def``/``class``/generic), in order.
"""

_Symbol = _symtable.Symbol
# Every ``is_*`` column is the ``symtable.Symbol`` method of that name.
_FLAG_METHODS: Final = tuple(
    (field.name, getattr(_Symbol, field.name)) for field in SYMBOLS.schema if field.name.startswith("is_")
)

# symtable's type names differ across versions (3.12 strings, 3.13 StrEnum values).
_TYPE_OF: Final[dict[str, str]] = {
    "module": "module",
    "class": "class",
    "function": "function",
    "type parameter": "type_parameters",
    "type parameters": "type_parameters",
    "TypeVar bound": "type_variable",
    "type variable": "type_variable",
    "type alias": "type_alias",
    "annotation": "annotation",
}
_OWNER_KINDS: Final = ("function", "class", "type_alias")
_PARSE_ERRORS: Final = (SyntaxError, ValueError, RecursionError, MemoryError)


def extract(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """Scopes and symbols of one file, from the stdlib ``symtable`` module.

    Args:
        source: the file.
        opts: extraction options (unused: the layer has none).

    Returns:
        ``symtable_scopes`` and ``symtable_symbols``; a file that does not decode
        or parse (or nests too deeply) gives empty tables and one error.
    """
    try:
        text = source.text()
        index = ast_index_of(source)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            top = _symtable.symtable(text, source.path, "exec")
    except _PARSE_ERRORS as exc:
        error = FileError.from_exception(source.path, "symtable", exc)
        return LayerOutput({SCOPES.name: SCOPES.empty(), SYMBOLS.name: SYMBOLS.empty()}, (error,))
    scopes, symbols = _tables(source, index, top)
    return LayerOutput({SCOPES.name: scopes, SYMBOLS.name: symbols})


def _tables(
    source: SourceFile, index: AstIndex, top: _symtable.SymbolTable
) -> tuple[pa.Table, pa.Table]:
    file_id = source.file_id
    nodes = scope_nodes_of(source)
    matcher = ScopeMatcher(nodes[1:], use_first_line=False, order_by_entry=True)
    constants = {"file_id": file_id}
    scope_cols = SCOPES.column_lists(without=constants)
    symbol_cols = SYMBOLS.column_lists(without=constants)
    rows: list[int | None] = []  # ast row of each scope, by position
    position_of: dict[int, int] = {}  # symtable id -> scope position
    path_counts: dict[str, int] = {}
    parent_of = {n.row: n.parent for n in nodes}
    tables: list[_symtable.SymbolTable] = []
    # (table, parent position); depth-first, children in symtable's entry order.
    stack: list[tuple[_symtable.SymbolTable, int]] = [(top, -1)]
    while stack:
        table, parent = stack.pop()
        symtable_type = str(table.get_type())
        raw_type = _TYPE_OF.get(symtable_type) or symtable_type.lower().replace(" ", "_")
        name = table.get_name()
        line = table.get_lineno()
        parent_row = rows[parent] if parent >= 0 else None
        enclosing = parent_row
        if parent_row is not None and scope_cols["type"][parent] == "type_parameters":
            enclosing = parent_of[parent_row]  # the generic's type-parameter scope
        scope_type, node = _match(raw_type, table, nodes, matcher, index, parent_row, enclosing)
        parent_path = str(scope_cols["qualname"][parent]) if parent >= 0 else source.module
        path = _path(scope_type, name, node, index, parent_path, source.module)
        ordinal = path_counts.get(path, 0)
        path_counts[path] = ordinal + 1
        position = len(rows)
        position_of[table.get_id()] = position
        row = node.row if isinstance(node, ScopeNode) else node
        rows.append(row)
        tables.append(table)
        scope_cols["scope_id"].append(stable_id(file_id, "scope", path, ordinal))
        scope_cols["parent_scope_id"].append(
            scope_cols["scope_id"][parent] if parent >= 0 else None
        )
        scope_cols["type"].append(scope_type)
        scope_cols["name"].append(name)
        scope_cols["qualname"].append(path)
        scope_cols["line"].append(line or None)
        scope_cols["is_nested"].append(table.is_nested())
        scope_cols["is_optimized"].append(table.is_optimized())
        scope_cols["node_id"].append(index.node_id[row] if row is not None else None)
        scope_cols["bstart"].append(index.bstart[row] if row is not None else None)
        scope_cols["bend"].append(index.bend[row] if row is not None else None)
        stack.extend((child, position) for child in reversed(table.get_children()))
    for position, table in enumerate(tables):
        _add_symbols(
            symbol_cols, table, scope_cols["scope_id"][position], rows, position_of, index
        )
    return SCOPES.from_columns(scope_cols, constants), SYMBOLS.from_columns(symbol_cols, constants)


def _match(
    raw_type: str,
    table: _symtable.SymbolTable,
    nodes: tuple[ScopeNode, ...],
    matcher: ScopeMatcher,
    index: AstIndex,
    parent_row: int | None,
    enclosing: int | None,
) -> tuple[str, ScopeNode | int | None]:
    """Return the scope's type and its ast owner (a scope node, a bare row, or None).

    ``parent_row`` is the ast row owning the parent scope, ``enclosing`` the row of
    the scope node whose children this scope's node must be among.
    """
    name = table.get_name()
    line = table.get_lineno()
    if raw_type == "module":
        return "module", nodes[0]
    if raw_type == "class":
        return "class", matcher.take_first("class", name, line, enclosing)
    if raw_type == "function":
        if name == "lambda":
            return "lambda", matcher.take_first("lambda", name, line, enclosing)
        if name in _COMPREHENSIONS and ".0" in table.get_identifiers():
            return "comprehension", matcher.take_first("comprehension", name, line, enclosing)
        return "function", matcher.take_first("function", name, line, enclosing)
    if raw_type == "type_parameters":
        # The owner is matched again (and used) by its own scope, the only child here.
        for kind in _OWNER_KINDS:
            found = matcher.candidates(kind, name, line, enclosing)
            if found:
                return raw_type, found[0]
        return raw_type, None
    if raw_type == "type_variable":
        row = type_param_row(index, parent_row, name) if parent_row is not None else None
        return raw_type, row
    if raw_type == "type_alias":
        return raw_type, matcher.take_first("type_alias", name, line, enclosing)
    return raw_type, None


_COMPREHENSIONS: Final = frozenset(COMPREHENSION_NAMES.values())


def _path(
    scope_type: str,
    name: str,
    node: ScopeNode | int | None,
    index: AstIndex,
    parent_path: str,
    module: str,
) -> str:
    """Qualified path of a scope: the ast qualname where the ast has one."""
    if scope_type == "module":
        return module
    if scope_type == "type_parameters" and isinstance(node, ScopeNode):
        return f"{node.qualname}.<type_params>"
    if isinstance(node, ScopeNode):
        return node.qualname
    return f"{parent_path}.{name}"


def _add_symbols(
    cols: dict[str, list[object]],
    table: _symtable.SymbolTable,
    scope_id: object,
    rows: list[int | None],
    position_of: dict[int, int],
    index: AstIndex,
) -> None:
    node_ids = index.node_id
    # Name order: CPython adds a class body's free names from a set, in an order that
    # changes with the process's string-hash seed.
    symbols = sorted(_symbols_of(table), key=_Symbol.get_name)
    count = len(symbols)
    cols["scope_id"].extend([scope_id] * count)
    cols["name"].extend(map(_Symbol.get_name, symbols))
    for flag, method in _FLAG_METHODS:
        cols[flag].extend(map(method, symbols))
    for symbol in symbols:
        namespaces: list[str] = []
        if symbol.is_namespace():
            for namespace in symbol.get_namespaces():
                row = rows[position_of[namespace.get_id()]]
                if row is not None:
                    namespaces.append(node_ids[row])
        cols["namespace_node_ids"].append(namespaces)


def _symbols_of(table: _symtable.SymbolTable) -> list[_Symbol]:
    """The symbols of ``table``, as ``table.get_symbols()`` makes them, in linear time.

    CPython's ``SymbolTable.lookup`` scans every child scope for each name, so a
    module of 20,000 functions took 17 s in it; here the children are grouped by name
    once. The raw flags are ``table._table.symbols``, which ``lookup`` reads too
    (the same on CPython 3.11 to 3.13).
    """
    children: dict[str, list[_symtable.SymbolTable]] = {}
    for child in table.get_children():
        children.setdefault(child.get_name(), []).append(child)
    flags_of: dict[str, int] = table._table.symbols  # type: ignore[attr-defined]
    module_scope = table.get_name() == "top"  # as ``lookup`` decides it
    return [
        _Symbol(name, flags, children.get(name, []), module_scope=module_scope)
        for name, flags in flags_of.items()
    ]


LAYER = Layer(name="symtable", version=1, tables=(SCOPES, SYMBOLS), extract=extract)
"""The symtable layer, as the build registers it."""
