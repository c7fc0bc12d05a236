"""Helpers for resolution tests: turn a folder or inline sources into facts and results."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from codeanatomy.resolve.facts import ModuleFacts, collect_facts
from codeanatomy.resolve.program import ResolveResult, resolve_program
from codeanatomy.scan import scan
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for


def module_of(relpath: str) -> str:
    """``pkg/__init__.py`` -> ``pkg``, ``pkg/mod.py`` -> ``pkg.mod``."""
    parts = relpath.rsplit(".", 1)[0].split("/")
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def source_of(relpath: str, text: str) -> SourceFile:
    """A SourceFile for inline test code (dedented)."""
    data = textwrap.dedent(text).lstrip("\n").encode()
    return SourceFile(relpath, file_id_for(relpath), module_of(relpath), data)


def facts_of(files: Mapping[str, str]) -> list[ModuleFacts]:
    """Facts of inline files keyed by relative path."""
    return [collect_facts(source_of(path, text)) for path, text in sorted(files.items())]


def resolve_files(files: Mapping[str, str], **options: object) -> ResolveResult:
    """Resolve inline files."""
    return resolve_program(facts_of(files), **options)  # type: ignore[arg-type]


def resolve_folder(root: Path) -> ResolveResult:
    """Scan a folder and resolve it."""
    scanned = scan(root, max_file_bytes=10_000_000)
    return resolve_program([collect_facts(f.source()) for f in scanned.files])
