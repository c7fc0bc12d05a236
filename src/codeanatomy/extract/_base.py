"""The contract every evidence layer fulfils: a pure function of one file to tables and errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile

__all__ = [
    "ExtractOptions",
    "FileError",
    "Layer",
    "LayerName",
    "LayerOutput",
]

LayerName = Literal["ast", "symtable", "bytecode", "tree_sitter", "libcst", "scip"]


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """Per-file extraction options, identical in every worker.

    Attributes:
        code_chars: longest ``code`` text kept on a node (longer text is cut, with ``…``).
    """

    code_chars: int = 80


@dataclass(frozen=True, slots=True)
class FileError:
    """A problem one layer had with one file; it becomes a row of the ``errors`` table.

    Attributes:
        path: repository-relative path of the file.
        layer: the layer (or ``scan``) that met the problem.
        error_type: exception class name or a short kind (``TooLarge``).
        message: one-line description.
        line: 1-based line where known.
        col: 0-based column where known.
    """

    path: str
    layer: str
    error_type: str
    message: str
    line: int | None = None
    col: int | None = None

    @classmethod
    def from_exception(cls, path: str, layer: str, exc: BaseException) -> FileError:
        """Describe ``exc`` (a SyntaxError keeps its line and column)."""
        line = col = None
        if isinstance(exc, SyntaxError):
            line = exc.lineno
            col = exc.offset - 1 if exc.offset else None
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return cls(path, layer, type(exc).__name__, message, line, col)


@dataclass(frozen=True, slots=True)
class LayerOutput:
    """What a per-file step returns: its tables (by table name), its errors, and facts.

    ``facts`` holds picklable per-file values that a whole-program step consumes
    (the resolver's module facts); evidence layers leave it empty.
    """

    tables: Mapping[str, pa.Table] = field(default_factory=dict)
    errors: tuple[FileError, ...] = ()
    facts: tuple[object, ...] = ()


@dataclass(frozen=True, slots=True)
class Layer:
    """An evidence layer.

    Attributes:
        name: the layer's name, as ``--layers`` spells it.
        version: extractor version; bumped when its output for the same file changes.
        tables: the tables it fills, each declared with its schema.
        extract: the entry function, pure in (file, options).
    """

    name: LayerName
    version: int
    tables: tuple[TableSpec, ...]
    extract: Callable[[SourceFile, ExtractOptions], LayerOutput]
