"""Run per-file steps over scanned files, in-process or in a pool of worker processes.

A step is a pure function of (file, options) to a :class:`LayerOutput`: the evidence
layers, and per-file resolution work such as name bindings. Files are sent in
chunks; results come back in file order whatever the number of workers, so the
concatenated tables are identical for any ``jobs``.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa

from codeanatomy.extract._base import ExtractOptions, FileError, LayerOutput
from codeanatomy.source import SourceFile

__all__ = ["ExtractionResult", "FileStep", "run_steps"]

FileInput = tuple[str, str, str, bytes, str]
"""(path, file_id, module, data, encoding): a file as sent to a worker."""


@dataclass(frozen=True, slots=True)
class FileStep:
    """A named per-file function; its errors are tagged with ``name`` if it raises."""

    name: str
    run: Callable[[SourceFile, ExtractOptions], LayerOutput]


@dataclass(slots=True)
class ExtractionResult:
    """Tables by name (concatenated in file order), error rows, facts, and seconds per step."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    errors: list[FileError] = field(default_factory=list)
    facts: list[object] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    files: int = 0


@dataclass(frozen=True, slots=True)
class _ChunkResult:
    tables: dict[str, pa.Table]
    errors: list[FileError]
    facts: list[object]
    seconds: dict[str, float]
    files: int


def _run_chunk(steps: Sequence[FileStep], opts: ExtractOptions, chunk: Sequence[FileInput]) -> _ChunkResult:
    parts: dict[str, list[pa.Table]] = defaultdict(list)
    errors: list[FileError] = []
    facts: list[object] = []
    seconds: dict[str, float] = defaultdict(float)
    for path, file_id, module, data, encoding in chunk:
        source = SourceFile(path, file_id, module, data, encoding)
        for step in steps:
            started = time.perf_counter()
            try:
                output = step.run(source, opts)
            except Exception as exc:  # a layer's bug on one file must not stop the build
                output = LayerOutput(errors=(FileError.from_exception(path, step.name, exc),))
            seconds[step.name] += time.perf_counter() - started
            for name, table in output.tables.items():
                parts[name].append(table)
            errors.extend(output.errors)
            facts.extend(output.facts)
    tables = {name: pa.concat_tables(chunks) for name, chunks in parts.items()}
    return _ChunkResult(tables, errors, facts, dict(seconds), len(chunk))


def _chunks(files: Sequence[FileInput], size: int) -> Iterator[Sequence[FileInput]]:
    for start in range(0, len(files), size):
        yield files[start : start + size]


def run_steps(
    files: Sequence[FileInput],
    steps: Sequence[FileStep],
    opts: ExtractOptions,
    *,
    jobs: int,
    chunk_files: int,
    on_progress: Callable[[int], None] | None = None,
) -> ExtractionResult:
    """Run ``steps`` over ``files`` and gather their tables and errors in file order.

    Args:
        files: files to process, in the order their rows should appear.
        steps: per-file steps, run in this order for each file.
        opts: options passed to every step.
        jobs: worker processes; 1 runs in this process.
        chunk_files: files per task sent to a worker.
        on_progress: called with the number of files finished by each completed chunk.
    """
    result = ExtractionResult()
    parts: dict[str, list[pa.Table]] = defaultdict(list)
    seconds: dict[str, float] = defaultdict(float)
    chunks = list(_chunks(files, chunk_files))

    def absorb(chunk: _ChunkResult) -> None:
        for name, table in chunk.tables.items():
            parts[name].append(table)
        result.errors.extend(chunk.errors)
        result.facts.extend(chunk.facts)
        for name, value in chunk.seconds.items():
            seconds[name] += value
        result.files += chunk.files
        if on_progress is not None:
            on_progress(chunk.files)

    if jobs <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            absorb(_run_chunk(steps, opts, chunk))
    else:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(_run_chunk, steps, opts, chunk) for chunk in chunks]
            for future in futures:
                absorb(future.result())
    result.tables = {name: pa.concat_tables(tables) for name, tables in parts.items()}
    result.seconds = dict(seconds)
    return result
