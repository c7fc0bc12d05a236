"""What the build benchmarks print about a build: its phases and its per-file steps."""

from __future__ import annotations

from collections.abc import Iterable

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
