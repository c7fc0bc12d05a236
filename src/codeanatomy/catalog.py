"""Every table a build writes, by name: the one list storage checks and queries rely on."""

from __future__ import annotations

from typing import Final

import pyarrow as pa

from codeanatomy.cpg.schema import CPG_EDGES, CPG_NODES, CPG_PROPS
from codeanatomy.extract import scip
from codeanatomy.extract.layers import LAYERS
from codeanatomy.scan import FILES
from codeanatomy.schema import TableSpec

__all__ = ["ALL_TABLES", "ERRORS", "evidence_tables", "spec_named"]

ERRORS: Final = TableSpec(
    "errors",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("path", pa.string()),
            ("layer", pa.string()),
            ("error_type", pa.string()),
            ("message", pa.string()),
            ("line", pa.int32()),
            ("col", pa.int32()),
        ]
    ),
    location="errors",
)


def evidence_tables() -> tuple[TableSpec, ...]:
    """Tables of every evidence layer, in layer order (the repository-level SCIP layer last)."""
    return (*(spec for layer in LAYERS for spec in layer.tables), *scip.TABLES)


ALL_TABLES: Final[tuple[TableSpec, ...]] = (
    FILES,
    ERRORS,
    *evidence_tables(),
    CPG_NODES,
    CPG_EDGES,
    CPG_PROPS,
)


def spec_named(name: str) -> TableSpec:
    """The spec of table ``name``.

    Raises:
        KeyError: no such table.
    """
    for spec in ALL_TABLES:
        if spec.name == name:
            return spec
    raise KeyError(name)
