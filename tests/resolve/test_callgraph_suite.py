"""The micro-program suite: every case's PyCG call graph must match its callgraph.json exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeanatomy.resolve.pycg import to_pycg
from tests.resolve._programs import resolve_folder

SUITE = Path(__file__).resolve().parent.parent / "fixtures" / "callgraph"
CASES = sorted(p.parent for p in SUITE.glob("*/*/callgraph.json"))
CATEGORIES = (
    "annotations", "args", "assignments", "builtins", "classes", "decorators", "dicts", "direct_calls", "dynamic",
    "exceptions", "external", "functions", "generators", "imports", "kwargs", "lambdas", "lists",
    "mro", "returns",
)


def test_suite_covers_every_category() -> None:
    counts = {c: sum(1 for case in CASES if case.parent.name == c) for c in CATEGORIES}
    assert all(n >= 3 for n in counts.values()), counts
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_case_matches_expected_call_graph(case: Path) -> None:
    expected = json.loads((case / "callgraph.json").read_text())
    result = resolve_folder(case)
    assert result.errors == ()
    assert to_pycg(result) == expected
