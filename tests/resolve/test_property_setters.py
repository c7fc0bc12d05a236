"""Assigning to a property with a setter calls the setter, which gets the value."""

from __future__ import annotations

from codeanatomy.extract._ast_index import ast_index_of
from tests.resolve._programs import resolve_files, source_of

_PROGRAM = '''
class Engine:
    def start(self):
        pass


class Car:
    def __init__(self):
        self._engine = None

    @property
    def engine(self):
        return self._engine

    @engine.setter
    def engine(self, value):
        self._engine = value

    def fit(self, engine):
        self.engine = engine

    def drive(self):
        self._engine.start()


class Plain:
    @property
    def size(self):
        return 1

    def grow(self):
        self.size = 2


car = Car()
car.fit(Engine())
car.drive()
Plain().grow()
'''


def _callees(caller: str) -> set[tuple[str, int, str]]:
    """(qualname, line, method) of what ``caller`` calls."""
    files = {"main.py": _PROGRAM}
    index = ast_index_of(source_of("main.py", _PROGRAM))
    lines = dict(zip(index.node_id, index.line, strict=True))
    qualnames = dict(zip(index.node_id, index.qualname, strict=True))
    edges = resolve_files(files).tables["call_edges"].to_pylist()
    return {
        (qualnames[r["callee_node_id"]], lines[r["callee_node_id"]], r["method"])
        for r in edges
        if r["caller_pycg"] == caller and r["callee_node_id"] is not None
    }


def test_an_assignment_to_a_property_calls_its_setter_with_the_value() -> None:
    # The setter (line 15), not the getter (line 11);
    # the value it stores reaches ``drive``.
    assert _callees("main.Car.fit") == {("main.Car.engine", 15, "property")}
    assert _callees("main.Car.drive") == {("main.Engine.start", 2, "mro")}


def test_a_property_without_a_setter_calls_nothing_on_assignment() -> None:
    assert _callees("main.Plain.grow") == set()
