"""An operator's other operand, bound to its special method's parameter: left unevaluated
once that parameter is given up, every edge kept."""

from __future__ import annotations

from typing import Any

import pytest

from codeanatomy.resolve.program import solve_program
from codeanatomy.resolve.solver import MAX_VALUES, Solver
from tests.resolve._programs import facts_of

CLASSES = MAX_VALUES + 8


def _sums() -> dict[str, str]:
    """``Vector() + C{i}`` for more classes than a value set holds: ``__add__``'s
    ``other`` takes one class from each sum, and is given up before the last ones."""
    text = "class Vector:\n    def __add__(self, other):\n        return self\n\n"
    text += "".join(f"class C{i}:\n    pass\n\n" for i in range(CLASSES))
    text += "v = Vector()\n" + "".join(f"v + C{i}\n" for i in range(CLASSES))
    return {"main.py": text}


def test_an_argument_is_not_evaluated_for_a_given_up_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    late: list[object] = []  # arguments evaluated for a parameter already given up
    ev = Solver.ev

    def recording_ev(self: Solver, e: Any) -> Any:
        con = self.cons[self.cur] if self.cur >= 0 else ()
        if con[:1] == ("pbind",) and e in con[3]:
            other = self.funcs[con[2]].params[1].var
            if self._given_up(other):
                late.append(e)
        return ev(self, e)

    monkeypatch.setattr(Solver, "ev", recording_ev)
    result, solver = solve_program(facts_of(_sums()))
    add = next(fid for fid, fn in solver.funcs.items() if fn.qualname == "main.Vector.__add__")
    assert solver._given_up(solver.funcs[add].params[1].var)
    assert late == []
    # Every sum still calls ``__add__``, the sums after the give-up included.
    calls = [r for r in result.tables["call_edges"].to_pylist() if r["callee_pycg"] == "main.Vector.__add__"]
    assert len({r["call_node_id"] for r in calls}) == CLASSES
