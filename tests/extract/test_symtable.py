"""The symtable layer: scopes, symbol flags, links to ast node IDs, errors, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import symtable
import sys
import textwrap

import pytest

from codeanatomy.extract._ast_index import ast_index_of
from codeanatomy.extract._base import ExtractOptions, LayerOutput
from codeanatomy.extract.symtable import LAYER, SCOPE_TYPES, SCOPES, SYMBOLS, extract
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for

OPTS = ExtractOptions()
FLAG_NAMES = tuple(f.name for f in SYMBOLS.schema if f.name.startswith("is_"))  # symtable.Symbol methods

SNIPPET = """\
import os
from collections import abc as collections_abc

counter: int = 0


def decorate(func):
    return func


@decorate
def outer(a, /, b: int = 2, *args, c, **kwargs) -> str:
    total = 1

    def inner():
        nonlocal total
        global counter
        total += 1
        counter = os.sep
        return [i * total for i in range(3)]

    return inner


class Box(object):
    size: int = 3
    label = "box"

    def method(self):
        return __class__, self.size

    key = lambda item: item


squares = {k: v for k, v in []}
nested = (a for a in (b for b in range(2)))
make = lambda: lambda: 0
"""


def _source(text: str, path: str = "pkg/mod.py", module: str = "pkg.mod") -> SourceFile:
    return SourceFile(path, file_id_for(path), module, textwrap.dedent(text).encode())


def _run(text: str) -> LayerOutput:
    out = extract(_source(text), OPTS)
    assert out.errors == ()
    return out


def _scopes(out: LayerOutput) -> list[dict[str, object]]:
    return out.tables[SCOPES.name].to_pylist()


def _symbols(out: LayerOutput, qualname: str) -> dict[str, dict[str, object]]:
    scopes = [s for s in _scopes(out) if s["qualname"] == qualname]
    assert len(scopes) == 1, qualname
    rows = out.tables[SYMBOLS.name].to_pylist()
    return {r["name"]: r for r in rows if r["scope_id"] == scopes[0]["scope_id"]}


def _flags(row: dict[str, object]) -> set[str]:
    return {k for k, v in row.items() if k.startswith("is_") and v}


def test_layer_declares_its_tables() -> None:
    assert LAYER.name == "symtable"
    assert [t.name for t in LAYER.tables] == ["symtable_scopes", "symtable_symbols"]
    for spec in LAYER.tables:
        assert spec.schema.field(0).name == "file_id"


def test_output_matches_declared_schemas() -> None:
    out = _run(SNIPPET)
    assert set(out.tables) == {SCOPES.name, SYMBOLS.name}
    for spec in LAYER.tables:
        table = out.tables[spec.name]
        assert table.schema.equals(spec.schema), spec.name
        assert table.num_rows > 0
    file_id = file_id_for("pkg/mod.py")
    assert set(out.tables[SCOPES.name].column("file_id").to_pylist()) == {file_id}
    assert set(out.tables[SCOPES.name].column("type").to_pylist()) <= set(SCOPE_TYPES)


def test_scopes_have_types_and_qualified_paths() -> None:
    scopes = _scopes(_run(SNIPPET))
    got = [(s["type"], s["name"], s["qualname"], s["line"]) for s in scopes]
    expected_311 = [
        ("module", "top", "pkg.mod", None),
        ("function", "decorate", "pkg.mod.decorate", 7),
        ("function", "outer", "pkg.mod.outer", 12),
        ("function", "inner", "pkg.mod.outer.inner", 15),
        ("comprehension", "listcomp", "pkg.mod.outer.inner.<listcomp1>", 20),
        ("class", "Box", "pkg.mod.Box", 25),
        ("function", "method", "pkg.mod.Box.method", 29),
        ("lambda", "lambda", "pkg.mod.Box.<lambda1>", 32),
        ("comprehension", "dictcomp", "pkg.mod.<dictcomp1>", 35),
        # symtable enters the inner generator (the outer one's iterable) first
        ("comprehension", "genexpr", "pkg.mod.<genexpr2>", 36),
        ("comprehension", "genexpr", "pkg.mod.<genexpr1>", 36),
        ("lambda", "lambda", "pkg.mod.<lambda1>", 37),
        ("lambda", "lambda", "pkg.mod.<lambda1>.<lambda1>", 37),
    ]
    if sys.version_info >= (3, 12):  # PEP 709 inlines list/set/dict comprehensions
        expected_311 = [e for e in expected_311 if e[1] not in {"listcomp", "dictcomp"}]
    assert got == expected_311
    ids = [s["scope_id"] for s in scopes]
    assert len(set(ids)) == len(ids)
    by_id = {s["scope_id"]: s for s in scopes}
    assert scopes[0]["parent_scope_id"] is None
    for scope in scopes[1:]:
        parent = by_id[scope["parent_scope_id"]]
        assert str(scope["qualname"]).startswith(str(parent["qualname"]) + ".")


def test_every_definition_joins_to_exactly_one_scope() -> None:
    source = _source(SNIPPET)
    out = extract(source, OPTS)
    index = ast_index_of(source)
    scopes = _scopes(out)
    by_node = {s["node_id"]: s for s in scopes}
    assert all(s["node_id"] is not None for s in scopes)
    assert len(by_node) == len(scopes)
    kind_of_type = {
        "module": "MODULE",
        "class": "CLASS",
        "function": "FUNCTION",
        "lambda": "FUNCTION",
    }
    definitions = [r for r, k in enumerate(index.kind) if k in {"MODULE", "CLASS", "FUNCTION"}]
    assert len(definitions) == 9
    for row in definitions:
        scope = by_node[index.node_id[row]]
        assert kind_of_type[str(scope["type"])] == index.kind[row]
        assert (scope["bstart"], scope["bend"]) == (index.bstart[row], index.bend[row])
        if index.kind[row] != "MODULE":
            assert scope["qualname"] == index.qualname[row]
    for scope in scopes:
        if scope["type"] == "comprehension":
            row = index.node_id.index(str(scope["node_id"]))
            assert index.ast_type[row] in {"ListComp", "SetComp", "DictComp", "GeneratorExp"}


def test_nested_generators_link_to_their_own_nodes() -> None:
    source = _source(SNIPPET)
    index = ast_index_of(source)
    out = extract(source, OPTS)
    for qualname, target in [("pkg.mod.<genexpr1>", "a"), ("pkg.mod.<genexpr2>", "b")]:
        scope = next(s for s in _scopes(out) if s["qualname"] == qualname)
        assert target in _symbols(out, qualname)
        row = index.node_id.index(str(scope["node_id"]))
        node_text = source.data[index.bstart[row] : index.bend[row]]
        assert node_text.startswith(f"({target} for {target} in".encode())


def test_closure_nonlocal_and_global_flags() -> None:
    out = _run(SNIPPET)
    inner = _symbols(out, "pkg.mod.outer.inner")
    assert _flags(inner["total"]) == {"is_nonlocal", "is_free", "is_assigned"}
    assert _flags(inner["counter"]) >= {"is_global", "is_declared_global", "is_assigned"}
    assert not inner["counter"]["is_local"]
    assert _flags(inner["os"]) == {"is_referenced", "is_global"}
    assert not inner["os"]["is_declared_global"]
    outer = _symbols(out, "pkg.mod.outer")
    assert _flags(outer["total"]) == {"is_local", "is_assigned"}
    for name in ("a", "b", "c", "args", "kwargs"):
        assert outer[name]["is_parameter"] and outer[name]["is_local"]
    assert outer["inner"]["is_namespace"]
    assert not outer["b"]["is_annotated"]  # parameter annotations are not symbol annotations


def test_module_symbols_imports_annotations_and_namespaces() -> None:
    source = _source(SNIPPET)
    index = ast_index_of(source)
    out = extract(source, OPTS)
    module = _symbols(out, "pkg.mod")
    assert _flags(module["os"]) >= {"is_imported", "is_local", "is_global"}
    assert module["collections_abc"]["is_imported"]
    assert "abc" not in module
    assert module["counter"]["is_annotated"]
    assert module["int"]["is_referenced"] and not module["int"]["is_assigned"]
    outer_row = next(r for r, q in enumerate(index.qualname) if q == "pkg.mod.outer")
    assert module["outer"]["is_namespace"]
    assert module["outer"]["namespace_node_ids"] == [index.node_id[outer_row]]
    assert module["squares"]["namespace_node_ids"] == []


def test_class_body_and_method_symbols() -> None:
    out = _run(SNIPPET)
    body = _symbols(out, "pkg.mod.Box")
    assert _flags(body["size"]) == {"is_local", "is_assigned", "is_annotated"}
    assert body["method"]["is_namespace"] and body["method"]["is_local"]
    assert body["key"]["is_assigned"]
    method = _symbols(out, "pkg.mod.Box.method")
    assert method["self"]["is_parameter"]
    assert method["__class__"]["is_free"]
    key = _symbols(out, "pkg.mod.Box.<lambda1>")
    assert _flags(key["item"]) == {"is_referenced", "is_parameter", "is_local"}


def test_comprehension_scope_symbols() -> None:
    out = _run(SNIPPET)
    outer_generator = _symbols(out, "pkg.mod.<genexpr1>")
    assert outer_generator[".0"]["is_parameter"]
    assert _flags(outer_generator["a"]) == {"is_referenced", "is_local", "is_assigned"}
    inner = _symbols(out, "pkg.mod.outer.inner")
    if sys.version_info < (3, 12):
        listcomp = _symbols(out, "pkg.mod.outer.inner.<listcomp1>")
        assert listcomp["total"]["is_free"]
        assert "i" not in inner
    else:
        assert "i" in inner


def test_redefined_functions_get_distinct_scope_ids() -> None:
    out = _run(
        """\
        def twice():
            pass
        def twice():
            pass
        """
    )
    scopes = [s for s in _scopes(out) if s["name"] == "twice"]
    assert [s["qualname"] for s in scopes] == ["pkg.mod.twice", "pkg.mod.twice"]
    assert scopes[0]["scope_id"] != scopes[1]["scope_id"]
    assert scopes[0]["node_id"] != scopes[1]["node_id"]


def test_definition_named_like_a_comprehension_scope() -> None:
    out = _run("def genexpr(): return (x for x in ())\n")
    kinds = [(s["type"], s["name"]) for s in _scopes(out)]
    assert kinds == [("module", "top"), ("function", "genexpr"), ("comprehension", "genexpr")]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 scopes exist from Python 3.12")
def test_type_parameter_scopes_link_to_generic_definitions() -> None:
    source = _source(
        """\
        def first[T: int](items: list[T]) -> T:
            return items[0]
        type Pair[K] = tuple[K, K]
        """
    )
    index = ast_index_of(source)
    out = extract(source, OPTS)
    assert out.errors == ()
    scopes = {(s["type"], s["qualname"]): s for s in _scopes(out)}
    first = next(r for r, q in enumerate(index.qualname) if q == "pkg.mod.first")
    params = scopes[("type_parameters", "pkg.mod.first.<type_params>")]
    function = scopes[("function", "pkg.mod.first")]
    assert params["node_id"] == function["node_id"] == index.node_id[first]
    assert function["parent_scope_id"] == params["scope_id"]
    bound = scopes[("type_variable", "pkg.mod.first.<type_params>.T")]
    assert index.ast_type[index.node_id.index(str(bound["node_id"]))] == "TypeVar"
    alias = scopes[("type_alias", "pkg.mod.Pair")]
    assert index.ast_type[index.node_id.index(str(alias["node_id"]))] == "TypeAlias"


def test_syntax_error_is_reported_not_raised() -> None:
    out = extract(_source("def broken(:\n    pass\n"), OPTS)
    assert [(e.layer, e.error_type, e.line) for e in out.errors] == [("symtable", "SyntaxError", 1)]
    for spec in LAYER.tables:
        assert out.tables[spec.name].schema.equals(spec.schema)
        assert out.tables[spec.name].num_rows == 0


def test_symtable_only_error_is_reported() -> None:
    out = extract(_source("def f(x):\n    global x\n"), OPTS)
    assert [(e.layer, e.error_type) for e in out.errors] == [("symtable", "SyntaxError")]
    assert "parameter and global" in out.errors[0].message


def test_bad_encoding_is_reported() -> None:
    source = SourceFile(
        "pkg/latin.py", file_id_for("pkg/latin.py"), "pkg.latin", b"name = '\xe9'\n"
    )
    out = extract(source, OPTS)
    assert [(e.layer, e.error_type) for e in out.errors] == [("symtable", "UnicodeDecodeError")]
    assert out.tables[SCOPES.name].num_rows == 0


def test_declared_encoding_is_honoured() -> None:
    data = b"# -*- coding: latin-1 -*-\nname = '\xe9'\n"
    source = SourceFile("pkg/latin.py", file_id_for("pkg/latin.py"), "pkg.latin", data, "latin-1")
    out = extract(source, OPTS)
    assert out.errors == ()
    assert "name" in [r["name"] for r in out.tables[SYMBOLS.name].to_pylist()]


def test_deep_nesting_is_reported() -> None:
    out = extract(_source("x = " + "1 + " * 20000 + "1\n"), OPTS)
    assert [(e.layer, e.error_type) for e in out.errors] == [("symtable", "RecursionError")]
    assert out.tables[SYMBOLS.name].num_rows == 0


def test_output_is_deterministic() -> None:
    first = extract(_source(SNIPPET), OPTS)
    second = extract(_source(SNIPPET), OPTS)
    for spec in LAYER.tables:
        assert first.tables[spec.name].equals(second.tables[spec.name])


CLASS_FREE_NAMES = """\
def start():
    class Handler: ...
    class Server: ...
    import email, http, threading
    class Worker(threading.Thread):
        def run(self):
            return Handler, Server, email, http, threading
    return Worker
