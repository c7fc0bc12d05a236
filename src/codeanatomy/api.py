"""The public API: :func:`build` a repository's graph, :func:`open_graph` to query it.

A build scans the repository, runs the selected evidence layers per file in worker
processes, runs the whole-repository passes on one DataFusion session, writes every
table as Delta (one commit each), then the manifest, then the pointer that makes
the build visible to readers.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pyarrow as pa
from datafusion import SessionContext

from codeanatomy.capabilities import Capabilities, detect_capabilities
from codeanatomy.catalog import ALL_TABLES, ERRORS, TABLES_BY_NAME, evidence_tables
from codeanatomy.config import BuildOptions, resolve_options
from codeanatomy.cpg.schema import CPG_EDGES, CPG_NODES
from codeanatomy.engine import Graph, make_session, open_store_graph, register
from codeanatomy.errors import CodeAnatomyError, OutputError, RootError
from codeanatomy.extract._base import ExtractOptions, FileError
from codeanatomy.extract.chunk_cache import ChunkCache, code_fingerprint
from codeanatomy.extract.layers import LAYERS
from codeanatomy.extract.repository import collect_scip
from codeanatomy.extract.run import ExtractionResult, FileStep, Staging, WorkerPool, run_steps
from codeanatomy.extract.scip import LAYER_VERSION as SCIP_VERSION
from codeanatomy.manifest import BuildResult, LayerRun, Manifest
from codeanatomy.pipeline import PASSES, commit_graph, run_passes, runnable, stage_fragments
from codeanatomy.resolution_reuse import previous_resolution, resolver_key
from codeanatomy.resolve.environment import environment_fingerprint
from codeanatomy.resolve.isolated import RunningResolver, start_resolver
from codeanatomy.runs import RunDirectory, remove_abandoned_runs
from codeanatomy.scan import FILES, ScanResult, scan, utf8_path
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for
from codeanatomy.steps import FACT_STEPS, RESOLVE_STEP_TABLES, RESOLVE_STEP_VERSIONS, evidence_steps
from codeanatomy.store import LatestRun, TableStore, TableWrite
from codeanatomy.up_to_date import build_key, unchanged_result

__all__ = ["BuildRequest", "build", "default_out", "open_graph"]

PERSISTED = frozenset(TABLES_BY_NAME)
_BESIDE_RESOLVER = 10
"""Niceness of the evidence workers, which run beside the resolver the build waits for."""
"""Pass outputs with a declared spec are written; the rest are graph fragments."""

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``(phase, done, total)`` with phase ``extract`` (files done of total), then
``syntax``, ``resolve`` and ``graph`` as the build moves on; the CLI draws a progress bar from it."""


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """What to build: a repository root and the options given explicitly.

    Options not given are resolved from the environment, ``codeanatomy.toml``,
    ``pyproject.toml`` and defaults (see :mod:`codeanatomy.config`).
    """

    root: Path
    options: Mapping[str, object] = field(default_factory=dict)


def default_out(root: Path) -> Path:
    """The default output location of a repository: ``<root>/.codeanatomy``."""
    return root / ".codeanatomy"


def _out_of(root: Path, options: BuildOptions) -> Path:
    return Path(options.out).expanduser().resolve() if options.out else default_out(root)


def build(
    root: str | Path,
    *,
    out: str | Path | None = None,
    jobs: int | None = None,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    profile: str | None = None,
    layers: Sequence[str] | None = None,
    max_file_bytes: int | None = None,
    scip: str | None = None,
    cache: bool | None = None,
    on_progress: ProgressCallback | None = None,
) -> BuildResult:
    """Build the code property graph of the repository at ``root``.

    Args:
        root: repository root.
        out: output location (default ``<root>/.codeanatomy``).
        jobs: worker processes (default: all cores).
        include: globs a file must match.
        exclude: globs of files to leave out.
        profile: ``fast`` or ``full``.
        layers: explicit evidence layers.
        max_file_bytes: larger files are recorded but not parsed.
        scip: an ``index.scip`` path to ingest, or ``run``.
        cache: reuse the last build's per-file work for unchanged chunks of files
            (default true).
        on_progress: progress callback ``(phase, done, total)``.

    Returns:
        The build's artifacts: real table paths, versions, row counts, errors, timings.

    Raises:
        CodeAnatomyError: an unusable root or output location, a bad option, or a
            stored table this version refuses.
    """
    explicit: dict[str, object] = {
        "out": str(out) if out is not None else None,
        "jobs": jobs,
        "include": tuple(include) if include is not None else None,
        "exclude": tuple(exclude) if exclude is not None else None,
        "profile": profile,
        "layers": tuple(layers) if layers is not None else None,
        "max_file_bytes": max_file_bytes,
        "scip": scip,
        "cache": cache,
    }
    return run_build(BuildRequest(Path(root), explicit), on_progress=on_progress)


