"""Name bindings: every rule of Python's scoping, pinned on small snippets, then checked
against CPython's ``symtable`` on tricky code, generated programs and stdlib files."""

from __future__ import annotations

import ast
import symtable
import sys
import sysconfig
import textwrap
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from codeanatomy.extract._ast_index import ast_index_of
from codeanatomy.resolve._bindings_resolve import IMPLICIT_CLASS_NAMES, bind_file
from codeanatomy.resolve._bindings_scopes import FileScopes, collect_scopes
from codeanatomy.resolve.bindings import (
    BINDING_SITES,
    BINDING_TABLES,
    NAME_REFS,
    VARIABLES,
    extract_bindings,
)
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for, stable_id

MODULE = "mod"


def source_of(code: str, path: str = "mod.py", module: str = MODULE) -> SourceFile:
    return SourceFile(path, file_id_for(path), module, textwrap.dedent(code).encode())


def tables(code: str) -> dict[str, pa.Table]:
    output = extract_bindings(source_of(code))
    assert output.errors == ()
    return dict(output.tables)


def refs(code: str) -> list[str]:
    """One readable line per REFERS_TO row: ``line:col name -> target_scope target``.

    Targets read as ``VARIABLE <qualname>``, ``<KIND> <qualname>`` for definitions,
    ``IMPORT <name>@<line>``, ``EXTERNAL builtins.<name>``, or ``unresolved``
    (``unresolved *`` when a star import may bind it).
    """
    source = source_of(code)
    index = ast_index_of(source)
    out = tables(code)
    readable: dict[str, str] = {}
    for row in out["variables"].to_pylist():
        readable[row["node_id"]] = f"VARIABLE {row['qualname']}"
    for row, node_id in enumerate(index.node_id):
        kind = index.kind[row]
        if kind == "IMPORT":
            readable[node_id] = f"IMPORT {index.name[row]}@{index.line[row]}"
        elif kind in {"FUNCTION", "CLASS", "PARAMETER"}:
            readable[node_id] = f"{kind} {index.qualname[row]}"
        elif index.ast_type[row] in {"TypeVar", "ParamSpec", "TypeVarTuple"}:
            readable[node_id] = f"TYPE_PARAM {index.name[row] or index.nodes[row].name}"  # type: ignore[attr-defined]
    lines = []
    for row in out["name_refs"].to_pylist():
        where = f"{row['line']}:{row['col']} {row['name']}"
        if row["use_kind"] != "load":
            where += f" ({row['use_kind']})"
        if row["unresolved"]:
            lines.append(f"{where} -> unresolved" + (" *" if row["star_import_candidate"] else ""))
        elif row["is_builtin"]:
            assert row["target_node_id"] == stable_id("EXTERNAL", f"builtins.{row['builtin_name']}")
            star = " *" if row["star_import_candidate"] else ""
            lines.append(f"{where} -> builtin EXTERNAL builtins.{row['builtin_name']}{star}")
        else:
            target = readable[row["target_node_id"]]
            lines.append(f"{where} -> {row['target_scope']} {target}")
    return lines


def sites(code: str) -> list[str]:
    """One readable line per binding site: ``line form name -> target kind``."""
    out = tables(code)
    qualname = {row["node_id"]: row["qualname"] for row in out["variables"].to_pylist()}
    lines = []
    for row in out["binding_sites"].to_pylist():
        target = qualname.get(row["target_node_id"], row["target_kind"])
        lines.append(f"{row['line']} {row['form']} {row['name']} -> {target}")
    return lines


# --- tables, errors, determinism ------------------------------------------------------


SAMPLE = """
import os, os.path as osp
from collections import *
x: int = len(os.sep)
class C(object):
    attr = x
    def method(self, a, *args, b=attr, **kw):
        global x
        x += a
        return [y for y in args if (found := y)], found, __class__
def gen():
    try:
        pass
    except OSError as err:
        del err
    with open(__file__) as handle:
        for i, (j, k) in enumerate(handle):
            match i:
                case [first, *rest] | {"k": first, **rest}:
                    print(first, rest, undefined_name)
                case _:
                    pass
gen()
"""


def test_tables_match_their_declared_schemas() -> None:
    out = tables(SAMPLE)
    assert [spec.name for spec in BINDING_TABLES] == list(out)
    for spec in BINDING_TABLES:
        assert out[spec.name].schema == spec.schema
        assert out[spec.name].num_rows > 0
        assert spec.path == f"resolve/{spec.name}"
    file_id = file_id_for("mod.py")
    for table in out.values():
        assert set(table.column("file_id").to_pylist()) == {file_id}
    # IDs are unique where they identify a node.
    variable_ids = out["variables"].column("node_id").to_pylist()
    assert len(variable_ids) == len(set(variable_ids))


