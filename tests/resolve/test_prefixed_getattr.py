"""``getattr(self, "visit_" + kind)``: every class's methods looked up, the result added to once a run."""

from __future__ import annotations

from typing import Any

import pytest

from codeanatomy.resolve.program import solve_program
from codeanatomy.resolve.solver import MAX_VALUES, Solver
from tests.resolve._programs import facts_of

SUBCLASSES = 24
KINDS = 10


def _edges(result: Any) -> set[tuple[str, str]]:
    return {(r["caller_pycg"], r["callee_pycg"]) for r in result.tables["call_edges"].to_pylist()}


def _visitors() -> dict[str, str]:
    """A visitor base with ``KINDS`` methods, and ``SUBCLASSES`` subclasses overriding each,
    made one level of returns apart: the visitors reach ``visit`` one pass after another,
    and ``visit``'s ``getattr`` reads more bound methods than a value set holds."""
    methods = "".join(f"    def visit_K{k}(self, node):\n        return node\n\n" for k in range(KINDS))
    text = (
        "class Visitor:\n"
        "    def visit(self, node):\n"
        '        return getattr(self, "visit_" + type(node).__name__)(node)\n\n'
        "    def describe(self):\n        return 'never called'\n\n"
        + methods
    )
    for i in range(SUBCLASSES):
        text += f"class V{i}(Visitor):\n" + methods
        text += "".join(f"def make{i}_{j}():\n    return make{i}_{j - 1}()\n\n" for j in range(i, 0, -1))
        text += f"def make{i}_0():\n    return V{i}()\n\n"
    text += "".join(f"make{i}_{i}().visit(object())\n" for i in range(SUBCLASSES))
    return {"main.py": text}


def test_the_visitor_methods_of_every_subclass_are_looked_up() -> None:
    assert (SUBCLASSES + 1) * KINDS > MAX_VALUES  # the result is given up on the way
    result, solver = solve_program(facts_of(_visitors()))
    lookups = {(base[1], name) for name, by_base in solver._lookups.items() for base in by_base if base[0] == "I"}
    classes = {cls.qualname: cls.node_id for cls in solver.classes.values()}
    for i in range(SUBCLASSES):
        assert {(classes[f"main.V{i}"], f"visit_K{k}") for k in range(KINDS)} <= lookups
    assert any(row["kind"] == "call_result" for row in result.tables["bounded_values"].to_pylist())


def test_the_result_is_added_to_once_per_run_and_with_nothing_once_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    adds: list[int] = []  # how many values each add to the result carried
    add = Solver.add

    def recording_add(self: Solver, key: object, values: Any) -> None:
        con = self.cons[self.cur] if self.cur >= 0 else ()
        if con[:1] == ("bcall",) and con[2] == "getattr" and key == ("r", self.calls[con[1]].key):
            adds.append(len(values))
        add(self, key, values)

    monkeypatch.setattr(Solver, "add", recording_add)
    _, solver = solve_program(facts_of(_visitors()))
    (number,) = (n for n, con in enumerate(solver.cons) if con[0] == "bcall" and con[2] == "getattr")
    # One add of everything read per run (a run used to add each name of each instance).
    assert 1 <= len(adds) <= solver._runs[number]
    assert solver._given_up(("r", solver.calls[solver.cons[number][1]].key))
    adds.clear()
    solver.cur = number
    solver.step(number)  # as when a lookup it read grows
    assert adds == [0]


def test_methods_of_a_base_known_late_are_read_through_the_prefix() -> None:
    files = {
        "main.py": """
            def pick():
                return Base

            class Base:
                def visit_Name(self, node):
                    return node

            class Visitor(pick()):
                def visit_Call(self, node):
                    return node

                def visit(self, node):
                    return getattr(self, "visit_" + type(node).__name__)(node)

            Visitor().visit(object())
        """,
    }
    result, _ = solve_program(facts_of(files))
    assert {("main.Visitor.visit", "main.Base.visit_Name"), ("main.Visitor.visit", "main.Visitor.visit_Call")} <= _edges(result)
