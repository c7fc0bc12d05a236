"""The resolver runs in a child interpreter: fixed hash seed, and a crash is an error row."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from codeanatomy.resolve import isolated
from codeanatomy.resolve.program import ResolveResult
from codeanatomy.resolve.tables import RESOLVE_TABLES


def _report_hash_seed(facts: object, **options: object) -> ResolveResult:
    seed = os.environ.get("PYTHONHASHSEED", "")
    error = isolated.FileError("", "resolve", "Seed", f"{seed}|{sys.flags.hash_randomization}")
    return ResolveResult({spec.name: spec.empty() for spec in RESOLVE_TABLES}, (error,))


def _die(facts: object, **options: object) -> ResolveResult:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def test_child_runs_with_a_fixed_hash_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolated, "resolve_program", _report_hash_seed)
    monkeypatch.setenv("PYTHONHASHSEED", "random")
    result = isolated.resolve_isolated([])
    assert result.errors[0].message == "0|0"
    assert os.environ["PYTHONHASHSEED"] == "random"  # the parent's environment is restored


def test_a_dead_resolver_is_an_error_row_and_empty_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolated, "resolve_program", _die)
    result = isolated.resolve_isolated([])
    assert [(e.layer, e.error_type) for e in result.errors] == [("resolve", "ResolverDied")]
    assert set(result.tables) == {spec.name for spec in RESOLVE_TABLES}
    assert all(table.num_rows == 0 for table in result.tables.values())
