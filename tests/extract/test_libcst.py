"""The libcst evidence layer: schemas, spans, qualified names, three-way agreement, bad input."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

from codeanatomy.extract import libcst as libcst_layer
from codeanatomy.extract import tree_sitter as tree_sitter_layer
from codeanatomy.extract._ast_index import ast_index_of
from codeanatomy.extract._base import ExtractOptions
from codeanatomy.source import SourceFile
from tests.extract._samples import VARIANTS, sample_variants, source_of


@pytest.fixture(scope="module")
def outputs() -> dict[str, tuple[SourceFile, libcst_layer.LayerOutput]]:
    """Each variant with its LibCST output (LibCST is slow: extract once per module)."""
    return {
        name: (source, libcst_layer.extract(source, ExtractOptions()))
        for name, source in sample_variants().items()
    }


def _rows(table: pa.Table) -> list[dict[str, object]]:
    return table.to_pylist()  # type: ignore[no-any-return]


@pytest.mark.parametrize("variant", VARIANTS)
def test_tables_match_declared_schemas(outputs: dict, variant: str) -> None:  # type: ignore[type-arg]
    _, out = outputs[variant]
    assert out.errors == ()
    assert set(out.tables) == {spec.name for spec in libcst_layer.LAYER.tables}
    for spec in libcst_layer.LAYER.tables:
        assert out.tables[spec.name].schema == spec.schema, spec.name
        assert out.tables[spec.name].num_rows > 0, spec.name


@pytest.mark.parametrize("variant", VARIANTS)
def test_spans_round_trip_on_stored_bytes(outputs: dict, variant: str) -> None:  # type: ignore[type-arg]
    source, out = outputs[variant]
    encoding = source.encoding
    nodes = _rows(out.tables["libcst_nodes"])
    assert nodes[0]["type"] == "Module" and nodes[0]["parent_id"] is None

    def text(row: dict[str, object], start: str = "bstart", end: str = "bend") -> str:
        return source.data[row[start] : row[end]].decode(encoding)  # type: ignore[misc]

    names = {text(n) for n in nodes if n["type"] == "Name"}
    assert {"é", "Ünïcode", "méthode", "osp", "OD"} <= names
    assert '"café"' in {text(n) for n in nodes if n["type"] == "SimpleString"}
    # The code range of ``(str)`` leaves out its parentheses; the whitespace-inclusive
    # range keeps them.
    str_name = next(
        n
        for n in nodes
        if n["type"] == "Name" and text(n) == "str" and text(n, "ws_bstart", "ws_bend") != "str"
    )
    assert text(str_name, "ws_bstart", "ws_bend") == "(str)"
    for n in nodes[1:]:  # the module spans the whole file, a BOM included
        assert n["ws_bstart"] <= n["bstart"] <= n["bend"] <= n["ws_bend"]  # type: ignore[operator]
        line_start = source.lines.line_starts[n["line"] - 1]  # type: ignore[operator]
        assert line_start + n["col"] == n["bstart"]  # type: ignore[operator]
    definitions = {(d["kind"], text(d)) for d in _rows(out.tables["libcst_definitions"])}
    assert ("IMPORT", "os.path as osp") in definitions
    assert ("CALL", "(str)(osp.join(s, x))") in definitions
    assert ("FUNCTION", "def one(self): pass;") in definitions
    assert ("FUNCTION", "lambda: 2") in definitions  # parentheses are not the lambda's


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
def test_ast_tree_sitter_and_libcst_definitions_agree(outputs: dict, variant: str) -> None:  # type: ignore[type-arg]
    source, out = outputs[variant]
    expected = _ast_definitions(source)
    assert len(expected) > 20
    libcst_rows = out.tables["libcst_definitions"]
    assert _layer_definitions(libcst_rows) == expected
    assert libcst_rows.num_rows == len(expected)
    ts_rows = tree_sitter_layer.extract(source, ExtractOptions()).tables["tree_sitter_definitions"]
    assert _layer_definitions(ts_rows) == expected

    # Same names too (callee text, bound import names, defined names).
    def names(table: pa.Table) -> set[tuple[object, ...]]:
        return set(
            zip(*(table.column(c).to_pylist() for c in ("kind", "bstart", "name")), strict=True)
        )

    assert names(libcst_rows) == names(ts_rows)

    # And the same lines and columns as CPython's own positions of the ast nodes.
    index = ast_index_of(source)
    kinds = ("CLASS", "FUNCTION", "CALL", "IMPORT")
    position = ("kind", "bstart", "line", "col", "end_line", "end_col")
    ast_positions = {
        row for row in zip(*(getattr(index, c) for c in position), strict=True) if row[0] in kinds
    }

    def positions(table: pa.Table) -> set[tuple[object, ...]]:
        return set(zip(*(table.column(c).to_pylist() for c in position), strict=True))

    assert positions(libcst_rows) == ast_positions
    assert positions(ts_rows) == ast_positions


def test_qualified_names_of_imported_builtin_and_local_names() -> None:
    text = textwrap.dedent(
        """\
        import os.path as osp

        def helper(x):
            return len(x)

        result = helper(osp.join("a", "b"))
        """
    )
    source = source_of(text.encode())
    out = libcst_layer.extract(source, ExtractOptions())
    rows = _rows(out.tables["libcst_qualified_names"])
    found = {
        (
            r["node_type"],
            source.data[r["bstart"] : r["bend"]].decode(),
            r["qualified_name"],
            r["source"],
        )  # type: ignore[misc]
        for r in rows
    }
    assert ("Attribute", "osp.join", "os.path.join", "IMPORT") in found
    assert ("Call", 'osp.join("a", "b")', "os.path.join", "IMPORT") in found
    assert ("Name", "len", "builtins.len", "BUILTIN") in found
    assert ("Call", "len(x)", "builtins.len", "BUILTIN") in found
    assert ("Name", "helper", "helper", "LOCAL") in found
    assert ("Call", 'helper(osp.join("a", "b"))', "helper", "LOCAL") in found
    node_ids = set(out.tables["libcst_nodes"].column("node_id").to_pylist())
    assert {r["node_id"] for r in rows} <= node_ids


@pytest.mark.parametrize(
    ("data", "error_type"),
    [
        (b'print "python 2"\n', "SyntaxError"),
        (b"def f()\n    return 1\n", "SyntaxError"),
        (b"x = " + b"(" * 3000 + b")" * 3000 + b"\n", "SyntaxError"),
        (b"x = '\xff'\n", "SyntaxError"),  # not UTF-8: CPython's parser says so first
    ],
)
def test_bad_files_give_a_file_error_and_empty_tables(data: bytes, error_type: str) -> None:
    out = libcst_layer.extract(source_of(data), ExtractOptions())
    assert [(e.layer, e.error_type) for e in out.errors] == [("libcst", error_type)]
    for spec in libcst_layer.LAYER.tables:
        assert out.tables[spec.name].schema == spec.schema
        assert out.tables[spec.name].num_rows == 0


def test_output_is_deterministic(outputs: dict) -> None:  # type: ignore[type-arg]
    source, first = outputs["crlf"]
    fresh = SourceFile(source.path, source.file_id, source.module, source.data, source.encoding)
    second = libcst_layer.extract(fresh, ExtractOptions())
    for name, table in first.tables.items():
        assert table.equals(second.tables[name]), name
    ids = first.tables["libcst_nodes"].column("node_id").to_pylist()
    assert len(set(ids)) == len(ids)


_BUILD_AND_REPORT_LIBCST = """
import sys
import codeanatomy
codeanatomy.build(sys.argv[1], out=sys.argv[2], jobs=1, layers=sys.argv[3].split(","))
print("libcst" in sys.modules)
"""


@pytest.mark.parametrize(("layers", "imported"), [("ast,tree_sitter", "False"), ("ast,libcst", "True")])
def test_libcst_is_imported_only_by_a_build_running_its_layer(tmp_path: Path, layers: str, imported: str) -> None:
    """LibCST takes a third of a second to import: commands and builds without its layer skip it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "m.py").write_text("import os\n\ndef f():\n    return os.getcwd()\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_AND_REPORT_LIBCST, str(repo), str(tmp_path / "out"), layers],
        capture_output=True, text=True, check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == imported
