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

_ERROR_KIND: Final = 0xFFFF  # tree-sitter's builtin error symbol
_LONE_CR: Final = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True, slots=True)
class _Grammar:
    """The Python grammar as the walk reads it, built once per process."""

    parser: tree_sitter.Parser
    type_of: list[str]
    """Node type by kind id (``kind_id`` indexes it directly)."""
    named: list[bool]
    """Whether a kind id is a named node."""
    definition_kinds: frozenset[int]
    """Kind ids collected for ``tree_sitter_definitions`` (and ERROR, for recovery)."""


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
    return _Grammar(tree_sitter.Parser(language), type_of, named, frozenset(kinds))


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
            TREE_SITTER_ERRORS.name: TREE_SITTER_ERRORS.from_columns(errors, file_constants),
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

    The loop only records what tree-sitter reports (kind, byte range, field, parent
    row); types, offsets, positions and IDs are derived afterwards, column at a time.
    """
    named = grammar.named
    definition_kinds = grammar.definition_kinds
    checked = tree.root_node.has_error

    kinds: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    fields: list[str | None] = []
    parents: list[int | None] = []  # the row of the nearest named ancestor
    idxs: list[int | None] = []
    flags: list[tuple[bool, bool, bool]] = []
    flagged: list[tree_sitter.Node] = []
    definition_nodes: list[tree_sitter.Node] = []

    # ``ancestor`` is the row of the nearest named ancestor of the node the cursor is
    # on (-1 above the root); ``saved`` holds it for every level the cursor descended.
    child_counts: list[int] = [0]  # child_counts[row + 1]: named children seen so far
    ancestor = -1
    saved: list[int] = []
    cursor = tree.walk()
    while True:
        node: tree_sitter.Node = cursor.node  # type: ignore[assignment]  # never None in a tree
        kind = node.kind_id
        if named[kind]:
            here = len(kinds)
            kinds.append(kind)
            starts.append(node.start_byte)
            ends.append(node.end_byte)
            fields.append(cursor.field_name)
            parents.append(ancestor)
            idxs.append(child_counts[ancestor + 1])
            child_counts[ancestor + 1] += 1
            child_counts.append(0)
            if kind in definition_kinds:
                definition_nodes.append(node)
            if checked:
                missing = node.is_missing
                flags.append((kind == _ERROR_KIND, missing, node.has_error))
                if missing or kind == _ERROR_KIND:
                    flagged.append(node)
        else:
            here = ancestor
            if checked and node.is_missing:
                flagged.append(node)
        if cursor.goto_first_child():
            saved.append(ancestor)
            ancestor = here
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                break
            ancestor = saved.pop()
        else:
            continue
        break

    count = len(kinds)
    lines = source.lines
    type_of = grammar.type_of
    types = [type_of[kind] for kind in kinds]
    bstarts = lines.from_utf8_offsets(starts)
    bends = lines.from_utf8_offsets(ends)
    node_ids = keyed_ids((source.file_id, "ts"), types, bstarts, bends)
    constants: dict[str, object] = {"file_id": source.file_id}
    flag_columns: dict[str, Sequence[object]] = {}
    if count:
        idxs[0] = None  # the module has no parent
        parents[0] = None
    if checked:
        flag_columns["is_error"] = [flag[0] for flag in flags]
        flag_columns["is_missing"] = [flag[1] for flag in flags]
        flag_columns["has_error"] = [flag[2] for flag in flags]
    else:
        constants.update(is_error=False, is_missing=False, has_error=False)
    line_numbers, columns = lines.line_cols(bstarts)
    id_array = pa.array(node_ids, type=pa.string())
    nodes = TREE_SITTER_NODES.from_columns(
        {
            "node_id": id_array,
            "type": types,
            "field": fields,
            "parent_id": id_array.take(pa.array(parents, type=pa.int32())),
            "idx": idxs,
            "bstart": bstarts,
            "bend": bends,
            "line": line_numbers,
            "col": columns,
            **flag_columns,
        },
        constants,
    )
    return nodes, _error_columns(source, text, flagged, opts), definition_nodes


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
