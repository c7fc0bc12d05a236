"""The deep-stack runner: recursion far past the default limit, which it puts back."""

from __future__ import annotations

import signal
import sys
import threading
import time

import pytest

from codeanatomy.deep_stack import RECURSION_LIMIT, run_with_deep_stack


def _depth(n: int) -> int:
    return 0 if n == 0 else 1 + _depth(n - 1)


def test_recursion_far_past_the_default_limit_runs_and_the_limit_is_put_back() -> None:
    before = sys.getrecursionlimit()
    with pytest.raises(RecursionError):
        _depth(RECURSION_LIMIT // 2)
    assert run_with_deep_stack(_depth, RECURSION_LIMIT // 2) == RECURSION_LIMIT // 2
    assert sys.getrecursionlimit() == before


def test_exceptions_reach_the_caller_and_the_limit_is_put_back() -> None:
    before = sys.getrecursionlimit()
    with pytest.raises(RecursionError):
        run_with_deep_stack(_depth, RECURSION_LIMIT * 2)
    with pytest.raises(ValueError, match="bad"):
        run_with_deep_stack(int, "bad")
    assert sys.getrecursionlimit() == before


def test_overlapping_runs_keep_the_raised_limit_until_the_last_ends() -> None:
    before = sys.getrecursionlimit()
    inside = threading.Event()
    release = threading.Event()
    seen: list[int] = []

    def hold() -> None:
        inside.set()
        release.wait(10)

    holder = threading.Thread(target=run_with_deep_stack, args=(hold,))
    holder.start()
    assert inside.wait(10)
    seen.append(run_with_deep_stack(sys.getrecursionlimit))
    seen.append(sys.getrecursionlimit())
    release.set()
    holder.join()
    assert seen == [RECURSION_LIMIT, RECURSION_LIMIT]
    assert sys.getrecursionlimit() == before


def test_ctrl_c_in_the_caller_stops_the_pass_too() -> None:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a plain process
    started = threading.Event()
    stopped: list[str] = []

    def spin() -> None:
        started.set()
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                time.sleep(0.001)
        finally:
            stopped.append(threading.current_thread().name)

    def interrupt_when_started() -> None:
        started.wait(10)
        main = threading.main_thread().ident
        assert main is not None
        signal.pthread_kill(main, signal.SIGINT)  # as Ctrl-C does

    threading.Thread(target=interrupt_when_started).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_with_deep_stack(spin)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert stopped == ["codeanatomy-deep-stack"]
