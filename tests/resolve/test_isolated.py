"""The resolver runs in a child interpreter: fixed hash seed, facts read from files, a crash is an error row."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codeanatomy.fact_files import pickled_facts, read_fact_file, write_fact_file
from codeanatomy.resolve import isolated
from codeanatomy.resolve.program import resolve_program
from codeanatomy.resolve.solver import Solver
from codeanatomy.resolve.tables import RESOLVE_TABLES
from tests.resolve._programs import facts_of

_PROGRAM = {
    "pkg/__init__.py": "from pkg.util import helper\n",
    "pkg/util.py": "def helper():\n    return 1\n",
    "main.py": "from pkg import helper\n\ndef run():\n    return helper()\n",
}


def _fact_files(tmp_path: Path) -> list[Path]:
    facts = facts_of(_PROGRAM)
    files = []
    for number, chunk in enumerate((facts[:1], facts[1:])):
        files.append(tmp_path / f"facts-{number}.pickle")
        write_fact_file(files[-1], [pickled_facts(f) for f in chunk])
    return files


def _sent(paths: list[Path]) -> list[bytes]:
    return [os.fsencode(p) for p in paths]


@pytest.mark.parametrize("order", [1, -1])
def test_the_child_resolves_the_facts_of_every_file_it_is_given(tmp_path: Path, order: int) -> None:
    # Started before any fact exists, as a build starts it; chunks arrive in any order.
    resolver = isolated.start_resolver(workdir=tmp_path / "work")
    for fact_file in _fact_files(tmp_path)[::order]:
        resolver.send(fact_file)
    resolver.all_sent()
    in_child = resolver.result()
    in_process = resolve_program(facts_of(_PROGRAM))
    assert in_child.errors == ()
    assert resolver.seconds > 0
    assert in_child.tables["call_edges"].num_rows == 1
    for spec in RESOLVE_TABLES:
        assert in_child.tables[spec.name].equals(in_process.tables[spec.name]), spec.name


def test_the_child_loads_the_facts_with_the_cyclic_collector_paused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    collector_on: list[bool] = []

    def read(path: Path) -> list[object]:
        collector_on.append(gc.isenabled())
        return read_fact_file(path)

    monkeypatch.setenv("PYTHONHASHSEED", isolated.HASH_SEED)
    monkeypatch.setattr(isolated, "read_fact_file", read)
    assert gc.isenabled()
    isolated.run_child([str(work)], _sent(_fact_files(tmp_path)))
    assert len(collector_on) >= 2  # the two fact files, at least
    assert not any(collector_on)
    assert gc.isenabled()
    assert (work / "call_edges.arrow").exists()


def test_the_child_process_never_runs_the_cyclic_collector(tmp_path: Path) -> None:
    # Turned back on after the solve, the collector's first run would traverse every
    # object the child built, and the child exits without freeing them anyway.
    work = tmp_path / "work"
    work.mkdir()
    sent = b"".join(path + b"\0" for path in _sent(_fact_files(tmp_path)))
    log = tmp_path / "collections.txt"
    script = (
        "import gc, runpy, sys\n"
        "import codeanatomy.resolve.isolated\n"
        f"log = open({str(log)!r}, 'w')\n"
        "def record(phase, info):\n"
        "    if phase == 'start':\n"
        "        log.write(f'generation {info[\"generation\"]}\\n'); log.flush()\n"
        "gc.collect()\n"
        "gc.callbacks.append(record)\n"
        f"sys.argv = ['codeanatomy.resolve', {str(work)!r}]\n"
        "runpy.run_module('codeanatomy.resolve', run_name='__main__')\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": isolated.HASH_SEED}
    done = subprocess.run([sys.executable, "-c", script], env=env, input=sent, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (work / "call_edges.arrow").exists()
    assert log.read_text() == ""


def test_the_child_hands_back_what_it_built_for_its_process_to_exit_without_freeing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("PYTHONHASHSEED", isolated.HASH_SEED)
    built = isolated.run_child([str(work)], _sent(_fact_files(tmp_path)))
    assert isinstance(built, tuple)
    facts, solver = built
    assert sorted(f.path for f in facts) == sorted(_PROGRAM)
    assert isinstance(solver, Solver)
    assert solver.edges  # the solver that found main.run -> pkg.util.helper


def test_modules_of_the_working_directory_do_not_shadow_the_childs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build is often run from the repository, which may have a ``functools.py`` or an
    # ``enum.py`` of its own; the child must import the standard library's.
    for name in ("functools", "enum", "pickle"):
        (tmp_path / f"{name}.py").write_text("raise RuntimeError('the repository module was imported')\n")
    monkeypatch.chdir(tmp_path)
    resolver = isolated.start_resolver(workdir=tmp_path / "work")
    for fact_file in _fact_files(tmp_path):
        resolver.send(fact_file)
    resolver.all_sent()
    result = resolver.result()
    assert result.errors == ()
    assert result.tables["call_edges"].num_rows == 1


def test_the_child_refuses_to_run_with_another_hash_seed(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    command = [sys.executable, "-m", "codeanatomy.resolve", str(tmp_path)]
    done = subprocess.run(command, env=env, input="", capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "PYTHONHASHSEED=0" in done.stderr
    assert not (tmp_path / "result.json").exists()


def test_a_dead_resolver_is_an_error_row_and_empty_tables(tmp_path: Path) -> None:
    facts = tmp_path / "facts-0.pickle"
    write_fact_file(facts, [pickled_facts(f) for f in facts_of(_PROGRAM)])
    resolver = isolated.start_resolver(workdir=tmp_path / "work")
    os.kill(resolver.pid, signal.SIGKILL)
    time.sleep(0.2)
    resolver.send(facts)  # into a closed pipe: the death is reported by result()
    result = resolver.result()
    assert [(e.layer, e.error_type) for e in result.errors] == [("resolve", "ResolverDied")]
    assert "exit code -9" in result.errors[0].message and not result.complete
    assert set(result.tables) == {spec.name for spec in RESOLVE_TABLES}
    assert all(table.num_rows == 0 for table in result.tables.values())


def test_a_failing_resolver_is_an_error_row_and_empty_tables(tmp_path: Path) -> None:
    broken = tmp_path / "facts-0.pickle"
    broken.write_bytes(b"not a pickle")
    result = isolated.resolve_isolated([broken], workdir=tmp_path / "work")
    assert [(e.layer, e.error_type) for e in result.errors] == [("resolve", "UnpicklingError")]
    assert "the resolver failed" in result.errors[0].message and not result.complete
    assert all(table.num_rows == 0 for table in result.tables.values())


_ORPHAN = """
import sys, time
from pathlib import Path
from codeanatomy.resolve.isolated import start_resolver
resolver = start_resolver(workdir=Path(sys.argv[2]))
resolver.send(Path(sys.argv[1]))
resolver.all_sent()
print(resolver.pid, flush=True)
time.sleep(60)
"""


def test_the_child_stops_when_its_build_is_killed(tmp_path: Path) -> None:
    never_written = tmp_path / "facts.fifo"
    os.mkfifo(never_written)  # the child blocks reading it, as if still resolving
    build = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN, str(never_written), str(tmp_path / "work")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert build.stdout is not None
    child = int(build.stdout.readline())
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_child_starts_without_importing_the_whole_package() -> None:
    probe = "import sys, codeanatomy.resolve.isolated; print(sorted(m for m in ('codeanatomy.api', 'codeanatomy.extract.layers', 'libcst') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_child_takes_each_path_as_soon_as_it_is_complete() -> None:
    read_end, write_end = os.pipe()
    try:
        paths = isolated._paths_sent(read_end)
        os.write(write_end, b"/a/facts-0.pickle\0/b/fa")
        assert next(paths) == b"/a/facts-0.pickle"  # returned before the rest arrives
        os.write(write_end, "cts-1 \u00e9.pickle\0".encode())
        assert next(paths) == "/b/facts-1 \u00e9.pickle".encode()
    finally:
        os.close(write_end)
    assert list(paths) == []
    os.close(read_end)
