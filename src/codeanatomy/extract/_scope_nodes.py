"""The ast nodes that open a CPython scope, found once per file for symtable and bytecode linking.

CPython's ``symtable`` and compiler report scopes and code objects by name and
line only. :func:`scope_nodes_of` lists the ast nodes that can own one (module,
class, function, lambda, comprehension, ``type`` alias) with the keys both layers
match on, so that a scope or code object gets the ``node_id`` of its ast node:

* ``line``: the node's own line (``def``/``class`` keyword line), as symtable reports.
* ``first_line``: the first decorator's line when decorated, as ``co_firstlineno`` is.
* ``entry``: the offset at which symtable enters the scope (after default values
  and the first comprehension iterable, which belong to the enclosing scope), so
  that scopes sharing (kind, name, line) are matched in symtable's order.
"""

from __future__ import annotations

import ast
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
_SCOPE_TYPES: Final = (
    _DEFINITIONS | frozenset(COMPREHENSION_NAMES) | {"Module", "Lambda", "TypeAlias"}
)


@dataclass(frozen=True, slots=True)
class ScopeNode:
    """An ast node that opens a scope.

    Attributes:
        row: the node's row in the file's :class:`AstIndex`.
        kind: ``module``, ``class``, ``function``, ``lambda``, ``comprehension`` or ``type_alias``.
        name: the scope's name as CPython gives it (``lambda``, ``listcomp``, the def name).
        line: the node's 1-based line.
        first_line: the first decorator's line, else ``line``.
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
    for row, ast_type in enumerate(index.ast_type):
        if ast_type not in _SCOPE_TYPES:
            continue
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
                entry,
                qualname or name,
                index.bstart[row],
                index.bend[row],
            )
        )
    return tuple(out)


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

    def candidates(self, kind: str, name: str, line: int) -> list[ScopeNode]:
        """Unused nodes with this key, in matching order."""
        queue = self._queues.get((kind, name, line), ())
        return [n for n in queue if n.row not in self._used]

    def take(self, node: ScopeNode) -> ScopeNode:
        """Mark ``node`` used and return it."""
        self._used.add(node.row)
        return node

    def take_first(self, kind: str, name: str, line: int) -> ScopeNode | None:
        """Take the first unused node with this key, if any."""
        for node in self._queues.get((kind, name, line), ()):
            if node.row not in self._used:
                self._used.add(node.row)
                return node
        return None
