"""The ``ast`` evidence layer: every CPython ast node, its place in the tree and its span.

Tables: ``ast_nodes`` (one row per node, with CPG kind, exact ast class, canonical
span, name, qualname, enclosing scope and source text), ``ast_edges`` (parent →
child with field name and list index) and ``ast_props`` (kind-specific properties
of definitions, parameters, imports and literals).

Position-less marker nodes (``Load``/``Store``/``Del`` contexts and operators) are
not rows: they are the ``ctx`` and ``op`` columns of the node that holds them.
"""

from __future__ import annotations

import ast
from typing import Final

import pyarrow as pa

from codeanatomy.extract._ast_index import AstIndex, ast_index_of
from codeanatomy.extract._base import ExtractOptions, FileError, Layer, LayerOutput
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile

__all__ = ["AST_EDGES", "AST_NODES", "AST_PROPS", "LAYER", "extract"]

AST_NODES: Final = TableSpec(
    "ast_nodes",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("node_id", pa.string()),
            ("kind", pa.string()),
            ("ast_type", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("line", pa.int32()),
            ("col", pa.int32()),
            ("end_line", pa.int32()),
            ("end_col", pa.int32()),
            ("name", pa.string()),
            ("qualname", pa.string()),
            ("scope_id", pa.string()),
            ("ctx", pa.string()),
            ("op", pa.string()),
            ("code", pa.string()),
        ]
    ),
)
AST_EDGES: Final = TableSpec(
    "ast_edges",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("src", pa.string()),
            ("dst", pa.string()),
            ("field", pa.string()),
            ("idx", pa.int32()),
        ]
    ),
)
AST_PROPS: Final = TableSpec(
    "ast_props",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("node_id", pa.string()),
            ("key", pa.string()),
            ("value", pa.string()),
        ]
    ),
)


def _code_column(source: SourceFile, index: AstIndex, limit: int) -> list[str]:
    data = source.data
    if data.isascii():
        # Offsets are character offsets: slice the text once decoded.
        text = data.decode("ascii")
        return [
            text[bstart:bend]
            if bend - bstart <= limit
            else text[bstart : bstart + limit - 1] + "…"
            for bstart, bend in zip(index.bstart, index.bend, strict=True)
        ]
    encoding = "utf-8-sig" if source.lines.bom else source.encoding
    window = 4 * limit
    out: list[str] = []
    for bstart, bend in zip(index.bstart, index.bend, strict=True):
        text = data[bstart : min(bend, bstart + window)].decode(encoding, errors="replace")
        if len(text) > limit or bend - bstart > window:
            text = text[: limit - 1] + "…"
        out.append(text)
    return out


def _edges(file_id: str, index: AstIndex, ids: pa.Array) -> pa.Table:
    """One edge per node but the module: parent to node. ``ids`` is ``index.node_id`` in Arrow."""
    return AST_EDGES.from_columns(
        {
            "src": ids.take(pa.array(index.parent[1:], type=pa.int32())),
            "dst": ids[1:],
            "field": index.field_name[1:],
            "idx": index.idx[1:],
        },
        {"file_id": file_id},
    )


_PARAM_FIELDS: Final = {
    "posonlyargs": "positional_only",
    "args": "regular",
    "vararg": "var_positional",
    "kwonlyargs": "keyword_only",
    "kwarg": "var_keyword",
}


def _props(file_id: str, index: AstIndex) -> pa.Table:
    node_ids: list[str] = []
    keys: list[str] = []
    values: list[str] = []

    def add(row: int, key: str, value: object) -> None:
        node_ids.append(index.node_id[row])
        keys.append(key)
        values.append(str(value))

    kinds = index.kind
    nodes = index.nodes
    for row in [row for row, kind in enumerate(kinds) if kind != "AST"]:
        kind = kinds[row]
        node = nodes[row]
        if kind == "FUNCTION":
            add(row, "is_async", isinstance(node, ast.AsyncFunctionDef))
            add(row, "is_lambda", isinstance(node, ast.Lambda))
            add(row, "is_method", kinds[index.scope[row]] == "CLASS")
            add(row, "decorators", len(getattr(node, "decorator_list", ())))
        elif kind == "CLASS":
            assert isinstance(node, ast.ClassDef)
            add(row, "bases", len(node.bases))
            add(row, "decorators", len(node.decorator_list))
        elif kind == "PARAMETER":
            arguments = index.nodes[index.parent[row]]
            field = index.field_name[row] or "args"
            add(row, "param_kind", _PARAM_FIELDS.get(field, field))
            add(row, "position", index.idx[row] if index.idx[row] is not None else 0)
            if isinstance(arguments, ast.arguments):
                add(row, "has_default", _has_default(arguments, field, index.idx[row] or 0))
        elif kind == "IMPORT":
            assert isinstance(node, ast.alias)
            statement = index.nodes[index.parent[row]]
            if isinstance(statement, ast.ImportFrom):
                add(row, "module", statement.module or "")
                add(row, "level", statement.level)
                add(row, "star", node.name == "*")
            else:
                add(row, "module", node.name)
                add(row, "level", 0)
            add(row, "imported_name", node.name)
            if node.asname:
                add(row, "alias", node.asname)
        elif kind == "LITERAL":
            assert isinstance(node, ast.Constant)
            add(row, "literal_type", type(node.value).__name__)
    return AST_PROPS.from_columns(
        {"node_id": node_ids, "key": keys, "value": values}, {"file_id": file_id}
    )


def _has_default(arguments: ast.arguments, field: str, position: int) -> bool:
    if field == "kwonlyargs":
        return arguments.kw_defaults[position] is not None
    if field in {"posonlyargs", "args"}:
        positional = len(arguments.posonlyargs) + len(arguments.args)
        absolute = position + (len(arguments.posonlyargs) if field == "args" else 0)
        return absolute >= positional - len(arguments.defaults)
    return False


def extract(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """Nodes, edges and properties of one file's CPython ast."""
    try:
        index = ast_index_of(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError) as exc:
        return LayerOutput(errors=(FileError.from_exception(source.path, "ast", exc),))
    file_id = source.file_id
    ids = pa.array(index.node_id, type=pa.string())
    nodes = AST_NODES.from_columns(
        {
            "node_id": ids,
            "kind": index.kind,
            "ast_type": index.ast_type,
            "bstart": index.bstart,
            "bend": index.bend,
            "line": index.line,
            "col": index.col,
            "end_line": index.end_line,
            "end_col": index.end_col,
            "name": index.name,
            "qualname": index.qualname,
            "scope_id": ids.take(pa.array(index.scope, type=pa.int32())),
            "ctx": index.ctx,
            "op": index.op,
            "code": _code_column(source, index, opts.code_chars),
        },
        {"file_id": file_id},
    )
    return LayerOutput(
        tables={
            AST_NODES.name: nodes,
            AST_EDGES.name: _edges(file_id, index, ids),
            AST_PROPS.name: _props(file_id, index),
        }
    )


LAYER: Final = Layer(name="ast", version=1, tables=(AST_NODES, AST_EDGES, AST_PROPS), extract=extract)
