"""The ast evidence layer: rows, kinds, qualnames, properties, and bad input."""

from __future__ import annotations

import textwrap

import pytest

from codeanatomy.extract import ast as ast_layer
from codeanatomy.extract._base import ExtractOptions
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for


def _source(text: str | bytes, path: str = "pkg/mod.py", encoding: str = "utf-8") -> SourceFile:
    data = text.encode() if isinstance(text, str) else text
    module = path.removesuffix(".py").replace("/", ".")
    return SourceFile(path, file_id_for(path), module, data, encoding)


SAMPLE = textwrap.dedent(
    '''\
    import os.path as osp, sys
    from ..base import (Base as B, helper)

    class Widget(B):
        size = 3

        @staticmethod
        async def fetch(url, /, retries=2, *args, timeout, **kw):
            return await helper(url, key=lambda v: v)

    def outer():
        def inner(x):
            return [y for y in x]
        return inner
    '''
)


def test_tables_match_their_declared_schemas() -> None:
    output = ast_layer.extract(_source(SAMPLE), ExtractOptions())
    assert output.errors == ()
    for spec in ast_layer.LAYER.tables:
        assert output.tables[spec.name].schema == spec.schema


def test_kinds_names_qualnames_and_props() -> None:
    output = ast_layer.extract(_source(SAMPLE), ExtractOptions())
    nodes = output.tables["ast_nodes"].to_pylist()
    defs = {(n["kind"], n["qualname"]) for n in nodes if n["kind"] in {"CLASS", "FUNCTION", "MODULE"}}
    assert defs == {
        ("MODULE", "pkg.mod"),
        ("CLASS", "pkg.mod.Widget"),
        ("FUNCTION", "pkg.mod.Widget.fetch"),
        ("FUNCTION", "pkg.mod.Widget.fetch.<lambda1>"),
        ("FUNCTION", "pkg.mod.outer"),
        ("FUNCTION", "pkg.mod.outer.inner"),
    }
    imports = {(n["name"], n["qualname"]) for n in nodes if n["kind"] == "IMPORT"}
    assert imports == {("osp", "os.path"), ("sys", "sys"), ("B", "..base.Base"), ("helper", "..base.helper")}
    calls = [n["name"] for n in nodes if n["kind"] == "CALL"]
    assert calls == ["helper"]
    props = {}
    by_id = {n["node_id"]: n for n in nodes}
    for row in output.tables["ast_props"].to_pylist():
        props.setdefault(by_id[row["node_id"]]["qualname"] or by_id[row["node_id"]]["name"], {})[row["key"]] = row["value"]
    assert props["pkg.mod.Widget.fetch"] == {"is_async": "True", "is_lambda": "False", "is_method": "True", "decorators": "1"}
    assert props["pkg.mod.Widget.fetch.url"]["param_kind"] == "positional_only"
    assert props["pkg.mod.Widget.fetch.retries"] == {"param_kind": "regular", "position": "0", "has_default": "True"}
    assert props["pkg.mod.Widget.fetch.args"]["param_kind"] == "var_positional"
    assert props["pkg.mod.Widget.fetch.timeout"] == {"param_kind": "keyword_only", "position": "0", "has_default": "False"}
    assert props["pkg.mod.Widget.fetch.kw"]["param_kind"] == "var_keyword"
    assert props["..base.Base"] == {"module": "base", "level": "2", "star": "False", "imported_name": "Base", "alias": "B"}
    load = [n for n in nodes if n["kind"] == "NAME" and n["name"] == "helper"]
    assert load[0]["ctx"] == "Load"


def test_every_node_has_one_parent_edge_and_unique_id() -> None:
    output = ast_layer.extract(_source(SAMPLE), ExtractOptions())
    nodes = output.tables["ast_nodes"]
    edges = output.tables["ast_edges"]
    ids = nodes.column("node_id").to_pylist()
    assert len(set(ids)) == len(ids)
    assert edges.num_rows == nodes.num_rows - 1
    assert set(edges.column("dst").to_pylist()) == set(ids) - {ids[0]}
    fields = {(e["field"], e["idx"]) for e in edges.to_pylist()}
    assert ("body", 0) in fields and ("bases", 0) in fields and ("returns", None) not in fields


def test_code_is_truncated() -> None:
    output = ast_layer.extract(_source("x = '" + "a" * 500 + "'\n"), ExtractOptions(code_chars=20))
    codes = output.tables["ast_nodes"].column("code").to_pylist()
    assert all(len(c) <= 20 for c in codes)
    assert codes[1].endswith("…")


@pytest.mark.parametrize(
    ("data", "error_type"),
    [
        (b"def broken(:\n    pass\n", "SyntaxError"),
        (b"x = 1\x00\n", None),
        (b"x = '\xff\xfe'\n", "SyntaxError"),
        (b"x = " + b"(" * 300_000 + b")" * 300_000 + b"\n", None),
        (b"x = " + b"-" * 1_000_000 + b"1\n", None),
    ],
    ids=["syntax", "nul", "not-utf8", "deep-parens", "deep-unary"],
)
def test_bad_input_gives_an_error_row_not_an_exception(data: bytes, error_type: str | None) -> None:
    output = ast_layer.extract(_source(data), ExtractOptions())
    assert output.tables == {}
    assert len(output.errors) == 1
    error = output.errors[0]
    assert error.layer == "ast" and error.path == "pkg/mod.py" and error.message
    if error_type:
        assert error.error_type == error_type
    else:
        assert error.error_type in {"SyntaxError", "ValueError", "RecursionError", "MemoryError"}
