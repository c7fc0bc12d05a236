"""Run the whole-program resolver in a fresh interpreter with a fixed string-hash seed.

The solver bounds the values a variable may hold (so real code finishes); which values
a saturated variable keeps depends on the order the worklist meets them, and that order
follows set iteration over strings, which Python randomises per process. Running the
resolver in a child started with ``PYTHONHASHSEED=0`` makes the result a function of
the input alone: the same facts give the same tables in every build, on every machine
with the same Python.

The child reads the facts straight from the pickle files the extraction workers wrote
(the driver never loads them), and runs in the background: :func:`start_resolver`
returns at once, so the driver can build the rest of the graph meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path

from codeanatomy.extract._base import FileError
from codeanatomy.resolve.facts import ModuleFacts
from codeanatomy.resolve.program import ResolveResult, resolve_program
from codeanatomy.resolve.tables import RESOLVE_TABLES

__all__ = ["HASH_SEED", "RunningResolver", "resolve_isolated", "start_resolver"]

HASH_SEED = "0"

_Resolve = Callable[[Sequence[Path], Sequence[str]], ResolveResult]


def _resolve_files(fact_files: Sequence[Path], extra_roots: Sequence[str]) -> ResolveResult:
    facts: list[ModuleFacts] = []
    for path in fact_files:
        facts.extend(pickle.loads(Path(path).read_bytes()))
    return resolve_program(facts, extra_roots=extra_roots)


def _child(sender: Connection, resolve: _Resolve, fact_files: Sequence[Path], extra_roots: Sequence[str]) -> None:
    started = time.perf_counter()
    try:
        result: ResolveResult | BaseException = resolve(fact_files, extra_roots)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as an error row
        result = exc
    sender.send((result, time.perf_counter() - started))
    sender.close()


def _failed(error_type: str, message: str) -> ResolveResult:
    error = FileError("", "resolve", error_type, message)
    return ResolveResult({spec.name: spec.empty() for spec in RESOLVE_TABLES}, (error,))


class RunningResolver:
    """A resolver child at work; :meth:`result` waits for its tables.

    ``seconds`` is the child's own time, once :meth:`result` has returned.
    """

    def __init__(self, process: multiprocessing.process.BaseProcess, receiver: Connection) -> None:
        self._process = process
        self._receiver = receiver
        self.seconds = 0.0

    def result(self) -> ResolveResult:
        """The resolution tables; if the child died or failed, empty tables and one error row."""
        try:
            outcome, self.seconds = self._receiver.recv()
        except EOFError:
            self._process.join()
            return _failed("ResolverDied", f"the resolver process died (exit code {self._process.exitcode})")
        finally:
            self._receiver.close()
        self._process.join()
        if isinstance(outcome, BaseException):
            return _failed(type(outcome).__name__, f"the resolver failed: {outcome}")
        return outcome

    def close(self) -> None:
        """Stop the child if it is still at work (the build is being abandoned)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receiver.close()


def start_resolver(fact_files: Sequence[Path], *, extra_roots: Sequence[str] = ()) -> RunningResolver:
    """Start :func:`resolve_program` over the pickled facts in ``fact_files`` (in order).

    The child interpreter is started with ``PYTHONHASHSEED`` fixed; this process's
    environment is left as it was.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    args = (sender, _resolve_files, [Path(p) for p in fact_files], tuple(extra_roots))
    process = context.Process(target=_child, args=args, name="codeanatomy-resolver", daemon=True)
    previous = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = HASH_SEED
    try:
        process.start()
    finally:
        if previous is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = previous
    sender.close()
    return RunningResolver(process, receiver)


def resolve_isolated(fact_files: Sequence[Path], *, extra_roots: Sequence[str] = ()) -> ResolveResult:
    """:func:`start_resolver`, then wait for its result."""
    return start_resolver(fact_files, extra_roots=extra_roots).result()
