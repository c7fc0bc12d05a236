"""Resolution tables: declared schemas, imports, hierarchy, attributes, calls and bindings."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeanatomy.extract._ast_index import ast_index_of
from codeanatomy.resolve.facts import collect_facts
from codeanatomy.resolve.hierarchy import c3_mro
from codeanatomy.resolve.program import external_id
from codeanatomy.resolve.pycg import to_dot, to_json, to_pycg
from codeanatomy.resolve.tables import RESOLVE_TABLES
from tests.resolve._programs import facts_of, resolve_files, source_of

PROGRAM = {
    "main.py": """
        import os.path
        import requests_not_installed_xyz as rq
        from pkg import helper, sub
        from pkg.sub import Base as B
        from . import nothing_here

        class Child(B):
            def __init__(self, value):
                super().__init__()
                self.value = value

            def run(self, fn=len):
                return self.step(fn)

            def step(self, fn):
                return fn([1])

        c = Child(value=3)
        c.run()
        helper(1, *[2], **{"k": 3})
        os.path.join("a", "b")
        rq.get("x")
        sub.Base.ping()
    """,
    "pkg/__init__.py": """
        def helper(a, *args, **kwargs):
            pass
    """,
    "pkg/sub.py": """
        class Base:
            def __init__(self):
                pass

            def step(self, fn):
                pass

            @classmethod
            def ping(cls):
                pass
    """,
}


def _rows(table: pa.Table) -> list[dict[str, object]]:
    return table.to_pylist()


def _ids(files: dict[str, str]) -> dict[str, str]:
    """qualname -> node ID of every definition and module of inline files."""
    out: dict[str, str] = {}
    for path, text in files.items():
        index = ast_index_of(source_of(path, text))
        for qualname, node_id, kind in zip(index.qualname, index.node_id, index.kind, strict=True):
            if qualname and kind in {"MODULE", "CLASS", "FUNCTION"}:
                out[qualname] = node_id
    return out


def test_every_table_matches_its_declared_schema() -> None:
    result = resolve_files(PROGRAM)
    assert result.errors == ()
    assert list(result.tables) == [spec.name for spec in RESOLVE_TABLES]
    for spec in RESOLVE_TABLES:
        assert result.tables[spec.name].schema == spec.schema, spec.name
        assert spec.path == f"resolve/{spec.name}"


def test_imports_resolve_to_modules_definitions_and_externals() -> None:
    result = resolve_files(PROGRAM)
    ids = _ids(PROGRAM)
    rows = {r["target_qualname"]: r for r in _rows(result.tables["resolved_imports"])}
    assert rows["os.path"]["target_kind"] == "EXTERNAL"
    assert rows["os.path"]["origin"] == "stdlib"
    assert rows["os.path"]["external_id"] == external_id("os.path")
    assert rows["requests_not_installed_xyz"]["origin"] == "unknown"
    assert rows["pkg.helper"]["target_kind"] == "DEFINITION"
    assert rows["pkg.helper"]["target_node_id"] == ids["pkg.helper"]
    assert rows["pkg.sub"]["target_kind"] == "MODULE"
    assert rows["pkg.sub"]["target_node_id"] == ids["pkg.sub"]
    assert rows["pkg.sub.Base"]["target_node_id"] == ids["pkg.sub.Base"]
    # `from . import x` at the top level has no package: unresolvable, kept as unknown.
    assert any(r["origin"] == "unknown" and r["target_kind"] == "EXTERNAL" for r in rows.values())


def test_hierarchy_bases_mro_and_overrides() -> None:
    result = resolve_files(PROGRAM)
    ids = _ids(PROGRAM)
    bases = _rows(result.tables["class_bases"])
    assert bases == [
        {
            "class_node_id": ids["main.Child"],
            "base_index": 0,
            "base_node_id": ids["pkg.sub.Base"],
            "base_external_id": None,
            "base_qualname": "pkg.sub.Base",
        }
    ]
    mro = {r["qualname"]: r for r in _rows(result.tables["class_mro"])}
    assert mro["main.Child"]["mro"] == ["main.Child", "pkg.sub.Base", "builtins.object"]
    assert mro["main.Child"]["error"] is None
    overrides = {(r["method_node_id"], r["overridden_node_id"]) for r in _rows(result.tables["method_overrides"])}
    assert overrides == {
        (ids["main.Child.__init__"], ids["pkg.sub.Base.__init__"]),
        (ids["main.Child.step"], ids["pkg.sub.Base.step"]),
    }


def test_inconsistent_mro_is_reported_not_raised() -> None:
    files = {
        "main.py": """
            class A: pass
            class B(A): pass
            class C(A, B): pass
        """
    }
    result = resolve_files(files)
    row = next(r for r in _rows(result.tables["class_mro"]) if r["qualname"] == "main.C")
    assert row["error"] is not None and "inconsistent" in row["error"]
    assert row["mro"][0] == "main.C"


def test_deep_class_chains_linearize_without_error() -> None:
    # Classes 300 deep were cut off at depth 200 as a "cyclic class hierarchy".
    depth = 300
    lines = ["class C0:\n    def m(self):\n        return 0\n"]
    lines += [f"class C{i}(C{i - 1}):\n    def m(self):\n        return super().m()\n" for i in range(1, depth + 1)]
    lines.append(f"C{depth}().m()\n")
    result = resolve_files({"main.py": "".join(lines)})
    mro = {r["qualname"]: r for r in _rows(result.tables["class_mro"])}
    assert mro[f"main.C{depth}"]["mro"] == [f"main.C{i}" for i in range(depth, -1, -1)] + ["builtins.object"]
    assert all(row["error"] is None for row in mro.values())
    supers = [r for r in _rows(result.tables["call_edges"]) if r["method"] == "super"]
    assert len(supers) == depth


def test_c3_matches_python() -> None:
    class A: ...
    class B(A): ...
    class C(A): ...
    class D(B, C): ...
    class E(C, B): ...

    def bases(k: tuple) -> list[tuple]:
        return [("C", b) for b in k[1].__bases__ if b is not object]

    for cls in (D, E):
        mro, error = c3_mro(("C", cls), bases)
        assert error is None
        assert [k[1] for k in mro[:-1]] == list(cls.__mro__[:-1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), max_size=4), min_size=1, max_size=12))
def test_c3_matches_python_on_random_hierarchies(picks: list[list[int]]) -> None:
    parents: list[list[int]] = []
    classes: list[type] = []

    def bases_of(k: tuple) -> list[tuple]:
        return [("C", b) for b in parents[k[1]]]

    for number, choice in enumerate(picks):
        parents.append(list(dict.fromkeys(i % number for i in choice)) if number else [])
        mro, error = c3_mro(("C", number), bases_of)
        try:
            cls = type(f"K{number}", tuple(classes[b] for b in parents[number]), {})
        except TypeError:  # Python finds no consistent order either
            assert error is not None and error.startswith("inconsistent MRO")
            return
        classes.append(cls)
        assert error is None
        assert [k[1] for k in mro[:-1]] == [classes.index(c) for c in cls.__mro__[:-1]]


def test_attribute_targets_self_module_class_and_super() -> None:
    result = resolve_files(PROGRAM)
    ids = _ids(PROGRAM)
    methods = {(r["target_node_id"], r["method"]) for r in _rows(result.tables["attribute_targets"])}
    assert (ids["main.Child.step"], "self") in methods
    assert (ids["pkg.sub.Base.__init__"], "super") in methods
    assert (ids["pkg.sub.Base"], "module") in methods
    assert (ids["pkg.sub.Base.ping"], "class") in methods


def test_call_edges_carry_kind_method_and_pycg_names() -> None:
    result = resolve_files(PROGRAM)
    ids = _ids(PROGRAM)
    rows = _rows(result.tables["call_edges"])
    construct = [r for r in rows if r["callee_node_id"] == ids["main.Child.__init__"]]
    assert construct and construct[0]["via"] == "__init__" and construct[0]["callee_kind"] == "FUNCTION"
    assert any(r["callee_node_id"] == ids["main.Child"] and r["callee_kind"] == "CLASS" for r in rows)
    supers = [r for r in rows if r["callee_node_id"] == ids["pkg.sub.Base.__init__"]]
    assert supers[0]["method"] == "super" and supers[0]["caller_node_id"] == ids["main.Child.__init__"]
    externals = {r["callee_pycg"]: r for r in rows if r["callee_kind"] == "EXTERNAL"}
    assert externals["os.path.join"]["callee_external_id"] == external_id("os.path.join")
    assert externals["<builtin>.len"]["callee_external_id"] == external_id("builtins.len")
    assert "<builtin>.super" in externals
    assert "requests_not_installed_xyz.get" in externals
    symbols = {r["qualname"]: r for r in _rows(result.tables["external_symbols"])}
    assert symbols["builtins.len"]["origin"] == "builtin"
    assert symbols["os.path.join"]["origin"] == "stdlib"
    assert symbols["os.path.join"]["pycg_name"] == "os.path.join"
    assert all(0 < r["confidence"] <= 1 for r in rows)
    graph = to_pycg(result)
    assert graph["main.Child.step"] == ["<builtin>.len"]
    assert graph["main"] == sorted(
        [
            "main.Child.__init__", "main.Child.run", "os.path.join", "pkg.helper",
            "pkg.sub.Base.ping", "requests_not_installed_xyz.get",
        ]
    )


def test_confidence_is_one_over_the_targets_of_a_call_other_than_classes() -> None:
    files = {
        "fan.py": """
            class A:
                def __init__(self):
                    pass

            def f():
                pass

            def g():
                pass

            def h():
                pass

            def pick(flag, other):
                two = f if flag else g
                two()
                three = f if flag else g if other else h
                three()
                A()
        """,
    }
    ids = _ids(files)
    names = {node_id: name for name, node_id in ids.items()}
    rows = _rows(resolve_files(files).tables["call_edges"])
    found = sorted(
        (r["call_node_id"], names[r["callee_node_id"]], r["confidence"])
        for r in rows if r["caller_node_id"] == ids["fan.pick"]
    )
    calls = sorted({call for call, _, _ in found})
    by_call = sorted(tuple((name, conf) for c, name, conf in found if c == call) for call in calls)
    assert by_call == sorted(
        [
            (("fan.f", 0.5), ("fan.g", 0.5)),
            (("fan.f", 0.3333), ("fan.g", 0.3333), ("fan.h", 0.3333)),
            (("fan.A", 1.0), ("fan.A.__init__", 1.0)),
        ]
    )


def test_parameter_bindings_cover_every_kind() -> None:
    result = resolve_files(PROGRAM)
    ids = _ids(PROGRAM)
    kinds = {r["kind"] for r in _rows(result.tables["parameter_bindings"])}
    assert kinds == {"positional", "keyword", "default", "star_args", "star_kwargs"}
    index = ast_index_of(source_of("main.py", PROGRAM["main.py"]))
    param_of = {q: n for q, n, k in zip(index.qualname, index.node_id, index.kind, strict=True) if k == "PARAMETER"}
    keyword = [r for r in _rows(result.tables["parameter_bindings"]) if r["kind"] == "keyword"]
    assert any(r["parameter_node_id"] == param_of["main.Child.__init__.value"] for r in keyword)
    default = [r for r in _rows(result.tables["parameter_bindings"]) if r["kind"] == "default"]
    assert any(r["parameter_node_id"] == param_of["main.Child.run.fn"] for r in default)
    assert ids["main"]


def test_exports_are_deterministic_and_consistent() -> None:
    first, second = resolve_files(PROGRAM), resolve_files(PROGRAM)
    for name in first.tables:
        assert first.tables[name].equals(second.tables[name]), name
    graph = to_pycg(first)
    rich = to_json(first)
    assert {(e["caller"], e["callee"]) for e in rich["edges"]} == {(a, b) for a, bs in graph.items() for b in bs}
    dot = to_dot(first)
    assert dot.startswith("digraph callgraph {") and '"main" -> "os.path.join";' in dot
    assert to_pycg(first.tables) == graph


def test_bad_files_become_errors_not_exceptions() -> None:
    facts = facts_of({"bad.py": "def f(:\n", "good.py": "def g():\n    pass\ng()\n"})
    assert facts[0].errors and facts[0].errors[0].layer == "resolve"
    result = resolve_files({"bad.py": "def f(:\n", "good.py": "def g():\n    pass\ng()\n"})
    assert [e.path for e in result.errors] == ["bad.py"]
    assert to_pycg(result)["good"] == ["good.g"]


def test_facts_are_picklable_and_carry_node_ids() -> None:
    import pickle

    source = source_of("m.py", "def f(a, b=1):\n    return a\nf(2)\n")
    facts = collect_facts(source)
    assert pickle.loads(pickle.dumps(facts)) == facts
    index = ast_index_of(source)
    assert {f.node_id for f in facts.functions} <= set(index.node_id)
    calls = [c for c in facts.constraints if c[0] == "call"]
    assert calls and calls[0][3] in set(index.node_id)


def test_generators_are_the_functions_their_yields_belong_to() -> None:
    facts = collect_facts(
        source_of(
            "gen.py",
            """
            def plain():
                return [x for x in range(3)]

            def gen():
                yield 1

            def outer():
                def inner(default=(yield)):
                    return default
                return inner

            def wraps():
                @register((yield))
                def decorated():
                    pass
                lam = lambda: (yield)
                return decorated, lam
            """,
        )
    )
    generators = {fn.name for fn in facts.functions if fn.is_generator}
    assert generators == {"gen", "outer", "wraps", "<lambda>"}


def _saturating_program(use: str) -> dict[str, str]:
    """``use`` of ``o or holder.thing.ping`` in a loop over 200 instances (over the solver's
    cap of 192 values), so its destination is full before ``holder.thing`` is known.

    ``source()`` is the same with a return value as the destination.
    """
    classes = "".join(f"class K{i}:\n    pass\n\n" for i in range(200))
    pool = "pool = [" + ", ".join(f"K{i}()" for i in range(200)) + "]\n"
    rest = f"""
