"""Room to recurse: running the recursive passes over deeply nested code.

CPython accepts expressions nested thousands of levels deep (a generated
``a + b + ...`` of 5,000 terms is one), and the passes that walk a tree recurse once
or more per level: at the default recursion limit they failed where CPython did not,
and the file lost everything those passes give. :func:`run_with_deep_stack` runs a
pass in a thread whose stack is large enough for :data:`RECURSION_LIMIT` levels of
recursion, with that limit set while it runs. Deeper still, the pass raises
``RecursionError`` as before, which becomes an error row. Ctrl-C in the calling
thread stops the pass too.

On CPython 3.11 the parser's, symtable's and compiler's own depth limits scale with
the recursion limit, so there they accept deeper code inside such a thread too.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable
from typing import Final, ParamSpec, TypeVar

__all__ = ["RECURSION_LIMIT", "STACK_BYTES", "run_with_deep_stack"]

RECURSION_LIMIT: Final = 60_000
"""The recursion limit while a deep-stack pass runs."""
STACK_BYTES: Final = 256 * 1024 * 1024
"""Stack of a deep-stack thread: address space only, of which the pages touched are used."""

_P = ParamSpec("_P")
_T = TypeVar("_T")

_lock: Final = threading.Lock()
_running = 0
_limit_before = 0


def run_with_deep_stack(fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Return ``fn(*args, **kwargs)``, run in a deep-stack thread (exceptions propagate).

    >>> def depth(n: int) -> int:
    ...     return 0 if n == 0 else 1 + depth(n - 1)
    >>> run_with_deep_stack(depth, 20_000)
    20000
    """
    outcome: list[tuple[bool, object]] = []
    # Waited on instead of ``Thread.join``: Ctrl-C interrupting a join leaves CPython 3.11
    # believing the thread has ended.
    done = threading.Event()

    def target() -> None:
        _raise_limit()
        try:
            outcome.append((True, fn(*args, **kwargs)))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            outcome.append((False, exc))
        finally:
            _restore_limit()
            done.set()

    thread = threading.Thread(target=target, name="codeanatomy-deep-stack", daemon=True)
    try:
        with _lock:
            previous = threading.stack_size(STACK_BYTES)
            try:
                thread.start()
            finally:
                threading.stack_size(previous)
        done.wait()
    except BaseException as exc:
        # Ctrl-C (or another asynchronous exception) in the calling thread: stop the
        # pass too, rather than leave it running unseen, then let the exception go on.
        if thread.ident is not None and not done.is_set():
            _raise_in(thread, type(exc))
            thread.join()
        raise
    succeeded, value = outcome[0]
    if not succeeded:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]  # fn's result, stored untyped


def _raise_in(thread: threading.Thread, exc_type: type[BaseException]) -> None:
    """Raise ``exc_type`` in ``thread`` at its next Python instruction."""
    assert thread.ident is not None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exc_type))


def _raise_limit() -> None:
    """Raise the (process-wide) recursion limit; the last pass to end puts it back."""
    global _running, _limit_before
    with _lock:
        if _running == 0:
            _limit_before = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_limit_before, RECURSION_LIMIT))
        _running += 1


def _restore_limit() -> None:
    global _running
    with _lock:
        _running -= 1
        if _running == 0:
            sys.setrecursionlimit(_limit_before)
