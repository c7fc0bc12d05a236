"""``codeanatomy callgraph`` end to end: build a micro-program, export it in every format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codeanatomy.cli import main

SUITE = Path(__file__).parent / "fixtures" / "callgraph"
CASES = ["classes/instance_call", "imports/relative", "mro/super_diamond", "decorators/wrapper", "lambdas/call"]


@pytest.mark.parametrize("case", CASES)
def test_pycg_export_matches_the_expected_graph(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(SUITE / case, repo, ignore=shutil.ignore_patterns("callgraph.json"))
    expected = json.loads((SUITE / case / "callgraph.json").read_text())
    assert main(["callgraph", str(repo), "--build", "-o", str(tmp_path / "cg.json")]) == 0
    assert json.loads((tmp_path / "cg.json").read_text()) == expected
    assert main(["callgraph", str(repo), "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph callgraph {")
    edges = sum(len(v) for v in expected.values())
    assert dot.count(" -> ") == edges
    assert main(["callgraph", str(repo), "--format", "json"]) == 0
    rich = json.loads(capsys.readouterr().out)
    assert {(e["caller"], e["callee"]) for e in rich["edges"]} == {(k, v) for k, vs in expected.items() for v in vs}
    assert all(0 < e["confidence"] <= 1 and e["method"] for e in rich["edges"])


def test_bad_format_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["callgraph", str(tmp_path), "--format", "svg"]) == 1
    assert "invalid --format 'svg'" in capsys.readouterr().err
