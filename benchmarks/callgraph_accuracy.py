"""Score the call graph against the micro-program suite: edge precision and recall.

Runs scan -> collect_facts -> resolve_program -> to_pycg over every case folder
``<suite>/<category>/<case>/`` (default ``tests/fixtures/callgraph``) and compares
the edges with the case's hand-written ``callgraph.json`` (PyCG format).

    python benchmarks/callgraph_accuracy.py [SUITE] [-v]

PyCG's own micro-benchmark has this layout: ``pip download --no-deps --no-binary
:all: pycg==0.0.8``, unpack it, and pass its ``micro-benchmark/snippets`` folder.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from codeanatomy.resolve.facts import collect_facts
from codeanatomy.resolve.program import resolve_program
from codeanatomy.resolve.pycg import to_pycg
from codeanatomy.scan import scan


def analyse(case: Path) -> dict[str, list[str]]:
    """PyCG-format call graph of one case folder."""
    scanned = scan(case, max_file_bytes=10_000_000)
    facts = [collect_facts(f.source()) for f in scanned.files if f.path != "callgraph.json"]
    return to_pycg(resolve_program(facts))


def edges(graph: dict[str, list[str]]) -> set[tuple[str, str]]:
    """The (caller, callee) pairs of a PyCG graph."""
    return {(caller, callee) for caller, callees in graph.items() for callee in callees}


def main(argv: list[str]) -> int:
    """Print per-category and overall precision/recall."""
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    suite = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "tests/fixtures/callgraph"
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tp, fp, fn, cases
    exact = 0
    cases = sorted(p.parent for p in suite.glob("*/*/callgraph.json"))
    for case in cases:
        expected = edges(json.loads((case / "callgraph.json").read_text()))
        actual = edges(analyse(case))
        category = case.parent.name
        tp, fp, fn = len(expected & actual), len(actual - expected), len(expected - actual)
        row = totals[category]
        row[0] += tp
        row[1] += fp
        row[2] += fn
        row[3] += 1
        exact += not fp and not fn
        if verbose and (fp or fn):
            print(f"{category}/{case.name}: missing {sorted(expected - actual)} extra {sorted(actual - expected)}")
    print(f"{'category':<14}{'cases':>6}{'precision':>11}{'recall':>9}")
    all_tp = all_fp = all_fn = 0
    for category in sorted(totals):
        tp, fp, fn, n = totals[category]
        all_tp, all_fp, all_fn = all_tp + tp, all_fp + fp, all_fn + fn
        print(f"{category:<14}{n:>6}{_ratio(tp, tp + fp):>11}{_ratio(tp, tp + fn):>9}")
    print(f"{'overall':<14}{len(cases):>6}{_ratio(all_tp, all_tp + all_fp):>11}{_ratio(all_tp, all_tp + all_fn):>9}")
    print(f"exact cases: {exact}/{len(cases)}; edges tp={all_tp} fp={all_fp} fn={all_fn}")
    return 0


def _ratio(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}%" if b else "n/a"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
