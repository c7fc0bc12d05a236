"""Run per-file steps over scanned files, in-process or in a pool of worker processes.

A step is a pure function of (file, options) to a :class:`LayerOutput`: the evidence
layers, and per-file resolution work such as name bindings. Files go to workers in
chunks; each worker writes its chunk's rows of every table as one Parquet file in the
table's directory (staged, invisible until the driver commits them) and its facts for
the whole-program resolver as one pickle file, and returns only the file lists and
error rows. Chunks are numbered in file order, so the data is the same whatever the
number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from codeanatomy.errors import WorkerError
from codeanatomy.extract._base import ExtractOptions, FileError, LayerOutput
from codeanatomy.extract._gc import gc_paused
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile
from codeanatomy.store import StagedFile, stage_file

__all__ = ["ExtractionResult", "FileStep", "Staging", "run_steps"]

FileInput = tuple[str, str, str, bytes, str]
"""(path, file_id, module, data, encoding): a file as sent to a worker."""


@dataclass(frozen=True, slots=True)
class FileStep:
    """A named per-file function; its errors are tagged with ``name`` if it raises."""

    name: str
    run: Callable[[SourceFile, ExtractOptions], LayerOutput]


@dataclass(frozen=True, slots=True)
class Staging:
    """Where workers write: the output root and table specs (Parquet), and the facts directory."""

    root: Path
    run_id: str
    specs: Mapping[str, TableSpec]
    facts: Path


@dataclass(slots=True)
class ExtractionResult:
    """Staged files by table and fact files (in chunk order), error rows, CPU seconds per step."""

    files: dict[str, list[StagedFile]] = field(default_factory=dict)
    errors: list[FileError] = field(default_factory=list)
    fact_files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    count: int = 0


@dataclass(frozen=True, slots=True)
class _ChunkResult:
    files: list[StagedFile]
    errors: list[FileError]
    fact_file: Path | None
    seconds: dict[str, float]
    count: int


def _run_file(
    source: SourceFile, steps: Sequence[FileStep], opts: ExtractOptions, into: _ChunkParts
) -> None:
    for step in steps:
        started = time.process_time()
        try:
            output = step.run(source, opts)
        except Exception as exc:  # noqa: BLE001 - a layer bug on one file must not stop the build
            output = LayerOutput(errors=(FileError.from_exception(source.path, step.name, exc),))
        into.seconds[step.name] += time.process_time() - started
        for name, table in output.tables.items():
            if table.num_rows:
                into.tables[name].append(table)
        into.errors.extend(output.errors)
        into.facts.extend(output.facts)


@dataclass(slots=True)
class _ChunkParts:
    tables: defaultdict[str, list[pa.Table]] = field(default_factory=lambda: defaultdict(list))
    errors: list[FileError] = field(default_factory=list)
    facts: list[object] = field(default_factory=list)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))


def _run_chunk(
    steps: Sequence[FileStep],
    opts: ExtractOptions,
    staging: Staging,
    number: int,
    chunk: Sequence[FileInput],
) -> _ChunkResult:
    parts = _ChunkParts()
    for path, file_id, module, data, encoding in chunk:
        # A file's steps allocate objects per syntax node and free them together: the
        # cyclic collector would only rescan them, over and over, finding nothing.
        with gc_paused():
            _run_file(SourceFile(path, file_id, module, data, encoding), steps, opts, parts)
    stem = f"part-{staging.run_id}-{number:05d}"
    files = [
        stage_file(staging.root, staging.specs[name], pa.concat_tables(tables), stem)
        for name, tables in sorted(parts.tables.items())
    ]
    fact_file = None
    if parts.facts:
        fact_file = staging.facts / f"facts-{number:05d}.pickle"
        fact_file.write_bytes(pickle.dumps(parts.facts, protocol=pickle.HIGHEST_PROTOCOL))
    return _ChunkResult(files, parts.errors, fact_file, dict(parts.seconds), len(chunk))


def run_steps(
    files: Sequence[FileInput],
    steps: Sequence[FileStep],
    opts: ExtractOptions,
    staging: Staging,
    *,
    workers: int,
    chunk_files: int,
    niceness: int = 0,
    on_progress: Callable[[int], None] | None = None,
) -> ExtractionResult:
    """Run ``steps`` over ``files``, staging their tables as Parquet under ``staging.root``.

    Args:
        files: files to process, in the order their rows should appear.
        steps: per-file steps, run in this order for each file.
        opts: options passed to every step.
        staging: where to write the tables' Parquet files and the facts (its ``facts``
            directory must exist).
        workers: worker processes; 0 runs in this process (so does a single chunk).
        chunk_files: files per task sent to a worker.
        niceness: added to the workers' scheduling niceness, so that work running beside
            them (the resolver) keeps its core while they share what is left.
        on_progress: called with the number of files finished by each completed chunk.
    """
    chunks = [files[start : start + chunk_files] for start in range(0, len(files), chunk_files)]
    done: dict[int, _ChunkResult] = {}
    if workers == 0 or len(chunks) <= 1:
        for number, chunk in enumerate(chunks):
            done[number] = _run_chunk(steps, opts, staging, number, chunk)
            if on_progress is not None:
                on_progress(len(chunk))
    else:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=os.nice, initargs=(niceness,)
        ) as pool:
            # Biggest chunks first, so no worker is left with a big one at the end; the
            # chunks keep their numbers, which fix the order of the rows.
            by_size = sorted(range(len(chunks)), key=lambda n: -sum(len(f[3]) for f in chunks[n]))
            futures = {
                pool.submit(_run_chunk, steps, opts, staging, number, chunks[number]): number
                for number in by_size
            }
            for future in as_completed(futures):
                try:
                    result = future.result()
                except BrokenProcessPool as exc:
                    first = chunks[futures[future]][0][0]
                    raise WorkerError(f"a worker process died while extracting files from {first!r}: {exc}") from exc
                done[futures[future]] = result
                if on_progress is not None:
                    on_progress(result.count)
    extraction = ExtractionResult()
    seconds: dict[str, float] = defaultdict(float)
    for number in range(len(chunks)):
        chunk_result = done[number]
        for staged in chunk_result.files:
            extraction.files.setdefault(staged.name, []).append(staged)
        extraction.errors.extend(chunk_result.errors)
        if chunk_result.fact_file is not None:
            extraction.fact_files.append(chunk_result.fact_file)
        for name, value in chunk_result.seconds.items():
            seconds[name] += value
        extraction.count += chunk_result.count
    extraction.seconds = dict(seconds)
    return extraction
