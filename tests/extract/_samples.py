"""The definitions sample stored five ways, shared by the layer tests that cross-check spans."""

from __future__ import annotations

from pathlib import Path

from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for

SAMPLE = (Path(__file__).parent / "fixtures" / "definitions" / "sample.txt").read_text("utf-8")


def source_of(data: bytes, encoding: str = "utf-8", path: str = "pkg/mod.py") -> SourceFile:
    """A SourceFile of module ``pkg.mod`` holding ``data``."""
    return SourceFile(path, file_id_for(path), "pkg.mod", data, encoding)


def sample_variants() -> dict[str, SourceFile]:
    """The sample stored five ways: plain UTF-8, CRLF, CR alone (classic Mac OS), with a
    BOM, latin-1 with a cookie."""
    return {
        "utf8": source_of(SAMPLE.encode()),
        "crlf": source_of(SAMPLE.replace("\n", "\r\n").encode()),
        "cr": source_of(SAMPLE.replace("\n", "\r").encode()),
        "bom": source_of(b"\xef\xbb\xbf" + SAMPLE.encode()),
        "latin1": source_of(("# -*- coding: latin-1 -*-\n" + SAMPLE).encode("latin-1"), encoding="latin-1"),
    }


VARIANTS = sorted(sample_variants())
