"""Running per-file steps: chunk order, worker priority, facts files."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from codeanatomy.extract._base import ExtractOptions, FileError, LayerOutput
from codeanatomy.extract.run import FileStep, Staging, run_steps
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
    result = run_steps(_files(6), probe, ExtractOptions(), _staging(tmp_path), workers=2, chunk_files=2, niceness=5)
    assert {e.message for e in result.errors} == {str(min(base + 5, 19))}
    assert [e.path for e in result.errors] == [f"m{i}.py" for i in range(6)]
    facts = [path for file in result.fact_files for path in pickle.loads(file.read_bytes())]
    assert facts == [f"m{i}.py" for i in range(6)]
    assert os.nice(0) == base  # this process keeps its priority


def test_in_process_steps_leave_the_priority_alone(tmp_path: Path) -> None:
    base = os.nice(0)
    probe = (FileStep("probe", _report_niceness),)
    result = run_steps(_files(2), probe, ExtractOptions(), _staging(tmp_path), workers=0, chunk_files=2, niceness=5)
    assert {e.message for e in result.errors} == {str(base)}
