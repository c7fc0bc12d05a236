"""The ``tree_sitter`` evidence layer: an error-tolerant concrete tree of every file.

Writes ``tree_sitter_nodes`` (every named node), ``tree_sitter_errors`` (ERROR and
MISSING nodes) and ``tree_sitter_definitions`` (classes, functions, calls and imports
in the shared :mod:`codeanatomy.extract._definitions` shape, with ast-compatible
qualnames). A file with syntax errors still yields its tree: the errors are rows,
not :class:`~codeanatomy.extract._base.FileError` values, so files that CPython's
``ast`` rejects (Python 2, a typo) still give the graph their definitions and calls.

Tree-sitter parses the file's UTF-8 text (:meth:`SourceLines.utf8_text`), with lone
CRs made LFs; every offset goes through :meth:`SourceLines.from_utf8_offset`. The
walk is iterative (a ``TreeCursor``), so deep nesting cannot overflow the interpreter
stack.
``node_id`` is ``stable_id(file_id, "ts", type, bstart, bend[, ordinal])``, the
ordinal added only for the second and later named nodes sharing type and span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import pyarrow as pa
import tree_sitter
import tree_sitter_python

from codeanatomy.extract._base import ExtractOptions, FileError, Layer, LayerOutput
from codeanatomy.extract._definitions import definitions_spec
from codeanatomy.extract._tree_sitter_definitions import definition_columns
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile
from codeanatomy.spans import keyed_ids

__all__ = [
    "LAYER",
    "TREE_SITTER_DEFINITIONS",
    "TREE_SITTER_ERRORS",
    "TREE_SITTER_NODES",
    "extract",
]

TREE_SITTER_NODES: Final = TableSpec(
    "tree_sitter_nodes",
    version=1,
    schema=pa.schema(
        [
            ("file_id", pa.string()),
            ("node_id", pa.string()),
            ("type", pa.string()),
            ("field", pa.string()),
            ("parent_id", pa.string()),
            ("idx", pa.int32()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("line", pa.int32()),
            ("col", pa.int32()),
            ("is_error", pa.bool_()),
            ("is_missing", pa.bool_()),
            ("has_error", pa.bool_()),
        ]
    ),
)
"""Every named node: ``field`` is its field in the parent (``None`` outside a field),
``parent_id``/``idx`` its nearest named ancestor and its position among that
ancestor's named descendants listed here; ``line``/``col`` are 1-based line and
0-based stored-byte column of ``bstart``."""

TREE_SITTER_ERRORS: Final = TableSpec(
    "tree_sitter_errors",
    version=1,
    schema=pa.schema(
        [
            ("file_id", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("line", pa.int32()),
            ("col", pa.int32()),
            ("kind", pa.string()),
            ("node_type", pa.string()),
            ("text", pa.string()),
        ]
    ),
)
"""One row per ERROR node (``kind`` ``ERROR``) and per MISSING node the parser
inserted (``kind`` ``MISSING``, ``node_type`` the token it expected, e.g. ``:``);
``text`` is the erroneous source, cut to ``ExtractOptions.code_chars``."""

TREE_SITTER_DEFINITIONS: Final = definitions_spec("tree_sitter")
"""Classes, functions, lambdas, calls and imports (see :mod:`codeanatomy.extract._definitions`)."""

_NO_ERRORS: Final = TREE_SITTER_ERRORS.empty()  # most files' table: shared, tables are immutable
_ERROR_KIND: Final = 0xFFFF  # tree-sitter's builtin error symbol
_LONE_CR: Final = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True, slots=True)
class _Grammar:
    """The Python grammar as the walk reads it, built once per process."""

    parser: tree_sitter.Parser
    type_names: pa.Array
    """Node type by kind id (``take`` of the kinds gives the ``type`` column)."""
    type_of: list[str]
    """Node type by kind id (``kind_id`` indexes it)."""
    named: list[bool]
    """Whether a kind id is a named node."""
    definition_kinds: frozenset[int]
    """Kind ids collected for ``tree_sitter_definitions`` (and ERROR, for recovery)."""
    field_names: pa.Array
    """Field name by field id (``take`` of the cursor's field ids gives the column)."""


@cache
def _grammar() -> _Grammar:
    """Create the parser and kind tables once per process."""
    language = tree_sitter.Language(tree_sitter_python.language())
    type_of = [""] * (_ERROR_KIND + 1)
    named = [False] * (_ERROR_KIND + 1)
    for kind in range(language.node_kind_count):
        type_of[kind] = language.node_kind_for_id(kind) or ""
        named[kind] = language.node_kind_is_named(kind)
    type_of[_ERROR_KIND] = "ERROR"
    named[_ERROR_KIND] = True
    wanted = {
        "function_definition",
        "class_definition",
        "lambda",
        "call",
        "import_statement",
        "import_from_statement",
        "future_import_statement",
        "type_alias_statement",
    }
    kinds = {kind for kind in range(language.node_kind_count) if type_of[kind] in wanted}
    kinds.add(_ERROR_KIND)
    field_names = pa.array(
        [language.field_name_for_id(field) for field in range(language.field_count + 1)],
        type=pa.string(),
    )
    return _Grammar(
        parser=tree_sitter.Parser(language),
        type_names=pa.array(type_of, type=pa.string()),
        type_of=type_of,
        named=named,
        definition_kinds=frozenset(kinds),
        field_names=field_names,
    )


def extract(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """Parse ``source`` with tree-sitter and return its three tables.

    Syntax errors become ``tree_sitter_errors`` rows; only a file whose text cannot
    be produced at all (an unknown declared encoding) gives a :class:`FileError`.

    >>> from codeanatomy.spans import file_id_for
    >>> src = SourceFile("m.py", file_id_for("m.py"), "m", b"def f(:\\n    pass\\n")
    >>> out = extract(src, ExtractOptions())
    >>> out.tables["tree_sitter_errors"].select(["kind", "node_type"]).to_pylist()
    [{'kind': 'MISSING', 'node_type': ')'}]
    """
    try:
        text = source.lines.utf8_text()
    except (LookupError, UnicodeError) as exc:
        return LayerOutput(
            tables={spec.name: spec.empty() for spec in LAYER.tables},
            errors=(FileError.from_exception(source.path, "tree_sitter", exc),),
        )
    grammar = _grammar()
    tree = grammar.parser.parse(_with_lone_crs_as_lf(text))
    nodes, errors, definition_nodes = _walk(source, tree, text, grammar, opts)
    definitions = definition_columns(source, text, definition_nodes)
    file_constants = {"file_id": source.file_id}
    return LayerOutput(
        tables={
            TREE_SITTER_NODES.name: nodes,
            TREE_SITTER_ERRORS.name: (
                TREE_SITTER_ERRORS.from_columns(errors, file_constants)
                if errors["kind"]
                else _NO_ERRORS
            ),
            TREE_SITTER_DEFINITIONS.name: TREE_SITTER_DEFINITIONS.from_columns(
                definitions, file_constants
            ),
        }
    )


def _with_lone_crs_as_lf(text: bytes) -> bytes:
    r"""``text`` with every CR not followed by LF made an LF: what tree-sitter parses.

    Python ends a line at ``\r`` alone (classic Mac OS files), as at ``\n`` and ``\r\n``;
    tree-sitter-python ends it only at the last two, and would see each such file as a
    single line full of errors. One byte for one, so every offset stays the same.

    >>> _with_lone_crs_as_lf(b"a\rb\r\nc\r")
    b'a\nb\r\nc\n'
    """
    return _LONE_CR.sub(b"\n", text) if b"\r" in text else text


def _walk(
    source: SourceFile,
    tree: tree_sitter.Tree,
    text: bytes,
    grammar: _Grammar,
    opts: ExtractOptions,
) -> tuple[pa.Table, dict[str, Sequence[object]], list[tree_sitter.Node]]:
    """One cursor walk: the node table, error columns and the definition-bearing nodes.

    The loop only records what tree-sitter reports (kind, byte range, field id, parent
    row); types, field names, offsets, positions and IDs are derived afterwards, column
    at a time. Flags are read by a second walk, only of a tree with errors.
    """
    named = grammar.named
    definition_kinds = grammar.definition_kinds
    kinds: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    field_ids: list[int | None] = []
    parents: list[int] = []  # the row of the nearest named ancestor
    idxs: list[int] = []
    definition_nodes: list[tree_sitter.Node] = []
    add_kind, add_start, add_end = kinds.append, starts.append, ends.append
    add_field, add_parent, add_idx = field_ids.append, parents.append, idxs.append

    # ``ancestor`` is the row of the nearest named ancestor of the node the cursor is
    # on (-1 above the root), ``idx`` the number of its named descendants seen so far.
    # ``saved`` has an entry per level the cursor descended: the ``idx`` to restore
    # when it climbs back to a named node, -1 for an anonymous one (which kept both).
    ancestor = -1
    idx = 0
    row = 0
    saved: list[int] = []
    save, restore = saved.append, saved.pop
    cursor = tree.walk()
    goto_first_child = cursor.goto_first_child
    goto_next_sibling = cursor.goto_next_sibling
    goto_parent = cursor.goto_parent
    while True:
        node: tree_sitter.Node = cursor.node  # type: ignore[assignment]  # never None in a tree
        kind = node.kind_id
        if named[kind]:
            add_kind(kind)
            add_start(node.start_byte)
            add_end(node.end_byte)
            add_field(cursor.field_id)
            add_parent(ancestor)
            add_idx(idx)
            idx += 1
            if kind in definition_kinds:
                definition_nodes.append(node)
            if goto_first_child():
                save(idx)
                ancestor, idx = row, 0
                row += 1
                continue
            row += 1
        elif goto_first_child():
            save(-1)
            continue
        while not goto_next_sibling():
            if not goto_parent():
                break
            resumed = restore()
            if resumed >= 0:
                ancestor, idx = parents[ancestor], resumed
        else:
            continue
        break

    lines = source.lines
    types = grammar.type_names.take(pa.array(kinds, type=pa.int32()))
    bstarts = lines.from_utf8_offsets(starts)
    bends = lines.from_utf8_offsets(ends)
    type_of = list(map(grammar.type_of.__getitem__, kinds))
    node_ids = keyed_ids((source.file_id, "ts"), type_of, bstarts, bends)
    constants: dict[str, object] = {"file_id": source.file_id}
    flag_columns: dict[str, Sequence[object]] = {}
    flagged: list[tree_sitter.Node] = []
    if tree.root_node.has_error:
        flag_columns, flagged = _error_flags(tree, named)
    else:
        constants.update(is_error=False, is_missing=False, has_error=False)
    line_numbers, columns = lines.ascending_line_cols(bstarts)
    id_array = pa.array(node_ids, type=pa.string())
    nodes = TREE_SITTER_NODES.from_columns(
        {
            "node_id": id_array,
            "type": types,
            "field": grammar.field_names.take(pa.array(field_ids, type=pa.int32())),
            # the module (row 0, the tree's root) has no parent
            "parent_id": id_array.take(pa.array([None, *parents[1:]], type=pa.int32())),
            "idx": [None, *idxs[1:]],
            "bstart": bstarts,
            "bend": bends,
            "line": line_numbers,
            "col": columns,
            **flag_columns,
        },
        constants,
    )
    return nodes, _error_columns(source, text, flagged, opts), definition_nodes


def _error_flags(
    tree: tree_sitter.Tree, named: list[bool]
) -> tuple[dict[str, Sequence[object]], list[tree_sitter.Node]]:
    """The flag columns of a tree with errors, and its ERROR and MISSING nodes in pre-order.

    A second walk, in the order of :func:`_walk`'s: only trees with errors pay for it.
    """
    is_error: list[bool] = []
    is_missing: list[bool] = []
    has_error: list[bool] = []
    flagged: list[tree_sitter.Node] = []
    cursor = tree.walk()
    while True:
        node: tree_sitter.Node = cursor.node  # type: ignore[assignment]  # never None in a tree
        kind = node.kind_id
        missing = node.is_missing
        if named[kind]:
            is_error.append(kind == _ERROR_KIND)
            is_missing.append(missing)
            has_error.append(node.has_error)
        if missing or kind == _ERROR_KIND:
            flagged.append(node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                break
        else:
            continue
        break
    columns: dict[str, Sequence[object]] = {
        "is_error": is_error,
        "is_missing": is_missing,
        "has_error": has_error,
    }
    return columns, flagged


def _error_columns(
    source: SourceFile, text: bytes, flagged: list[tree_sitter.Node], opts: ExtractOptions
) -> dict[str, Sequence[object]]:
    """Columns of ``tree_sitter_errors`` for the ERROR and MISSING nodes found."""
    to_offset = source.lines.from_utf8_offset
    bstarts = [to_offset(node.start_byte) for node in flagged]
    positions = [source.lines.line_col(bstart) for bstart in bstarts]
    texts: list[str] = []
    for node in flagged:
        snippet = text[node.start_byte : node.end_byte].decode("utf-8", errors="replace")
        if len(snippet) > opts.code_chars:
            snippet = snippet[: max(opts.code_chars - 1, 0)] + "…"
        texts.append(snippet)
    return {
        "bstart": bstarts,
        "bend": [to_offset(node.end_byte) for node in flagged],
        "line": [line for line, _ in positions],
        "col": [col for _, col in positions],
        "kind": ["MISSING" if node.is_missing else "ERROR" for node in flagged],
        "node_type": [node.type for node in flagged],
        "text": texts,
    }


LAYER: Final = Layer(
    name="tree_sitter",
    version=2,
    tables=(TREE_SITTER_NODES, TREE_SITTER_ERRORS, TREE_SITTER_DEFINITIONS),
    extract=extract,
)
"""The tree-sitter layer as the build registers it."""
