"""The ``bytecode`` evidence layer: code objects, instructions, basic blocks and CFG edges.

Each file is compiled (never executed) from its parsed ast with
``compile(tree, path, "exec", dont_inherit=True)``; every code object reached
through ``co_consts`` is decoded once, into the columns :class:`dis.Bytecode` would
give (see :mod:`codeanatomy.extract._bytecode_decode`). Writes:

* ``bytecode_code_objects``: one row per code object, linked to the ast node
  owning it (``node_id``: the MODULE, CLASS or FUNCTION node, a comprehension node
  while CPython still compiles one to its own code object, or a 3.12+ generic's
  definition, type variable or ``type`` alias).
* ``bytecode_instructions``: one row per instruction (``CACHE`` entries excluded),
  with its span from ``co_positions()``.
* ``bytecode_blocks`` and ``bytecode_cfg_edges``: basic blocks and the edges between
  them (see :mod:`codeanatomy.extract._bytecode_cfg`).
* ``bytecode_exception_entries``: the exception table.

Constants are rendered as text with ``repr``, except that code objects become
``<code object NAME, line N>`` and frozensets list their members sorted, so that
the text does not depend on memory addresses or string hashing.
"""

from __future__ import annotations

import dis
import warnings
from collections.abc import Iterable
from functools import lru_cache
from operator import attrgetter
from types import CodeType
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy.extract._ast_index import AstIndex, ast_index_of
from codeanatomy.extract._base import ExtractOptions, FileError, Layer, LayerOutput
from codeanatomy.extract._bytecode_cfg import BlockColumns, add_blocks
from codeanatomy.extract._bytecode_decode import decode
from codeanatomy.extract._bytecode_link import CodeLink, link_code
from codeanatomy.extract._scope_nodes import ScopeMatcher, scope_nodes_of
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile
from codeanatomy.spans import SourceLines, stable_id

__all__ = [
    "BLOCKS",
    "CFG_EDGES",
    "CODE_OBJECTS",
    "EXCEPTION_ENTRIES",
    "INSTRUCTIONS",
    "LAYER",
    "const_text",
    "extract",
]

_TEXTS = pa.list_(pa.string())

CODE_OBJECTS = TableSpec(
    "bytecode_code_objects",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("code_id", pa.string()),
            ("parent_code_id", pa.string()),
            ("node_id", pa.string()),
            ("kind", pa.string()),
            ("name", pa.string()),
            ("qualname", pa.string()),
            ("line", pa.int32()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("flags", pa.int32()),
            ("flag_names", _TEXTS),
            ("argcount", pa.int32()),
            ("posonlyargcount", pa.int32()),
            ("kwonlyargcount", pa.int32()),
            ("nlocals", pa.int32()),
            ("stacksize", pa.int32()),
            ("varnames", _TEXTS),
            ("cellvars", _TEXTS),
            ("freevars", _TEXTS),
            ("names", _TEXTS),
            ("constants", _TEXTS),
            ("instruction_count", pa.int32()),
        ]
    ),
)
"""One row per code object, depth first in ``co_consts`` order (the module first).

``code_id`` is ``stable_id(file_id, "code", qualname, line, ordinal)`` (ordinal
only for repeats); ``qualname`` is ``co_qualname``, ``line`` ``co_firstlineno``;
``kind`` is ``module``, ``class``, ``function``, ``lambda``, ``comprehension``,
``type_params``, ``type_variable`` or ``type_alias``; ``bstart``/``bend`` are the
linked ast node's span.
"""

INSTRUCTIONS = TableSpec(
    "bytecode_instructions",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("code_id", pa.string()),
            ("instruction_index", pa.int32()),
            ("offset", pa.int32()),
            ("opname", pa.string()),
            ("opcode", pa.int16()),
            ("arg", pa.int32()),
            ("argrepr", pa.string()),
            ("jump_target", pa.int32()),
            ("is_jump_target", pa.bool_()),
            ("line", pa.int32()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("block_index", pa.int32()),
        ]
    ),
)
"""One row per instruction; ``argrepr`` is ``dis``'s text of the argument value.

``jump_target`` is the target offset of a jump; ``line``/``bstart``/``bend`` come
from ``co_positions()`` and are null where CPython records no position.
"""

BLOCKS = TableSpec(
    "bytecode_blocks",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("code_id", pa.string()),
            ("block_index", pa.int32()),
            ("start_offset", pa.int32()),
            ("end_offset", pa.int32()),
            ("first_instruction", pa.int32()),
            ("last_instruction", pa.int32()),
        ]
    ),
)
"""Basic blocks: offsets ``[start_offset, end_offset)``, instruction indexes inclusive."""

CFG_EDGES = TableSpec(
    "bytecode_cfg_edges",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("code_id", pa.string()),
            ("src_block", pa.int32()),
            ("dst_block", pa.int32()),
            ("kind", pa.string()),
            ("label", pa.string()),
        ]
    ),
)
"""Edges between blocks of one code object: ``fallthrough``, ``jump``, ``branch``, ``exception``."""

