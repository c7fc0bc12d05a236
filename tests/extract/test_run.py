"""Running per-file steps: chunk order, worker priority, facts files, files kept between passes."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codeanatomy.errors import WorkerError
from codeanatomy.extract import run
from codeanatomy.extract._base import ExtractOptions, FileError, LayerOutput
from codeanatomy.extract._chunks import split_chunks
from codeanatomy.extract.run import FileStep, Staging, WorkerPool, _ChunkQueues, run_steps
from codeanatomy.fact_files import read_fact_file
from codeanatomy.source import SourceFile


def _report_niceness(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    error = FileError(source.path, "probe", "Niceness", str(os.nice(0)))
    return LayerOutput(errors=(error,), facts=(source.path,))


def _files(count: int) -> list[tuple[str, str, str, bytes, str]]:
    return [(f"m{i}.py", f"id{i}", f"m{i}", b"x = 1\n", "utf-8") for i in range(count)]


def _staging(tmp_path: Path) -> Staging:
    facts = tmp_path / "facts"
    facts.mkdir()
    return Staging(tmp_path, "run", {}, facts)


def test_workers_run_at_the_niceness_asked_for_and_keep_file_order(tmp_path: Path) -> None:
    base = os.nice(0)
    probe = (FileStep("probe", _report_niceness),)
    with WorkerPool(2) as pool:
        result = run_steps(_files(6), probe, ExtractOptions(), _staging(tmp_path), pool=pool, chunk_files=2, niceness=5)
    assert {e.message for e in result.errors} == {str(min(base + 5, 19))}
    assert [e.path for e in result.errors] == [f"m{i}.py" for i in range(6)]
    facts = [path for file in result.fact_files for path in read_fact_file(file)]
    assert facts == [f"m{i}.py" for i in range(6)]
    assert os.nice(0) == base  # this process keeps its priority


def test_in_process_steps_leave_the_priority_alone(tmp_path: Path) -> None:
    base = os.nice(0)
    probe = (FileStep("probe", _report_niceness),)
    with WorkerPool(0) as pool:
        result = run_steps(_files(2), probe, ExtractOptions(), _staging(tmp_path), pool=pool, chunk_files=2, niceness=5)
    assert {e.message for e in result.errors} == {str(base)}


def _facts_nested_too_deeply_in_m1(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    facts: object = source.path
    if source.path == "m1.py":
        for _ in range(200_000):  # deeper than any pickler goes
            facts = (facts,)
    return LayerOutput(facts=(facts,))


@pytest.mark.parametrize("workers", [0, 2])
def test_facts_too_deep_to_pickle_cost_only_their_file(tmp_path: Path, workers: int) -> None:
    steps = (FileStep("deep", _facts_nested_too_deeply_in_m1),)
    with WorkerPool(workers) as pool:
        result = run_steps(_files(4), steps, ExtractOptions(), _staging(tmp_path), pool=pool, chunk_files=2)
    assert [(e.path, e.layer, e.error_type) for e in result.errors] == [("m1.py", "deep", "RecursionError")]
    assert result.errors[0].message.startswith("its facts nest too deeply to hand to the resolver")
    facts = [path for file in result.fact_files for path in read_fact_file(file)]
    assert facts == ["m0.py", "m2.py", "m3.py"]


def _mark(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    source.cache["read_by"] = os.getpid()
    return LayerOutput(errors=(FileError(source.path, "mark", "Pid", str(os.getpid())),))


def _report_reuse(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    reused = source.cache.get("read_by") == os.getpid()
    return LayerOutput(errors=(FileError(source.path, "probe", "Reused", f"{os.getpid()} {reused}"),))


def _two_passes(
    tmp_path: Path, workers: int, first: list[tuple[str, str, str, bytes, str]],
    second: list[tuple[str, str, str, bytes, str]],
) -> list[tuple[bool, bool]]:
    """For each file of the second pass: (run by the process that read it first, got its parse back)."""
    staging = _staging(tmp_path)
    with WorkerPool(workers) as pool:
        marked = run_steps(first, (FileStep("mark", _mark),), ExtractOptions(), staging,
                           pool=pool, chunk_files=2, keep_sources=True)
        result = run_steps(second, (FileStep("probe", _report_reuse),), ExtractOptions(), staging,
                           pool=pool, chunk_files=2, niceness=3)
    assert [e.path for e in result.errors] == [path for path, *_ in second]
    first_pid = {e.path: e.message for e in marked.errors}
    out = []
    for error in result.errors:
        pid, reused = error.message.split()
        out.append((pid == first_pid[error.path], reused == "True"))
    return out


def test_workers_get_back_the_files_they_read_in_the_pass_before(tmp_path: Path) -> None:
    runs = _two_passes(tmp_path, 2, _files(16), _files(16))
    # Each chunk goes back to the worker that read it unless the other worker took it
    # at the end; a worker reuses exactly the files it read itself.
    assert all(same == reused for same, reused in runs)
    assert sum(reused for _, reused in runs) >= 8


def test_a_worker_runs_its_own_chunks_then_free_ones_then_takes_the_busiest_one_s_last() -> None:
    queues = _ChunkQueues(2, [5, 4, 3, 2, 1, 0], {5: 0, 3: 1, 2: 1, 1: 1})
    assert [queues.next_for(0), queues.next_for(0), queues.next_for(0)] == [5, 4, 0]
    assert queues.next_for(0) == 1  # the last of worker 1's three
    assert [queues.next_for(1), queues.next_for(1), queues.next_for(1)] == [3, 2, None]
    assert queues.next_for(0) is None


def test_files_are_not_kept_unless_asked(tmp_path: Path) -> None:
    staging = _staging(tmp_path)
    files = _files(4)
    with WorkerPool(0) as pool:
        run_steps(files, (FileStep("mark", _mark),), ExtractOptions(), staging, pool=pool, chunk_files=2)
        result = run_steps(files, (FileStep("probe", _report_reuse),), ExtractOptions(), staging,
                           pool=pool, chunk_files=2)
    assert [e.message.split()[1] for e in result.errors] == ["False"] * 4


def test_a_file_whose_bytes_changed_is_read_again(tmp_path: Path) -> None:
    first = _files(4)
    second = [*first[:3], (*first[3][:3], b"x = 2\n", "utf-8")]
    assert [reused for _, reused in _two_passes(tmp_path, 0, first, second)] == [True, True, True, False]


def test_kept_files_stay_within_the_byte_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "KEEP_SOURCE_BYTES", 13)  # two 6-byte files, not three
    files = _files(4)
    assert [reused for _, reused in _two_passes(tmp_path, 0, files, files)] == [True, True, False, False]


def test_workers_share_the_byte_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "KEEP_SOURCE_BYTES", 25)  # 12 bytes each: two 6-byte files per worker
    runs = _two_passes(tmp_path, 2, _files(16), _files(16))
    assert all(same for same, reused in runs if reused)
    assert 1 <= sum(reused for _, reused in runs) <= 4


def test_closing_the_pool_drops_the_kept_files(tmp_path: Path) -> None:
    staging = _staging(tmp_path)
    files = _files(2)
    with WorkerPool(0) as pool:
        run_steps(files, (FileStep("mark", _mark),), ExtractOptions(), staging,
                  pool=pool, chunk_files=2, keep_sources=True)
    with WorkerPool(0) as pool:
        result = run_steps(files, (FileStep("probe", _report_reuse),), ExtractOptions(), staging,
                           pool=pool, chunk_files=2)
    assert [e.message.split()[1] for e in result.errors] == ["False", "False"]


def _report_frozen(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    return LayerOutput(errors=(FileError(source.path, "probe", "Frozen", str(gc.get_freeze_count() > 0)),))


def test_workers_freeze_kept_files_out_of_the_collector_and_this_process_does_not(tmp_path: Path) -> None:
    staging = _staging(tmp_path)
    frozen_before = gc.get_freeze_count()
    for workers, expected in ((2, "True"), (0, str(frozen_before > 0))):
        with WorkerPool(workers) as pool:
            run_steps(_files(8), (FileStep("mark", _mark),), ExtractOptions(), staging,
                      pool=pool, chunk_files=2, keep_sources=True)
            result = run_steps(_files(8), (FileStep("probe", _report_frozen),), ExtractOptions(), staging,
                               pool=pool, chunk_files=2)
        assert {e.message for e in result.errors} == {expected}
    assert gc.get_freeze_count() == frozen_before


def _die_on_m3(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    if source.path == "m3.py":
        os._exit(3)
    return LayerOutput()


def test_a_worker_that_dies_stops_the_pass_naming_its_chunk(tmp_path: Path) -> None:
    files = _files(8)
    first = next(chunk[0][0] for chunk in split_chunks(files, 2) if any(f[0] == "m3.py" for f in chunk))
    with WorkerPool(2) as pool, pytest.raises(WorkerError, match=rf"a worker process died .* '{re.escape(first)}'"):
        run_steps(files, (FileStep("die", _die_on_m3),), ExtractOptions(), _staging(tmp_path),
                  pool=pool, chunk_files=2)


_FORKSERVER_CHILD_HANDLER = """
import multiprocessing, signal, sys
from concurrent.futures import ProcessPoolExecutor
from codeanatomy.extract import run

if sys.argv[1] == "pool":
    for executor in run._start_workers(1):
        executor.shutdown()
context = multiprocessing.get_context("forkserver")
with ProcessPoolExecutor(1, mp_context=context) as pool:
    print(signal.SIGINT in pool.submit(signal.pthread_sigmask, signal.SIG_BLOCK, ()).result())
"""


@pytest.mark.parametrize(("start", "ignored"), [("pool", "True"), ("plain", "False")])
def test_workers_start_with_ctrl_c_blocked(start: str, ignored: str) -> None:
    # What a worker has before any code of the pool's runs in it: the signal mask the
    # forkserver was started with (the pool's, or a plain one). The plain start shows
    # that the check can see the difference.
    done = subprocess.run([sys.executable, "-c", _FORKSERVER_CHILD_HANDLER, start], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ignored


def test_a_worker_that_dies_as_it_starts_is_a_worker_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.extract import _dying_worker

    monkeypatch.setattr(run, "_leave_interrupts_to_the_driver", _dying_worker.die)
    with pytest.raises(WorkerError, match="died as it started"), WorkerPool(2) as pool:
        run_steps(_files(4), (FileStep("probe", _report_niceness),), ExtractOptions(), _staging(tmp_path), pool=pool, chunk_files=2)
