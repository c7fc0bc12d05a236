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
bound (``alias`` or the dotted name), or the callee text for calls.
"""

from __future__ import annotations

import pyarrow as pa

from codeanatomy.schema import TableSpec

__all__ = ["DEFINITION_KINDS", "definitions_spec"]

DEFINITION_KINDS = ("CLASS", "FUNCTION", "CALL", "IMPORT")

_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("qualname", pa.string()),
        ("bstart", pa.int64()),
        ("bend", pa.int64()),
    ]
)


def definitions_spec(layer: str, version: int = 1) -> TableSpec:
    """Return the ``<layer>_definitions`` table spec."""
    return TableSpec(f"{layer}_definitions", version, _SCHEMA)
