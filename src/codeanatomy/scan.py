"""Repository scan: which Python files a build covers, and what each one is.

Writes (through the build) the ``files`` table: one row per scanned file with its
repository-relative POSIX path, ``file_id``, size, SHA-256, declared encoding,
dotted module name and status.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec
import pyarrow as pa

from codeanatomy.errors import RootError
from codeanatomy.extract._base import FileError
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for

__all__ = ["DEFAULT_EXCLUDED_DIRS", "FILES", "ScanResult", "ScannedFile", "module_name", "scan", "utf8_path"]

FILES = TableSpec(
    "files",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("path", pa.string()),
            ("module", pa.string()),
            ("size", pa.int64()),
            ("sha256", pa.string()),
            ("encoding", pa.string()),
            ("status", pa.string()),
            ("is_stub", pa.bool_()),
            ("is_package", pa.bool_()),
        ]
    ),
    location="files",
)

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", "build", "dist",
        ".eggs", "site-packages", ".codeanatomy",
    }
)
"""Directory names never scanned; also any directory holding ``pyvenv.cfg`` or ending ``.egg-info``."""

_SUFFIXES = (".py", ".pyi")

_NAME_ESCAPED = "file name is not valid UTF-8; its path records each byte that does not decode as \\xNN"
_NAME_TAKEN = "file name is not valid UTF-8 and, written with \\xNN escapes, names another file; left out"


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """One file found by the scan, with its bytes when it is to be parsed."""

    path: str
    file_id: str
    module: str
    size: int
    sha256: str
    encoding: str
    status: str
    data: bytes | None

    def source(self) -> SourceFile:
        """The :class:`SourceFile` handed to the layers (only for status ``ok``)."""
        assert self.data is not None
        return SourceFile(self.path, self.file_id, self.module, self.data, self.encoding)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Files in path order, plus problems met while scanning (as error rows)."""

    files: tuple[ScannedFile, ...]
    errors: tuple[FileError, ...]

    def table(self) -> pa.Table:
        """The ``files`` table."""
        return FILES.from_columns(
            {
                "file_id": [f.file_id for f in self.files],
                "path": [f.path for f in self.files],
                "module": [f.module for f in self.files],
                "size": [f.size for f in self.files],
                "sha256": [f.sha256 for f in self.files],
                "encoding": [f.encoding for f in self.files],
                "status": [f.status for f in self.files],
                "is_stub": [f.path.endswith(".pyi") for f in self.files],
                "is_package": [f.path.rsplit("/", 1)[-1].startswith("__init__.") for f in self.files],
            }
        )


def module_name(relpath: str, import_roots: Sequence[str] = ()) -> str:
    """Dotted module name of a repository-relative path.

    The name is relative to the deepest import root containing the file: ``src/``
    for a src layout, any configured extra root, else the repository root.

    >>> module_name("pkg/sub/mod.py")
    'pkg.sub.mod'
    >>> module_name("src/pkg/__init__.py", ["src"])
    'pkg'
    """
    path = relpath
    for root in sorted(import_roots, key=len, reverse=True):
        prefix = root.rstrip("/") + "/"
        if path.startswith(prefix):
            path = path[len(prefix) :]
            break
    stem = path.rsplit(".", 1)[0]
    parts = stem.split("/")
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def utf8_path(path: str | os.PathLike[str]) -> str:
    """``path`` as valid UTF-8 text: each byte of it that does not decode becomes ``\\xNN``.

    >>> utf8_path("pkg/caf\\udce9.py")
    'pkg/caf\\\\xe9.py'
    """
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def _detect_encoding(data: bytes) -> str:
    lines = iter(io.BytesIO(data).readline, b"")
    encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    return "utf-8" if encoding == "utf-8-sig" else encoding


class _Ignores:
    """``.gitignore`` rules of the directories walked so far; deeper files win."""

    def __init__(self) -> None:
        self._specs: dict[str, pathspec.GitIgnoreSpec] = {}

    def load(self, root: Path, rel_dir: str) -> None:
        gitignore = root / rel_dir / ".gitignore" if rel_dir else root / ".gitignore"
        try:
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self._specs[rel_dir] = pathspec.GitIgnoreSpec.from_lines(lines)

    def ignored(self, relpath: str, is_dir: bool) -> bool:
        parts = relpath.split("/")
        for depth in range(len(parts) - 1, -1, -1):
            base = "/".join(parts[:depth])
            spec = self._specs.get(base)
            if spec is None:
                continue
            local = "/".join(parts[depth:]) + ("/" if is_dir else "")
            verdict = spec.check_file(local).include
            if verdict is not None:
                return verdict
        return False


