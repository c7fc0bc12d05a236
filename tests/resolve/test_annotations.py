"""What the resolver reads from type annotations: the classes each one names."""

from __future__ import annotations

import ast
import sys

import pytest

from codeanatomy.resolve._annotations import annotation_parts, type_aliases
from codeanatomy.resolve.pycg import to_pycg
from tests.resolve._programs import resolve_files


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


_ALIAS_PROGRAM = """
from typing import Optional, TypeAlias, Union

class Engine:
    def start(self): ...

class Wheel:
    def start(self): ...

class Horn:
    def start(self): ...

Part = Union[Engine, Wheel]
Parts: TypeAlias = "list[Part]"
Loop = Optional["Loop2"]
Loop2 = Union[Loop, Horn]
Rebound = Union[Engine, Wheel]
Rebound = Horn

def one(part: Part):
    part.start()

def many(parts: Parts):
    for part in parts:
        part.start()

def looped(item: Loop):
    item.start()

def rebound(item: Rebound):
    item.start()

def shadowed():
    Part = Horn
    def inner(item: Part):
        item.start()
    return inner
"""


def test_an_annotation_reads_a_type_alias_as_what_it_stands_for() -> None:
    graph = to_pycg(resolve_files({"main.py": _ALIAS_PROGRAM}))
    engine_or_wheel = ["main.Engine.start", "main.Wheel.start"]
    assert graph["main.one"] == engine_or_wheel
    assert graph["main.many"] == engine_or_wheel  # an alias inside a string alias's container
    assert graph["main.looped"] == ["main.Horn.start"]  # aliases naming each other end
    assert graph["main.rebound"] == ["main.Horn.start"]  # bound twice: a plain variable, holding Horn
    assert graph["main.shadowed.inner"] == ["main.Horn.start"]  # the local name, not the alias


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the type statement is 3.12's")
def test_a_type_statement_makes_an_alias() -> None:
    source = "class Engine:\n    def start(self): ...\n\ntype Spare = Engine | None\n\ndef fit(spare: Spare):\n    spare.start()\n"
    assert sorted(type_aliases(ast.parse(source))) == ["Spare"]
    assert to_pycg(resolve_files({"main.py": source}))["main.fit"] == ["main.Engine.start"]
