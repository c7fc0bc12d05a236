"""Recall of the call graph against the calls the standard library's own tests make.

Runs test modules of the running interpreter's standard library (``test.test_json``
and so on), each in its own process under a time limit, with a profile hook that
records every call from one standard-library function to another: code outside
``test/``, ``idlelib/idle_test`` and ``site-packages``, the files that
``build_stdlib.py`` builds. Then builds the graph of those files (in ``--out`` if
given, where a graph already up to date takes no time) and prints how many of the
recorded calls its call edges hold.

A recorded call counts when both ends are functions, classes or modules of the graph
(``callgraph_nodes``). Names are PyCG's: ``module.Class.method``, nested functions
under their enclosing function (``<locals>`` dropped); a call made inside a
comprehension, generator expression or lambda is its enclosing function's (the graph's
edges from a lambda count for that function too). Calls into
comprehensions, lambdas and generator expressions are left out (the graph names
lambdas by position, the runtime by line). A constructor call counts as a call of
``Class.__init__`` or ``Class.__new__``. Calls of generator and coroutine functions are
left out: the runtime sees them start where they are first iterated or awaited, not where
they are called. What runs is only what the tests run, so this measures recall, never
precision.

``--calls FILE`` keeps the recorded calls in FILE, and takes them from there when it
exists, so that two versions of the code can be compared on the same calls without
running the tests again.

Usage: ``python benchmarks/dynamic_recall.py [--out DIR] [--calls FILE]
[--tests test.test_json,...] [--timeout S] [--show N]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import codeanatomy

EXCLUDE = ["site-packages/**", "test/**", "idlelib/idle_test/**"]
TESTS = tuple(
    f"test.test_{name}"
    for name in (
        "argparse", "ast", "calendar", "collections", "configparser", "contextlib", "copy", "csv",
        "dataclasses", "difflib", "email", "enum", "functools", "gettext", "http_cookiejar", "inspect",
        "json", "logging", "minidom", "optparse", "pprint", "shlex", "statistics", "string", "tarfile",
        "textwrap", "tomllib", "typing", "unparse", "urlparse", "xml_etree", "zipfile",
    )
)

_TRACER = r'''
import inspect, io, json, os, sys, threading, unittest
root, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
RESUMABLE = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
skipped = (os.path.join(root, "test", ""), os.sep + "idle_test" + os.sep, os.sep + "site-packages" + os.sep)
pairs, codes = set(), {}

def ours(path):
    return path.startswith(root) and not any(part in path for part in skipped)

def hook(frame, event, arg):
    if event != "call" or frame.f_back is None:
        return
    callee, caller = frame.f_code, frame.f_back.f_code
    if not callee.co_flags & inspect.CO_NEWLOCALS or callee.co_flags & RESUMABLE:
        return  # a class body or module run, or a generator started or resumed by its consumer
    if (id(caller), id(callee)) not in pairs and ours(callee.co_filename) and ours(caller.co_filename):
        pairs.add((id(caller), id(callee)))
        codes[id(caller)] = (caller, frame.f_back.f_globals.get("__name__"))
        codes[id(callee)] = (callee, frame.f_globals.get("__name__"))

suite = unittest.defaultTestLoader.loadTestsFromName(name)
threading.setprofile(hook)
sys.setprofile(hook)
try:
    unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
finally:
    sys.setprofile(None)
    threading.setprofile(None)

def qualified(code, module):
    if code.co_name == "<module>":
        return module
    return module + "." + ".".join(p for p in code.co_qualname.split(".") if p != "<locals>")

with open(out, "w") as f:
    json.dump(sorted({(qualified(*codes[a]), qualified(*codes[b])) for a, b in pairs}), f)
'''


def record_calls(root: Path, tests: list[str], timeout: float) -> set[tuple[str, str]]:
    """(caller, callee) names of every call between standard-library functions the tests make."""
    calls: set[tuple[str, str]] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for number, name in enumerate(tests, 1):
            out = Path(tmp) / f"{number}.json"
            started = time.perf_counter()
            try:
                subprocess.run(
                    [sys.executable, "-c", _TRACER, str(root) + "/", str(out), name],
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                print(f"  {name}: stopped after {timeout:.0f} s, nothing recorded", file=sys.stderr)
                continue
            found = json.loads(out.read_text()) if out.exists() else []
            calls.update((a, b) for a, b in found)
            print(f"  {name}: {len(found)} calls ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return calls


def graph_names(name: str) -> tuple[str, bool]:
    """``name`` cut before its first ``<...>`` part (comprehension, lambda), and whether it was cut."""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.startswith("<"):
            return ".".join(parts[:i]), True
    return name, False


def static_calls(root: Path, out: Path) -> tuple[set[tuple[str, str]], set[str], int]:
    """The graph's call edges as (caller, callee) names, its callgraph node names, its edge count."""
    graph = codeanatomy.open_graph(root, out=out)
    nodes = set(graph.sql("SELECT pycg_name FROM callgraph_nodes").to_arrow_table().column(0).to_pylist())
    rows = graph.sql("SELECT caller_pycg, callee_pycg, callee_kind FROM call_edges").to_arrow_table().to_pylist()
    edges: set[tuple[str, str]] = set()
    for row in rows:
        caller, callee = row["caller_pycg"], row["callee_pycg"]
        if caller is None or callee is None:
            continue
        # A lambda's calls count as its enclosing function's too, as the recorded ones do.
        for source in {caller, graph_names(caller)[0]}:
            edges.add((source, callee))
            if row["callee_kind"] == "CLASS":
                edges.update(((source, f"{callee}.__init__"), (source, f"{callee}.__new__")))
    return edges, nodes, len(rows)


def main() -> None:
    """Record the tests' calls, build (or open) the graph, print the recall."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="build the graph here (default: a temporary directory)")
    parser.add_argument("--calls", type=Path, default=None, help="keep the recorded calls here, or take them from here")
    parser.add_argument("--tests", default=",".join(TESTS), help="comma-separated test modules")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per test module")
    parser.add_argument("--show", type=int, default=0, help="print N of the calls the graph misses")
    args = parser.parse_args()
    root = Path(sysconfig.get_path("stdlib"))
    tests = [t for t in args.tests.split(",") if t]
    if args.calls is not None and args.calls.exists():
        recorded = {(a, b) for a, b in json.loads(args.calls.read_text())}
        print(f"took {len(recorded)} recorded calls from {args.calls}", file=sys.stderr)
    else:
        print(f"running {len(tests)} test modules of {root}", file=sys.stderr)
        recorded = record_calls(root, tests, args.timeout)
        if args.calls is not None:
            args.calls.write_text(json.dumps(sorted(recorded)))
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "graph"
        started = time.perf_counter()
        codeanatomy.build(root, out=out, exclude=EXCLUDE)
        print(f"built the graph in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        edges, nodes, count = static_calls(root, out)
    calls = set()
    for caller, callee in recorded:
        callee_name, cut = graph_names(callee)
        if not cut:
            calls.add((graph_names(caller)[0], callee_name))
    known = {c for c in calls if c[0] in nodes and c[1] in nodes}
    found = known & edges
    print(f"test modules:   {len(tests)}")
    print(f"calls recorded: {len(recorded)} ({len(known)} between functions of the graph)")
    print(f"call edges:     {count}")
    print(f"recall:         {len(found)}/{len(known)} = {100 * len(found) / max(len(known), 1):.2f} %")
    for caller, callee in sorted(known - found)[: args.show]:
        print(f"  missed: {caller} -> {callee}")


if __name__ == "__main__":  # pragma: no cover
    main()
