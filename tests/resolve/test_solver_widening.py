"""Widening: a variable past the literal or external limit holds their type or one unknown value."""

from __future__ import annotations

from typing import Any

import pytest

from codeanatomy.resolve.program import solve_program
from tests.resolve._programs import facts_of


def _values_of_x(assigned: list[str]) -> set[Any]:
    """Values the solver gives local ``x`` of a function assigning it each of ``assigned`` in turn."""
    lines = ["import os", "", "def run(flag):", f"    x = {assigned[0]}"]
    for number, value in enumerate(assigned[1:], 1):
        lines += [f"    if flag == {number}:", f"        x = {value}"]
    lines += ["    return x", ""]
    _, solver = solve_program(facts_of({"m.py": "\n".join(lines)}))
    (key,) = [k for k in solver.vals if isinstance(k, str) and k.endswith(":x")]
    return solver.vals[key]


@pytest.mark.parametrize(("count", "widened"), [(8, False), (9, True)])
def test_more_than_eight_literals_become_their_type(count: int, widened: bool) -> None:
    values = _values_of_x([f"'s{i}'" for i in range(count)])
    if widened:
        assert values == {("T", "str")}
    else:
        assert values == {("K", "str", f"s{i}") for i in range(count)}


@pytest.mark.parametrize(("count", "widened"), [(24, False), (25, True)])
def test_more_than_twenty_four_externals_become_one_unknown(count: int, widened: bool) -> None:
    values = _values_of_x([f"os.f{i}" for i in range(count)])
    if widened:
        assert values == {("XU",)}
    else:
        assert values == {("X", f"os.f{i}") for i in range(count)}


def test_literals_arriving_after_other_values_are_counted_too() -> None:
    # Ten externals first (no widening), then nine string literals: the literals alone
    # pass the limit, whatever else the variable held before them.
    externals = [f"os.f{i}" for i in range(10)]
    values = _values_of_x(externals + [f"'s{i}'" for i in range(9)])
    assert values == {("X", f"os.f{i}") for i in range(10)} | {("T", "str")}


@pytest.mark.parametrize(("formatted", "widened"), [(3, False), (4, True)])
def test_strings_known_by_their_start_count_as_literals(formatted: int, widened: bool) -> None:
    # ``"p{i}_" + str(flag)`` and ``f"q{i}_{flag}"``: strings known to start with a
    # literal (what ``getattr(self, "visit_" + kind)`` reads). With two literals and
    # three of the first, past eight in all they become ``str`` too.
    made = [f"'p{i}_' + str(flag)" for i in range(3)] + [f"f'q{i}_{{flag}}'" for i in range(formatted)]
    values = _values_of_x(["'s0'", "'s1'", *made])
    if widened:
        assert values == {("T", "str")}
    else:
        prefixed = {("KP", f"p{i}_") for i in range(3)} | {("KP", f"q{i}_") for i in range(formatted)}
        assert values == {("K", "str", "s0"), ("K", "str", "s1")} | prefixed
