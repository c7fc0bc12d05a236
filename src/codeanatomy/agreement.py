"""Cross-checks between evidence layers: do ast, tree-sitter and LibCST see the same code?

Reads ``ast_nodes`` and the ``<layer>_definitions`` tables of tree-sitter and LibCST
(same span convention, see :mod:`codeanatomy.extract._definitions`); makes
``layer_agreement`` (per file, layer pair and kind: spans both layers report, and
spans only one reports) and ``layer_disagreements`` (each span only one layer
reports). A pair is compared only on files both layers could read, and only when both
layers ran in this build.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Final

import pyarrow as pa

from codeanatomy.passes import Pass, PassContext
from codeanatomy.schema import TableSpec

__all__ = ["AGREEMENT_PASS", "LAYER_AGREEMENT", "LAYER_DISAGREEMENTS", "compare_layers"]

LAYER_AGREEMENT: Final = TableSpec(
    "layer_agreement",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("layer_a", pa.string()),
            ("layer_b", pa.string()),
            ("kind", pa.string()),
            ("agree", pa.int64()),
            ("only_a", pa.int64()),
            ("only_b", pa.int64()),
        ]
    ),
    location="checks/layer_agreement",
)
LAYER_DISAGREEMENTS: Final = TableSpec(
    "layer_disagreements",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("layer_a", pa.string()),
            ("layer_b", pa.string()),
            ("kind", pa.string()),
            ("side", pa.string()),
            ("name", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
        ]
    ),
    location="checks/layer_disagreements",
)

# For each comparable layer: its definitions, and the files it could read.
_DEFINITIONS: Final[dict[str, tuple[str, str]]] = {
    "ast": (
        (
            "SELECT file_id, kind, name, bstart, bend FROM ast_nodes "
            "WHERE kind IN ('CLASS', 'FUNCTION', 'CALL', 'IMPORT')"
        ),
        "SELECT DISTINCT file_id FROM ast_nodes",
    ),
    "tree_sitter": (
        "SELECT file_id, kind, name, bstart, bend FROM tree_sitter_definitions",
        "SELECT DISTINCT file_id FROM tree_sitter_nodes",
    ),
    "libcst": (
        "SELECT file_id, kind, name, bstart, bend FROM libcst_definitions",
        "SELECT DISTINCT file_id FROM libcst_nodes",
    ),
}


def _pair_query(a: str, b: str) -> str:
    defs_a, files_a = _DEFINITIONS[a]
    defs_b, files_b = _DEFINITIONS[b]
    common = f"({files_a} INTERSECT {files_b})"
    return f"""
    SELECT coalesce(a.file_id, b.file_id) AS file_id, '{a}' AS layer_a, '{b}' AS layer_b,
           coalesce(a.kind, b.kind) AS kind,
           CASE WHEN a.file_id IS NULL THEN 'only_b' WHEN b.file_id IS NULL THEN 'only_a'
                ELSE 'agree' END AS side,
           coalesce(a.name, b.name) AS name,
           coalesce(a.bstart, b.bstart) AS bstart, coalesce(a.bend, b.bend) AS bend
    FROM (SELECT d.* FROM ({defs_a}) d JOIN {common} c ON d.file_id = c.file_id) a
    FULL OUTER JOIN (SELECT d.* FROM ({defs_b}) d JOIN {common} c ON d.file_id = c.file_id) b
      ON a.file_id = b.file_id AND a.kind = b.kind AND a.bstart = b.bstart AND a.bend = b.bend
    """


def compare_layers(context: PassContext) -> Mapping[str, pa.Table]:
    """Compare definition, call and import spans of every pair of layers that ran."""
    ran = [layer for layer in _DEFINITIONS if layer in context.options.selected_layers]
    pairs = list(combinations(ran, 2))
    if not pairs:
        return {LAYER_AGREEMENT.name: LAYER_AGREEMENT.empty(), LAYER_DISAGREEMENTS.name: LAYER_DISAGREEMENTS.empty()}
    union = " UNION ALL ".join(_pair_query(a, b) for a, b in pairs)
    compared = context.session.sql(union).cache()
    context.session.register_view("layer_compared", compared)
    agreement = context.sql(
        """SELECT file_id, layer_a, layer_b, kind,
                  sum(CASE WHEN side = 'agree' THEN 1 ELSE 0 END) AS agree,
                  sum(CASE WHEN side = 'only_a' THEN 1 ELSE 0 END) AS only_a,
                  sum(CASE WHEN side = 'only_b' THEN 1 ELSE 0 END) AS only_b
           FROM layer_compared GROUP BY file_id, layer_a, layer_b, kind
           ORDER BY file_id, layer_a, layer_b, kind"""
    )
    disagreements = context.sql(
        """SELECT file_id, layer_a, layer_b, kind, side, name, bstart, bend FROM layer_compared
           WHERE side <> 'agree' ORDER BY file_id, layer_a, layer_b, bstart, bend, kind, side"""
    )
    context.session.deregister_table("layer_compared")
    return {
        LAYER_AGREEMENT.name: LAYER_AGREEMENT.conform(agreement),
        LAYER_DISAGREEMENTS.name: LAYER_DISAGREEMENTS.conform(disagreements),
    }


AGREEMENT_PASS: Final = Pass(
    compare_layers,
    needs=(
        "ast_nodes", "tree_sitter_definitions", "tree_sitter_nodes", "libcst_definitions", "libcst_nodes",
    ),
    makes=(LAYER_AGREEMENT.name, LAYER_DISAGREEMENTS.name),
)
