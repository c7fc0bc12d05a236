"""Delta Lake storage: one atomic commit per table per build, with protocol and schema checks.

Each commit carries ``codeanatomy.table``, ``codeanatomy.schema_version`` and
``codeanatomy.run_id`` in its commit metadata. Before a build writes anything,
:meth:`TableStore.check` refuses tables whose Delta protocol this version cannot
handle or whose schema version it does not know.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable, Schema, write_deltalake
from deltalake.exceptions import DeltaError, TableNotFoundError
from deltalake.transaction import AddAction, RemoveAction, create_table_with_add_actions

from codeanatomy.errors import OutputError, StorageError
from codeanatomy.scan import utf8_path
from codeanatomy.schema import TableSpec

__all__ = [
    "SUPPORTED_READER_VERSION",
    "SUPPORTED_WRITER_VERSION",
    "LatestRun",
    "StagedFile",
    "TableStore",
    "TableWrite",
    "stage_file",
]

SUPPORTED_READER_VERSION = 1
SUPPORTED_WRITER_VERSION = 2
_KEY_TABLE = "codeanatomy.table"
_KEY_VERSION = "codeanatomy.schema_version"
_KEY_RUN = "codeanatomy.run_id"


class TableWrite(msgspec.Struct, frozen=True):
    """A table written by a build: its name, location, Delta version and row count."""

    name: str
    path: str
    delta_version: int
    rows: int
    schema_version: int


class ArrowStream(Protocol):
    """Anything exporting an Arrow C stream (a DataFusion DataFrame, a RecordBatchReader)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...


_ROWS_PER_FILE = 1_000_000
_ROWS_PER_GROUP = 128 * 1024
"""Rows gathered into one Parquet row group when a stream is staged."""


class StagedFile(msgspec.Struct, frozen=True):
    """A Parquet data file written into a table's directory, not yet committed.

    Uncommitted files are invisible to Delta readers; :meth:`TableStore.commit_files`
    adds them to the table in one commit.
    """

    name: str
    path: str
    size: int
    rows: int


def _parquet_options(spec: TableSpec) -> dict[str, Any]:
    """How every staged Parquet file is written: snappy, dictionaries only where they pay."""
    return {"compression": "snappy", "use_dictionary": spec.dictionary_columns}


def stage_file(root: Path, spec: TableSpec, table: pa.Table, stem: str) -> StagedFile:
    """Write ``table`` as ``<root>/<spec.path>/<stem>.parquet`` for a later commit.

    Runs in worker processes, so each worker encodes its own share of the data.
    """
    directory = root / spec.path
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"{stem}.parquet"
    target = directory / relative
    pq.write_table(spec.conform(table), target, **_parquet_options(spec))
    return StagedFile(spec.name, relative, target.stat().st_size, table.num_rows)


