"""The passes a build runs after extraction, and the union of their graph fragments.

``PASSES`` is the ordered tuple of whole-repository passes (like sqlglot's ``RULES``);
:func:`run_passes` orders them by their declared inputs, runs them on one session
and :func:`materialize` unions their node, edge and property fragments into
``cpg_nodes``, ``cpg_edges`` and ``cpg_props``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Final

import pyarrow as pa
from datafusion import SessionContext

from codeanatomy.config import BuildOptions
from codeanatomy.cpg.schema import CPG_EDGES, CPG_NODES, CPG_PROPS
from codeanatomy.agreement import AGREEMENT_PASS
from codeanatomy.cpg.bindings import BINDINGS_PASS
from codeanatomy.cpg.fallback import FALLBACK_PASS
from codeanatomy.cpg.resolution import RESOLUTION_PASS
from codeanatomy.cpg.syntax import SYNTAX_PASS
from codeanatomy.engine import register
from codeanatomy.passes import Pass, PassContext, order_passes
from codeanatomy.schema import TableSpec

__all__ = ["PASSES", "PassRun", "materialize", "run_passes"]

PASSES: Final[tuple[Pass, ...]] = (
    SYNTAX_PASS,
    FALLBACK_PASS,
    BINDINGS_PASS,
    RESOLUTION_PASS,
    AGREEMENT_PASS,
)


class PassRun:
    """Tables made by the passes, and the fragments each graph table is made of."""

    def __init__(self) -> None:
        self.tables: dict[str, pa.Table] = {}
        self.seconds: dict[str, float] = {}
        self.nodes: list[str] = []
        self.edges: list[str] = []
        self.props: list[str] = []


def run_passes(
    session: SessionContext, options: BuildOptions, passes: Sequence[Pass] = PASSES
) -> PassRun:
    """Run ``passes`` in dependency order, registering every table each one makes."""
    context = PassContext(session, options)
    available = sorted(session.catalog().schema().names())
    result = PassRun()
    for p in order_passes(passes, available):
        started = time.perf_counter()
        made = p.run(context)
        for name in p.makes:
            register(session, name, made[name])
            result.tables[name] = made[name]
        result.nodes.extend(p.nodes)
        result.edges.extend(p.edges)
        result.props.extend(p.props)
        result.seconds[p.name] = time.perf_counter() - started
    return result


def _union(session: SessionContext, spec: TableSpec, fragments: Sequence[str]) -> pa.Table:
    if not fragments:
        return spec.empty()
    if len(fragments) == 1:
        return spec.conform(session.table(fragments[0]).to_arrow_table())
    columns = ", ".join(spec.schema.names)
    query = " UNION ALL ".join(f"SELECT {columns} FROM {name}" for name in fragments)
    return spec.conform(session.sql(query).to_arrow_table())


def materialize(session: SessionContext, run: PassRun) -> dict[str, pa.Table]:
    """Union the fragments into the three graph tables and register them."""
    tables = {
        CPG_NODES.name: _union(session, CPG_NODES, run.nodes),
        CPG_EDGES.name: _union(session, CPG_EDGES, run.edges),
        CPG_PROPS.name: _union(session, CPG_PROPS, run.props),
    }
    for name, table in tables.items():
        register(session, name, table)
    return tables
