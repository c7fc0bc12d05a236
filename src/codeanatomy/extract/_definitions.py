"""The shared shape in which layers report definitions, calls and imports for cross-checks.

Layers that see definitions (ast, tree-sitter, LibCST) each fill a
``<layer>_definitions`` table of this shape, with spans in one convention so that
the ``layer_agreement`` pass can compare them span for span:

* ``CLASS``/``FUNCTION``: from the ``class``/``def``/``async``/``lambda`` keyword
  (decorators excluded) to the end of the last token of the body.
* ``CALL``: from the start of the callee expression to the closing parenthesis.
* ``IMPORT``: one row per imported name, spanning ``name`` or ``name as alias``
  (``*`` for a star import).

``name`` is the defined name (``<lambda>`` for lambdas), the imported name as
bound (``alias`` or the dotted name), or the callee text for calls. ``line``/``col``
and ``end_line``/``end_col`` are the 1-based line and 0-based byte column of
``bstart`` and ``bend``, as on CPG nodes (a file CPython rejects gets its graph nodes
from these rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from codeanatomy.schema import TableSpec
from codeanatomy.spans import SourceLines

__all__ = ["DEFINITION_KINDS", "definitions_spec", "position_columns"]

DEFINITION_KINDS = ("CLASS", "FUNCTION", "CALL", "IMPORT")

_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("qualname", pa.string()),
        ("bstart", pa.int64()),
        ("bend", pa.int64()),
        ("line", pa.int32()),
        ("col", pa.int32()),
        ("end_line", pa.int32()),
        ("end_col", pa.int32()),
    ]
)


def definitions_spec(layer: str, version: int = 2) -> TableSpec:
    """Return the ``<layer>_definitions`` table spec."""
    return TableSpec(f"{layer}_definitions", version, _SCHEMA)


def position_columns(lines: SourceLines, bstarts: Sequence[int], bends: Sequence[int]) -> dict[str, list[int]]:
    """The ``line``, ``col``, ``end_line`` and ``end_col`` columns of rows spanning ``bstarts``/``bends``."""
    line, col = lines.line_cols(bstarts)
    end_line, end_col = lines.line_cols(bends)
    return {"line": line, "col": col, "end_line": end_line, "end_col": end_col}
