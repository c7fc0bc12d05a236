"""The bytecode layer: code objects linked to ast nodes, instructions, blocks, CFG edges, errors."""

from __future__ import annotations

import dis
import importlib.util
import itertools
import json
import os
import subprocess
import sys
import textwrap
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from types import CodeType, SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeanatomy.extract._ast_index import ast_index_of
from codeanatomy.extract._base import ExtractOptions, LayerOutput
from codeanatomy.extract._bytecode_decode import decode, exception_ranges
from codeanatomy.extract.bytecode import (
    BLOCKS,
    CFG_EDGES,
    CODE_OBJECTS,
    EXCEPTION_ENTRIES,
    INSTRUCTIONS,
    LAYER,
    extract,
)
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for

OPTS = ExtractOptions()

SNIPPET = """\
import functools


def decorate(func):
    return func


@decorate
@functools.cache
def branchy(x):
    if x > 0:
        y = "positive"
    else:
        y = "other"
    return y


def loops(items):
    total = 0
    for item in items:
        if item is None:
            continue
        total += item
    while total > 100:
        total //= 2
    return total


def guarded(path):
    try:
        handle = open(path)
    except OSError as error:
        return str(error)
    finally:
        print("done")
    return handle


def numbers(limit):
    yield from range(limit)
    yield -1


class Shape:
    sides = 0

    @property
    def name(self):
        return "shape"

    area = lambda self: 0


pairs = (lambda: 1, lambda: 2)
squares = [n * n for n in range(5)]
evens = (n for n in range(10) if n % 2 == 0)
"""


def _source(text: str, path: str = "pkg/mod.py", module: str = "pkg.mod") -> SourceFile:
    return SourceFile(path, file_id_for(path), module, textwrap.dedent(text).encode())


def _run(text: str) -> LayerOutput:
    out = extract(_source(text), OPTS)
    assert out.errors == ()
    return out


def _rows(out: LayerOutput, table: str) -> list[dict[str, object]]:
    return out.tables[table].to_pylist()


def _code(out: LayerOutput, qualname: str) -> dict[str, object]:
    found = [c for c in _rows(out, CODE_OBJECTS.name) if c["qualname"] == qualname]
    assert len(found) == 1, qualname
    return found[0]


def _of_code(out: LayerOutput, table: str, code_id: object) -> list[dict[str, object]]:
    return [r for r in _rows(out, table) if r["code_id"] == code_id]


def _edges(out: LayerOutput, code_id: object) -> set[tuple[object, object, object, object]]:
    return {
        (e["src_block"], e["dst_block"], e["kind"], e["label"])
        for e in _of_code(out, CFG_EDGES.name, code_id)
    }


def test_layer_declares_its_tables() -> None:
    assert LAYER.name == "bytecode"
    assert [t.name for t in LAYER.tables] == [
        "bytecode_code_objects",
        "bytecode_instructions",
        "bytecode_blocks",
        "bytecode_cfg_edges",
        "bytecode_exception_entries",
    ]
    for spec in LAYER.tables:
        assert spec.schema.field(0).name == "file_id"


def test_output_matches_declared_schemas() -> None:
    out = _run(SNIPPET)
    assert set(out.tables) == {t.name for t in LAYER.tables}
    for spec in LAYER.tables:
        table = out.tables[spec.name]
        assert table.schema.equals(spec.schema), spec.name
        assert table.num_rows > 0, spec.name
        assert set(table.column("file_id").to_pylist()) == {file_id_for("pkg/mod.py")}


