"""Run directories: locked while their build lives, removed once it has died without a manifest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import codeanatomy
from codeanatomy.runs import RunDirectory, remove_abandoned_runs
from tests.conftest import RepoFactory


def test_only_dead_runs_without_a_manifest_are_removed(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    finished = runs / "20260101T000000Z-aaaaaa"
    finished.mkdir(parents=True)
    (finished / "manifest.json").write_text("{}")
    dead = runs / "20260101T000001Z-bbbbbb"
    (dead / "facts").mkdir(parents=True)
    (dead / "facts" / "facts-00000.pickle").write_bytes(b"x" * 1000)
    (dead / ".lock").touch()
    unlocked_old = runs / "20260101T000002Z-cccccc"
    unlocked_old.mkdir()
    (runs / "LATEST").write_text("{}")
    with RunDirectory(runs, "20260101T000003Z-dddddd") as alive:
        assert (alive.path / ".lock").exists()
        assert remove_abandoned_runs(runs) == [dead.name, unlocked_old.name]
        assert sorted(p.name for p in runs.iterdir()) == ["20260101T000000Z-aaaaaa", alive.path.name, "LATEST"]
    assert not (alive.path / ".lock").exists()
    assert remove_abandoned_runs(runs) == [alive.path.name]


def test_a_run_locked_by_another_live_process_is_kept(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    script = (
        "import sys; from pathlib import Path; from codeanatomy.runs import RunDirectory\n"
        f"with RunDirectory(Path({str(runs)!r}), 'other'):\n"
        "    print('locked', flush=True); sys.stdin.readline()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    assert remove_abandoned_runs(runs) == []
    holder.kill()
    holder.wait()
    assert remove_abandoned_runs(runs) == ["other"]


def test_a_build_removes_what_a_killed_build_left(make_repo: RepoFactory) -> None:
    root = make_repo({"a.py": "def f():\n    return 1\n"})
    runs = root / ".codeanatomy" / "runs"
    left = runs / "20260101T000000Z-dead00"
    (left / "facts").mkdir(parents=True)
    (left / "facts" / "facts-00000.pickle").write_bytes(b"x" * 1000)
    result = codeanatomy.build(root, jobs=1)
    assert [p.name for p in runs.iterdir() if p.is_dir()] == [result.run_id]
    assert sorted(p.name for p in Path(result.run_dir).iterdir()) == ["manifest.json"]
