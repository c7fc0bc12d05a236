"""Pause the cyclic garbage collector while a worker runs one file's steps.

Parsing and indexing a file allocate a few container objects per syntax node and
free none of them until the file is done, and none of them form cycles. Left
running, the collector is triggered every few hundred allocations and, as the
file's objects age, repeatedly rescans all of them (and the rest of the heap) to
find nothing; paused, it scans them once when it next runs.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable automatic garbage collection inside the block (restoring the prior state after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
