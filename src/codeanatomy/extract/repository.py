"""Repository-level evidence: the SCIP index, ingested or produced by scip-python.

Runs once in the driver after the scan. When ``scip`` is ``run`` and the capability
snapshot found no scip-python, the build notes it in one line and goes on with
correct-schema empty SCIP tables.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from codeanatomy.capabilities import Capabilities
from codeanatomy.extract._base import FileError
from codeanatomy.extract.scip import TABLES, ingest_index, run_scip_python
from codeanatomy.source import SourceFile

__all__ = ["RepositoryEvidence", "collect_scip"]


@dataclass(frozen=True, slots=True)
class RepositoryEvidence:
    """Tables, error rows, one-line notes for the user, and seconds spent."""

    tables: Mapping[str, pa.Table] = field(default_factory=dict)
    errors: tuple[FileError, ...] = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0


def collect_scip(
    scip: str | None,
    *,
    root: Path,
    run_dir: Path,
    files: Mapping[str, SourceFile],
    capabilities: Capabilities,
) -> RepositoryEvidence:
    """Ingest ``scip`` (a path, or ``run`` to index ``root`` with scip-python first).

    Raises:
        ScipIndexError: the index cannot be read, or scip-python failed.
    """
    if not scip:
        return RepositoryEvidence()
    started = time.perf_counter()
    if scip == "run":
        if capabilities.scip_python is None:
            return RepositoryEvidence(
                notes=("scip-python is not on PATH; the scip layer is empty for this build",)
            )
        index = run_scip_python(root, run_dir / "scip", executable=capabilities.scip_python)
    else:
        index = Path(scip).expanduser()
        if not index.is_absolute():
            index = (Path.cwd() / index).resolve()
    output = ingest_index(index, files)
    tables = {spec.name: output.tables.get(spec.name, spec.empty()) for spec in TABLES}
    return RepositoryEvidence(tables, output.errors, (), time.perf_counter() - started)