def test_code_objects_link_to_every_definition() -> None:
    source = _source(SNIPPET)
    index = ast_index_of(source)
    out = extract(source, OPTS)
    codes = _rows(out, CODE_OBJECTS.name)
    assert all(c["node_id"] is not None for c in codes)
    by_node = {c["node_id"]: c for c in codes}
    assert len(by_node) == len(codes)
    definitions = [r for r, k in enumerate(index.kind) if k in {"MODULE", "CLASS", "FUNCTION"}]
    assert len(definitions) == 11
    kinds = {"MODULE": {"module"}, "CLASS": {"class"}, "FUNCTION": {"function", "lambda"}}
    for row in definitions:
        code = by_node[index.node_id[row]]
        assert code["kind"] in kinds[index.kind[row]]
        assert (code["bstart"], code["bend"]) == (index.bstart[row], index.bend[row])
        qualname = str(index.qualname[row])
        if code["kind"] == "lambda":
            assert ".<lambda" in qualname
        elif code["kind"] != "module":
            assert qualname.endswith(f".{code['name']}")
    generator = next(c for c in codes if c["name"] == "<genexpr>")
    row = index.node_id.index(str(generator["node_id"]))
    assert index.ast_type[row] == "GeneratorExp"
    assert generator["kind"] == "comprehension"
    listcomps = [c for c in codes if c["name"] == "<listcomp>"]
    assert len(listcomps) == (1 if sys.version_info < (3, 12) else 0)  # PEP 709 inlining


def test_code_object_attributes() -> None:
    out = _run(SNIPPET)
    module = _code(out, "<module>")
    assert module["parent_code_id"] is None and module["kind"] == "module" and module["line"] == 1
    branchy = _code(out, "branchy")
    assert branchy["parent_code_id"] == module["code_id"]
    assert branchy["line"] == 8  # co_firstlineno is the first decorator's line
    assert branchy["argcount"] == 1 and branchy["varnames"] == ["x", "y"]
    assert "OPTIMIZED" in branchy["flag_names"] and branchy["flags"] & 1
    assert "'positive'" in branchy["constants"]
    numbers = _code(out, "numbers")
    assert "GENERATOR" in numbers["flag_names"]
    assert "range" in numbers["names"]
    method = _code(out, "Shape.name")
    assert method["parent_code_id"] == _code(out, "Shape")["code_id"]
    assert _code(out, "Shape")["kind"] == "class"
    assert "<code object name, line 47>" in _code(out, "Shape")["constants"]
    for code in _rows(out, CODE_OBJECTS.name):
        assert code["instruction_count"] == len(_of_code(out, INSTRUCTIONS.name, code["code_id"]))


def test_lambdas_on_one_line_link_to_their_own_nodes() -> None:
    source = _source(SNIPPET)
    index = ast_index_of(source)
    out = extract(source, OPTS)
    module = _code(out, "<module>")
    lambdas = [
        c
        for c in _rows(out, CODE_OBJECTS.name)
        if c["name"] == "<lambda>" and c["parent_code_id"] == module["code_id"]
    ]
    texts = []
    for code in lambdas:
        row = index.node_id.index(str(code["node_id"]))
        texts.append(source.data[index.bstart[row] : index.bend[row]])
        rows = _of_code(out, INSTRUCTIONS.name, code["code_id"])
        body = [i for i in rows if i["bstart"] is not None and i["bend"] > i["bstart"]]  # type: ignore[operator]
        assert all(index.bstart[row] <= i["bstart"] <= i["bend"] <= index.bend[row] for i in body)
    assert sorted(texts) == [b"lambda: 1", b"lambda: 2"]


@pytest.mark.skipif(sys.version_info[:2] == (3, 12), reason="3.12 gives RETURN_CONST no column")
def test_lambdas_compiled_out_of_source_order_link_by_position() -> None:
    source = _source("table = {}\ntable[lambda: 1] = lambda: 2\n")
    index = ast_index_of(source)
    out = extract(source, OPTS)
    for code in _rows(out, CODE_OBJECTS.name)[1:]:
        row = index.node_id.index(str(code["node_id"]))
        constants = code["constants"]
        assert (
            source.data[index.bstart[row] : index.bend[row]] == f"lambda: {constants[-1]}".encode()
        )


def test_instructions_columns() -> None:
    source = _source(SNIPPET)
    out = extract(source, OPTS)
    branchy = _code(out, "branchy")
    rows = _of_code(out, INSTRUCTIONS.name, branchy["code_id"])
    assert [r["instruction_index"] for r in rows] == list(range(len(rows)))
    offsets = [r["offset"] for r in rows]
    assert offsets == sorted(offsets) and offsets[0] == 0
    compare = next(r for r in rows if r["opname"] == "COMPARE_OP")
    assert compare["argrepr"] in {">", "bool(>)"}  # 3.13 folds the bool() conversion in
    assert compare["line"] == 11
    assert source.data[compare["bstart"] : compare["bend"]] == b"x > 0"
    load = next(r for r in rows if r["opname"] == "LOAD_CONST" and r["argrepr"] == "'positive'")
    assert source.data[load["bstart"] : load["bend"]] == b'"positive"'
    by_offset = {r["offset"]: r for r in rows}
    jumps = [r for r in rows if r["jump_target"] is not None]
    assert jumps
    for jump in jumps:
        assert by_offset[jump["jump_target"]]["is_jump_target"]
    assert rows[0]["opname"] == "RESUME"


