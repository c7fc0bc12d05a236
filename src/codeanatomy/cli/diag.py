"""``codeanatomy diag``: print the capability snapshot, as the build sees it."""

from __future__ import annotations

from codeanatomy.api import capabilities
from codeanatomy.cli._output import print_json

__all__ = ["diag_command"]


def diag_command() -> None:
    """Print library versions and optional tools (scip-python) available to builds."""
    print_json(capabilities())
