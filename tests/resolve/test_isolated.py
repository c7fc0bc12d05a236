"""The resolver runs in a child interpreter: fixed hash seed, facts read from files, a crash is an error row."""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from codeanatomy.resolve import isolated
from codeanatomy.resolve.program import ResolveResult, resolve_program
from codeanatomy.resolve.tables import RESOLVE_TABLES
from tests.resolve._programs import facts_of


def _report_hash_seed(fact_files: Sequence[Path], extra_roots: Sequence[str]) -> ResolveResult:
    seed = os.environ.get("PYTHONHASHSEED", "")
    error = isolated.FileError("", "resolve", "Seed", f"{seed}|{sys.flags.hash_randomization}")
    return ResolveResult({spec.name: spec.empty() for spec in RESOLVE_TABLES}, (error,))


def _die(fact_files: Sequence[Path], extra_roots: Sequence[str]) -> ResolveResult:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def test_child_runs_with_a_fixed_hash_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolated, "_resolve_files", _report_hash_seed)
    monkeypatch.setenv("PYTHONHASHSEED", "random")
    result = isolated.resolve_isolated([])
    assert result.errors[0].message == "0|0"
    assert os.environ["PYTHONHASHSEED"] == "random"  # the parent's environment is restored


def test_a_dead_resolver_is_an_error_row_and_empty_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolated, "_resolve_files", _die)
    result = isolated.resolve_isolated([])
    assert [(e.layer, e.error_type) for e in result.errors] == [("resolve", "ResolverDied")]
    assert set(result.tables) == {spec.name for spec in RESOLVE_TABLES}
    assert all(table.num_rows == 0 for table in result.tables.values())


def test_the_child_resolves_the_facts_of_every_file_it_is_given(tmp_path: Path) -> None:
    facts = facts_of(
        {
            "pkg/__init__.py": "from pkg.util import helper\n",
            "pkg/util.py": "def helper():\n    return 1\n",
            "main.py": "from pkg import helper\n\ndef run():\n    return helper()\n",
        }
    )
    files = []
    for number, chunk in enumerate((facts[:1], facts[1:])):
        files.append(tmp_path / f"facts-{number}.pickle")
        files[-1].write_bytes(pickle.dumps(chunk))
    in_child = isolated.start_resolver(files).result()
    in_process = resolve_program(facts)
    assert in_child.tables["call_edges"].num_rows == 1
    for spec in RESOLVE_TABLES:
        assert in_child.tables[spec.name].equals(in_process.tables[spec.name]), spec.name


def _raise(fact_files: Sequence[Path], extra_roots: Sequence[str]) -> ResolveResult:
    raise MemoryError("no room for the points-to sets")


def test_a_failing_resolver_is_an_error_row_and_empty_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolated, "_resolve_files", _raise)
    result = isolated.resolve_isolated([])
    assert [(e.layer, e.error_type) for e in result.errors] == [("resolve", "MemoryError")]
    assert "no room for the points-to sets" in result.errors[0].message
    assert all(table.num_rows == 0 for table in result.tables.values())
