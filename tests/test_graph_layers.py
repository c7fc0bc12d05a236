"""Every layer in one build: joins to CPG nodes, cross-layer agreement, SCIP ingestion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import codeanatomy
from tests.conftest import RepoFactory

SAMPLE = (
    "import os.path as osp\n"
    "from collections import OrderedDict\n"
    "\n"
    "class Größe(OrderedDict):\n"
    "    '''Ünïcode docstring.'''\n"
    "    @staticmethod\n"
    "    async def méthode(x, y=lambda z: z):\n"
    "        return osp.join(str(x), 'é', key=y)\n"
    "\n"
    "def café(n):\n"
    "    return [Größe() for _ in range(n)]\n"
)
LATIN = "# -*- coding: latin-1 -*-\n" + SAMPLE.replace("ß", "ss").replace("Ü", "U")


@pytest.fixture(scope="module")
def full_graph(tmp_path_factory: pytest.TempPathFactory) -> codeanatomy.engine.Graph:
    root = tmp_path_factory.mktemp("layers")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "utf8.py").write_bytes(SAMPLE.encode())
    (root / "pkg" / "crlf.py").write_bytes(SAMPLE.replace("\n", "\r\n").encode())
    (root / "pkg" / "bom.py").write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode())
    (root / "pkg" / "latin.py").write_bytes(LATIN.encode("latin-1"))
    codeanatomy.build(root, jobs=1, profile="full")
    return codeanatomy.open_graph(root)


def test_ast_tree_sitter_and_libcst_agree_on_every_span(full_graph: codeanatomy.engine.Graph) -> None:
    rows = full_graph.query(
        "SELECT layer_a, layer_b, sum(agree) AS agree, sum(only_a) AS only_a, sum(only_b) AS only_b "
        "FROM layer_agreement GROUP BY layer_a, layer_b ORDER BY layer_a, layer_b"
    ).to_pylist()
    assert [(r["layer_a"], r["layer_b"]) for r in rows] == [
        ("ast", "libcst"), ("ast", "tree_sitter"), ("tree_sitter", "libcst"),
    ]
    files = full_graph.query("SELECT count(DISTINCT file_id) FROM layer_agreement").column(0)[0].as_py()
    assert files == 4  # the empty __init__.py has nothing to compare
    for row in rows:
        assert row["only_a"] == 0 and row["only_b"] == 0, row
        assert row["agree"] == 4 * 10  # per file: 1 class, 3 functions, 4 calls, 2 imports
    assert full_graph.query("SELECT count(*) FROM layer_disagreements").column(0)[0].as_py() == 0


def test_symtable_scopes_and_code_objects_join_definitions(full_graph: codeanatomy.engine.Graph) -> None:
    joined = full_graph.query(
        """SELECT n.kind, n.qualname, s.type, c.kind AS code_kind
           FROM cpg_nodes n
           JOIN symtable_scopes s ON s.node_id = n.node_id
           JOIN bytecode_code_objects c ON c.node_id = n.node_id
           WHERE n.path = 'pkg/utf8.py' ORDER BY n.bstart"""
    ).to_pylist()
    assert [(r["kind"], r["qualname"], r["type"]) for r in joined] == [
        ("MODULE", "pkg.utf8", "module"),
        ("CLASS", "pkg.utf8.Größe", "class"),
        ("FUNCTION", "pkg.utf8.Größe.méthode", "function"),
        ("FUNCTION", "pkg.utf8.<lambda1>", "lambda"),
        ("FUNCTION", "pkg.utf8.café", "function"),
    ] or joined
    symbols = full_graph.query(
        """SELECT sym.name, sym.is_parameter, sym.is_global FROM symtable_symbols sym
           JOIN symtable_scopes s ON s.scope_id = sym.scope_id
           JOIN cpg_nodes n ON n.node_id = s.node_id
           WHERE n.qualname = 'pkg.utf8.café' ORDER BY sym.name"""
    ).to_pylist()
    # On 3.12+ the comprehension is inlined, so its names join café's table too.
    assert {"name": "n", "is_parameter": True, "is_global": False} in symbols
    assert {"name": "range", "is_parameter": False, "is_global": True} in symbols


def test_bindings_calls_and_syntax_edges(full_graph: codeanatomy.engine.Graph) -> None:
    def edges(kind: str) -> set[tuple[str, str]]:
        rows = full_graph.query(
            f"""SELECT s.code AS src, coalesce(d.qualname, d.code) AS dst FROM cpg_edges e
                JOIN cpg_nodes s ON s.node_id = e.src JOIN cpg_nodes d ON d.node_id = e.dst
                WHERE e.kind = '{kind}' AND (s.path = 'pkg/utf8.py' OR s.path IS NULL)"""
        ).to_pylist()
        return {(r["src"], r["dst"]) for r in rows}

    refers = edges("REFERS_TO")
    assert ("x", "pkg.utf8.Größe.méthode.x") in refers
    assert ("range", "builtins.range") in refers
    assert ("Größe", "pkg.utf8.Größe") in refers
    calls = edges("CALLS")
    assert {
        ("Größe()", "pkg.utf8.Größe"),
        ("Größe()", "collections.OrderedDict.__init__"),
        ("range(n)", "builtins.range"),
        ("osp.join(str(x), 'é', key=y)", "os.path.join"),
    } <= calls
    assert ("os.path as osp", "os.path") in edges("IMPORTS")
    assert ("Größe", "collections.OrderedDict") in {(s.split("(")[0].split()[-1], d) for s, d in edges("INHERITS_FROM")}
    assert ("osp.join(str(x), 'é', key=y)", "osp") in edges("RECEIVER")
    arguments = edges("ARGUMENT")
    assert ("osp.join(str(x), 'é', key=y)", "y") in arguments


def test_scip_index_is_ingested_and_joins_nodes(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "extract" / "fixtures" / "scip"
    repo = tmp_path / "repo"
    shutil.copytree(fixture / "repo", repo)
    result = codeanatomy.build(repo, jobs=1, scip=str(fixture / "index.scip"))
    assert result.tables["scip_occurrences"].rows > 0
    graph = codeanatomy.open_graph(repo)
    definitions = graph.query(
        """SELECT n.kind, n.qualname FROM scip_occurrences o
           JOIN cpg_nodes n ON n.file_id = o.file_id AND n.bstart = o.bstart AND n.bend = o.bend
           WHERE o.is_definition AND n.kind IN ('PARAMETER') ORDER BY n.qualname"""
    ).to_pylist()
    assert {"kind": "PARAMETER", "qualname": "shapes.geometry.Point.__init__.self"} in definitions
    layers = [layer.name for layer in graph.manifest.layers]
    assert "scip" in layers


def test_missing_scip_python_is_one_note(make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    monkeypatch.setenv("PATH", str(root))
    result = codeanatomy.build(root, jobs=1, scip="run")
    assert result.notes == ["scip-python is not on PATH; the scip layer is empty for this build"]
    assert result.tables["scip_occurrences"].rows == 0


def test_layers_not_run_leave_empty_tables_with_their_schema(make_repo: RepoFactory) -> None:
    from codeanatomy.catalog import evidence_tables

    root = make_repo({"m.py": "def f():\n    return 1\n"})
    result = codeanatomy.build(root, jobs=1, layers=["ast"])
    graph = codeanatomy.open_graph(root)
    assert [layer.name for layer in graph.manifest.layers] == ["ast", "bindings", "resolve_facts"]
    by_name = {info.name: info for info in graph.tables()}
    for spec in evidence_tables():
        info = by_name[spec.name]
        rows = result.tables[spec.name].rows
        assert (rows > 0) == spec.name.startswith("ast_"), spec.name
        assert info.rows == rows, spec.name
        assert graph.query(f"SELECT * FROM {spec.name}").schema.names == spec.schema.names
    assert graph.query("SELECT count(*) FROM layer_agreement").column(0)[0].as_py() == 0
    assert by_name["cpg_nodes"].rows == result.nodes


def test_node_ids_do_not_depend_on_the_layers_selected(make_repo: RepoFactory, tmp_path: Path) -> None:
    root = make_repo({"m.py": SAMPLE, "broken.py": "def f(:\n"})
    codeanatomy.build(root, jobs=1, layers=["ast"], out=tmp_path / "a")
    codeanatomy.build(root, jobs=1, profile="full", out=tmp_path / "b")
    query = "SELECT node_id, kind, qualname FROM cpg_nodes WHERE layer IN ('ast', 'scan') ORDER BY node_id"
    fast = codeanatomy.open_graph(root, out=tmp_path / "a").query(query)
    full = codeanatomy.open_graph(root, out=tmp_path / "b").query(query)
    assert fast.to_pylist() == full.to_pylist()
    assert fast.num_rows > 30


def test_a_file_ast_rejects_gets_nodes_with_tree_sitter_positions(make_repo: RepoFactory) -> None:
    python2 = (
        "import os\n"
        "\n"
        "class Old(object):\n"
        "    def run(self, x):\n"
        '        print "running", x\n'
        "        return os.path.join(x, `x`)\n"
    )
    root = make_repo({"old.py": python2})
    codeanatomy.build(root, jobs=1, layers=["ast", "tree_sitter"])
    rows = codeanatomy.open_graph(root).query(
        "SELECT kind, name, bstart, bend, line, col, end_line, end_col FROM cpg_nodes"
        " WHERE layer = 'tree_sitter' ORDER BY bstart, kind"
    ).to_pylist()
    data = python2.encode()
    positions = [(r["kind"], r["line"], r["col"], r["end_line"], r["end_col"]) for r in rows]
    assert positions == [
        ("IMPORT", 1, 7, 1, 9),
        ("CLASS", 3, 0, 6, 35),
        ("FUNCTION", 4, 4, 6, 35),
        ("CALL", 6, 15, 6, 35),
    ]
    assert [data[r["bstart"] : r["bend"]].split(b"\n")[0] for r in rows] == [
        b"os", b"class Old(object):", b"    def run(self, x):"[4:], b"os.path.join(x, `x`)",
    ]
