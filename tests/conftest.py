"""Shared fixtures: small repositories written file by file into a temporary directory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

RepoFactory = Callable[[Mapping[str, str | bytes]], Path]


def write_repo(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root`` and return it."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> RepoFactory:
    """Factory writing a repository under a fresh ``repo`` directory of ``tmp_path``."""
    counter = iter(range(1000))

    def make(files: Mapping[str, str | bytes]) -> Path:
        return write_repo(tmp_path / f"repo{next(counter)}", files)

    return make
