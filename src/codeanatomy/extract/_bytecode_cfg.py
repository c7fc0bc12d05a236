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
    opnames: Sequence[str],
    targets: Sequence[int | None],
    code_size: int,
    ranges: Sequence[ExceptionRange],
) -> list[int]:
    """Add the blocks and edges of one code object to ``out``.

    Args:
        out: the columns to extend.
        code_id: the code object's ID.
        offsets: each instruction's offset (caches excluded), ascending.
        opnames: each instruction's opname.
        targets: each instruction's jump target offset (``None`` if it does not jump).
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

    leader = [False] * (count + 1)
    leader[0] = True
    leader[count] = True
    jumps = [row for row, target in enumerate(targets) if target is not None]
    for row in jumps:
        target_row = row_at(targets[row])  # type: ignore[arg-type]
        if target_row is not None:
            leader[target_row] = True
        leader[row + 1] = True
    for row in [row for row, opname in enumerate(opnames) if opname in _TERMINATORS]:
        leader[row + 1] = True
    for entry in ranges:
        for offset in (entry.start, entry.end, entry.target):
            hit = row_at(offset)
            if hit is not None:
                leader[hit] = True
    starts = [row for row in range(count) if leader[row]]
    block_of: list[int] = []
    for block, (first, after) in enumerate(zip(starts, [*starts[1:], count])):
        block_of.extend([block] * (after - first))
    range_starts = [entry.start for entry in ranges]
    last_block = len(starts) - 1
    for block, first in enumerate(starts):
        last = (starts[block + 1] if block < last_block else count) - 1
        out.code_id.append(code_id)
        out.block_index.append(block)
        out.start_offset.append(offsets[first])
        out.end_offset.append(offsets[last + 1] if last + 1 < count else code_size)
        out.first_instruction.append(first)
        out.last_instruction.append(last)
        opname = opnames[last]
        target = targets[last]
        target_row = row_at(target) if target is not None else None
        if target_row is not None:
            if opname in _UNCONDITIONAL:
                _edge(out, code_id, block, block_of[target_row], "jump", None)
            else:
                taken, fallen = _LABELS.get(opname, (None, None))
                _edge(out, code_id, block, block_of[target_row], "branch", taken)
                if block < last_block:
                    _edge(out, code_id, block, block + 1, "branch", fallen)
        elif opname not in _TERMINATORS and block < last_block:
            _edge(out, code_id, block, block + 1, "fallthrough", None)
        if ranges:
            position = bisect_right(range_starts, offsets[first]) - 1
            if position >= 0 and offsets[first] < ranges[position].end:
                handler = row_at(ranges[position].target)
                if handler is not None:
                    _edge(out, code_id, block, block_of[handler], "exception", None)
    return block_of


def _edge(
    out: BlockColumns, code_id: str, src: int, dst: int, kind: str, label: str | None
) -> None:
    out.edge_code_id.append(code_id)
    out.src_block.append(src)
    out.dst_block.append(dst)
    out.edge_kind.append(kind)
    out.edge_label.append(label)
