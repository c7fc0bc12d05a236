"""The classes a type annotation names, as the resolver takes them for values.

``engine: Engine``, ``Optional["Engine"]``, ``Engine | None`` and ``Engine[int]`` all
name an instance of ``Engine``; ``type[Engine]`` names the class itself;
``list[Engine]``, ``Iterable[Engine]`` or ``tuple[Engine, ...]`` a container of
``Engine`` instances, and ``dict[str, Engine]`` or ``Mapping[str, Engine]`` a mapping to
them. Other subscripted names (``Callable[..., Engine]``) name their origin only, and
``Literal[...]`` names nothing. A type alias (``Part = Union[Engine, Wheel]``, see
:func:`type_aliases`) is a name here like any other: the name's value in the solver,
``("TA", module_id, name)``, stands for what the alias names. The resolver gives these
values to parameters, returns and attributes that nothing else gives a value
(:mod:`.solver`).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable
from typing import Final, TypeVar

from codeanatomy.extract._ast_index import dotted_name

__all__ = ["CLASS", "INSTANCE", "annotation_parts", "type_aliases", "within"]

_Name = TypeVar("_Name")

INSTANCE: Final = "i"
"""The annotation names an instance of the class."""
CLASS: Final = "c"
"""The annotation names the class itself (``type[C]``)."""

_UNIONS: Final = frozenset({"Optional", "Union"})
_FIRST_ARGUMENT: Final = frozenset(
    {"Annotated", "Final", "ClassVar", "Required", "NotRequired", "ReadOnly", "TypeGuard", "TypeIs"}
)
_CLASS_OF: Final = frozenset({"type", "Type"})
_NOTHING: Final = frozenset({"Literal", "LiteralString"})
_CONTAINERS: Final = {
    **dict.fromkeys(
        (
            "list", "List", "Sequence", "MutableSequence", "Iterable", "Iterator", "Collection",
            "Reversible", "Generator", "AsyncIterable", "AsyncIterator", "AsyncGenerator",
            "deque", "Deque", "ValuesView",
        ),
        "list",
    ),
    **dict.fromkeys(("set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet", "KeysView"), "set"),
    **dict.fromkeys(("tuple", "Tuple"), "tuple"),
    **dict.fromkeys(
        ("dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "DefaultDict", "OrderedDict", "ChainMap"),
        "dict",
    ),
}
"""Generic containers by name, with the kind of container their values are modelled as
(the other modes of :func:`annotation_parts`): their elements, or a mapping's values,
are instances of the classes their arguments name."""
_MAX_DEPTH: Final = 16


def type_aliases(tree: ast.Module) -> dict[str, ast.expr]:
    """The module's type aliases that only the annotations using them can read, by name.

    ``Part = Union[Engine, Wheel]``, ``Spare = Engine | None``, ``Parts: TypeAlias =
    "list[Part]"`` and (3.12) ``type Pair = tuple[Engine, Wheel]``: module-level names
    bound once, to a subscript, a ``|`` or (declared ``TypeAlias``) a string. At run time
    their values are typing objects, not the classes they name. Other uses of such a
    value (``FLAGS = re.I | re.M``) are never expanded: only an annotation reading the
    name is.
    """
    found: dict[str, ast.expr] = {}
    bound: dict[str, int] = {}
    for stmt in tree.body:
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            if isinstance(stmt.value, ast.Subscript) or (isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.op, ast.BitOr)):
                value = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            declared = dotted_name(stmt.annotation) or ""
            if declared.rpartition(".")[2] == "TypeAlias":
                value = stmt.value
        elif type(stmt).__name__ == "TypeAlias":  # 3.12+: ``type Name = value``
            name, value = stmt.name.id, stmt.value  # type: ignore[attr-defined]  # not in 3.11's ast
        else:
            continue
        bound[name] = bound.get(name, 0) + 1
        if value is not None:
            found[name] = value
    return {name: value for name, value in found.items() if bound[name] == 1}


def annotation_parts(node: ast.expr, depth: int = 0) -> list[tuple[str, ast.expr]]:
    """The dotted names an annotation refers to, each with its mode.

    The mode is ``INSTANCE``, ``CLASS``, or a container kind (``list``, ``set``,
    ``tuple``, ``dict``) whose elements (a ``dict``'s values) are instances of the
    name. A string annotation is parsed and read the same way; one that does not
    parse names nothing.

    >>> text = "Optional[a.Engine] | type['Wheel'] | dict[str, Horn]"
    >>> parts = annotation_parts(ast.parse(text, mode="eval").body)
    >>> [(mode, ast.unparse(name)) for mode, name in parts]
    [('i', 'a.Engine'), ('c', 'Wheel'), ('dict', 'Horn')]
    """
    if depth > _MAX_DEPTH:
        return []

    def inner(part: ast.expr) -> list[tuple[str, ast.expr]]:
        return annotation_parts(part, depth + 1)

    if isinstance(node, (ast.Name, ast.Attribute)):
        return [(INSTANCE, node)] if dotted_name(node) is not None else []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parsed = _parse(node.value)
        return [] if parsed is None else inner(parsed)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return inner(node.left) + inner(node.right)
    if not isinstance(node, ast.Subscript):
        return []
    origin = dotted_name(node.value)
    if origin is None:
        return []
    last = origin.rpartition(".")[2]
    arguments = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if last in _UNIONS:
        return [part for argument in arguments for part in inner(argument)]
    if last in _FIRST_ARGUMENT:
        return inner(arguments[0]) if arguments else []
    if last in _CLASS_OF:
        return within(CLASS, [part for argument in arguments for part in inner(argument)])
    if last in _NOTHING:
        return []
    kind = _CONTAINERS.get(last)
    if kind is None:
        return [(INSTANCE, node.value)]
    if kind == "dict":
        arguments = arguments[1:2]
    elif kind != "tuple":
        arguments = arguments[:1]
    return within(kind, [part for argument in arguments for part in inner(argument)])


def within(outer: str, parts: Iterable[tuple[str, _Name]]) -> list[tuple[str, _Name]]:
    """``parts`` read inside a part of mode ``outer`` (``type[...]``, a container, or an
    alias used in that mode): an instance takes the outer mode; a class or a container
    inside ``type[...]`` or a container names nothing. Inside an instance, all stay."""
    if outer == INSTANCE:
        return list(parts)
    return [(outer, name) for mode, name in parts if mode == INSTANCE]


def _parse(text: str) -> ast.expr | None:
    """A string annotation's expression, or None when it is not one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
