"""Call graph exports from the resolution tables: PyCG JSON, a richer JSON, and DOT.

All three read only ``callgraph_nodes`` and ``call_edges`` (from a
:class:`~codeanatomy.resolve.program.ResolveResult` or a mapping of tables, e.g.
read back from Delta), so the CLI can export without re-resolving.

PyCG's format maps every analysed module and function (dotted, relative to the
analysed root; lambdas ``<lambdaN>``) to the sorted list of what it calls:
repository functions (construction as the ``__init__`` it runs), ``<builtin>.len``,
``<**PyStr**>.join`` for methods of builtin types, and external names as imported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    from codeanatomy.resolve.program import ResolveResult

__all__ = ["to_dot", "to_json", "to_pycg"]


def _tables(source: ResolveResult | Mapping[str, pa.Table]) -> Mapping[str, pa.Table]:
    return source if isinstance(source, Mapping) else source.tables


def to_pycg(source: ResolveResult | Mapping[str, pa.Table]) -> dict[str, list[str]]:
    """Return the call graph in PyCG's JSON shape, keys and callee lists sorted.

    Args:
        source: a resolve result or its tables (``callgraph_nodes``, ``call_edges``).
    """
    tables = _tables(source)
    nodes = tables["callgraph_nodes"]
    graph: dict[str, set[str]] = {}
    for kind, name in zip(nodes.column("kind").to_pylist(), nodes.column("pycg_name").to_pylist(), strict=True):
        if kind in {"MODULE", "FUNCTION"} and name:
            graph.setdefault(name, set())
    edges = tables["call_edges"]
    for caller, callee in zip(edges.column("caller_pycg").to_pylist(), edges.column("callee_pycg").to_pylist(), strict=True):
        if caller and callee:
            graph.setdefault(caller, set()).add(callee)
    return {name: sorted(graph[name]) for name in sorted(graph)}


def to_json(source: ResolveResult | Mapping[str, pa.Table]) -> dict[str, object]:
    """Return nodes and edges with how each edge was resolved and its confidence."""
    tables = _tables(source)
    nodes = tables["callgraph_nodes"].to_pydict()
    edges = tables["call_edges"].to_pydict()
    edge_rows = [
        {
            "caller": edges["caller_pycg"][i],
            "callee": edges["callee_pycg"][i],
            "call_node_id": edges["call_node_id"][i],
            "caller_node_id": edges["caller_node_id"][i],
            "callee_node_id": edges["callee_node_id"][i],
            "callee_external_id": edges["callee_external_id"][i],
            "callee_kind": edges["callee_kind"][i],
            "via": edges["via"][i],
            "method": edges["method"][i],
            "confidence": edges["confidence"][i],
        }
        for i in range(len(edges["call_node_id"]))
        if edges["callee_pycg"][i]
    ]
    edge_rows.sort(key=lambda r: (r["caller"], r["callee"], r["call_node_id"], r["via"] or ""))
    node_rows = [
        {"node_id": nodes["node_id"][i], "kind": nodes["kind"][i], "name": nodes["pycg_name"][i]}
        for i in range(len(nodes["node_id"]))
    ]
    node_rows.sort(key=lambda r: (r["name"], r["kind"], r["node_id"]))
    return {"nodes": node_rows, "edges": edge_rows}


def to_dot(source: ResolveResult | Mapping[str, pa.Table]) -> str:
    """Return the call graph as a Graphviz ``digraph`` (one edge per caller/callee pair)."""
    graph = to_pycg(source)
    lines = ["digraph callgraph {", "  node [shape=box, fontname=monospace];"]
    for name in graph:
        lines.append(f"  {json.dumps(name)};")
    for caller, callees in graph.items():
        for callee in callees:
            lines.append(f"  {json.dumps(caller)} -> {json.dumps(callee)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
