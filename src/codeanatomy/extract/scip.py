"""The ``scip`` evidence layer: a SCIP index written by scip-python, as evidence tables.

SCIP is repository-level, not per-file: the build calls :func:`ingest_index` once,
after the scan, with the scanned files by path (and :func:`run_scip_python` before it
when the index is to be produced and :func:`find_scip_python` found the indexer).

Tables (writes):

* ``scip_documents``: one row per indexed document that was scanned.
* ``scip_occurrences``: one row per occurrence of a symbol, with its canonical span.
* ``scip_symbols``: symbol information of documents (``file_id`` set) and of the
  index's external symbols (``file_id`` null).
* ``scip_relationships``: one row per relationship of a symbol to another.

Positions: a SCIP range is ``[startLine, startChar, endLine, endChar]``, or
``[startLine, startChar, endChar]`` on one line; lines are 0-based and characters are
counted in the document's ``position_encoding`` (UTF-8 code units, UTF-16 code units
or UTF-32 code points). A document that leaves the encoding unspecified is read as
UTF-16 code units: scip-python (0.6.6) writes no encoding and counts UTF-16 code
units (pyright's JavaScript string offsets), as ``tests/extract/test_scip.py``
verifies on a line holding an astral-plane character. Ranges become ``bstart``/``bend``
through :class:`codeanatomy.spans.SourceLines` only. In a file that starts with a
UTF-8 byte-order mark, scip-python counts the mark as the first character of line 0
(one UTF-16 unit); the layer removes it from line-0 characters before converting.

Local symbols (``local 3``) are unique only within their document: join them on
(``file_id``, ``symbol``); global symbols are unique in the index.

A document whose path was not scanned, an encoding this schema does not know, and
ranges that are malformed or lie past the end of the file become ``FileError`` values
(one per document and kind of problem, with a count), never exceptions. An index file
that cannot be read or decoded raises :class:`ScipIndexError`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
from google.protobuf.message import DecodeError

from codeanatomy.errors import CodeAnatomyError
from codeanatomy.extract._base import FileError
from codeanatomy.extract._scip_schema import (
    Document,
    Index,
    SymbolInformation,
    enum_names,
    parse_index,
)
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile

__all__ = [
    "LAYER_NAME",
    "LAYER_VERSION",
    "SCIP_DOCUMENTS",
    "SCIP_OCCURRENCES",
    "SCIP_RELATIONSHIPS",
    "SCIP_SYMBOLS",
    "TABLES",
    "ScipIndexError",
    "ScipOutput",
    "find_scip_python",
    "ingest_index",
    "run_scip_python",
]

LAYER_NAME: Final = "scip"
LAYER_VERSION: Final = 1

SCIP_DOCUMENTS: Final = TableSpec(
    "scip_documents",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("relative_path", pa.string()),
            ("language", pa.string()),
            ("position_encoding", pa.string()),
            ("position_encoding_declared", pa.bool_()),
            ("occurrence_count", pa.int64()),
            ("symbol_count", pa.int64()),
        ]
    ),
)
"""One row per indexed, scanned document.

``position_encoding`` is the encoding the ranges were read in (``utf-8``, ``utf-16``
or ``utf-32``); ``position_encoding_declared`` is false when the document left it
unspecified and UTF-16 was assumed. ``language`` is null when the indexer gave none.
``occurrence_count`` and ``symbol_count`` count this document's rows in
``scip_occurrences`` and ``scip_symbols``.
"""

SCIP_OCCURRENCES: Final = TableSpec(
    "scip_occurrences",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("symbol", pa.string()),
            ("symbol_roles", pa.int32()),
            ("is_definition", pa.bool_()),
            ("is_import", pa.bool_()),
            ("is_write_access", pa.bool_()),
            ("is_read_access", pa.bool_()),
            ("syntax_kind", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("enclosing_bstart", pa.int64()),
            ("enclosing_bend", pa.int64()),
            ("line", pa.int32()),
            ("col", pa.int32()),
        ]
    ),
)
"""One row per occurrence, ordered by document path, then span and symbol.

``symbol_roles`` is SCIP's bit set; the ``is_*`` columns decode its Definition,
Import, WriteAccess and ReadAccess bits. ``syntax_kind`` is the ``scip.SyntaxKind``
name, null when unspecified. ``enclosing_bstart``/``enclosing_bend`` span the
enclosing definition when the indexer gives it (null otherwise). ``line`` (1-based)
and ``col`` (0-based, in bytes) locate ``bstart``.
"""

SCIP_SYMBOLS: Final = TableSpec(
    "scip_symbols",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("symbol", pa.string()),
            ("is_local", pa.bool_()),
            ("kind", pa.string()),
            ("display_name", pa.string()),
            ("documentation", pa.string()),
            ("enclosing_symbol", pa.string()),
            ("signature", pa.string()),
        ]
    ),
)
"""Symbol information; ``file_id`` is the defining document's, null for external symbols.

