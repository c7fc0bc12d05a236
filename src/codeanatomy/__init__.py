"""CodeAnatomy: a Code Property Graph builder for Python codebases.

Only the names in ``__all__`` are promised; everything else can be imported but may change.
"""

from __future__ import annotations

from codeanatomy.api import BuildRequest, build, open_graph
from codeanatomy.manifest import BuildResult

__all__ = ["BuildRequest", "BuildResult", "build", "open_graph"]
