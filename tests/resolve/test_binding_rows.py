"""A call's argument bindings are recorded once, on the binding's first run: which
argument binds which parameter depends on the call and the signature, never on values."""

from __future__ import annotations

from typing import Any

import pytest

from codeanatomy.resolve.program import solve_program
from codeanatomy.resolve.solver import Solver
from tests.resolve._programs import facts_of

PROGRAM = """\
def use(first, second=2, *rest, key=None, **options):
    return first

class A: pass
class B: pass

def later():
    return chain()

def chain():
    return B()

x = later()
use(x, x, x, key=x, extra=x)
use(x)
x = A()
"""


class _CountingSet(set[Any]):
    """A set that counts every ``add``, repeated or not."""

    adds = 0

    def add(self, item: Any) -> None:
        _CountingSet.adds += 1
        super().add(item)


def test_each_binding_row_is_recorded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    init = Solver.__init__

    def counting_init(self: Solver, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.bindings = _CountingSet()

    _CountingSet.adds = 0
    monkeypatch.setattr(Solver, "__init__", counting_init)
    result, solver = solve_program(facts_of({"main.py": PROGRAM}))
    use_binds = [n for n, con in enumerate(solver.cons) if con[0] == "bind" and solver.funcs[con[2]].name == "use"]
    # ``x`` grows after the calls are first bound (``B`` arrives through two returns),
    # so their bindings run again; the rows stay those of the first run.
    assert use_binds and all(solver._runs[n] > 1 for n in use_binds)
    kinds = sorted(r["kind"] for r in result.tables["parameter_bindings"].to_pylist())
    # (``extra=x`` binds ``**options`` as a keyword; ``key`` has no default row.)
    assert kinds == ["default", "default", "keyword", "keyword", "positional", "positional", "positional", "star_args"]
    assert _CountingSet.adds == len(solver.bindings) == len(kinds)
