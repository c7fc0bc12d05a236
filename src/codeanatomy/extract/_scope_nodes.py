"""The ast nodes that open a CPython scope, found once per file for symtable and bytecode linking.

CPython's ``symtable`` and compiler report scopes and code objects by name and
line only. :func:`scope_nodes_of` lists the ast nodes that can own one (module,
class, function, lambda, comprehension, ``type`` alias) with the keys both layers
match on, so that a scope or code object gets the ``node_id`` of its ast node:

* ``line``: the node's own line (``def``/``class`` keyword line), as symtable reports.
* ``first_line``: the first decorator's line when decorated, as ``co_firstlineno`` is.
* ``parent``: the scope node whose scope holds this one. Decorators, default
  values, annotations, class bases and the first iterable of a comprehension are
  evaluated in the enclosing scope, so a lambda in a default value belongs to the
  scope around the ``def``, not to the ``def``.
* ``entry``: the offset at which symtable enters the scope (after those outer
  parts), so that sibling scopes sharing (kind, name, line) are matched in
  symtable's order.

From Python 3.12 list, set and dict comprehensions are inlined (PEP 709): they
open no scope and own no code object, and the scopes inside them belong to the
enclosing scope; they are then not listed.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from codeanatomy.extract._ast_index import AstIndex, ast_index_of
from codeanatomy.source import SourceFile

__all__ = [
    "COMPREHENSION_NAMES",
    "ScopeMatcher",
    "ScopeNode",
    "find_scope_nodes",
    "scope_nodes_of",
    "type_param_row",
]

COMPREHENSION_NAMES: Final[dict[str, str]] = {
    "ListComp": "listcomp",
    "SetComp": "setcomp",
    "DictComp": "dictcomp",
    "GeneratorExp": "genexpr",
}
"""Name CPython gives the scope of each comprehension ast class."""

_DEFINITIONS: Final = frozenset({"ClassDef", "FunctionDef", "AsyncFunctionDef"})
_INLINED: Final = (
    frozenset({"ListComp", "SetComp", "DictComp"}) if sys.version_info >= (3, 12) else frozenset()
)
_SCOPE_TYPES: Final = (
    _DEFINITIONS | (frozenset(COMPREHENSION_NAMES) - _INLINED) | {"Module", "Lambda", "TypeAlias"}
)
# The field of a scope node whose subtree is evaluated inside its scope.
_INNER_FIELD: Final = {
    "ClassDef": "body",
    "FunctionDef": "body",
    "AsyncFunctionDef": "body",
    "Lambda": "body",
    "TypeAlias": "value",
}


@dataclass(frozen=True, slots=True)
class ScopeNode:
    """An ast node that opens a scope.

    Attributes:
        row: the node's row in the file's :class:`AstIndex`.
        kind: ``module``, ``class``, ``function``, ``lambda``, ``comprehension`` or ``type_alias``.
        name: the scope's name as CPython gives it (``lambda``, ``listcomp``, the def name).
        line: the node's 1-based line.
        first_line: the first decorator's line, else ``line``.
        parent: row of the enclosing scope node (-1 for the module).
        entry: byte offset where symtable enters the scope (see module docstring).
        qualname: dotted path; the ast index's qualname where it has one.
        bstart: start of the node's span.
        bend: end of the node's span.
    """

    row: int
    kind: str
    name: str
    line: int
    first_line: int
    parent: int
    entry: int
    qualname: str
    bstart: int
    bend: int


def find_scope_nodes(index: AstIndex) -> tuple[ScopeNode, ...]:
    """Return the scope-opening nodes of ``index`` in walk (pre-)order, module first.

    Comprehensions and ``type`` aliases, which the ast index gives no qualname, get
    ``<enclosing>.<listcompN>`` (numbered per enclosing scope and kind, like lambdas)
    and ``<enclosing>.<alias name>``.
    """
    out: list[ScopeNode] = []
    numbers: dict[tuple[str, str], int] = {}
    qualnames = index.qualname
    rows = [row for row, ast_type in enumerate(index.ast_type) if ast_type in _SCOPE_TYPES]
    scope_rows = frozenset(rows)
    for row in rows:
        ast_type = index.ast_type[row]
        node = index.nodes[row]
        line = index.line[row]
        entry = index.bstart[row]
        first_line = line
        qualname = qualnames[row]
        if ast_type in _DEFINITIONS:
            kind = "class" if ast_type == "ClassDef" else "function"
            name = node.name  # type: ignore[attr-defined]
            decorators = node.decorator_list  # type: ignore[attr-defined]
            if decorators:
                first_line = decorators[0].lineno
        elif ast_type == "Lambda":
            kind, name = "lambda", "lambda"
            args = node.args  # type: ignore[attr-defined]
            entry = _end_of(index, [*args.defaults, *(d for d in args.kw_defaults if d)], entry)
        elif ast_type == "Module":
            kind, name = "module", "top"
        elif ast_type == "TypeAlias":
            kind, name = "type_alias", node.name.id  # type: ignore[attr-defined]
            qualname = f"{qualnames[index.scope[row]]}.{name}"
        else:
            kind, name = "comprehension", COMPREHENSION_NAMES[ast_type]
            entry = _end_of(index, [node.generators[0].iter], entry)  # type: ignore[attr-defined]
            prefix = qualnames[index.scope[row]]
            key = (prefix or "", name)
            numbers[key] = number = numbers.get(key, 0) + 1
            qualname = f"{prefix}.<{name}{number}>"
        out.append(
            ScopeNode(
                row,
                kind,
                name,
                line,
                first_line,
                _parent_scope(index, row, scope_rows),
                entry,
                qualname or name,
                index.bstart[row],
                index.bend[row],
            )
        )
    return tuple(out)


def _parent_scope(index: AstIndex, row: int, scope_rows: frozenset[int]) -> int:
    """Row of the scope node whose scope evaluates the node at ``row``."""
    child = row
    parent = index.parent[row]
    below: str | None = None  # field of the grandchild within ``child``
    while parent >= 0:
        if parent in scope_rows:
            ast_type = index.ast_type[parent]
            field = index.field_name[child]
            inner = _INNER_FIELD.get(ast_type)
            if inner is not None:
                if field == inner:
                    return parent
            elif ast_type == "Module":
                return parent
            elif not (field == "generators" and index.idx[child] == 0 and below == "iter"):
                return parent  # a comprehension: all but its first iterable
        below = index.field_name[child]
        child = parent
        parent = index.parent[parent]
    return -1


def scope_nodes_of(source: SourceFile) -> tuple[ScopeNode, ...]:
    """Return :func:`find_scope_nodes` of ``source``'s ast index, once per file per process.

    Raises:
        SyntaxError, ValueError, RecursionError, MemoryError: as :func:`ast_index_of` does.
    """
    cached = source.cache.get("scope_nodes")
    if cached is None:
        cached = find_scope_nodes(ast_index_of(source))
        source.cache["scope_nodes"] = cached
    return cached  # type: ignore[return-value]


def _end_of(index: AstIndex, nodes: Iterable[ast.AST], default: int) -> int:
    ends = [index.bend[index.row(n)] for n in nodes]
    return max(ends) if ends else default


def type_param_row(index: AstIndex, owner_row: int, name: str) -> int | None:
    """Row of the type parameter ``name`` of the generic definition at ``owner_row``."""
    for param in getattr(index.nodes[owner_row], "type_params", ()):
        if param.name == name:
            return index.row(param)
    return None


class ScopeMatcher:
    """Hands out scope nodes by (kind, name, line), each node at most once.

    Args:
        nodes: the file's scope nodes.
        use_first_line: key on ``first_line`` (code objects) instead of ``line`` (symtable).
        order_by_entry: order nodes sharing a key by symtable's entry order instead
            of walk order.
    """

    __slots__ = ("_queues", "_used")

    def __init__(
        self, nodes: Iterable[ScopeNode], *, use_first_line: bool, order_by_entry: bool
    ) -> None:
        queues: dict[tuple[str, str, int], list[ScopeNode]] = {}
        for node in nodes:
            line = node.first_line if use_first_line else node.line
            queues.setdefault((node.kind, node.name, line), []).append(node)
        if order_by_entry:
            for queue in queues.values():
                if len(queue) > 1:
                    queue.sort(key=lambda n: (n.entry, n.row))
        self._queues = queues
        self._used: set[int] = set()

    def candidates(
        self, kind: str, name: str, line: int, parent: int | None = None
    ) -> list[ScopeNode]:
        """Unused nodes with this key, in matching order.

        With ``parent`` (the row of the enclosing scope's node) the nodes whose
        ``parent`` is that row come alone when there are any.
        """
        unused = [n for n in self._queues.get((kind, name, line), ()) if n.row not in self._used]
        if parent is not None and len(unused) > 1:
            siblings = [n for n in unused if n.parent == parent]
            if siblings:
                return siblings
        return unused

    def take(self, node: ScopeNode) -> ScopeNode:
        """Mark ``node`` used and return it."""
        self._used.add(node.row)
        return node

    def take_first(
        self, kind: str, name: str, line: int, parent: int | None = None
    ) -> ScopeNode | None:
        """Take the first of :meth:`candidates`, if any."""
        found = self.candidates(kind, name, line, parent)
        return self.take(found[0]) if found else None
