"""The worklist: a constraint woken over and over waits until the rest has settled."""

from __future__ import annotations

from codeanatomy.resolve.program import solve_program
from codeanatomy.resolve.solver import _DEFER_AFTER
from tests.resolve._programs import facts_of

CLASSES = 20


def _staggered_fill() -> dict[str, str]:
    """``items`` gets an instance of ``C{i}`` only after ``i`` returns have passed it on.

    The functions are defined last-first, so each level of returns takes another pass of
    the worklist, and ``items`` grows once per level: ``show``, which reads it, is woken
    every time.
    """
    text = "def show():\n    for item in items:\n        print(str(item))\n\n"
    text += "".join(f"class C{i}:\n    def __str__(self):\n        return 'c'\n\n" for i in range(CLASSES))
    for i in range(CLASSES):
        text += "".join(f"def g{i}_{j}():\n    return g{i}_{j - 1}()\n\n" for j in range(i, 0, -1))
        text += f"def g{i}_0():\n    return C{i}()\n\n"
    text += "items = []\n" + "".join(f"items.append(g{i}_{i}())\n" for i in range(CLASSES))
    return {"main.py": text}


def test_a_reader_of_a_key_growing_level_by_level_runs_once_it_has_settled() -> None:
    result, solver = solve_program(facts_of(_staggered_fill()))
    edges = {(r["caller_pycg"], r["callee_pycg"]) for r in result.tables["call_edges"].to_pylist()}
    assert {("main.show", f"main.C{i}.__str__") for i in range(CLASSES)} <= edges
    # Run on every growth, the loop over ``items`` would run once per level (20 times and more).
    assert max(solver._runs) <= min(_DEFER_AFTER + 1, CLASSES // 2)
