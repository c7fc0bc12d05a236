"""Shared printing helpers of the CLI commands."""

from __future__ import annotations

import sys
from collections.abc import Iterable

import msgspec
import pyarrow as pa
import pyarrow.csv as pacsv
from rich.console import Console
from rich.table import Table

__all__ = ["print_batches", "print_json", "stderr_console", "stdout_console"]


def stdout_console() -> Console:
    """Console on stdout (plain text when not a terminal)."""
    return Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 100_000)


def stderr_console() -> Console:
    """Console on stderr, for progress and notes."""
    return Console(stderr=True, highlight=False)


def print_json(value: object) -> None:
    """Print ``value`` as indented JSON on stdout."""
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(value)).decode() + "\n")


def print_batches(schema: pa.Schema, batches: Iterable[pa.RecordBatch], fmt: str, *, max_rows: int = 0) -> None:
    """Print a result arriving batch by batch as ``table`` (aligned text), ``csv`` or ``json``.

    ``csv`` and ``json`` (one array, an object per line) write each batch as it comes,
    so a result of millions of rows never sits whole in memory. ``table`` draws at most
    ``max_rows`` rows (all when 0) and a footer with the full row count.
    """
    if fmt == "csv":
        plain = _plain(schema)
        with pacsv.CSVWriter(sys.stdout.buffer, plain) as writer:
            for batch in batches:
                writer.write_batch(_csv_batch(batch, plain))
        sys.stdout.buffer.flush()
    elif fmt == "json":
        out = sys.stdout.buffer
        out.write(b"[")
        separator = b"\n"
        for batch in batches:
            for row in batch.to_pylist():
                out.write(separator + msgspec.json.encode(row))
                separator = b",\n"
        out.write(b"\n]\n")
        out.flush()
    else:
        grid = Table(show_lines=False, header_style="bold")
        for name in schema.names:
            grid.add_column(name, overflow="fold")
        total = 0
        for batch in batches:
            room = batch.num_rows if max_rows == 0 else max(min(max_rows - total, batch.num_rows), 0)
            for row in batch.slice(0, room).to_pylist():
                grid.add_row(*("" if v is None else str(v) for v in row.values()))
            total += batch.num_rows
        stdout_console().print(grid)
        footer = f"{total} row{'s' if total != 1 else ''}"
        if 0 < max_rows < total:
            footer += f"; the first {max_rows} shown: --max-rows 0 or --format csv for all"
        stdout_console().print(f"({footer})")


def _plain(schema: pa.Schema) -> pa.Schema:
    """``schema`` as the CSV writer takes it: view strings made plain, nested values
    (lists, structs, maps) and bytes made text (see :func:`_csv_batch`)."""
    fields = []
    for field in schema:
        if pa.types.is_string_view(field.type) or _as_text(field.type):
            field = field.with_type(pa.string())
        fields.append(field)
    return pa.schema(fields)


def _as_text(kind: pa.DataType) -> bool:
    """Whether the CSV writer needs a column of type ``kind`` as text."""
    checks = (
        pa.types.is_nested,
        pa.types.is_binary,
        pa.types.is_large_binary,
        pa.types.is_binary_view,
        pa.types.is_fixed_size_binary,
    )
    return any(bool(check(kind)) for check in checks)


def _csv_batch(batch: pa.RecordBatch, plain: pa.Schema) -> pa.RecordBatch:
    """``batch`` in the :func:`_plain` schema ``plain``: nested values as JSON, bytes as hex."""
    columns = [
        pa.array([_text(v) for v in column.to_pylist()], pa.string())
        if _as_text(column.type)
        else column.cast(field.type)
        for column, field in zip(batch.columns, plain, strict=True)
    ]
    return pa.RecordBatch.from_arrays(columns, schema=plain)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.hex()
    return msgspec.json.encode(value).decode()