def test_spans_point_at_the_names_they_describe() -> None:
    source = source_of(SAMPLE)
    out = extract_bindings(source).tables
    data = source.data
    for row in out["name_refs"].to_pylist():
        assert data[row["bstart"] : row["bend"]].decode() == row["name"]
    spans = {}
    for row in out["variables"].to_pylist():
        text = None if row["bstart"] is None else data[row["bstart"] : row["bend"]].decode()
        spans[row["qualname"]] = text.split()[0] if text else text
    assert spans == {
        "mod.x": "x",
        "mod.C.attr": "attr",
        "mod.C.method.<listcomp>.y": "y",
        "mod.C.method.found": "found",
        "mod.gen.err": "except",  # the handler: ``err`` has no node of its own
        "mod.gen.handle": "handle",
        "mod.gen.i": "i",
        "mod.gen.j": "j",
        "mod.gen.k": "k",
        "mod.gen.first": "first",  # the capture pattern
        "mod.gen.rest": "*rest",
        "mod.__file__": None,  # implicit: bound by the import system
    }


def test_variable_ids_follow_the_declared_formula() -> None:
    out = tables("def f():\n    v = 1\n")
    (row,) = out["variables"].to_pylist()
    assert row["node_id"] == stable_id(file_id_for("mod.py"), "VARIABLE", row["scope_node_id"], "v")
    assert row["qualname"] == "mod.f.v"


def test_tables_agree_with_each_other() -> None:
    out = tables(SAMPLE)
    scope_of = {row["node_id"]: row["scope_node_id"] for row in out["variables"].to_pylist()}
    site_targets = {row["target_node_id"] for row in out["binding_sites"].to_pylist()}
    assert set(scope_of) <= site_targets  # every VARIABLE has a binding site
    for row in out["binding_sites"].to_pylist():
        if row["target_kind"] == "VARIABLE":
            assert row["target_node_id"] in scope_of
    kinds = set()
    for row in out["name_refs"].to_pylist():
        kinds.add(row["target_kind"])
        if row["target_kind"] == "VARIABLE":
            assert row["target_scope_node_id"] == scope_of[row["target_node_id"]]
        if row["target_kind"] in {"VARIABLE", "FUNCTION", "CLASS", "PARAMETER", "IMPORT"}:
            assert row["target_node_id"] in site_targets
    assert kinds == {"VARIABLE", "FUNCTION", "CLASS", "PARAMETER", "IMPORT", "EXTERNAL", None}


def test_same_input_gives_identical_tables() -> None:
    first = extract_bindings(source_of(SAMPLE)).tables
    second = extract_bindings(source_of(SAMPLE)).tables
    for name in first:
        assert first[name].equals(second[name])


@pytest.mark.parametrize(
    ("data", "error_type"),
    [
        (b"def f(:\n    pass\n", "SyntaxError"),
        (b"x = '\xff\xfe'\n", "SyntaxError"),
        (b"# -*- coding: uft-8 -*-\nx = 1\n", "SyntaxError"),
        (b"x = " + b"(" * 300 + b")" * 300 + b"\n", "SyntaxError"),
        (b"x = " + b"+".join([b"1"] * 200_000) + b"\n", "RecursionError"),
    ],
)
def test_bad_files_give_an_error_row_and_empty_tables(data: bytes, error_type: str) -> None:
    output = extract_bindings(SourceFile("bad.py", file_id_for("bad.py"), "bad", data))
    (error,) = output.errors
    assert (error.path, error.layer, error.error_type) == ("bad.py", "bindings", error_type)
    for spec in BINDING_TABLES:
        assert output.tables[spec.name].num_rows == 0
        assert output.tables[spec.name].schema == spec.schema


def test_deeply_nested_code_that_parses_is_bound_without_recursion() -> None:
    depth = 90
    code = "".join("    " * i + f"def f{i}(a{i}):\n" for i in range(depth))
    code += "    " * depth + "return " + " + ".join(f"a{i}" for i in range(depth)) + "\n"
    out = tables(code)
    targets = out["name_refs"].column("target_scope").to_pylist()
    assert targets == ["enclosing"] * (depth - 1) + ["local"]


# --- the rules ------------------------------------------------------------------------


def test_local_enclosing_global_and_builtin() -> None:
    code = """
    import os
    top = 1
    def outer(p):
        mid = p
        def inner():
            return mid, top, os, len, p, outer
        return inner
    """
    assert refs(code) == [
        "5:10 p -> local PARAMETER mod.outer.p",
        "7:15 mid -> enclosing VARIABLE mod.outer.mid",
        "7:20 top -> global VARIABLE mod.top",
        "7:25 os -> global IMPORT os@2",
        "7:29 len -> builtin EXTERNAL builtins.len",
        "7:34 p -> enclosing PARAMETER mod.outer.p",
        "7:37 outer -> global FUNCTION mod.outer",
        "8:11 inner -> local FUNCTION mod.outer.inner",
    ]


