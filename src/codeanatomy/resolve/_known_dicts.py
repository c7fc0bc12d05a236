"""Dicts whose contents are known at a point of straight-line code: strong updates.

``d = {"a": f}; d["a"] = g; d["a"]()`` calls only ``g``. The solver's dict slots are
flow-insensitive (the slot ``"a"`` holds ``f`` and ``g``), so the facts of one block
of straight-line code track, per dict display, what each literal key holds there, and
a read of such a key becomes the expression last stored under it.

What makes the contents unknown is forgotten rather than guessed: the dict escaping
(its value used anywhere but as the container of a subscript or of ``update``), a
store under a key that is not a literal, any call (it may run code that changes the
dict through another name; a dict held only by a function's own local variables is
out of any callee's reach), and the start and end of every compound statement (the
code is no longer straight). The facts collector does the forgetting; this module
keeps the state.
"""

from __future__ import annotations

import ast
from typing import Any

__all__ = ["KnownDicts", "literal_key"]

Expr = tuple[Any, ...] | None
"""A fact expression (as :mod:`codeanatomy.resolve.facts` defines it)."""


def literal_key(node: ast.expr | None) -> tuple[str, object] | None:
    """The key a literal ``str`` or ``int`` subscript or dict key stands for, else None.

    >>> literal_key(ast.Constant("a")), literal_key(ast.Constant(True)), literal_key(ast.Name("k"))
    (('str', 'a'), None, None)
    """
    if isinstance(node, ast.Constant) and type(node.value) in {str, int}:
        return (type(node.value).__name__, node.value)
    return None


class KnownDicts:
    """Contents of the dict displays evaluated in the current straight-line code."""

    __slots__ = ("contents", "escaped", "exposed", "holders")

    def __init__(self) -> None:
        self.contents: dict[str, dict[tuple[str, object], Expr]] = {}
        """Dict display site -> literal key -> the expression stored there last."""
        self.holders: dict[object, str] = {}
        """Variable key -> the site of the display it was bound to."""
        self.escaped: set[str] = set()
        """Sites whose contents may have changed out of sight."""
        self.exposed: set[str] = set()
        """Sites bound to a variable that code elsewhere can reach (a module's, a
        class's, or one a nested function shares)."""

    def display(self, site: str, items: dict[tuple[str, object], Expr]) -> None:
        """A dict display at ``site`` was evaluated with these literal keys only."""
        self.contents[site] = items
        self.escaped.discard(site)

    def bind(self, key: object, value: Expr, private: bool) -> None:
        """Variable ``key`` was bound to ``value``; ``private`` when only the running
        function can reach the variable."""
        site = self.site_of(value)
        if site is None:
            self.holders.pop(key, None)
            return
        self.holders[key] = site
        if not private:
            self.exposed.add(site)

    def call_made(self) -> None:
        """A call ran code that may change any dict a variable elsewhere holds."""
        if self.exposed:
            self.forget()

    def site_of(self, expr: Expr) -> str | None:
        """The tracked display ``expr`` is (a display, or a variable bound to one)."""
        if not isinstance(expr, tuple) or len(expr) < 2:
            return None
        if expr[0] == "n" and expr[1] == "dict":
            site = expr[2]
        elif expr[0] == "v":
            found = self.holders.get(expr[1])
            if found is None:
                return None
            site = found
        else:
            return None
        return site if site in self.contents and site not in self.escaped else None

    def read(self, site: str, key: tuple[str, object]) -> Expr:
        """The expression stored under ``key`` (None when there is none or it is unknown)."""
        return self.contents[site].get(key)

    def store(self, site: str, key: tuple[str, object] | None, value: Expr) -> None:
        """``site[key] = value``; a key that is not a literal makes every key unknown."""
        if key is None or value is None:
            self.escaped.add(site)
        else:
            self.contents[site][key] = value

    def update(self, site: str, items: dict[tuple[str, object], Expr]) -> None:
        """``site.update(items)``: the dict escaped only as the receiver of ``update``,
        so it is known again, with ``items`` stored."""
        self.escaped.discard(site)
        for key, value in items.items():
            self.store(site, key, value)

    def escape(self, expr: Expr) -> None:
        """``expr`` was used where the dict it may be can change out of sight, and with
        it every tracked dict stored in that one."""
        if not isinstance(expr, tuple) or not expr:
            return
        if expr[0] == "u":
            for part in expr[1]:
                self.escape(part)
            return
        site = self.site_of(expr)
        if site is not None:
            self.escaped.add(site)
            for value in self.contents[site].values():
                self.escape(value)

    def forget(self) -> None:
        """Nothing is known any more (a call, or the end of straight-line code)."""
        if self.contents:
            self.contents.clear()
            self.holders.clear()
            self.escaped.clear()
            self.exposed.clear()