``kind`` is the ``scip.SymbolInformation.Kind`` name (null when unspecified).
``documentation`` is the first line of the first documentation entry that is prose.
``signature`` is ``signature_documentation``'s text; an index written before that
field existed (scip-python 0.6 does) keeps the signature as a leading documentation
entry made of one fenced code block, whose code is taken instead. Empty strings in
the index are nulls here.
"""

SCIP_RELATIONSHIPS: Final = TableSpec(
    "scip_relationships",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("symbol", pa.string()),
            ("related_symbol", pa.string()),
            ("is_reference", pa.bool_()),
            ("is_implementation", pa.bool_()),
            ("is_type_definition", pa.bool_()),
            ("is_definition", pa.bool_()),
        ]
    ),
)
"""One row per relationship; ``file_id`` as in ``scip_symbols``.

For Python, ``is_implementation`` links a class to its base class and a method to
the method it overrides.
"""

TABLES: Final = (SCIP_DOCUMENTS, SCIP_OCCURRENCES, SCIP_SYMBOLS, SCIP_RELATIONSHIPS)
"""Every table this layer fills."""

_ROLE_DEFINITION: Final = 1
_ROLE_IMPORT: Final = 2
_ROLE_WRITE_ACCESS: Final = 4
_ROLE_READ_ACCESS: Final = 8

_UTF8, _UTF16, _UTF32 = 1, 2, 3
_ENCODING_NAMES: Final = {_UTF8: "utf-8", _UTF16: "utf-16", _UTF32: "utf-32"}
_UNSPECIFIED_ENCODING_MEANS: Final = _UTF16
"""scip-python writes no ``position_encoding`` and counts UTF-16 code units."""

_SYNTAX_KINDS: Final = enum_names("scip.SyntaxKind")
_SYMBOL_KINDS: Final = enum_names("scip.SymbolInformation.Kind")
_FENCE: Final = "```"


class ScipIndexError(CodeAnatomyError):
    """The SCIP index cannot be read or decoded, or scip-python failed to write it."""


@dataclass(frozen=True, slots=True)
class ScipOutput:
    """The layer's result: its tables by name and its error rows (layer ``scip``)."""

    tables: dict[str, pa.Table]
    errors: tuple[FileError, ...] = ()


def find_scip_python() -> str | None:
    """Return the path of the ``scip-python`` executable on ``PATH``, or None.

    The capability snapshot calls this once; the build passes the result on.
    """
    return shutil.which("scip-python")


def run_scip_python(
    root: Path,
    out_dir: Path,
    *,
    executable: str,
    project_name: str | None = None,
    project_version: str = "0",
) -> Path:
    """Index the repository at ``root`` with scip-python; return the ``index.scip`` path.

    Runs ``<executable> index --cwd <root> --project-name ... --project-version ...
    --output <out_dir>/index.scip --quiet``. scip-python reads the repository's
    pyright configuration (``pyrightconfig.json`` or ``[tool.pyright]``; without one
    it looks upward for a ``pyproject.toml``) and the Python environment on ``PATH``.

    Args:
        root: the repository root.
        out_dir: directory for ``index.scip`` (created if missing).
        executable: the scip-python executable (from :func:`find_scip_python`).
        project_name: name in the index's symbols; defaults to ``root``'s directory name.
        project_version: version in the index's symbols; fixed by default so that
            symbols do not change with every commit (scip-python would use the git
            revision).

    Returns:
        The path of the written index.

    Raises:
        ScipIndexError: ``out_dir`` cannot be written, scip-python could not be
            started, exited non-zero (the message carries its last error line) or
            wrote no index.
    """
    root = root.resolve()
    index_path = out_dir.resolve() / "index.scip"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        index_path.unlink(missing_ok=True)
    except OSError as exc:
        raise ScipIndexError(f"cannot prepare {index_path}: {exc.strerror}") from exc
    command = [
        executable,
        "index",
        "--cwd",
        str(root),
        "--project-name",
        project_name or root.name,
        "--project-version",
        project_version,
        "--output",
        str(index_path),
        "--quiet",
    ]
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise ScipIndexError(f"cannot run scip-python ({executable}): {exc}") from exc
    if done.returncode != 0:
        reason = _failure_line(done.stderr) or _failure_line(done.stdout) or "no output"
        raise ScipIndexError(f"scip-python failed (exit {done.returncode}): {reason}")
    if not index_path.is_file():
        raise ScipIndexError(f"scip-python wrote no index at {index_path}")
    return index_path


