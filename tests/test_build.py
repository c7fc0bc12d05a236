"""End to end: build a fixture repository, read it back, and check the artifact contract."""

from __future__ import annotations

import ast
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import CommitProperties, DeltaTable, write_deltalake

import codeanatomy
from codeanatomy.deep_stack import run_with_deep_stack
from codeanatomy.errors import OutputError, QueryError, RootError, StorageError
from tests.conftest import RepoFactory

GOOD = {
    "pkg/__init__.py": "from .core import Engine\n__all__ = ['Engine']\n",
    "pkg/core.py": textwrap.dedent(
        """\
        import os


        class Engine:
            def run(self, path: str) -> bool:
                return os.path.exists(path)


        def start():
            return Engine().run(".")
        """
    ),
    "pkg/latin.py": "# -*- coding: latin-1 -*-\nnom = 'café'\n".encode("latin-1"),
    "scripts/tool.py": "import pkg\npkg.core.start()\n",
}
BAD = {
    "bad/syntax.py": "def broken(:\n",
    "bad/nul.py": b"x = 1\x00\n",
    "bad/undecodable.py": b"s = '\xff'\n",
    "bad/deep.py": "x = " + "(" * 300_000 + ")" * 300_000 + "\n",
    "bad/huge.py": "y = 1\n" * 150_000,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, codeanatomy.BuildResult]:
    root = tmp_path_factory.mktemp("repo")
    for rel, content in {**GOOD, **BAD}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = codeanatomy.build(root, jobs=1, max_file_bytes=700_000)
    return root, result


def test_result_paths_are_real_and_counts_match_the_tables(built: tuple[Path, codeanatomy.BuildResult]) -> None:
    root, result = built
    assert Path(result.out) == root / ".codeanatomy"
    assert Path(result.manifest_path).is_file() and Path(result.run_dir).is_dir()
    assert Path(result.errors_path) == root / ".codeanatomy" / "errors"
    expected = {"files", "errors", "ast_nodes", "ast_edges", "ast_props", "cpg_nodes", "cpg_edges", "cpg_props"}
    assert expected <= set(result.tables)
    for name, written in result.tables.items():
        table = DeltaTable(written.path)
        assert table.version() == written.delta_version
        assert table.to_pyarrow_table().num_rows == written.rows, name
    assert result.files == len(GOOD) + len(BAD)
    assert sum(result.nodes_by_kind.values()) == result.tables["cpg_nodes"].rows
    assert result.edges_by_kind["CONTAINS"] >= 9


def _column_encodings(table_path: str) -> dict[str, set[str]]:
    """Encodings of each column over every data file of a Delta table."""
    found: dict[str, set[str]] = {}
    for name in DeltaTable(table_path).file_uris():
        metadata = pq.ParquetFile(name).metadata
        for group in range(metadata.num_row_groups):
            for column in range(metadata.num_columns):
                chunk = metadata.row_group(group).column(column)
                found.setdefault(chunk.path_in_schema, set()).update(chunk.encodings)
    return found


@pytest.mark.parametrize(("table", "plain", "dictionary"), [
    ("ast_nodes", ["node_id", "scope_id", "code"], ["file_id", "kind", "ast_type"]),
    ("cpg_edges", ["edge_id", "src", "dst"], ["kind", "layer"]),
])
def test_row_ids_are_stored_plain_and_repeated_text_as_a_dictionary(
    built: tuple[Path, codeanatomy.BuildResult], table: str, plain: list[str], dictionary: list[str]
) -> None:
    encodings = _column_encodings(built[1].tables[table].path)
    for column in plain:
        assert not any("DICTIONARY" in e for e in encodings[column]), column
    for column in dictionary:
        assert any("DICTIONARY" in e for e in encodings[column]), column


