"""What the resolver reads from type annotations: the classes each one names."""

from __future__ import annotations

import ast
import sys

import pytest

from codeanatomy.resolve._annotations import annotation_parts, type_aliases


def _parts(text: str) -> list[tuple[str, str]]:
    return [(mode, ast.unparse(name)) for mode, name in annotation_parts(ast.parse(text, mode="eval").body)]


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("Engine", [("i", "Engine")]),
        ("pkg.parts.Engine", [("i", "pkg.parts.Engine")]),
        ("'Engine'", [("i", "Engine")]),
        ("Optional['pkg.Engine']", [("i", "pkg.Engine")]),
        ("typing.Union[Engine, Wheel, None]", [("i", "Engine"), ("i", "Wheel")]),
        ("Engine | 'Wheel' | None", [("i", "Engine"), ("i", "Wheel")]),
        ("Box[int]", [("i", "Box")]),
        ("list[Engine]", [("list", "Engine")]),
        ("typing.Iterable['Engine | Wheel']", [("list", "Engine"), ("list", "Wheel")]),
        ("tuple[Engine, ...]", [("tuple", "Engine")]),
        ("Tuple[Engine, Wheel]", [("tuple", "Engine"), ("tuple", "Wheel")]),
        ("Mapping[str, Engine]", [("dict", "Engine")]),
        ("frozenset[Engine]", [("set", "Engine")]),
        ("list[list[Engine]]", []),
        ("Callable[..., Engine]", [("i", "Callable")]),
        ("type[Engine]", [("c", "Engine")]),
        ("Type[Optional[Engine]]", [("c", "Engine")]),
        ("Annotated[Engine, 'doc']", [("i", "Engine")]),
        ("ClassVar[Final[Engine]]", [("i", "Engine")]),
        ("Literal['a', 'b']", []),
        ("None", []),
        ("'not valid ('", []),
        ("f()", []),
    ],
)
def test_annotation_parts(annotation: str, expected: list[tuple[str, str]]) -> None:
    assert _parts(annotation) == expected


def test_deep_nesting_names_nothing() -> None:
    deep = "Optional[" * 40 + "Engine" + "]" * 40
    shallow = "Optional[" * 10 + "Engine" + "]" * 10
    assert _parts(deep) == []
    assert _parts(shallow) == [("i", "Engine")]


_ALIASES = """
from typing import Optional, TypeAlias, Union
Part = Union[Engine, Wheel]
Spare = Engine | None
Parts: TypeAlias = "list[Part]"
Loop = Optional["Loop2"]
Loop2 = Union[Loop, Horn]
Flags = re.I | re.M
Rebound = Union[Engine, Wheel]
Rebound = Horn
Plain = Engine
Note: str = "Engine"
"""


def test_type_aliases_are_the_module_level_names_bound_once_to_type_expressions() -> None:
    aliases = type_aliases(ast.parse(_ALIASES))
    assert sorted(aliases) == ["Flags", "Loop", "Loop2", "Part", "Parts", "Spare"]


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("Part", [("i", "Engine"), ("i", "Wheel")]),
        ("Optional[Spare]", [("i", "Engine")]),
        ("Parts", [("list", "Engine"), ("list", "Wheel")]),
        ("'Part | Horn'", [("i", "Engine"), ("i", "Wheel"), ("i", "Horn")]),
        ("Loop", [("i", "Loop"), ("i", "Horn")]),  # expanded once on each path, then read as a name
        ("Rebound", [("i", "Rebound")]),
        ("Plain", [("i", "Plain")]),
    ],
)
def test_annotations_read_a_type_alias_as_what_it_stands_for(annotation: str, expected: list[tuple[str, str]]) -> None:
    aliases = type_aliases(ast.parse(_ALIASES))
    parts = annotation_parts(ast.parse(annotation, mode="eval").body, aliases)
    assert [(mode, ast.unparse(name)) for mode, name in parts] == expected


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the type statement is 3.12's")
def test_a_type_statement_makes_an_alias() -> None:
    aliases = type_aliases(ast.parse("type Pair = tuple[Engine, Wheel]\n"))
    parts = annotation_parts(ast.parse("Pair", mode="eval").body, aliases)
    assert [(mode, ast.unparse(name)) for mode, name in parts] == [("tuple", "Engine"), ("tuple", "Wheel")]
