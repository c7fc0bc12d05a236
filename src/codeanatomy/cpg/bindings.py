"""Bindings part of the CPG: VARIABLE nodes and REFERS_TO edges.

Reads ``files``, ``variables`` and ``name_refs``; makes ``binding_nodes`` and
``binding_edges`` (REFERS_TO from each NAME use to every binding it may read, and
CONTAINS from a scope to its variables). Builtins a name reads are EXTERNAL nodes
(ID ``stable_id("EXTERNAL", "builtins.<name>")``) made by the resolution pass.
"""

from __future__ import annotations

from collections.abc import Mapping

from datafusion import DataFrame

from codeanatomy.passes import Pass, PassContext
from codeanatomy.spans import stable_id_sql

__all__ = ["BINDINGS_PASS", "build_bindings"]

_NODES = """
SELECT v.node_id, 'VARIABLE' AS kind, v.file_id, f.path, v.bstart, v.bend,
       CAST(v.line AS INT) AS line, CAST(v.col AS INT) AS col, CAST(NULL AS INT) AS end_line,
       CAST(NULL AS INT) AS end_col, v.name, v.qualname, CAST(NULL AS VARCHAR) AS code,
       CAST(NULL AS VARCHAR) AS ast_type, 'bindings' AS layer
FROM variables v JOIN files f ON f.file_id = v.file_id
"""

# Each (use, target) pair is one name_refs row: a use's targets are distinct bindings of
# one scope, and its fallback (a class or module body read before its bindings) reads
# another scope's. So no DISTINCT is needed, and none is paid for (a second a million rows).
_EDGES = f"""
SELECT {stable_id_sql("'REFERS_TO'", "use_node_id", "target_node_id")} AS edge_id,
       'REFERS_TO' AS kind, use_node_id AS src, target_node_id AS dst,
       CAST(NULL AS VARCHAR) AS field, CAST(NULL AS INT) AS idx, use_kind AS label,
       target_scope AS method, CAST(1.0 AS DOUBLE) AS confidence, 'bindings' AS layer
FROM name_refs WHERE target_node_id IS NOT NULL
UNION ALL
SELECT {stable_id_sql("'CONTAINS'", "scope_node_id", "node_id")}, 'CONTAINS', scope_node_id, node_id,
       NULL, NULL, NULL, NULL, NULL, 'bindings'
FROM variables
"""


def build_bindings(context: PassContext) -> Mapping[str, DataFrame]:
    """VARIABLE node fragments, and REFERS_TO/CONTAINS edge fragments."""
    return {
        "binding_nodes": context.frame(_NODES),
        "binding_edges": context.frame(_EDGES),
    }


BINDINGS_PASS = Pass(
    build_bindings,
    needs=("files", "variables", "name_refs"),
    makes=("binding_nodes", "binding_edges"),
    nodes=("binding_nodes",),
    edges=("binding_edges",),
)