def test_bad_files_give_error_rows_and_the_build_goes_on(built: tuple[Path, codeanatomy.BuildResult]) -> None:
    root, result = built
    graph = codeanatomy.open_graph(root)
    errors = graph.query("SELECT path, layer, error_type, line FROM errors ORDER BY path").to_pylist()
    rows = {(e["path"], e["layer"], e["error_type"]) for e in errors if e["layer"] in {"scan", "ast"}}
    assert {e["path"] for e in errors} == set(BAD)
    assert {e["layer"] for e in errors} == {"scan", "ast", "symtable", "bytecode", "bindings", "resolve"}
    assert rows == {
        ("bad/huge.py", "scan", "TooLarge"),
        ("bad/syntax.py", "ast", "SyntaxError"),
        ("bad/nul.py", "ast", "SyntaxError"),
        ("bad/undecodable.py", "scan", "EncodingError"),
        ("bad/undecodable.py", "ast", "SyntaxError"),
        ("bad/deep.py", "ast", "SyntaxError"),
    }
    assert {e["line"] for e in errors if e["path"] == "bad/syntax.py"} == {1}
    assert result.errors_by_layer["ast"] == 4 and result.errors_by_layer["scan"] == 2
    recovered = graph.query(
        "SELECT kind, qualname, layer, line, col FROM cpg_nodes WHERE path = 'bad/syntax.py' ORDER BY kind"
    ).to_pylist()
    assert recovered == [
        {"kind": "FILE", "qualname": "bad/syntax.py", "layer": "scan", "line": 1, "col": 0},
        {"kind": "FUNCTION", "qualname": "bad.syntax.broken", "layer": "tree_sitter", "line": 1, "col": 0},
        {"kind": "MODULE", "qualname": "bad.syntax", "layer": "scan", "line": 1, "col": 0},
    ]
    modules = graph.query("SELECT qualname FROM cpg_nodes WHERE kind = 'MODULE' ORDER BY qualname")
    assert modules.column(0).to_pylist() == sorted(
        ["bad.deep", "bad.huge", "bad.nul", "bad.syntax", "bad.undecodable", "pkg", "pkg.core", "pkg.latin", "scripts.tool"]
    )


def test_graph_has_definitions_with_qualnames_and_unique_ids(built: tuple[Path, codeanatomy.BuildResult]) -> None:
    root, _ = built
    graph = codeanatomy.open_graph(root)
    defs = graph.query(
        "SELECT kind, qualname FROM cpg_nodes WHERE kind IN ('CLASS', 'FUNCTION') AND layer = 'ast' ORDER BY qualname"
    ).to_pylist()
    assert defs == [
        {"kind": "CLASS", "qualname": "pkg.core.Engine"},
        {"kind": "FUNCTION", "qualname": "pkg.core.Engine.run"},
        {"kind": "FUNCTION", "qualname": "pkg.core.start"},
    ]
    dupes = graph.query("SELECT count(*) - count(DISTINCT node_id) FROM cpg_nodes").column(0)[0].as_py()
    edge_dupes = graph.query("SELECT count(*) - count(DISTINCT edge_id) FROM cpg_edges").column(0)[0].as_py()
    assert dupes == 0 and edge_dupes == 0
    dangling = graph.query(
        "SELECT count(*) FROM cpg_edges e LEFT JOIN cpg_nodes n ON e.dst = n.node_id WHERE n.node_id IS NULL"
    ).column(0)[0].as_py()
    assert dangling == 0
    contained = graph.query(
        """SELECT s.qualname AS src, d.qualname AS dst FROM cpg_edges e
           JOIN cpg_nodes s ON e.src = s.node_id JOIN cpg_nodes d ON e.dst = d.node_id
           WHERE e.kind = 'CONTAINS' AND d.kind IN ('CLASS', 'FUNCTION') AND d.layer = 'ast' ORDER BY dst"""
    ).to_pylist()
    assert contained == [
        {"src": "pkg.core", "dst": "pkg.core.Engine"},
        {"src": "pkg.core.Engine", "dst": "pkg.core.Engine.run"},
        {"src": "pkg.core", "dst": "pkg.core.start"},
    ]
    latin = graph.query("SELECT code FROM cpg_nodes WHERE kind = 'LITERAL' AND path = 'pkg/latin.py'")
    assert latin.column(0).to_pylist() == ["'café'"]


def test_manifest_records_inputs_versions_tables_and_timings(built: tuple[Path, codeanatomy.BuildResult]) -> None:
    root, result = built
    manifest = json.loads(Path(result.manifest_path).read_text())
    assert manifest["root"] == str(root)
    assert manifest["options"]["max_file_bytes"] == 700_000
    assert manifest["option_sources"]["max_file_bytes"] == "cli"
    assert manifest["capabilities"]["versions"]["datafusion"] != "missing"
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {n: w.rows for n, w in result.tables.items()}
    assert manifest["errors_by_layer"] == result.errors_by_layer
    phases = {"scan", "extract", "commit_evidence", "graph_syntax", "resolve_program", "resolve_wait"}
    assert set(manifest["timings"]) >= phases | {"graph_resolution", "write", "total"}
    assert manifest["layers"][0]["name"] == "ast"
    assert len(manifest["inputs_sha256"]) == 64


