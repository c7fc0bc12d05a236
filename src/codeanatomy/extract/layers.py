"""The per-file evidence layers, in canonical order (the tuple the build runs from).

The repository-level SCIP layer is not here: it runs once in the driver
(:mod:`codeanatomy.extract.repository`).
"""

from __future__ import annotations

from typing import Final

from codeanatomy.extract import ast, bytecode, libcst, symtable, tree_sitter
from codeanatomy.extract._base import Layer

__all__ = ["LAYERS"]

LAYERS: Final[tuple[Layer, ...]] = (ast.LAYER, symtable.LAYER, bytecode.LAYER, tree_sitter.LAYER, libcst.LAYER)
