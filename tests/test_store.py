"""Staging Parquet files: how streamed rows are grouped and split into files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from codeanatomy import store
from codeanatomy.cpg.schema import CPG_PROPS
from codeanatomy.store import TableStore


def _small_batches(count: int, rows: int) -> pa.RecordBatchReader:
    batches = [
        pa.RecordBatch.from_pydict(
            {
                "node_id": [f"n{b}-{r}" for r in range(rows)],
                "key": ["k"] * rows,
                "value": [str(r) for r in range(rows)],
            },
            schema=CPG_PROPS.schema,
        )
        for b in range(count)
    ]
    return pa.RecordBatchReader.from_batches(CPG_PROPS.schema, batches)


def test_a_stream_of_small_batches_is_written_in_large_row_groups(tmp_path: Path) -> None:
    staged = TableStore(tmp_path).stage_stream(CPG_PROPS, _small_batches(40, 5_000), stem="part")
    assert [f.rows for f in staged] == [200_000]
    metadata = pq.ParquetFile(tmp_path / CPG_PROPS.path / staged[0].path).metadata
    sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
    # Whole batches are gathered until a group holds _ROWS_PER_GROUP (131,072) rows.
    assert store._ROWS_PER_GROUP == 131_072
    assert sizes == [135_000, 65_000]
    table = pq.read_table(tmp_path / CPG_PROPS.path / staged[0].path)
    assert table.column("node_id")[0].as_py() == "n0-0"
    assert table.column("node_id")[-1].as_py() == "n39-4999"


def test_a_long_stream_is_split_into_files_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "_ROWS_PER_GROUP", 10_000)
    monkeypatch.setattr(store, "_ROWS_PER_FILE", 25_000)
    staged = TableStore(tmp_path).stage_stream(CPG_PROPS, _small_batches(12, 5_000), stem="part")
    assert [(f.path, f.rows) for f in staged] == [
        ("part-00000.parquet", 30_000),
        ("part-00001.parquet", 30_000),
    ]
    first_ids = [pq.read_table(tmp_path / CPG_PROPS.path / f.path).column("node_id")[0].as_py() for f in staged]
    assert first_ids == ["n0-0", "n6-0"]


def test_an_empty_stream_stages_no_file(tmp_path: Path) -> None:
    assert TableStore(tmp_path).stage_stream(CPG_PROPS, _small_batches(0, 0), stem="part") == []


def test_a_vacuum_keeps_the_files_of_versions_since_the_last_build(tmp_path: Path) -> None:
    tables = TableStore(tmp_path)
    last = tables.write(CPG_PROPS, _small_batches(1, 3).read_all(), run_id="last").delta_version
    beside = tables.write(CPG_PROPS, _small_batches(1, 4).read_all(), run_id="beside").delta_version
    tables.write(CPG_PROPS, _small_batches(1, 5).read_all(), run_id="this")
    table_dir = tables.path_of(CPG_PROPS)
    assert tables.vacuum(CPG_PROPS, since=last, run_id="this") == 0  # the build beside keeps its files
    for version in (last, beside):
        assert DeltaTable(str(table_dir), version=version).to_pyarrow_table().num_rows in {3, 4}
    assert tables.vacuum(CPG_PROPS, since=beside, run_id="this") == 1  # the last build's go
    assert tables.vacuum(CPG_PROPS, since=99, run_id="this") >= 1  # a table made anew keeps its current files
    assert DeltaTable(str(table_dir)).to_pyarrow_table().num_rows == 5