def run_build(request: BuildRequest, *, on_progress: ProgressCallback | None = None) -> BuildResult:
    """Run a build described by ``request`` (see :func:`build`)."""
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    root = request.root.expanduser()
    if not root.is_dir():
        raise RootError(f"repository root {str(root)!r} is not a directory")
    root = root.resolve()
    resolved = resolve_options(root, request.options)
    options = resolved.options
    capabilities = detect_capabilities()
    out = _out_of(root, options)
    store = TableStore(out)
    store.prepare()
    for spec in ALL_TABLES:
        store.check(spec)
    latest, latest_path = _latest_manifest(store)
    previous = {table.name: table.delta_version for table in latest.tables} if latest is not None else {}
    timings: dict[str, float] = {}

    phase = time.perf_counter()
    scanned = scan(
        root,
        include=options.include,
        exclude=options.exclude,
        exclude_dirs=(out,),
        max_file_bytes=options.max_file_bytes,
        extra_roots=options.extra_roots,
    )
    inputs = [(f.path, f.file_id, f.module, f.data, f.encoding) for f in scanned.files if f.data is not None]
    code, environment = code_fingerprint(capabilities), environment_fingerprint()
    graph_key = build_key(code, environment, utf8_path(root), options, scanned)
    timings["scan"] = time.perf_counter() - phase
    if options.cache and graph_key is not None:
        unchanged = unchanged_result(
            store, latest, latest_path, graph_key, parsed=len(inputs), scan_seconds=timings["scan"], started=started
        )
        if unchanged is not None:
            return unchanged

    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    with RunDirectory(out / "runs", run_id) as claimed:
        run_dir = claimed.path
        phase = time.perf_counter()
        staged_specs = (*evidence_tables(), *RESOLVE_STEP_TABLES)
        facts_dir = run_dir / "facts"
        facts_dir.mkdir()
        staging = Staging(out, run_id, {spec.name: spec for spec in staged_specs}, facts_dir)
        extract_options = ExtractOptions(code_chars=options.code_chars)

        workers = WorkerPool(options.jobs if options.jobs > 1 else 0)
        cache = ChunkCache(out / "cache", code) if options.cache else None
        # Kept by the cache in every build, so that builds taking the last resolution keep it too.
        classes_memo = cache.memo_file("external-classes") if cache is not None else None
        resolution_key = resolver_key(code, environment, options.extra_roots, inputs)
        reused_program = previous_resolution(store, latest, resolution_key) if options.cache else None

        def run_pass(
            steps: Sequence[FileStep],
            phase: str,
            *,
            niceness: int,
            keep_sources: bool,
            on_fact_file: Callable[[Path], None] | None = None,
        ) -> ExtractionResult:
            return run_steps(
                inputs,
                steps,
                extract_options,
                staging,
                pool=workers,
                chunk_files=options.chunk_files,
                niceness=niceness,
                keep_sources=keep_sources,
                cache=cache,
                on_progress=_counter(phase, len(inputs), on_progress),
                on_fact_file=on_fact_file,
            )

        resolver: RunningResolver | None = None
        try:
            # The whole-program resolver is the longest step and needs only the facts: they
            # are collected first, on every worker, and the resolver child, started first,
            # loads each chunk's facts as it is written. It resolves them while the evidence
            # layers run, at a lower priority so the resolver keeps a core, and this process
            # commits the evidence and builds the syntax graph. Once the resolver is done,
            # the workers have every core. Each worker keeps the files it parsed for the
            # facts and gets them back for the layers. A build whose resolver would read
            # what the last build's did takes that build's resolution instead (the facts
            # are still collected, from the chunk cache, which keeps them for the next).
            if reused_program is None:
                resolver = start_resolver(
                    workdir=run_dir / "resolve",
                    extra_roots=options.extra_roots,
                    classes_memo=classes_memo,
                )
            send = resolver.send if resolver is not None else None
            facts = run_pass(FACT_STEPS, "facts", niceness=0, keep_sources=True, on_fact_file=send)
            if resolver is not None:
                resolver.all_sent()
            timings["facts"] = time.perf_counter() - phase

            phase = time.perf_counter()
            steps = evidence_steps(options.selected_layers)
            extraction = run_pass(steps, "extract", niceness=_BESIDE_RESOLVER, keep_sources=False)
            workers.close()
            repository = collect_scip(
                options.scip if "scip" in options.selected_layers else None,
                root=root,
                run_dir=run_dir,
                files=_SourcesByPath(scanned),
                capabilities=capabilities,
            )
            timings["extract"] = time.perf_counter() - phase

            # Evidence staged by the workers is committed first (invisible to readers until the
            # manifest names its versions) and read back by the passes straight from Delta.
            phase = time.perf_counter()
            session = make_session(options.jobs)
            written: dict[str, TableWrite] = {}
            with ThreadPoolExecutor(max_workers=4) as pool:
                commits = {
                    spec.name: pool.submit(
                        store.commit_files, spec, extraction.files.get(spec.name, []), run_id=run_id
                    )
                    for spec in staged_specs
                    if spec.name not in repository.tables
                }
                for name, commit in commits.items():
                    written[name] = commit.result()
                    session.register_table(name, store.read(TABLES_BY_NAME[name], written[name].delta_version))
            tables: dict[str, pa.Table] = {FILES.name: scanned.table(), **repository.tables}
            for name, table in tables.items():
                register(session, name, table)
            timings["commit_evidence"] = time.perf_counter() - phase

            phase = time.perf_counter()
            if on_progress is not None:
                on_progress("syntax", len(inputs), len(inputs))
            available = session.catalog().schema().names()
            before = run_passes(session, options, runnable(PASSES, sorted(available)))
            staged = stage_fragments(session, before, store, run_id=run_id, threads=options.jobs)
            timings["graph_syntax"] = time.perf_counter() - phase

            phase = time.perf_counter()
            if on_progress is not None:
                on_progress("resolve", len(inputs), len(inputs))
            program = resolver.result() if resolver is not None else reused_program
            assert program is not None
        finally:
            if resolver is not None:  # first: an abandoned build's resolver stops at once
                resolver.close()
            workers.close()
            shutil.rmtree(facts_dir, ignore_errors=True)
            shutil.rmtree(run_dir / "resolve", ignore_errors=True)
        timings["resolve_wait"] = time.perf_counter() - phase
        timings["resolve_program"] = resolver.seconds if resolver is not None else 0.0

        phase = time.perf_counter()
        if on_progress is not None:
            on_progress("graph", len(inputs), len(inputs))
        for name, table in program.tables.items():
            register(session, name, table)
        tables.update(program.tables)
        after = run_passes(session, options, [p for p in PASSES if p not in before.passes])
        for name, files in stage_fragments(session, after, store, run_id=run_id, threads=options.jobs).items():
            staged[name].extend(files)
        written.update(commit_graph(session, store, staged, run_id=run_id))
        for run in (before, after):
            timings.update({f"pass:{name}": seconds for name, seconds in run.seconds.items()})
            tables.update({name: table for name, table in run.tables.items() if name in PERSISTED})
        errors = _errors_table(scanned, [*facts.errors, *extraction.errors, *repository.errors, *program.errors])
        tables[ERRORS.name] = errors
        timings["graph_resolution"] = time.perf_counter() - phase

        phase = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {
                name: pool.submit(store.write, TABLES_BY_NAME[name], table, run_id=run_id)
                for name, table in tables.items()
            }
            written.update({name: fut.result() for name, fut in futures.items()})
        written = {spec.name: written[spec.name] for spec in ALL_TABLES if spec.name in written}
        timings["write"] = time.perf_counter() - phase
        timings["total"] = time.perf_counter() - started

        nodes_by_kind = _count_by(session, CPG_NODES.name, "kind")
        edges_by_kind = _count_by(session, CPG_EDGES.name, "kind")
        errors_by_layer = _count(errors, "layer")
        versions: dict[str, int] = {layer.name: layer.version for layer in LAYERS}
        versions.update(RESOLVE_STEP_VERSIONS)
        seconds = {**extraction.seconds, **facts.seconds}
        reused = {"facts": facts.reused, "extract": extraction.reused, "resolve": len(inputs) if resolver is None else 0}
        layer_runs = [
            LayerRun(step.name, versions[step.name], round(seconds.get(step.name, 0.0), 3))
            for step in (*steps, *FACT_STEPS)
        ]
        if "scip" in options.selected_layers:
            layer_runs.append(LayerRun("scip", SCIP_VERSION, round(repository.seconds, 3)))
        manifest = Manifest(
            run_id=run_id,
            started_at=started_at,
            root=utf8_path(root),
            out=str(out),
            options=msgspec.to_builtins(options),
            option_sources=dict(resolved.sources),
            capabilities=capabilities,
            layers=layer_runs,
            tables=list(written.values()),
            inputs_sha256=_inputs_hash(scanned),
            files=len(scanned.files),
            files_by_status=dict(Counter(f.status for f in scanned.files)),
            nodes_by_kind=nodes_by_kind,
            edges_by_kind=edges_by_kind,
            errors_by_layer=errors_by_layer,
            timings={k: round(v, 3) for k, v in timings.items()},
            reused=reused,
            resolver_key=resolution_key if program.complete else None,
            build_key=graph_key if program.complete else None,
        )
        manifest_path = run_dir / "manifest.json"
        manifest_path.write_bytes(msgspec.json.format(msgspec.json.encode(manifest)))
        store.write_latest(LatestRun(run_id, manifest_path.relative_to(store.root).as_posix()))
        notes = [*repository.notes, *_vacuum(store, written, previous, run_id)]
        if cache is not None:
            cache.prune()
            if cache.problem is not None:
                notes.append(cache.problem)
        if not scanned.files:
            notes.append(
                f"no Python files found under {utf8_path(root)} (after .gitignore rules and the"
                " include/exclude globs)"
            )
        remove_abandoned_runs(out / "runs")
        return BuildResult(
            run_id=run_id,
            root=utf8_path(root),
            out=str(out),
            run_dir=str(run_dir),
            manifest_path=str(manifest_path),
            errors_path=written[ERRORS.name].path,
            tables=written,
            files=len(scanned.files),
            nodes_by_kind=nodes_by_kind,
            edges_by_kind=edges_by_kind,
            errors_by_layer=errors_by_layer,
            timings=manifest.timings,
            reused=reused,
            notes=notes,
        )


