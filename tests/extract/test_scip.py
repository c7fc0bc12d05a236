"""The ``scip`` layer on a checked-in scip-python index of ``fixtures/scip/repo``.

``fixtures/scip/index.scip`` was written by scip-python 0.6.6 with
``run_scip_python(repo, fixtures/scip, executable=..., project_name="shapes",
project_version="0.1")``; ``test_run_scip_python_indexes_the_fixture`` regenerates it
when scip-python is installed.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from google.protobuf import message_factory

from codeanatomy.extract._scip_schema import SCHEMA_POOL, parse_index
from codeanatomy.extract.scip import (
    TABLES,
    ScipIndexError,
    find_scip_python,
    ingest_index,
    run_scip_python,
)
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for

FIXTURES = Path(__file__).parent / "fixtures" / "scip"
REPO = FIXTURES / "repo"
INDEX = FIXTURES / "index.scip"
PKG = "scip-python python shapes 0.1 "
GEOMETRY = PKG + "`shapes.geometry`/"
REPORT = PKG + "`shapes.report`/"


def _source(path: str, data: bytes) -> SourceFile:
    return SourceFile(path, file_id_for(path), path.removesuffix(".py").replace("/", "."), data)


def _scanned(**replaced: bytes) -> dict[str, SourceFile]:
    """The fixture repository's files by path; ``replaced`` maps a file name to new bytes."""
    files = {}
    for file in sorted(REPO.rglob("*.py")):
        path = file.relative_to(REPO).as_posix()
        files[path] = _source(path, replaced.get(file.name, file.read_bytes()))
    return files


def _message(name: str) -> type:
    return message_factory.GetMessageClass(SCHEMA_POOL.FindMessageTypeByName(name))


def _write_index(tmp_path: Path, index: object) -> Path:
    path = tmp_path / "index.scip"
    path.write_bytes(index.SerializeToString())  # type: ignore[attr-defined]
    return path


def _rows(table: pa.Table, **equal: object) -> list[dict[str, object]]:
    return [r for r in table.to_pylist() if all(r[k] == v for k, v in equal.items())]


@pytest.fixture(scope="module")
def files() -> dict[str, SourceFile]:
    return _scanned()


@pytest.fixture(scope="module")
def tables(files: dict[str, SourceFile]) -> dict[str, pa.Table]:
    output = ingest_index(INDEX, files)
    assert output.errors == ()
    return output.tables


def test_tables_match_declared_schemas(tables: dict[str, pa.Table]) -> None:
    assert list(tables) == [spec.name for spec in TABLES]
    for spec in TABLES:
        assert tables[spec.name].schema == spec.schema, spec.name
        assert tables[spec.name].num_rows > 0, spec.name


def test_documents(tables: dict[str, pa.Table], files: dict[str, SourceFile]) -> None:
    rows = tables["scip_documents"].to_pylist()
    assert [r["relative_path"] for r in rows] == [
        "shapes/__init__.py",
        "shapes/geometry.py",
        "shapes/legacy.py",
        "shapes/report.py",
    ]
    for row in rows:
        assert row["file_id"] == files[row["relative_path"]].file_id
        assert row["position_encoding"] == "utf-16"
        assert row["position_encoding_declared"] is False
        assert row["language"] is None
        occurrences = _rows(tables["scip_occurrences"], file_id=row["file_id"])
        assert row["occurrence_count"] == len(occurrences)
    assert [r["occurrence_count"] for r in rows] == [1, 41, 4, 18]
    assert [r["symbol_count"] for r in rows] == [1, 16, 3, 5]


