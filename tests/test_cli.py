"""The command line as a user runs it: output, formats, and one-line failures."""

from __future__ import annotations

import importlib.abc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codeanatomy import console
from codeanatomy.cli import main
from codeanatomy.cli.query import DEFAULT_MAX_ROWS
from tests.conftest import RepoFactory

REPO = {"app/__init__.py": "", "app/main.py": "def run():\n    return len('x')\n", "tests/test_main.py": "x = 1\n"}


def test_build_query_tables_roundtrip(make_repo: RepoFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(REPO)
    out = tmp_path / "graph"
    assert main(["build", str(root), "--out", str(out), "--jobs", "1", "--exclude", "tests/**", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["files"] == 2 and result["out"] == str(out)
    assert Path(result["manifest_path"]).is_file()
    assert main(["query", "SELECT kind, count(*) AS n FROM cpg_nodes GROUP BY kind ORDER BY kind", "--repo", str(root), "--out", str(out), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == '"kind","n"'
    assert '"FUNCTION",1' in lines and '"CALL",1' in lines
    assert main(["query", "SELECT qualname FROM cpg_nodes WHERE kind = 'FUNCTION'", "--repo", str(root), "--out", str(out), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"qualname": "app.main.run"}]
    assert main(["tables", "--repo", str(root), "--out", str(out), "--json"]) == 0
    tables = {t["name"]: t for t in json.loads(capsys.readouterr().out)}
    assert tables["files"]["rows"] == 2 and "bstart" in tables["cpg_nodes"]["columns"]


def test_the_table_format_draws_at_most_max_rows(make_repo: RepoFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(REPO)
    assert main(["build", str(root), "--jobs", "1"]) == 0
    capsys.readouterr()

    def drawn(*args: str) -> tuple[list[int], str]:
        assert main(["query", "SELECT value FROM range(250)", "--repo", str(root), *args]) == 0
        lines = capsys.readouterr().out.splitlines()
        return [int(line.strip("│ ")) for line in lines if line.strip("│ ").isdigit()], lines[-1]

    assert drawn() == (list(range(DEFAULT_MAX_ROWS)), "(250 rows; the first 100 shown: --max-rows 0 or --format csv for all)")
    assert drawn("--max-rows", "3") == ([0, 1, 2], "(250 rows; the first 3 shown: --max-rows 0 or --format csv for all)")
    assert drawn("--max-rows", "0") == (list(range(250)), "(250 rows)")
    assert drawn("--max-rows", "250") == (list(range(250)), "(250 rows)")
    assert main(["query", "SELECT value FROM range(250)", "--repo", str(root), "--format", "csv", "--max-rows", "3"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 251


def test_csv_and_json_stream_every_row_of_a_many_batch_result(
    make_repo: RepoFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    assert main(["build", str(root), "--jobs", "1"]) == 0
    capsys.readouterr()
    sql = "SELECT value, 'v' || CAST(value AS VARCHAR) AS label FROM range(20000) ORDER BY value"  # 3 batches
    assert main(["query", sql, "--repo", str(root), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"value": i, "label": f"v{i}"} for i in range(20000)]
    assert main(["query", sql, "--repo", str(root), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == '"value","label"' and lines[1:] == [f'{i},"v{i}"' for i in range(20000)]
    nested = "SELECT make_array(1, 2) AS l, named_struct('x', 1, 'y', 'z') AS s, X'00ff' AS b, CAST(NULL AS INT[]) AS n"
    assert main(["query", nested, "--repo", str(root), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ['"l","s","b","n"', '"[1,2]","{""x"":1,""y"":""z""}","00ff",']
    assert main(["query", "SELECT value / (value - value) FROM range(3)", "--repo", str(root), "--format", "csv"]) == 1
    assert capsys.readouterr().err == "codeanatomy: error: DataFusion error: Arrow error: Divide by zero error\n"


def test_build_summary_is_human_readable(make_repo: RepoFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(REPO)
    assert main(["build", str(root), "--jobs", "1"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "files:  3" in out and "nodes:" in out and "FUNCTION 1" in out and "manifest:" in out
    assert "bounded:" not in out  # a small program stays under the resolver's bound
    assert main(["query", "SELECT path FROM files ORDER BY path", "--repo", str(root)]) == 0
    table = capsys.readouterr().out
    assert "app/main.py" in table and "(3 rows)" in table


_CLASSES = "".join(f"class C{i}:\n    def get(self):\n        return {i}\n" for i in range(250))
_INSTANCES = "ALL = [" + ", ".join(f"C{i}()" for i in range(250)) + "]\n"


@pytest.mark.parametrize(
    ("source", "counted"),
    [
        # The list's indices, and the loop variable holding every instance.
        (_CLASSES + _INSTANCES + "for item in ALL:\n    item.get()\n", "2 value sets"),
        ("TABLE = [" + ", ".join(map(str, range(250))) + "]\n", "1 value set"),
    ],
)
def test_build_summary_counts_value_sets_at_the_resolvers_bound(
    make_repo: RepoFactory, capsys: pytest.CaptureFixture[str], source: str, counted: str
) -> None:
    root = make_repo({"many.py": source})
    assert main(["build", str(root), "--jobs", "1"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "bounded:" in x)
    assert line.startswith(f"  bounded: {counted} reached the resolver's bound of 192 and were given up;")
    assert line.endswith(f"(table: {root / '.codeanatomy' / 'resolve' / 'bounded_values'})")


def test_a_build_that_finds_no_python_file_says_so(make_repo: RepoFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(REPO)
    assert main(["build", str(root), "--jobs", "1", "--include", "docs/**"]) == 0
    captured = capsys.readouterr()
    assert "files:  0" in captured.out
    assert captured.err == (
        f"codeanatomy: note: no Python files found under {root} (after .gitignore rules and the include/exclude globs)\n"
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "SELEC nonsense"], 1, "SQL error"),
        (["build", "--jobs", "0"], 1, "invalid value 0 for 'jobs' (from cli)"),
        (["build", "--bogus"], 2, "No such option: --bogus"),
        (["build", "--jobs", "zero"], 2, "Invalid value for '--jobs'"),
        (["build", "--profile", "turbo"], 1, "expected one of fast, full"),
        (["query", "SELECT 1", "--format", "xml"], 1, "invalid --format 'xml'"),
    ],
)
def test_failures_are_one_line_and_non_zero(
    make_repo: RepoFactory, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    root = make_repo(REPO)
    assert main(["build", str(root), "--jobs", "1"]) == 0
    capsys.readouterr()
    full = [*args, "--repo", str(root)] if args[0] == "query" else [args[0], str(root), *args[1:]]
    assert main(full) == code
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("codeanatomy: error:") and message in err


def test_ctrl_c_stops_a_build_with_one_line_and_leaves_the_graph(
    make_repo: RepoFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({f"m{i}.py": f"def f{i}(x):\n    return x + {i}\n" * 60 for i in range(250)})
    assert main(["build", str(root), "--jobs", "1"]) == 0
    (root / "late.py").write_text("x = 1\n")
    runs = root / ".codeanatomy" / "runs"
    before = set(runs.iterdir())
    command = [sys.executable, "-c", "import sys; from codeanatomy.cli import main; sys.exit(main())", "build", str(root)]
    # In a session of its own, like a terminal's foreground job: Ctrl-C reaches the
    # workers and the resolver child too.
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while set(runs.iterdir()) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    # The build has begun: its workers and the resolver child are starting.
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip() == "codeanatomy: interrupted; the last complete build is still the one read"
    capsys.readouterr()
    assert main(["query", "SELECT count(*) AS n FROM files", "--repo", str(root), "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ['"n"', "250"]


class _InterruptedImport(importlib.abc.MetaPathFinder):
    """Raises KeyboardInterrupt when the command line's package is imported: a Ctrl-C then."""

    def find_spec(self, name: str, *_: object) -> None:
        if name == "codeanatomy.cli":
            raise KeyboardInterrupt


def test_ctrl_c_while_the_command_line_loads_prints_only_the_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "codeanatomy.cli")
    monkeypatch.setattr(sys, "meta_path", [_InterruptedImport(), *sys.meta_path])
    monkeypatch.setattr(sys, "argv", ["codeanatomy", "build", "."])
    with pytest.raises(SystemExit) as stopped:
        console.run()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "codeanatomy: interrupted; the last complete build is still the one read\n"


def test_missing_graph_and_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "SELECT 1", "--repo", str(tmp_path)]) == 1
    assert "no complete build found" in capsys.readouterr().err
    assert main(["build", str(tmp_path / "nope")]) == 1
    assert "is not a directory" in capsys.readouterr().err
    for command in (["tables"], ["query", "SELECT 1"]):
        assert main([*command, "--repo", str(tmp_path / "nope")]) == 1
        assert capsys.readouterr().err.strip().endswith(f"repository root '{tmp_path / 'nope'}' is not a directory")


def test_an_output_location_that_is_a_file_is_refused(make_repo: RepoFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    (root / "out").write_text("keep me")
    assert main(["build", str(root), "--out", str(root / "out")]) == 1
    assert capsys.readouterr().err.strip() == f"codeanatomy: error: output location '{root / 'out'}' is not a directory"
    assert (root / "out").read_text() == "keep me"


def test_diag_prints_the_capability_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diag"]) == 0
    snapshot = json.loads(capsys.readouterr().out)
    assert snapshot["versions"]["deltalake"] != "missing" and "scip_python" in snapshot
