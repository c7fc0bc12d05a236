"""Declared table contracts: a name, a schema version and an Arrow schema per table.

Every table the product writes is described by one :class:`TableSpec`, declared next
to the code that fills it. Specs build tables from column lists (never per-row dicts)
and give correct-schema empty tables for layers that did not run.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa

__all__ = ["TableSpec"]

_ARROW_CAST_NAMES = {
    pa.string(): "Utf8",
    pa.int32(): "Int32",
    pa.int64(): "Int64",
    pa.float64(): "Float64",
    pa.bool_(): "Boolean",
}


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table's contract.

    Attributes:
        name: snake_case table name, also its name in SQL (``ast_nodes``).
        version: schema version, bumped on every incompatible change.
        schema: the Arrow schema rows must have.
        location: where the table lives under the output root (``evidence/ast_nodes``).
    """

    name: str
    version: int
    schema: pa.Schema
    location: str = ""

    @property
    def path(self) -> str:
        """Location under the output root; evidence tables default to ``evidence/<name>``."""
        return self.location or f"evidence/{self.name}"

    @property
    def dictionary_columns(self) -> list[str]:
        """Columns worth dictionary-encoding in Parquet: text columns but row IDs and code.

        Row IDs (``*_id``, ``*_ids``, ``src``, ``dst``) are hashes, nearly one per row,
        and ``code`` snippets are nearly as varied: Parquet would build a dictionary
        for them only to abandon it once it outgrows its page. ``file_id`` is kept,
        since it repeats on every row of a file.

        >>> spec = TableSpec("t", 1, pa.schema(
        ...     [("node_id", pa.string()), ("file_id", pa.string()), ("kind", pa.string()),
        ...      ("src", pa.string()), ("code", pa.string()), ("line", pa.int32())]))
        >>> spec.dictionary_columns
        ['file_id', 'kind']
        """
        return [
            field.name
            for field in self.schema
            if (pa.types.is_string(field.type) or pa.types.is_list(field.type))
            and (field.name == "file_id" or not _is_varied_text(field.name))
        ]

    def empty(self) -> pa.Table:
        """Return a table with this schema and no rows."""
        return self.schema.empty_table()

    def column_lists(self, without: Collection[str] = ()) -> dict[str, list[object]]:
        """One empty list per column (but those in ``without``), to fill and pass to :meth:`from_columns`."""
        return {field.name: [] for field in self.schema if field.name not in without}

    def from_columns(
        self,
        columns: Mapping[str, Sequence[object] | pa.Array],
        constants: Mapping[str, object] | None = None,
    ) -> pa.Table:
        """Build a table from one Python list (or Arrow array) per column, in schema order.

        ``constants`` gives columns holding one value on every row (a file's
        ``file_id``, say): they are filled in Arrow, not converted value by value.
        ``columns`` must then hold at least one column, which sets the row count.

        >>> spec = TableSpec("t", 1, pa.schema([("f", pa.string()), ("n", pa.int32())]))
        >>> spec.from_columns({"n": [1, 2]}, constants={"f": "x"}).to_pylist()
        [{'f': 'x', 'n': 1}, {'f': 'x', 'n': 2}]

        Raises:
            KeyError: a schema column is in neither ``columns`` nor ``constants``.
        """
        if not constants:
            arrays = [_array(columns[field.name], field.type) for field in self.schema]
            return pa.Table.from_arrays(arrays, schema=self.schema)
        rows = next(len(columns[f.name]) for f in self.schema if f.name not in constants)
        if not rows:
            return self.empty()
        arrays = [
            pa.repeat(pa.scalar(constants[field.name], type=field.type), rows)
            if field.name in constants
            else _array(columns[field.name], field.type)
            for field in self.schema
        ]
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def cast_columns_sql(self) -> str:
        """SQL select list casting each column to its declared Arrow type (DataFusion ``arrow_cast``).

        >>> TableSpec("t", 1, pa.schema([("a", pa.string()), ("n", pa.int32())])).cast_columns_sql()
        "arrow_cast(a, 'Utf8') AS a, arrow_cast(n, 'Int32') AS n"
        """
        return ", ".join(
            f"arrow_cast({field.name}, '{_ARROW_CAST_NAMES[field.type]}') AS {field.name}"
            for field in self.schema
        )

    def conform(self, table: pa.Table) -> pa.Table:
        """Return ``table`` with this spec's columns, adding missing ones as nulls.

        This is the one schema-evolution step: a table written by an older version
        gains the columns added since as nulls; extra columns are dropped.
        """
        arrays = []
        for field in self.schema:
            if field.name in table.column_names:
                arrays.append(table.column(field.name).cast(field.type))
            else:
                arrays.append(pa.nulls(table.num_rows, type=field.type))
        return pa.Table.from_arrays(arrays, schema=self.schema)


def _is_varied_text(name: str) -> bool:
    return name.endswith(("_id", "_ids")) or name in {"src", "dst", "code"}


def _array(column: Sequence[object] | pa.Array, arrow_type: pa.DataType) -> pa.Array:
    """``column`` as an Arrow array of ``arrow_type`` (an Arrow array is taken as it is)."""
    return column if isinstance(column, pa.Array) else pa.array(column, type=arrow_type)