def test_class_body_is_not_visible_from_methods() -> None:
    code = """
    attr = "module"
    class C:
        attr = 1
        copy = attr
        def method(self, default=attr):
            return attr
        @staticmethod
        def other():
            return C, method
    """
    assert refs(code) == [
        "5:11 attr -> class VARIABLE mod.C.attr",
        "6:29 attr -> class VARIABLE mod.C.attr",
        "7:15 attr -> global VARIABLE mod.attr",
        "8:5 staticmethod -> builtin EXTERNAL builtins.staticmethod",
        "10:15 C -> global CLASS mod.C",
        "10:18 method -> unresolved",
    ]


def test_class_comprehension_sees_the_class_only_in_its_first_iterable() -> None:
    code = """
    class C:
        xs = [1]
        ys = [x + len(xs) for x in xs for z in xs]
    """
    assert refs(code) == [
        "4:10 x -> local VARIABLE mod.C.<listcomp>.x",
        "4:14 len -> builtin EXTERNAL builtins.len",
        "4:18 xs -> unresolved",
        "4:31 xs -> class VARIABLE mod.C.xs",
        "4:43 xs -> unresolved",
    ]


def test_class_nested_in_a_function_reads_the_functions_locals() -> None:
    code = """
    def factory():
        size = 1
        class Sized:
            width = size
            def get(self):
                return size, width
        return Sized
    """
    assert refs(code) == [
        "5:16 size -> enclosing VARIABLE mod.factory.size",
        "7:19 size -> enclosing VARIABLE mod.factory.size",
        "7:25 width -> unresolved",
        "8:11 Sized -> local CLASS mod.factory.Sized",
    ]


def test_nonlocal_chains_reach_the_function_that_binds() -> None:
    code = """
    def a():
        count = 0
        def b():
            nonlocal count
            count += 1
            def c():
                nonlocal count
                count = count * 2
                return count
            return c
        return b
    """
    assert refs(code) == [
        "6:8 count (augassign) -> enclosing VARIABLE mod.a.count",
        "9:20 count -> enclosing VARIABLE mod.a.count",
        "10:19 count -> enclosing VARIABLE mod.a.count",
        "11:15 c -> local FUNCTION mod.a.b.c",
        "12:11 b -> local FUNCTION mod.a.b",
    ]
    assert sites(code) == [
        "2 def a -> FUNCTION",
        "3 assign count -> mod.a.count",
        "4 def b -> FUNCTION",
        "6 augassign count -> mod.a.count",
        "7 def c -> FUNCTION",
        "9 assign count -> mod.a.count",
        "5 nonlocal_decl count -> mod.a.count",
        "8 nonlocal_decl count -> mod.a.count",
    ]


def test_global_in_a_nested_function_binds_the_module_variable() -> None:
    code = """
    def outer():
        state = "local"
        def set_state():
            global state
            state = "global"
        def read():
            return state
        return set_state, read
    print(state)
    """
    assert refs(code) == [
        "8:15 state -> enclosing VARIABLE mod.outer.state",
        "9:11 set_state -> local FUNCTION mod.outer.set_state",
        "9:22 read -> local FUNCTION mod.outer.read",
        "10:0 print -> builtin EXTERNAL builtins.print",
        "10:6 state -> global VARIABLE mod.state",
    ]
    kinds = {row["qualname"]: row["binding_kind"] for row in tables(code)["variables"].to_pylist()}
    assert kinds == {"mod.outer.state": "local", "mod.state": "global"}


def test_global_declared_in_an_enclosing_function_reaches_nested_uses() -> None:
    code = """
    flag = 0
    def outer():
        global flag
        flag = 1
        def inner():
            return flag
    """
    assert refs(code) == ["7:15 flag -> global VARIABLE mod.flag"]


def test_comprehension_variables_do_not_leak() -> None:
    code = """
    def f(items):
        squares = [item * item for item in items]
        pairs = {k: v for k, v in items}
        total = sum(n for n in items)
        return item, k, n
    """
    assert refs(code) == [
        "3:15 item -> local VARIABLE mod.f.<listcomp>.item",
        "3:22 item -> local VARIABLE mod.f.<listcomp>.item",
        "3:39 items -> local PARAMETER mod.f.items",
        "4:13 k -> local VARIABLE mod.f.<dictcomp>.k",
        "4:16 v -> local VARIABLE mod.f.<dictcomp>.v",
        "4:30 items -> local PARAMETER mod.f.items",
        "5:12 sum -> builtin EXTERNAL builtins.sum",
        "5:16 n -> local VARIABLE mod.f.<genexpr>.n",
        "5:27 items -> local PARAMETER mod.f.items",
        "6:11 item -> unresolved",
        "6:17 k -> unresolved",
        "6:20 n -> unresolved",
    ]
    scopes = {row["qualname"]: row["scope_kind"] for row in tables(code)["variables"].to_pylist()}
    assert scopes["mod.f.<listcomp>.item"] == "comprehension"


