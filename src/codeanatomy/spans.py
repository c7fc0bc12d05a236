"""Canonical spans and stable IDs: the only code that converts coordinates and makes IDs.

Every row that points into source carries ``bstart``/``bend``: byte offsets into the
file as stored on disk, end-exclusive. For UTF-8 files (the common
case) those are UTF-8 byte offsets; for a file declaring another encoding with a
PEP 263 cookie they are offsets into its bytes in that encoding.

Each evidence layer reports positions in its own convention; :class:`SourceLines`
converts them:

* CPython ``ast``: 1-based line, column in UTF-8 bytes of the decoded line
  (:meth:`SourceLines.from_utf8_col`).
* LibCST, SCIP (UTF-32): 1- or 0-based line, column in code points
  (:meth:`SourceLines.from_codepoint_col`).
* SCIP (UTF-16), LSP: column in UTF-16 code units (:meth:`SourceLines.from_utf16_col`).
* tree-sitter: UTF-8 byte offsets of the UTF-8 text it parsed
  (:meth:`SourceLines.from_utf8_offset`).

Lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r``, as CPython's tokenizer counts them.
ASCII-only lines take a fast path: every convention agrees there.

IDs are stable hashes (:func:`stable_id`); :func:`stable_id_sql` renders the same
function as a DataFusion SQL expression so relational passes make identical IDs.
"""

from __future__ import annotations

import codecs
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import accumulate
from operator import itemgetter
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "ID_HEX_CHARS",
    "SourceLines",
    "file_id_for",
    "keyed_ids",
    "stable_id",
    "stable_id_sql",
    "stable_ids",
]

ID_HEX_CHARS: Final = 20
"""Length of every ID: the first 20 hex digits (80 bits) of an MD5 digest."""

_BOM = b"\xef\xbb\xbf"

try:
    # CPython's own MD5 (the one hashlib falls back to): for texts this short it costs
    # about 40% less per call than OpenSSL's, which sets up a context each time. It is
    # called with no keyword (a keyword costs about 10% more per ID): it has no FIPS mode.
    from _md5 import md5 as _builtin_md5

    _md5: Callable[[bytes], Any] = _builtin_md5
except ImportError:  # an interpreter built without it
    _md5 = partial(hashlib.md5, usedforsecurity=False)

_hexdigest: Final[Callable[[Any], str]] = type(_md5(b"")).hexdigest
_id_of_digest: Final = itemgetter(slice(ID_HEX_CHARS))


def _hashed(texts: Iterable[str]) -> list[str]:
    """The ID of each ID text: a chain of maps, so no step runs as a Python loop."""
    return list(map(_id_of_digest, map(_hexdigest, map(_md5, map(str.encode, texts)))))


def stable_id(*parts: object) -> str:
    """Return the stable ID of ``parts``: MD5 of their ``|``-joined text, 20 hex digits.

    ``None`` parts are skipped (as SQL ``concat_ws`` skips NULLs); integers are
    rendered in decimal.

    >>> stable_id("file", "pkg/mod.py")
    'b514efbb48241a085156'
    """
    text = "|".join(str(p) for p in parts if p is not None)
    digest: str = _md5(text.encode("utf-8")).hexdigest()
    return digest[:ID_HEX_CHARS]


def stable_ids(prefix: Sequence[object], *columns: Sequence[object]) -> list[str]:
    """Return ``[stable_id(*prefix, *row) for row in zip(*columns)]``, for many IDs at once.

    The shared ``prefix`` is rendered once, which makes this the fast way to give a
    whole table its IDs.

    >>> stable_ids(("f", "ts"), ["name", "call"], [3, 7], [None, 2]) == [
    ...     stable_id("f", "ts", "name", 3), stable_id("f", "ts", "call", 7, 2)]
    True
    >>> stable_ids(("50%",), ["a"], [None]) == [stable_id("50%", "a")]
    True
    """
    head = "".join(f"{p}|" for p in prefix if p is not None)
    md5 = _md5
    present = [column for column in columns if any(p is not None for p in column)]
    escaped = head.replace("%", "%%")
    if present and not any(None in column for column in present):
        # Fast path: no part is skipped, so one format string renders every row.
        template = _template(escaped, len(present))
        return _hashed(map(template.__mod__, zip(*present, strict=True)))
    nullable = [column for column in present if None in column]
    if len(nullable) == 1:
        return _ids_with_one_nullable(escaped, present, nullable[0])
    # Skipped parts vanish from the text, so the format string depends only on how
    # many parts a row has.
    templates = [_template(escaped, n) for n in range(len(present) + 1)]
    out: list[str] = []
    append = out.append
    for row in zip(*columns, strict=True):
        parts = tuple(p for p in row if p is not None)
        text = templates[len(parts)] % parts
        append(md5(text.encode("utf-8")).hexdigest()[:ID_HEX_CHARS])
    return out


