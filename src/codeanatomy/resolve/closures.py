"""Copies of closures, one per call of the function that makes them.

A decorator's ``wrapper`` reads the decorator's parameter ``func``. Analysed once, the
wrapper holds every function it ever wrapped, and each of them receives the arguments
of every call of any wrapped one. The solver instead gives each call of the decorator
a copy of the wrapper (a *clone*), whose constraints are the wrapper's own, renamed:
its variables, its calls and the containers it builds are the clone's, and ``func``
reads the argument that one call passed. Clone IDs are the closure's node ID and the
call's key joined by :data:`CLONE_MARK`, which no node ID holds, so every table the
solver feeds maps a clone back to the closure with :func:`original_id`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from codeanatomy.resolve.facts import Constraint

__all__ = [
    "CLONE_MARK",
    "clone_id",
    "original_id",
    "original_name",
    "read_variable",
    "renamed_constraints",
    "renamed_variable",
]

CLONE_MARK: Final = "@"
"""Joins a closure's node ID, or one of its call keys, to the call that made the copy."""
_READ_MARK: Final = "^"
"""Starts the name of a clone's variable reading a parameter of the closure's maker."""


def clone_id(node_id: str, call_key: str) -> str:
    """The ID of the copy of ``node_id`` (a closure, a call in it, a container it
    makes) that the call ``call_key`` made. It holds no ``:``, which ends the
    function part of a variable's key (``fid:name``)."""
    return f"{node_id}{CLONE_MARK}{call_key.replace(':', '/')}"


def original_id(node_id: str) -> str:
    """The node a possibly cloned ID stands for."""
    return node_id.partition(CLONE_MARK)[0]


def renamed_variable(variable: str, fid: str, clone: str) -> str:
    """Variable ``variable`` of ``fid`` (``fid:name``) as ``fid``'s clone ``clone`` has it."""
    return clone + variable[len(fid) :]


def read_variable(clone: str, name: str) -> str:
    """The variable holding what ``clone`` reads for parameter ``name`` of the function
    that made it (``^`` keeps it apart from the clone's own ``name``)."""
    return f"{clone}:{_READ_MARK}{name}"


def original_name(name: str) -> str:
    """The name a variable's name part stands for (a clone's read of a parameter is that parameter)."""
    return name.removeprefix(_READ_MARK)


def renamed_constraints(
    constraints: Iterable[Constraint], fid: str, call_key: str, enclosing: str, params: Iterable[str]
) -> list[Constraint]:
    """``constraints`` of closure ``fid`` as its clone for call ``call_key`` has them.

    Variables of ``fid`` (``fid:name``) become the clone's, ``fid`` itself (a caller, a
    function returning) becomes the clone, and so do the keys of its calls (where a
    call is made, ``("c", key)`` and ``retc``) and the sites of the containers it
    builds. The ``enclosing`` function's ``params`` it reads become its
    :func:`read_variable` ones, bound per call. Node IDs of syntax are kept: a clone's
    calls are the closure's calls.
    """
    clone = clone_id(fid, call_key)
    names = {fid: clone, **{f"{enclosing}:{name}": read_variable(clone, name) for name in params}}
    prefix = f"{fid}:"
    calls: dict[str, str] = {}

    def rename(item: Any) -> Any:
        kind = type(item)
        if kind is str:
            new = names.get(item)
            if new is not None:
                return new
            return renamed_variable(item, fid, clone) if item.startswith(prefix) else item
        if kind is not tuple or not item:
            return item
        head = item[0]
        if head == "c" and len(item) == 2 and item[1] in calls:
            return ("c", calls[item[1]])
        if head == "n" and len(item) == 3:
            return ("n", item[1], clone_id(item[2], call_key))
        return tuple([rename(part) for part in item])

    constraints = list(constraints)
    for con in constraints:
        if con[0] == "call":
            calls[con[2]] = clone_id(con[2], call_key)
    out: list[Constraint] = []
    for con in constraints:
        head = con[0]
        if head == "call":
            _, caller, key, node_id, func, args, kwargs, kind = con
            args = tuple([(rename(expr), starred, arg_id) for expr, starred, arg_id in args])
            kwargs = tuple([(name, rename(expr), arg_id) for name, expr, arg_id in kwargs])
            out.append(("call", rename(caller), calls[key], node_id, rename(func), args, kwargs, kind))
        elif head == "retc":
            out.append(("retc", rename(con[1]), calls.get(con[2], con[2])))
        else:
            out.append(rename(con))
    return out
