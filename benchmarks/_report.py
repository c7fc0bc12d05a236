"""What the build benchmarks print about a build: its phases, its per-file steps and its CPU."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codeanatomy.manifest import BuildResult, LayerRun


def print_phases(result: BuildResult, heading: str) -> None:
    """The wall seconds of each phase of ``result``, under ``heading``."""
    print(heading)
    for name, seconds in result.timings.items():
        if not name.startswith("pass:") and name != "total":
            print(f"  {name:<18} {seconds:8.2f} s")


def print_steps(layers: Iterable[LayerRun]) -> None:
    """The CPU seconds of each per-file step, summed over the workers."""
    print("per-file steps (CPU seconds summed over the workers):")
    for layer in layers:
        print(f"  {layer.name:<14} {layer.seconds:8.2f} s")


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, idle) clock ticks of the whole machine since boot, from ``/proc/stat``;
    None where there is no such file (not Linux)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal (guest time is already in user)
    ticks = [int(field) for field in fields[:8]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, idle


def _process_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuSeconds:
    """CPU time of the whole machine (busy and idle clock ticks; None without
    ``/proc/stat``), of this process (the build's driver, its DataFusion threads
    included) and of the child processes it waited for (the resolver): since boot or
    process start as :meth:`now` reads them, or over a span as :meth:`since` gives it."""

    machine: tuple[int, int] | None
    driver: float
    children: float

    @classmethod
    def now(cls) -> CpuSeconds:
        """The readings so far."""
        return cls(
            _machine_ticks(),
            _process_seconds(resource.RUSAGE_SELF),
            _process_seconds(resource.RUSAGE_CHILDREN),
        )

    def since(self, start: CpuSeconds) -> CpuSeconds:
        """The CPU time spent from the readings ``start`` to these."""
        machine = None
        if self.machine is not None and start.machine is not None:
            machine = (self.machine[0] - start.machine[0], self.machine[1] - start.machine[1])
        return CpuSeconds(machine, self.driver - start.driver, self.children - start.children)

    def report(self, wall: float) -> None:
        """Print a span's CPU seconds, and the shortest wall time that CPU allows on this
        machine's cores (``wall``: the span's)."""
        if self.machine is None:
            print(f"CPU seconds:   driver {self.driver:.1f}, resolver child {self.children:.1f} (machine totals need /proc/stat)")
            return
        hertz = os.sysconf("SC_CLK_TCK")
        busy, idle = self.machine[0] / hertz, self.machine[1] / hertz
        cores = os.cpu_count() or 1
        print(
            f"CPU seconds:   machine busy {busy:.1f}, idle {idle:.1f} ({cores} cores); driver {self.driver:.1f}, "
            f"resolver child {self.children:.1f}, the rest (workers, other processes) {busy - self.driver - self.children:.1f}"
        )
        print(
            f"wall floor:    {busy / cores:.2f} s (busy CPU / cores, against {wall:.2f} s): with the cores "
            "busy, only CPU taken off some step shortens the build"
        )
