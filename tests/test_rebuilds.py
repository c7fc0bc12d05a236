"""Rebuilds: unchanged chunks come from the chunk cache and only the chunks around a
change run again; an unchanged program takes the last build's resolution; a build with
nothing changed returns the last build's graph; the graph is always the same as a
fresh build's."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

import codeanatomy
from codeanatomy import api
from codeanatomy.cli import main
from codeanatomy.config import resolve_options
from codeanatomy.resolve.isolated import RunningResolver, start_resolver
from codeanatomy.scan import scan
from codeanatomy.up_to_date import build_key
from tests.conftest import RepoFactory
from tests.test_build import _contents

_FILES = {
    "codeanatomy.toml": "chunk_files = 4\n",
    "pkg/__init__.py": "from .util import helper\n",
    "pkg/util.py": "def helper(x):\n    return x + 1\n",
    "pkg/broken.py": "def broken(:\n",
    **{f"gen/m{i:02d}.py": f"from pkg import helper\n\ndef f{i}(a):\n    return helper(a) * {i}\n" for i in range(40)},
}
_PYTHON_FILES = sum(1 for name in _FILES if name.endswith(".py"))


def _entries(root: Path) -> set[str]:
    return {p.name for p in (root / ".codeanatomy" / "cache").iterdir()}


def _other_options(root: Path) -> codeanatomy.BuildResult:
    """A build of ``root`` with an option that changes no file's work or the graph, so
    that it is not a build with nothing to do."""
    return codeanatomy.build(root, jobs=1, exclude=["no/such/directory/**"])


def test_a_rebuild_of_unchanged_files_reuses_every_file_s_work_and_gives_the_same_graph(make_repo: RepoFactory) -> None:
    root = make_repo(_FILES)
    first = codeanatomy.build(root, jobs=2)
    assert first.reused == {"facts": 0, "extract": 0, "resolve": 0}
    contents = _contents(root, root / ".codeanatomy")
    errors = codeanatomy.open_graph(root).query("SELECT path, layer, error_type FROM errors ORDER BY path, layer").to_pylist()
    second = _other_options(root)
    assert not second.unchanged and second.run_id != first.run_id
    assert second.reused == {"facts": _PYTHON_FILES, "extract": _PYTHON_FILES, "resolve": _PYTHON_FILES}
    assert second.timings["resolve_program"] == 0.0
    assert _contents(root, root / ".codeanatomy") == contents
    # The broken file's error rows come back, with its chunk and with the resolution.
    again = codeanatomy.open_graph(root).query("SELECT path, layer, error_type FROM errors ORDER BY path, layer").to_pylist()
    assert again == errors
    assert {"path": "pkg/broken.py", "layer": "ast", "error_type": "SyntaxError"} in again
    assert {"path": "pkg/broken.py", "layer": "resolve", "error_type": "SyntaxError"} in again
    manifest = codeanatomy.open_graph(root).manifest
    assert manifest.reused == second.reused
    assert {layer.name: layer.seconds for layer in manifest.layers}["ast"] == 0.0  # no file was parsed


def test_a_build_with_nothing_changed_returns_the_last_build_s_graph(
    make_repo: RepoFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(_FILES)
    first = codeanatomy.build(root, jobs=1)
    runs = sorted(p.name for p in (root / ".codeanatomy" / "runs").iterdir())
    same = codeanatomy.build(root, jobs=2)  # the number of workers shapes no graph
    assert same.unchanged and not first.unchanged
    assert (same.run_id, same.manifest_path, same.tables) == (first.run_id, first.manifest_path, first.tables)
    assert (same.nodes_by_kind, same.edges_by_kind, same.errors_by_layer) == (first.nodes_by_kind, first.edges_by_kind, first.errors_by_layer)
    assert same.reused == {"facts": _PYTHON_FILES, "extract": _PYTHON_FILES, "resolve": _PYTHON_FILES}
    assert sorted(p.name for p in (root / ".codeanatomy" / "runs").iterdir()) == runs  # no run was made
    assert main(["build", str(root)]) == 0
    assert capsys.readouterr().out.startswith(f"Graph of {root} is up to date: nothing changed since build {first.run_id}")
    # Any change builds again: a file's bytes, an option shaping the graph, a table's data gone.
    (root / "gen" / "m07.py").write_text("def g():\n    return 7\n")
    edited = codeanatomy.build(root, jobs=1)
    assert not edited.unchanged and codeanatomy.build(root, jobs=1).unchanged
    assert not codeanatomy.build(root, jobs=1, layers=["ast"]).unchanged
    assert not codeanatomy.build(root, jobs=1).unchanged
    nodes = root / ".codeanatomy" / "cpg" / "nodes"
    for data in nodes.glob("*.parquet"):
        data.unlink()
    rebuilt = codeanatomy.build(root, jobs=1)
    assert not rebuilt.unchanged and rebuilt.nodes_by_kind == edited.nodes_by_kind
    assert not codeanatomy.build(root, jobs=1, cache=False).unchanged


def test_an_output_directory_moved_whole_opens_and_stays_up_to_date(make_repo: RepoFactory, tmp_path: Path) -> None:
    root = make_repo(_FILES)
    first = codeanatomy.build(root, out=tmp_path / "built", jobs=1)
    moved = tmp_path / "moved"
    (tmp_path / "built").rename(moved)
    graph = codeanatomy.open_graph(root, out=moved)
    assert graph.query("SELECT count(*) AS n FROM files").to_pylist() == [{"n": _PYTHON_FILES}]
    assert {info.path for info in graph.tables()} <= {str(p) for p in moved.glob("**/*") if p.is_dir()}
    again = codeanatomy.build(root, out=moved, jobs=1)
    assert again.unchanged and again.run_id == first.run_id
    assert again.out == str(moved)
    assert Path(again.manifest_path).parent.parent.parent == moved
    assert all(Path(written.path).is_relative_to(moved) for written in again.tables.values())
    assert again.tables.keys() == first.tables.keys()


def test_an_edited_file_runs_again_with_its_chunk_and_the_graph_matches_a_fresh_build(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    root = make_repo(_FILES)
    codeanatomy.build(root, jobs=1)
    before = _entries(root)
    (root / "pkg" / "util.py").write_text("def helper(x):\n    return x + 1\n\ndef added(y):\n    return helper(y)\n")
    result = codeanatomy.build(root, jobs=1)
    # Chunks hold at most 2 * chunk_files files; only the edited file's chunk runs again.
    assert _PYTHON_FILES - 8 <= result.reused["extract"] < _PYTHON_FILES
    assert result.reused["facts"] == result.reused["extract"]
    assert result.reused["resolve"] == 0 and result.timings["resolve_program"] > 0
    graph = codeanatomy.open_graph(root)
    rows = graph.query("SELECT qualname FROM cpg_nodes WHERE kind = 'FUNCTION' AND qualname LIKE 'pkg.util.%'").to_pylist()
    assert sorted(r["qualname"] for r in rows) == ["pkg.util.added", "pkg.util.helper"]
    codeanatomy.build(root, out=tmp_path / "fresh", jobs=1, cache=False)
    assert _contents(root, root / ".codeanatomy") == _contents(root, tmp_path / "fresh")
    # The edited chunk's old entries (facts and evidence) were replaced, the others kept.
    after = _entries(root)
    assert len(after) == len(before) and len(before - after) == 2


def test_what_library_sources_told_the_resolver_is_kept_for_the_next_builds(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    files = {**_FILES, "cli.py": "import argparse\n\nparser = argparse.ArgumentParser()\nparser.add_argument('x')\n"}
    root = make_repo(files)
    codeanatomy.build(root, jobs=1)
    memos = [name for name in _entries(root) if name.startswith("external-classes-")]
    assert len(memos) == 1
    memo = root / ".codeanatomy" / "cache" / memos[0]
    written = memo.stat().st_mtime_ns
    # A build that takes the last resolution runs no resolver: the memo stays.
    _other_options(root)
    assert memo.stat().st_mtime_ns == written
    # A build that resolves again reads it, and its graph is a fresh build's.
    (root / "cli.py").write_text(files["cli.py"] + "parser.parse_args([])\n")
    assert codeanatomy.build(root, jobs=1).reused["resolve"] == 0
    assert memo.exists()
    codeanatomy.build(root, out=tmp_path / "fresh", jobs=1, cache=False)
    assert _contents(root, root / ".codeanatomy") == _contents(root, tmp_path / "fresh")
    edges = codeanatomy.open_graph(root).query("SELECT callee_pycg FROM call_edges WHERE callee_kind = 'EXTERNAL'").to_pylist()
    assert {"callee_pycg": "argparse.ArgumentParser.add_argument"} in edges
    assert not (tmp_path / "fresh" / "cache").exists()


def test_a_new_or_removed_file_runs_again_only_the_chunks_around_it(make_repo: RepoFactory, tmp_path: Path) -> None:
    root = make_repo(_FILES)
    codeanatomy.build(root, jobs=1)
    (root / "gen" / "m00a.py").write_text("def new():\n    return 0\n")  # among the first files
    result = codeanatomy.build(root, jobs=1)
    # Chunks cut every four files, not where a path says, would all move after it.
    assert result.reused["extract"] >= _PYTHON_FILES - 16
    (root / "gen" / "m01.py").unlink()
    result = codeanatomy.build(root, jobs=1)
    assert _PYTHON_FILES - 16 <= result.reused["extract"] < _PYTHON_FILES
    functions = codeanatomy.open_graph(root).query("SELECT qualname FROM cpg_nodes WHERE kind = 'FUNCTION'").column(0)
    assert "gen.m00a.new" in functions.to_pylist() and "gen.m01.f1" not in functions.to_pylist()
    codeanatomy.build(root, out=tmp_path / "fresh", jobs=1, cache=False)
    assert _contents(root, root / ".codeanatomy") == _contents(root, tmp_path / "fresh")


def test_other_layers_reuse_the_facts_but_not_the_evidence(make_repo: RepoFactory) -> None:
    root = make_repo(_FILES)
    codeanatomy.build(root, jobs=1)
    result = codeanatomy.build(root, jobs=1, layers=["ast"])
    assert result.reused == {"facts": _PYTHON_FILES, "extract": 0, "resolve": _PYTHON_FILES}
    assert result.tables["tree_sitter_nodes"].rows == 0


def test_a_damaged_entry_is_dropped_and_its_chunk_runs_again(make_repo: RepoFactory, tmp_path: Path) -> None:
    root = make_repo(_FILES)
    codeanatomy.build(root, jobs=1)
    cache = root / ".codeanatomy" / "cache"
    with_tables = sorted(p for p in cache.iterdir() if any(p.glob("*.parquet")))
    next(with_tables[0].glob("*.parquet")).unlink()
    (with_tables[1] / "entry.json").write_text("{not json")
    result = _other_options(root)
    assert _PYTHON_FILES - 16 <= result.reused["extract"] < _PYTHON_FILES
    codeanatomy.build(root, out=tmp_path / "fresh", jobs=1, cache=False)
    assert _contents(root, root / ".codeanatomy") == _contents(root, tmp_path / "fresh")


def test_without_the_cache_nothing_is_reused_or_kept(make_repo: RepoFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(_FILES)
    assert main(["build", str(root), "--jobs", "1", "--no-cache"]) == 0
    assert main(["build", str(root), "--jobs", "1", "--no-cache"]) == 0
    assert "reused" not in capsys.readouterr().out
    assert not (root / ".codeanatomy" / "cache").exists()
    assert main(["build", str(root), "--jobs", "1"]) == 0
    assert main(["build", str(root), "--jobs", "1"]) == 0
    files_line = next(line for line in capsys.readouterr().out.splitlines()[::-1] if line.startswith("  files:"))
    expected = f"evidence of {_PYTHON_FILES} files, resolver facts of {_PYTHON_FILES}, resolution"
    assert files_line == f"  files:  {_PYTHON_FILES}  (reused from the last build: {expected})"


def test_the_resolution_is_resolved_again_when_the_environment_or_the_roots_change(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(_FILES)
    codeanatomy.build(root, jobs=1)
    monkeypatch.setattr(api, "environment_fingerprint", lambda: "a package was installed")
    assert codeanatomy.build(root, jobs=1).reused["resolve"] == 0
    assert _other_options(root).reused["resolve"] == _PYTHON_FILES
    (root / "codeanatomy.toml").write_text('chunk_files = 4\nextra_roots = ["gen"]\n')
    assert codeanatomy.build(root, jobs=1).reused["resolve"] == 0


def test_a_failed_resolution_is_not_reused(make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(_FILES)

    def start_and_kill(**kwargs: Any) -> RunningResolver:
        resolver = start_resolver(**kwargs)
        os.kill(resolver.pid, signal.SIGKILL)
        return resolver

    with monkeypatch.context() as patch:
        patch.setattr(api, "start_resolver", start_and_kill)
        failed = codeanatomy.build(root, jobs=1)
    assert failed.errors_by_layer["resolve"] >= 1 and "CALLS" not in failed.edges_by_kind
    again = codeanatomy.build(root, jobs=1)
    assert again.reused["resolve"] == 0 and again.edges_by_kind["CALLS"] >= 40


def test_a_resolution_whose_tables_are_gone_is_resolved_again(make_repo: RepoFactory) -> None:
    root = make_repo(_FILES)
    first = codeanatomy.build(root, jobs=1)
    for data in (root / ".codeanatomy" / "resolve" / "call_edges").glob("*.parquet"):
        data.unlink()
    again = codeanatomy.build(root, jobs=1)
    assert again.reused["resolve"] == 0 and again.edges_by_kind == first.edges_by_kind


def test_the_build_key_ignores_how_a_build_runs_and_a_build_ingesting_scip_has_none(make_repo: RepoFactory) -> None:
    root = make_repo({"m.py": "x = 1\n"})
    scanned = scan(root, max_file_bytes=1000)

    def key(**given: object) -> str | None:
        return build_key("code", "environment", str(root), resolve_options(root, given).options, scanned)

    base = key()
    assert base is not None
    assert key(jobs=7, chunk_files=3, out="/elsewhere", cache=False) == base
    assert len({base, key(code_chars=10), key(profile="full"), key(exclude=("x/**",)), key(max_file_bytes=10)}) == 5
    assert key(scip="run") is None and key(scip="index.scip") is None
    # Profile ``full`` selects the scip layer; with no index to ingest, it reads nothing more.
    assert None not in {key(profile="full"), key(layers=("ast", "scip"))}
    assert key(layers=("ast", "scip")) != key(layers=("ast",))