class _StagedFiles:
    """Staged Parquet files of one table, a new one every :data:`_ROWS_PER_FILE` rows."""

    def __init__(self, spec: TableSpec, directory: Path, stem: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.spec, self.directory, self.stem = spec, directory, stem
        self.files: list[StagedFile] = []
        self.writer: pq.ParquetWriter | None = None
        self.name = ""
        self.rows = 0

    def write(self, group: pa.Table) -> None:
        """Write ``group`` as one row group."""
        if self.writer is None or self.rows >= _ROWS_PER_FILE:
            self._finish_file()
            self.name = f"{self.stem}-{len(self.files):05d}.parquet"
            self.writer = pq.ParquetWriter(self.directory / self.name, self.spec.schema, **_parquet_options(self.spec))
        self.writer.write_table(group, row_group_size=group.num_rows)
        self.rows += group.num_rows

    def close(self) -> list[StagedFile]:
        """Finish the last file; return every file written."""
        self._finish_file()
        return self.files

    def _finish_file(self) -> None:
        if self.writer is not None:
            self.writer.close()
            size = (self.directory / self.name).stat().st_size
            self.files.append(StagedFile(self.spec.name, self.name, size, self.rows))
            self.writer = None
            self.rows = 0


class LatestRun(msgspec.Struct, frozen=True):
    """The pointer to the last complete build, written after its manifest.

    ``manifest`` is the manifest's path relative to the output root (absolute in
    outputs written before), so an output directory moved or copied whole still works.
    """

    run_id: str
    manifest: str


@dataclass(frozen=True, slots=True)
class TableStore:
    """Tables under one output root (a local directory for now).

    Args:
        root: the output root, e.g. ``<repo>/.codeanatomy``.
    """

    root: Path

    def path_of(self, spec: TableSpec) -> Path:
        """Location of a table."""
        return self.root / spec.path

    def prepare(self) -> None:
        """Create the output root, or raise :class:`OutputError` if it cannot be written."""
        shown = utf8_path(self.root)
        if shown != str(self.root):
            raise OutputError(
                f"output location '{shown}' is not valid UTF-8, which Delta Lake and Arrow need;"
                " choose another output location (--out)"
            )
        if self.root.exists() and not self.root.is_dir():
            raise OutputError(f"output location {str(self.root)!r} is not a directory")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".write-probe"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise OutputError(f"output location {str(self.root)!r} is not writable: {exc.strerror or exc}") from exc

    def _open(self, spec: TableSpec, version: int | None = None) -> DeltaTable | None:
        path = self.path_of(spec)
        if not (path / "_delta_log").is_dir():
            return None
        try:
            return DeltaTable(str(path), version=version)
        except TableNotFoundError:
            return None
        except (DeltaError, OSError, ValueError) as exc:
            raise StorageError(f"table {spec.name!r} at {str(path)!r} cannot be opened: {exc}") from exc

    def check(self, spec: TableSpec) -> None:
        """Refuse a stored table this version cannot read or overwrite.

        Raises:
            StorageError: unsupported Delta protocol, unknown schema version, or a
                table not written by CodeAnatomy.
        """
        table = self._open(spec)
        if table is None:
            return
        where = f"table {spec.name!r} at {str(self.path_of(spec))!r}"
        protocol = table.protocol()
        if (
            protocol.min_reader_version > SUPPORTED_READER_VERSION
            or protocol.min_writer_version > SUPPORTED_WRITER_VERSION
        ):
            raise StorageError(
                f"{where} uses Delta protocol reader {protocol.min_reader_version} / writer "
                f"{protocol.min_writer_version}; this CodeAnatomy supports reader "
                f"{SUPPORTED_READER_VERSION} / writer {SUPPORTED_WRITER_VERSION}"
            )
        history = table.history(1)
        info = history[0] if history else {}
        if info.get(_KEY_TABLE) != spec.name:
            raise StorageError(f"{where} was not written by CodeAnatomy (no {_KEY_TABLE} commit metadata)")
        try:
            stored = int(info.get(_KEY_VERSION, ""))
        except ValueError:
            stored = -1
        if stored < 1 or stored > spec.version:
            raise StorageError(
                f"{where} has schema version {info.get(_KEY_VERSION)!r}; this CodeAnatomy "
                f"reads versions 1 to {spec.version}"
            )

    def stage_stream(self, spec: TableSpec, stream: ArrowStream, *, stem: str) -> list[StagedFile]:
        """Write an Arrow stream (a DataFusion DataFrame) as staged Parquet files of ``spec``.

        Batches are gathered into row groups of about :data:`_ROWS_PER_GROUP` rows
        (DataFusion yields a few thousand rows a batch; a row group per batch would make
        writing and every later scan pay per-group costs hundreds of times over), never
        collected whole. The files are named ``<stem>-NNNNN.parquet`` and stay invisible
        until :meth:`commit_files`. The stream must have the declared column names and
        types.
        """
        reader = pa.RecordBatchReader.from_stream(stream)
        if reader.schema.names != spec.schema.names or reader.schema.types != spec.schema.types:
            raise OutputError(f"stream for table {spec.name!r} does not have the declared columns and types")
        files = _StagedFiles(spec, self.path_of(spec), stem)
        group: list[pa.RecordBatch] = []
        grouped = 0
        for batch in reader:
            group.append(pa.RecordBatch.from_arrays(batch.columns, schema=spec.schema))
            grouped += batch.num_rows
            if grouped >= _ROWS_PER_GROUP:
                files.write(pa.Table.from_batches(group, schema=spec.schema))
                group, grouped = [], 0
        if grouped:
            files.write(pa.Table.from_batches(group, schema=spec.schema))
        return files.close()

    def write(self, spec: TableSpec, table: pa.Table, *, run_id: str) -> TableWrite:
        """Replace the table's contents with ``table`` in one commit."""
        path = self.path_of(spec)
        data = spec.conform(table)
        try:
            write_deltalake(
                str(path),
                data,
                mode="overwrite",
                schema_mode="overwrite",
                name=spec.name,
                description=f"CodeAnatomy table {spec.name}",
                commit_properties=CommitProperties(
                    custom_metadata={
                        _KEY_TABLE: spec.name,
                        _KEY_VERSION: str(spec.version),
                        _KEY_RUN: run_id,
                    }
                ),
            )
            version = DeltaTable(str(path)).version()
        except (DeltaError, OSError) as exc:
            raise OutputError(f"cannot write table {spec.name!r} to {str(path)!r}: {exc}") from exc
        return TableWrite(spec.name, str(path), version, data.num_rows, spec.version)

    def commit_files(self, spec: TableSpec, files: Sequence[StagedFile], *, run_id: str) -> TableWrite:
        """Replace the table's contents with the staged ``files``, in one commit."""
        if not files:
            return self.write(spec, spec.empty(), run_id=run_id)
        path = self.path_of(spec)
        now = int(time.time() * 1000)
        actions = [
            AddAction(f.path, f.size, {}, now, True, json.dumps({"numRecords": f.rows}))
            for f in files
        ]
        properties = CommitProperties(
            custom_metadata={_KEY_TABLE: spec.name, _KEY_VERSION: str(spec.version), _KEY_RUN: run_id}
        )
        try:
            existing = self._open(spec)
            if existing is None:
                create_table_with_add_actions(
                    str(path),
                    Schema.from_arrow(spec.schema),
                    actions,
                    mode="overwrite",
                    name=spec.name,
                    description=f"CodeAnatomy table {spec.name}",
                    commit_properties=properties,
                )
            else:
                changes: list[AddAction | RemoveAction] = list(actions)
                existing.create_write_transaction(
                    changes, mode="overwrite", schema=spec.schema, commit_properties=properties
                )
            version = DeltaTable(str(path)).version()
        except (DeltaError, OSError) as exc:
            raise OutputError(f"cannot commit table {spec.name!r} at {str(path)!r}: {exc}") from exc
        return TableWrite(spec.name, str(path), version, sum(f.rows for f in files), spec.version)

    def read(self, spec: TableSpec, version: int) -> DeltaTable:
        """Open a table at a Delta version recorded in a manifest.

        Raises:
            StorageError: the table or that version is missing.
        """
        table = self._open(spec, version)
        if table is None:
            raise StorageError(f"table {spec.name!r} is missing at {str(self.path_of(spec))!r}")
        return table

    def vacuum(self, spec: TableSpec, *, since: int | None, run_id: str) -> int:
        """Delete the data files that no version from ``since`` on references.

        A build passes the previous build's version, so that a reader that opened the
        graph before it finished can still read it, and a build running beside it, which
        committed a version since, keeps its files; older files go. With ``since`` None,
        or newer than the table (which was made anew), only the current version's files
        stay. Returns the number of files deleted.

        Raises:
            OutputError: the table cannot be vacuumed.
        """
        table = self._open(spec)
        if table is None:
            return 0
        current = table.version()
        kept = list(range(since, current + 1)) if since is not None and since <= current else []
        try:
            removed = table.vacuum(
                retention_hours=0,
                dry_run=False,
                enforce_retention_duration=False,
                keep_versions=kept,
                commit_properties=CommitProperties(
                    custom_metadata={_KEY_TABLE: spec.name, _KEY_VERSION: str(spec.version), _KEY_RUN: run_id}
                ),
            )
        except (DeltaError, OSError) as exc:
            raise OutputError(f"cannot remove old files of table {spec.name!r}: {exc}") from exc
        return len(removed)

    # -- run pointer --------------------------------------------------------

    def write_latest(self, latest: LatestRun) -> None:
        """Atomically point readers at a finished build's manifest."""
        target = self.root / "runs" / "LATEST"
        tmp = target.with_name(f"LATEST.{latest.run_id}.tmp")  # concurrent builds each write their own
        tmp.write_bytes(msgspec.json.encode(latest))
        os.replace(tmp, target)

    def latest_manifest(self) -> Path | None:
        """Where the last complete build's manifest is, or ``None`` when there has been none.

        Raises:
            StorageError: the pointer to it is unreadable.
        """
        latest = self.latest()
        if latest is None:
            return None
        recorded = Path(latest.manifest)
        return recorded if recorded.is_absolute() else self.root / recorded

    def latest(self) -> LatestRun | None:
        """The last complete build, or ``None`` when there has been none."""
        target = self.root / "runs" / "LATEST"
        try:
            return msgspec.json.decode(target.read_bytes(), type=LatestRun)
        except FileNotFoundError:
            return None
        except (OSError, msgspec.DecodeError, json.JSONDecodeError) as exc:
            raise StorageError(f"{str(target)!r} is unreadable: {exc}") from exc
