"""Typed build options and the one resolver that fills them.

Precedence, highest first: explicit arguments (the CLI) > ``CODEANATOMY_*``
environment variables > ``codeanatomy.toml`` in the repository root >
``[tool.codeanatomy]`` in its ``pyproject.toml`` > defaults. Every value remembers
where it came from; a bad value or unknown key is refused with a message naming
the key and its source. A relative path (``out``, ``scip``) in a configuration file
is relative to the repository root, where the file is; on the command line and in
the environment, to the working directory.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Final, Literal, get_args

from codeanatomy.errors import ConfigError
from codeanatomy.extract._base import LayerName

__all__ = [
    "PROFILE_LAYERS",
    "BuildOptions",
    "Profile",
    "ResolvedOptions",
    "resolve_options",
]

Profile = Literal["fast", "full"]
ALL_LAYERS: tuple[LayerName, ...] = get_args(LayerName)
PROFILE_LAYERS: dict[Profile, tuple[LayerName, ...]] = {
    "fast": ("ast", "symtable", "bytecode", "tree_sitter"),
    "full": ALL_LAYERS,
}


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Every option of a build, resolved.

    Attributes:
        out: output location (path or URI); ``None`` means ``<root>/.codeanatomy``.
        jobs: worker processes for per-file work (1: it runs in-process).
        include: glob patterns a file must match (all files when empty).
        exclude: glob patterns of files to leave out, on top of the default excludes.
        profile: ``fast`` (ast, symtable, bytecode, tree_sitter) or ``full`` (all layers).
        layers: explicit layer list overriding the profile's.
        max_file_bytes: files larger than this are recorded but not parsed.
        chunk_files: files per worker task.
        code_chars: longest ``code`` text kept on a node.
        scip: path of an ``index.scip`` to ingest, or ``run`` to run scip-python.
        extra_roots: extra import roots (relative to the repository) for module resolution.
        cache: reuse the per-file work of the last build for chunks of files that have
            not changed (``<out>/cache``); false runs every file again.
    """

    out: str | None = None
    jobs: int = max(os.cpu_count() or 1, 1)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    profile: Profile = "fast"
    layers: tuple[LayerName, ...] | None = None
    max_file_bytes: int = 5 * 1024 * 1024
    chunk_files: int = 24
    code_chars: int = 80
    scip: str | None = None
    extra_roots: tuple[str, ...] = ()
    cache: bool = True

    @property
    def selected_layers(self) -> tuple[LayerName, ...]:
        """Layers this build runs, in canonical order; ``ast`` always runs."""
        chosen = set(self.layers if self.layers is not None else PROFILE_LAYERS[self.profile])
        chosen.add("ast")
        if self.scip:
            chosen.add("scip")
        return tuple(layer for layer in ALL_LAYERS if layer in chosen)


@dataclass(frozen=True, slots=True)
class ResolvedOptions:
    """Options plus the source each value came from (``cli``, ``env:NAME``, a file, ``default``)."""

    options: BuildOptions
    sources: Mapping[str, str]


def _positive_int(value: object) -> int:
    if isinstance(value, bool):
        raise TypeError("expected a positive integer")
    number = int(value) if isinstance(value, (int, str)) else None
    if number is None or number < 1:
        raise ValueError("expected a positive integer")
    return number


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a non-empty string")
    if not value:
        raise ValueError("expected a non-empty string")
    return value


