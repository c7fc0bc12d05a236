"""The chunk cache: each chunk's staged tables, facts and error rows, kept for the next build.

A pass's steps are pure functions of a file (its path, ID, module, encoding and bytes),
of the steps and their options, and of the code and libraries that run them. A
chunk's key hashes all of these; a later build meeting the same key sends the chunk
to no worker, and hard-links the chunk's Parquet and fact files back into place (a
copy where the file system has no hard links). A file that changes costs only its own
chunk, and a build of an unchanged repository parses no file.

The cache lives in ``<out>/cache``, one directory per key, which appears whole (it is
written under a temporary name and renamed) or not at all. An entry that cannot be
read is dropped and its chunk runs again. After a build, :meth:`ChunkCache.prune`
keeps only the entries it used (and any written since it started, by a build running
beside it), so the cache holds one build's worth of chunks, and its Parquet files are
the same files as the tables' until those change. Beside the entries, it keeps the
memo files of steps that learn something once for every build (:meth:`ChunkCache.memo_file`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import astuple
from pathlib import Path
from typing import Final

import msgspec

from codeanatomy.capabilities import Capabilities
from codeanatomy.extract._base import ExtractOptions, FileError
from codeanatomy.extract._chunks import ChunkResult, FileInput, Staging, hash_files
from codeanatomy.store import StagedFile

__all__ = ["ChunkCache", "code_fingerprint"]

_ENTRY: Final = "entry.json"
_FACTS: Final = "facts.pickle"
_TEMPORARY: Final = "tmp-"


class _CachedTable(msgspec.Struct, frozen=True):
    name: str
    rows: int


class _Entry(msgspec.Struct, frozen=True):
    tables: list[_CachedTable]
    errors: list[FileError]
    facts: bool
    count: int


def code_fingerprint(capabilities: Capabilities) -> str:
    """A hash of what the per-file steps' output depends on besides the files: this
    package's source, the interpreter and the settings that change what it compiles and
    parses (``-O``, the limit on integer digits), and the libraries' versions."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    digest.update(f"optimize={sys.flags.optimize} int_digits={sys.get_int_max_str_digits()}".encode())
    digest.update(msgspec.json.encode([capabilities.implementation, capabilities.versions]))
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class ChunkCache:
    """The cache in ``directory`` for steps run by code with ``fingerprint`` (see
    :func:`code_fingerprint`).

    ``problem`` is the first reason an entry could not be written (the build goes on
    without it).
    """

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.problem: str | None = None
        self._used: set[str] = set()
        self._started = time.time()

    def key(self, steps: Sequence[str], opts: ExtractOptions, chunk: Sequence[FileInput]) -> str:
        """The key of ``chunk`` run through the steps named ``steps`` with ``opts``."""
        digest = hashlib.sha256()
        digest.update(msgspec.json.encode([self.fingerprint, list(steps), astuple(opts)]))
        hash_files(digest, chunk)
        return digest.hexdigest()

    def memo_file(self, name: str) -> Path:
        """Where the memo ``name`` of this code's is kept (:meth:`prune` keeps it): what
        a step learned once and reads in every build, such as the resolver's notes on
        library modules (:meth:`codeanatomy.resolve.external_classes.ExternalClasses.save_memo`)."""
        file_name = f"{name}-{self.fingerprint[:16]}.pickle"
        self._used.add(file_name)
        return self.directory / file_name

    def restore(self, key: str, number: int, staging: Staging) -> ChunkResult | None:
        """Put the entry ``key`` in place as chunk ``number`` of ``staging``; None if there is none."""
        entry_dir = self.directory / key
        try:
            entry = msgspec.json.decode((entry_dir / _ENTRY).read_bytes(), type=_Entry)
        except FileNotFoundError:
            return None
        except (OSError, msgspec.DecodeError):
            shutil.rmtree(entry_dir, ignore_errors=True)
            return None
        placed: list[Path] = []
        try:
            files = []
            for table in entry.tables:
                directory = staging.root / staging.specs[table.name].path
                directory.mkdir(parents=True, exist_ok=True)
                target = directory / f"{staging.stem(number)}.parquet"
                _link(entry_dir / f"{table.name}.parquet", target)
                placed.append(target)
                files.append(StagedFile(table.name, target.name, target.stat().st_size, table.rows))
            fact_file = None
            if entry.facts:
                fact_file = staging.fact_file(number)
                _link(entry_dir / _FACTS, fact_file)
                placed.append(fact_file)
        except (OSError, KeyError):
            for path in placed:
                path.unlink(missing_ok=True)
            shutil.rmtree(entry_dir, ignore_errors=True)
            return None
        self._used.add(key)
        return ChunkResult(files, list(entry.errors), fact_file, {}, entry.count)

    def store(self, key: str, result: ChunkResult, staging: Staging) -> None:
        """Keep chunk ``result`` under ``key`` (its staged files are linked, not copied)."""
        temporary = self.directory / f"{_TEMPORARY}{key}-{os.getpid()}"
        try:
            shutil.rmtree(temporary, ignore_errors=True)
            temporary.mkdir(parents=True)
            for staged in result.files:
                _link(staging.root / staging.specs[staged.name].path / staged.path, temporary / f"{staged.name}.parquet")
            if result.fact_file is not None:
                _link(result.fact_file, temporary / _FACTS)
            tables = [_CachedTable(staged.name, staged.rows) for staged in result.files]
            entry = _Entry(tables, result.errors, result.fact_file is not None, result.count)
            (temporary / _ENTRY).write_bytes(msgspec.json.encode(entry))
            shutil.rmtree(self.directory / key, ignore_errors=True)  # an entry without its record
            temporary.rename(self.directory / key)
        except OSError as exc:
            shutil.rmtree(temporary, ignore_errors=True)
            if self.problem is None:
                self.problem = f"cannot write the chunk cache in {str(self.directory)!r}: {exc}"
            return
        self._used.add(key)

    def prune(self) -> None:
        """Remove every entry this build did not restore or store, but for those written
        since this cache was opened."""
        if not self.directory.is_dir():
            return
        for child in self.directory.iterdir():
            try:
                if child.name in self._used or child.lstat().st_mtime >= self._started:
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
            except OSError:
                continue  # removed meanwhile, by a build running beside this one


def _link(source: Path, target: Path) -> None:
    """Make ``target`` the same file as ``source``: a hard link, or a copy where links fail."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:
        shutil.copyfile(source, target)
