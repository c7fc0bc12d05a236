"""The build manifest (``runs/<run_id>/manifest.json``) and the build result it mirrors."""

from __future__ import annotations

import msgspec

from codeanatomy.capabilities import Capabilities
from codeanatomy.store import TableWrite

__all__ = ["BuildResult", "LayerRun", "Manifest"]


class LayerRun(msgspec.Struct, frozen=True):
    """A per-file step that ran: its name, version and CPU seconds summed over the workers."""

    name: str
    version: int
    seconds: float


class Manifest(msgspec.Struct, frozen=True):
    """Everything needed to know what a build read, how, and what it wrote.

    ``inputs_sha256`` hashes the sorted (path, SHA-256) pairs of scanned files, so two
    builds of the same sources share it. ``reused`` counts the files whose per-file
    work each pass took from the chunk cache. ``resolver_key`` hashes what the
    resolver read (see :mod:`codeanatomy.resolution_reuse`) and ``build_key`` what the
    whole build read (see :mod:`codeanatomy.up_to_date`); each is None when resolution
    failed.
    """

    run_id: str
    started_at: str
    root: str
    out: str
    options: dict[str, object]
    option_sources: dict[str, str]
    capabilities: Capabilities
    layers: list[LayerRun]
    tables: list[TableWrite]
    inputs_sha256: str
    files: int
    files_by_status: dict[str, int]
    nodes_by_kind: dict[str, int]
    edges_by_kind: dict[str, int]
    errors_by_layer: dict[str, int]
    timings: dict[str, float]
    reused: dict[str, int] = {}
    resolver_key: str | None = None
    build_key: str | None = None


class BuildResult(msgspec.Struct, frozen=True):
    """What :func:`codeanatomy.build` returns: the complete artifact contract of a build.

    Attributes:
        run_id: this build's ID.
        root: the repository root.
        out: the output root.
        run_dir: ``<out>/runs/<run_id>``.
        manifest_path: the manifest written in ``run_dir``.
        errors_path: the errors table's location.
        tables: every table written, with path, Delta version and row count.
        files: files scanned.
        nodes_by_kind, edges_by_kind: graph sizes.
        errors_by_layer: error rows per layer.
        timings: seconds per phase, and ``total``.
        reused: files whose work each pass (``facts``, ``extract``, ``resolve``) took
            from the last build instead of doing it.
        unchanged: nothing had changed since the last build, whose graph this is:
            nothing was built.
        notes: one-line notices (e.g. an optional tool that was not found).
    """

    run_id: str
    root: str
    out: str
    run_dir: str
    manifest_path: str
    errors_path: str
    tables: dict[str, TableWrite]
    files: int
    nodes_by_kind: dict[str, int]
    edges_by_kind: dict[str, int]
    errors_by_layer: dict[str, int]
    timings: dict[str, float]
    reused: dict[str, int] = {}
    unchanged: bool = False
    notes: list[str] = []

    @property
    def nodes(self) -> int:
        """Total graph nodes."""
        return sum(self.nodes_by_kind.values())

    @property
    def edges(self) -> int:
        """Total graph edges."""
        return sum(self.edges_by_kind.values())
