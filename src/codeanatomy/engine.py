"""The DataFusion session: tables registered under their names, SQL in, Arrow out.

Builds register in-memory Arrow tables; :class:`Graph` (``open_graph``) registers the
Delta tables of the last complete build at the versions its manifest records, so
readers see one consistent graph even while a new build is being written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pyarrow as pa
from datafusion import DataFrame, RecordBatchStream, SessionConfig, SessionContext

from codeanatomy.errors import QueryError, StorageError
from codeanatomy.manifest import Manifest
from codeanatomy.schema import TableSpec
from codeanatomy.store import TableStore

__all__ = ["Graph", "TableInfo", "make_session", "open_store_graph", "register"]


def make_session(partitions: int | None = None) -> SessionContext:
    """A DataFusion session with CodeAnatomy's settings."""
    config = SessionConfig().with_information_schema(True)
    if partitions:
        config = config.with_target_partitions(partitions)
    return SessionContext(config)


def register(session: SessionContext, name: str, table: pa.Table | DataFrame) -> None:
    """Register (or replace) an in-memory Arrow table, or a lazy DataFrame as a view."""
    if session.table_exist(name):
        session.deregister_table(name)
    if isinstance(table, DataFrame):
        session.register_view(name, table)
    else:
        session.from_arrow(table, name=name)


@dataclass(frozen=True, slots=True)
class TableInfo:
    """A queryable table: name, schema, row count and where it is stored."""

    name: str
    schema: pa.Schema
    rows: int
    path: str
    delta_version: int


class Graph:
    """A built graph opened for queries.

    Every table of the build (``cpg_nodes``, ``cpg_edges``, ``cpg_props``, ``files``,
    ``errors`` and each evidence table) is registered in one DataFusion session,
    read from Delta directly.
    """

    def __init__(self, out: Path, manifest: Manifest, session: SessionContext, infos: list[TableInfo]):
        self.out = out
        self.manifest = manifest
        self.session = session
        self._infos = infos

    def sql(self, query: str) -> DataFrame:
        """Plan ``query``; returns a lazy DataFusion DataFrame.

        Raises:
            QueryError: DataFusion rejected the statement (its message is kept).
        """
        try:
            return self.session.sql(query)
        except Exception as exc:  # DataFusion raises plain Exception subclasses
            raise QueryError(_datafusion_message(exc)) from exc

    def query(self, query: str) -> pa.Table:
        """Run ``query`` and collect the result as Arrow.

        Raises:
            QueryError: planning or execution failed.
        """
        frame = self.sql(query)
        try:
            return frame.to_arrow_table()
        except Exception as exc:
            raise QueryError(_datafusion_message(exc)) from exc

    def stream(self, query: str) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        """Run ``query`` and return its schema and its result batch by batch, never all held.

        Raises:
            QueryError: planning or execution failed (also while iterating).
        """
        frame = self.sql(query)
        try:
            return frame.schema(), _batches(frame.execute_stream())
        except Exception as exc:
            raise QueryError(_datafusion_message(exc)) from exc

    def tables(self) -> list[TableInfo]:
        """Every registered table, in manifest order."""
        return list(self._infos)


def _batches(stream: RecordBatchStream) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            batch = next(stream)
        except StopIteration:
            return
        except Exception as exc:
            raise QueryError(_datafusion_message(exc)) from exc
        yield batch.to_pyarrow()


def _datafusion_message(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def open_store_graph(out: Path, specs: dict[str, TableSpec]) -> Graph:
    """Open the last complete build stored under ``out``.

    Raises:
        StorageError: there is no complete build there, or a table is refused.
    """
    store = TableStore(out)
    manifest_path = store.latest_manifest()
    if manifest_path is None:
        raise StorageError(f"no complete build found under {str(out)!r}; run `codeanatomy build` first")
    try:
        manifest = msgspec.json.decode(manifest_path.read_bytes(), type=Manifest)
    except (OSError, msgspec.DecodeError) as exc:
        raise StorageError(f"manifest {str(manifest_path)!r} is unreadable: {exc}") from exc
    session = make_session()
    infos: list[TableInfo] = []
    for written in manifest.tables:
        spec = specs.get(written.name)
        if spec is None:
            continue
        store.check(spec)
        table = store.read(spec, written.delta_version)
        session.register_table(written.name, table)
        infos.append(TableInfo(written.name, spec.schema, written.rows, str(store.path_of(spec)), written.delta_version))
    return Graph(out, manifest, session, infos)
