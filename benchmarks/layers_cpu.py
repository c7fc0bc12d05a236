"""CPU seconds of each per-file build step over the standard library, against a bare ``ast.parse``.

Scans the running interpreter's standard library (tests included, ``site-packages``
excluded — the selection of ``build_stdlib.py --include-tests``), then runs the steps
of :func:`codeanatomy.steps.file_steps` in this process, file by file as a worker
does, and prints each step's CPU seconds (``time.process_time``), the CPU seconds of
a bare ``ast.parse`` loop over the same files, and their ratios.

``--dump DIR`` writes each step's output: every table it fills (rows concatenated in
file order, then the step's own row order, so the content is deterministic) and its
errors and facts (one ``repr`` per file) as Parquet. ``--compare DIR`` reruns and
reports every table that differs from such a dump.

Usage: ``python benchmarks/layers_cpu.py [--limit N] [--layers ast,...] [--dump DIR | --compare DIR]``
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import sysconfig
import time
import warnings
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from codeanatomy.extract._base import ExtractOptions, FileError, LayerOutput
from codeanatomy.extract._gc import gc_paused
from codeanatomy.scan import scan
from codeanatomy.source import SourceFile
from codeanatomy.steps import file_steps

EXCLUDE = ["site-packages/**"]
LAYERS = ("ast", "symtable", "bytecode", "tree_sitter")
_ERROR_FIELDS = ("path", "layer", "error_type", "message", "line", "col")


def canonical(value: object) -> str:
    """``repr`` of a fact with sets rendered in sorted order, so it is the same in every process."""
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(canonical(v) for v in value)) + "}"
    if isinstance(value, tuple):
        return "(" + ", ".join(canonical(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(sorted(f"{canonical(k)}: {canonical(v)}" for k, v in value.items()))
            + "}"
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = ", ".join(
            f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({inner})"
    return repr(value)


def load_sources(limit: int | None) -> list[SourceFile]:
    """The standard library's parseable files, in scan order (the first ``limit`` if given)."""
    root = Path(sysconfig.get_path("stdlib"))
    scanned = scan(root, exclude=EXCLUDE, max_file_bytes=5 * 1024 * 1024)
    files = [f for f in scanned.files if f.data is not None]
    return [f.source() for f in files[:limit]]


def parse_seconds(sources: list[SourceFile]) -> float:
    """CPU seconds of parsing every file once with ``ast.parse``."""
    datas = [s.data for s in sources]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.process_time()
        for data in datas:
            try:
                ast.parse(data)
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                pass
        return time.process_time() - started


def run_steps(
    sources: list[SourceFile], layers: tuple[str, ...], keep: bool
) -> tuple[
    dict[str, float], dict[str, dict[str, list[pa.Table]]], dict[str, list[tuple[str, str]]]
]:
    """Run the steps over fresh copies of ``sources``; return CPU seconds, and outputs if ``keep``."""
    steps = file_steps(layers)  # type: ignore[arg-type]
    opts = ExtractOptions()
    seconds: dict[str, float] = defaultdict(float)
    tables: dict[str, dict[str, list[pa.Table]]] = defaultdict(lambda: defaultdict(list))
    extras: dict[str, list[tuple[str, str]]] = defaultdict(list)
    clock = time.process_time
    for original in sources:
        source = SourceFile(
            original.path, original.file_id, original.module, original.data, original.encoding
        )
        for step in steps:
            started = clock()
            with gc_paused():  # as a worker runs a file's steps
                try:
                    output = step.run(source, opts)
                except Exception as exc:  # noqa: BLE001 - as the build does
                    output = LayerOutput(
                        errors=(FileError.from_exception(source.path, step.name, exc),)
                    )
            seconds[step.name] += clock() - started
            if keep:
                for name, table in output.tables.items():
                    tables[step.name][name].append(table)
                for error in output.errors:
                    extras[step.name].append(
                        ("error", repr(tuple(getattr(error, f) for f in _ERROR_FIELDS)))
                    )
                for fact in output.facts:
                    extras[step.name].append(("fact", canonical(fact)))
    return dict(seconds), tables, extras


def step_tables(
    tables: dict[str, dict[str, list[pa.Table]]], extras: dict[str, list[tuple[str, str]]]
) -> dict[str, pa.Table]:
    """One table per (step, table) named ``step.table``, plus ``step.extras`` (errors and facts)."""
    out: dict[str, pa.Table] = {}
    for step, by_name in tables.items():
        for name, parts in by_name.items():
            out[f"{step}.{name}"] = pa.concat_tables(parts)
    for step, rows in extras.items():
        out[f"{step}.extras"] = pa.table(
            {"what": [r[0] for r in rows], "value": [r[1] for r in rows]}
        )
    return out


def dump(outputs: dict[str, pa.Table], directory: Path) -> None:
    """Write every output table as ``directory/<step>.<table>.parquet``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in outputs.items():
        pq.write_table(table, directory / f"{name}.parquet")


def compare(outputs: dict[str, pa.Table], directory: Path) -> int:
    """Print every table of the steps run that differs from the dump in ``directory``; return how many differ."""
    steps = {name.split(".", 1)[0] for name in outputs}
    stored = {
        p.name.removesuffix(".parquet"): p
        for p in sorted(directory.glob("*.parquet"))
        if p.name.split(".", 1)[0] in steps
    }
    differing = 0
    for name in sorted(set(stored) | set(outputs)):
        if name not in outputs or name not in stored:
            print(f"  {name}: only in {'dump' if name in stored else 'this run'}")
            differing += 1
            continue
        before = pq.read_table(stored[name])
        after = outputs[name]
        if before.equals(after):
            continue
        differing += 1
        if before.schema != after.schema or before.num_rows != after.num_rows:
            print(
                f"  {name}: rows {before.num_rows} -> {after.num_rows}, schema equal: {before.schema == after.schema}"
            )
            continue
        for column in before.column_names:
            if not before[column].equals(after[column]):
                left, right = before[column].to_pylist(), after[column].to_pylist()
                first = next(i for i, (a, b) in enumerate(zip(left, right, strict=True)) if a != b)
                print(
                    f"  {name}: column {column} differs first at row {first}: {left[first]!r:.300} -> {right[first]!r:.300}"
                )
                break
    print(f"compare: {len(outputs)} tables, {differing} differ")
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N files")
    parser.add_argument(
        "--layers", default=",".join(LAYERS), help="comma-separated evidence layers"
    )
    parser.add_argument("--dump", type=Path, default=None, help="write outputs as Parquet here")
    parser.add_argument("--compare", type=Path, default=None, help="compare outputs with a dump")
    args = parser.parse_args()
    sources = load_sources(args.limit)
    layers = tuple(args.layers.split(","))
    parse = parse_seconds(sources)
    keep = args.dump is not None or args.compare is not None
    seconds, tables, extras = run_steps(sources, layers, keep)
    print(f"files: {len(sources)} ({sum(len(s.data) for s in sources) / 1e6:.1f} MB)")
    print(f"bare ast.parse: {parse:7.2f} s CPU")
    for name, value in seconds.items():
        print(f"  {name:<14} {value:7.2f} s  ({value / parse:5.2f}x parse)")
    total = sum(seconds.values())
    print(f"  {'total':<14} {total:7.2f} s  ({total / parse:5.2f}x parse)")
    if keep:
        outputs = step_tables(tables, extras)
        if args.dump is not None:
            dump(outputs, args.dump)
        if args.compare is not None and compare(outputs, args.compare):
            raise SystemExit(1)


if __name__ == "__main__":
    main()
