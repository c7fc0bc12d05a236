"""Resolve the running interpreter's standard library: time of each phase, rows per table.

Collects facts for every ``.py`` file under ``sysconfig.get_path("stdlib")``
(``site-packages`` excluded) in worker processes, resolves the whole program, and
prints the timings, the row count of every resolution table, call edges by kind
and method, and the per-file errors (layer ``resolve``).

    python benchmarks/resolve_stdlib.py [--workers N] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import sysconfig
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from codeanatomy.extract._base import FileError
from codeanatomy.resolve.facts import ModuleFacts, collect_facts
from codeanatomy.resolve.program import resolve_program
from codeanatomy.resolve.pycg import to_pycg
from codeanatomy.scan import module_name
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for


def _facts(item: tuple[str, str]) -> ModuleFacts:
    root, rel = item
    data = (Path(root) / rel).read_bytes()
    source = SourceFile(rel, file_id_for(rel), module_name(rel), data)
    return collect_facts(source)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    root = Path(sysconfig.get_path("stdlib"))
    rels = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if "site-packages" not in p.parts and "__pycache__" not in p.parts
    )
    if args.limit:
        rels = rels[: args.limit]
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        facts = list(pool.map(_facts, [(str(root), r) for r in rels], chunksize=16))
    collected = time.perf_counter()
    result = resolve_program(facts)
    resolved = time.perf_counter()
    graph = to_pycg(result)
    print(f"stdlib: {root} ({len(rels)} files, {os.cpu_count()} cpus, {args.workers} workers)")
    print(f"collect facts: {collected - started:8.1f} s")
    print(f"resolve:       {resolved - collected:8.1f} s")
    print(f"constraints:   {sum(len(f.constraints) for f in facts):8d}")
    for name, table in result.tables.items():
        print(f"  {name:<20}{table.num_rows:>10}")
    edges = result.tables["call_edges"]
    print("call_edges by callee_kind:", dict(sorted(Counter(edges.column("callee_kind").to_pylist()).items())))
    print("call_edges by method:     ", dict(sorted(Counter(edges.column("method").to_pylist()).items())))
    print(f"pycg: {len(graph)} nodes, {sum(len(v) for v in graph.values())} edges")
    errors: list[FileError] = list(result.errors)
    print(f"errors: {len(errors)}", dict(Counter(e.error_type for e in errors)))
    for error in errors[:15]:
        print(f"  {error.path}: {error.error_type}: {error.message}")


if __name__ == "__main__":  # pragma: no cover
    main()
