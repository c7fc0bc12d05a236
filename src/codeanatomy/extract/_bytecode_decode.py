"""A code object's instructions, decoded straight from ``co_code`` as :class:`dis.Bytecode` shows them.

Iterating :class:`dis.Bytecode` builds an ``Instruction`` per instruction and
resolves every field of it, in Python, one instruction at a time. :func:`decode`
gives the columns the bytecode layer needs (offset, opcode, opname, ``arg``,
``argrepr``, jump target, whether it is a jump target, and its ``co_positions()``
entry, ``CACHE`` entries excluded) with C-level slicing and lookups, equal to what
``dis.Bytecode(code)`` yields on the running Python, except that constants are
rendered by the caller.

It relies on ``co_code`` being the de-specialized bytecode CPython 3.11-3.13
return, whose inline cache entries are all zero: an instruction is then a code
unit with a non-zero opcode (no instruction has opcode 0, ``CACHE``). Every decode
checks that these units are laid out exactly as the opcodes' cache counts say, so
a code object breaking that assumption raises instead of decoding wrongly.

Everything that differs between Python versions is read from ``dis``/``opcode``
or decided here, once, at import.
"""

from __future__ import annotations

import dis
import opcode
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import getitem
from types import CodeType
from typing import Final, cast

from codeanatomy.extract._bytecode_cfg import JUMP_OPCODES, ExceptionRange

__all__ = ["Instructions", "decode", "exception_ranges"]

Position = tuple[int | None, int | None, int | None, int | None]

_VERSION: Final = sys.version_info[:2]
_OPS: Final = range(256)

# Decoding. Cache entries are listed by opcode up to 3.12, by opname from 3.13.
_CACHES: Final = tuple(
    opcode._inline_cache_entries.get(dis.opname[op], 0)  # type: ignore[attr-defined]
    if _VERSION >= (3, 13)
    else opcode._inline_cache_entries[op]  # type: ignore[attr-defined]
    for op in _OPS
)
_ARG_OPS: Final = (
    frozenset(dis.hasarg) if _VERSION >= (3, 12) else frozenset(range(dis.HAVE_ARGUMENT, 256))  # type: ignore[attr-defined]
)
_NO_ARG: Final = bytes(op not in _ARG_OPS for op in _OPS)
_UNITS: Final = tuple(b"\1" + bytes(caches) for caches in _CACHES)
"""An instruction's code units by opcode: 1 for the opcode, then 0 for each cache."""
_NONZERO: Final = bytes([0] + [1] * 255)
_EXTENDED_ARG: Final = dis.EXTENDED_ARG
_IS_EXTENDED_ARG: Final = bytes(op == _EXTENDED_ARG for op in _OPS)
_INT_OVERFLOW: Final = 2**31  # dis wraps opargs to signed 32-bit integers

# Jumps. Relative ones count from the next instruction, placed after the caches from 3.12.
_IS_JUMP: Final = bytes(op in JUMP_OPCODES for op in _OPS)
_JUMP_ABSOLUTE: Final = frozenset(dis.hasjabs)
_JUMP_BASE: Final = tuple(2 + (2 * caches if _VERSION >= (3, 12) else 0) for caches in _CACHES)
_JUMP_STEP: Final = tuple(-2 if dis._is_backward_jump(op) else 2 for op in _OPS)  # type: ignore[attr-defined]
_JUMP_LABELS: Final = _VERSION >= (3, 13)
"""3.13 writes a jump's argrepr as ``to L<n>``, numbering labels by offset, and makes
every exception-table boundary a label; 3.11-3.12 write ``to <offset>`` and count
only exception handlers among the jump targets."""

# Arguments whose text depends on the version alone.
_NULL: Final = "{} + NULL" if _VERSION >= (3, 13) else "NULL + {}"
_NULL_SELF: Final = "{} + NULL|self" if _VERSION >= (3, 13) else "NULL|self + {}"
_COMPARE_SHIFT: Final = {(3, 11): 0, (3, 12): 4}.get(_VERSION, 5)
_COMPARE_BOOL: Final = _VERSION >= (3, 13)


def _compare_text(arg: int) -> str:
    text = dis.cmp_op[arg >> _COMPARE_SHIFT]
    return f"bool({text})" if _COMPARE_BOOL and arg & 16 else text


def _flags_text(names: Sequence[str]) -> Callable[[int], str]:
    return lambda arg: ", ".join(name for bit, name in enumerate(names) if arg & (1 << bit))


def _format_value_text(arg: int) -> str:
    text: str = dis.FORMAT_VALUE_CONVERTERS[arg & 3][1]  # type: ignore[attr-defined]
    if arg & 4:
        text = f"{text}, with format" if text else "with format"
    return text


