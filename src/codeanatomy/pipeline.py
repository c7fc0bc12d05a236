"""The passes a build runs after extraction, and the union of their graph fragments.

``PASSES`` is the ordered tuple of whole-repository passes (like sqlglot's ``RULES``);
:func:`run_passes` orders them by their declared inputs and runs them on one session.
A build runs them in two waves: :func:`runnable` picks those that need no resolution
table, which run while the resolver works; the rest run after it. Each wave's node,
edge and property fragments (mostly lazy DataFrames) are streamed to staged Parquet
files by :func:`stage_fragments`, and :func:`commit_graph` commits them as
``cpg_nodes``, ``cpg_edges`` and ``cpg_props``, one commit each.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
from codeanatomy.store import StagedFile, TableStore, TableWrite

__all__ = ["GRAPH_TABLES", "PASSES", "PassRun", "commit_graph", "run_passes", "runnable", "stage_fragments"]

PASSES: Final[tuple[Pass, ...]] = (
    SYNTAX_PASS,
    FALLBACK_PASS,
    BINDINGS_PASS,
    RESOLUTION_PASS,
    AGREEMENT_PASS,
)
GRAPH_TABLES: Final[tuple[TableSpec, ...]] = (CPG_NODES, CPG_EDGES, CPG_PROPS)


class PassRun:
    """The passes run, the tables they made, and the fragments each graph table is made of."""

    def __init__(self) -> None:
        self.passes: list[Pass] = []
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
        result.passes.append(p)
    return result


def runnable(passes: Sequence[Pass], available: Sequence[str]) -> tuple[Pass, ...]:
    """The passes that can run on ``available`` tables and on what those passes make."""
    made = set(available)
    chosen: list[Pass] = []
    pending = list(passes)
    while ready := [p for p in pending if all(n in made for n in p.needs)]:
        for p in ready:
            chosen.append(p)
            made.update(p.makes)
            pending.remove(p)
    return tuple(p for p in passes if p in chosen)


def stage_fragments(
    session: SessionContext, run: PassRun, store: TableStore, *, run_id: str, threads: int = 1
) -> dict[str, list[StagedFile]]:
    """Stream each node, edge and property fragment of ``run`` to staged Parquet files.

    ``threads`` fragments are written at a time: DataFusion runs the queries and Arrow
    writes the Parquet outside the GIL, so on two cores two threads take about 60% of
    the time one takes. The files are listed in fragment order whatever finishes first.

    Returns the staged files by graph table name, for :func:`commit_graph`.
    """
    staged: dict[str, list[StagedFile]] = {spec.name: [] for spec in GRAPH_TABLES}
    with ThreadPoolExecutor(max_workers=max(threads, 1)) as pool:
        writes: list[tuple[str, Future[list[StagedFile]]]] = []
        for spec, fragments in ((CPG_NODES, run.nodes), (CPG_EDGES, run.edges), (CPG_PROPS, run.props)):
            columns = spec.cast_columns_sql()
            for name in fragments:
                frame = session.sql(f"SELECT {columns} FROM {name}")
                stem = f"part-{run_id}-{name}"
                writes.append((spec.name, pool.submit(store.stage_stream, spec, frame, stem=stem)))
        for table, write in writes:
            staged[table].extend(write.result())
    return staged


def commit_graph(
    session: SessionContext, store: TableStore, staged: Mapping[str, Sequence[StagedFile]], *, run_id: str
) -> dict[str, TableWrite]:
    """Commit the staged fragments as the graph tables, one commit each.

    The committed tables replace the fragments in the session under their own names.
    """
    written: dict[str, TableWrite] = {}
    for spec in GRAPH_TABLES:
        written[spec.name] = store.commit_files(spec, staged.get(spec.name, ()), run_id=run_id)
        session.register_table(spec.name, store.read(spec, written[spec.name].delta_version))
    return written
