"""The per-file steps a build runs in its workers: the resolver's facts, the evidence layers.

A build runs them in two passes over the files: first :data:`FACT_STEPS` (the
whole-program resolver's facts, so the resolver can start as early as it can), then
:func:`evidence_steps`, the selected evidence layers and name binding, while the
resolver works.
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

__all__ = ["FACT_STEPS", "RESOLVE_STEP_TABLES", "RESOLVE_STEP_VERSIONS", "evidence_steps", "file_steps"]


def bind_names(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """Name bindings of one file (VARIABLE nodes, binding sites, REFERS_TO facts)."""
    return extract_bindings(source)


def gather_facts(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """The whole-program resolver's facts about one file (its errors travel inside them)."""
    return LayerOutput(facts=(collect_facts(source),))


FACT_STEPS: Final = (FileStep("resolve_facts", gather_facts),)
RESOLVE_STEP_VERSIONS: Final = {"bindings": 1, "resolve_facts": 24}
RESOLVE_STEP_TABLES: Final[tuple[TableSpec, ...]] = BINDING_TABLES


def evidence_steps(layers: Sequence[LayerName]) -> tuple[FileStep, ...]:
    """The steps making tables: ``layers`` (in canonical layer order), then name binding."""
    chosen = tuple(FileStep(layer.name, layer.extract) for layer in LAYERS if layer.name in layers)
    return (*chosen, FileStep("bindings", bind_names))


def file_steps(layers: Sequence[LayerName]) -> tuple[FileStep, ...]:
    """Every per-file step of a build running ``layers``: the evidence steps, then the facts."""
    return (*evidence_steps(layers), *FACT_STEPS)
