"""CPU seconds of each per-file step on generated worst-case files, and of a whole build of them.

Real repositories hold generated code: modules of thousands of functions, data
literals on one huge line, long ``if``/``elif`` chains, deep class chains, sums of
thousands of terms. Each such file here is sized so that a step whose work grows
faster than the file shows up as an outlier against ``ast.parse`` of the same file.
Prints, per file, its size, the ``ast.parse`` CPU seconds and each step's CPU
seconds (run in this process, file by file, as a worker runs them), then the wall
seconds of ``codeanatomy.build`` over all of them (the resolver included) by phase.

Usage: ``python benchmarks/pathological_files.py [--scale N]`` (sizes times N, default 1)
"""

from __future__ import annotations

import argparse
import ast
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import codeanatomy
from codeanatomy.deep_stack import run_with_deep_stack
from codeanatomy.extract._base import ExtractOptions
from codeanatomy.scan import module_name
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for
from codeanatomy.steps import file_steps

LAYERS = ("ast", "symtable", "bytecode", "tree_sitter")


def generated_files(scale: int) -> dict[str, Callable[[], str]]:
    """Worst-case file makers by name, sized by ``scale``."""
    n = 20_000 * scale
    return {
        "many_functions.py": lambda: "".join(f"def f{i}(a, b={i}):\n    return f{max(i - 1, 0)}(a, b)\n" for i in range(n)),
        "many_methods.py": lambda: "class C:\n" + "".join(f"    def m{i}(self):\n        return self.m{max(i - 1, 0)}()\n" for i in range(n)),
        "long_literal.py": lambda: "x = [" + "1, " * (15 * n) + "]\n",
        "elif_chain.py": lambda: "x = 1\n" + "".join(f"if x == {i}:\n    pass\nel" for i in range(n // 6)) + "se:\n    pass\n",
        "class_chain.py": lambda: "class C0:\n    def m(self):\n        return 0\n"
        + "".join(f"class C{i}(C{i - 1}):\n    def m(self):\n        return super().m()\n" for i in range(1, n // 100)),
        "long_sum.py": lambda: "def g(v):\n    return v\n\ntotal = " + " + ".join(["g(1)"] * (n // 8)) + "\n",
        "string_block.py": lambda: "x = (\n" + '    "a"\n' * (2 * n) + ")\n",
    }


def main() -> None:
    """Write the files, time each step on each, then build them all."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    steps = file_steps(LAYERS)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, make in generated_files(args.scale).items():
            (root / name).write_text(make(), encoding="utf-8")

        def time_steps() -> None:
            print(f"{'file':<18} {'KB':>7} {'parse':>6}  " + " ".join(f"{s.name:>13}" for s in steps))
            for path in sorted(root.glob("*.py")):
                data = path.read_bytes()
                started = time.process_time()
                ast.parse(data)
                parse = time.process_time() - started
                source = SourceFile(path.name, file_id_for(path.name), module_name(path.name), data)
                cells = []
                for step in steps:
                    started = time.process_time()
                    step.run(source, ExtractOptions())
                    cells.append(f"{time.process_time() - started:13.2f}")
                print(f"{path.name:<18} {len(data) / 1024:7.0f} {parse:6.2f}  " + " ".join(cells))

        run_with_deep_stack(time_steps)
        started = time.perf_counter()
        result = codeanatomy.build(root, out=root / "out")
        print(f"build: {time.perf_counter() - started:.2f} s wall, {result.nodes} nodes, errors {result.errors_by_layer}")
        phases = {k: round(v, 2) for k, v in result.timings.items() if not k.startswith("pass:")}
        print(f"build phases (wall s): {phases}")


if __name__ == "__main__":  # pragma: no cover
    main()