EXCEPTION_ENTRIES = TableSpec(
    "bytecode_exception_entries",
    1,
    pa.schema(
        [
            ("file_id", pa.string()),
            ("code_id", pa.string()),
            ("start_offset", pa.int32()),
            ("end_offset", pa.int32()),
            ("target_offset", pa.int32()),
            ("depth", pa.int32()),
            ("lasti", pa.bool_()),
        ]
    ),
)
"""The exception table: instructions in ``[start_offset, end_offset)`` go to ``target_offset``."""

_CODE_ROW: Final = pa.struct([field for field in CODE_OBJECTS.schema if field.name != "file_id"])
"""A code object's row but its ``file_id``: the rows convert to Arrow in one call."""

TABLES: Final = (CODE_OBJECTS, INSTRUCTIONS, BLOCKS, CFG_EDGES, EXCEPTION_ENTRIES)

_COMPILE_ERRORS: Final = (SyntaxError, ValueError, RecursionError, MemoryError)
_PLAIN: Final = frozenset({str, int, float, bytes, bool, complex, type(None), type(...)})
_FLAG_BITS: Final = tuple(sorted(dis.COMPILER_FLAG_NAMES.items()))
_start = attrgetter("start")
_OPNAMES: Final = pa.array(dis.opname, pa.string())


def _bytes_array(data: bytes) -> pa.Array:
    """``data`` as an Arrow ``uint8`` array, without a copy."""
    return pa.Array.from_buffers(pa.uint8(), len(data), [None, pa.py_buffer(data)])


def const_text(value: object) -> str:
    """Render a code constant as text that is the same in every process.

    >>> const_text(frozenset({"b", "a"}))
    "frozenset({'a', 'b'})"
    >>> const_text((1, frozenset()))
    '(1, frozenset())'
    """
    kind = type(value)
    if kind in _PLAIN:
        return repr(value)
    if isinstance(value, CodeType):
        return f"<code object {value.co_name}, line {value.co_firstlineno}>"
    if isinstance(value, frozenset):
        members = sorted(const_text(v) for v in value)
        return f"frozenset({{{', '.join(members)}}})" if members else "frozenset()"
    if isinstance(value, tuple):
        parts = [const_text(v) for v in value]
        return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"
    return repr(value)


@lru_cache(maxsize=256)
def _flag_names(flags: int) -> tuple[str, ...]:
    return tuple(name for bit, name in _FLAG_BITS if flags & bit)


def _spans(
    positions: Iterable[tuple[int | None, int | None, int | None, int | None]],
    lines: SourceLines,
    direct: bool,
) -> tuple[list[int | None], list[int | None], list[int | None]]:
    """(line, bstart, bend) columns of instruction positions; nulls where CPython has none.

    ``direct`` (:attr:`SourceLines.utf8_columns_are_stored`): the fast path the ast
    index takes, offset = line start + column.
    """
    starts = lines.line_starts
    count = len(starts)
    to_offset = lines.from_utf8_col
    line_col: list[int | None] = []
    bstarts: list[int | None] = []
    bends: list[int | None] = []
    for line, end_line, col, end_col in positions:
        if line is None or line < 1:
            line_col.append(None)
            bstarts.append(None)
            bends.append(None)
            continue
        line_col.append(line)
        if col is None or end_col is None or end_line is None:
            bstarts.append(None)
            bends.append(None)
        elif direct and end_line <= count:
            bstarts.append(starts[line - 1] + col)
            bends.append(starts[end_line - 1] + end_col)
        else:
            bstarts.append(to_offset(line, col))
            bends.append(to_offset(end_line, end_col))
    return line_col, bstarts, bends


def extract(source: SourceFile, opts: ExtractOptions) -> LayerOutput:
    """Code objects, instructions, blocks, CFG edges and exception tables of one file.

    Args:
        source: the file.
        opts: extraction options (unused: the layer has none).

    Returns:
        The five ``bytecode_*`` tables; a file that does not parse or compile gives
        empty tables and one error.
    """
    try:
        tree = source.parse_ast()
        index = ast_index_of(source)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module_code = compile(tree, source.path, "exec", dont_inherit=True)
    except _COMPILE_ERRORS as exc:
        error = FileError.from_exception(source.path, "bytecode", exc)
        return LayerOutput({spec.name: spec.empty() for spec in TABLES}, (error,))
    return LayerOutput(_tables(source, index, module_code))


