"""Time rebuilds of a repository after typical changes, and say what each reused.

Copies the repository (its Python files) to a temporary directory, builds it cold,
then builds again: with nothing changed; with an option that shapes no graph (one more
exclude pattern matching nothing, so the build runs); after editing a file (a line
added to the middle one, in path order); after adding a file; after removing one.
Prints each build's wall seconds, whether it found the graph up to date, how many
files' work it reused, and the resolver's seconds.

Usage: ``python benchmarks/rebuild.py ROOT [--jobs N]`` (default ROOT: the running
interpreter's standard library, without its tests).
"""

from __future__ import annotations

import argparse
import shutil
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import codeanatomy
from codeanatomy.scan import scan

EXCLUDE = ["site-packages/**", "test/**", "idlelib/idle_test/**"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=sysconfig.get_path("stdlib"))
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    source = Path(args.root).resolve()
    exclude = EXCLUDE if source == Path(sysconfig.get_path("stdlib")).resolve() else []
    paths = [f.path for f in scan(source, exclude=exclude, max_file_bytes=5 * 1024 * 1024).files if f.data is not None]
    if len(paths) < 3:
        raise SystemExit(f"{source} has fewer than 3 Python files to build")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        for path in paths:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / path, root / path)
        middle, last = paths[len(paths) // 2], paths[-1]
        print(f"repository:  {source} ({len(paths)} Python files, copied to {root})")
        print(f"edited:      {middle} (and a file added beside it); removed: {last}")

        def edit() -> None:
            with (root / middle).open("a", encoding="utf-8") as file:
                file.write("\n_rebuild_benchmark = 1\n")

        def add() -> None:
            (root / middle).with_name("_rebuild_benchmark_new.py").write_text("def added():\n    return 1\n")

        def remove() -> None:
            (root / last).unlink()

        steps: list[tuple[str, Callable[[], None], list[str]]] = [
            ("cold build", lambda: None, []),
            ("nothing changed", lambda: None, []),
            ("an option shaping no graph", lambda: None, ["no/such/directory/**"]),
            ("edited a file", edit, []),
            ("added a file", add, []),
            ("removed a file", remove, []),
        ]
        for label, change, extra in steps:
            change()
            started = time.perf_counter()
            result = codeanatomy.build(root, jobs=args.jobs, exclude=[*exclude, *extra])
            seconds = time.perf_counter() - started
            resolver = result.timings.get("resolve_program", 0.0)
            print(
                f"{label:<28} {seconds:7.2f} s  up to date: {result.unchanged!s:<5}  "
                f"reused {result.reused}  resolver {resolver:.2f} s"
            )


if __name__ == "__main__":
    main()
