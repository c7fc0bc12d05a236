"""What the resolver reads from type annotations: the classes each one names."""

from __future__ import annotations

import ast

import pytest

from codeanatomy.resolve._annotations import annotation_parts


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
