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

Code objects sharing a key (lambdas or comprehensions on one line) are told apart
by their first source position, which lies inside their own ast node.
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
    if name == "<lambda>":
        return _take(matcher, "lambda", "lambda", line, code, lines)
    comprehension = _COMPREHENSIONS.get(name)
    if comprehension is not None:
        return _take(matcher, "comprehension", comprehension, line, code, lines)
    if name.startswith(_GENERIC_PREFIX):
        owner_name = name[len(_GENERIC_PREFIX) : -1]
        for kind in _OWNER_KINDS:
            found = matcher.candidates(kind, owner_name, line)
            if found:
                return "type_params", found[0], found[0].row
        return "type_params", None, None
    parent_kind, owner, _ = parent
    if parent_kind == "type_params" and owner is not None:
        if name == owner.name and is_last_child:
            matcher.take(owner)
            return owner.kind, owner, owner.row
        row = type_param_row(index, owner.row, name)
        if row is not None:
            return "type_variable", None, row
    if not code.co_flags & _CO_OPTIMIZED:
        return _take(matcher, "class", name, line, code, lines)
    kind, node, row = _take(matcher, "function", name, line, code, lines)
    if node is None:
        alias = _take(matcher, "type_alias", name, line, code, lines)
        if alias[1] is not None:
            return alias
    return kind, node, row


def _take(
    matcher: ScopeMatcher, kind: str, name: str, line: int, code: CodeType, lines: SourceLines
) -> CodeLink:
    found = matcher.candidates(kind, name, line)
    if not found:
        return kind, None, None
    chosen = found[0]
    if len(found) > 1:
        anchor = _anchor(code, lines)
        if anchor is not None:
            chosen = next((n for n in found if n.bstart <= anchor < n.bend), chosen)
    matcher.take(chosen)
    return kind, chosen, chosen.row


def _anchor(code: CodeType, lines: SourceLines) -> int | None:
    """Offset of the first non-empty source range of ``code``'s own instructions."""
    for line, end_line, col, end_col in code.co_positions():
        if line is None or end_line is None or col is None or end_col is None or line < 1:
            continue
        if (end_line, end_col) > (line, col):
            return lines.from_utf8_col(line, col)
    return None