def test_nested_comprehensions_read_outer_iteration_variables() -> None:
    code = "grid = [[row * col for col in range(row)] for row in range(3)]\n"
    assert refs(code) == [
        "1:9 row -> enclosing VARIABLE mod.<listcomp>.row",
        "1:15 col -> local VARIABLE mod.<listcomp>.<listcomp>.col",
        "1:30 range -> builtin EXTERNAL builtins.range",
        "1:36 row -> local VARIABLE mod.<listcomp>.row",
        "1:53 range -> builtin EXTERNAL builtins.range",
    ]


def test_walrus_in_a_comprehension_binds_in_the_function() -> None:
    code = """
    def first_long(words):
        if any((hit := w) for w in words if len(w) > 3):
            return hit
        return [last := w for w in words], last
    """
    assert refs(code) == [
        "3:7 any -> builtin EXTERNAL builtins.any",
        "3:19 w -> local VARIABLE mod.first_long.<genexpr>.w",
        "3:31 words -> local PARAMETER mod.first_long.words",
        "3:40 len -> builtin EXTERNAL builtins.len",
        "3:44 w -> local VARIABLE mod.first_long.<genexpr>.w",
        "4:15 hit -> local VARIABLE mod.first_long.hit",
        "5:20 w -> local VARIABLE mod.first_long.<listcomp>.w",
        "5:31 words -> local PARAMETER mod.first_long.words",
        "5:39 last -> local VARIABLE mod.first_long.last",
    ]
    assert "3 walrus hit -> mod.first_long.hit" in sites(code)


def test_walrus_in_a_module_level_comprehension_binds_a_module_variable() -> None:
    code = "values = [(seen := v) for v in range(3)]\nprint(seen)\n"
    assert refs(code)[-1] == "2:6 seen -> global VARIABLE mod.seen"


def test_except_as_and_del() -> None:
    code = """
    def f():
        try:
            pass
        except ValueError as error:
            report(error)
        x = 1
        del x
    """
    assert refs(code) == [
        "5:11 ValueError -> builtin EXTERNAL builtins.ValueError",
        "6:8 report -> unresolved",
        "6:15 error -> local VARIABLE mod.f.error",
        "8:8 x (del) -> local VARIABLE mod.f.x",
    ]
    assert sites(code) == [
        "2 def f -> FUNCTION",
        "5 except error -> mod.f.error",
        "7 assign x -> mod.f.x",
        "8 del x -> mod.f.x",
    ]


def test_match_captures_bind_in_the_enclosing_scope() -> None:
    code = """
    def handle(command):
        match command:
            case ["go", direction] if direction:
                return direction
            case [first, *others]:
                return first, others
            case {"kind": kind, **extra}:
                return kind, extra
            case Point(x=0, y=ordinate) as point:
                return ordinate, point
    """
    assert refs(code) == [
        "3:10 command -> local PARAMETER mod.handle.command",
        "4:34 direction -> local VARIABLE mod.handle.direction",
        "5:19 direction -> local VARIABLE mod.handle.direction",
        "7:19 first -> local VARIABLE mod.handle.first",
        "7:26 others -> local VARIABLE mod.handle.others",
        "9:19 kind -> local VARIABLE mod.handle.kind",
        "9:25 extra -> local VARIABLE mod.handle.extra",
        "10:13 Point -> unresolved",
        "11:19 ordinate -> local VARIABLE mod.handle.ordinate",
        "11:29 point -> local VARIABLE mod.handle.point",
    ]
    forms = {line.split(" -> ")[0].split(" ", 1)[1] for line in sites(code)}
    assert {f"match {n}" for n in ("direction", "first", "others", "kind", "extra")} <= forms
    assert {"match ordinate", "match point"} <= forms


def test_name_used_before_assignment_in_a_function_is_local() -> None:
    code = """
    total = 0
    def bump():
        print(total)
        total = 1
    def bump_aug():
        total += 1
    """
    assert refs(code) == [
        "4:4 print -> builtin EXTERNAL builtins.print",
        "4:10 total -> local VARIABLE mod.bump.total",
        "7:4 total (augassign) -> local VARIABLE mod.bump_aug.total",
    ]


def test_builtins_shadowed_by_a_module_global() -> None:
    code = """
    def len(obj):
        return 0
    print(len([]), max)
    def f():
        return len, max
    max = 3
    """
    assert refs(code) == [
        "4:0 print -> builtin EXTERNAL builtins.print",
        "4:6 len -> global FUNCTION mod.len",
        "4:15 max -> global VARIABLE mod.max",
        "4:15 max -> builtin EXTERNAL builtins.max",  # runs before ``max = 3``
        "6:11 len -> global FUNCTION mod.len",
        "6:16 max -> global VARIABLE mod.max",
    ]


