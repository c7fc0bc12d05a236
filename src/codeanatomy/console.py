"""The ``codeanatomy`` console script: the command line, answering Ctrl-C during its start-up too.

Importing the command line takes most of a second (DataFusion, Delta Lake, Arrow,
typer). This module imports none of them itself, so a Ctrl-C that comes while they
load gets the same one line and exit code as one that comes during a command, not
the interrupted import's traceback.
"""

from __future__ import annotations

import sys
from typing import Final

__all__ = ["INTERRUPTED", "INTERRUPTED_MESSAGE", "run"]

INTERRUPTED: Final = 130
"""The exit code of a command stopped by Ctrl-C (128 + SIGINT)."""
INTERRUPTED_MESSAGE: Final = "codeanatomy: interrupted; the last complete build is still the one read"


def run() -> None:
    """Import and run the command line; exit with its code (130, with one line, on Ctrl-C)."""
    try:
        from codeanatomy.cli import main

        code = main()
    except KeyboardInterrupt:
        print(INTERRUPTED_MESSAGE, file=sys.stderr)
        code = INTERRUPTED
    sys.exit(code)
