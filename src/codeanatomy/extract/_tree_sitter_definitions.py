"""Definitions, calls and imports of a tree-sitter tree, with the qualnames ``ast`` gives.

Rows follow :mod:`codeanatomy.extract._definitions`: a class or function spans from
its ``class``/``def``/``async``/``lambda`` keyword to the end of its body's last token
(tree-sitter attaches trailing comments to the block; they are not tokens, while a
trailing ``;`` is, as CPython counts it), a call
from its callee to ``)``, an import one row per imported name.

Qualnames match :mod:`codeanatomy.extract._ast_index`: the module name, then the names
of the enclosing classes and functions; lambdas are ``<lambdaN>``, numbered per
enclosing qualname in the order CPython's ``ast`` fields visit them. Only a
definition's body is its own scope: decorators, defaults, annotations and bases belong
to the enclosing one. Scopes are assigned by byte ranges, not by tree shape, so they
also hold inside ERROR nodes.

Recovery: a ``def``/``class`` keyword directly inside an ERROR node, followed by a
name, still yields a definition (a header missing its colon is the common cause); it
spans the lines indented below its header. The ``name(...)`` tree-sitter reads there
as a call is not reported as a call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from tree_sitter import Node

from codeanatomy.extract._definition_qualnames import DefinitionRow, assign_qualnames
from codeanatomy.extract._definitions import position_columns
from codeanatomy.source import SourceFile

__all__ = ["definition_columns"]

_SKIPPED_TAIL: Final = frozenset({"comment"})
_SCOPE_TYPES: Final = frozenset({"function_definition", "class_definition", "lambda"})
_IMPORT_TYPES: Final = frozenset(
    {"import_statement", "import_from_statement", "future_import_statement"}
)
_PARAMETER_LISTS: Final = frozenset({"parameters", "lambda_parameters"})
_KEYWORD_ARGUMENTS: Final = frozenset({"keyword_argument", "dictionary_splat"})
_STARS: Final = frozenset({"list_splat_pattern", "keyword_separator"})
_SPLATS: Final = frozenset({"list_splat", "dictionary_splat"})
_LEFT_FIELD: Final = {"attribute": "object", "call": "function", "subscript": "value"}


def definition_columns(
    source: SourceFile, text: bytes, nodes: Sequence[Node]
) -> dict[str, Sequence[object]]:
    """Return ``tree_sitter_definitions`` columns for the collected ``nodes``.

    Args:
        source: the file (its module name prefixes qualnames; its lines convert offsets).
        text: the UTF-8 text tree-sitter parsed.
        nodes: the function, class, lambda, call, import and ERROR nodes of the tree,
            in pre-order.
    """
    items: list[DefinitionRow] = []
    skipped_calls: set[int] = set()
    call_starts: dict[int, int] = {}
    for node in nodes:
        node_type = node.type
        if node_type == "call":
            if node.id not in skipped_calls:
                start = node.start_byte
                if text[start : start + 1] == b"*":
                    start = _unsplatted_start(node)
                name = _callee_name(node)
                if start in call_starts:  # a call on ``type(x)`` misread as an alias
                    start, name = call_starts[start], None
                items.append(DefinitionRow("CALL", name, start, node.end_byte))
        elif node_type == "type_alias_statement":
            items.extend(_type_call(node, text, call_starts))
        elif node_type in _IMPORT_TYPES:
            items.extend(_imports(node))
        elif node_type == "ERROR":
            items.extend(_recovered(node, text, skipped_calls))
        else:
            items.append(_scope_item(node))
    items.sort(key=lambda item: (item.start, -item.end))
    _assign_scopes(items)
    assign_qualnames(items, source.module, lambda item: _ast_order(item.node))  # type: ignore[arg-type]
    to_offset = source.lines.from_utf8_offset
    bstarts = [to_offset(item.start) for item in items]
    bends = [to_offset(item.end) for item in items]
    return {
        "kind": [item.kind for item in items],
        "name": [item.name for item in items],
        "qualname": [item.qualname for item in items],
        "bstart": bstarts,
        "bend": bends,
        **position_columns(source.lines, bstarts, bends),
    }


def _text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8", errors="replace") if node is not None else ""


def _scope_item(node: Node) -> DefinitionRow:
    """A function, class or lambda node as a row with its body's range."""
    end = _last_token_end(node)
    body = node.child_by_field_name("body")
    if node.type == "lambda":
        scope = (body.start_byte, node.end_byte) if body is not None else None
        return DefinitionRow("FUNCTION", "<lambda>", node.start_byte, end, node, scope)
    kind = "CLASS" if node.type == "class_definition" else "FUNCTION"
    scope = None
    if body is not None:
        # From the header's colon: what tree-sitter left in an ERROR between the
        # colon and the block still belongs to the body.
        colon = body.prev_sibling
        while colon is not None and colon.type != ":":
            colon = colon.prev_sibling
        scope = (colon.end_byte if colon is not None else body.start_byte, node.end_byte)
    name = _text(node.child_by_field_name("name"))
    return DefinitionRow(kind, name, node.start_byte, end, node, scope)


