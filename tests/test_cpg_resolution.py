"""One row per edge ID in the resolution part of the graph (``codeanatomy.cpg.resolution``)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from codeanatomy.cpg.resolution import one_row_per_edge

ROWS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.one_of(st.none(), st.sampled_from(["x", "y"])),
        st.one_of(st.none(), st.sampled_from(["m", "n"])),
        st.one_of(st.none(), st.integers(0, 2)),
    ),
    max_size=12,
)


def _key(row: dict[str, object]) -> tuple[object, ...]:
    # Ascending with nulls last, as the tie-break orders them.
    return tuple((row[c] is None, row[c] or 0 if c == "idx" else row[c] or "") for c in ("label", "method", "idx"))


@given(ROWS)
def test_each_edge_id_keeps_its_first_row_by_label_method_and_index(rows: list[tuple[object, ...]]) -> None:
    table = pa.table(
        {
            "edge_id": pa.array([r[0] for r in rows], pa.string()),
            "label": pa.array([r[1] for r in rows], pa.string()),
            "method": pa.array([r[2] for r in rows], pa.string()),
            "idx": pa.array([r[3] for r in rows], pa.int32()),
            "confidence": pa.array([1.0] * len(rows), pa.float64()),
        }
    )
    kept = one_row_per_edge(table).to_pylist()
    assert sorted(r["edge_id"] for r in kept) == sorted({r[0] for r in rows})
    for row in kept:
        same = [r for r in table.to_pylist() if r["edge_id"] == row["edge_id"]]
        assert _key(row) == min(_key(r) for r in same)
