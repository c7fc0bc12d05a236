"""The evidence layers, in canonical order (the tuple the build runs from)."""

from __future__ import annotations

from typing import Final

from codeanatomy.extract import ast
from codeanatomy.extract._base import Layer, LayerName

__all__ = ["LAYERS", "layer_named"]

LAYERS: Final[tuple[Layer, ...]] = (ast.LAYER,)


def layer_named(name: LayerName) -> Layer:
    """The layer called ``name``.

    Raises:
        KeyError: no such layer in this build of CodeAnatomy.
    """
    for layer in LAYERS:
        if layer.name == name:
            return layer
    raise KeyError(name)
