"""``codeanatomy build``: build a repository's graph and print what was written."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from codeanatomy.api import build
from codeanatomy.cli._output import print_json, stderr_console, stdout_console
from codeanatomy.manifest import BuildResult
from codeanatomy.resolve.solver import MAX_VALUES

__all__ = ["build_command"]

_PHASES = {
    "facts": "collecting facts",
    "extract": "extracting files",
    "syntax": "writing the syntax graph",
    "resolve": "resolving the program",
    "graph": "writing the graph",
}


def build_command(
    root: Annotated[Path, typer.Argument(help="Repository root.")] = Path("."),
    out: Annotated[Path | None, typer.Option(help="Output location (default <root>/.codeanatomy).")] = None,
    jobs: Annotated[int | None, typer.Option(help="Worker processes for per-file work (default: all cores; 1: in-process).")] = None,
    include: Annotated[list[str] | None, typer.Option(help="Glob a file must match (repeatable).")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Glob of files to leave out (repeatable).")] = None,
    profile: Annotated[str | None, typer.Option(help="fast (default) or full.")] = None,
    layers: Annotated[
        str | None, typer.Option(help="Comma-separated layers: ast,symtable,bytecode,tree_sitter,libcst,scip.")
    ] = None,
    max_file_bytes: Annotated[int | None, typer.Option(help="Files larger than this are not parsed.")] = None,
    scip: Annotated[str | None, typer.Option(help="Path of an index.scip to ingest, or 'run'.")] = None,
    cache: Annotated[
        bool | None,
        typer.Option("--cache/--no-cache", help="Reuse the last build's work on unchanged files (default: on)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the build result as JSON.")] = False,
) -> None:
    """Build the code property graph of a repository."""
    show_progress = sys.stderr.isatty() and not as_json
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr_console(), transient=True, disable=not show_progress,
    )
    task = progress.add_task("scanning files", total=None)

    def on_progress(phase: str, done: int, total: int) -> None:
        progress.update(task, completed=done, total=total, description=_PHASES.get(phase, phase))

    with progress:
        result = build(
            root,
            out=out,
            jobs=jobs,
            include=include or None,
            exclude=exclude or None,
            profile=profile,
            layers=layers.split(",") if layers else None,
            max_file_bytes=max_file_bytes,
            scip=scip,
            cache=cache,
            on_progress=on_progress,
        )
    for note in result.notes:
        print(f"codeanatomy: note: {note}", file=sys.stderr)
    if as_json:
        print_json(result)
    else:
        _print_summary(result)


def _print_summary(result: BuildResult) -> None:
    console = stdout_console()
    if result.unchanged:
        console.print(
            f"Graph of {result.root} is up to date: nothing changed since build {result.run_id}"
            f" (checked in {result.timings['total']:.2f}s) -> {result.out}"
        )
    else:
        console.print(f"Built graph of {result.root} in {result.timings['total']:.2f}s -> {result.out}")
    console.print(f"  files:  {result.files}" + _reuse(result))
    console.print(f"  nodes:  {result.nodes}  " + _kinds(result.nodes_by_kind))
    console.print(f"  edges:  {result.edges}  " + _kinds(result.edges_by_kind))
    errors = sum(result.errors_by_layer.values())
    console.print(f"  errors: {errors}  " + _kinds(result.errors_by_layer) + f"  (table: {result.errors_path})")
    bounded = result.tables.get("bounded_values")
    if bounded is not None and bounded.rows:
        sets = "value set" if bounded.rows == 1 else "value sets"
        console.print(
            f"  bounded: {bounded.rows} {sets} reached the resolver's bound of {MAX_VALUES} and"
            f" were given up; calls through them may be missed  (table: {bounded.path})"
        )
    console.print(f"  manifest: {result.manifest_path}")


def _reuse(result: BuildResult) -> str:
    """What came from the last build (the chunk cache, its resolution), if anything did."""
    reused = result.reused
    if not any(reused.values()):
        return ""
    parts = [f"evidence of {reused.get('extract', 0)} files", f"resolver facts of {reused.get('facts', 0)}"]
    if reused.get("resolve"):
        parts.append("resolution")
    return f"  (reused from the last build: {', '.join(parts)})"


def _kinds(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    return "(" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) + ")"