def _block_of_offset(blocks: list[dict[str, object]], offset: object) -> object:
    return next(b["block_index"] for b in blocks if b["start_offset"] <= offset < b["end_offset"])  # type: ignore[operator]


def test_blocks_partition_every_code_object() -> None:
    out = _run(SNIPPET)
    instructions: dict[object, list[dict[str, object]]] = defaultdict(list)
    for row in _rows(out, INSTRUCTIONS.name):
        instructions[row["code_id"]].append(row)
    blocks: dict[object, list[dict[str, object]]] = defaultdict(list)
    for row in _rows(out, BLOCKS.name):
        blocks[row["code_id"]].append(row)
    assert set(blocks) == set(instructions)
    for code_id, code_blocks in blocks.items():
        rows = instructions[code_id]
        assert [b["block_index"] for b in code_blocks] == list(range(len(code_blocks)))
        assert code_blocks[0]["first_instruction"] == 0
        assert code_blocks[-1]["last_instruction"] == len(rows) - 1
        for before, after in itertools.pairwise(code_blocks):
            assert after["first_instruction"] == before["last_instruction"] + 1  # type: ignore[operator]
            assert after["start_offset"] == before["end_offset"]
        for block in code_blocks:
            members = rows[block["first_instruction"] : block["last_instruction"] + 1]  # type: ignore[misc]
            assert {r["block_index"] for r in members} == {block["block_index"]}
            assert members[0]["offset"] == block["start_offset"]
        for edge in _of_code(out, CFG_EDGES.name, code_id):
            assert 0 <= edge["src_block"] < len(code_blocks)  # type: ignore[operator]
            assert 0 <= edge["dst_block"] < len(code_blocks)  # type: ignore[operator]


def test_if_else_has_true_and_false_branches() -> None:
    out = _run(SNIPPET)
    branchy = _code(out, "branchy")
    edges = _edges(out, branchy["code_id"])
    branches = [e for e in edges if e[2] == "branch"]
    assert sorted(str(e[3]) for e in branches) == ["false", "true"]
    assert len({e[0] for e in branches}) == 1
    rows = _of_code(out, INSTRUCTIONS.name, branchy["code_id"])
    blocks = _of_code(out, BLOCKS.name, branchy["code_id"])
    positive = next(r for r in rows if r["argrepr"] == "'positive'")
    other = next(r for r in rows if r["argrepr"] == "'other'")
    labels = {e[3]: e[1] for e in branches}
    assert labels["true"] == positive["block_index"]
    assert labels["false"] == other["block_index"]
    assert _block_of_offset(blocks, other["offset"]) == other["block_index"]
    assert not [e for e in edges if e[2] == "exception"]


def test_loops_have_back_edges_and_loop_exits() -> None:
    out = _run(SNIPPET)
    loops = _code(out, "loops")
    edges = _edges(out, loops["code_id"])
    back = [e for e in edges if e[2] == "jump" and e[1] <= e[0]]  # type: ignore[operator]
    assert back, edges
    labels = {e[3] for e in edges if e[2] == "branch"}
    assert {"exhausted", "next"} <= labels  # FOR_ITER
    assert {"none", "not_none"} & labels  # `item is None`
    assert {"true", "false"} <= labels  # the while condition