def _failure_line(output: str) -> str:
    """The line that says why scip-python failed.

    Node ends an uncaught exception's report with its own version line, so the last
    ``...Error: message`` line is the reason when there is one; otherwise the last
    non-empty line.
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.split(":", 1)[0].endswith("Error")]
    return (errors or lines or [""])[-1]


def ingest_index(index_path: Path, files: Mapping[str, SourceFile]) -> ScipOutput:
    """Read the SCIP index at ``index_path`` into the layer's tables.

    Args:
        index_path: a serialized ``scip.Index`` (``index.scip``).
        files: the scanned files by repository-relative POSIX path.

    Returns:
        The four tables (documents in path order) and one error per problem document.

    Raises:
        ScipIndexError: the file cannot be read, is not a well-formed SCIP index
            (truncated or corrupt), or has no metadata.
    """
    index = _read_index(index_path)
    columns = _Columns()
    errors: list[FileError] = []
    documents = sorted(index.documents, key=attrgetter("relative_path"))
    for ordinal, document in enumerate(documents):
        source = files.get(document.relative_path)
        if source is None:
            errors.append(
                FileError(
                    document.relative_path,
                    LAYER_NAME,
                    "UnscannedDocument",
                    "the SCIP index has a document for a path that was not scanned",
                )
            )
            continue
        errors.extend(columns.add_document(ordinal, document, source))
    for symbol in index.external_symbols:
        columns.add_symbol(len(documents), None, symbol)
    return ScipOutput(columns.tables(), tuple(errors))


def _read_index(index_path: Path) -> Index:
    try:
        data = index_path.read_bytes()
    except OSError as exc:
        raise ScipIndexError(f"cannot read SCIP index {index_path}: {exc.strerror}") from exc
    try:
        index = parse_index(data)
    except DecodeError as exc:
        raise ScipIndexError(
            f"{index_path} is not a well-formed SCIP index (truncated or corrupt): {exc}"
        ) from exc
    if not index.HasField("metadata"):
        raise ScipIndexError(f"{index_path} is not a SCIP index: it has no metadata")
    return index


@dataclass(slots=True)
class _Problems:
    """Bad ranges of one document: count, first location and reason per error type."""

    first: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    count: dict[str, int] = field(default_factory=dict)

    def add(self, error_type: str, line0: int, char: int, reason: str) -> None:
        self.first.setdefault(error_type, (line0 + 1, char, reason))
        self.count[error_type] = self.count.get(error_type, 0) + 1

    def errors(self, path: str) -> list[FileError]:
        result = []
        for error_type, (line, char, reason) in self.first.items():
            count = self.count[error_type]
            message = (
                f"{count} SCIP range(s) skipped; first at line {line}, character {char}: {reason}"
            )
            result.append(FileError(path, LAYER_NAME, error_type, message, line, char))
        return result


class _Ranges:
    """Converts one document's SCIP ranges to stored-byte spans, collecting bad ones."""

    __slots__ = (
        "_bom_units",
        "_data",
        "_encoding",
        "_line_ends",
        "_source",
        "_starts",
        "_to_offset",
        "problems",
    )

    def __init__(self, source: SourceFile, encoding: int) -> None:
        lines = source.lines
        converters: dict[int, Callable[[int, int], int]] = {
            _UTF8: lines.from_utf8_col,
            _UTF16: lines.from_utf16_col,
            _UTF32: lines.from_codepoint_col,
        }
        self._to_offset = converters[encoding]
        self._encoding = encoding
        self._source = source
        self._starts = lines.line_starts
        self._data = source.data
        self._line_ends: dict[int, int] = {}
        # scip-python counts a UTF-8 BOM as a character of line 0 (SourceLines does not).
        self._bom_units = (3 if encoding == _UTF8 else 1) if lines.bom else 0
        self.problems = _Problems()

    def span(self, scip_range: Sequence[int]) -> tuple[int, int] | None:
        """Return (bstart, bend) of a SCIP range, or None (recorded as a problem)."""
        if len(scip_range) == 4:
            line0, char0, end_line0, end_char = scip_range
        elif len(scip_range) == 3:
            line0, char0, end_char = scip_range
            end_line0 = line0
        else:
            line0, char0 = (scip_range[0], scip_range[1]) if len(scip_range) > 1 else (0, 0)
            self.problems.add("MalformedRange", line0, char0, f"{len(scip_range)} elements")
            return None
        if min(line0, char0, end_line0, end_char) < 0 or (end_line0, end_char) < (line0, char0):
            self.problems.add("MalformedRange", line0, char0, f"range {list(scip_range)}")
            return None
        bstart = self._offset(line0, char0)
        bend = self._offset(end_line0, end_char)
        if bstart is None or bend is None:
            self.problems.add("RangePastEnd", line0, char0, f"range {list(scip_range)}")
            return None
        return bstart, bend

    def _offset(self, line0: int, char: int) -> int | None:
        """Offset of a 0-based line and character, None when past its line or the file."""
        starts = self._starts
        if line0 >= len(starts):
            return None
        if line0 == 0 and self._bom_units:
            char = max(char - self._bom_units, 0)
        offset = self._to_offset(line0 + 1, char)
        end = self._line_ends.get(line0)
        if end is None:
            stop = starts[line0 + 1] if line0 + 1 < len(starts) else len(self._data)
            end = starts[line0] + len(self._data[starts[line0] : stop].rstrip(b"\r\n"))
            self._line_ends[line0] = end
        if offset < end:
            return offset
        if offset > end:
            return None
        # At the line's end: the conversion clamps, so compare with the line's length.
        return offset if char <= self._line_length(self._data[starts[line0] : end]) else None

    def _line_length(self, raw: bytes) -> int:
        if raw.isascii():
            return len(raw)
        text = raw.decode(self._source.encoding, errors="replace")
        if self._encoding == _UTF8:
            return len(text.encode("utf-8"))
        if self._encoding == _UTF16:
            return len(text.encode("utf-16-le")) // 2
        return len(text)


