"""``codeanatomy callgraph``: export the call graph of a built repository.

Formats: ``pycg`` (PyCG's JSON: caller -> sorted callees, names relative to the root),
``json`` (nodes and edges with resolution method and confidence) and ``dot``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from codeanatomy.api import build, open_graph
from codeanatomy.errors import ConfigError
from codeanatomy.resolve.pycg import to_dot, to_json, to_pycg

__all__ = ["callgraph_command"]

_FORMATS = ("pycg", "json", "dot")


def callgraph_command(
    repo: Annotated[Path, typer.Argument(help="Repository whose graph to export.")] = Path("."),
    fmt: Annotated[str, typer.Option("--format", help="pycg, json or dot.")] = "pycg",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")] = None,
    out: Annotated[Path | None, typer.Option(help="Graph location, if not <repo>/.codeanatomy.")] = None,
    rebuild: Annotated[bool, typer.Option("--build", help="Build the graph first.")] = False,
) -> None:
    """Export the call graph (CALLS edges) of a repository's graph."""
    if fmt not in _FORMATS:
        raise ConfigError(f"invalid --format {fmt!r}; choose one of {', '.join(_FORMATS)}")
    if rebuild:
        build(repo, out=out)
    graph = open_graph(repo, out=out)
    tables = {
        name: graph.query(f"SELECT * FROM {name}")
        for name in ("callgraph_nodes", "call_edges")
    }
    if fmt == "pycg":
        text = json.dumps(to_pycg(tables), indent=2) + "\n"
    elif fmt == "json":
        text = json.dumps(to_json(tables), indent=2) + "\n"
    else:
        text = to_dot(tables)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {str(output)!r}: {exc.strerror or exc}") from exc
