"""Graph nodes for files CPython's ``ast`` rejects, from the tree-sitter evidence.

Reads ``files``, ``ast_nodes`` and ``tree_sitter_definitions``; for every file with no
ast rows (Python 2 syntax, a typo, a file under edit) makes CLASS, FUNCTION, IMPORT
and CALL nodes with ``layer = 'tree_sitter'`` and tree-sitter's spans, lines and
columns, but no ``code`` text (``recovered_nodes``) and CONTAINS edges
from the module or enclosing definition (``recovered_edges``), so the graph is never
blind to a file.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from codeanatomy.passes import Pass, PassContext
from codeanatomy.spans import stable_id_sql

__all__ = ["FALLBACK_PASS", "recover_definitions"]

_NODE_ID = stable_id_sql("d.file_id", "d.kind", "d.bstart", "d.bend", "'tree_sitter'")
_MODULE_ID = stable_id_sql("f.file_id", "'MODULE'", "0", "f.size", "'Module'")

_RECOVERED = f"""
SELECT {_NODE_ID} AS node_id, d.kind, d.file_id, f.path, d.bstart, d.bend, d.line, d.col,
       d.end_line, d.end_col, d.name, d.qualname, f.module, {_MODULE_ID} AS module_id
FROM tree_sitter_definitions d
JOIN files f ON f.file_id = d.file_id
LEFT ANTI JOIN (SELECT DISTINCT file_id FROM ast_nodes) a ON a.file_id = d.file_id
"""

_NODES = """
SELECT node_id, kind, file_id, path, bstart, bend, line, col, end_line, end_col,
       name, qualname, CAST(NULL AS VARCHAR) AS code, CAST(NULL AS VARCHAR) AS ast_type,
       'tree_sitter' AS layer
FROM recovered
"""

_EDGES = f"""
SELECT {stable_id_sql("'CONTAINS'", "coalesce(p.node_id, r.module_id)", "r.node_id")} AS edge_id,
       'CONTAINS' AS kind, coalesce(p.node_id, r.module_id) AS src, r.node_id AS dst,
       CAST(NULL AS VARCHAR) AS field, CAST(NULL AS INT) AS idx, CAST(NULL AS VARCHAR) AS label,
       CAST(NULL AS VARCHAR) AS method, CAST(NULL AS DOUBLE) AS confidence, 'tree_sitter' AS layer
FROM recovered r
LEFT JOIN recovered p
  ON p.file_id = r.file_id AND p.kind IN ('CLASS', 'FUNCTION')
 AND r.qualname = concat(p.qualname, '.', r.name)
WHERE r.kind IN ('CLASS', 'FUNCTION', 'IMPORT')
"""


def recover_definitions(context: PassContext) -> Mapping[str, pa.Table]:
    """Node and edge fragments for files only tree-sitter could read."""
    recovered = context.session.sql(_RECOVERED).cache()
    context.session.register_view("recovered", recovered)
    try:
        return {"recovered_nodes": context.sql(_NODES), "recovered_edges": context.sql(_EDGES)}
    finally:
        context.session.deregister_table("recovered")


FALLBACK_PASS = Pass(
    recover_definitions,
    needs=("files", "ast_nodes", "tree_sitter_definitions"),
    makes=("recovered_nodes", "recovered_edges"),
    nodes=("recovered_nodes",),
    edges=("recovered_edges",),
)