def _template(escaped: str, parts: int) -> str:
    """Format string of an ID's text: the escaped ``head|`` prefix, then ``parts`` parts."""
    return escaped + "|".join(["%s"] * parts) if parts else escaped[:-1]


def _ids_with_one_nullable(
    escaped: str, present: Sequence[Sequence[object]], nullable: Sequence[object]
) -> list[str]:
    """:func:`stable_ids` where one column has nulls: every row rendered with the
    majority's format string, then the other rows redone with theirs."""
    md5 = _md5
    count = len(nullable)
    missing = [row for row, part in enumerate(nullable) if part is None]
    mostly_missing = 2 * len(missing) >= count
    rest = [column for column in present if column is not nullable]
    majority = rest if mostly_missing else present
    template = _template(escaped, len(majority))
    rows = zip(*majority, strict=True) if majority else [()] * count
    out = _hashed(map(template.__mod__, rows))
    minority = present if mostly_missing else rest
    template = _template(escaped, len(minority))
    redo = (
        [row for row, part in enumerate(nullable) if part is not None] if mostly_missing else missing
    )
    for row in redo:
        text = template % tuple(column[row] for column in minority)
        out[row] = md5(text.encode("utf-8")).hexdigest()[:ID_HEX_CHARS]
    return out


def keyed_ids(prefix: Sequence[object], *columns: Sequence[object]) -> list[str]:
    """IDs of rows keyed by ``columns``, unique even where keys repeat.

    A key's first row gets the ID of its parts alone (``stable_ids(prefix, *columns)``);
    its later rows add an ordinal part, 1, 2... in row order. Repeated keys are found
    from the IDs themselves (equal keys, equal IDs), so a table whose keys are all
    distinct, the usual case, costs one set of IDs.

    >>> keyed_ids(("f",), ["a", "b", "a"], [1, 1, 1]) == [
    ...     stable_id("f", "a", 1), stable_id("f", "b", 1), stable_id("f", "a", 1, 1)]
    True
    """
    ids = stable_ids(prefix, *columns)
    if len(set(ids)) == len(ids):
        return ids
    seen: dict[str, int] = {}
    later: list[int] = []
    numbers: list[int] = []
    for row, plain in enumerate(ids):
        number = seen.get(plain, 0)
        seen[plain] = number + 1
        if number:
            later.append(row)
            numbers.append(number)
    redone = stable_ids(prefix, *([column[row] for row in later] for column in columns), numbers)
    for row, renumbered in zip(later, redone, strict=True):
        ids[row] = renumbered
    return ids


def stable_id_sql(*exprs: str) -> str:
    """Return a DataFusion SQL expression computing :func:`stable_id` of SQL ``exprs``.

    Each element of ``exprs`` is a SQL expression (a column name or a quoted literal);
    integers must be cast to text by the caller's expression or here via ``CAST``.

    >>> stable_id_sql("'AST'", "src", "dst")
    "substr(md5(concat_ws('|', CAST('AST' AS VARCHAR), CAST(src AS VARCHAR), CAST(dst AS VARCHAR))), 1, 20)"
    """
    args = ", ".join(f"CAST({e} AS VARCHAR)" for e in exprs)
    return f"substr(md5(concat_ws('|', {args})), 1, {ID_HEX_CHARS})"


def file_id_for(relpath: str) -> str:
    """Return the ``file_id`` of a repository-relative POSIX path."""
    return stable_id("file", relpath)


def _plain_ascii(raw: bytes, encoding: str, text: str | None = None) -> bool:
    """Whether ASCII bytes ``raw`` stored in ``encoding`` are those same characters
    (``text``, when given, is ``raw`` decoded).

    >>> _plain_ascii(b"a = 1", "latin-1"), _plain_ascii(b"a +AOk-", "utf-7")
    (True, False)
    """
    try:
        decoded = raw.decode(encoding, errors="replace") if text is None else text
    except LookupError:
        return True  # an unknown codec: the file fails where its text is needed, not here
    return len(decoded) == len(raw) and decoded.isascii()


def _codepoint_prefix(text: str, col: int) -> str:
    return text[:col]


def _utf16_prefix(text: str, col: int) -> str:
    return text.encode("utf-16-le")[: 2 * col].decode("utf-16-le", errors="ignore")