"""

_SYMBOLS_AS_JSON = """\
import json, sys
from codeanatomy.extract._base import ExtractOptions
from codeanatomy.extract.symtable import SYMBOLS, extract
from codeanatomy.source import SourceFile
source = SourceFile("m.py", "f", "m", sys.stdin.buffer.read())
print(json.dumps(extract(source, ExtractOptions()).tables[SYMBOLS.name].to_pylist()))
"""


def test_symbol_order_does_not_follow_the_string_hash_seed() -> None:
    # CPython adds a class body's free names (``Handler``... used by ``run``) from a
    # set: their order changes with PYTHONHASHSEED unless the layer fixes it.
    outputs = {
        subprocess.run(
            [sys.executable, "-c", _SYMBOLS_AS_JSON],
            input=CLASS_FREE_NAMES.encode(),
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            check=True,
        ).stdout
        for seed in range(1, 6)
    }
    assert len(outputs) == 1
    rows = json.loads(outputs.pop())
    (worker,) = {r["scope_id"] for r in rows if r["name"] == "run"}
    names = [r["name"] for r in rows if r["scope_id"] == worker]
    assert names == ["Handler", "Server", "email", "http", "run", "threading"]


NESTED_ON_ONE_LINE = """\
chain = lambda x=lambda y=lambda z=1: z: y(): x()
grid = ((y for y in (x, x + 1)) for x in (1, 3))
"""


def test_scopes_nested_on_one_line_link_to_their_own_nodes() -> None:
    source = _source(NESTED_ON_ONE_LINE)
    index = ast_index_of(source)
    out = extract(source, OPTS)
    symbols = out.tables[SYMBOLS.name].to_pylist()
    checked = 0
    for scope in _scopes(out):
        if scope["type"] not in {"lambda", "comprehension"}:
            continue
        node = index.nodes[index.node_id.index(str(scope["node_id"]))]
        own = {
            s["name"] for s in symbols if s["scope_id"] == scope["scope_id"] and s["is_assigned"]
        }
        params = {
            s["name"] for s in symbols if s["scope_id"] == scope["scope_id"] and s["is_parameter"]
        }
        if scope["type"] == "lambda":
            assert params == {a.arg for a in node.args.args}  # type: ignore[attr-defined]
        else:
            assert own == {node.generators[0].target.id}  # type: ignore[attr-defined]
        checked += 1
    assert checked == 5


def test_symbol_flags_and_namespaces_are_the_symtable_modules() -> None:
    # The layer builds Symbols itself (CPython's lookup is quadratic in child scopes):
    # every flag and namespace must still be what ``SymbolTable.get_symbols`` reports.
    text = textwrap.dedent(
        """\
        import os as top
        def f(): pass
        def f(x): return x
        class f: pass
        g = lambda: (lambda: 0)
        def top():
            global counter
            counter = 1
            def top(): return top
            return [top for top in range(2)]
        class C:
            def m(self): return __class__
            m = property(m)
        """
    )
    source = _source(text)
    out = _run(text)
    rows = out.tables[SYMBOLS.name].to_pylist()
    scopes = {s["scope_id"]: s for s in _scopes(out)}
    expected: list[tuple[object, ...]] = []
    stack = [symtable.symtable(source.text(), source.path, "exec")]
    while stack:
        table = stack.pop()
        stack.extend(table.get_children())
        for symbol in table.get_symbols():
            flags = tuple(getattr(symbol, flag)() for flag in FLAG_NAMES)
            expected.append((table.get_name(), table.get_lineno(), symbol.get_name(), flags, len(symbol.get_namespaces())))
    actual = [
        (
            scopes[r["scope_id"]]["name"],
            scopes[r["scope_id"]]["line"] or 0,
            r["name"],
            tuple(r[flag] for flag in FLAG_NAMES),
            len(r["namespace_node_ids"]),
        )
        for r in rows
    ]
    assert sorted(actual, key=repr) == sorted(expected, key=repr)
    assert len(actual) >= 14  # 3.12+ inline the list comprehension
