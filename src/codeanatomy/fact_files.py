"""Fact files: how the workers hand each file's facts to the whole-program resolver.

A fact file holds one pickle per source file, back to back. Each file's facts are
pickled on their own, so a file whose facts nest deeper than the pickler goes costs
only its own facts (an error row), not its chunk or the build: CPython 3.12 caps the
C pickler's recursion at a fixed depth whatever the recursion limit, and a generated
expression thousands of levels deep gives facts that deep.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Sequence
from pathlib import Path

__all__ = ["pickled_facts", "read_fact_file", "write_fact_file"]


def pickled_facts(facts: object) -> bytes:
    """One file's facts as a pickle.

    Raises:
        RecursionError: the facts nest deeper than the pickler goes.
    """
    return pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)


def write_fact_file(path: Path, pickles: Sequence[bytes]) -> None:
    """Write the pickles made by :func:`pickled_facts` as one fact file."""
    path.write_bytes(b"".join(pickles))


def read_fact_file(path: Path) -> list[object]:
    """Every file's facts in the fact file at ``path``, in the order they were written.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "facts.pickle"
    >>> write_fact_file(target, [pickled_facts(("a", 1)), pickled_facts(("b", 2))])
    >>> read_fact_file(target)
    [('a', 1), ('b', 2)]
    """
    data = path.read_bytes()
    stream = io.BytesIO(data)
    facts: list[object] = []
    while stream.tell() < len(data):
        facts.append(pickle.load(stream))
    return facts
