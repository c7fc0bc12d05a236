"""Class facts list the fields a generated ``__init__`` takes, as dataclasses and
``NamedTuple`` take them, and the dotted names of the class's decorators."""

from __future__ import annotations

from codeanatomy.resolve.facts import ClassFact
from tests.resolve._programs import facts_of

_PROGRAM = """
import dataclasses
import attr
import attrs
from pydantic import Field
from dataclasses import KW_ONLY, InitVar, dataclass, field
from typing import ClassVar


def make():
    return []


@dataclass(frozen=True)
class Plain:
    kept: ClassVar[int] = 0
    quoted: "ClassVar[int]" = 1
    first: int
    second: str = "x"
    seed: InitVar[int] = 0
    hidden: list = field(init=False, default_factory=list)
    made: list = field(default_factory=make)
    late: int = field(default=0, kw_only=True)
    _: KW_ONLY
    after: int = 0
    not_a_field = 3

    def method(self):
        count: int = 0
        return count


@dataclasses.dataclass(kw_only=True)
class AllKeywords:
    one: int
    two: int


class Undecorated:
    only: int


class Described:
    by_attrs: list = attr.ib(factory=list)
    by_attrs_field: list = attrs.field(factory=make, kw_only=True)
    by_pydantic: list = Field(default_factory=make)
    plain: list = make()
    unannotated = attr.ib(factory=make)
    not_a_field = make()
"""


def _classes() -> dict[str, ClassFact]:
    (module,) = facts_of({"main.py": _PROGRAM})
    return {cls.name: cls for cls in module.classes}


def test_fields_in_body_order_with_their_kind() -> None:
    plain = _classes()["Plain"]
    assert [(f.name, f.kind) for f in plain.fields] == [
        ("first", "positional"),
        ("second", "positional"),
        ("seed", "initvar"),
        ("hidden", "no_init"),
        ("made", "positional"),
        ("late", "keyword"),
        ("after", "keyword"),
    ]


def test_default_factories_are_kept_when_dotted_names() -> None:
    factories = {f.name: f.factory for f in _classes()["Plain"].fields}
    assert factories["hidden"] is not None and factories["made"] is not None
    assert factories["first"] is None and factories["late"] is None


def test_kw_only_decorator_makes_every_field_keyword() -> None:
    assert [(f.name, f.kind) for f in _classes()["AllKeywords"].fields] == [("one", "keyword"), ("two", "keyword")]


def test_decorators_name_what_they_apply_or_call() -> None:
    classes = _classes()
    assert len(classes["Plain"].decorators) == 1  # ``dataclass`` of ``@dataclass(frozen=True)``
    assert classes["AllKeywords"].decorators[0][0] == "a"  # ``dataclasses.dataclass``
    assert classes["Undecorated"].decorators == ()
    assert [f.name for f in classes["Undecorated"].fields] == ["only"]


def test_attrs_and_pydantic_field_specifiers_give_factories_and_kinds() -> None:
    fields = _classes()["Described"].fields
    assert [(f.name, f.kind) for f in fields] == [
        ("by_attrs", "positional"),
        ("by_attrs_field", "keyword"),
        ("by_pydantic", "positional"),
        ("plain", "positional"),
        ("unannotated", "positional"),
    ]
    assert [f.factory is not None for f in fields] == [True, True, True, False, True]
    assert [(f.annotated, f.specified) for f in fields] == [
        (True, True), (True, True), (True, True), (True, False), (False, True)
    ]


_TUPLES = """
import collections
import typing

Spaced = collections.namedtuple("Spaced", "a b")
Commas = collections.namedtuple("Commas", "a, b,c")
Listed = collections.namedtuple("Listed", ["a", "b"])
Typed = typing.NamedTuple("Typed", [("a", int), ("b", str)])
Computed = collections.namedtuple("Computed", names)
NAMES = ["a", "b"]
Named = collections.namedtuple("Named", NAMES)
CHANGED = "a b"
CHANGED += " c"
Changed = collections.namedtuple("Changed", CHANGED)
"""


def test_namedtuple_calls_with_literal_fields_make_classes() -> None:
    (module,) = facts_of({"main.py": _TUPLES})
    made = {cls.name: cls for cls in module.classes}
    assert sorted(made) == ["Commas", "Listed", "Named", "Spaced", "Typed"]  # not ``Computed``, ``Changed``
    assert all(cls.tuple_call and cls.qualname == f"main.{cls.name}" for cls in made.values())
    assert [f.name for f in made["Commas"].fields] == ["a", "b", "c"]
    assert [f.name for f in made["Typed"].fields] == ["a", "b"]
    calls = {con[3] for con in module.constraints if con[0] == "call"}
    assert {cls.node_id for cls in made.values()} <= calls  # each class's node is its call's
