"""Build the graph of the running interpreter's standard library and print figures.

Prints files, MB, nodes and edges (by kind), wall seconds, files/s, peak RSS, the
per-phase times (``resolve_program`` is the whole-program resolver, which runs in a
child process beside the evidence extraction and the syntax graph), the per-step
worker seconds, and — measured in the same run — the wall time of a bare
single-process ``ast.parse`` loop over the same files, with the ratios of the build,
of its per-file phases and of the summed worker CPU to it. It also prints the CPU
seconds the build took (the machine's, where ``/proc/stat`` gives them; the driver's and
the resolver's), and the wall time they allow on this machine's cores.

``--layers-alone`` also times the selected evidence layers on their own in the
build's worker pool (no resolver facts, bindings or resolver beside them).
``--rebuild`` then builds twice more into the same output and prints their times: with
nothing changed (the build finds the graph up to date), and with one more exclude
pattern that matches nothing (a build that runs, with every file's work and the
resolution taken from the last build). (With ``--out`` naming a directory built
before, the first build reuses its work as well: the ``reused`` line says so.)

Usage: ``python benchmarks/build_stdlib.py [--jobs N] [--profile fast|full] [--layers ...] [--out DIR] [--layers-alone] [--rebuild]``
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from _report import CpuSeconds, print_phases, print_steps

import codeanatomy
from codeanatomy.catalog import evidence_tables
from codeanatomy.config import BuildOptions, resolve_options
from codeanatomy.extract._base import ExtractOptions
from codeanatomy.extract.layers import LAYERS
from codeanatomy.extract.run import FileStep, Staging, WorkerPool, run_steps
from codeanatomy.scan import ScanResult, scan

EXCLUDE = ["site-packages/**", "test/**", "idlelib/idle_test/**"]


_PARSE_LOOP = """
import ast, sys, time, warnings
warnings.simplefilter("ignore")
datas = [open(p, "rb").read() for p in sys.stdin.read().splitlines()]
started = time.perf_counter()
for data in datas:
    try:
        ast.parse(data)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        pass
print(time.perf_counter() - started)
"""


def bare_parse_seconds(root: Path, paths: list[str]) -> float:
    """Wall time of parsing every file once with ``ast.parse`` in a fresh single process."""
    done = subprocess.run(
        [sys.executable, "-c", _PARSE_LOOP],
        input="\n".join(str(root / p) for p in paths),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip())


def layers_alone_seconds(scanned: ScanResult, options: BuildOptions) -> float:
    """Wall time of the evidence layers alone over the scanned files, in the build's worker pool."""
    inputs = [(f.path, f.file_id, f.module, f.data, f.encoding) for f in scanned.files if f.data is not None]
    layers = options.selected_layers
    steps = tuple(FileStep(layer.name, layer.extract) for layer in LAYERS if layer.name in layers)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "facts").mkdir()
        specs = {spec.name: spec for spec in evidence_tables()}
        staging = Staging(Path(tmp), "alone", specs, Path(tmp) / "facts")
        started = time.perf_counter()
        with WorkerPool(options.jobs if options.jobs > 1 else 0) as pool:
            run_steps(inputs, steps, ExtractOptions(), staging, pool=pool, chunk_files=options.chunk_files)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--layers", default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--include-tests", action="store_true", help="also build Lib/test")
    parser.add_argument(
        "--layers-alone",
        action="store_true",
        help="also time the evidence layers alone, in the build's worker pool, with nothing beside them",
    )
    parser.add_argument("--rebuild", action="store_true", help="also time a second build, from the chunk cache")
    args = parser.parse_args()
    root = Path(sysconfig.get_path("stdlib"))
    exclude = EXCLUDE[:1] if args.include_tests else EXCLUDE
    scanned = scan(root, exclude=exclude, max_file_bytes=5 * 1024 * 1024)
    paths = [f.path for f in scanned.files if f.data is not None]
    megabytes = sum(f.size for f in scanned.files) / 1e6
    parse = bare_parse_seconds(root, paths)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or tmp
        cpu_before = CpuSeconds.now()
        started = time.perf_counter()
        result = codeanatomy.build(
            root,
            out=out,
            exclude=exclude,
            jobs=args.jobs,
            profile=args.profile,
            layers=args.layers.split(",") if args.layers else None,
        )
        wall = time.perf_counter() - started
        cpu = CpuSeconds.now().since(cpu_before)
        manifest = codeanatomy.open_graph(root, out=out).manifest
        rebuilds = []
        if args.rebuild:
            # Nothing changed; then one more exclude pattern, matching nothing, so that
            # the build runs (every file's work and the resolution reused).
            for extra in ([], ["no/such/directory/**"]):
                started = time.perf_counter()
                again = codeanatomy.build(root, out=out, exclude=[*exclude, *extra], jobs=args.jobs,
                                          profile=args.profile, layers=args.layers.split(",") if args.layers else None)
                rebuilds.append((time.perf_counter() - started, again))
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"stdlib:        {root}")
    print(f"files:         {result.files} ({megabytes:.1f} MB)")
    print(f"nodes:         {result.nodes}  {dict(sorted(result.nodes_by_kind.items()))}")
    print(f"edges:         {result.edges}  {dict(sorted(result.edges_by_kind.items()))}")
    print(f"errors:        {sum(result.errors_by_layer.values())} {result.errors_by_layer}")
    print(f"wall:          {wall:.2f} s  ({result.files / wall:.0f} files/s)")
    print(f"reused:        {result.reused} (files whose work came from an earlier build)")
    cpu.report(wall)
    print_phases(result, "phases (wall seconds; the resolver child loads the facts during 'facts' and resolves from its end on):")
    print_steps(manifest.layers)
    print(f"peak RSS:      driver {rss_self:.0f} MiB, largest child (worker or resolver) {rss_children:.0f} MiB")
    per_file = result.timings["facts"] + result.timings["extract"]
    worker_seconds = sum(layer.seconds for layer in manifest.layers)
    print(f"bare ast.parse loop (1 process, measured before the build): {parse:.2f} s")
    print(f"ratio build/parse:             {wall / parse:.2f}")
    print(f"ratio per-file phases/parse:   {per_file / parse:.2f}  (facts + extract, wall)")
    print(f"ratio worker CPU/parse:        {worker_seconds / parse:.2f}  (CPU of every step, summed)")
    for (seconds, again), what in zip(rebuilds, ("nothing changed (up to date)", "every file's work reused"), strict=False):
        print(f"rebuild, {what}: {seconds:.2f} s ({seconds / parse:.2f}x parse), unchanged={again.unchanged}, reused {again.reused}")
    if args.layers_alone:
        explicit = {"profile": args.profile, "jobs": args.jobs, "layers": tuple(args.layers.split(",")) if args.layers else None}
        options = resolve_options(root, explicit).options
        alone = layers_alone_seconds(scanned, options)
        print(f"evidence layers alone ({','.join(options.selected_layers)}, no resolver beside them): {alone:.2f} s")
        print(f"ratio layers alone/parse:      {alone / parse:.2f}")


if __name__ == "__main__":
    main()
