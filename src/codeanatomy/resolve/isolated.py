"""Run the whole-program resolver in a fresh interpreter with a fixed string-hash seed.

The solver bounds the values a variable may hold (so real code finishes); which values
a saturated variable keeps depends on the order the worklist meets them, and that order
follows set iteration over strings, which Python randomises per process. Running the
resolver in a child interpreter started with ``PYTHONHASHSEED=0`` makes the result a
function of the input alone: the same facts give the same tables in every build, on
every machine with the same Python.

The child is ``python -m codeanatomy.resolve WORKDIR`` (:func:`run_child`): it reads the facts
straight from the fact files the extraction workers wrote, loading each as soon as the
driver sends its path on the child's stdin (the driver never loads them), and once
stdin is closed resolves them and writes each table into the work directory as an
Arrow IPC file, then ``result.json`` (errors, seconds). :func:`start_resolver` returns
at once, before any fact is collected: the child's start and the loading of the facts
overlap their collection, and the driver builds the rest of the graph meanwhile. A
child that dies or fails becomes one error row; a child whose build is killed stops too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import msgspec
import pyarrow as pa

from codeanatomy.extract._base import FileError
from codeanatomy.extract._gc import gc_paused
from codeanatomy.fact_files import read_fact_file
from codeanatomy.resolve.environment import PythonEnvironment
from codeanatomy.resolve.external_classes import ExternalClasses
from codeanatomy.resolve.facts import ModuleFacts
from codeanatomy.resolve.program import ResolveResult, solve_program
from codeanatomy.resolve.tables import RESOLVE_TABLES

__all__ = ["HASH_SEED", "RunningResolver", "resolve_isolated", "run_child", "start_resolver"]

HASH_SEED = "0"
_RESULT = "result.json"
_STDERR = "stderr.txt"
_READ_SIZE = 1 << 16


class _Outcome(msgspec.Struct):
    errors: list[FileError]
    seconds: float
    complete: bool


def _failed(error_type: str, message: str) -> ResolveResult:
    error = FileError("", "resolve", error_type, message)
    return ResolveResult({spec.name: spec.empty() for spec in RESOLVE_TABLES}, (error,), complete=False)


class RunningResolver:
    """A resolver child at work; :meth:`result` waits for its tables.

    ``seconds`` is the child's own resolution time, from its last fact file loaded to
    its tables written, once :meth:`result` has returned.
    """

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path) -> None:
        self._process = process
        self._workdir = workdir
        self.seconds = 0.0

    def send(self, fact_file: Path) -> None:
        """Hand the child one more fact file to load (it loads it at once)."""
        stdin = self._process.stdin
        if stdin is None or stdin.closed:
            raise ValueError("every fact file has been sent already")
        try:
            stdin.write(os.fsencode(fact_file) + b"\0")
            stdin.flush()
        except BrokenPipeError:
            pass  # the child has died: result() reports it

    def all_sent(self) -> None:
        """Tell the child it has every fact file: it resolves them now."""
        stdin = self._process.stdin
        if stdin is not None and not stdin.closed:
            try:
                stdin.close()
            except BrokenPipeError:
                pass  # the child has died: result() reports it

    @property
    def pid(self) -> int:
        """The child's process ID."""
        return self._process.pid

    def result(self) -> ResolveResult:
        """The resolution tables; if the child died or failed, empty tables and one error row."""
        self.all_sent()
        code = self._process.wait()
        try:
            outcome = msgspec.json.decode((self._workdir / _RESULT).read_bytes(), type=_Outcome)
        except (OSError, msgspec.DecodeError):
            stderr = (self._workdir / _STDERR).read_text(errors="replace").strip().splitlines()
            last = stderr[-1] if stderr else "no message"
            return _failed("ResolverDied", f"the resolver process died (exit code {code}): {last}")
        self.seconds = outcome.seconds
        tables = {}
        for spec in RESOLVE_TABLES:
            with pa.memory_map(str(self._workdir / f"{spec.name}.arrow")) as source:
                tables[spec.name] = pa.ipc.open_file(source).read_all()
        return ResolveResult(tables, tuple(outcome.errors), outcome.complete)

    def close(self) -> None:
        """Stop the child if it is still at work (the build is being abandoned)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self.all_sent()


def start_resolver(
    *, workdir: Path, extra_roots: Sequence[str] = (), classes_memo: Path | None = None
) -> RunningResolver:
    """Start the resolver child; give it the fact files with :meth:`RunningResolver.send`.

    The child resolves the facts of every file it was sent, in whatever order they
    came, once :meth:`RunningResolver.all_sent` (or ``result``) is called. It writes its
    tables into ``workdir`` (created if missing); its environment is this process's
    with ``PYTHONHASHSEED`` fixed. ``classes_memo`` is the memo of library module
    sources it reads and updates (:class:`ExternalClasses`), if any.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    # ``-P``: the working directory (often the repository, whose ``functools.py`` would
    # shadow the standard library's) is not put on the child's module path.
    command = [sys.executable, "-P", "-m", "codeanatomy.resolve", str(workdir), "--parent", str(os.getpid())]
    for root in extra_roots:
        command += ["--extra-root", root]
    if classes_memo is not None:
        command += ["--classes-memo", str(classes_memo)]
    with (workdir / _STDERR).open("wb") as stderr:
        process = subprocess.Popen(
            command,
            env={**os.environ, "PYTHONHASHSEED": HASH_SEED},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return RunningResolver(process, workdir)


def resolve_isolated(fact_files: Sequence[Path], *, workdir: Path, extra_roots: Sequence[str] = ()) -> ResolveResult:
    """:func:`start_resolver`, send it ``fact_files``, then wait for its result."""
    resolver = start_resolver(workdir=workdir, extra_roots=extra_roots)
    for fact_file in fact_files:
        resolver.send(fact_file)
    return resolver.result()


def _exit_with_parent(parent: int) -> None:
    """End this process once the build that started it is gone (killed, say)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _paths_sent(fd: int) -> Iterator[bytes]:
    """The NUL-terminated paths read from file descriptor ``fd``, each as soon as it is complete."""
    pending = b""
    while chunk := os.read(fd, _READ_SIZE):
        *complete, pending = (pending + chunk).split(b"\0")
        yield from complete


def run_child(argv: Sequence[str], fact_files: Iterable[bytes] | None = None) -> tuple[object, ...]:
    """The resolver child's entry point (``python -m codeanatomy.resolve WORKDIR``).

    Args:
        argv: the command line's arguments.
        fact_files: the fact files' paths, as they come; when None, the
            NUL-terminated paths sent on standard input.

    Returns:
        What the resolver built (the facts and the solver), for the caller to hold
        until it exits: the child's ``__main__`` exits without freeing them, which
        would take seconds on the build's critical path.
    """
    parser = argparse.ArgumentParser(prog="python -m codeanatomy.resolve")
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--extra-root", action="append", default=[])
    parser.add_argument("--parent", type=int, help="the build's process ID: stop when it is gone")
    parser.add_argument("--classes-memo", type=Path, help="memo of library module sources to read and update")
    args = parser.parse_args(argv)
    out: Path = args.workdir
    if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
        raise SystemExit(f"the resolver must run with PYTHONHASHSEED={HASH_SEED}")
    if args.parent is not None:
        threading.Thread(target=_exit_with_parent, args=(args.parent,), daemon=True).start()
    started = time.perf_counter()
    built: tuple[object, ...] = ()
    python: PythonEnvironment | None = None
    try:
        # The facts are millions of acyclic tuples kept to the end: the cyclic collector,
        # left running while they load, would re-traverse them for nothing (2 of 4 s on
        # the standard library).
        with gc_paused():
            facts: list[ModuleFacts] = []
            for sent in _paths_sent(sys.stdin.fileno()) if fact_files is None else fact_files:
                facts.extend(read_fact_file(Path(os.fsdecode(sent))))  # type: ignore[arg-type]  # written from ModuleFacts
            started = time.perf_counter()
            python = PythonEnvironment.current(ExternalClasses.of_interpreter(memo=args.classes_memo))
            result, solver = solve_program(facts, extra_roots=tuple(args.extra_root), python=python)
            built = (facts, solver)
    except Exception as exc:  # noqa: BLE001 - reported as an error row
        result = _failed(type(exc).__name__, f"the resolver failed: {exc}")
    for name, table in result.tables.items():
        with pa.OSFile(str(out / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    outcome = _Outcome(list(result.errors), time.perf_counter() - started, result.complete)
    (out / _RESULT).write_bytes(msgspec.json.encode(outcome))
    if python is not None:
        python.classes.save_memo()
    return built