class _SourcesByPath(Mapping[str, SourceFile]):
    """Scanned files by path, made into :class:`SourceFile` only when looked up."""

    def __init__(self, scanned: ScanResult) -> None:
        self._files = {f.path: f for f in scanned.files if f.data is not None}

    def __getitem__(self, path: str) -> SourceFile:
        return self._files[path].source()

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


def _counter(phase: str, total: int, on_progress: ProgressCallback | None) -> Callable[[int], None]:
    """A per-chunk callback reporting ``phase`` progress as files done of ``total``."""
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(phase, done, total)

    advance(0)
    return advance


def _latest_manifest(store: TableStore) -> tuple[Manifest | None, str | None]:
    """The manifest of the last complete build and its path (None, None if there is
    none, or it is unreadable)."""
    try:
        path = store.latest_manifest()
        if path is None:
            return None, None
        return msgspec.json.decode(path.read_bytes(), type=Manifest), str(path)
    except (CodeAnatomyError, OSError, msgspec.DecodeError):
        return None, None


def _vacuum(store: TableStore, written: Mapping[str, TableWrite], previous: Mapping[str, int], run_id: str) -> list[str]:
    """Delete files older than the previous build's (those of builds running beside this
    one stay); a table that cannot be cleaned is a note."""
    notes: list[str] = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            name: pool.submit(
                store.vacuum, TABLES_BY_NAME[name], since=previous.get(name), run_id=run_id
            )
            for name in written
        }
        for future in futures.values():
            try:
                future.result()
            except OutputError as exc:
                notes.append(str(exc))
    return notes


