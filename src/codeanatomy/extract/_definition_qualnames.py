"""Qualnames of definitions found by layers other than ``ast``, named as ``ast`` names them.

:mod:`codeanatomy.extract._ast_index` names a class or function
``<enclosing qualname>.<name>`` and a lambda ``<enclosing qualname>.<lambdaN>``, N
counting the lambdas of that enclosing qualname in the order its walk visits them.
The tree-sitter and LibCST layers build :class:`DefinitionRow` values, set each
one's enclosing definition, and call :func:`assign_qualnames`; only the order in
which ``ast`` would meet lambdas is theirs to supply.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

__all__ = ["DefinitionRow", "assign_qualnames"]


@dataclass(slots=True)
class DefinitionRow:
    """One row of a ``<layer>_definitions`` table while it is being built.

    Attributes:
        kind: ``CLASS``, ``FUNCTION``, ``CALL`` or ``IMPORT``.
        name: defined name (``<lambda>`` for lambdas), bound import name or callee.
        start: start in the layer's own coordinates (converted by the caller).
        end: end in the layer's own coordinates.
        node: the layer's node, for the caller's ordering function.
        scope: range of the definition's own scope (its body) in the layer's
            coordinates; ``None`` for rows that open no scope (calls, imports).
        parent: index of the enclosing definition's row, -1 for the module.
        depth: number of enclosing definitions.
        qualname: set by :func:`assign_qualnames` for classes and functions.
    """

    kind: str
    name: str | None
    start: int
    end: int
    node: object = None
    scope: tuple[int, int] | None = None
    parent: int = -1
    depth: int = 0
    qualname: str | None = None


def assign_qualnames(
    rows: list[DefinitionRow],
    module: str,
    ast_order: Callable[[DefinitionRow], Hashable],
) -> None:
    """Set ``qualname`` on every row that opens a scope.

    Rows are resolved by depth, so an enclosing qualname (itself possibly a numbered
    lambda) is known before the rows inside it.

    Args:
        rows: the file's rows, in source order, with ``parent`` and ``depth`` set.
        module: the module's dotted name, the outermost prefix.
        ast_order: sort key placing a lambda row where ``ast``'s walk meets it; it is
            called only for lambdas sharing an enclosing qualname.

    >>> rows = [DefinitionRow("FUNCTION", "f", 0, 9, scope=(5, 9)),
    ...         DefinitionRow("FUNCTION", "<lambda>", 6, 8, scope=(7, 8), parent=0, depth=1)]
    >>> assign_qualnames(rows, "pkg.mod", lambda row: row.start)
    >>> [row.qualname for row in rows]
    ['pkg.mod.f', 'pkg.mod.f.<lambda1>']
    """
    by_depth: dict[int, list[DefinitionRow]] = {}
    for row in rows:
        if row.scope is not None:
            by_depth.setdefault(row.depth, []).append(row)
    for depth in sorted(by_depth):
        lambdas: dict[str, list[DefinitionRow]] = {}
        for row in by_depth[depth]:
            prefix = module if row.parent < 0 else rows[row.parent].qualname or module
            if row.name == "<lambda>":
                lambdas.setdefault(prefix, []).append(row)
            else:
                row.qualname = f"{prefix}.{row.name}"
        for prefix, group in lambdas.items():
            if len(group) > 1:
                group.sort(key=ast_order)  # type: ignore[arg-type]
            for number, row in enumerate(group, 1):
                row.qualname = f"{prefix}.<lambda{number}>"