def _last_token_end(node: Node) -> int:
    """End of the last token under ``node``, comments, ``;`` and inserted tokens skipped."""
    while node.child_count:
        index = node.child_count - 1
        child: Node | None = node.child(index)
        while child is not None and (
            child.type in _SKIPPED_TAIL or child.start_byte == child.end_byte
        ):
            index -= 1
            child = node.child(index) if index >= 0 else None
        if child is None:
            break
        node = child
    return node.end_byte


def _unsplatted_start(call: Node) -> int:
    """Start of a call tree-sitter read as ``(*a).b()`` in ``[*a.b()]``: after the star.

    In a list or set display tree-sitter binds ``*`` tighter than the attribute and
    call; ``ast`` (rightly) starts the call at ``a``.
    """
    node = call.child_by_field_name("function")
    while node is not None:
        node_type = node.type
        if node_type in _SPLATS:
            inner = node.named_child(0)
            return inner.start_byte if inner is not None else call.start_byte
        node = node.child_by_field_name(_LEFT_FIELD.get(node_type, ""))
    return call.start_byte


def _type_call(statement: Node, text: bytes, call_starts: dict[int, int]) -> list[DefinitionRow]:
    """The ``type(x)`` call of ``type(x).a = 1``, which tree-sitter reads as a type alias.

    Tree-sitter takes the soft keyword ``type`` followed by ``(`` for a PEP 695
    alias of ``(x).a``; a real alias never has ``(`` after ``type``. Calls further
    along the target (``type(x).f().a = 1``) start at ``type`` too (``call_starts``).
    """
    after = statement.start_byte + len(b"type")
    if text[after : statement.end_byte].lstrip()[:1] != b"(":
        return []
    node = statement.child_by_field_name("left")
    while node is not None and node.type != "parenthesized_expression":
        if node.type == "type":
            node = node.named_child(0)
        else:
            node = node.child_by_field_name(_LEFT_FIELD.get(node.type, ""))
    if node is None:
        return []
    call_starts[node.start_byte] = statement.start_byte
    return [DefinitionRow("CALL", "type", statement.start_byte, node.end_byte)]


def _callee_name(call: Node) -> str | None:
    """Dotted callee text (``a.b.c``) when the callee is a name or attribute chain."""
    parts: list[str] = []
    node = call.child_by_field_name("function")
    while node is not None:
        node_type = node.type
        if node_type == "identifier":
            parts.append(_text(node))
            return ".".join(reversed(parts))
        if node_type == "attribute":
            parts.append(_text(node.child_by_field_name("attribute")))
            node = node.child_by_field_name("object")
        elif node_type in _SPLATS or (
            node_type == "parenthesized_expression" and node.named_child_count == 1
        ):
            node = node.named_child(0)
        else:
            return None
    return None


def _imports(statement: Node) -> list[DefinitionRow]:
    """One IMPORT row per imported name (``*`` for a star import)."""
    rows: list[DefinitionRow] = []
    for name in statement.children_by_field_name("name"):
        if name.type == "aliased_import":
            bound = _text(name.child_by_field_name("alias"))
        else:
            bound = ".".join(
                _text(part) for part in name.named_children if part.type == "identifier"
            )
        rows.append(DefinitionRow("IMPORT", bound, name.start_byte, name.end_byte))
    for child in statement.named_children:
        if child.type == "wildcard_import":
            rows.append(DefinitionRow("IMPORT", "*", child.start_byte, child.end_byte))
    return rows