def _patterns(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = [_text(v) for v in value]
    else:
        raise TypeError("expected a list of strings or a comma-separated string")
    return tuple(item for item in items if item)


_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("expected true or false")


def _profile(value: object) -> Profile:
    if value not in PROFILE_LAYERS:
        raise ValueError(f"expected one of {', '.join(PROFILE_LAYERS)}")
    return value


def _layers(value: object) -> tuple[LayerName, ...]:
    names = _patterns(value)
    unknown = [n for n in names if n not in ALL_LAYERS]
    if unknown:
        raise ValueError(f"unknown layer {unknown[0]!r}; layers are {', '.join(ALL_LAYERS)}")
    return names  # type: ignore[return-value]


_PARSERS: dict[str, Callable[[object], object]] = {
    "out": _text,
    "jobs": _positive_int,
    "include": _patterns,
    "exclude": _patterns,
    "profile": _profile,
    "layers": _layers,
    "max_file_bytes": _positive_int,
    "chunk_files": _positive_int,
    "code_chars": _positive_int,
    "scip": _text,
    "extra_roots": _patterns,
    "cache": _flag,
}
assert set(_PARSERS) == {f.name for f in fields(BuildOptions)}


_PATH_KEYS = frozenset({"out", "scip"})
"""Options holding a path, which a configuration file gives relative to the repository root."""


def _in_root(root: Path, value: str) -> str:
    """``value`` from a configuration file: a relative path is made relative to ``root``;
    absolute paths, ``~`` paths, URIs and ``scip = "run"`` stay as they are.

    >>> _in_root(Path("/repo"), "graph"), _in_root(Path("/repo"), "/abs"), _in_root(Path("/repo"), "run")
    ('/repo/graph', '/abs', 'run')
    """
    if value == "run" or "://" in value or Path(value).expanduser().is_absolute():
        return value
    return str(root / value)


def _toml_section(path: Path, section: tuple[str, ...]) -> Mapping[str, object]:
    try:
        data: Mapping[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    for key in section:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path}: [{'.'.join(section)}] must be a table")
        data = value
    return data


def _layers_of_sources(root: Path, environ: Mapping[str, str]) -> list[tuple[str, Mapping[str, object]]]:
    """Configuration sources from lowest to highest precedence."""
    found: list[tuple[str, Mapping[str, object]]] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        found.append(
            (f"{pyproject} [tool.codeanatomy]", _toml_section(pyproject, ("tool", "codeanatomy")))
        )
    own = root / "codeanatomy.toml"
    if own.is_file():
        found.append((str(own), _toml_section(own, ())))
    env: dict[str, object] = {}
    for key, value in environ.items():
        if key.startswith("CODEANATOMY_"):
            env[key.removeprefix("CODEANATOMY_").lower()] = value
    found.append(("env:CODEANATOMY_*", env))
    return found


def resolve_options(
    root: Path,
    explicit: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> ResolvedOptions:
    """Resolve the build options for ``root``.

    Args:
        root: the repository root (its ``codeanatomy.toml`` and ``pyproject.toml`` are read).
        explicit: values given on the command line or by the API caller; ``None``
            values count as not given.
        environ: environment to read ``CODEANATOMY_*`` from (default ``os.environ``).

    Returns:
        The options and where each came from.

    Raises:
        ConfigError: an unknown key or an invalid value, naming the key and its source.
    """
    values: dict[str, object] = {}
    sources: dict[str, str] = {f.name: "default" for f in fields(BuildOptions)}
    layered = _layers_of_sources(root, os.environ if environ is None else environ)
    layered.append(("cli", {k: v for k, v in (explicit or {}).items() if v is not None}))
    for source, mapping in layered:
        for raw_key, value in mapping.items():
            key = raw_key.replace("-", "_")
            origin = f"env:CODEANATOMY_{raw_key.upper()}" if source.startswith("env:") else source
            parser = _PARSERS.get(key)
            if parser is None:
                label = origin.removeprefix("env:") if source.startswith("env:") else raw_key
                raise ConfigError(f"unknown option {label!r} (from {source})")
            try:
                values[key] = parser(value)
            except (ValueError, TypeError) as exc:
                shown = ",".join(map(str, value)) if isinstance(value, tuple) else value
                raise ConfigError(f"invalid value {shown!r} for {key!r} (from {origin}): {exc}") from exc
            if key in _PATH_KEYS and source != "cli" and not source.startswith("env:"):
                values[key] = _in_root(root, str(values[key]))
            sources[key] = origin
    return ResolvedOptions(BuildOptions(**values), sources)  # type: ignore[arg-type]