def test_unspecified_encoding_is_utf16_code_units(
    tables: dict[str, pa.Table], files: dict[str, SourceFile]
) -> None:
    # Line 10 of report.py holds "Größe 🙂" before references to scale, Point and
    # größe: UTF-8 bytes, UTF-16 units and code points all differ there.
    report = files["shapes/report.py"]
    line_text = report.data.decode().splitlines()[9]
    document = next(
        d
        for d in parse_index(INDEX.read_bytes()).documents
        if d.relative_path == "shapes/report.py"
    )
    raw = {o.symbol: list(o.range) for o in document.occurrences if o.range[0] == 9}
    line_start = report.lines.line_starts[9]
    for name, symbol in [
        ("scale", GEOMETRY + "scale()."),
        ("Point", GEOMETRY + "Point#"),
        ("größe", REPORT + "`größe`."),
    ]:
        char = line_text.index(name, line_text.index(";"))
        utf16 = len(line_text[:char].encode("utf-16-le")) // 2
        assert raw[symbol][1] == utf16 != char  # the index counts UTF-16 units
        (row,) = _rows(tables["scip_occurrences"], file_id=report.file_id, symbol=symbol, line=10)
        assert row["bstart"] == line_start + len(line_text[:char].encode("utf-8"))
        assert report.data[row["bstart"] : row["bend"]].decode() == name
        assert row["col"] == row["bstart"] - line_start


def test_byte_order_mark_is_a_character_of_line_0(
    tables: dict[str, pa.Table], files: dict[str, SourceFile]
) -> None:
    legacy = files["shapes/legacy.py"]
    assert legacy.data.startswith(b"\xef\xbb\xbfLIMIT = 3")
    document = next(
        d for d in parse_index(INDEX.read_bytes()).documents if d.relative_path == legacy.path
    )
    assert [list(o.range) for o in document.occurrences if o.symbol.endswith("LIMIT.")] == [
        [0, 1, 6],  # scip-python counts the mark
        [3, 9, 14],
    ]
    rows = _rows(tables["scip_occurrences"], file_id=legacy.file_id)
    assert [(r["bstart"], r["bend"], r["line"], r["col"]) for r in rows] == [
        (3, 3, 1, 0),  # the module, at the start of the text (after the mark)
        (3, 8, 1, 0),
        (88, 94, 4, 0),
        (97, 102, 4, 9),
    ]


def _last_name(symbol: str) -> str:
    """The name of a global symbol's last descriptor (``Point#norm().`` → ``norm``)."""
    descriptor = symbol.rsplit("/", 1)[-1]
    if descriptor.endswith(")") and "(" in descriptor:  # parameter: (name)
        return descriptor[descriptor.rindex("(") + 1 : -1]
    for suffix in ("().", "#", ".", ":"):
        if descriptor.endswith(suffix):
            descriptor = descriptor[: -len(suffix)]
            break
    for separator in ("#", "."):
        if separator in descriptor and not descriptor.startswith("`"):
            descriptor = descriptor.rsplit(separator, 1)[-1]
    return descriptor.strip("`")


def test_every_span_is_the_symbol_name(
    tables: dict[str, pa.Table], files: dict[str, SourceFile]
) -> None:
    by_id = {source.file_id: source for source in files.values()}
    checked = 0
    for row in tables["scip_occurrences"].to_pylist():
        source = by_id[row["file_id"]]
        text = source.data[row["bstart"] : row["bend"]].decode()
        assert source.lines.line_col(row["bstart"]) == (row["line"], row["col"])
        if row["symbol"].endswith("__init__:"):  # a module: empty at its top, dotted in imports
            assert text in ("", "shapes.geometry")
        elif row["symbol"].startswith("local "):
            assert text in ("label", "p")
        else:
            assert text == _last_name(row["symbol"]), row
            checked += 1
    assert checked == 55


