"""Passes over tables: declared inputs and outputs, ordered once, run on one DataFusion session.

A pass reads named tables from the session and returns new tables; it declares what
it ``needs`` and ``makes``, like a LibCST metadata provider. :func:`order_passes`
sorts them so each runs after the passes making its inputs and refuses a cycle,
naming the passes in it. Passes that add to the graph say which of their tables
are node, edge or property fragments; the materialize step unions them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
from datafusion import DataFrame, SessionContext

from codeanatomy.config import BuildOptions

__all__ = ["Pass", "PassContext", "PassCycleError", "order_passes"]


@dataclass(frozen=True, slots=True)
class PassContext:
    """What every pass receives: the session (all tables so far) and the build options."""

    session: SessionContext
    options: BuildOptions

    def table(self, name: str) -> pa.Table:
        """Collect a registered table as Arrow."""
        return self.session.table(name).to_arrow_table()

    def sql(self, query: str) -> pa.Table:
        """Run ``query`` and collect its result as Arrow."""
        return self.session.sql(query).to_arrow_table()

    def frame(self, query: str) -> DataFrame:
        """Plan ``query`` without running it: a fragment streamed when it is written."""
        return self.session.sql(query)


@dataclass(frozen=True, slots=True)
class Pass:
    """A pass: ``run(context)`` returns a table (or a lazy DataFrame) for each name in ``makes``.

    Attributes:
        run: the pass function.
        needs: tables it reads.
        makes: tables it returns.
        nodes: which of ``makes`` are ``cpg_nodes`` fragments.
        edges: which are ``cpg_edges`` fragments.
        props: which are ``cpg_props`` fragments.
    """

    run: Callable[[PassContext], Mapping[str, pa.Table | DataFrame]]
    needs: tuple[str, ...]
    makes: tuple[str, ...]
    nodes: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()
    props: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The pass function's name."""
        return self.run.__name__


class PassCycleError(ValueError):
    """Passes depend on each other in a cycle."""


def order_passes(passes: Sequence[Pass], available: Sequence[str]) -> tuple[Pass, ...]:
    """Order ``passes`` so every input exists before it is read.

    Args:
        passes: the passes, in a preferred order kept where dependencies allow.
        available: tables present before any pass runs.

    Raises:
        PassCycleError: passes wait on each other (names them) or need a table nobody makes.
    """
    made = set(available)
    pending = list(passes)
    ordered: list[Pass] = []
    while pending:
        ready = [p for p in pending if all(n in made for n in p.needs)]
        if not ready:
            makers = {m for p in pending for m in p.makes}
            missing = sorted({n for p in pending for n in p.needs if n not in made and n not in makers})
            if missing:
                raise PassCycleError(f"no pass makes {', '.join(missing)}")
            names = ", ".join(p.name for p in pending)
            raise PassCycleError(f"passes depend on each other in a cycle: {names}")
        for p in ready:
            ordered.append(p)
            made.update(p.makes)
            pending.remove(p)
    return tuple(ordered)
