"""Class lookups along deep hierarchies: right targets, and walks that stop where the name is found."""

from __future__ import annotations

from codeanatomy.resolve.program import solve_program
from tests.resolve._programs import facts_of

DEPTH = 60


def _chain() -> dict[str, str]:
    """``C0 <- C1 <- ... <- C59``, each ``m`` calling ``super().m()``, one call per class."""
    text = "class C0:\n    def m(self):\n        return 0\n"
    text += "".join(
        f"class C{i}(C{i - 1}):\n    def m(self):\n        return super().m()\n" for i in range(1, DEPTH)
    )
    text += "".join(f"C{i}().m()\n" for i in range(DEPTH))
    return {"main.py": text}


def test_every_super_call_of_a_deep_chain_reaches_the_method_just_above() -> None:
    result, _ = solve_program(facts_of(_chain()))
    super_edges = {
        (r["caller_pycg"], r["callee_pycg"])
        for r in result.tables["call_edges"].to_pylist()
        if r["method"] == "super"
    }
    assert super_edges == {(f"main.C{i}.m", f"main.C{i - 1}.m") for i in range(1, DEPTH)}


def test_lookup_walks_stop_at_the_first_class_defining_the_name() -> None:
    # A ``super().m()`` through an instance of C59 from C30 must not plan a walk over
    # C29 ... C0: with one such walk per (instance class, calling class) pair the
    # lookups of a chain cost its depth cubed.
    # (``__init__``, defined nowhere, is looked up along the whole MRO.)
    _, solver = solve_program(facts_of(_chain()))
    plans = {key: plan[2] for key, plan in solver._lookup_plans.items() if key[1] == "m"}
    assert len(plans) > DEPTH * (DEPTH - 1) // 2
    assert {len(steps) for steps in plans.values()} == {1}


def test_lookup_plans_step_only_through_classes_binding_the_name() -> None:
    # ``f`` is defined in C0 alone and no store gives a class an ``f``: the lookup from
    # C59 steps through C0 only, not through the 59 classes that lack it. ``__init__``,
    # defined nowhere, has no step at all.
    text = "class C0:\n    def f(self):\n        pass\n"
    text += "".join(f"class C{i}(C{i - 1}):\n    pass\n" for i in range(1, DEPTH))
    text += f"C{DEPTH - 1}().f()\n"
    result, solver = solve_program(facts_of({"main.py": text}))
    edges = {(r["caller_pycg"], r["callee_pycg"]) for r in result.tables["call_edges"].to_pylist()}
    assert ("main", "main.C0.f") in edges
    cid = next(c.node_id for c in solver.classes.values() if c.qualname == f"main.C{DEPTH - 1}")
    assert [step[1] for step in solver._lookup_plans[(cid, "f", None)][2]] == [
        ("C", next(c.node_id for c in solver.classes.values() if c.qualname == "main.C0"))
    ]
    assert solver._lookup_plans[(cid, "__init__", None)][2] == []


def test_a_name_first_stored_on_a_class_reaches_lookups_made_before() -> None:
    # ``patch`` gives Mid a ``run`` only once the lookup of ``run`` on a Leaf has found
    # Base's (whose result is the class patched): the lookup, planned without Mid (whose
    # body lacks ``run``), must run again and find the replacement, which shadows Base's.
    files = {
        "main.py": (
            "class Base:\n    def run(self):\n        return Mid\n\n"
            "class Mid(Base):\n    pass\n\n"
            "class Leaf(Mid):\n    pass\n\n"
            "def replacement(self):\n    return None\n\n"
            "def use(item):\n    return item.run()\n\n"
            "def patch(cls):\n    cls.run = replacement\n\n"
            "patch(use(Leaf()))\n"
        )
    }
    result, solver = solve_program(facts_of(files))
    edges = {(r["caller_pycg"], r["callee_pycg"]) for r in result.tables["call_edges"].to_pylist()}
    assert {("main.use", "main.Base.run"), ("main.use", "main.replacement")} <= edges
    assert "run" in solver._stored_on_classes


def test_a_read_records_the_definitions_its_lookup_gains_after_it_first_ran() -> None:
    files = {
        "main.py": (
            "class Handler:\n    def run(self):\n        return 1\n\n"
            "def replacement(self):\n    return 2\n\n"
            "def use(handler):\n    return handler.run\n\n"
            "use(Handler())\n"
        )
    }
    _, solver = solve_program(facts_of(files))
    ids = {fn.qualname: fn.node_id for fn in solver.funcs.values()}
    handler = ("I", next(cls.node_id for cls in solver.classes.values() if cls.qualname == "main.Handler"))
    read = next(n for n, con in enumerate(solver.cons) if con[0] == "ret" and con[1] == ids["main.use"])
    targets = {(target, method) for _, target, method in solver.attribute_targets}
    assert targets == {(ids["main.Handler.run"], "instance")}
    # The lookup of ``run`` on a Handler gains a definition (as ``Handler.run = replacement``
    # would give it); the read, run again, records it as well.
    solver._grow(("AR", handler, "run"), {("B", ids["main.replacement"])})
    solver.cur = read
    solver.step(read)
    targets = {(target, method) for _, target, method in solver.attribute_targets}
    assert targets == {(ids["main.Handler.run"], "instance"), (ids["main.replacement"], "instance")}
