"""Run the whole-program resolver in a fresh interpreter with a fixed string-hash seed.

The solver bounds the values a variable may hold (so real code finishes); which values
a saturated variable keeps depends on the order the worklist meets them, and that order
follows set iteration over strings, which Python randomises per process. Running the
resolver in a child started with ``PYTHONHASHSEED=0`` makes the result a function of
the input alone: the same facts give the same tables in every build, on every machine
with the same Python.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from codeanatomy.extract._base import FileError
from codeanatomy.resolve.facts import ModuleFacts
from codeanatomy.resolve.program import ResolveResult, resolve_program
from codeanatomy.resolve.tables import RESOLVE_TABLES

__all__ = ["HASH_SEED", "resolve_isolated"]

HASH_SEED = "0"


def resolve_isolated(facts: Sequence[ModuleFacts], *, extra_roots: Sequence[str] = ()) -> ResolveResult:
    """:func:`resolve_program` in a child interpreter whose ``PYTHONHASHSEED`` is fixed.

    If the child dies (out of memory, killed), the build goes on with empty resolution
    tables and one ``resolve`` error row saying so.
    """
    context = multiprocessing.get_context("spawn")
    previous = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = HASH_SEED
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            future = pool.submit(resolve_program, list(facts), extra_roots=tuple(extra_roots))
            return future.result()
    except BrokenProcessPool as exc:
        error = FileError("", "resolve", "ResolverDied", f"the resolver process died: {exc}")
        return ResolveResult({spec.name: spec.empty() for spec in RESOLVE_TABLES}, (error,))
    finally:
        if previous is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = previous
