"""Shared printing helpers of the CLI commands."""

from __future__ import annotations

import sys

import msgspec
import pyarrow as pa
from rich.console import Console
from rich.table import Table

__all__ = ["print_arrow", "print_json", "stderr_console", "stdout_console"]


def stdout_console() -> Console:
    """Console on stdout (plain text when not a terminal)."""
    return Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 100_000)


def stderr_console() -> Console:
    """Console on stderr, for progress and notes."""
    return Console(stderr=True, highlight=False)


def print_json(value: object) -> None:
    """Print ``value`` as indented JSON on stdout."""
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(value)).decode() + "\n")


def print_arrow(table: pa.Table, fmt: str, *, max_rows: int = 0) -> None:
    """Print an Arrow table as ``table`` (aligned text), ``csv`` or ``json`` (one array).

    ``max_rows`` (when above 0) caps the rows the ``table`` format draws; the footer
    still gives the result's full row count. The other formats print every row.
    """
    if fmt == "csv":
        import pyarrow.csv as pacsv

        sink = pa.BufferOutputStream()
        pacsv.write_csv(_plain(table), sink)
        sys.stdout.write(sink.getvalue().to_pybytes().decode())
    elif fmt == "json":
        print_json(table.to_pylist())
    else:
        grid = Table(show_lines=False, header_style="bold")
        for name in table.column_names:
            grid.add_column(name, overflow="fold")
        shown = table.slice(0, max_rows) if 0 < max_rows < table.num_rows else table
        for row in shown.to_pylist():
            grid.add_row(*("" if v is None else str(v) for v in row.values()))
        stdout_console().print(grid)
        footer = f"{table.num_rows} row{'s' if table.num_rows != 1 else ''}"
        if shown.num_rows < table.num_rows:
            footer += f"; the first {shown.num_rows} shown: --max-rows 0 or --format csv for all"
        stdout_console().print(f"({footer})")


def _plain(table: pa.Table) -> pa.Table:
    """Cast view types (``string_view``) that the CSV writer does not take to plain ones."""
    fields = []
    for field in table.schema:
        if pa.types.is_string_view(field.type):
            field = field.with_type(pa.string())
        elif pa.types.is_binary_view(field.type):
            field = field.with_type(pa.binary())
        fields.append(field)
    return table.cast(pa.schema(fields))
