"""Run per-file steps over scanned files, in-process or in a pool of worker processes.

A step is a pure function of (file, options) to a :class:`LayerOutput`: the evidence
layers, and per-file resolution work such as name bindings. Files go to workers in
chunks; each worker writes its chunk's rows of every table as one Parquet file in the
table's directory (staged, invisible until the driver commits them) and its facts for
the whole-program resolver as one fact file (:mod:`codeanatomy.fact_files`), and
returns only the file lists and error rows. Chunks are numbered in file order, so the
data is the same whatever the number of workers. A chunk already in the chunk cache
(:mod:`codeanatomy.extract.chunk_cache`) is restored from it instead.

A build's passes share one :class:`WorkerPool`. A pass run with ``keep_sources``
leaves each file it read parsed in the worker that read it (its tree, ast index and
line table, up to :data:`KEEP_SOURCE_BYTES` of source shared among the workers),
and the next pass sends each chunk back to that worker, which reuses them instead of
parsing again.
A worker with none of its own chunks left takes another's, and parses those itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import signal
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import pyarrow as pa

from codeanatomy.deep_stack import run_with_deep_stack
from codeanatomy.errors import WorkerError
from codeanatomy.extract._base import ExtractOptions, FileError, LayerOutput
from codeanatomy.extract._chunks import ChunkResult, FileInput, Staging, split_chunks
from codeanatomy.extract._gc import gc_paused
from codeanatomy.extract.chunk_cache import ChunkCache
from codeanatomy.fact_files import pickled_facts, write_fact_file
from codeanatomy.source import SourceFile
from codeanatomy.store import StagedFile, stage_file

__all__ = ["KEEP_SOURCE_BYTES", "ExtractionResult", "FileStep", "Staging", "WorkerPool", "run_steps"]

KEEP_SOURCE_BYTES: Final = 64 * 1024 * 1024
"""Source bytes all the workers together keep parsed between passes, in equal shares
(a parsed, indexed file takes about 60 times its size in memory)."""

_IN_FLIGHT: Final = 2
"""Chunks queued in each worker at a time: the next is there when one finishes."""


@dataclass(frozen=True, slots=True)
class FileStep:
    """A named per-file function; its errors are tagged with ``name`` if it raises."""

    name: str
    run: Callable[[SourceFile, ExtractOptions], LayerOutput]


@dataclass(slots=True)
class ExtractionResult:
    """Staged files by table and fact files (in chunk order), error rows, CPU seconds per
    step, files run, and how many of those came from the chunk cache."""

    files: dict[str, list[StagedFile]] = field(default_factory=dict)
    errors: list[FileError] = field(default_factory=list)
    fact_files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    count: int = 0
    reused: int = 0


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
        for facts in output.facts:
            try:
                into.facts.append(pickled_facts(facts))
            except RecursionError as exc:
                message = f"its facts nest too deeply to hand to the resolver: {exc}"
                into.errors.append(FileError(source.path, step.name, type(exc).__name__, message))


@dataclass(slots=True)
class _ChunkParts:
    tables: defaultdict[str, list[pa.Table]] = field(default_factory=lambda: defaultdict(list))
    errors: list[FileError] = field(default_factory=list)
    facts: list[bytes] = field(default_factory=list)  # one pickle per file
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))


class _KeptSources:
    """The files this process keeps parsed for the next pass, by path; in a worker, also
    the niceness it has added so far (a pass can only raise it)."""

    def __init__(self) -> None:
        self.by_path: dict[str, SourceFile] = {}
        self.size = 0
        self.added_niceness = 0
        self.in_worker = False

    def take(self, path: str, file_id: str, module: str, data: bytes, encoding: str) -> SourceFile:
        """The kept file at ``path`` if it has these bytes, else a new :class:`SourceFile`."""
        kept = self.by_path.pop(path, None)
        if kept is not None:
            self.size -= len(kept.data)
            if kept.data == data and kept.encoding == encoding and kept.module == module:
                return kept
        return SourceFile(path, file_id, module, data, encoding)

    def keep(self, source: SourceFile, budget: int) -> None:
        """Keep ``source`` (and what its steps derived) if this process keeps under ``budget`` bytes."""
        if self.size + len(source.data) <= budget:
            self.by_path[source.path] = source
            self.size += len(source.data)
            if self.in_worker:
                # A kept tree holds no cycles: moved out of the collector's generations
                # at once, it is not rescanned by every later collection. (Only workers
                # do this: it would keep a long-lived caller's cyclic garbage for good.)
                gc.freeze()

    def clear(self) -> None:
        """Drop every kept file."""
        self.by_path.clear()
        self.size = 0


_KEPT: Final = _KeptSources()


@dataclass(frozen=True, slots=True)
class _PassWork:
    """What every chunk of a pass runs: the steps, their options, where to write, and
    how many bytes of the files read each process keeps for the next pass."""

    steps: Sequence[FileStep]
    opts: ExtractOptions
    staging: Staging
    keep_bytes: int


def _run_chunk(work: _PassWork, number: int, chunk: Sequence[FileInput]) -> ChunkResult:
    """Run ``work`` on ``chunk`` and stage its tables, with room for the steps to recurse.

    The steps and the pickling of the facts recurse per level of a file's syntax tree,
    so they run in a deep-stack thread: a file nested as deep as CPython accepts is
    not lost to their recursion.
    """
    return run_with_deep_stack(_run_chunk_here, work, number, chunk)


def _run_chunk_here(work: _PassWork, number: int, chunk: Sequence[FileInput]) -> ChunkResult:
    parts = _ChunkParts()
    for path, file_id, module, data, encoding in chunk:
        # A file's steps allocate objects per syntax node and free them together: the
        # cyclic collector would only rescan them, over and over, finding nothing.
        with gc_paused():
            source = _KEPT.take(path, file_id, module, data, encoding)
            _run_file(source, work.steps, work.opts, parts)
            if work.keep_bytes:
                _KEPT.keep(source, work.keep_bytes)
    staging = work.staging
    files = [
        stage_file(staging.root, staging.specs[name], pa.concat_tables(tables), staging.stem(number))
        for name, tables in sorted(parts.tables.items())
    ]
    fact_file = None
    if parts.facts:
        fact_file = staging.fact_file(number)
        write_fact_file(fact_file, parts.facts)
    return ChunkResult(files, parts.errors, fact_file, dict(parts.seconds), len(chunk))


def _run_chunk_in_worker(niceness: int, work: _PassWork, number: int, chunk: Sequence[FileInput]) -> ChunkResult:
    """:func:`_run_chunk` in a worker, first raising its niceness to ``niceness`` above its start."""
    _KEPT.in_worker = True
    if niceness > _KEPT.added_niceness:
        os.nice(niceness - _KEPT.added_niceness)
        _KEPT.added_niceness = niceness
    return _run_chunk(work, number, chunk)


class _ChunkQueues:
    """Which chunk each worker runs next: its own, then one nobody holds, then another's."""

    def __init__(self, workers: int, order: Sequence[int], owner: Mapping[int, int]) -> None:
        self.own: list[deque[int]] = [deque() for _ in range(workers)]
        self.free: deque[int] = deque()
        for number in order:
            held = owner.get(number)
            (self.free if held is None else self.own[held]).append(number)

    def next_for(self, worker: int) -> int | None:
        """The next chunk for ``worker``, or None when none is left.

        A worker out of chunks of its own and free ones takes the last chunk of the
        worker with the most left, which then need not wait for it at the end.
        """
        if self.own[worker]:
            return self.own[worker].popleft()
        if self.free:
            return self.free.popleft()
        busiest = max(self.own, key=len)
        return busiest.pop() if busiest else None