def _contents(root: Path, out: Path) -> dict[str, list[dict[str, object]]]:
    graph = codeanatomy.open_graph(root, out=out)
    return {
        "nodes": graph.query("SELECT * FROM cpg_nodes ORDER BY node_id").to_pylist(),
        "edges": graph.query("SELECT * FROM cpg_edges ORDER BY edge_id").to_pylist(),
        "props": graph.query("SELECT * FROM cpg_props ORDER BY node_id, key").to_pylist(),
    }


def test_same_input_same_graph_for_any_worker_count(make_repo: RepoFactory, tmp_path: Path) -> None:
    files = {**GOOD, **{f"gen/m{i}.py": f"def f{i}(a):\n    return [a * {i} for _ in range(3)]\n" for i in range(40)}}
    root = make_repo(files)
    codeanatomy.build(root, out=tmp_path / "one", jobs=1)
    codeanatomy.build(root, out=tmp_path / "two", jobs=2)
    first = _contents(root, tmp_path / "one")
    assert first == _contents(root, tmp_path / "two")
    codeanatomy.build(root, out=tmp_path / "one", jobs=2, cache=False)
    assert first == _contents(root, tmp_path / "one")
    assert len(first["nodes"]) > 500


def test_unusable_root_and_output(tmp_path: Path) -> None:
    with pytest.raises(RootError):
        codeanatomy.build(tmp_path / "missing")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError):
        codeanatomy.build(tmp_path, out=blocker / "sub")


def test_paths_that_are_not_utf8_are_built_under_escaped_names(tmp_path: Path) -> None:
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/r\xe9po"))  # latin-1 bytes, not UTF-8
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("from .util import helper\n\ndef main():\n    return helper()\n")
    with open(os.fsencode(root / "pkg") + b"/caf\xe9.py", "wb") as file:
        file.write(b"def brew():\n    return 1\n")
    (root / "pkg" / "util.py").write_text("def helper():\n    return 2\n")
    with pytest.raises(OutputError, match=r"'.*/r\\xe9po/\.codeanatomy' is not valid UTF-8"):
        codeanatomy.build(root, jobs=1)
    result = codeanatomy.build(root, out=tmp_path / "out", jobs=1)
    shown = os.fsencode(root).decode("utf-8", "backslashreplace")
    assert result.root == shown and json.loads(Path(result.manifest_path).read_text())["root"] == shown
    graph = codeanatomy.open_graph(root, out=tmp_path / "out")
    errors = graph.query("SELECT path, layer, error_type FROM errors").to_pylist()
    assert errors == [{"path": "pkg/caf\\xe9.py", "layer": "scan", "error_type": "UndecodablePath"}]
    brew = graph.query("SELECT path, qualname FROM cpg_nodes WHERE kind = 'FUNCTION' AND name = 'brew'").to_pylist()
    assert brew == [{"path": "pkg/caf\\xe9.py", "qualname": "pkg.caf\\xe9.brew"}]
    calls = graph.query(
        "SELECT callee.qualname FROM cpg_edges e JOIN cpg_nodes callee ON e.dst = callee.node_id WHERE e.kind = 'CALLS'"
    )
    assert calls.column(0).to_pylist() == ["pkg.util.helper"]


def test_unknown_schema_version_is_refused_before_any_write(make_repo: RepoFactory) -> None:
    root = make_repo(GOOD)
    result = codeanatomy.build(root, jobs=1)
    nodes_path = result.tables["cpg_nodes"].path
    write_deltalake(
        nodes_path,
        pa.table({"node_id": ["x"]}),
        mode="overwrite",
        schema_mode="overwrite",
        commit_properties=CommitProperties(
            custom_metadata={"codeanatomy.table": "cpg_nodes", "codeanatomy.schema_version": "99"}
        ),
    )
    files_version = DeltaTable(result.tables["files"].path).version()
    with pytest.raises(StorageError, match="schema version '99'"):
        codeanatomy.build(root, jobs=1)
    assert DeltaTable(result.tables["files"].path).version() == files_version


