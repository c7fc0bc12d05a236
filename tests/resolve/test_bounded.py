"""``bounded_values``: the value sets the solver stopped filling, located in the program."""

from __future__ import annotations

from typing import Any

from codeanatomy.extract._ast_index import ast_index_of
from codeanatomy.resolve.solver import MAX_VALUES
from tests.resolve._programs import resolve_files, source_of


def _program(classes: int) -> dict[str, str]:
    """``classes`` classes with a ``get``, one instance of each in a list, a loop calling ``get``."""
    text = "".join(f"class C{i}:\n    def get(self):\n        return {i}\n\n" for i in range(classes))
    text += "ALL = [" + ", ".join(f"C{i}()" for i in range(classes)) + "]\n\n"
    text += "class Box:\n    def __init__(self, item):\n        self.item = item\n\n"
    text += "def use():\n    for item in ALL:\n        item.get()\n        Box(item)\n"
    return {"main.py": text}


def _nodes(files: dict[str, str]) -> dict[tuple[str, str], str]:
    """(kind, qualname or ast type) -> node ID, for definitions and the list literal."""
    index = ast_index_of(source_of("main.py", files["main.py"]))
    out = {}
    for node_id, kind, qualname, ast_type in zip(index.node_id, index.kind, index.qualname, index.ast_type, strict=True):
        out[(kind, qualname or ast_type)] = node_id
    return out


def _rows(files: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    result = resolve_files(files)
    get_edges = [
        r for r in result.tables["call_edges"].to_pylist() if (r["callee_pycg"] or "").endswith(".get")
    ]
    return result.tables["bounded_values"].to_pylist(), len(get_edges)


def test_a_value_set_over_the_bound_is_reported_where_it_lives() -> None:
    files = _program(MAX_VALUES + 60)
    rows, get_edges = _rows(files)
    nodes = _nodes(files)
    found = {(r["node_id"], r["kind"], r["name"]) for r in rows}
    # The loop variable holds every instance; the list literal has more indices than
    # the bound. (The union of its elements is not bounded: it gathers what its slots hold.)
    # The loop variable is given up, so ``Box(item)`` passes nothing on: the parameter
    # ``item`` of ``Box.__init__`` and the attribute ``Box.item`` do not fill up in turn.
    assert found == {
        (nodes[("FUNCTION", "main.use")], "variable", "item"),
        (nodes[("AST", "List")], "keys", None),
    }
    # What the table warns of: the loop variable is given up, so ``item.get()`` reaches
    # none of the methods.
    assert get_edges == 0


def test_a_value_set_one_under_the_bound_flows_on() -> None:
    rows, get_edges = _rows(_program(MAX_VALUES - 1))
    assert rows == []
    assert get_edges == MAX_VALUES - 1


def test_no_value_set_under_the_bound_is_reported() -> None:
    rows, get_edges = _rows(_program(40))
    assert rows == []
    assert get_edges == 40


def test_rows_are_sorted_and_distinct() -> None:
    rows, _ = _rows(_program(MAX_VALUES + 10))
    keys = [tuple("" if v is None else v for v in r.values()) for r in rows]
    assert keys == sorted(set(keys))


def _spread_past_full_slots(literal: str, count: int) -> set[str]:
    """Callees of ``callback()`` in ``run``, which a dict or tuple spread into ``run``
    passes last, after ``count`` other keys or indices (so both in the order they were
    written and in sorted order, the key or index of ``hook`` comes last)."""
    if literal == "dict":
        keys = ", ".join(f'"a{i}": {i}' for i in range(count))
        text = f'def run(callback=None, **rest):\n    callback()\n\nrun(**{{{keys}, "callback": hook}})\n'
    else:
        params = ", ".join(f"p{i}=None" for i in range(count))
        elements = "".join(f"{i}, " for i in range(count))
        text = f"def run({params}, callback=None):\n    callback()\n\nrun(*({elements}hook))\n"
    edges = resolve_files({"main.py": "def hook():\n    pass\n\n" + text}).tables["call_edges"].to_pylist()
    return {r["callee_pycg"] for r in edges if r["caller_pycg"] == "main.run"}


def test_a_spread_container_whose_key_list_is_full_passes_every_value_anywhere() -> None:
    # A container with more keys or indices than the bound lists only some of them:
    # the values under the others must still reach the parameters.
    assert _spread_past_full_slots("dict", MAX_VALUES + 8) == {"main.hook"}
    assert _spread_past_full_slots("tuple", 999) == {"main.hook"}
    assert _spread_past_full_slots("dict", 8) == {"main.hook"}
    assert _spread_past_full_slots("tuple", 8) == {"main.hook"}


def test_a_closure_copy_over_the_bound_is_reported_at_the_closure() -> None:
    # Each call of ``logged`` copies ``wrapper`` for the function it wraps; the copy
    # ``use`` calls gets every instance, so its parameter is given up. The row names
    # the closure the copy stands for, not the copy.
    count = MAX_VALUES + 10
    text = "".join(f"class C{i}:\n    pass\n\n" for i in range(count))
    text += "def logged(func):\n    def wrapper(item):\n        return func(item)\n    return wrapper\n\n"
    text += "@logged\ndef use(item):\n    return item\n\n"
    text += "def run():\n" + "".join(f"    use(C{i}())\n" for i in range(count))
    files = {"main.py": text}
    rows, _ = _rows(files)
    nodes = _nodes(files)
    found = {(r["node_id"], r["kind"], r["name"]) for r in rows}
    assert (nodes[("FUNCTION", "main.logged.wrapper")], "variable", "item") in found
    assert all(r["node_id"] in nodes.values() for r in rows)
