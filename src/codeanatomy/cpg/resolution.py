"""Resolution part of the CPG, from the whole-program resolver's tables.

Reads ``external_symbols``, ``name_refs``, ``resolved_imports``, ``call_edges``,
``class_bases``, ``class_mro``, ``method_overrides``, ``attribute_targets`` and
``parameter_bindings``; makes EXTERNAL nodes (``external_nodes``: every external
symbol the resolver or the bindings name, one node per qualified name), the edges
IMPORTS, CALLS, INHERITS_FROM, OVERRIDES, REFERS_TO (attribute uses) and
PARAMETER_BINDING (``resolution_edges``), and the ``mro`` and ``origin`` properties
(``resolution_props``).

The resolver's tables keep every way a relation was found (a ``with`` whose
``__enter__`` and ``__exit__`` are one function, an attribute read through a class
and through an instance, a base class at two positions); the graph has one edge per
kind, source and target, so one edge ID: the first such row by label, method, index
and confidence.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc
from datafusion import DataFrame

from codeanatomy.cpg.schema import CPG_EDGES
from codeanatomy.passes import Pass, PassContext
from codeanatomy.resolve.tables import RESOLVE_TABLES
from codeanatomy.spans import stable_id_sql

__all__ = ["RESOLUTION_PASS", "build_resolution"]

_EXTERNALS = f"""
SELECT node_id, 'EXTERNAL' AS kind, CAST(NULL AS VARCHAR) AS file_id, CAST(NULL AS VARCHAR) AS path,
       CAST(NULL AS BIGINT) AS bstart, CAST(NULL AS BIGINT) AS bend, CAST(NULL AS INT) AS line,
       CAST(NULL AS INT) AS col, CAST(NULL AS INT) AS end_line, CAST(NULL AS INT) AS end_col,
       reverse(split_part(reverse(qualname), '.', 1)) AS name, qualname,
       CAST(NULL AS VARCHAR) AS code, CAST(NULL AS VARCHAR) AS ast_type, 'resolve' AS layer
FROM (
  SELECT external_id AS node_id, qualname FROM external_symbols
  UNION
  SELECT {stable_id_sql("'EXTERNAL'", "concat('builtins.', builtin_name)")},
         concat('builtins.', builtin_name)
  FROM name_refs WHERE is_builtin
)
"""


def _edge(kind: str, src: str, dst: str, table: str, *, idx: str = "CAST(NULL AS INT)",
          label: str = "CAST(NULL AS VARCHAR)", method: str = "CAST(NULL AS VARCHAR)",
          confidence: str = "CAST(NULL AS DOUBLE)", where: str = "TRUE") -> str:
    return f"""
SELECT {stable_id_sql(f"'{kind}'", src, dst)} AS edge_id, '{kind}' AS kind, {src} AS src, {dst} AS dst,
       CAST(NULL AS VARCHAR) AS field, CAST({idx} AS INT) AS idx, CAST({label} AS VARCHAR) AS label,
       CAST({method} AS VARCHAR) AS method, CAST({confidence} AS DOUBLE) AS confidence,
       'resolve' AS layer
FROM {table} WHERE {src} IS NOT NULL AND {dst} IS NOT NULL AND {where}"""


_EDGES = " UNION ALL ".join(
    [
        _edge("IMPORTS", "import_node_id", "coalesce(target_node_id, external_id)", "resolved_imports",
              label="target_kind", method="origin"),
        _edge("CALLS", "call_node_id", "coalesce(callee_node_id, callee_external_id)", "call_edges",
              label="via", method="method", confidence="confidence"),
        _edge("INHERITS_FROM", "class_node_id", "coalesce(base_node_id, base_external_id)", "class_bases",
              idx="base_index"),
        _edge("OVERRIDES", "method_node_id", "coalesce(overridden_node_id, overridden_external_id)",
              "method_overrides"),
        _edge("REFERS_TO", "node_id", "target_node_id", "attribute_targets", method="method",
              where="node_id <> target_node_id"),
        _edge("PARAMETER_BINDING", "argument_node_id", "parameter_node_id", "parameter_bindings",
              label="kind"),
    ]
)

_PROPS = """
SELECT class_node_id AS node_id, 'mro' AS key, array_to_string(mro, ',') AS value
FROM class_mro WHERE mro IS NOT NULL
UNION ALL
SELECT class_node_id, 'mro_error', error FROM class_mro WHERE error IS NOT NULL
UNION ALL
SELECT external_id, 'origin', origin FROM external_symbols
UNION ALL
SELECT external_id, 'distribution', distribution FROM external_symbols WHERE distribution IS NOT NULL
"""


_TIEBREAK = [(name, "ascending", "at_end") for name in ("edge_id", "label", "method", "idx", "confidence")]


def one_row_per_edge(edges: pa.Table) -> pa.Table:
    """``edges`` with each ``edge_id`` once: alone, its row; shared, the first by :data:`_TIEBREAK`.

    Only the rows sharing an ID (a few percent) are sorted; the others keep their order.
    """
    ids = edges.column("edge_id")
    counts = pc.value_counts(ids)
    shared_ids = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    shared = pc.is_in(ids, value_set=shared_ids)
    repeated = edges.filter(shared)
    if not repeated.num_rows:
        return edges
    repeated = repeated.take(pc.sort_indices(repeated, sort_keys=_TIEBREAK))
    repeated_ids = repeated.column("edge_id").combine_chunks()
    first = pc.not_equal(repeated_ids[1:], repeated_ids[:-1])
    keep = pa.concat_arrays([pa.array([True]), first])
    return pa.concat_tables([edges.filter(pc.invert(shared)), repeated.filter(keep)])


def build_resolution(context: PassContext) -> Mapping[str, DataFrame | pa.Table]:
    """EXTERNAL node, resolution edge and property fragments."""
    edges = context.frame(f"SELECT {CPG_EDGES.cast_columns_sql()} FROM ({_EDGES})").to_arrow_table()
    return {
        "external_nodes": context.frame(_EXTERNALS),
        "resolution_edges": one_row_per_edge(edges),
        "resolution_props": context.frame(_PROPS),
    }


RESOLUTION_PASS = Pass(
    build_resolution,
    needs=(*(spec.name for spec in RESOLVE_TABLES), "name_refs"),
    makes=("external_nodes", "resolution_edges", "resolution_props"),
    nodes=("external_nodes",),
    edges=("resolution_edges",),
    props=("resolution_props",),
)
