"""Reusing the last build's resolution when nothing the resolver reads has changed.

The whole-program resolver's tables are a function of the files it reads, the code
that runs it, the interpreter and its installed packages, and the extra import roots.
:func:`resolver_key` hashes all of these; the manifest of a build whose resolution
finished records it, and the next build with the same key reads the resolver's
tables and error rows back from that build's Delta versions
(:func:`previous_resolution`) instead of resolving again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
from deltalake.exceptions import DeltaError

from codeanatomy.catalog import ERRORS, TABLES_BY_NAME
from codeanatomy.errors import CodeAnatomyError
from codeanatomy.extract._base import FileError
from codeanatomy.extract._chunks import FileInput, hash_files
from codeanatomy.manifest import Manifest
from codeanatomy.resolve.program import ResolveResult
from codeanatomy.resolve.tables import RESOLVE_TABLES
from codeanatomy.store import TableStore

__all__ = ["previous_resolution", "resolver_key"]

_LAYER = "resolve"
"""The layer of the resolver's error rows."""


def resolver_key(code: str, environment: str, extra_roots: Sequence[str], inputs: Sequence[FileInput]) -> str:
    """The hash of what resolution reads: ``code`` and ``environment`` fingerprints,
    ``extra_roots``, and every input file (path, ID, module, encoding, bytes)."""
    digest = hashlib.sha256()
    digest.update(msgspec.json.encode([code, environment, list(extra_roots)]))
    hash_files(digest, inputs)
    return digest.hexdigest()


def previous_resolution(store: TableStore, manifest: Manifest | None, key: str) -> ResolveResult | None:
    """The resolution of the build ``manifest`` describes, if its key is ``key`` and its
    tables can still be read; else None."""
    if manifest is None or manifest.resolver_key != key:
        return None
    versions = {table.name: table.delta_version for table in manifest.tables}
    try:
        tables = {
            spec.name: store.read(spec, versions[spec.name]).to_pyarrow_table()
            for spec in RESOLVE_TABLES
        }
        errors = store.read(ERRORS, versions[ERRORS.name]).to_pyarrow_table()
    except (KeyError, CodeAnatomyError, OSError, DeltaError, pa.ArrowException):
        return None
    rows = errors.filter(pc.equal(errors["layer"], _LAYER)).to_pylist()
    return ResolveResult(
        {name: TABLES_BY_NAME[name].conform(table) for name, table in tables.items()},
        tuple(FileError(r["path"], r["layer"], r["error_type"], r["message"], r["line"], r["col"]) for r in rows),
    )
