"""One scanned source file as the extractors see it: bytes, identity and text."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

from codeanatomy.spans import SourceLines

__all__ = ["SourceFile"]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file handed to an evidence layer.

    Attributes:
        path: repository-relative POSIX path.
        file_id: stable ID of ``path`` (:func:`codeanatomy.spans.file_id_for`).
        module: dotted module name (``pkg.mod``; ``pkg`` for ``pkg/__init__.py``).
        data: the file's bytes as stored.
        encoding: the encoding it declares (PEP 263 cookie or BOM), ``utf-8`` by default.
    """

    path: str
    file_id: str
    module: str
    data: bytes
    encoding: str = "utf-8"
    lines: SourceLines = field(init=False, repr=False, compare=False)
    cache: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Per-process memo of derived values (parsed tree, ast index) shared by layers."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", SourceLines(self.data, self.encoding))

    @property
    def is_package(self) -> bool:
        """True for a package's ``__init__.py``/``__init__.pyi``."""
        return self.path.rsplit("/", 1)[-1] in {"__init__.py", "__init__.pyi"}

    def text(self) -> str:
        """Decode the file (BOM removed).

        Raises:
            UnicodeDecodeError: the bytes are not valid in the declared encoding.
        """
        encoding = "utf-8-sig" if self.lines.bom else self.encoding
        return self.data.decode(encoding)

    def parse_ast(self) -> ast.Module:
        """Parse the stored bytes with CPython's ``ast`` (cookie and BOM honoured), once.

        Raises:
            SyntaxError, ValueError, RecursionError, MemoryError: the parser's own
                error; a failure is remembered and raised again on later calls.
        """
        cached = self.cache.get("ast")
        if cached is None:
            try:
                with warnings.catch_warnings():  # SyntaxWarnings are the file's, not ours
                    warnings.simplefilter("ignore")
                    cached = ast.parse(self.data, filename=self.path)
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                cached = exc
            self.cache["ast"] = cached
        if isinstance(cached, BaseException):
            raise cached
        return cached  # type: ignore[return-value]
