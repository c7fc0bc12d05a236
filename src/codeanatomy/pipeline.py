"""The passes a build runs after extraction, and the union of their graph fragments.

``PASSES`` is the ordered tuple of whole-repository passes (like sqlglot's ``RULES``);
:func:`run_passes` orders them by their declared inputs, runs them on one session
and :func:`materialize` streams the union of their node, edge and property fragments
(mostly lazy DataFrames) into ``cpg_nodes``, ``cpg_edges`` and ``cpg_props``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Final

import pyarrow as pa
from datafusion import DataFrame, SessionContext

from codeanatomy.agreement import AGREEMENT_PASS
from codeanatomy.config import BuildOptions
from codeanatomy.cpg.bindings import BINDINGS_PASS
from codeanatomy.cpg.fallback import FALLBACK_PASS
from codeanatomy.cpg.resolution import RESOLUTION_PASS
from codeanatomy.cpg.schema import CPG_EDGES, CPG_NODES, CPG_PROPS
from codeanatomy.cpg.syntax import SYNTAX_PASS
from codeanatomy.engine import register
from codeanatomy.passes import Pass, PassContext, order_passes
from codeanatomy.schema import TableSpec
from codeanatomy.store import TableStore, TableWrite

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
        self.tables: dict[str, pa.Table | DataFrame] = {}
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


def _union(session: SessionContext, spec: TableSpec, fragments: Sequence[str]) -> DataFrame:
    if not fragments:
        return session.from_arrow(spec.empty())
    columns = spec.cast_columns_sql()
    return session.sql(" UNION ALL ".join(f"SELECT {columns} FROM {name}" for name in fragments))


def materialize(
    session: SessionContext, run: PassRun, store: TableStore, *, run_id: str
) -> dict[str, TableWrite]:
    """Stream the union of the fragments into the three graph tables, one commit each.

    The written tables replace the fragments in the session under their own names.
    """
    written: dict[str, TableWrite] = {}
    for spec, fragments in ((CPG_NODES, run.nodes), (CPG_EDGES, run.edges), (CPG_PROPS, run.props)):
        written[spec.name] = store.write_stream(spec, _union(session, spec, fragments), run_id=run_id)
        session.register_table(spec.name, store.read(spec, written[spec.name].delta_version))
    return written
