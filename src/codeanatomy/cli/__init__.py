"""The ``codeanatomy`` command line: argument parsing and printing on top of :mod:`codeanatomy.api`.

Every failure is one line on stderr and a non-zero exit: 2 for a bad argument, 1 for
an error of the build or query, 130 when interrupted (Ctrl-C).
"""

from __future__ import annotations

import sys

import typer

from codeanatomy.cli import build as build_cmd
from codeanatomy.cli import callgraph as callgraph_cmd
from codeanatomy.cli import diag as diag_cmd
from codeanatomy.cli import query as query_cmd
from codeanatomy.console import INTERRUPTED, INTERRUPTED_MESSAGE
from codeanatomy.errors import CodeAnatomyError

__all__ = ["app", "main"]

app = typer.Typer(
    name="codeanatomy",
    help="Build and query Code Property Graphs of Python repositories.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("build")(build_cmd.build_command)
app.command("query")(query_cmd.query_command)
app.command("tables")(query_cmd.tables_command)
app.command("callgraph")(callgraph_cmd.callgraph_command)
app.command("diag")(diag_cmd.diag_command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also the console script's entry point)."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args or ["--help"], prog_name="codeanatomy", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        print("codeanatomy: aborted", file=sys.stderr)
        return INTERRUPTED
    except typer.TyperException as exc:  # bad arguments: typer's usage errors
        # ``format_message`` names the option at fault ("Invalid value for '--jobs': ...").
        print(f"codeanatomy: error: {exc.format_message()}", file=sys.stderr)
        return 2
    except CodeAnatomyError as exc:
        print(f"codeanatomy: error: {exc}", file=sys.stderr)
        return 1
    if result == INTERRUPTED:  # typer returns this for a KeyboardInterrupt, and says nothing
        print(INTERRUPTED_MESSAGE, file=sys.stderr)
    return result if isinstance(result, int) else 0
