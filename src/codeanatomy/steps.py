"""The per-file steps a build runs in its workers: the selected evidence layers, then resolution.

Name binding and the resolver's fact collection are per-file resolution work that
read the same cached ast index as the ast layer, so they run in the same worker pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from codeanatomy.extract._base import ExtractOptions, LayerName, LayerOutput
from codeanatomy.extract.layers import LAYERS
from codeanatomy.extract.run import FileStep
from codeanatomy.resolve.bindings import BINDING_TABLES, extract_bindings
from codeanatomy.resolve.facts import collect_facts
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile

__all__ = ["RESOLVE_STEP_TABLES", "RESOLVE_STEP_VERSIONS", "file_steps"]


def bind_names(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """Name bindings of one file (VARIABLE nodes, binding sites, REFERS_TO facts)."""
    return extract_bindings(source)


def gather_facts(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """The whole-program resolver's facts about one file (its errors travel inside them)."""
    return LayerOutput(facts=(collect_facts(source),))


RESOLVE_STEPS: Final = (FileStep("bindings", bind_names), FileStep("resolve_facts", gather_facts))
RESOLVE_STEP_VERSIONS: Final = {"bindings": 1, "resolve_facts": 1}
RESOLVE_STEP_TABLES: Final[tuple[TableSpec, ...]] = BINDING_TABLES


def file_steps(layers: Sequence[LayerName]) -> tuple[FileStep, ...]:
    """Steps for a build running ``layers`` (in canonical layer order), then resolution steps."""
    chosen = tuple(FileStep(layer.name, layer.extract) for layer in LAYERS if layer.name in layers)
    return (*chosen, *RESOLVE_STEPS)