def _tables(source: SourceFile, index: AstIndex, module_code: CodeType) -> dict[str, pa.Table]:
    file_id = source.file_id
    lines = source.lines
    nodes = scope_nodes_of(source)
    matcher = ScopeMatcher(nodes[1:], use_first_line=True, order_by_entry=False)
    constants = {"file_id": file_id}
    code_rows: list[tuple[object, ...]] = []  # in _CODE_ROW's field order
    ins_cols = INSTRUCTIONS.column_lists(without={"file_id", "opcode", "opname"})
    opcodes: list[bytes] = []  # of each code object: the opcode and opname columns
    exc_cols = EXCEPTION_ENTRIES.column_lists(without=constants)
    blocks = BlockColumns()
    id_counts: dict[tuple[str, int], int] = {}
    direct = source.lines.utf8_columns_are_stored
    # (code, parent link, parent code_id, is last code constant of its parent)
    stack: list[tuple[CodeType, CodeLink | None, str | None, bool]] = [
        (module_code, None, None, True)
    ]
    while stack:
        code, parent, parent_id, is_last = stack.pop()
        link = link_code(code, parent, is_last, matcher, index, nodes[0], lines)
        kind, _, row = link
        key = (code.co_qualname, code.co_firstlineno)
        ordinal = id_counts.get(key, 0)
        id_counts[key] = ordinal + 1
        code_id = stable_id(file_id, "code", *key, ordinal or None)
        consts = code.co_consts
        const_texts = [const_text(c) for c in consts]
        decoded = decode(code, const_texts)
        offsets = decoded.offsets
        count = len(offsets)

        code_rows.append(
            (
                code_id,
                parent_id,
                None if row is None else index.node_id[row],
                kind,
                code.co_name,
                code.co_qualname,
                code.co_firstlineno,
                None if row is None else index.bstart[row],
                None if row is None else index.bend[row],
                code.co_flags,
                _flag_names(code.co_flags),
                code.co_argcount,
                code.co_posonlyargcount,
                code.co_kwonlyargcount,
                code.co_nlocals,
                code.co_stacksize,
                code.co_varnames,
                code.co_cellvars,
                code.co_freevars,
                code.co_names,
                const_texts,
                count,
            )
        )

        lines_col, starts, ends = _spans(decoded.positions, lines, direct)
        ranges = sorted(decoded.exception_ranges, key=_start)
        targets = decoded.targets
        ops = decoded.opcode_bytes
        block_of = add_blocks(blocks, code_id, offsets, ops, targets, len(code.co_code), ranges)

        ins_cols["code_id"].extend([code_id] * count)
        ins_cols["instruction_index"].extend(range(count))
        ins_cols["offset"].extend(offsets)
        opcodes.append(ops)
        ins_cols["arg"].extend(decoded.args)
        ins_cols["argrepr"].extend(decoded.argreprs)
        ins_cols["jump_target"].extend(targets)
        ins_cols["is_jump_target"].extend(decoded.is_jump_target)
        ins_cols["line"].extend(lines_col)
        ins_cols["bstart"].extend(starts)
        ins_cols["bend"].extend(ends)
        ins_cols["block_index"].extend(block_of)

        for entry in ranges:
            exc_cols["code_id"].append(code_id)
            exc_cols["start_offset"].append(entry.start)
            exc_cols["end_offset"].append(entry.end)
            exc_cols["target_offset"].append(entry.target)
            exc_cols["depth"].append(entry.depth)
            exc_cols["lasti"].append(entry.lasti)

        children = [c for c in consts if isinstance(c, CodeType)]
        last = len(children) - 1
        for position in range(last, -1, -1):
            stack.append((children[position], link, code_id, position == last))

    opcode = _bytes_array(b"".join(opcodes))
    opcode_cols = {"opcode": pc.cast(opcode, pa.int16()), "opname": _OPNAMES.take(opcode)}
    return {
        CODE_OBJECTS.name: CODE_OBJECTS.from_columns(
            dict(zip(_CODE_ROW.names, pa.array(code_rows, _CODE_ROW).flatten())), constants
        ),
        INSTRUCTIONS.name: INSTRUCTIONS.from_columns({**ins_cols, **opcode_cols}, constants),
        BLOCKS.name: BLOCKS.from_columns(
            {
                "code_id": blocks.code_id,
                "block_index": blocks.block_index,
                "start_offset": blocks.start_offset,
                "end_offset": blocks.end_offset,
                "first_instruction": blocks.first_instruction,
                "last_instruction": blocks.last_instruction,
            },
            constants,
        ),
        CFG_EDGES.name: CFG_EDGES.from_columns(
            {
                "code_id": blocks.edge_code_id,
                "src_block": blocks.src_block,
                "dst_block": blocks.dst_block,
                "kind": blocks.edge_kind,
                "label": blocks.edge_label,
            },
            constants,
        ),
        EXCEPTION_ENTRIES.name: EXCEPTION_ENTRIES.from_columns(exc_cols, constants),
    }


LAYER = Layer(
    name="bytecode",
    version=1,
    tables=TABLES,
    extract=extract,
)
"""The bytecode layer, as the build registers it."""