def test_module_and_class_bodies_read_outer_namespaces_before_binding() -> None:
    code = """
    open = open
    ANY = object()
    def outer(ANY):
        class Marker:
            ANY = ANY
            for item in range(len(ANY)):
                item
            ANY += 1
            print(ANY)
    """
    assert refs(code) == [
        "2:7 open -> global VARIABLE mod.open",
        "2:7 open -> builtin EXTERNAL builtins.open",
        "3:6 object -> builtin EXTERNAL builtins.object",
        "6:14 ANY -> class VARIABLE mod.outer.Marker.ANY",
        "6:14 ANY -> global VARIABLE mod.ANY",  # not outer's parameter: LOAD_NAME
        "7:20 range -> builtin EXTERNAL builtins.range",
        "7:26 len -> builtin EXTERNAL builtins.len",
        "7:30 ANY -> class VARIABLE mod.outer.Marker.ANY",
        "8:12 item -> class VARIABLE mod.outer.Marker.item",
        "9:8 ANY (augassign) -> class VARIABLE mod.outer.Marker.ANY",
        "10:8 print -> builtin EXTERNAL builtins.print",
        "10:14 ANY -> class VARIABLE mod.outer.Marker.ANY",
    ]


def test_every_binding_of_the_scope_may_be_read() -> None:
    code = """
    try:
        import json
    except ImportError:
        json = None
    def handler():
        pass
    handler = wrap(handler)
    json, handler
    """
    assert refs(code) == [
        "4:7 ImportError -> builtin EXTERNAL builtins.ImportError",
        "8:10 wrap -> unresolved",
        "8:15 handler -> global FUNCTION mod.handler",
        "8:15 handler -> global VARIABLE mod.handler",
        "9:0 json -> global IMPORT json@3",
        "9:0 json -> global VARIABLE mod.json",
        "9:6 handler -> global FUNCTION mod.handler",
        "9:6 handler -> global VARIABLE mod.handler",
    ]


def test_imports_bind_their_first_name_or_alias() -> None:
    code = """
    import os.path
    import xml.dom.minidom as minidom
    from collections import OrderedDict as OD, deque
    def f():
        import json
        return os, minidom, OD, deque, json
    """
    assert refs(code) == [
        "7:11 os -> global IMPORT os.path@2",
        "7:15 minidom -> global IMPORT minidom@3",
        "7:24 OD -> global IMPORT OD@4",
        "7:28 deque -> global IMPORT deque@4",
        "7:35 json -> local IMPORT json@6",
    ]


def test_star_import_leaves_unbound_globals_to_a_cross_file_pass() -> None:
    code = """
    from tkinter import *
    Tk(), print, __name__
    """
    assert refs(code) == [
        "3:0 Tk -> unresolved *",
        "3:6 print -> builtin EXTERNAL builtins.print *",
        "3:13 __name__ -> global VARIABLE mod.__name__",
    ]
    assert sites(code) == ["2 import_star * -> IMPORT", "None implicit __name__ -> mod.__name__"]


def test_parameters_defaults_annotations_and_lambdas() -> None:
    code = """
    T = int
    def f(a: T, /, b: T = T, *args: T, c=lambda q: q + a, **kw) -> T:
        return a, b, args, c, kw
    """
    assert refs(code) == [
        "2:4 int -> builtin EXTERNAL builtins.int",
        "3:9 T -> global VARIABLE mod.T",
        "3:18 T -> global VARIABLE mod.T",
        "3:32 T -> global VARIABLE mod.T",
        "3:47 q -> local PARAMETER mod.<lambda1>.q",
        "3:51 a -> unresolved",
        "3:22 T -> global VARIABLE mod.T",
        "3:63 T -> global VARIABLE mod.T",
        "4:11 a -> local PARAMETER mod.f.a",
        "4:14 b -> local PARAMETER mod.f.b",
        "4:17 args -> local PARAMETER mod.f.args",
        "4:23 c -> local PARAMETER mod.f.c",
        "4:26 kw -> local PARAMETER mod.f.kw",
    ]