def test_try_except_finally_has_exception_edges() -> None:
    out = _run(SNIPPET)
    guarded = _code(out, "guarded")
    entries = _of_code(out, EXCEPTION_ENTRIES.name, guarded["code_id"])
    assert entries
    for entry in entries:
        assert entry["start_offset"] < entry["end_offset"]  # type: ignore[operator]
    rows = _of_code(out, INSTRUCTIONS.name, guarded["code_id"])
    blocks = _of_code(out, BLOCKS.name, guarded["code_id"])
    handlers = {_block_of_offset(blocks, e["target_offset"]) for e in entries}
    exception_edges = {e for e in _edges(out, guarded["code_id"]) if e[2] == "exception"}
    assert {e[1] for e in exception_edges} == handlers
    call_open = next(
        r for r in rows if r["opname"] == "LOAD_GLOBAL" and "open" in str(r["argrepr"])
    )
    assert any(e[0] == call_open["block_index"] for e in exception_edges)
    assert any(r["opname"] == "PUSH_EXC_INFO" and r["is_jump_target"] for r in rows)


def test_generator_code() -> None:
    out = _run(SNIPPET)
    numbers = _code(out, "numbers")
    opnames = [r["opname"] for r in _of_code(out, INSTRUCTIONS.name, numbers["code_id"])]
    assert "RETURN_GENERATOR" in opnames and "YIELD_VALUE" in opnames
    labels = {e[3] for e in _edges(out, numbers["code_id"]) if e[2] == "branch"}
    assert {"return", "yield"} <= labels  # SEND of `yield from`
    evens = next(c for c in _rows(out, CODE_OBJECTS.name) if c["name"] == "<genexpr>")
    assert "GENERATOR" in evens["flag_names"]


def test_syntax_error_is_reported_not_raised() -> None:
    out = extract(_source("def broken(:\n    pass\n"), OPTS)
    assert [(e.layer, e.error_type, e.line) for e in out.errors] == [("bytecode", "SyntaxError", 1)]
    for spec in LAYER.tables:
        assert out.tables[spec.name].schema.equals(spec.schema)
        assert out.tables[spec.name].num_rows == 0


def test_compiler_only_error_is_reported() -> None:
    out = extract(_source("x = 1\nreturn x\n"), OPTS)
    assert [(e.layer, e.error_type, e.line) for e in out.errors] == [("bytecode", "SyntaxError", 2)]
    assert "outside function" in out.errors[0].message


def test_bad_encoding_is_reported() -> None:
    source = SourceFile(
        "pkg/latin.py", file_id_for("pkg/latin.py"), "pkg.latin", b"name = '\xe9'\n"
    )
    out = extract(source, OPTS)
    assert [(e.layer, e.error_type) for e in out.errors] == [("bytecode", "SyntaxError")]
    assert out.tables[INSTRUCTIONS.name].num_rows == 0


def test_non_ascii_source_spans_are_byte_offsets() -> None:
    data = "# -*- coding: latin-1 -*-\ns = 'é' + name\n".encode("latin-1")
    source = SourceFile("pkg/latin.py", file_id_for("pkg/latin.py"), "pkg.latin", data, "latin-1")
    out = extract(source, OPTS)
    assert out.errors == ()
    load = next(r for r in _rows(out, INSTRUCTIONS.name) if r["argrepr"] == "name")
    assert data[load["bstart"] : load["bend"]] == b"name"


def test_deep_nesting_is_reported() -> None:
    out = extract(_source("x = " + "1 + " * 20000 + "1\n"), OPTS)
    assert [(e.layer, e.error_type) for e in out.errors] == [("bytecode", "RecursionError")]


def test_output_is_deterministic() -> None:
    first = extract(_source(SNIPPET), OPTS)
    second = extract(_source(SNIPPET), OPTS)
    for spec in LAYER.tables:
        assert first.tables[spec.name].equals(second.tables[spec.name])


_HASH_PROBE = """
import json, sys
from codeanatomy.extract.bytecode import extract
from codeanatomy.extract._base import ExtractOptions
from codeanatomy.source import SourceFile
data = b"def f(x):\\n    return x in {'alpha', 'beta', 'gamma', 'delta'}, (lambda: 0)\\n"
out = extract(SourceFile("m.py", "id", "m", data), ExtractOptions())
print(json.dumps([out.tables[n].column("argrepr" if n.endswith("instructions") else "constants").to_pylist()
                  for n in ("bytecode_instructions", "bytecode_code_objects")]))
"""


def test_constant_text_does_not_depend_on_hash_seed_or_addresses() -> None:
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _HASH_PROBE], env=env, capture_output=True, text=True, check=True
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    argreprs = outputs[0][0]
    assert "frozenset({'alpha', 'beta', 'delta', 'gamma'})" in argreprs
    assert not [text for text in argreprs if " at 0x" in text]


