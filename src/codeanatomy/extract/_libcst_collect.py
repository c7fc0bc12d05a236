"""One LibCST visit recording nodes, qualified names and definitions as columns.

The :class:`Collector` runs under a ``MetadataWrapper`` (positions, whitespace-
inclusive positions, qualified names). It keeps the path from the module to the
current node, so it knows each node's nearest recorded ancestor, each definition's
enclosing definition (only a ``body`` opens a scope: decorators, defaults,
annotations and bases stay in the enclosing one) and, for lambdas, where CPython's
``ast`` walk would meet them.
"""

from __future__ import annotations

from typing import Final

import libcst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    CodeRange,
    PositionProvider,
    QualifiedNameProvider,
    WhitespaceInclusivePositionProvider,
)

from codeanatomy.extract._definition_qualnames import DefinitionRow, assign_qualnames

__all__ = ["Collector"]

_WHITESPACE: Final = (
    libcst.SimpleWhitespace,
    libcst.ParenthesizedWhitespace,
    libcst.TrailingWhitespace,
    libcst.EmptyLine,
    libcst.Newline,
)
_QUALIFIED: Final = (libcst.Name, libcst.Attribute, libcst.Call)
_SCOPES: Final = (libcst.FunctionDef, libcst.ClassDef, libcst.Lambda)