def test_specific_occurrences(tables: dict[str, pa.Table], files: dict[str, SourceFile]) -> None:
    geometry = files["shapes/geometry.py"]
    report = files["shapes/report.py"]
    occurrences = tables["scip_occurrences"]

    (point,) = _rows(
        occurrences, file_id=geometry.file_id, symbol=GEOMETRY + "Point#", is_definition=True
    )
    assert (point["line"], point["col"], point["symbol_roles"]) == (4, 6, 1)
    assert point["is_read_access"] is False
    enclosing = geometry.data[point["enclosing_bstart"] : point["enclosing_bend"]].decode()
    assert enclosing.startswith("class Point:") and enclosing.endswith("** 0.5")

    calls = _rows(occurrences, file_id=report.file_id, symbol=GEOMETRY + "scale().")
    assert [(r["line"], r["is_definition"], r["is_read_access"]) for r in calls] == [
        (3, False, True),  # the import
        (10, False, True),  # the call across modules
    ]
    assert all(r["enclosing_bstart"] is None and r["syntax_kind"] is None for r in calls)

    (describe,) = _rows(occurrences, file_id=report.file_id, symbol=REPORT + "describe().")
    enclosing = report.data[describe["enclosing_bstart"] : describe["enclosing_bend"]].decode()
    assert enclosing.startswith("def describe() -> str:")
    assert enclosing.endswith('{Circle(0.0, 0.0).norm()}"')

    locals_ = _rows(occurrences, file_id=report.file_id, symbol="local 0")
    assert [(r["line"], r["is_definition"]) for r in locals_] == [(10, True), (11, False)]


def test_symbols(tables: dict[str, pa.Table], files: dict[str, SourceFile]) -> None:
    symbols = tables["scip_symbols"]
    geometry_id = files["shapes/geometry.py"].file_id
    report_id = files["shapes/report.py"].file_id
    (point,) = _rows(symbols, symbol=GEOMETRY + "Point#")
    assert point == {
        "file_id": geometry_id,
        "symbol": GEOMETRY + "Point#",
        "is_local": False,
        "kind": None,
        "display_name": None,
        "documentation": "A point in the plane.",
        "enclosing_symbol": None,
        "signature": "class Point:",
    }
    (scale,) = _rows(symbols, symbol=GEOMETRY + "scale().")
    assert scale["signature"] == "def scale(\n  point: Point,\n  factor: float\n) -> Point:"
    assert scale["documentation"] == "Scale a point away from the origin."
    (local,) = _rows(symbols, symbol="local 1")
    assert (local["file_id"], local["is_local"]) == (report_id, True)
    external = _rows(symbols, file_id=None)
    assert [r["symbol"].rsplit(" ", 1)[-1] for r in external] == [
        "builtins/float#",
        "builtins/str#",
        "builtins/super#",
    ]
    # Documents' symbols come in path order, each document's sorted; externals last.
    assert symbols.column("file_id").to_pylist()[-3:] == [None] * 3


def test_relationships(tables: dict[str, pa.Table], files: dict[str, SourceFile]) -> None:
    rows = tables["scip_relationships"].to_pylist()
    geometry_id = files["shapes/geometry.py"].file_id
    assert [(r["file_id"], r["symbol"], r["related_symbol"]) for r in rows] == [
        (geometry_id, GEOMETRY + "Circle#", GEOMETRY + "Point#"),
        (geometry_id, GEOMETRY + "Circle#norm().", GEOMETRY + "Point#norm()."),
    ]
    for row in rows:
        assert (row["is_implementation"], row["is_reference"]) == (True, False)
        assert (row["is_type_definition"], row["is_definition"]) == (False, False)


def test_document_order_in_the_index_does_not_change_the_tables(
    tmp_path: Path, files: dict[str, SourceFile], tables: dict[str, pa.Table]
) -> None:
    index = parse_index(INDEX.read_bytes())
    reordered = type(index)()  # type: ignore[call-arg]
    reordered.metadata.CopyFrom(index.metadata)  # type: ignore[attr-defined]
    reordered.documents.extend(reversed(index.documents))
    for document in reordered.documents:
        occurrences = list(reversed(document.occurrences))
        del document.occurrences[:]
        document.occurrences.extend(occurrences)
    reordered.external_symbols.extend(index.external_symbols)
    again = ingest_index(_write_index(tmp_path, reordered), files)
    for name, table in tables.items():
        assert again.tables[name].equals(table), name


