"""The per-file evidence layers, in canonical order (the tuple the build runs from).

The repository-level SCIP layer is not here: it runs once in the driver
(:mod:`codeanatomy.extract.repository`).
"""

from __future__ import annotations

from typing import Final

from codeanatomy.extract import ast, bytecode, libcst, symtable, tree_sitter
from codeanatomy.extract._base import Layer, LayerName

__all__ = ["LAYERS", "layer_named"]

LAYERS: Final[tuple[Layer, ...]] = (ast.LAYER, symtable.LAYER, bytecode.LAYER, tree_sitter.LAYER, libcst.LAYER)


def layer_named(name: LayerName) -> Layer:
    """The layer called ``name``.

    Raises:
        KeyError: no such per-file layer.
    """
    for layer in LAYERS:
        if layer.name == name:
            return layer
    raise KeyError(name)