def test_code_nested_on_one_line_links_to_its_own_nodes() -> None:
    source = _source(
        """\
        chain = lambda x=lambda y=lambda z=1: z: y(): x()
        grid = ((y for y in (x, x + 1)) for x in (1, 3))
        """
    )
    index = ast_index_of(source)
    out = extract(source, OPTS)
    codes = [c for c in _rows(out, CODE_OBJECTS.name) if c["kind"] in {"lambda", "comprehension"}]
    assert len(codes) == 5
    for code in codes:
        node = index.nodes[index.node_id.index(str(code["node_id"]))]
        varnames = code["varnames"]
        assert isinstance(varnames, list)
        if code["kind"] == "lambda":
            assert varnames[: code["argcount"]] == [a.arg for a in node.args.args]  # type: ignore[attr-defined]
        else:
            assert node.generators[0].target.id in varnames  # type: ignore[attr-defined]


# The decoder against dis: every column of every instruction of every code object.

_MANY = 300  # more than 256 constants, names and locals, so their args need EXTENDED_ARG
_DECODER_CORPUS = {
    "branches": """
        def branchy(x, y):
            if x > 0 and y is not None or x == -1:
                return "positive" if y else "other"
            while x < 10:
                x += 1
                if x % 3 == 0:
                    continue
                if x in (4, 5) or x not in {6, 7}:
                    break
            else:
                x = -x
            for item in y:
                if not item:
                    break
            else:
                return None
            return x < y <= 3 != x
        """,
    "exceptions": """
        import contextlib

        def guarded(path):
            try:
                handle = open(path)
            except (OSError, ValueError) as error:
                raise RuntimeError(path) from error
            else:
                return handle
            finally:
                print("done")
            with open(path) as first, contextlib.suppress(KeyError):
                return first.read()

        def grouped():
            try:
                pass
            except* KeyError as group:
                print(group)
            assert grouped, "message"
        """,
    "comprehensions": """
        def comprehend(items, scale=2):
            squares = [n * n for n in items if n % 2 == 0]
            table = {n: [m for m in range(n)] for n in items}
            unique = {n * scale for n in items}
            lazy = (n for n in items for m in range(n) if m)
            return squares, table, unique, sum(lazy)
        """,
    "strings": """
        def fmt(value, width, name="x"):
            plain = f"{value}"
            conversions = f"{value!r} {value!s} {value!a}"
            specs = f"{value:>10} {value!r:^{width}} {name=}"
            nested = f"{f'{value:{width}.{width}}'}"
            return plain + conversions + specs + nested + "%s" % (value,) + b"x".decode()
        """,
    "attributes_and_calls": """
        import os.path as osp
        from collections import OrderedDict as od, defaultdict

        class Base:
            def method(self, value, *, flag=False):
                return value

        class Child(Base):
            def method(self, value, *, flag=False):
                super().method(value, flag=flag)
                print(super().method, self.method(value).real)
                return Base.method(self, value, flag=not flag)

        def calls(*args, **kwargs):
            osp.join("a", "b", sep="/") if kwargs else len(args)
            od(a=1, **kwargs).update(*args)
            defaultdict(list)[0].append(max(args, key=abs, default=0))
            return sorted(args, reverse=True), print(*args, sep=", ", end="")
        """,
    "operators": """
        def arithmetic(a, b):
            a += b; a -= b; a *= b; a /= b; a //= b; a %= b; a **= b
            a <<= b; a >>= b; a &= b; a |= b; a ^= b; a @= b
            c = a + b - a * b / a // b % a ** b << a >> b & a | b ^ a @ b
            return -a, +b, ~c, not a, a[b], a[1:b], a[::2], (a, b) == (b, a)
        """,
    "closures": """
        counter = 0

        def outer(start):
            total = start
            global counter

            def inner(step=1, *, scale=2) -> int:
                nonlocal total
                total += step * scale
                counter = total
                return total

            def uses_class():
                return __class__ if False else None

            del start
            return inner, lambda x=total: x + total, uses_class
        """,
    "matching": """
        def match(command):
            match command:
                case [x, y, *rest] if x > y:
                    return rest
                case {"action": action, **extra}:
                    return action, extra
                case Point(x=0, y=0) | Point(1, 2):
                    return "origin"
                case str() as text:
                    return text
                case 1 | 2 | None:
                    return command
                case _:
                    return None
        """,
    "generators_and_async": """
        import asyncio

        def numbers(limit):
            received = yield from range(limit)
            sent = yield received
            yield -1
            return sent

        async def fetch(urls, lock):
            async with lock:
                results = [await asyncio.sleep(0, u) async for u in aiter(urls)]
            async for url in urls:
                try:
                    await asyncio.sleep(0)
                except asyncio.CancelledError:
                    raise
            return results, (x async for x in urls)
        """,
    "unpacking_and_walrus": """
        def unpack(pairs, extra):
            (a, b), *rest = pairs
            first, *middle, last = [*pairs, *extra]
            merged = {**dict(pairs), "key": a, **extra}
            if (n := len(rest)) > 10:
                return n
            x, y = y, x = a, b
            return {*rest}, first, middle, last, merged, x, y
        """,
    "extended_args": (
        "def many(flag):\n"
        + "".join(f"    local{i} = flag + {i}.5\n" for i in range(_MANY))
        + "    values = ["
        + ", ".join(f"name{i}.attr{i}" for i in range(_MANY))
        + "]\n"
        + "    if flag:\n"
        + "".join(f"        local{i} += local{_MANY - 1 - i}\n" for i in range(_MANY))
        + "    while flag:\n"
        + "".join(f"        flag -= local{i}\n" for i in range(_MANY))
        + "    return values\n"
    ),
}
if sys.version_info >= (3, 12):
    _DECODER_CORPUS["generics"] = """
        type Alias[K] = dict[K, list[K]]

        class Box[T: (int, str), *Ts, **P]:
            def get[U](self, default: U) -> T | U:
                return default

        def first[T](items: list[T]) -> T:
            return items[0]
        """

