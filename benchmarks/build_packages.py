"""Build the graph of installed packages, as one repository, and print where the time goes.

Real projects weigh differently from the standard library: some spend most of the
build in the resolver. This copies the Python files of the named top-level packages,
as the running interpreter imports them (from its ``site-packages``, say), into one
temporary directory, builds it cold, and prints files, nodes, edges, wall seconds, the
time per phase and the CPU seconds of each per-file step.

Usage: ``python benchmarks/build_packages.py [PACKAGE ...] [--jobs N]`` (default: rich,
pydantic, hypothesis and libcst, which the test dependencies install).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _report import print_phases, print_steps

import codeanatomy

DEFAULT_PACKAGES = ("rich", "pydantic", "hypothesis", "libcst")


def package_directory(name: str) -> Path:
    """The directory the running interpreter imports top-level package ``name`` from."""
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise SystemExit(f"{name}: not an installed package directory")
    return Path(locations[0])


def copy_python_files(source: Path, target: Path) -> int:
    """Copy the ``.py`` and ``.pyi`` files under ``source`` to ``target``; return how many."""
    count = 0
    for path in sorted(source.rglob("*.py*")):
        if path.suffix in {".py", ".pyi"} and "__pycache__" not in path.parts:
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(DEFAULT_PACKAGES))
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "packages"
        for name in args.packages:
            copied = copy_python_files(package_directory(name), root / name)
            print(f"{name:<12} {copied} files")
        started = time.perf_counter()
        result = codeanatomy.build(root, out=Path(tmp) / "graph", jobs=args.jobs)
        wall = time.perf_counter() - started
        layers = codeanatomy.open_graph(root, out=Path(tmp) / "graph").manifest.layers
    print(f"python:        {sys.version.split()[0]}")
    print(f"files:         {result.files}")
    print(f"nodes:         {result.nodes}")
    print(f"edges:         {result.edges}  (CALLS {result.edges_by_kind.get('CALLS', 0)})")
    print(f"wall:          {wall:.2f} s")
    print_phases(result, "phases (wall seconds; the resolver runs in its own process from the end of 'facts' on):")
    print_steps(layers)


if __name__ == "__main__":
    main()
