"""CodeAnatomy: a Code Property Graph builder for Python codebases.

Only the names in ``__all__`` are promised; everything else can be imported but may change.
"""

from __future__ import annotations

__all__: list[str] = []
