"""The operand of an operator, a ``for`` or ``len()``, evaluated only for its instances:
an operator's own result is not worked out there, every edge kept."""

from __future__ import annotations

from typing import Any

import pytest

from codeanatomy.resolve.program import solve_program
from codeanatomy.resolve.solver import Solver
from tests.resolve._programs import facts_of

PROGRAM = """\
class Vector:
    def __add__(self, other):
        return self

    def __mul__(self, other):
        return self

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

v = Vector()
w = Vector()
(v + w) * v
for x in v + w:
    pass
len(v + w)
"""


def test_an_operators_result_is_not_computed_for_special_method_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    computed_for: list[str] = []  # the kind of constraint each binop result is computed for
    binop = Solver.binop

    def recording_binop(self: Solver, *args: Any) -> Any:
        computed_for.append(self.cons[self.cur][0] if self.cur >= 0 else "")
        return binop(self, *args)

    monkeypatch.setattr(Solver, "binop", recording_binop)
    result, _ = solve_program(facts_of({"main.py": PROGRAM}))
    # The expression statements' and arguments' own values still are; special-method
    # lookups (``dunder``, ``for``) never need them: binop makes no instance.
    assert computed_for
    assert "dunder" not in computed_for
    assert "for" not in computed_for
    adds = [r for r in result.tables["call_edges"].to_pylist() if r["callee_pycg"] == "main.Vector.__add__"]
    assert len({r["call_node_id"] for r in adds}) == 3
