"""Staging the graph's fragments: the same files, in fragment order, with any number of threads."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from codeanatomy.cpg.schema import CPG_EDGES, CPG_NODES
from codeanatomy.engine import make_session, register
from codeanatomy.pipeline import PassRun, stage_fragments
from codeanatomy.schema import TableSpec
from codeanatomy.store import TableStore


def _fragment(spec: TableSpec, name: str, rows: int) -> pa.Table:
    columns = []
    for field in spec.schema:
        if pa.types.is_string(field.type):
            columns.append(pa.array([f"{name}-{field.name}-{i}" for i in range(rows)], field.type))
        else:
            columns.append(pa.nulls(rows, field.type))
    return pa.Table.from_arrays(columns, schema=spec.schema)


@pytest.mark.parametrize("threads", [1, 3])
def test_fragments_are_staged_in_fragment_order(tmp_path: Path, threads: int) -> None:
    session = make_session(2)
    run = PassRun()
    # Big fragments first, so the small ones finish first when written at once.
    sizes = {"big_nodes": 200_000, "mid_nodes": 20_000, "small_nodes": 3}
    for name, rows in sizes.items():
        register(session, name, _fragment(CPG_NODES, name, rows))
        run.nodes.append(name)
    register(session, "some_edges", _fragment(CPG_EDGES, "some_edges", 5))
    run.edges.append("some_edges")
    store = TableStore(tmp_path / "out")
    staged = stage_fragments(session, run, store, run_id="r1", threads=threads)
    nodes = staged[CPG_NODES.name]
    assert [f.path.split("-")[2] for f in nodes] == ["big_nodes", "mid_nodes", "small_nodes"]
    assert [f.rows for f in nodes] == list(sizes.values())
    assert [f.rows for f in staged[CPG_EDGES.name]] == [5]
    first = pq.read_table(store.path_of(CPG_NODES) / nodes[0].path)
    assert first.column("node_id")[0].as_py() == "big_nodes-node_id-0"