def test_unscanned_document_is_an_error_row(tmp_path: Path) -> None:
    files = _scanned()
    del files["shapes/report.py"]
    output = ingest_index(INDEX, files)
    assert [(e.path, e.layer, e.error_type) for e in output.errors] == [
        ("shapes/report.py", "scip", "UnscannedDocument")
    ]
    paths = output.tables["scip_documents"].column("relative_path").to_pylist()
    assert paths == ["shapes/__init__.py", "shapes/geometry.py", "shapes/legacy.py"]
    assert not _rows(output.tables["scip_occurrences"], file_id=file_id_for("shapes/report.py"))


def test_ranges_past_the_file_end_are_error_rows() -> None:
    # report.py as it might be after the index was written: cut after line 9, and
    # line 10 cut after its non-ASCII string (where a conversion clamps).
    text = (REPO / "shapes" / "report.py").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    short = "".join(lines[:9]) + '    label = "Größe 🙂"'
    files = _scanned(**{"report.py": short.encode()})
    output = ingest_index(INDEX, files)
    (error,) = output.errors
    assert (error.path, error.layer, error.error_type) == (
        "shapes/report.py",
        "scip",
        "RangePastEnd",
    )
    # Line 10 keeps "label"; "p", scale, Point and größe go, and all 5 of line 11; the
    # first bad range met is describe()'s enclosing range, which ended on line 11.
    assert error.message == (
        "10 SCIP range(s) skipped; first at line 8, character 0: range [7, 0, 10, 59]"
    )
    assert (error.line, error.col) == (8, 0)
    report_id = files["shapes/report.py"].file_id
    kept = _rows(output.tables["scip_occurrences"], file_id=report_id)
    assert len(kept) == 18 - 9
    assert [r["symbol"] for r in kept if r["line"] == 10] == ["local 0"]
    (document,) = _rows(output.tables["scip_documents"], file_id=report_id)
    assert document["occurrence_count"] == 9
    # describe()'s enclosing range ends past the file: the occurrence stays, unenclosed.
    (describe,) = _rows(output.tables["scip_occurrences"], symbol=REPORT + "describe().")
    assert describe["enclosing_bstart"] is None


def _one_line_index(text: str, name: str, encoding: int, scip_range: list[int]) -> object:
    index = _message("scip.Index")()
    index.metadata.tool_info.name = "test"
    document = index.documents.add()
    document.relative_path = "m.py"
    document.language = "python"
    document.position_encoding = encoding
    occurrence = document.occurrences.add()
    occurrence.range.extend(scip_range)
    occurrence.symbol = f"test python m 0 m/{name}."
    occurrence.symbol_roles = 1 | 4
    occurrence.syntax_kind = 12  # IdentifierLocal
    return index


