"""The capability snapshot: library versions and optional tools, read once at start.

The rest of a build receives this snapshot instead of probing for itself;
``codeanatomy diag`` prints it and every manifest records it.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

import msgspec

from codeanatomy.extract.scip import find_scip_python

__all__ = ["Capabilities", "detect_capabilities"]

_DISTRIBUTIONS = (
    "codeanatomy",
    "datafusion",
    "deltalake",
    "pyarrow",
    "tree-sitter",
    "tree-sitter-python",
    "libcst",
    "protobuf",
    "msgspec",
    "typer",
    "rich",
    "pathspec",
)


class Capabilities(msgspec.Struct, frozen=True):
    """What this process can do.

    Attributes:
        python: interpreter version (``3.11.7``).
        implementation: ``CPython`` etc.
        platform: OS and machine.
        cpu_count: logical CPUs.
        versions: installed versions of the libraries the build uses.
        scip_python: path of the ``scip-python`` executable, or ``None`` when absent.
    """

    python: str
    implementation: str
    platform: str
    cpu_count: int
    versions: dict[str, str]
    scip_python: str | None


def detect_capabilities() -> Capabilities:
    """Read the snapshot (call once per build or command)."""
    versions: dict[str, str] = {}
    for name in _DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return Capabilities(
        python=platform.python_version(),
        implementation=sys.implementation.name,
        platform=f"{platform.system()} {platform.machine()}",
        cpu_count=os.cpu_count() or 1,
        versions=versions,
        scip_python=find_scip_python(),
    )