_VALUE_TEXTS: Final[dict[str, Callable[[int], str]]] = {
    "COMPARE_OP": _compare_text,
    "BINARY_OP": lambda arg: opcode._nb_ops[arg][1],  # type: ignore[attr-defined]
}
if _VERSION >= (3, 12):
    _VALUE_TEXTS["CALL_INTRINSIC_1"] = opcode._intrinsic_1_descs.__getitem__  # type: ignore[attr-defined]
    _VALUE_TEXTS["CALL_INTRINSIC_2"] = opcode._intrinsic_2_descs.__getitem__  # type: ignore[attr-defined]
if _VERSION >= (3, 13):
    _VALUE_TEXTS["CONVERT_VALUE"] = ("", "str", "repr", "ascii").__getitem__
    _VALUE_TEXTS["SET_FUNCTION_ATTRIBUTE"] = _flags_text(dis.FUNCTION_ATTR_FLAGS)  # type: ignore[attr-defined]
else:
    _VALUE_TEXTS["FORMAT_VALUE"] = _format_value_text
    _VALUE_TEXTS["MAKE_FUNCTION"] = _flags_text(dis.MAKE_FUNCTION_FLAGS)  # type: ignore[attr-defined]

# How dis renders each opcode's argument, decided in dis's order. The kinds before
# _PLAIN depend on the code object.
_CONST, _NAME, _NAME_NULL, _NAME_NULL_SELF, _SUPER, _LOCAL, _LOCALS, _PLAIN, _VALUE = range(9)


def _kind(op: int) -> int:
    name = dis.opname[op]
    if op not in _ARG_OPS or op in JUMP_OPCODES:
        return _PLAIN  # a jump's text depends on its offset: decode() writes it
    if op in dis.hasconst:
        # 3.11's dis resolves only LOAD_CONST's constant, not KW_NAMES'.
        return _CONST if _VERSION >= (3, 12) or name == "LOAD_CONST" else _PLAIN
    if op in dis.hasname:
        if name == "LOAD_GLOBAL":
            return _NAME_NULL
        if name == "LOAD_ATTR" and _VERSION >= (3, 12):
            return _NAME_NULL_SELF
        return _SUPER if name == "LOAD_SUPER_ATTR" else _NAME
    if name in {"LOAD_FAST_LOAD_FAST", "STORE_FAST_LOAD_FAST", "STORE_FAST_STORE_FAST"}:
        return _LOCALS
    if op in dis.haslocal or op in dis.hasfree:
        return _LOCAL
    return _VALUE if name in _VALUE_TEXTS else _PLAIN


class _Texts(dict[int | None, str]):
    """``argrepr`` by ``arg`` (``None``: no argument), computed by ``text`` on first use."""

    __slots__ = ("text",)

    def __init__(self, text: Callable[[int], str]) -> None:
        super().__init__()
        self.text = text

    def __missing__(self, arg: int | None) -> str:
        text = "" if arg is None else self.text(arg)
        self[arg] = text
        return text


def _no_text(arg: int) -> str:
    return ""


_KINDS: Final = tuple(_kind(op) for op in _OPS)
_CODE_OPS: Final = frozenset(op for op in _OPS if _KINDS[op] < _PLAIN)
_NO_TEXT: Final = _Texts(_no_text)
"""Shared by the opcodes without an argrepr; it keeps one entry per arg value seen."""
_STATIC: Final[tuple[Sequence[str] | _Texts, ...]] = tuple(
    _Texts(_VALUE_TEXTS[dis.opname[op]]) if _KINDS[op] == _VALUE else _NO_TEXT for op in _OPS
)
"""Each opcode's argreprs by arg, for the opcodes whose argrepr needs no code object."""


_lookup: Final = cast(Callable[[Sequence[str] | _Texts, int | None], str], getitem)


def _name_texts(names: Sequence[str], shift: int, null: str) -> _Texts:
    def text(arg: int) -> str:
        name = names[arg >> shift]
        return null.format(name) if arg & 1 and name else name

    return _Texts(text)


def _local_pair_texts(name_of: Callable[[int], str]) -> _Texts:
    return _Texts(lambda arg: f"{name_of(arg >> 4)}, {name_of(arg & 15)}")


def _argrepr_tables(
    code: CodeType, const_texts: Sequence[str], ops: bytes
) -> Sequence[Sequence[str] | _Texts]:
    """Each opcode's argreprs by arg in ``code``, whose opcodes are ``ops``."""
    present = _CODE_OPS.intersection(ops)
    if not present:
        return _STATIC
    tables = list(_STATIC)
    names = code.co_names
    name_of = code._varname_from_oparg  # type: ignore[attr-defined]
    by_kind: dict[int, Sequence[str] | _Texts] = {}
    for op in present:
        kind = _KINDS[op]
        table = by_kind.get(kind)
        if table is None:
            if kind == _CONST:
                table = const_texts
            elif kind == _NAME:
                table = names
            elif kind == _NAME_NULL:
                table = _name_texts(names, 1, _NULL)
            elif kind == _NAME_NULL_SELF:
                table = _name_texts(names, 1, _NULL_SELF)
            elif kind == _SUPER:
                table = _name_texts(names, 2, _NULL_SELF)
            elif kind == _LOCAL:
                table = _Texts(name_of)
            else:
                table = _local_pair_texts(name_of)
            by_kind[kind] = table
        tables[op] = table
    return tables