def test_with_for_and_annotated_assignments() -> None:
    code = """
    def f(paths):
        for index, (name, *rest) in enumerate(paths):
            with open(name) as handle, lock() as (a, b):
                size: int = index
                count: int
        return handle, rest, a, b, size, count
    """
    assert sites(code) == [
        "2 def f -> FUNCTION",
        "2 parameter paths -> PARAMETER",
        "3 for index -> mod.f.index",
        "3 for name -> mod.f.name",
        "3 for rest -> mod.f.rest",
        "4 with handle -> mod.f.handle",
        "4 with a -> mod.f.a",
        "4 with b -> mod.f.b",
        "5 annassign size -> mod.f.size",
        "6 annassign count -> mod.f.count",
    ]
    assert refs(code)[-6:] == [
        f"7:{col} {name} -> local VARIABLE mod.f.{name}"
        for col, name in (
            (11, "handle"),
            (19, "rest"),
            (25, "a"),
            (28, "b"),
            (31, "size"),
            (37, "count"),
        )
    ]


def test_class_declarations_do_not_reach_methods() -> None:
    code = """
    def outer():
        value = 1
        class K:
            global value
            value = 2
            def method(self):
                return value, __class__
    """
    assert refs(code) == [
        "8:19 value -> enclosing VARIABLE mod.outer.value",
        "8:26 __class__ -> enclosing CLASS mod.outer.K",
    ]


def test_implicit_names_of_modules_and_classes() -> None:
    code = """
    class C:
        where = __module__, __qualname__
    if __name__ == "__main__":
        print(__file__, __doc__)
    """
    assert refs(code) == [
        "3:12 __module__ -> class VARIABLE mod.C.__module__",
        "3:24 __qualname__ -> class VARIABLE mod.C.__qualname__",
        "4:3 __name__ -> global VARIABLE mod.__name__",
        "5:4 print -> builtin EXTERNAL builtins.print",
        "5:10 __file__ -> global VARIABLE mod.__file__",
        "5:20 __doc__ -> global VARIABLE mod.__doc__",
    ]
    implicit = [
        row for row in tables(code)["binding_sites"].to_pylist() if row["form"] == "implicit"
    ]
    assert [row["name"] for row in implicit] == [
        "__module__",
        "__qualname__",
        "__name__",
        "__file__",
        "__doc__",
    ]
    assert {row["bstart"] for row in implicit} == {None}


def test_decorators_and_bases_run_in_the_scope_around_the_definition() -> None:
    code = """
    class Outer:
        base = object
        deco = staticmethod
        @deco
        def method(): ...
        class Inner(base):
            @deco
            def nested(): ...
    """
    assert refs(code) == [
        "3:11 object -> builtin EXTERNAL builtins.object",
        "4:11 staticmethod -> builtin EXTERNAL builtins.staticmethod",
        "5:5 deco -> class VARIABLE mod.Outer.deco",
        "7:16 base -> class VARIABLE mod.Outer.base",
        "8:9 deco -> unresolved",  # Inner's body cannot see Outer's
    ]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax needs Python 3.12")
def test_type_parameter_scopes() -> None:  # pragma: no cover - needs Python >= 3.12
    code = """
    class Box[T](list[T]):
        label = "box"
        def get[U](self, default: U = label) -> T | U:
            return T, U
        type Pair[K] = tuple[K, T, label]
    """
    assert refs(code) == [
        "2:13 list -> builtin EXTERNAL builtins.list",
        "2:18 T -> local TYPE_PARAM T",
        "4:30 U -> local TYPE_PARAM U",
        "4:34 label -> class VARIABLE mod.Box.label",
        "4:44 T -> enclosing TYPE_PARAM T",
        "4:48 U -> local TYPE_PARAM U",
        "5:15 T -> enclosing TYPE_PARAM T",
        "5:18 U -> enclosing TYPE_PARAM U",
        "6:19 tuple -> builtin EXTERNAL builtins.tuple",
        "6:25 K -> enclosing TYPE_PARAM K",
        "6:28 T -> enclosing TYPE_PARAM T",
        "6:31 label -> class VARIABLE mod.Box.label",
    ]


# --- cross-check with CPython's symtable -----------------------------------------------

_COMPREHENSION_TABLES = {
    "ListComp": "listcomp",
    "SetComp": "setcomp",
    "DictComp": "dictcomp",
    "GeneratorExp": "genexpr",
}
# PEP 709 (3.12) inlines these: symtable gives them no table of their own.
_INLINED = {"ListComp", "SetComp", "DictComp"} if sys.version_info >= (3, 12) else set()


def _table_type(table: symtable.SymbolTable) -> str:
    """A table's type in this test's terms (3.12 and 3.13 spell PEP 695 scopes apart)."""
    kind = str(table.get_type())
    if kind.startswith("type param"):
        return "type_params"
    return "annotation" if kind == "type alias" else kind


def _lift_bound_tables(tables: list[symtable.SymbolTable]) -> list[symtable.SymbolTable]:
    """Replace PEP 695 bound/default tables (not scopes here) by their children."""
    out = []
    for table in tables:
        if str(table.get_type()) in {"TypeVar bound", "type variable"}:
            out.extend(_lift_bound_tables(table.get_children()))
        else:
            out.append(table)
    return out