class Collector(libcst.CSTVisitor):
    """Columns of one module's nodes, qualified names and definitions.

    After the visit: ``types``/``parents``/``ranges``/``ws_ranges`` describe the
    recorded nodes (row ``i``; ``ranges[i]`` is ``None`` for the module, which spans
    the whole file); ``named_rows``/``qualified_names``/``name_sources`` one row per
    qualified name; ``definitions`` (with ``definition_ranges``) the definition rows,
    qualnames assigned.
    """

    METADATA_DEPENDENCIES = (
        PositionProvider,
        WhitespaceInclusivePositionProvider,
        QualifiedNameProvider,
    )

    def __init__(self, module_name: str) -> None:
        super().__init__()
        self.module_name = module_name
        self.types: list[str] = []
        self.parents: list[int] = []
        self.ranges: list[CodeRange | None] = []
        self.ws_ranges: list[CodeRange | None] = []
        self.named_rows: list[int] = []
        self.qualified_names: list[str] = []
        self.name_sources: list[str] = []
        self.definitions: list[DefinitionRow] = []
        self.definition_ranges: list[CodeRange] = []
        self._lambda_order: dict[int, tuple[tuple[int, int, int], ...]] = {}
        self._path: list[libcst.CSTNode] = []
        self._rows: list[int] = []  # recorded row of each path entry (or its nearest ancestor's)
        self._scopes: list[int] = []  # definition rows whose body the visit is in
        self._scope_rows: dict[int, int] = {}  # id(definition node) -> its row

    def on_visit(self, node: libcst.CSTNode) -> bool:
        """Record ``node`` (unless whitespace) and any definition or qualified name."""
        parent_row = self._rows[-1] if self._rows else -1
        row = parent_row
        if not isinstance(node, _WHITESPACE):
            row = len(self.types)
            self.types.append(type(node).__name__)
            self.parents.append(parent_row)
            if isinstance(node, libcst.Module):
                self.ranges.append(None)
                self.ws_ranges.append(None)
            else:
                self.ranges.append(self.get_metadata(PositionProvider, node))
                self.ws_ranges.append(self.get_metadata(WhitespaceInclusivePositionProvider, node))
            if isinstance(node, _QUALIFIED):
                self._qualify(node, row)
            self._define(node)
        self._path.append(node)
        self._rows.append(row)
        return True

    def on_leave(self, original_node: libcst.CSTNode) -> None:
        """Step back out of ``original_node``; at the module's end, assign qualnames."""
        self._path.pop()
        self._rows.pop()
        if isinstance(original_node, libcst.Module):
            assign_qualnames(
                self.definitions, self.module_name, lambda row: self._lambda_order[id(row)]
            )

    def on_visit_attribute(self, node: libcst.CSTNode, attribute: str) -> None:
        """Enter a definition's own scope at its ``body``."""
        if attribute == "body" and isinstance(node, _SCOPES):
            self._scopes.append(self._scope_rows[id(node)])

    def on_leave_attribute(self, original_node: libcst.CSTNode, attribute: str) -> None:
        """Leave a definition's own scope after its ``body``."""
        if attribute == "body" and isinstance(original_node, _SCOPES):
            self._scopes.pop()

    def _qualify(self, node: libcst.CSTNode, row: int) -> None:
        names = self.get_metadata(QualifiedNameProvider, node, set())
        for qualified in sorted(names, key=lambda q: (q.name, q.source.name)):
            self.named_rows.append(row)
            self.qualified_names.append(qualified.name)
            self.name_sources.append(qualified.source.name)

    def _define(self, node: libcst.CSTNode) -> None:
        kind: str
        name: str | None
        if isinstance(node, libcst.FunctionDef):
            kind, name = "FUNCTION", node.name.value
        elif isinstance(node, libcst.ClassDef):
            kind, name = "CLASS", node.name.value
        elif isinstance(node, libcst.Lambda):
            kind, name = "FUNCTION", "<lambda>"
        elif isinstance(node, libcst.Call):
            kind, name = "CALL", _callee_name(node.func)
        elif isinstance(node, libcst.ImportAlias):
            bound = node.asname.name if node.asname is not None else node.name
            kind, name = "IMPORT", get_full_name_for_node(bound)
        elif isinstance(node, libcst.ImportStar):
            kind, name = "IMPORT", "*"
        else:
            return
        code_range = self.get_metadata(PositionProvider, node)
        # Offsets come from ``definition_ranges``; ``scope`` only marks a scope here.
        row = DefinitionRow(kind, name, 0, 0)
        if self._scopes:
            row.parent = self._scopes[-1]
            row.depth = len(self._scopes)
        if isinstance(node, _SCOPES):
            row.scope = (0, 0)
            self._scope_rows[id(node)] = len(self.definitions)
            if isinstance(node, libcst.Lambda):
                self._lambda_order[id(row)] = self._ast_order(node)
        self.definitions.append(row)
        self.definition_ranges.append(code_range)

    def _ast_order(self, node: libcst.CSTNode) -> tuple[tuple[int, int, int], ...]:
        """Sort key placing ``node`` where CPython's ``ast`` pre-order visits it.

        LibCST visits in source order; ``ast`` fields differ for ``arguments``
        (annotations, keyword-only defaults, the ``**`` annotation, then positional
        defaults), ``IfExp`` (test first), ``Dict`` (keys, then values) and call and
        class arguments (positional before keyword).
        """
        path = [*self._path, node]
        key: list[tuple[int, int, int]] = []
        for depth in range(len(path) - 1):
            parent, child = path[depth], path[depth + 1]
            below = path[depth + 2] if depth + 2 < len(path) else None
            start = self.get_metadata(PositionProvider, child).start
            key.append((_field_group(parent, child, below), start.line, start.column))
        return tuple(key)


def _field_group(parent: libcst.CSTNode, child: libcst.CSTNode, below: object) -> int:
    """Rank of the ``ast`` field holding ``child`` (via ``below``) among ``parent``'s fields."""
    if isinstance(parent, libcst.Parameters) and isinstance(child, libcst.Param):
        if child is parent.star_kwarg:
            return 2
        if below is not None and below is child.default:
            return 1 if any(child is p for p in parent.kwonly_params) else 3
        return 0
    if isinstance(parent, libcst.IfExp):
        return 0 if child is parent.test else 1 if child is parent.body else 2
    if isinstance(parent, libcst.Dict):
        if isinstance(child, libcst.DictElement) and below is child.key:
            return 0
        return 1
    if isinstance(parent, libcst.Call) and isinstance(child, libcst.Arg):
        return 1 if child.keyword is not None or child.star == "**" else 0
    if isinstance(parent, libcst.ClassDef) and any(child is k for k in parent.keywords):
        return 1
    return 0


def _callee_name(func: libcst.BaseExpression) -> str | None:
    """Dotted callee text (``a.b.c``) when the callee is a name or attribute chain."""
    parts: list[str] = []
    node: libcst.BaseExpression = func
    while isinstance(node, libcst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, libcst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None
