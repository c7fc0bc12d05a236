"""Where the points-to solver stopped taking values: the ``bounded_values`` table.

The solver keeps at most ``MAX_VALUES`` values per variable, attribute, call result
or container element, and as many keys per container (:mod:`.solver`). A value set
that reaches the bound is given up: it takes no more and reads as empty from then on,
so calls made through it may miss targets, and what its readers took from it depends
on the order the solver met its values. Each such value set
becomes one row: the CPG node it belongs to (the scope of a variable, the class,
instance's class, function or module of an attribute, the call of a call result or
argument, the function of a return, the literal or call that made a container), what
it is, and its name where it has one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from codeanatomy.resolve.closures import original_id, original_name
from codeanatomy.resolve.solver import MAX_VALUES, UNBOUNDED_KEY_TAGS
from codeanatomy.resolve.tables import BOUNDED_VALUES

if TYPE_CHECKING:
    from codeanatomy.resolve.solver import Solver

__all__ = ["bounded_values"]

_FUNCTION_KEYS = {"ret": "return", "retx": "return", "pt": "return", "yld": "yield"}


def bounded_values(solver: Solver) -> pa.Table:
    """One row per value set that reached the bound, in a stable order: the keys given
    up, and the containers whose list of keys is full.

    Keys that are unions of other keys (``UNBOUNDED_KEY_TAGS``) are not bounded: they
    hold what the bounded keys they gather give, so they never drop a value themselves.
    """
    full_slot_lists = (
        key
        for key, values in solver.vals.items()
        if isinstance(key, tuple) and key[0] == "slots" and len(values) >= MAX_VALUES
    )
    rows = {
        _describe(solver, key)
        for key in (*solver.given_up, *full_slot_lists)
        if not (isinstance(key, tuple) and key[0] in UNBOUNDED_KEY_TAGS)
    }
    ordered = sorted(rows, key=lambda r: tuple("" if part is None else part for part in r))
    return BOUNDED_VALUES.from_columns(
        {
            "node_id": [r[0] for r in ordered],
            "kind": [r[1] for r in ordered],
            "name": [r[2] for r in ordered],
        }
    )


def _describe(solver: Solver, key: object) -> tuple[str | None, str, str | None]:
    """(owning node, kind, name) of a solver key."""
    if isinstance(key, str):
        # ``scope:name`` or its ``scope:name#n`` versions: one row for all of them.
        scope, _, name = key.partition(":")
        return original_id(scope), "variable", original_name(name.partition("#")[0])
    assert isinstance(key, tuple)
    tag = key[0]
    if tag == "A":
        owner, name = key[1], key[2]
        node = solver.module_ids.get(owner[1]) if owner[0] == "M" else owner[1]
        return node, "attribute", name
    if tag in _FUNCTION_KEYS:
        return original_id(key[1]), _FUNCTION_KEYS[tag], None
    if tag == "r" or tag == "rc":
        return _call_node(solver, key[1]), "call_result", None
    if tag == "zarg":
        return _call_node(solver, key[1]), "argument", str(key[2])
    if tag in {"*", "**"}:
        return solver.calls[key[1]].node_id, "argument", f"{tag}{key[2]}"
    if tag == "with":
        return key[1], "context", None
    if tag in {"S", "slots"}:
        node = _container_node(solver, key[1])
        if tag == "slots":
            return node, "keys", None
        return node, "element", _slot_name(key[2])
    if tag == "bases":
        return key[1], "bases", None
    return None, "other", repr(key)


def _call_node(solver: Solver, call_key: str) -> str:
    index = solver.call_index.get(call_key)
    return call_key if index is None else solver.calls[index].node_id


def _container_node(solver: Solver, container: tuple[object, ...]) -> str | None:
    """The node that made a container: its literal, the call that built it, or the function of ``*args``."""
    site = container[2] if container[0] == "L" and len(container) > 2 else None
    if not isinstance(site, str):
        return None
    return original_id(_call_node(solver, site.lstrip("*")))


def _slot_name(slot: object) -> str:
    """A container slot as text: ``*`` (any), an index or a key (``'name'``)."""
    if isinstance(slot, tuple) and len(slot) == 2:
        kind, value = slot
        return repr(value) if kind == "str" else str(value)
    return str(slot)
