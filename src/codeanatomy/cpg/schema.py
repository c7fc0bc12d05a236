"""Schemas of the CPG tables: ``cpg/nodes``, ``cpg/edges``, ``cpg/props``."""

from __future__ import annotations

from typing import Final

import pyarrow as pa

from codeanatomy.schema import TableSpec

__all__ = ["CPG_EDGES", "CPG_NODES", "CPG_PROPS", "EDGE_COLUMNS", "NODE_COLUMNS"]

CPG_NODES: Final = TableSpec(
    "cpg_nodes",
    1,
    pa.schema(
        [
            ("node_id", pa.string()),
            ("kind", pa.string()),
            ("file_id", pa.string()),
            ("path", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("line", pa.int32()),
            ("col", pa.int32()),
            ("end_line", pa.int32()),
            ("end_col", pa.int32()),
            ("name", pa.string()),
            ("qualname", pa.string()),
            ("code", pa.string()),
            ("ast_type", pa.string()),
            ("layer", pa.string()),
        ]
    ),
    location="cpg/nodes",
)
CPG_EDGES: Final = TableSpec(
    "cpg_edges",
    1,
    pa.schema(
        [
            ("edge_id", pa.string()),
            ("kind", pa.string()),
            ("src", pa.string()),
            ("dst", pa.string()),
            ("field", pa.string()),
            ("idx", pa.int32()),
            ("label", pa.string()),
            ("method", pa.string()),
            ("confidence", pa.float64()),
            ("layer", pa.string()),
        ]
    ),
    location="cpg/edges",
)
CPG_PROPS: Final = TableSpec(
    "cpg_props",
    1,
    pa.schema([("node_id", pa.string()), ("key", pa.string()), ("value", pa.string())]),
    location="cpg/props",
)
NODE_COLUMNS: Final = tuple(CPG_NODES.schema.names)
EDGE_COLUMNS: Final = tuple(CPG_EDGES.schema.names)