class Late:
    def ping(self):
        pass

class Holder:
    pass

holder = Holder()

def make():
    return Late()

def deeper():
    return make()

def fill():
    holder.thing = deeper()

def sink(value):
    pass

def source():
    for o in pool:
        return o or holder.thing.ping

for o in pool:
    {use}

fill()
"""
    return {"main.py": classes + pool + rest}


@pytest.mark.parametrize(
    "use",
    [
        "x = o or holder.thing.ping",
        "sink(o or holder.thing.ping)",
        "sink(value=o or holder.thing.ping)",
        "source()",
    ],
)
def test_attribute_reads_into_a_full_destination_still_resolve(use: str) -> None:
    # The destination (variable or parameter) is full long before ``holder.thing`` gets
    # its value, so later runs evaluate only the attribute reads: ``.ping`` must resolve.
    program = _saturating_program(use)
    result = resolve_files(program)
    ids = _ids(program)
    targets = {(r["target_node_id"], r["method"]) for r in _rows(result.tables["attribute_targets"])}
    assert (ids["main.Late.ping"], "instance") in targets


def test_attribute_read_through_several_bases_records_every_target() -> None:
    # ``shape.area`` reads through three instances and two classes: each target is
    # recorded once per way of reading, whichever base found it.
    program = {
        "main.py": """
            class Square:
                def area(self):
                    return 1

            class Circle:
                def area(self):
                    return 2

            class Blob(Circle):
                pass

            def pick(flag):
                return Square() if flag else Circle() if flag is None else Blob()

            shape = pick(1)
            shape.area()
            kind = Square if shape else Circle
            kind.area(shape)
        """
    }
    result = resolve_files(program)
    ids = _ids(program)
    rows = [r for r in _rows(result.tables["attribute_targets"]) if r["method"] in {"instance", "class"}]
    assert sorted((r["target_node_id"], r["method"]) for r in rows) == sorted(
        [
            (ids["main.Square.area"], "instance"),
            (ids["main.Circle.area"], "instance"),
            (ids["main.Square.area"], "class"),
            (ids["main.Circle.area"], "class"),
        ]
    )


def test_namedtuple_call_classes_have_pythons_mro() -> None:
    files = {
        "main.py": """
            from collections import namedtuple

            class Url(namedtuple("Url", "scheme host")):
                pass
        """
    }
    result = resolve_files(files)
    rows = [r for r in _rows(result.tables["class_mro"]) if r["qualname"] == "main.Url"]
    # As Python has it: the class statement's Url, then the Url the call made, then tuple.
    assert sorted(r["mro"] for r in rows) == [
        ["main.Url", "builtins.tuple", "builtins.object"],
        ["main.Url", "main.Url", "builtins.tuple", "builtins.object"],
    ]
