"""The tree_sitter evidence layer: schemas, spans, error tolerance, ast agreement, determinism."""

from __future__ import annotations

import textwrap

import pyarrow as pa
import pytest

from codeanatomy.extract._ast_index import ast_index_of
from codeanatomy.extract._base import ExtractOptions
from codeanatomy.extract.tree_sitter import LAYER, extract
from codeanatomy.source import SourceFile
from tests.extract._samples import VARIANTS, sample_variants, source_of


def _rows(table: pa.Table) -> list[dict[str, object]]:
    return table.to_pylist()  # type: ignore[no-any-return]


@pytest.mark.parametrize("variant", VARIANTS)
def test_tables_match_declared_schemas(variant: str) -> None:
    out = extract(sample_variants()[variant], ExtractOptions())
    assert out.errors == ()
    assert set(out.tables) == {spec.name for spec in LAYER.tables}
    for spec in LAYER.tables:
        assert out.tables[spec.name].schema == spec.schema, spec.name
    assert out.tables["tree_sitter_nodes"].num_rows > 100
    assert out.tables["tree_sitter_errors"].num_rows == 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_spans_round_trip_on_stored_bytes(variant: str) -> None:
    source = sample_variants()[variant]
    encoding = source.encoding
    out = extract(source, ExtractOptions())
    nodes = _rows(out.tables["tree_sitter_nodes"])
    identifiers = {
        source.data[n["bstart"] : n["bend"]].decode(encoding)  # type: ignore[misc]
        for n in nodes
        if n["type"] == "identifier"
    }
    assert {"é", "Ünïcode", "méthode", "osp", "OD"} <= identifiers
    strings = [
        source.data[n["bstart"] : n["bend"]].decode(encoding)  # type: ignore[misc]
        for n in nodes
        if n["type"] == "string"
    ]
    assert '"café"' in strings and '"ké"' in strings
    for n in nodes:
        line_start = source.lines.line_starts[n["line"] - 1]  # type: ignore[operator]
        assert line_start + n["col"] == n["bstart"]  # type: ignore[operator]
    definitions = _rows(out.tables["tree_sitter_definitions"])
    texts = {
        (d["kind"], source.data[d["bstart"] : d["bend"]].decode(encoding))  # type: ignore[misc]
        for d in definitions
    }
    assert ("IMPORT", "osp.join") not in texts
    assert ("IMPORT", "os.path as osp") in texts
    assert ("IMPORT", "OrderedDict as OD") in texts
    assert ("IMPORT", "*") in texts
    assert ("CALL", "len(s)") in texts
    assert ("CALL", "(str)(osp.join(s, x))") in texts
    assert ("CALL", "OD()") in texts  # inside [*OD().items()]
    assert any(k == "FUNCTION" and t.startswith("def é(a") for k, t in texts)
    assert any(k == "FUNCTION" and t.startswith("async def méthode") for k, t in texts)
    assert ("FUNCTION", "def one(self): pass;") in texts
    klass = next(t for k, t in texts if k == "CLASS")
    assert klass.startswith("class Ünïcode(object):")
    assert klass.endswith("def one(self): pass;")  # the closing comment is not a token


def _ast_definitions(source: SourceFile) -> set[tuple[str, int, int, str | None]]:
    index = ast_index_of(source)
    return {
        (kind, bstart, bend, qualname if kind in ("CLASS", "FUNCTION") else None)
        for kind, bstart, bend, qualname in zip(
            index.kind, index.bstart, index.bend, index.qualname, strict=True
        )
        if kind in ("CLASS", "FUNCTION", "CALL", "IMPORT")
    }


def _layer_definitions(table: pa.Table) -> set[tuple[str, int, int, str | None]]:
    columns = [table.column(name).to_pylist() for name in ("kind", "bstart", "bend", "qualname")]
    return set(zip(*columns, strict=True))


@pytest.mark.parametrize("variant", VARIANTS)
def test_definitions_agree_with_ast_span_for_span(variant: str) -> None:
    source = sample_variants()[variant]
    expected = _ast_definitions(source)
    table = extract(source, ExtractOptions()).tables["tree_sitter_definitions"]
    assert _layer_definitions(table) == expected
    assert table.num_rows == len(expected)
    qualnames = {q for _, _, _, q in expected if q}
    # Lambdas are numbered in ast's field order: keyword-only defaults before
    # positional ones, an IfExp's test before its body.
    assert {
        "pkg.mod.é.<lambda1>",
        "pkg.mod.<lambda1>",
        "pkg.mod.<lambda2>",
        "pkg.mod.Ünïcode.méthode",
        "pkg.mod.<lambda5>.<lambda1>",
    } <= qualnames