def _recovered(error: Node, text: bytes, skipped_calls: set[int]) -> list[DefinitionRow]:
    """Definitions whose header tree-sitter could only keep as tokens of an ERROR node."""
    rows: list[DefinitionRow] = []
    children = error.children
    for index, keyword in enumerate(children[:-1]):
        if keyword.type not in ("def", "class") or keyword.is_named:
            continue
        head = children[index + 1]
        if head.type == "call":
            callee = head.child_by_field_name("function")
            if callee is None or callee.type != "identifier":
                continue
            skipped_calls.add(head.id)
            head = callee
        elif head.type != "identifier":
            continue
        start = keyword.start_byte
        if index > 0 and children[index - 1].type == "async":
            start = children[index - 1].start_byte
        end = _indented_end(text, keyword.start_byte)
        kind = "CLASS" if keyword.type == "class" else "FUNCTION"
        rows.append(DefinitionRow(kind, _text(head), start, end, None, (head.end_byte, end)))
    return rows


def _indented_end(text: bytes, start: int) -> int:
    """End of the last non-blank, non-comment line indented deeper than ``start``'s line."""
    begin = text.rfind(b"\n", 0, start) + 1
    header = text[begin:start]
    indent = len(header) - len(header.lstrip(b" \t\f"))
    newline = text.find(b"\n", start)
    if newline < 0:
        return begin + len(text[begin:].rstrip())
    end = begin + len(text[begin:newline].rstrip())
    pos = newline + 1
    while pos < len(text):
        newline = text.find(b"\n", pos)
        stop = newline if newline >= 0 else len(text)
        line = text[pos:stop]
        content = line.lstrip(b" \t\f")
        if content.strip() and not content.startswith(b"#"):
            if len(line) - len(content) <= indent:
                break
            end = pos + len(line.rstrip())
        if newline < 0:
            break
        pos = newline + 1
    return end


def _assign_scopes(items: list[DefinitionRow]) -> None:
    """Set each item's enclosing scope (index into ``items``, -1 for the module) and depth.

    ``items`` is in source order (start ascending, enclosing before enclosed).
    """
    open_scopes: list[int] = []
    for index, item in enumerate(items):
        while open_scopes and items[open_scopes[-1]].scope[1] <= item.start:  # type: ignore[index]
            open_scopes.pop()
        for candidate in reversed(open_scopes):
            scope_start, scope_end = items[candidate].scope  # type: ignore[misc]
            if scope_start <= item.start < scope_end:
                item.parent = candidate
                item.depth = items[candidate].depth + 1
                break
        if item.scope is not None:
            open_scopes.append(index)


def _ast_order(node: Node) -> tuple[tuple[int, int], ...]:
    """Sort key placing ``node`` where CPython's ``ast`` pre-order visits it.

    Tree-sitter children are in source order; ``ast`` fields differ in a few places:
    ``arguments`` (annotations, then keyword-only defaults, the ``**`` annotation,
    then positional defaults), ``IfExp`` (test first), ``Dict`` (all keys, then all
    values) and call or class arguments (positional before keyword).
    """
    path: list[Node] = []
    current: Node | None = node
    while current is not None:
        path.append(current)
        current = current.parent
    path.reverse()
    key: list[tuple[int, int]] = []
    for depth in range(len(path) - 1):
        parent, child = path[depth], path[depth + 1]
        below = path[depth + 2] if depth + 2 < len(path) else None
        key.append((_field_group(parent, child, below), child.start_byte))
    return tuple(key)


def _field_group(parent: Node, child: Node, below: Node | None) -> int:
    """Rank of the ``ast`` field holding ``child`` (via ``below``) among ``parent``'s fields."""
    parent_type = parent.type
    if parent_type in _PARAMETER_LISTS:
        keyword_only = False
        for sibling in parent.named_children:
            if sibling.start_byte >= child.start_byte:
                break
            first = sibling.named_child(0) if sibling.type == "typed_parameter" else sibling
            if sibling.type in _STARS or (first is not None and first.type in _STARS):
                keyword_only = True
        value = child.child_by_field_name("value")
        is_default = value is not None and below is not None and below.id == value.id
        if is_default:
            return 1 if keyword_only else 3
        first = child.named_child(0) if child.type == "typed_parameter" else child
        is_kwarg = first is not None and first.type == "dictionary_splat_pattern"
        return 2 if is_kwarg else 0
    if parent_type == "conditional_expression":
        operands = [c for c in parent.named_children if c.type != "comment"]
        position = next((i for i, c in enumerate(operands) if c.id == child.id), 0)
        return (1, 0, 2)[position] if position < 3 else position
    if parent_type == "dictionary":
        if child.type == "pair":
            key = child.child_by_field_name("key")
            return 0 if below is not None and key is not None and below.id == key.id else 1
        return 1
    if parent_type == "argument_list":
        return 1 if child.type in _KEYWORD_ARGUMENTS else 0
    return 0
