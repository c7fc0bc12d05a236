"""Every table a build writes, by name: the one list storage checks and queries rely on."""

from __future__ import annotations

from typing import Final

import pyarrow as pa

from codeanatomy.agreement import LAYER_AGREEMENT, LAYER_DISAGREEMENTS
from codeanatomy.cpg.schema import CPG_EDGES, CPG_NODES, CPG_PROPS
from codeanatomy.extract import scip
from codeanatomy.extract.layers import LAYERS
from codeanatomy.resolve.tables import RESOLVE_TABLES
from codeanatomy.scan import FILES
from codeanatomy.schema import TableSpec
from codeanatomy.steps import RESOLVE_STEP_TABLES

__all__ = ["ALL_TABLES", "ERRORS", "TABLES_BY_NAME", "evidence_tables"]

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
    *RESOLVE_STEP_TABLES,
    *RESOLVE_TABLES,
    LAYER_AGREEMENT,
    LAYER_DISAGREEMENTS,
    CPG_NODES,
    CPG_EDGES,
    CPG_PROPS,
)

TABLES_BY_NAME: Final[dict[str, TableSpec]] = {spec.name: spec for spec in ALL_TABLES}
"""Every table's spec by its SQL name."""