_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)


def _code_objects(code: CodeType) -> list[CodeType]:
    found = [code]
    for found_code in found:
        found.extend(c for c in found_code.co_consts if isinstance(c, CodeType))
    return found


def _dis_columns(code: CodeType) -> dict[str, Sequence[object]]:
    bytecode = dis.Bytecode(code)
    instructions = list(bytecode)
    return {
        "offset": [i.offset for i in instructions],
        "opcode": [i.opcode for i in instructions],
        "opname": [i.opname for i in instructions],
        "arg": [i.arg for i in instructions],
        "argrepr": [i.argrepr for i in instructions],
        "target": [i.argval if i.opcode in _JUMPS else None for i in instructions],
        "is_jump_target": [i.is_jump_target for i in instructions],
        "positions": [tuple(i.positions) for i in instructions],  # type: ignore[arg-type]
        "exception_table": [
            (e.start, e.end, e.target, e.depth, e.lasti)
            for e in bytecode.exception_entries  # type: ignore[attr-defined]
        ],
    }


def _decoded_columns(code: CodeType) -> dict[str, Sequence[object]]:
    # With repr as the constants' text, every argrepr must be dis's own.
    decoded = decode(code, [repr(c) for c in code.co_consts])
    return {
        "offset": decoded.offsets,
        "opcode": decoded.opcodes,
        "opname": decoded.opnames,
        "arg": decoded.args,
        "argrepr": decoded.argreprs,
        "target": decoded.targets,
        "is_jump_target": decoded.is_jump_target,
        "positions": decoded.positions,
        "exception_table": [
            (e.start, e.end, e.target, e.depth, e.lasti) for e in decoded.exception_ranges
        ],
    }


def _assert_decodes_as_dis(code: CodeType) -> None:
    for each in _code_objects(code):
        expected = _dis_columns(each)
        got = _decoded_columns(each)
        for column, values in expected.items():
            assert got[column] == values, (each.co_qualname, column)


@pytest.mark.parametrize("name", sorted(_DECODER_CORPUS))
def test_decoder_matches_dis(name: str) -> None:
    text = textwrap.dedent(_DECODER_CORPUS[name])
    _assert_decodes_as_dis(compile(text, f"{name}.py", "exec", dont_inherit=True))


