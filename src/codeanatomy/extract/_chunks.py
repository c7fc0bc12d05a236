"""Chunks of files: how a pass cuts its files into worker tasks, where a chunk's output goes.

:func:`split_chunks` cuts where a file's path says to, not every N files, so a file
added or removed changes only the chunks around it: every other chunk keeps its files,
and with them its key in the chunk cache (:mod:`codeanatomy.extract.chunk_cache`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from codeanatomy.extract._base import FileError
from codeanatomy.schema import TableSpec
from codeanatomy.store import StagedFile

__all__ = ["ChunkResult", "FileInput", "Staging", "hash_files", "split_chunks"]

FileInput = tuple[str, str, str, bytes, str]
"""(path, file_id, module, data, encoding): a file as sent to a worker."""


def hash_files(digest: hashlib._Hash, files: Sequence[FileInput]) -> None:
    """Feed ``digest`` everything a per-file step reads of ``files``: path, ID, module,
    encoding and bytes."""
    for path, file_id, module, data, encoding in files:
        digest.update(msgspec.json.encode([path, file_id, module, encoding, len(data)]))
        digest.update(hashlib.sha256(data).digest())


@dataclass(frozen=True, slots=True)
class Staging:
    """Where workers write: the output root and table specs (Parquet), and the facts directory."""

    root: Path
    run_id: str
    specs: Mapping[str, TableSpec]
    facts: Path

    def stem(self, number: int) -> str:
        """The name (without suffix) of chunk ``number``'s Parquet file in each table's directory."""
        return f"part-{self.run_id}-{number:05d}"

    def fact_file(self, number: int) -> Path:
        """Where chunk ``number``'s facts go."""
        return self.facts / f"facts-{number:05d}.pickle"


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one chunk left: its staged files, error rows, fact file, CPU seconds per step, file count."""

    files: list[StagedFile]
    errors: list[FileError]
    fact_file: Path | None
    seconds: dict[str, float]
    count: int


def split_chunks(files: Sequence[FileInput], chunk_files: int) -> list[Sequence[FileInput]]:
    """Cut ``files`` (in order) into chunks of ``chunk_files`` files on average.

    A chunk ends at a file whose path hashes to a cut once it holds at least half of
    ``chunk_files`` files, and at twice ``chunk_files`` files in any case (the last
    chunk holds what is left).

    >>> files = [(f"m{i}.py", "", "", b"", "utf-8") for i in range(100)]
    >>> [len(chunk) for chunk in split_chunks(files, 1)] == [1] * 100
    True
    >>> sizes = [len(chunk) for chunk in split_chunks(files, 8)]
    >>> sum(sizes), min(sizes[:-1]) >= 4, max(sizes) <= 16
    (100, True, True)
    """
    shortest = max(1, chunk_files // 2)
    longest = 2 * chunk_files
    odds = chunk_files - shortest + 1  # mean length: shortest - 1 + odds = chunk_files
    chunks: list[Sequence[FileInput]] = []
    start = 0
    for index, file in enumerate(files):
        size = index - start + 1
        if size >= longest or (size >= shortest and _cuts_after(file[0], odds)):
            chunks.append(files[start : index + 1])
            start = index + 1
    if start < len(files):
        chunks.append(files[start:])
    return chunks


def _cuts_after(path: str, odds: int) -> bool:
    """Whether a chunk may end at ``path``: true for one path in ``odds``, the same in every build."""
    digest = hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % odds == 0
