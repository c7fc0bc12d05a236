"""CodeAnatomy: a Code Property Graph builder for Python codebases.

Only the names in ``__all__`` are promised; everything else can be imported but may change.
They are imported on first use, so that worker and resolver processes, which import
only the submodules they run, do not pay for the whole package at start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codeanatomy.api import BuildRequest, build, open_graph
    from codeanatomy.manifest import BuildResult

__all__ = ["BuildRequest", "BuildResult", "build", "open_graph"]

_HOMES = {
    "BuildRequest": "codeanatomy.api",
    "build": "codeanatomy.api",
    "open_graph": "codeanatomy.api",
    "BuildResult": "codeanatomy.manifest",
}


def __getattr__(name: str) -> object:
    """Import a public name from the module that defines it, on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'codeanatomy' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