def _leave_interrupts_to_the_driver() -> None:
    """Ignore Ctrl-C in a worker: the driver stops the pool, and the worker prints no traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_workers(count: int) -> list[ProcessPoolExecutor]:
    """Start ``count`` single-process executors and wait until each worker is up.

    A Ctrl-C must not stop this halfway: a worker still being forked when the driver
    exits finds the driver's semaphores gone and prints a traceback. One that comes
    while the workers start is held back, and raised once they have. The forkserver
    is started (if it is not running yet) with Ctrl-C blocked in this thread, so that it
    and every worker forked from it keep it blocked (a process inherits its signal
    mask): neither prints an interrupted import's traceback. Blocked, not ignored, so
    that a Ctrl-C then still reaches this process. Only the main thread can set a
    handler; a build in another thread gets no Ctrl-C anyway.
    """
    context = multiprocessing.get_context("forkserver")
    # The forkserver starts the resource tracker first, and unblocks Ctrl-C once that is
    # up: started here first, it is already up then.
    multiprocessing.resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    if threading.current_thread() is not threading.main_thread():
        return _started_executors(context, count)
    interrupted: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: interrupted.append(number))
    try:
        executors = _started_executors(context, count)
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        for executor in executors:
            executor.shutdown(wait=True)
        raise KeyboardInterrupt
    return executors


def _started_executors(context: BaseContext, count: int) -> list[ProcessPoolExecutor]:
    """``count`` single-process executors, each with its worker up."""
    executors = [
        ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_leave_interrupts_to_the_driver)
        for _ in range(count)
    ]
    try:
        for started in [executor.submit(os.getpid) for executor in executors]:
            started.result()
    except BrokenProcessPool as exc:
        for executor in executors:
            executor.shutdown(wait=True, cancel_futures=True)
        raise WorkerError(f"a worker process died as it started: {exc}") from exc
    return executors


class WorkerPool:
    """The worker processes of a build's passes, each keeping the files it read.

    ``workers`` 0 runs every chunk in this process. A worker is one single-process
    executor, so a chunk can be sent to the worker that holds its files. Use it as a
    context manager; closing it stops the workers and drops what this process kept.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executors: list[ProcessPoolExecutor] = []
        self._owner: dict[int, int] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (cancelling queued chunks) and drop the files kept here."""
        for executor in self._executors:
            executor.shutdown(wait=True, cancel_futures=True)
        self._executors.clear()
        self._owner.clear()
        _KEPT.clear()

    def _executor(self, worker: int) -> ProcessPoolExecutor:
        if not self._executors:
            self._executors = _start_workers(self.workers)
        return self._executors[worker]

    def run(
        self,
        chunks: Sequence[Sequence[FileInput]],
        numbers: Sequence[int],
        work: _PassWork,
        *,
        niceness: int,
        on_done: Callable[[int, ChunkResult], None],
    ) -> None:
        """Run ``work`` on the chunks ``numbers``, each on the worker holding its files if one does.

        ``on_done(number, result)`` gets each chunk's result as it arrives.
        """
        # Biggest chunks first, so no worker is left with a big one at the end; the
        # chunks keep their numbers, which fix the order of the rows.
        by_size = sorted(numbers, key=lambda n: -sum(len(f[3]) for f in chunks[n]))
        queues = _ChunkQueues(self.workers, by_size, self._owner)
        running: dict[Future[ChunkResult], tuple[int, int]] = {}

        def submit(worker: int) -> None:
            number = queues.next_for(worker)
            if number is None:
                return
            if work.keep_bytes:
                self._owner[number] = worker
            future = self._executor(worker).submit(_run_chunk_in_worker, niceness, work, number, chunks[number])
            running[future] = (worker, number)

        for _ in range(_IN_FLIGHT):
            for worker in range(self.workers):
                submit(worker)
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                worker, number = running[future]
                try:
                    result = future.result()
                except BrokenProcessPool as exc:
                    # Every chunk queued in the dead worker fails with it; the one it was
                    # running is the earliest submitted that did not finish (``running``
                    # keeps the order of submission).
                    number = next(
                        n for f, (w, n) in running.items()
                        if w == worker and not (f.done() and f.exception() is None)
                    )
                    first = chunks[number][0][0]
                    raise WorkerError(f"a worker process died while extracting files from {first!r}: {exc}") from exc
                del running[future]
                on_done(number, result)
                submit(worker)


def run_steps(
    files: Sequence[FileInput],
    steps: Sequence[FileStep],
    opts: ExtractOptions,
    staging: Staging,
    *,
    pool: WorkerPool,
    chunk_files: int,
    niceness: int = 0,
    keep_sources: bool = False,
    cache: ChunkCache | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_fact_file: Callable[[Path], None] | None = None,
) -> ExtractionResult:
    """Run ``steps`` over ``files``, staging their tables as Parquet under ``staging.root``.

    Args:
        files: files to process, in the order their rows should appear.
        steps: per-file steps, run in this order for each file.
        opts: options passed to every step.
        staging: where to write the tables' Parquet files and the facts (its ``facts``
            directory must exist).
        pool: the workers (a pool of 0 workers runs in this process, and so does a
            single chunk).
        chunk_files: files per task sent to a worker, on average (see
            :func:`~codeanatomy.extract._chunks.split_chunks`); a pass reusing kept files
            must use the same files and chunk size as the pass that kept them.
        niceness: added to the workers' scheduling niceness, so that work running beside
            them (the resolver) keeps its core while they share what is left. A worker's
            niceness only ever rises: a later pass asking less keeps the higher value.
        keep_sources: keep the files read parsed for the next pass (see module docstring).
        cache: the chunk cache: chunks found there are restored, not run, and the
            others are stored once run.
        on_progress: called with the number of files finished by each completed chunk.
        on_fact_file: called with each chunk's fact file as soon as it is written.
    """
    chunks = split_chunks(files, chunk_files)
    work = _PassWork(steps, opts, staging, KEEP_SOURCE_BYTES // max(pool.workers, 1) if keep_sources else 0)
    done: dict[int, ChunkResult] = {}
    keys: dict[int, str] = {}
    reused = 0

    def finished(number: int, result: ChunkResult) -> None:
        done[number] = result
        if cache is not None and number in keys:
            cache.store(keys[number], result, staging)
        if on_fact_file is not None and result.fact_file is not None:
            on_fact_file(result.fact_file)
        if on_progress is not None:
            on_progress(result.count)

    pending: list[int] = []
    names = [step.name for step in steps]
    for number, chunk in enumerate(chunks):
        if cache is not None:
            key = cache.key(names, opts, chunk)
            restored = cache.restore(key, number, staging)
            if restored is not None:
                reused += restored.count
                finished(number, restored)
                continue
            keys[number] = key  # stored once run
        pending.append(number)
    if pool.workers == 0 or len(pending) <= 1:
        for number in pending:
            finished(number, _run_chunk(work, number, chunks[number]))
    else:
        pool.run(chunks, pending, work, niceness=niceness, on_done=finished)
    extraction = ExtractionResult(reused=reused)
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
