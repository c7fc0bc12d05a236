"""The ``libcst`` evidence layer: LibCST's concrete tree, qualified names and definitions.

Writes ``libcst_nodes`` (every node but pure whitespace, with its code range and its
whitespace-inclusive range), ``libcst_qualified_names`` (what LibCST's
``QualifiedNameProvider`` says each ``Name``, ``Attribute`` and ``Call`` refers to)
and ``libcst_definitions`` (the :mod:`codeanatomy.extract._definitions` shape, spans
in the shared convention and ast-compatible qualnames). Slower than the other
layers, so opt-in by profile.

The decoded text goes to ``libcst.parse_module``; LibCST positions (1-based line,
code-point column) become offsets through :meth:`SourceLines.from_codepoint_col`.
``node_id`` is ``stable_id(file_id, "cst", type, bstart, bend[, ordinal])``, the
ordinal added only for the second and later nodes sharing type and code range. A
file that CPython's parser rejects is not given to LibCST (its native parser can
crash the process on nesting CPython refuses); such a file, one LibCST cannot parse,
or one whose nesting exhausts the interpreter stack gives a
:class:`~codeanatomy.extract._base.FileError` and empty tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import pyarrow as pa

from codeanatomy.extract._base import ExtractOptions, FileError, Layer, LayerOutput
from codeanatomy.extract._definition_qualnames import DefinitionRow
from codeanatomy.extract._definitions import definitions_spec, position_columns
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile
from codeanatomy.spans import keyed_ids

if TYPE_CHECKING:
    import libcst
    from libcst.metadata import CodeRange

    from codeanatomy.extract._libcst_collect import Collector

__all__ = [
    "LAYER",
    "LIBCST_DEFINITIONS",
    "LIBCST_NODES",
    "LIBCST_QUALIFIED_NAMES",
    "extract",
]

LIBCST_NODES: Final = TableSpec(
    "libcst_nodes",
    version=1,
    schema=pa.schema(
        [
            ("file_id", pa.string()),
            ("node_id", pa.string()),
            ("type", pa.string()),
            ("parent_id", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("ws_bstart", pa.int64()),
            ("ws_bend", pa.int64()),
            ("line", pa.int32()),
            ("col", pa.int32()),
        ]
    ),
)
"""Every LibCST node except whitespace and newline nodes: ``type`` is its class,
``parent_id`` its nearest listed ancestor; ``bstart``/``bend`` its code range
(``PositionProvider``), ``ws_bstart``/``ws_bend`` its whitespace-inclusive range;
``line``/``col`` the 1-based line and 0-based stored-byte column of ``bstart``."""

LIBCST_QUALIFIED_NAMES: Final = TableSpec(
    "libcst_qualified_names",
    version=1,
    schema=pa.schema(
        [
            ("file_id", pa.string()),
            ("node_id", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("node_type", pa.string()),
            ("qualified_name", pa.string()),
            ("source", pa.string()),
        ]
    ),
)
"""One row per qualified name LibCST gives a ``Name``, ``Attribute`` or ``Call`` node;
``source`` is ``IMPORT``, ``BUILTIN`` or ``LOCAL`` (``QualifiedNameSource``)."""

LIBCST_DEFINITIONS: Final = definitions_spec("libcst")
"""Classes, functions, lambdas, calls and imports (see :mod:`codeanatomy.extract._definitions`)."""

_LAYER_NAME: Final = "libcst"


def extract(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """Parse ``source`` with LibCST and return its three tables.

    >>> from codeanatomy.spans import file_id_for
    >>> src = SourceFile("m.py", file_id_for("m.py"), "m", b"import os\\nos.getcwd()\\n")
    >>> names = extract(src, ExtractOptions()).tables["libcst_qualified_names"]
    >>> sorted(set(names.column("qualified_name").to_pylist()))
    ['os', 'os.getcwd']
    """
    try:
        # LibCST's native parser is quadratic in nesting depth and overflows the C
        # stack (a segfault, not an exception) well past CPython's own limits; a
        # file CPython rejects is not handed to it. The ast is cached per worker.
        source.parse_ast()
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _failed(source, FileError.from_exception(source.path, _LAYER_NAME, exc))
    # LibCST takes a third of a second to import, and the layer is opt-in: it is
    # imported by the first file that runs this layer, not by every command and worker.
    import libcst
    from libcst.metadata import MetadataWrapper

    from codeanatomy.extract._libcst_collect import Collector

    try:
        module = libcst.parse_module(source.text())
        collector = Collector(source.module)
        MetadataWrapper(module, unsafe_skip_copy=True).visit(collector)
    except libcst.ParserSyntaxError as exc:
        return _failed(source, _syntax_error(source, exc))
    except (UnicodeDecodeError, LookupError, RecursionError, MemoryError) as exc:
        return _failed(source, FileError.from_exception(source.path, _LAYER_NAME, exc))
    return LayerOutput(tables=_tables(source, collector))


def _failed(source: SourceFile, error: FileError) -> LayerOutput:
    """Empty tables of the right schemas, and the error."""
    return LayerOutput(tables={spec.name: spec.empty() for spec in LAYER.tables}, errors=(error,))


def _syntax_error(source: SourceFile, exc: libcst.ParserSyntaxError) -> FileError:
    """A LibCST parse error, its column converted from code points to stored bytes."""
    line = exc.raw_line
    col = None
    if 1 <= line <= source.lines.line_count:
        offset = source.lines.from_codepoint_col(line, exc.raw_column)
        col = offset - source.lines.line_starts[line - 1]
    message = exc.message.splitlines()[0] if exc.message else "ParserSyntaxError"
    return FileError(source.path, _LAYER_NAME, "ParserSyntaxError", message, line, col)


def _offsets(source: SourceFile, ranges: Sequence[CodeRange | None]) -> tuple[list[int], list[int]]:
    """Stored-byte (start, end) offsets of LibCST code ranges (the module for ``None``)."""
    to_offset = source.lines.from_codepoint_col
    starts: list[int] = []
    ends: list[int] = []
    for code_range in ranges:
        if code_range is None:
            starts.append(0)
            ends.append(len(source.data))
        else:
            starts.append(to_offset(code_range.start.line, code_range.start.column))
            ends.append(to_offset(code_range.end.line, code_range.end.column))
    return starts, ends


def _tables(source: SourceFile, collector: Collector) -> dict[str, pa.Table]:
    """Build the three tables from what the collector recorded."""
    file_id = source.file_id
    types = collector.types
    bstarts, bends = _offsets(source, collector.ranges)
    ws_bstarts, ws_bends = _offsets(source, collector.ws_ranges)
    node_ids = keyed_ids((file_id, "cst"), types, bstarts, bends)
    lines, cols = source.lines.line_cols(bstarts)
    nodes: dict[str, Sequence[object]] = {
        "node_id": node_ids,
        "type": types,
        "parent_id": [node_ids[p] if p >= 0 else None for p in collector.parents],
        "bstart": bstarts,
        "bend": bends,
        "ws_bstart": ws_bstarts,
        "ws_bend": ws_bends,
        "line": lines,
        "col": cols,
    }
    named = collector.named_rows
    qualified: dict[str, Sequence[object]] = {
        "node_id": [node_ids[row] for row in named],
        "bstart": [bstarts[row] for row in named],
        "bend": [bends[row] for row in named],
        "node_type": [types[row] for row in named],
        "qualified_name": collector.qualified_names,
        "source": collector.name_sources,
    }
    rows = collector.definitions
    def_starts, def_ends = _offsets(source, collector.definition_ranges)
    def_ends = [
        _past_semicolon(source.data, end) if row.kind == "CLASS" or _is_def(row) else end
        for row, end in zip(rows, def_ends, strict=True)
    ]
    definitions: dict[str, Sequence[object]] = {
        "kind": [row.kind for row in rows],
        "name": [row.name for row in rows],
        "qualname": [row.qualname for row in rows],
        "bstart": def_starts,
        "bend": def_ends,
        **position_columns(source.lines, def_starts, def_ends),
    }
    constants = {"file_id": file_id}
    return {
        LIBCST_NODES.name: LIBCST_NODES.from_columns(nodes, constants),
        LIBCST_QUALIFIED_NAMES.name: LIBCST_QUALIFIED_NAMES.from_columns(qualified, constants),
        LIBCST_DEFINITIONS.name: LIBCST_DEFINITIONS.from_columns(definitions, constants),
    }


def _is_def(row: DefinitionRow) -> bool:
    """A ``def`` (not a lambda): its end may need :func:`_past_semicolon`."""
    return row.kind == "FUNCTION" and row.name != "<lambda>"


def _past_semicolon(data: bytes, end: int) -> int:
    """Extend a class or function end over the ``;`` closing its last line, as ``ast`` does.

    LibCST's code range of a definition stops at its last statement; CPython's ends
    after that statement's trailing semicolon, which is a token of the body.
    """
    rest = data[end : end + 64]
    stripped = rest.lstrip(b" \t\f")
    if stripped.startswith(b";"):
        return end + len(rest) - len(stripped) + 1
    return end


LAYER: Final = Layer(
    name="libcst",
    version=2,
    tables=(LIBCST_NODES, LIBCST_QUALIFIED_NAMES, LIBCST_DEFINITIONS),
    extract=extract,
)
"""The LibCST layer as the build registers it."""