def _count_by(session: SessionContext, table: str, column: str) -> dict[str, int]:
    rows = session.sql(f"SELECT {column} AS key, count(*) AS n FROM {table} GROUP BY {column}").to_pylist()
    return {str(row["key"]): int(row["n"]) for row in sorted(rows, key=lambda r: str(r["key"]))}


def _count(table: pa.Table, column: str) -> dict[str, int]:
    counts = table.group_by(column).aggregate([([], "count_all")]).to_pylist()
    return {str(row[column]): int(row["count_all"]) for row in sorted(counts, key=lambda r: str(r[column]))}


def _inputs_hash(scanned: ScanResult) -> str:
    digest = hashlib.sha256()
    for f in scanned.files:
        digest.update(f"{f.path}\0{f.sha256}\n".encode())
    return digest.hexdigest()


def _errors_table(scanned: ScanResult, extraction_errors: Sequence[FileError]) -> pa.Table:
    errors = [*scanned.errors, *extraction_errors]
    return ERRORS.from_columns(
        {
            "file_id": [file_id_for(e.path) for e in errors],
            "path": [e.path for e in errors],
            "layer": [e.layer for e in errors],
            "error_type": [e.error_type for e in errors],
            "message": [e.message for e in errors],
            "line": [e.line for e in errors],
            "col": [e.col for e in errors],
        }
    )


def open_graph(root: str | Path, *, out: str | Path | None = None) -> Graph:
    """Open the last complete build of ``root`` for queries.

    Args:
        root: the repository root (its ``.codeanatomy`` is opened unless ``out`` is given
            or configured).
        out: an explicit output location.

    Raises:
        RootError: ``root`` is not a directory (and no ``out`` is given).
        StorageError: no complete build there, or a table is refused.
    """
    root_path = Path(root).expanduser().resolve()
    if out is None:
        if not root_path.is_dir():
            raise RootError(f"repository root {str(root_path)!r} is not a directory")
        options = resolve_options(root_path, {}).options
        out_path = _out_of(root_path, options)
    else:
        out_path = Path(out).expanduser().resolve()
    return open_store_graph(out_path, TABLES_BY_NAME)


def capabilities() -> Capabilities:
    """The capability snapshot (what ``codeanatomy diag`` prints)."""
    return detect_capabilities()
