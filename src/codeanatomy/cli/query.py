"""``codeanatomy query`` and ``codeanatomy tables``: SQL over a built graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from codeanatomy.api import open_graph
from codeanatomy.cli._output import print_batches, print_json, stdout_console
from codeanatomy.errors import ConfigError

__all__ = ["DEFAULT_MAX_ROWS", "query_command", "tables_command"]

_FORMATS = ("table", "csv", "json")
DEFAULT_MAX_ROWS = 100
"""Rows the table format draws by default: drawing is slow (minutes for millions of rows)
and no one reads more on a terminal; csv and json print every row."""

RepoOption = Annotated[Path, typer.Option("--repo", help="Repository whose graph to open.")]
OutOption = Annotated[Path | None, typer.Option(help="Graph location, if not <repo>/.codeanatomy.")]


def query_command(
    sql: Annotated[str, typer.Argument(help="SQL statement (DataFusion dialect).")],
    repo: RepoOption = Path("."),
    out: OutOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=0, help="Rows the table format draws at most; 0 for all.")
    ] = DEFAULT_MAX_ROWS,
) -> None:
    """Run SQL over every table of the graph (cpg_nodes, cpg_edges, cpg_props, files, errors, evidence)."""
    if fmt not in _FORMATS:
        raise ConfigError(f"invalid --format {fmt!r}; choose one of {', '.join(_FORMATS)}")
    graph = open_graph(repo, out=out)
    schema, batches = graph.stream(sql)
    print_batches(schema, batches, fmt, max_rows=max_rows)


def tables_command(
    repo: RepoOption = Path("."),
    out: OutOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the graph's tables with their schemas and row counts."""
    graph = open_graph(repo, out=out)
    infos = graph.tables()
    if as_json:
        print_json(
            [
                {
                    "name": i.name,
                    "rows": i.rows,
                    "path": i.path,
                    "delta_version": i.delta_version,
                    "columns": {f.name: str(f.type) for f in i.schema},
                }
                for i in infos
            ]
        )
        return
    console = stdout_console()
    for info in infos:
        console.print(f"{info.name}  rows={info.rows}  delta_version={info.delta_version}  {info.path}")
        console.print("    " + ", ".join(f"{f.name}: {f.type}" for f in info.schema))