@pytest.mark.parametrize(
    ("encoding", "unit", "name"),
    [
        (1, lambda s: len(s.encode("utf-8")), "utf-8"),
        (2, lambda s: len(s.encode("utf-16-le")) // 2, "utf-16"),
        (3, len, "utf-32"),
    ],
)
def test_declared_position_encodings(
    tmp_path: Path, encoding: int, unit: object, name: str
) -> None:
    text = 's = "é🙂"; value = 1\n'
    char = unit(text[: text.index("value")])  # type: ignore[operator]
    index = _one_line_index(text, "value", encoding, [0, char, char + 5])
    output = ingest_index(_write_index(tmp_path, index), {"m.py": _source("m.py", text.encode())})
    assert output.errors == ()
    (document,) = output.tables["scip_documents"].to_pylist()
    assert (document["position_encoding"], document["position_encoding_declared"]) == (name, True)
    assert document["language"] == "python"
    (row,) = output.tables["scip_occurrences"].to_pylist()
    assert text.encode()[row["bstart"] : row["bend"]] == b"value"
    assert (row["is_definition"], row["is_write_access"], row["is_import"]) == (True, True, False)
    assert row["syntax_kind"] == "IdentifierLocal"


@pytest.mark.parametrize(
    ("scip_range", "error_type"),
    [
        ([0, 4], "MalformedRange"),
        ([0, 9, 4], "MalformedRange"),
        ([0, -1, 3], "MalformedRange"),
        ([1, 0, 2, 0], "RangePastEnd"),  # the file has lines 0 and 1 (empty)
        ([0, 4, 12], "RangePastEnd"),  # past the end of line 0 ("x = 'é'" is 7 units)
    ],
)
def test_bad_ranges_are_error_rows(tmp_path: Path, scip_range: list[int], error_type: str) -> None:
    text = "x = 'é'\n"
    index = _one_line_index(text, "x", 2, scip_range)
    output = ingest_index(_write_index(tmp_path, index), {"m.py": _source("m.py", text.encode())})
    assert [(e.path, e.error_type) for e in output.errors] == [("m.py", error_type)]
    assert output.tables["scip_occurrences"].num_rows == 0


def test_range_may_end_at_a_line_end_and_at_the_file_end(tmp_path: Path) -> None:
    text = "x = 'é'\n"
    for scip_range, expected in [([0, 0, 7], b"x = '\xc3\xa9'"), ([1, 0, 0], b"")]:
        index = _one_line_index(text, "x", 2, scip_range)
        output = ingest_index(
            _write_index(tmp_path, index), {"m.py": _source("m.py", text.encode())}
        )
        assert output.errors == ()
        (row,) = output.tables["scip_occurrences"].to_pylist()
        assert text.encode()[row["bstart"] : row["bend"]] == expected


def test_unknown_position_encoding_is_an_error_row(tmp_path: Path) -> None:
    index = _one_line_index("x = 1\n", "x", 9, [0, 0, 1])
    output = ingest_index(_write_index(tmp_path, index), {"m.py": _source("m.py", b"x = 1\n")})
    assert [e.error_type for e in output.errors] == ["UnknownPositionEncoding"]
    assert output.tables["scip_documents"].num_rows == 0


def test_symbol_information_fields(tmp_path: Path) -> None:
    index = _one_line_index("x = 1\n", "x", 2, [0, 0, 1])
    info = index.documents[0].symbols.add()  # type: ignore[attr-defined]
    info.symbol = "test python m 0 m/f()."
    info.kind = 17  # Function
    info.display_name = "f"
    info.enclosing_symbol = "test python m 0 m/"
    info.signature_documentation.text = "def f() -> None"
    info.documentation.extend(["\nCalls things.\nMore text.", "Second entry."])
    relationship = info.relationships.add()
    relationship.symbol = "test python m 0 m/g()."
    relationship.is_reference = True
    relationship.is_type_definition = True
    external = index.external_symbols.add()  # type: ignore[attr-defined]
    external.symbol = "test python other 1 other/h()."
    output = ingest_index(_write_index(tmp_path, index), {"m.py": _source("m.py", b"x = 1\n")})
    rows = output.tables["scip_symbols"].to_pylist()
    assert rows == [
        {
            "file_id": file_id_for("m.py"),
            "symbol": "test python m 0 m/f().",
            "is_local": False,
            "kind": "Function",
            "display_name": "f",
            "documentation": "Calls things.",
            "enclosing_symbol": "test python m 0 m/",
            "signature": "def f() -> None",
        },
        {
            "file_id": None,
            "symbol": "test python other 1 other/h().",
            "is_local": False,
            "kind": None,
            "display_name": None,
            "documentation": None,
            "enclosing_symbol": None,
            "signature": None,
        },
    ]
    (rel,) = output.tables["scip_relationships"].to_pylist()
    assert (rel["symbol"], rel["related_symbol"]) == (
        "test python m 0 m/f().",
        "test python m 0 m/g().",
    )
    assert (rel["is_reference"], rel["is_type_definition"], rel["is_implementation"]) == (
        True,
        True,
        False,
    )


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-3], id="truncated-tail"),
        pytest.param(lambda data: b"\xff" * 64, id="garbage"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_corrupt_index_raises(tmp_path: Path, files: dict[str, SourceFile], mangle: object) -> None:
    path = tmp_path / "index.scip"
    path.write_bytes(mangle(INDEX.read_bytes()))  # type: ignore[operator]
    with pytest.raises(ScipIndexError, match=str(path)):
        ingest_index(path, files)


def test_missing_index_raises(tmp_path: Path, files: dict[str, SourceFile]) -> None:
    with pytest.raises(ScipIndexError, match="cannot read SCIP index"):
        ingest_index(tmp_path / "absent.scip", files)


def test_vendored_schema_has_the_scip_field_numbers() -> None:
    def fields(message: str) -> dict[str, int]:
        descriptor = SCHEMA_POOL.FindMessageTypeByName(f"scip.{message}")
        return {f.name: f.number for f in descriptor.fields}

    assert SCHEMA_POOL.FindFileByName("scip.proto").package == "scip"
    assert fields("Index") == {"metadata": 1, "documents": 2, "external_symbols": 3}
    assert fields("Document") == {
        "relative_path": 1,
        "occurrences": 2,
        "symbols": 3,
        "language": 4,
        "text": 5,
        "position_encoding": 6,
    }
    assert fields("Occurrence") == {
        "range": 1,
        "symbol": 2,
        "symbol_roles": 3,
        "override_documentation": 4,
        "syntax_kind": 5,
        "diagnostics": 6,
        "enclosing_range": 7,
    }
    assert fields("SymbolInformation") == {
        "symbol": 1,
        "documentation": 3,
        "relationships": 4,
        "kind": 5,
        "display_name": 6,
        "signature_documentation": 7,
        "enclosing_symbol": 8,
    }
    assert fields("Relationship") == {
        "symbol": 1,
        "is_reference": 2,
        "is_implementation": 3,
        "is_type_definition": 4,
        "is_definition": 5,
    }


def test_find_scip_python_looks_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_scip_python() is None
    executable = tmp_path / "scip-python"
    executable.write_text("#!/bin/sh\n")
    executable.chmod(executable.stat().st_mode | stat.S_IXUSR)
    assert find_scip_python() == str(executable)


def test_run_scip_python_failure_carries_the_error_line(tmp_path: Path) -> None:
    # A real process that rejects the arguments: Python cannot open a script "index".
    with pytest.raises(ScipIndexError, match=r"exit 2\): .*can't open file .*index"):
        run_scip_python(REPO, tmp_path, executable=sys.executable)
    with pytest.raises(ScipIndexError, match="cannot run scip-python"):
        run_scip_python(REPO, tmp_path, executable=str(tmp_path / "no-such-indexer"))


SCIP_PYTHON = find_scip_python()
needs_scip_python = pytest.mark.skipif(
    SCIP_PYTHON is None,
    reason="scip-python is not on PATH (npm install -g @sourcegraph/scip-python@0.6.6)",
)


@needs_scip_python
def test_run_scip_python_indexes_the_fixture(tmp_path: Path, tables: dict[str, pa.Table]) -> None:
    assert SCIP_PYTHON is not None
    path = run_scip_python(
        REPO, tmp_path / "out", executable=SCIP_PYTHON, project_name="shapes", project_version="0.1"
    )
    assert path == (tmp_path / "out" / "index.scip").resolve()
    fresh = ingest_index(path, _scanned())
    assert fresh.errors == ()
    columns = ["file_id", "bstart", "bend", "symbol_roles", "enclosing_bstart", "enclosing_bend"]
    assert (
        fresh.tables["scip_occurrences"]
        .select(columns)
        .equals(tables["scip_occurrences"].select(columns))
    )
    # External symbols name the Python version scip-python found; ours do not.
    ours = _rows(tables["scip_symbols"], is_local=False)
    theirs = _rows(fresh.tables["scip_symbols"], is_local=False)
    assert [r for r in theirs if r["file_id"]] == [r for r in ours if r["file_id"]]


@needs_scip_python
def test_run_scip_python_reports_a_missing_root(tmp_path: Path) -> None:
    assert SCIP_PYTHON is not None
    with pytest.raises(ScipIndexError, match=r"scip-python failed \(exit 1\): Error: ENOENT"):
        run_scip_python(tmp_path / "absent", tmp_path, executable=SCIP_PYTHON)