@pytest.mark.parametrize(
    "module", ["argparse", "dis", "asyncio.base_events", "email._header_value_parser", "typing"]
)
def test_decoder_matches_dis_on_stdlib_modules(module: str) -> None:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin)
    _assert_decodes_as_dis(compile(path.read_bytes(), str(path), "exec", dont_inherit=True))


def test_decoder_corpus_covers_the_intricate_arguments() -> None:
    """The corpus reaches every argrepr rule of the running version, so the tests above check them."""
    rows = [
        (i.opname, i.arg, i.argrepr, i.opcode in _JUMPS)
        for text in _DECODER_CORPUS.values()
        for code in _code_objects(compile(textwrap.dedent(text), "corpus.py", "exec"))
        for i in dis.Bytecode(code)
    ]
    opnames = {row[0] for row in rows}
    expected = {
        "EXTENDED_ARG", "COMPARE_OP", "BINARY_OP", "LOAD_GLOBAL", "LOAD_ATTR", "LOAD_CONST",
        "LOAD_DEREF", "STORE_DEREF", "MAKE_CELL", "DELETE_FAST", "FOR_ITER",
        "SEND", "JUMP_BACKWARD", "JUMP_FORWARD", "MATCH_CLASS", "MATCH_MAPPING", "IMPORT_FROM",
    }  # fmt: skip
    if sys.version_info < (3, 12):
        expected |= {"KW_NAMES", "LOAD_METHOD", "FORMAT_VALUE", "MAKE_FUNCTION"}
    else:
        expected |= {"LOAD_SUPER_ATTR", "CALL_INTRINSIC_1", "CALL_INTRINSIC_2", "RETURN_CONST"}
    if sys.version_info < (3, 13):
        expected |= {"LOAD_CLOSURE"}  # 3.13 loads cells with LOAD_FAST
    else:
        expected |= {"CONVERT_VALUE", "SET_FUNCTION_ATTRIBUTE", "LOAD_FAST_LOAD_FAST"}
        expected |= {"STORE_FAST_LOAD_FAST", "STORE_FAST_STORE_FAST"}
    assert expected <= opnames, expected - opnames
    texts = {(opname, text) for opname, _, text, _ in rows}
    nulls = {opname for opname, text in texts if "NULL" in text}
    if sys.version_info < (3, 12):
        assert nulls == {"LOAD_GLOBAL"}
    else:
        assert nulls == {"LOAD_GLOBAL", "LOAD_ATTR", "LOAD_SUPER_ATTR"}
    if sys.version_info < (3, 13):
        assert {("MAKE_FUNCTION", "defaults, closure"), ("FORMAT_VALUE", "repr, with format")} <= texts
    else:  # one SET_FUNCTION_ATTRIBUTE per flag
        assert {("SET_FUNCTION_ATTRIBUTE", "defaults"), ("SET_FUNCTION_ATTRIBUTE", "closure")} <= texts
        assert {("CONVERT_VALUE", "repr"), ("COMPARE_OP", "bool(>)")} <= texts
    assert any(jump and (arg or 0) > 255 for _, arg, _, jump in rows)  # a jump with EXTENDED_ARG


def test_decoder_refuses_code_whose_caches_are_not_zero() -> None:
    # CPython's co_code always zeroes the caches, so only a stand-in can break that.
    function = compile("def f(): return len", "m.py", "exec").co_consts[0]
    offset = next(i.offset for i in dis.Bytecode(function) if i.opname == "LOAD_GLOBAL")
    raw = bytearray(function.co_code)
    raw[offset + 2] = dis.opmap["NOP"]  # the first cache entry of LOAD_GLOBAL
    fake = SimpleNamespace(co_code=bytes(raw), co_qualname="f")
    with pytest.raises(ValueError, match="caches"):
        decode(fake, [])  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_exception_table_parses_as_dis_parses_it(table: bytes) -> None:
    expected = [
        (e.start, e.end, e.target, e.depth, e.lasti)
        for e in dis._parse_exception_table(SimpleNamespace(co_exceptiontable=table))  # type: ignore[attr-defined]
    ]
    got = [(e.start, e.end, e.target, e.depth, e.lasti) for e in exception_ranges(table)]
    assert got == expected