def _walk(root: Path, excluded_abs: set[Path]) -> Iterator[tuple[str, Path]]:
    """Yield (relative POSIX path, absolute path) of candidate files, sorted, without loops."""
    ignores = _Ignores()
    seen_dirs: set[tuple[int, int]] = set()
    stack: list[tuple[str, Path]] = [("", root)]
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            info = abs_dir.stat()
        except OSError:
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        ignores.load(root, rel_dir)
        try:
            entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
        except OSError:
            continue
        subdirs: list[tuple[str, Path]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                continue
            if is_dir:
                abs_path = Path(entry.path)
                if (
                    entry.name in DEFAULT_EXCLUDED_DIRS
                    or entry.name.endswith(".egg-info")
                    or (abs_path / "pyvenv.cfg").exists()
                    or abs_path.resolve() in excluded_abs
                    or ignores.ignored(rel, is_dir=True)
                ):
                    continue
                subdirs.append((rel, abs_path))
            elif entry.name.endswith(_SUFFIXES) and not ignores.ignored(rel, is_dir=False):
                yield rel, Path(entry.path)
        stack.extend(reversed(subdirs))


def scan(
    root: Path,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    exclude_dirs: Sequence[Path] = (),
    max_file_bytes: int,
    extra_roots: Sequence[str] = (),
) -> ScanResult:
    """Scan ``root`` for Python files.

    Args:
        root: repository root directory.
        include: gitignore-style globs a file must match (all files when empty).
        exclude: gitignore-style globs of files to leave out.
        exclude_dirs: absolute directories never entered (the output location).
        max_file_bytes: larger files are listed with status ``too_large`` and not read.
        extra_roots: import roots besides ``src/`` used for module names.

    A file whose name is not valid UTF-8 is scanned under a path with ``\\xNN`` for
    each byte that does not decode, with a ``scan`` error row saying so.

    Raises:
        RootError: ``root`` is not a readable directory.
    """
    if not root.is_dir():
        raise RootError(f"repository root {str(root)!r} is not a directory")
    if not os.access(root, os.R_OK | os.X_OK):
        raise RootError(f"repository root {str(root)!r} is not readable")
    include_spec = pathspec.GitIgnoreSpec.from_lines(include) if include else None
    exclude_spec = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
    import_roots = [r.strip("/") for r in extra_roots]
    if (root / "src").is_dir() and not (root / "src" / "__init__.py").exists():
        import_roots.append("src")
    files: list[ScannedFile] = []
    errors: list[FileError] = []
    excluded_abs = {p.resolve() for p in exclude_dirs}
    found = [
        (utf8_path(rel), rel, abs_path)
        for rel, abs_path in _walk(root.resolve(), excluded_abs)
        if (include_spec is None or include_spec.match_file(rel))
        and (exclude_spec is None or not exclude_spec.match_file(rel))
    ]
    taken = {path for path, rel, _ in found if path == rel}
    for path, rel, abs_path in found:
        if path != rel:
            if path in taken:
                errors.append(FileError(path, "scan", "UndecodablePath", _NAME_TAKEN))
                continue
            taken.add(path)
            errors.append(FileError(path, "scan", "UndecodablePath", _NAME_ESCAPED))
        files.append(_scan_file(path, abs_path, max_file_bytes, import_roots, errors))
    files.sort(key=lambda f: f.path)
    return ScanResult(tuple(files), tuple(errors))


def _scan_file(
    rel: str, abs_path: Path, max_file_bytes: int, import_roots: Sequence[str], errors: list[FileError]
) -> ScannedFile:
    file_id = file_id_for(rel)
    module = module_name(rel, import_roots)
    try:
        info = abs_path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file: {rel}")
        if info.st_size > max_file_bytes:
            errors.append(
                FileError(rel, "scan", "TooLarge", f"{info.st_size} bytes exceeds max_file_bytes={max_file_bytes}")
            )
            return ScannedFile(rel, file_id, module, info.st_size, "", "utf-8", "too_large", None)
        data = abs_path.read_bytes()
    except OSError as exc:
        errors.append(FileError(rel, "scan", type(exc).__name__, str(exc)))
        return ScannedFile(rel, file_id, module, 0, "", "utf-8", "unreadable", None)
    sha = hashlib.sha256(data).hexdigest()
    try:
        encoding = _detect_encoding(data)
    except SyntaxError as exc:
        errors.append(FileError(rel, "scan", "EncodingError", str(exc), 1))
        return ScannedFile(rel, file_id, module, len(data), sha, "utf-8", "bad_encoding", data)
    return ScannedFile(rel, file_id, module, len(data), sha, encoding, "ok", data)
