"""The exceptions that stop a whole build or command; per-file problems are rows, never these."""

from __future__ import annotations

__all__ = [
    "CodeAnatomyError",
    "ConfigError",
    "OutputError",
    "QueryError",
    "RootError",
    "StorageError",
    "WorkerError",
]


class CodeAnatomyError(Exception):
    """Base of every error the CLI reports as one line and a non-zero exit."""


class ConfigError(CodeAnatomyError):
    """An option, environment variable or configuration file value is invalid."""


class RootError(CodeAnatomyError):
    """The repository root is missing or unusable."""


class OutputError(CodeAnatomyError):
    """The output location cannot be written."""


class StorageError(CodeAnatomyError):
    """A stored table is refused: unsupported Delta protocol, unknown schema version, or missing."""


class QueryError(CodeAnatomyError):
    """A SQL statement failed; the message is DataFusion's."""


class WorkerError(CodeAnatomyError):
    """A worker process died (killed, out of memory, a crash in a native parser)."""