@dataclass(slots=True)
class _Columns:
    """Column lists of the four tables, plus an ordinal per row that orders them."""

    documents: dict[str, list[object]] = field(default_factory=SCIP_DOCUMENTS.column_lists)
    occurrences: dict[str, list[object]] = field(default_factory=SCIP_OCCURRENCES.column_lists)
    symbols: dict[str, list[object]] = field(default_factory=SCIP_SYMBOLS.column_lists)
    relationships: dict[str, list[object]] = field(default_factory=SCIP_RELATIONSHIPS.column_lists)
    occurrence_order: list[int] = field(default_factory=list)
    symbol_order: list[int] = field(default_factory=list)
    relationship_order: list[int] = field(default_factory=list)

    def add_document(self, ordinal: int, document: Document, source: SourceFile) -> list[FileError]:
        """Add a scanned document's row, occurrences and symbols; return its errors."""
        declared = document.position_encoding
        encoding = declared or _UNSPECIFIED_ENCODING_MEANS
        if encoding not in _ENCODING_NAMES:
            return [
                FileError(
                    source.path,
                    LAYER_NAME,
                    "UnknownPositionEncoding",
                    f"position_encoding {declared} is not in the SCIP schema this layer reads",
                )
            ]
        ranges = _Ranges(source, encoding)
        occurrence_count = self._add_occurrences(ordinal, document, source, ranges)
        for symbol in document.symbols:
            self.add_symbol(ordinal, source.file_id, symbol)
        row = self.documents
        row["file_id"].append(source.file_id)
        row["relative_path"].append(document.relative_path)
        row["language"].append(document.language or None)
        row["position_encoding"].append(_ENCODING_NAMES[encoding])
        row["position_encoding_declared"].append(bool(declared))
        row["occurrence_count"].append(occurrence_count)
        row["symbol_count"].append(len(document.symbols))
        return ranges.problems.errors(source.path)

    def _add_occurrences(
        self, ordinal: int, document: Document, source: SourceFile, ranges: _Ranges
    ) -> int:
        cols = self.occurrences
        file_ids, symbols, roles = cols["file_id"], cols["symbol"], cols["symbol_roles"]
        is_def, is_import = cols["is_definition"], cols["is_import"]
        is_write, is_read = cols["is_write_access"], cols["is_read_access"]
        syntax_kinds, bstarts, bends = cols["syntax_kind"], cols["bstart"], cols["bend"]
        enclosing_bstarts, enclosing_bends = cols["enclosing_bstart"], cols["enclosing_bend"]
        lines, col_list = cols["line"], cols["col"]
        line_col = source.lines.line_col
        added = 0
        for occurrence in document.occurrences:
            span = ranges.span(occurrence.range)
            if span is None:
                continue
            enclosing = (
                ranges.span(occurrence.enclosing_range) if occurrence.enclosing_range else None
            )
            role = occurrence.symbol_roles
            kind = occurrence.syntax_kind
            line, col = line_col(span[0])
            file_ids.append(source.file_id)
            symbols.append(occurrence.symbol)
            roles.append(role)
            is_def.append(bool(role & _ROLE_DEFINITION))
            is_import.append(bool(role & _ROLE_IMPORT))
            is_write.append(bool(role & _ROLE_WRITE_ACCESS))
            is_read.append(bool(role & _ROLE_READ_ACCESS))
            syntax_kinds.append(_SYNTAX_KINDS.get(kind, str(kind)) if kind else None)
            bstarts.append(span[0])
            bends.append(span[1])
            enclosing_bstarts.append(enclosing[0] if enclosing else None)
            enclosing_bends.append(enclosing[1] if enclosing else None)
            lines.append(line)
            col_list.append(col)
            added += 1
        self.occurrence_order.extend([ordinal] * added)
        return added

    def add_symbol(self, ordinal: int, file_id: str | None, info: SymbolInformation) -> None:
        """Add a symbol's row and its relationships (``file_id`` None: external)."""
        documentation, signature = _documentation(info)
        cols = self.symbols
        cols["file_id"].append(file_id)
        cols["symbol"].append(info.symbol)
        cols["is_local"].append(info.symbol.startswith("local "))
        cols["kind"].append(_SYMBOL_KINDS.get(info.kind, str(info.kind)) if info.kind else None)
        cols["display_name"].append(info.display_name or None)
        cols["documentation"].append(documentation)
        cols["enclosing_symbol"].append(info.enclosing_symbol or None)
        cols["signature"].append(signature)
        self.symbol_order.append(ordinal)
        rels = self.relationships
        for relationship in info.relationships:
            rels["file_id"].append(file_id)
            rels["symbol"].append(info.symbol)
            rels["related_symbol"].append(relationship.symbol)
            rels["is_reference"].append(relationship.is_reference)
            rels["is_implementation"].append(relationship.is_implementation)
            rels["is_type_definition"].append(relationship.is_type_definition)
            rels["is_definition"].append(relationship.is_definition)
            self.relationship_order.append(ordinal)

    def tables(self) -> dict[str, pa.Table]:
        """The four tables, each sorted by document order, then its own keys (stable)."""
        return {
            SCIP_DOCUMENTS.name: SCIP_DOCUMENTS.from_columns(self.documents),
            SCIP_OCCURRENCES.name: _sorted(
                SCIP_OCCURRENCES.from_columns(self.occurrences),
                self.occurrence_order,
                ("bstart", "bend", "symbol"),
            ),
            SCIP_SYMBOLS.name: _sorted(
                SCIP_SYMBOLS.from_columns(self.symbols), self.symbol_order, ("symbol",)
            ),
            SCIP_RELATIONSHIPS.name: _sorted(
                SCIP_RELATIONSHIPS.from_columns(self.relationships),
                self.relationship_order,
                ("symbol", "related_symbol"),
            ),
        }