def test_unsupported_protocol_is_refused(make_repo: RepoFactory) -> None:
    root = make_repo(GOOD)
    result = codeanatomy.build(root, jobs=1)
    errors_path = result.tables["errors"].path
    write_deltalake(
        errors_path,
        pa.table({"file_id": ["x"]}),
        mode="overwrite",
        schema_mode="overwrite",
        configuration={"delta.enableChangeDataFeed": "true"},
    )
    with pytest.raises(StorageError, match="protocol"):
        codeanatomy.build(root, jobs=1)


def test_query_errors_are_query_errors(built: tuple[Path, codeanatomy.BuildResult]) -> None:
    root, _ = built
    graph = codeanatomy.open_graph(root)
    with pytest.raises(QueryError, match="nonexistent"):
        graph.query("SELECT * FROM nonexistent")
    assert graph.sql("SELECT count(*) AS n FROM files").to_arrow_table().column("n")[0].as_py() == 9


def test_killed_build_leaves_previous_graph_readable(make_repo: RepoFactory) -> None:
    files = {f"m{i}.py": f"def f{i}(x):\n    return x + {i}\n" * 40 for i in range(150)}
    root = make_repo(files)
    codeanatomy.build(root, jobs=1)
    before = codeanatomy.open_graph(root).query("SELECT count(*) FROM cpg_nodes").column(0)[0].as_py()
    for extra in range(3):
        (root / f"new{extra}.py").write_text("def g():\n    pass\n" * 50)
        proc = subprocess.Popen(
            [sys.executable, "-c", f"import codeanatomy; codeanatomy.build({str(root)!r}, jobs=1)"],
            start_new_session=True,
        )
        time.sleep(0.8 + 0.7 * extra)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        graph = codeanatomy.open_graph(root)
        count = graph.query("SELECT count(*) FROM cpg_nodes").column(0)[0].as_py()
        latest = graph.manifest.nodes_by_kind
        assert count == sum(latest.values())
        assert count >= before
    result = codeanatomy.build(root, jobs=1)
    after = codeanatomy.open_graph(root).query("SELECT count(*) FROM cpg_nodes").column(0)[0].as_py()
    assert after == result.nodes > before
    runs = [p for p in (root / ".codeanatomy" / "runs").iterdir() if p.is_dir()]
    assert all((p / "manifest.json").exists() for p in runs)  # the killed builds' directories are gone
    cache = [p.name for p in (root / ".codeanatomy" / "cache").iterdir()]
    assert cache and not [name for name in cache if name.startswith("tmp-")]  # nor their half-written entries


def test_rebuilds_delete_files_older_than_the_previous_build(make_repo: RepoFactory) -> None:
    root = make_repo({"pkg/__init__.py": "", "pkg/mod.py": "def f():\n    return 1\n"})
    nodes = root / ".codeanatomy" / "cpg" / "nodes"
    builds = []
    for number in range(4):
        (root / "pkg" / "mod.py").write_text(f"def f():\n    return {number}\n\nx{number} = f()\n")
        builds.append(codeanatomy.build(root, jobs=1))
    versions = [b.tables["cpg_nodes"].delta_version for b in builds]
    on_disk = {p.name for p in nodes.glob("*.parquet")}
    kept = {Path(uri).name for v in versions[-2:] for uri in DeltaTable(str(nodes), version=v).file_uris()}
    assert on_disk == kept  # the first two builds' files are gone
    for version, rows in zip(versions[-2:], (b.tables["cpg_nodes"].rows for b in builds[-2:]), strict=True):
        assert DeltaTable(str(nodes), version=version).to_pyarrow_table().num_rows == rows
    graph = codeanatomy.open_graph(root)
    assert graph.sql("SELECT count(*) AS n FROM cpg_nodes").to_pylist()[0]["n"] == builds[-1].tables["cpg_nodes"].rows


