"""The ``runs/`` directory: one directory per build, locked while its build is alive.

A build works in ``runs/<run_id>/`` (its resolver facts, the resolver child's tables)
and leaves only its ``manifest.json`` there. A build that dies (killed, out of memory,
a power cut) can leave hundreds of MB behind; the next build to finish removes every
run directory that has no manifest and whose lock no live process holds. The lock is
an ``flock`` on ``runs/<run_id>/.lock``: the kernel drops it when its process ends,
however it ends, so a build still at work beside this one is never touched.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import Final, Self

__all__ = ["RunDirectory", "remove_abandoned_runs"]

_LOCK: Final = ".lock"
_MANIFEST: Final = "manifest.json"


class RunDirectory:
    """``runs/<run_id>/``, created and locked on entering, unlocked on leaving.

    Use it as a context manager around the build; ``path`` is the directory.
    """

    def __init__(self, runs: Path, run_id: str) -> None:
        self.path = runs / run_id
        self._fd: int | None = None

    def __enter__(self) -> Self:
        # Made and locked under a hidden name, then renamed: no other build ever sees
        # the directory unlocked.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        making = self.path.with_name(f".{self.path.name}")
        making.mkdir()
        fd = os.open(making / _LOCK, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        making.rename(self.path)
        self._fd = fd
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            (self.path / _LOCK).unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None


def remove_abandoned_runs(runs: Path) -> list[str]:
    """Remove the run directories of builds that died; returns their run IDs, sorted.

    A directory is abandoned when it has no manifest and no live process holds its lock.
    """
    removed: list[str] = []
    if not runs.is_dir():
        return removed
    for path in sorted(runs.iterdir()):
        if not path.is_dir() or path.name.startswith(".") or (path / _MANIFEST).exists():
            continue
        if _held(path / _LOCK):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def _held(lock: Path) -> bool:
    """Whether a live process holds ``lock`` (a missing lock file is held by nobody)."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
