"""Syntax part of the CPG from the ast evidence: every node; AST, CONTAINS, ARGUMENT, RECEIVER edges.

Reads ``files``, ``ast_nodes``, ``ast_edges``, ``ast_props``; makes the node, edge and
property fragments ``syntax_nodes``, ``syntax_edges``, ``syntax_props``. FILE and
MODULE nodes come from ``files`` so that every scanned file is in the graph even
when no parser could read it; their IDs equal those the ast index gives.
"""

from __future__ import annotations

from collections.abc import Mapping

from datafusion import DataFrame

from codeanatomy.passes import Pass, PassContext
from codeanatomy.spans import stable_id_sql

__all__ = ["SYNTAX_PASS", "build_syntax"]

_FILE_ID = stable_id_sql("f.file_id", "'FILE'", "0", "f.size")
_MODULE_ID = stable_id_sql("f.file_id", "'MODULE'", "0", "f.size", "'Module'")

_NODES = f"""
SELECT n.node_id, n.kind, n.file_id, f.path, n.bstart, n.bend, n.line, n.col,
       n.end_line, n.end_col, n.name, n.qualname, n.code, n.ast_type, 'ast' AS layer
FROM ast_nodes n JOIN files f ON f.file_id = n.file_id
WHERE n.kind <> 'MODULE'
UNION ALL
SELECT {_FILE_ID}, 'FILE', f.file_id, f.path, CAST(0 AS BIGINT), f.size, 1, 0,
       m.end_line, m.end_col, f.path AS name, f.path AS qualname, CAST(NULL AS VARCHAR),
       CAST(NULL AS VARCHAR), 'scan'
FROM files f LEFT JOIN ast_nodes m ON m.file_id = f.file_id AND m.kind = 'MODULE'
UNION ALL
SELECT {_MODULE_ID}, 'MODULE', f.file_id, f.path, CAST(0 AS BIGINT), f.size, 1, 0,
       m.end_line, m.end_col, reverse(split_part(reverse(f.module), '.', 1)), f.module, m.code,
       'Module', 'scan'
FROM files f LEFT JOIN ast_nodes m ON m.file_id = f.file_id AND m.kind = 'MODULE'
"""

_EDGES = f"""
SELECT {stable_id_sql("'AST'", "src", "dst")} AS edge_id, 'AST' AS kind, src, dst, field, idx, CAST(NULL AS VARCHAR) AS label,
       CAST(NULL AS VARCHAR) AS method, CAST(NULL AS DOUBLE) AS confidence, 'ast' AS layer
FROM ast_edges
UNION ALL
SELECT {stable_id_sql("'CONTAINS'", _FILE_ID, _MODULE_ID)}, 'CONTAINS', {_FILE_ID}, {_MODULE_ID},
       NULL, NULL, NULL, NULL, NULL, 'scan'
FROM files f
UNION ALL
SELECT {stable_id_sql("'CONTAINS'", "scope_id", "node_id")}, 'CONTAINS', scope_id, node_id,
       NULL, NULL, NULL, NULL, NULL, 'ast'
FROM ast_nodes
WHERE kind IN ('CLASS', 'FUNCTION', 'PARAMETER', 'IMPORT') AND node_id <> scope_id
"""


# CALL -> positional argument (idx) or keyword value (label = keyword), and
# CALL -> receiver (the object of ``obj.method(...)``). Only a Call has a ``func``
# field, so a receiver needs no join to the CALL node; ``args`` and ``keywords``
# fields are also those of other nodes (``arguments``, ClassDef).
_CALL_EDGES = f"""
SELECT {stable_id_sql("'ARGUMENT'", "e.src", "e.dst")} AS edge_id, 'ARGUMENT' AS kind, e.src, e.dst,
       CAST(NULL AS VARCHAR) AS field, e.idx, CAST(NULL AS VARCHAR) AS label,
       CAST(NULL AS VARCHAR) AS method, CAST(NULL AS DOUBLE) AS confidence, 'ast' AS layer
FROM ast_edges e JOIN ast_nodes c ON c.node_id = e.src AND c.kind = 'CALL'
WHERE e.field = 'args'
UNION ALL
SELECT {stable_id_sql("'ARGUMENT'", "k.src", "v.dst")}, 'ARGUMENT', k.src, v.dst, NULL, k.idx,
       coalesce(kw.name, '**'), NULL, NULL, 'ast'
FROM ast_edges k
JOIN ast_nodes c ON c.node_id = k.src AND c.kind = 'CALL'
JOIN ast_nodes kw ON kw.node_id = k.dst AND kw.ast_type = 'keyword'
JOIN ast_edges v ON v.src = k.dst AND v.field = 'value'
WHERE k.field = 'keywords'
UNION ALL
SELECT {stable_id_sql("'RECEIVER'", "f.src", "r.dst")}, 'RECEIVER', f.src, r.dst, NULL, NULL, NULL,
       NULL, NULL, 'ast'
FROM ast_edges f
JOIN ast_nodes a ON a.node_id = f.dst AND a.kind = 'ATTRIBUTE'
JOIN ast_edges r ON r.src = f.dst AND r.field = 'value'
WHERE f.field = 'func'
"""


def build_syntax(context: PassContext) -> Mapping[str, DataFrame]:
    """Node, edge and property fragments of the syntax layer of the graph."""
    return {
        "syntax_nodes": context.frame(_NODES),
        "syntax_edges": context.frame(f"{_EDGES} UNION ALL {_CALL_EDGES}"),
        "syntax_props": context.frame("SELECT node_id, key, value FROM ast_props"),
    }


SYNTAX_PASS = Pass(
    build_syntax,
    needs=("files", "ast_nodes", "ast_edges", "ast_props"),
    makes=("syntax_nodes", "syntax_edges", "syntax_props"),
    nodes=("syntax_nodes",),
    edges=("syntax_edges",),
    props=("syntax_props",),
)
