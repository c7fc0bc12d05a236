"""Link each code object of a compiled module to the ast node that owns it.

A code object is known by its name, flags and ``co_firstlineno`` (the first
decorator's line for a decorated ``def``/``class``), and by its place in the code
tree (its parent's ``co_consts``). Kinds:

* ``module``, ``class``, ``function``, ``lambda``, ``comprehension`` (list, set and
  dict comprehensions only up to 3.11; generator expressions always);
* on 3.12+, ``type_params`` (``<generic parameters of f>``, linked to the generic
  definition), ``type_variable`` (a lazily evaluated bound, constraint or default,
  linked to its ``TypeVar``/``ParamSpec``/``TypeVarTuple`` node) and ``type_alias``
  (linked to the ``TypeAlias`` statement).

Candidates are restricted to the children of the parent code object's node
(see :mod:`codeanatomy.extract._scope_nodes`); siblings still sharing a key
(lambdas or comprehensions on one line) are told apart by the source positions of
their instructions, which lie inside their own ast node.
"""

from __future__ import annotations

import dis
from types import CodeType
from typing import Final

from codeanatomy.extract._ast_index import AstIndex
from codeanatomy.extract._scope_nodes import ScopeMatcher, ScopeNode, type_param_row
from codeanatomy.spans import SourceLines

__all__ = ["CodeLink", "link_code"]

_CO_OPTIMIZED: Final = next(
    bit for bit, name in dis.COMPILER_FLAG_NAMES.items() if name == "OPTIMIZED"
)
_COMPREHENSIONS: Final = {
    "<listcomp>": "listcomp",
    "<setcomp>": "setcomp",
    "<dictcomp>": "dictcomp",
    "<genexpr>": "genexpr",
}
_GENERIC_PREFIX: Final = "<generic parameters of "
_OWNER_KINDS: Final = ("function", "class", "type_alias")

CodeLink = tuple[str, ScopeNode | None, int | None]
"""(kind, scope node or None, ast row or None) of one code object."""


def link_code(
    code: CodeType,
    parent: CodeLink | None,
    is_last_child: bool,
    matcher: ScopeMatcher,
    index: AstIndex,
    module_node: ScopeNode,
    lines: SourceLines,
) -> CodeLink:
    """Return the kind and ast owner of ``code``.

    Args:
        code: the code object.
        parent: the link of the code object whose ``co_consts`` hold ``code``.
        is_last_child: ``code`` is the last code object in its parent's constants.
        matcher: the file's scope nodes, keyed by first line.
        index: the file's ast index.
        module_node: the module's scope node.
        lines: the file's line table (for positions).
    """
    name = code.co_name
    line = code.co_firstlineno
    if parent is None:
        return "module", module_node, module_node.row
    parent_kind, owner, _ = parent
    enclosing: int | None = None
    if owner is not None:
        enclosing = owner.parent if parent_kind == "type_params" else owner.row
    if name == "<lambda>":
        return _take(matcher, "lambda", "lambda", line, enclosing, code, lines)
    comprehension = _COMPREHENSIONS.get(name)
    if comprehension is not None:
        return _take(matcher, "comprehension", comprehension, line, enclosing, code, lines)
    if name.startswith(_GENERIC_PREFIX):
        owner_name = name[len(_GENERIC_PREFIX) : -1]
        for kind in _OWNER_KINDS:
            found = matcher.candidates(kind, owner_name, line, enclosing)
            if found:
                return "type_params", found[0], found[0].row
        return "type_params", None, None
    if parent_kind == "type_params" and owner is not None:
        if name == owner.name and is_last_child:
            matcher.take(owner)
            return owner.kind, owner, owner.row
        row = type_param_row(index, owner.row, name)
        if row is not None:
            return "type_variable", None, row
    if not code.co_flags & _CO_OPTIMIZED:
        return _take(matcher, "class", name, line, enclosing, code, lines)
    kind, node, row = _take(matcher, "function", name, line, enclosing, code, lines)
    if node is None:
        alias = _take(matcher, "type_alias", name, line, enclosing, code, lines)
        if alias[1] is not None:
            return alias
    return kind, node, row


def _take(
    matcher: ScopeMatcher,
    kind: str,
    name: str,
    line: int,
    enclosing: int | None,
    code: CodeType,
    lines: SourceLines,
) -> CodeLink:
    found = matcher.candidates(kind, name, line, enclosing)
    if not found:
        return kind, None, None
    chosen = found[0]
    if len(found) > 1:
        chosen = _by_position(found, code, lines)
    matcher.take(chosen)
    return kind, chosen, chosen.row


def _by_position(found: list[ScopeNode], code: CodeType, lines: SourceLines) -> ScopeNode:
    """The candidate holding most of ``code``'s source ranges (the innermost on a tie).

    Siblings sharing a key can nest (a lambda in another's default value, a
    generator in another's first iterable), so the body positions of ``code``
    can lie in several candidates; the innermost holding all of them is its own.
    """
    starts = _range_starts(code, lines)
    return max(
        found,
        key=lambda n: (sum(n.bstart <= s < n.bend for s in starts), n.bstart - n.bend),
    )


def _range_starts(code: CodeType, lines: SourceLines) -> list[int]:
    """Offsets where the non-empty source ranges of ``code``'s own instructions start."""
    starts = set()
    for line, end_line, col, end_col in code.co_positions():
        if line is None or end_line is None or col is None or end_col is None or line < 1:
            continue
        if (end_line, end_col) > (line, col):
            starts.add(lines.from_utf8_col(line, col))
    return sorted(starts)