@dataclass(slots=True)
class Instructions:
    """One code object's instructions, column by column (``CACHE`` entries excluded)."""

    offsets: list[int]
    opcode_bytes: bytes
    """Each instruction's opcode, one byte each."""
    args: list[int | None]
    argreprs: list[str]
    targets: list[int | None]
    """Jump target offset of each jump, ``None`` for other instructions."""
    is_jump_target: list[bool]
    positions: list[Position]
    exception_ranges: list[ExceptionRange]
    """The exception table, in table order."""

    @property
    def opcodes(self) -> list[int]:
        """The opcode of each instruction."""
        return list(self.opcode_bytes)

    @property
    def opnames(self) -> list[str]:
        """The opname of each instruction."""
        return list(map(dis.opname.__getitem__, self.opcode_bytes))


def decode(code: CodeType, const_texts: Sequence[str]) -> Instructions:
    """The instructions of ``code`` as ``dis.Bytecode(code)`` yields them.

    Args:
        code: the code object.
        const_texts: the text of each of ``co_consts``, used as the ``argrepr`` of the
            instructions whose ``argrepr`` dis gives as the constant's ``repr``.

    Raises:
        ValueError: a cache entry of ``co_code`` is not zero.
    """
    raw = code.co_code
    units = raw[::2]  # the opcode of each code unit: 0 for cache entries
    ops = units.replace(b"\0", b"")
    if b"".join(map(_UNITS.__getitem__, ops)) != units.translate(_NONZERO):
        raise ValueError(f"cannot decode {code.co_qualname}: its caches are not all zero")
    offsets = list(compress(range(0, len(raw), 2), units))
    opcodes = list(ops)
    args: list[int | None] = list(compress(raw[1::2], units))
    for row in compress(range(len(opcodes)), ops.translate(_NO_ARG)):
        args[row] = None
    if _EXTENDED_ARG in ops:
        _extend_args(ops, args)
    tables = _argrepr_tables(code, const_texts, ops)
    argreprs = list(map(_lookup, map(tables.__getitem__, opcodes), args))

    jumps = list(compress(range(len(opcodes)), ops.translate(_IS_JUMP)))
    jump_targets = [_jump_target(opcodes[row], args[row], offsets[row]) for row in jumps]  # type: ignore[arg-type]  # jumps take args
    ranges = exception_ranges(code.co_exceptiontable)
    labels = set(jump_targets)
    if _JUMP_LABELS:
        for entry in ranges:
            labels.update((entry.start, entry.end, entry.target))
        number = {offset: n for n, offset in enumerate(sorted(labels), 1)}
        for row, target in zip(jumps, jump_targets):
            argreprs[row] = f"to L{number[target]}"
    else:
        labels.update(entry.target for entry in ranges if entry.end > entry.start)
        for row, target in zip(jumps, jump_targets):
            argreprs[row] = f"to {target}"
    targets: list[int | None] = [None] * len(opcodes)
    for row, target in zip(jumps, jump_targets):
        targets[row] = target

    return Instructions(
        offsets=offsets,
        opcode_bytes=ops,
        args=args,
        argreprs=argreprs,
        targets=targets,
        is_jump_target=list(map(labels.__contains__, offsets)),
        positions=list(compress(code.co_positions(), units)),
        exception_ranges=ranges,
    )


def _jump_target(op: int, arg: int, offset: int) -> int:
    if op in _JUMP_ABSOLUTE:
        return arg * 2
    return offset + _JUMP_BASE[op] + _JUMP_STEP[op] * arg


def _extend_args(ops: bytes, args: list[int | None]) -> None:
    """Fold ``EXTENDED_ARG`` prefixes into the args that follow them, as dis does."""
    for row in compress(range(1, len(ops)), ops.translate(_IS_EXTENDED_ARG)):
        extended = args[row - 1] << 8  # type: ignore[operator]  # EXTENDED_ARG takes an arg
        if extended >= _INT_OVERFLOW:
            extended -= 2 * _INT_OVERFLOW
        arg = args[row]
        if arg is not None:
            args[row] = arg | extended


def exception_ranges(table: bytes) -> list[ExceptionRange]:
    """Entries of a ``co_exceptiontable``, in table order, as ``dis`` parses them.

    Each entry is four varints (start, length, target, depth and lasti), 6 bits a
    byte, most significant first; bit 6 marks a continuation, bit 7 an entry start.
    """
    if not table:
        return []
    values: list[int] = []
    value = 0
    for byte in table:
        value = (value << 6) | (byte & 63)
        if not byte & 64:
            values.append(value)
            value = 0
    return [
        ExceptionRange(
            2 * start, 2 * (start + length), 2 * target, depth_lasti >> 1, bool(depth_lasti & 1)
        )
        for start, length, target, depth_lasti in zip(*[iter(values)] * 4)
    ]