class SourceLines:
    """Line table of one file's stored bytes, converting layer coordinates to offsets.

    Args:
        data: the file's bytes as stored.
        encoding: the encoding the file declares (``utf-8`` when it declares none).
    """

    __slots__ = (
        "_ascii",
        "_encoding",
        "_line_cache",
        "_utf8",
        "_utf8_map",
        "bom",
        "data",
        "line_starts",
    )

    def __init__(self, data: bytes, encoding: str = "utf-8") -> None:
        self.data = data
        self.bom = data.startswith(_BOM)
        self._encoding = encoding
        self._utf8 = encoding.replace("_", "-").lower() in {"utf-8", "utf8", "utf-8-sig"}
        start = len(_BOM) if self.bom else 0
        # bytes.splitlines breaks at exactly \n, \r\n and \r; the running sum of the
        # lines' lengths is where each next line starts (the last sum is the end of data,
        # a line start only after a final newline).
        starts = list(accumulate(map(len, data[start:].splitlines(keepends=True)), initial=start))
        if len(starts) > 1 and not data.endswith((b"\n", b"\r")):
            starts.pop()
        self.line_starts: list[int] = starts
        # Text whose every stored byte is one ASCII character: not so for ASCII bytes in a
        # 7-bit stateful encoding (iso-2022-jp, UTF-7), whose escapes stand for other text.
        self._ascii = data.isascii() and (self._utf8 or _plain_ascii(data, encoding))
        self._line_cache: dict[int, tuple[bytes, str]] = {}
        self._utf8_map: tuple[list[int], list[int]] | None = None

    @property
    def line_count(self) -> int:
        """Number of lines (a final line without a newline counts; an empty tail does too)."""
        return len(self.line_starts)

    def _line(self, line: int) -> tuple[bytes, str]:
        """Return (stored bytes, decoded text) of 1-based ``line`` without its newline."""
        cached = self._line_cache.get(line)
        if cached is None:
            begin = self.line_starts[line - 1]
            end = self.line_starts[line] if line < len(self.line_starts) else len(self.data)
            raw = self.data[begin:end].rstrip(b"\r\n")
            cached = (raw, raw.decode(self._encoding, errors="replace"))
            self._line_cache[line] = cached
        return cached

    def _line_start(self, line: int) -> int:
        if line > len(self.line_starts):
            return len(self.data)
        return self.line_starts[line - 1]

    def _stored_prefix_len(self, text_prefix: str) -> int:
        # An incremental encoder, not str.encode: a stateful encoding (iso-2022-jp) would
        # end a whole string with an escape back to ASCII that the stored bytes lack there.
        encoder = codecs.getincrementalencoder(self._encoding)(errors="replace")
        return len(encoder.encode(text_prefix))

    @property
    def utf8_columns_are_stored(self) -> bool:
        """True when a UTF-8 column (CPython's ``col_offset``) is also a stored-byte column.

        So it is for a file stored as UTF-8 (or pure ASCII): :meth:`from_utf8_col` of a
        position is then its line's start plus the column.

        >>> SourceLines("é = 1".encode()).utf8_columns_are_stored
        True
        >>> SourceLines("é = 1".encode("latin-1"), "latin-1").utf8_columns_are_stored
        False
        """
        return self._ascii or self._utf8

    def from_utf8_col(self, line: int, col: int) -> int:
        """Offset of CPython ``ast`` position (1-based ``line``, UTF-8 byte ``col``)."""
        start = self._line_start(line)
        if self.utf8_columns_are_stored:
            return start + col
        raw, text = self._line(line)
        if raw.isascii() and _plain_ascii(raw, self._encoding, text):
            return start + col
        prefix = text.encode("utf-8")[:col].decode("utf-8", errors="ignore")
        return start + self._stored_prefix_len(prefix)

    def _from_text_col(self, line: int, col: int, prefix: Callable[[str, int], str]) -> int:
        """Offset of a column counted in text units; ``prefix(text, col)`` is the text before it."""
        start = self._line_start(line)
        if self._ascii:
            return start + col
        raw, text = self._line(line)
        if raw.isascii() and _plain_ascii(raw, self._encoding, text):
            return start + col
        return start + self._stored_prefix_len(prefix(text, col))

    def from_codepoint_col(self, line: int, col: int) -> int:
        """Offset of (1-based ``line``, code-point ``col``) as LibCST and UTF-32 SCIP give."""
        return self._from_text_col(line, col, _codepoint_prefix)

    def from_utf16_col(self, line: int, col: int) -> int:
        """Offset of (1-based ``line``, UTF-16 code-unit ``col``) as UTF-16 SCIP and LSP give."""
        return self._from_text_col(line, col, _utf16_prefix)

    def from_utf8_offset(self, offset: int) -> int:
        """Offset into stored bytes of ``offset`` into the file's UTF-8 text (BOM excluded).

        Tree-sitter parses the UTF-8 text; for a UTF-8 file with a BOM that text is
        the bytes after the BOM, for other encodings it is the re-encoded text.
        """
        if self._utf8:
            return offset + (len(_BOM) if self.bom else 0)
        utf8 = self.utf8_text()
        prefix = utf8[:offset].decode("utf-8", errors="ignore")
        return self._stored_prefix_len(prefix)

    def from_utf8_offsets(self, offsets: Sequence[int]) -> list[int]:
        """:meth:`from_utf8_offset` of every element of ``offsets``, for many at once.

        >>> SourceLines("é = 1".encode("latin-1"), "latin-1").from_utf8_offsets([0, 2, 6])
        [0, 1, 5]
        """
        if self._utf8:
            shift = len(_BOM) if self.bom else 0
            return [offset + shift for offset in offsets] if shift else list(offsets)
        if self._utf8_map is None:
            text = self.data.decode(self._encoding, errors="replace")
            encoding = self._encoding
            utf8_ends = list(accumulate(len(c.encode("utf-8")) for c in text))
            # One encoder for the whole text: a stateful encoding switches mode once per run.
            encode = codecs.getincrementalencoder(encoding)(errors="replace").encode
            stored_ends = list(accumulate(len(encode(c)) for c in text))
            self._utf8_map = ([0, *utf8_ends], [0, *stored_ends])
        utf8_bounds, stored_bounds = self._utf8_map
        return [stored_bounds[bisect_right(utf8_bounds, offset) - 1] for offset in offsets]

    def utf8_text(self) -> bytes:
        """The file's text as UTF-8 bytes without a BOM (what tree-sitter is given)."""
        if self._utf8:
            return self.data[len(_BOM) :] if self.bom else self.data
        return self.data.decode(self._encoding, errors="replace").encode("utf-8")

    def line_cols(self, offsets: Sequence[int]) -> tuple[list[int], list[int]]:
        """:meth:`line_col` of every element of ``offsets``: (lines, columns), for many at once.

        >>> SourceLines(b"ab\\ncd").line_cols([0, 4])
        ([1, 2], [0, 1])
        """
        starts = self.line_starts
        # bisect_right gives the 1-based line; 0 only for an offset inside a BOM (line 1).
        lines = [bisect_right(starts, offset) for offset in offsets]
        cols = [
            offset - starts[line - 1] if line else offset
            for offset, line in zip(offsets, lines, strict=True)
        ]
        if 0 in lines:
            lines = [line or 1 for line in lines]
        return lines, cols

    def ascending_line_cols(self, offsets: Sequence[int]) -> tuple[pa.Array, pa.Array]:
        """:meth:`line_cols` of ``offsets`` that never decrease, as int32 Arrow columns.

        A row's line is the number of lines starting at or before it, so one bisection
        per line (not per row) and column arithmetic in Arrow find them all.

        >>> lines = SourceLines(b"\\xef\\xbb\\xbfab\\ncd\\n\\nef")
        >>> offsets = [0, 3, 3, 5, 6, 9, 10, 11]
        >>> numbers, columns = lines.ascending_line_cols(offsets)
        >>> (numbers.to_pylist(), columns.to_pylist()) == lines.line_cols(offsets)
        True
        """
        rows = len(offsets)
        # firsts[row]: the lines starting after the previous row's offset, at or before its own
        firsts = [0] * (rows + 1)
        row = 0
        for start in self.line_starts:
            row = bisect_left(offsets, start, row)
            firsts[row] += 1
        del firsts[rows]
        numbers = pc.cumulative_sum(pa.array(firsts, type=pa.int32()))
        # Line 0 is inside a BOM (before the first line start): line 1, column = offset.
        bases = pa.array([0, *self.line_starts], type=pa.int64()).take(numbers)
        columns = pc.subtract(pa.array(offsets, type=pa.int64()), bases).cast(pa.int32())
        return pc.max_element_wise(numbers, pa.scalar(1, pa.int32())), columns

    def line_col(self, offset: int) -> tuple[int, int]:
        """Return (1-based line, 0-based byte column) of a stored-byte ``offset``."""
        index = bisect_right(self.line_starts, offset) - 1
        if index < 0:
            return 1, offset
        return index + 1, offset - self.line_starts[index]