def test_one_edge_per_kind_source_and_target_when_the_resolver_finds_it_twice(make_repo: RepoFactory) -> None:
    root = make_repo(
        {
            "dup.py": (
                "class Ctx:\n"
                "    def stop(self, *args):\n"
                "        return self\n"
                "    __enter__ = stop\n"
                "    __exit__ = stop\n"
                "\n"
                "def use():\n"
                "    with Ctx():\n"
                "        pass\n"
                "\n"
                "def method_of(x):\n"
                "    return x.stop\n"
                "\n"
                "method_of(Ctx)\n"
                "method_of(Ctx())\n"
                "\n"
                "class B:\n"
                "    pass\n"
                "\n"
                "class C:\n"
                "    pass\n"
                "\n"
                "Base = B if __debug__ else C\n"
                "\n"
                "class D(Base, B):\n"
                "    pass\n"
            )
        }
    )
    codeanatomy.build(root, jobs=1)
    graph = codeanatomy.open_graph(root)
    # The resolver's tables keep every way it found: __enter__ and __exit__, a class and
    # an instance receiver, base positions 0 and 1.
    found = graph.query(
        """SELECT (SELECT count(*) FROM call_edges WHERE callee_pycg = 'dup.Ctx.stop' AND method = 'protocol') AS calls,
                  (SELECT count(*) FROM attribute_targets a JOIN cpg_nodes n ON a.target_node_id = n.node_id
                   WHERE n.qualname = 'dup.Ctx.stop' AND a.method IN ('class', 'instance')) AS refs,
                  (SELECT count(*) FROM class_bases WHERE base_qualname = 'dup.B') AS bases"""
    ).to_pylist()
    assert found == [{"calls": 2, "refs": 2, "bases": 2}]
    edges = graph.query(
        """SELECT e.kind, e.label, e.method, e.idx FROM cpg_edges e JOIN cpg_nodes d ON e.dst = d.node_id
           WHERE e.layer = 'resolve' AND d.qualname IN ('dup.Ctx.stop', 'dup.B') ORDER BY e.kind"""
    ).to_pylist()
    assert edges == [
        {"kind": "CALLS", "label": "__enter__", "method": "protocol", "idx": None},
        {"kind": "INHERITS_FROM", "label": None, "method": None, "idx": 0},
        {"kind": "REFERS_TO", "label": None, "method": "class", "idx": None},
    ]
    dupes = graph.query("SELECT count(*) - count(DISTINCT edge_id) FROM cpg_edges").column(0)[0].as_py()
    assert dupes == 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_code_nested_as_deep_as_cpython_accepts_loses_nothing(make_repo: RepoFactory, jobs: int) -> None:
    # Generated code can nest thousands deep: a sum of 1,500 calls is a left-leaning tree
    # 1,500 levels deep, which CPython compiles at its default limits; the passes that
    # recurse per level once lost the whole file's resolution (calls, imports) to it.
    terms = 1_500
    text = (
        "def g(v):\n    return v\n\n"
        f"total = {' + '.join(['g(1)'] * terms)}\n"
        f"label = total{'.real' * terms}\n\n"
        "def after():\n    return g(2)\n"
    )
    root = make_repo({"gen.py": text})
    result = codeanatomy.build(root, jobs=jobs)
    graph = codeanatomy.open_graph(root)
    calls = graph.query(
        "SELECT count(*) AS n FROM cpg_edges e JOIN cpg_nodes d ON e.dst = d.node_id "
        "WHERE e.kind = 'CALLS' AND d.qualname = 'gen.g'"
    ).to_pylist()
    # CPython 3.12 caps the C recursion of its pickler and of compile() on an ast tree at
    # a fixed depth: there those two steps give an error row, and the others still work.
    stopped = {step: 1 for step, works in _C_STEPS.items() if not run_with_deep_stack(works, text)}
    assert result.errors_by_layer == stopped
    assert calls == [{"n": 0 if "resolve_facts" in stopped else terms + 1}]
    functions = graph.query("SELECT qualname FROM cpg_nodes WHERE kind = 'FUNCTION' ORDER BY qualname").to_pylist()
    assert functions == [{"qualname": "gen.after"}, {"qualname": "gen.g"}]


def _pickles_as_deep(text: str) -> bool:
    nested: tuple[object, ...] = ()
    for _ in range(text.count("+") + 100):
        nested = (nested,)
    try:
        pickle.dumps(nested)
    except RecursionError:
        return False
    return True


def _compiles_tree(text: str) -> bool:
    try:
        compile(ast.parse(text), "gen.py", "exec")
    except RecursionError:
        return False
    return True


_C_STEPS = {"resolve_facts": _pickles_as_deep, "bytecode": _compiles_tree}