def _sorted(table: pa.Table, order: list[int], keys: tuple[str, ...]) -> pa.Table:
    """``table`` sorted by the per-row ``order``, then ``keys`` (ties keep index order)."""
    sort_keys = table.append_column("__order", pa.array(order, type=pa.int64()))
    indices = pc.sort_indices(
        sort_keys, sort_keys=[("__order", "ascending"), *((k, "ascending") for k in keys)]
    )
    return table.take(indices)


def _documentation(info: SymbolInformation) -> tuple[str | None, str | None]:
    """(first line of the first prose documentation entry, signature text)."""
    entries = list(info.documentation)
    signature: str | None = None
    if info.HasField("signature_documentation"):
        signature = info.signature_documentation.text or None
    elif entries and _is_code_block(entries[0]):
        signature = entries[0].strip()[len(_FENCE) : -len(_FENCE)].split("\n", 1)[-1].strip()
        signature = signature or None
    for entry in entries:
        if not _is_code_block(entry):
            first = next((line.strip() for line in entry.splitlines() if line.strip()), None)
            if first is not None:
                return first, signature
    return None, signature


def _is_code_block(entry: str) -> bool:
    """True when ``entry`` is exactly one fenced Markdown code block."""
    text = entry.strip()
    return (
        len(text) >= 2 * len(_FENCE)
        and text.startswith(_FENCE)
        and text.endswith(_FENCE)
        and text.count(_FENCE) == 2
    )