def symtable_mismatches(
    source: SourceFile, found: FileScopes | None = None
) -> tuple[list[str], int]:
    """Compare every use's resolution with ``symtable``'s classification of its name.

    Scopes are matched to symbol tables by (type, name, line) under their parent. For
    every symbol of a table and every use of that name in the matched scope: ``local``
    must resolve to the same scope (a module's names to the module or builtins),
    ``free`` to an enclosing function scope (``__class__`` to the class), ``global`` to
    the module or builtins. Returns the disagreements and the number of uses checked.
    ``found`` replaces pass one's result (to show that a wrong one is caught).
    """
    index = ast_index_of(source)
    found = found if found is not None else collect_scopes(index)
    bound = bind_file(index, source.file_id, found)
    scopes = found.scopes
    children: dict[int, list[int]] = defaultdict(list)
    for number, scope in enumerate(scopes):
        if scope.parent >= 0:
            children[scope.parent].append(number)
    uses: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for use, resolution in zip(found.uses, bound.resolutions, strict=True):
        uses[use.scope, use.name].append((index.line[use.row], resolution.owner))

    def ancestors(number: int) -> list[int]:
        chain = []
        while scopes[number].parent >= 0:
            number = scopes[number].parent
            chain.append(number)
        return chain

    def key(number: int) -> tuple[str, str, int]:
        scope = scopes[number]
        node = index.nodes[scope.row]
        ast_type = index.ast_type[scope.row]
        if scope.kind == "class":
            return ("class", node.name, node.lineno)  # type: ignore[attr-defined]
        if scope.kind == "type_params":
            name = node.name.id if ast_type == "TypeAlias" else node.name  # type: ignore[attr-defined]
            return ("type_params", name, node.lineno)  # type: ignore[attr-defined]
        if scope.kind == "annotation":
            return ("annotation", node.name.id, node.lineno)  # type: ignore[attr-defined]
        if scope.kind == "comprehension":
            return ("function", _COMPREHENSION_TABLES[ast_type], node.lineno)  # type: ignore[attr-defined]
        if ast_type == "Lambda":
            return ("function", "lambda", node.lineno)  # type: ignore[attr-defined]
        return ("function", node.name, node.lineno)  # type: ignore[attr-defined]

    def compare(number: int, table: symtable.SymbolTable) -> tuple[list[str], int]:
        scope = scopes[number]
        problems: list[str] = []
        checked = 0
        for symbol in table.get_symbols():
            name = symbol.get_name()
            if scope.kind == "class" and name in IMPLICIT_CLASS_NAMES:
                continue
            for line, owner in uses.get((number, name), ()):
                checked += 1
                if scope.kind == "module":
                    expected, ok = "global", owner in (0, -1)
                elif owner >= 0 and scopes[owner].kind == "class" and scope.kind in annotations:
                    expected, ok = "class (PEP 695)", owner in ancestors(number)
                elif symbol.is_free():
                    expected = "free"
                    ok = owner in ancestors(number) and owner != 0
                    ok = ok and (scopes[owner].kind != "class" or name == "__class__")
                elif symbol.is_local():
                    expected, ok = "local", owner == number
                elif symbol.is_global():
                    expected, ok = "global", owner in (0, -1)
                else:
                    continue
                if not ok:
                    got = scopes[owner].qualname if owner >= 0 else "builtin/unresolved"
                    problems.append(f"{scope.qualname} line {line} {name}: {expected}, got {got}")
        return problems, checked

    problems: list[str] = []
    checked = 0
    annotations = {"type_params", "annotation"}

    def with_tables(number: int) -> list[int]:
        """Child scopes with a table of their own (inlined comprehensions' children)."""
        out = []
        for child in children[number]:
            if index.ast_type[scopes[child].row] in _INLINED:
                out.extend(with_tables(child))
            else:
                out.append(child)
        return out

    def walk(number: int, table: symtable.SymbolTable) -> None:
        nonlocal checked
        found_problems, count = compare(number, table)
        problems.extend(found_problems)
        checked += count
        tables_by_key: dict[tuple[str, str, int], list[symtable.SymbolTable]] = defaultdict(list)
        for child in _lift_bound_tables(table.get_children()):
            tables_by_key[_table_type(child), child.get_name(), child.get_lineno()].append(child)
        mine: dict[tuple[str, str, int], list[int]] = defaultdict(list)
        for child_number in with_tables(number):
            mine[key(child_number)].append(child_number)
        for child_key, numbers in mine.items():
            candidates = tables_by_key.get(child_key, [])
            if len(candidates) != len(numbers):
                problems.append(f"{scopes[number].qualname}: scopes {child_key} do not match")
                continue
            # Same key (e.g. two lambdas on one line): pair each with a table it agrees with.
            for child_number in numbers:
                pick = next(
                    (t for t in candidates if not compare(child_number, t)[0]), candidates[0]
                )
                candidates.remove(pick)
                walk(child_number, pick)

    walk(0, symtable.symtable(source.text(), source.path, "exec"))
    return problems, checked


