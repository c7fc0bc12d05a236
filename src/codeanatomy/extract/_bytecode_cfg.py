"""Basic blocks and control-flow edges of one code object, from its instructions.

A block starts at offset 0, at every jump target and exception handler, after
every jump or terminator (return, raise, re-raise), and at both ends of every
exception-table range, so that a block lies wholly inside one protected range or
outside all of them. Edges:

* ``fallthrough``: into the next block, when the last instruction does not jump.
* ``jump``: an unconditional jump.
* ``branch``: both successors of a conditional jump, labelled when the opcode tells
  which is which (``true``/``false``, ``none``/``not_none``, ``exhausted``/``next``
  for ``FOR_ITER`` and ``return``/``yield`` for ``SEND``).
* ``exception``: from a block inside a protected range to its handler.

The opcode sets are read from ``dis`` once, at import, and cover CPython 3.11-3.13.
"""

from __future__ import annotations

import dis
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress
from typing import Final

__all__ = ["JUMP_OPCODES", "BlockColumns", "ExceptionRange", "add_blocks"]

JUMP_OPCODES: Final = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)
"""Opcodes whose ``argval`` is a jump target offset."""

_UNCONDITIONAL: Final = frozenset(
    {
        "JUMP_FORWARD",
        "JUMP_BACKWARD",
        "JUMP_BACKWARD_NO_INTERRUPT",
        "JUMP_ABSOLUTE",
        "JUMP",
        "JUMP_NO_INTERRUPT",
    }
)
_TERMINATORS: Final = _UNCONDITIONAL | {"RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE"}


def _branch_labels(opname: str) -> tuple[str | None, str | None]:
    """(label of the taken edge, label of the fall-through edge) of a conditional jump."""
    if "IF_NOT_NONE" in opname:
        return "not_none", "none"
    if "IF_NONE" in opname:
        return "none", "not_none"
    if "IF_TRUE" in opname:
        return "true", "false"
    if "IF_FALSE" in opname:
        return "false", "true"
    if opname == "FOR_ITER":
        return "exhausted", "next"
    if opname == "SEND":
        return "return", "yield"
    return None, None


_OPNAMES: Final = dis.opname
_JUMPS: Final = bytes(op in JUMP_OPCODES for op in range(256))
_ENDS_BLOCK: Final = bytes(op in JUMP_OPCODES or _OPNAMES[op] in _TERMINATORS for op in range(256))
_LABELS: Final = {dis.opname[op]: _branch_labels(dis.opname[op]) for op in JUMP_OPCODES}


@dataclass(frozen=True, slots=True)
class ExceptionRange:
    """One exception-table entry: ``[start, end)`` offsets handled at ``target``."""

    start: int
    end: int
    target: int
    depth: int
    lasti: bool


@dataclass(slots=True)
class BlockColumns:
    """Columns of the blocks and edges tables, filled code object by code object."""

    code_id: list[str] = field(default_factory=list)
    block_index: list[int] = field(default_factory=list)
    start_offset: list[int] = field(default_factory=list)
    end_offset: list[int] = field(default_factory=list)
    first_instruction: list[int] = field(default_factory=list)
    last_instruction: list[int] = field(default_factory=list)
    edge_code_id: list[str] = field(default_factory=list)
    src_block: list[int] = field(default_factory=list)
    dst_block: list[int] = field(default_factory=list)
    edge_kind: list[str] = field(default_factory=list)
    edge_label: list[str | None] = field(default_factory=list)


def add_blocks(
    out: BlockColumns,
    code_id: str,
    offsets: Sequence[int],
    opcodes: bytes,
    targets: Sequence[int | None],
    code_size: int,
    ranges: Sequence[ExceptionRange],
) -> list[int]:
    """Add the blocks and edges of one code object to ``out``.

    Args:
        out: the columns to extend.
        code_id: the code object's ID.
        offsets: each instruction's offset (caches excluded), ascending.
        opcodes: each instruction's opcode.
        targets: each instruction's jump target offset (``None`` if it does not jump, that
            is if its opcode is not one of :data:`JUMP_OPCODES`).
        code_size: length of ``co_code`` (end of the last instruction, caches included).
        ranges: the exception table, sorted by start.

    Returns:
        The block index of every instruction.
    """
    count = len(offsets)
    if count == 0:
        return []

    def row_at(offset: int) -> int | None:
        """Row of the instruction at (or, inside its caches, covering) ``offset``."""
        if offset >= code_size:
            return None
        return bisect_right(offsets, offset) - 1

    # Row 0, every jump target and every row after a jump or terminator lead a block.
    leader = bytearray(b"\1") + opcodes.translate(_ENDS_BLOCK)
    leader[count] = 1
    for target in compress(targets, opcodes.translate(_JUMPS)):
        target_row = row_at(target)  # type: ignore[arg-type]
        if target_row is not None:
            leader[target_row] = 1
    for entry in ranges:
        for offset in (entry.start, entry.end, entry.target):
            hit = row_at(offset)
            if hit is not None:
                leader[hit] = 1
    # A block's first row is a leader; its index is the number of leaders before it.
    starts = list(compress(range(count), leader))
    block_of = list(accumulate(leader[1:count], initial=0))
    blocks = len(starts)
    lasts = [first - 1 for first in starts[1:]]
    lasts.append(count - 1)
    start_offsets = list(map(offsets.__getitem__, starts))
    out.code_id.extend([code_id] * blocks)
    out.block_index.extend(range(blocks))
    out.start_offset.extend(start_offsets)
    out.end_offset.extend(start_offsets[1:])
    out.end_offset.append(code_size)
    out.first_instruction.extend(starts)
    out.last_instruction.extend(lasts)

    edges: list[tuple[int, int, str, str | None]] = []  # (src, dst, kind, label)
    edge = edges.append
    last_block = blocks - 1
    range_starts = [entry.start for entry in ranges]
    for block, last in enumerate(lasts):
        opname = _OPNAMES[opcodes[last]]
        target = targets[last]
        target_row = row_at(target) if target is not None else None
        if target_row is not None:
            if opname in _UNCONDITIONAL:
                edge((block, block_of[target_row], "jump", None))
            else:
                taken, fallen = _LABELS.get(opname, (None, None))
                edge((block, block_of[target_row], "branch", taken))
                if block < last_block:
                    edge((block, block + 1, "branch", fallen))
        elif block < last_block and opname not in _TERMINATORS:
            edge((block, block + 1, "fallthrough", None))
        if ranges:
            start = start_offsets[block]
            position = bisect_right(range_starts, start) - 1
            if position >= 0 and start < ranges[position].end:
                handler = row_at(ranges[position].target)
                if handler is not None:
                    edge((block, block_of[handler], "exception", None))
    out.edge_code_id.extend([code_id] * len(edges))
    out.src_block.extend(e[0] for e in edges)
    out.dst_block.extend(e[1] for e in edges)
    out.edge_kind.extend(e[2] for e in edges)
    out.edge_label.extend(e[3] for e in edges)
    return block_of
