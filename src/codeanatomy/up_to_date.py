"""Knowing when a build has nothing to do: the last build read exactly what this one would.

A graph is a function of the scanned files, the options that shape it, the code and
libraries that build it, the interpreter and its installed packages. :func:`build_key`
hashes all of these; the manifest of a complete build records it, and a build finding
the same key, with every table of that build still in place, returns that build's
result (:func:`unchanged_result`) instead of building it again. A build ingesting SCIP
has no key: ``scip-python``'s output, or an index file, are not inputs it tracks.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Final

import msgspec
from deltalake.exceptions import DeltaError

from codeanatomy.catalog import ERRORS, TABLES_BY_NAME
from codeanatomy.config import BuildOptions
from codeanatomy.errors import CodeAnatomyError
from codeanatomy.manifest import BuildResult, Manifest
from codeanatomy.scan import ScanResult
from codeanatomy.store import TableStore

__all__ = ["build_key", "unchanged_result"]

_NOT_SHAPING: Final = frozenset({"out", "jobs", "chunk_files", "cache"})
"""Options that change how a build runs or where it writes, not the graph it makes."""


def build_key(code: str, environment: str, root: str, options: BuildOptions, scanned: ScanResult) -> str | None:
    """The hash of what a build of ``root`` reads; None when it ingests SCIP (the scip
    layer selected without an index, as by profile ``full``, reads nothing more)."""
    if options.scip:
        return None
    shaping = {k: v for k, v in msgspec.to_builtins(options).items() if k not in _NOT_SHAPING}
    digest = hashlib.sha256()
    digest.update(msgspec.json.encode([code, environment, root, shaping, list(options.selected_layers)]))
    for f in scanned.files:
        digest.update(msgspec.json.encode([f.path, f.file_id, f.module, f.size, f.sha256, f.encoding, f.status]))
    digest.update(msgspec.json.encode([msgspec.to_builtins(e) for e in scanned.errors]))
    return digest.hexdigest()


def unchanged_result(
    store: TableStore,
    manifest: Manifest | None,
    manifest_path: str | None,
    key: str,
    *,
    parsed: int,
    scan_seconds: float,
    started: float,
) -> BuildResult | None:
    """The result of the build ``manifest`` (at ``manifest_path``) describes, if its key
    is ``key`` and every file of its tables is still there; else None.

    ``parsed`` is the number of files a build would have parsed, all of whose work is
    reused; the result's timings are ``scan_seconds`` and the total since ``started``
    (a :func:`time.perf_counter` reading).
    """
    if manifest is None or manifest_path is None or manifest.build_key != key:
        return None
    try:
        for written in manifest.tables:
            table = store.read(TABLES_BY_NAME[written.name], written.delta_version)
            if not all(Path(uri).exists() for uri in table.file_uris()):
                return None
    except (KeyError, CodeAnatomyError, DeltaError, OSError):
        return None
    # Where the tables are now: the output directory may have moved since it was built.
    tables = {
        written.name: msgspec.structs.replace(written, path=str(store.path_of(TABLES_BY_NAME[written.name])))
        for written in manifest.tables
    }
    return BuildResult(
        run_id=manifest.run_id,
        root=manifest.root,
        out=str(store.root),
        run_dir=str(Path(manifest_path).parent),
        manifest_path=manifest_path,
        errors_path=tables[ERRORS.name].path,
        tables=tables,
        files=manifest.files,
        nodes_by_kind=manifest.nodes_by_kind,
        edges_by_kind=manifest.edges_by_kind,
        errors_by_layer=manifest.errors_by_layer,
        timings={"scan": scan_seconds, "total": time.perf_counter() - started},
        reused={"facts": parsed, "extract": parsed, "resolve": parsed},
        unchanged=True,
    )