TRICKY = """
from __future__ import annotations
import os.path as osp
x = y = 0
def outer(a, b=x, *args, c: int = y, **kw):
    z = a
    def mid():
        nonlocal z
        z += 1
        def inner():
            global x
            x = z + b
            return [z for z in range(x) if (w := z)], w, osp
        return inner
    class K(object, metaclass=type):
        z = 3
        q = [z for _ in range(z)]
        r = (lambda: z)()
        def m(self, d=z):
            return z, d, __class__, super()
    try:
        pass
    except Exception as e:
        print(e)
    match a:
        case [p, *ps] if p:
            del p
        case {"k": v, **rest}:
            v, rest
        case K(z=zz) as whole:
            zz, whole
    with open(a) as (f, g):
        f, g
    return mid, K, lambda t=z: t + z
def uses_before():
    print(late)
    late = 1
"""


def test_symtable_agrees_on_tricky_code() -> None:
    problems, checked = symtable_mismatches(source_of(TRICKY))
    assert problems == []
    assert checked > 40


def test_symtable_cross_check_fails_on_a_wrong_resolution() -> None:
    """The cross-check is not vacuous: a method made to read a class attribute is flagged."""
    source = source_of("class C:\n    a = 1\n    def m(self):\n        return a\n")
    assert symtable_mismatches(source) == ([], 1)
    found = collect_scopes(ast_index_of(source))
    method = next(scope for scope in found.scopes if scope.qualname == "mod.C.m")
    method.binds.add("a")
    assert symtable_mismatches(source, found)[0] == ["mod.C.m line 4 a: global, got mod.C.m"]


_NAMES = ("a", "b", "c")


@st.composite
def _blocks(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """A random block of statements mixing bindings, uses, declarations and scopes."""
    simple = st.sampled_from(_NAMES)
    kinds = ["assign", "use", "augassign", "del", "comp", "walrus", "lambda", "for"]
    if depth < 3:
        kinds += ["def", "class", "def", "classcomp"]
    statements: list[str] = []
    declaration = draw(st.sampled_from(["global", "nonlocal", None]))
    if declaration and depth > 0:
        statements.append(f"{declaration} {draw(simple)}")
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        n, m = draw(simple), draw(simple)
        if kind == "assign":
            statements.append(f"{n} = {m}")
        elif kind == "use":
            statements.append(f"print({n})")
        elif kind == "augassign":
            statements.append(f"{n} += 1")
        elif kind == "del":
            statements.append(f"del {n}")
        elif kind == "comp":
            statements.append(f"[{n} + {m} for {n} in {m}]")
        elif kind == "walrus":
            statements.append(f"[({n} := {m}) for _ in {m}]")
        elif kind == "lambda":
            statements.append(f"(lambda {n}: {n} + {m})")
        elif kind == "for":
            statements.append(f"for {n} in {m}: {m}")
        elif kind == "classcomp":
            statements.append(f"class K{depth}:\n    {n} = 1\n    [{m} for _ in {n}]")
        else:
            header = f"def f{depth}({n}):" if kind == "def" else f"class C{depth}:"
            body = draw(_blocks(depth + 1))
            statements.append(
                header + "".join(f"\n    {line}" for s in body for line in s.splitlines())
            )
    return statements


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(_blocks())
def test_symtable_agrees_on_generated_programs(block: list[str]) -> None:
    code = "\n".join(block) + "\n"
    try:
        symtable.symtable(code, "mod.py", "exec")
    except SyntaxError:
        assume(False)
    problems, _ = symtable_mismatches(source_of(code))
    assert problems == [], code


def _stdlib_sample(count: int) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    step = max(1, len(files) // count)
    return files[::step][:count]


def test_symtable_agrees_on_stdlib_files() -> None:
    root = Path(sysconfig.get_paths()["stdlib"])
    total = 0
    for path in _stdlib_sample(30):
        rel = path.relative_to(root).as_posix()
        source = SourceFile(rel, file_id_for(rel), rel[:-3].replace("/", "."), path.read_bytes())
        try:
            ast.parse(source.data)
            symtable.symtable(source.text(), rel, "exec")
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        problems, checked = symtable_mismatches(source)
        assert problems == [], rel
        total += checked
        output = extract_bindings(source)
        assert output.errors == ()
        assert output.tables[NAME_REFS.name].num_rows >= checked
        assert output.tables[VARIABLES.name].schema == VARIABLES.schema
        assert output.tables[BINDING_SITES.name].schema == BINDING_SITES.schema
    assert total > 5000