def test_syntax_errors_still_yield_nodes_errors_and_definitions() -> None:
    text = textwrap.dedent(
        """\
        import sys

        class Legacy:
            def run(self)
                print "running"
                sys.exit(1)

        def helper():
            print >>sys.stderr, "x"
            return [lambda: 1]
        """
    )
    source = source_of(text.encode())
    out = extract(source, ExtractOptions())
    assert out.errors == ()
    nodes = out.tables["tree_sitter_nodes"]
    assert nodes.num_rows > 20
    assert any(nodes.column("is_error").to_pylist())
    assert nodes.column("has_error").to_pylist()[0] is True
    errors = _rows(out.tables["tree_sitter_errors"])
    assert errors and {e["kind"] for e in errors} <= {"ERROR", "MISSING"}
    first = min(errors, key=lambda e: e["bstart"])  # type: ignore[arg-type,return-value]
    assert source.lines.line_col(first["bstart"]) == (first["line"], first["col"])  # type: ignore[arg-type]
    definitions = {
        (d["kind"], d["name"], d["qualname"]) for d in _rows(out.tables["tree_sitter_definitions"])
    }
    assert ("IMPORT", "sys", None) in definitions
    assert ("CLASS", "Legacy", "pkg.mod.Legacy") in definitions
    assert ("FUNCTION", "run", "pkg.mod.Legacy.run") in definitions
    assert ("CALL", "sys.exit", None) in definitions
    assert ("FUNCTION", "helper", "pkg.mod.helper") in definitions
    assert ("FUNCTION", "<lambda>", "pkg.mod.helper.<lambda1>") in definitions
    # ``run(self)`` after a ``def`` is the header, not a call.
    assert not any(kind == "CALL" and name == "run" for kind, name, _ in definitions)


def test_missing_token_is_an_error_row() -> None:
    out = extract(source_of(b"x = (1,\ny = 2\n"), ExtractOptions())
    kinds = {(e["kind"], e["node_type"]) for e in _rows(out.tables["tree_sitter_errors"])}
    assert kinds and all(kind in ("ERROR", "MISSING") for kind, _ in kinds)
    out = extract(source_of(b"def f(:\n    pass\n"), ExtractOptions())
    (row,) = _rows(out.tables["tree_sitter_errors"])
    assert (row["kind"], row["node_type"], row["bstart"], row["bend"]) == ("MISSING", ")", 6, 6)
    assert (row["line"], row["col"], row["text"]) == (1, 6, "")


def test_deep_nesting_does_not_overflow() -> None:
    depth = 5000
    source = source_of(b"x = " + b"(" * depth + b"1" + b")" * depth + b"\n")
    out = extract(source, ExtractOptions())
    assert out.errors == ()
    types = out.tables["tree_sitter_nodes"].column("type").to_pylist()
    assert types.count("parenthesized_expression") == depth


def test_parents_fields_and_indexes() -> None:
    out = extract(source_of(b"def f(a):\n    return a\n"), ExtractOptions())
    rows = _rows(out.tables["tree_sitter_nodes"])
    by_id = {r["node_id"]: r for r in rows}
    assert len(by_id) == len(rows)
    module = rows[0]
    assert module["type"] == "module" and module["parent_id"] is None and module["idx"] is None
    function = rows[1]
    assert function["type"] == "function_definition" and function["parent_id"] == module["node_id"]
    children = [r for r in rows if r["parent_id"] == function["node_id"]]
    assert [(r["type"], r["field"], r["idx"]) for r in children] == [
        ("identifier", "name", 0),
        ("parameters", "parameters", 1),
        ("block", "body", 2),
    ]


def test_output_is_deterministic() -> None:
    first = extract(sample_variants()["latin1"], ExtractOptions())
    second = extract(sample_variants()["latin1"], ExtractOptions())
    for name, table in first.tables.items():
        assert table.equals(second.tables[name]), name
    ids = first.tables["tree_sitter_nodes"].column("node_id").to_pylist()
    assert len(set(ids)) == len(ids)


def test_unknown_encoding_is_a_file_error() -> None:
    out = extract(source_of(b"x = 1\n", encoding="no-such-codec"), ExtractOptions())
    assert [e.layer for e in out.errors] == ["tree_sitter"]
    assert all(out.tables[spec.name].schema == spec.schema for spec in LAYER.tables)
