"""Class hierarchy: C3 linearization (the MRO) of repository classes.

Classes are solver values (``("C", class_node_id)`` for repository classes,
``("X", qualname)`` for external ones, ``("BI", name)`` for builtins). External and
builtin classes are leaves whose MRO is themselves then ``object``. An inconsistent
hierarchy (no C3 order, or a cycle) never raises: :func:`c3_mro` returns a
depth-first order and the error text, which lands in the ``class_mro`` table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["OBJECT", "c3_mro"]

Klass = tuple[Any, ...]
"""A class as a solver value: ``("C", node_id)``, ``("X", qualname)`` or ``("BI", name)``."""
OBJECT: Klass = ("BI", "object")


def c3_mro(
    cls: Klass,
    bases_of: Callable[[Klass], Sequence[Klass]],
    known: Callable[[Klass], list[Klass] | None] | None = None,
) -> tuple[list[Klass], str | None]:
    """Return (MRO of ``cls``, error or None), Python's C3 algorithm.

    Args:
        cls: the class.
        bases_of: direct bases of a class, in order (empty for leaves).
        known: the MRO of an ancestor already linearized without error, or None to
            compute it here (a deep hierarchy is then not relinearized per class).

    >>> bases = {"D": ["B", "C"], "B": ["A"], "C": ["A"], "A": []}
    >>> mro, err = c3_mro(("C", "D"), lambda k: [("C", b) for b in bases[k[1]]])
    >>> [k[1] for k in mro], err
    (['D', 'B', 'C', 'A', 'object'], None)
    """
    memo: dict[Klass, tuple[list[Klass], str | None]] = {}
    return _mro(cls, bases_of, memo, set(), known)


def _mro(
    cls: Klass,
    bases_of: Callable[[Klass], Sequence[Klass]],
    memo: dict[Klass, tuple[list[Klass], str | None]],
    active: set[Klass],
    known: Callable[[Klass], list[Klass] | None] | None,
) -> tuple[list[Klass], str | None]:
    if cls in memo:
        return memo[cls]
    if cls == OBJECT:
        return [OBJECT], None
    if active and known is not None:
        found = known(cls)
        if found is not None:
            memo[cls] = (found, None)
            return found, None
    bases = [b for b in bases_of(cls) if b != OBJECT] if cls[0] == "C" else []
    if cls in active:
        return [cls, OBJECT], "cyclic class hierarchy"
    error: str | None = None
    sequences: list[list[Klass]] = []
    active.add(cls)
    for base in bases:
        mro, err = _mro(base, bases_of, memo, active, known)
        error = error or err
        sequences.append(list(mro))
    active.discard(cls)
    sequences.append(list(bases))
    result = [cls]
    # The merge keeps, per sequence, the position of its head and counts how often each
    # class occurs in the sequences' tails: a head is good when that count is zero.
    sequences = [s for s in sequences if s]
    positions = [0] * len(sequences)
    in_tails = Counter(k for s in sequences for k in s[1:])
    live = list(range(len(sequences)))
    while live:
        head = None
        for i in live:
            candidate = sequences[i][positions[i]]
            if not in_tails[candidate]:
                head = candidate
                break
        if head is None:
            error = error or "inconsistent MRO: cannot linearize bases " + ", ".join(_name(b) for b in bases)
            # Fall back to a depth-first, duplicate-free order.
            seen = set(result)
            for i in live:
                for k in sequences[i][positions[i] :]:
                    if k not in seen:
                        seen.add(k)
                        result.append(k)
            break
        result.append(head)
        remaining = []
        for i in live:
            seq = sequences[i]
            if seq[positions[i]] == head:
                positions[i] += 1
                if positions[i] == len(seq):
                    continue
                in_tails[seq[positions[i]]] -= 1
            remaining.append(i)
        live = remaining
    if result[-1] != OBJECT:
        if OBJECT in result:
            result.remove(OBJECT)
        result.append(OBJECT)
    memo[cls] = (result, error)
    return result, error


def _name(k: Klass) -> str:
    return str(k[1])
