"""Canonical spans and stable IDs (``codeanatomy.spans``)."""

from __future__ import annotations

import ast

import pyarrow as pa
from datafusion import SessionContext
from hypothesis import given, settings
from hypothesis import strategies as st

from codeanatomy.extract._ast_index import ast_index_of
from codeanatomy.source import SourceFile
from codeanatomy.spans import (
    SourceLines,
    file_id_for,
    keyed_ids,
    stable_id,
    stable_id_sql,
    stable_ids,
)

IDENTIFIERS = st.text(
    alphabet=st.sampled_from("abcxyzéßπжλ_中文"), min_size=1, max_size=6
).filter(lambda s: s.isidentifier() and not s[0].isdigit())
STRINGS = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)


@st.composite
def programs(draw: st.DrawFn) -> str:
    """Small valid programs mixing non-ASCII names, strings, nesting and f-strings."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(IDENTIFIERS)
        value = draw(STRINGS)
        form = draw(st.sampled_from(["assign", "def", "call", "fstring", "class"]))
        if form == "assign":
            lines.append(f"{name} = {value!r}")
        elif form == "def":
            lines.append(f"def {name}(a, b={value!r}):\n    return a + {name}")
        elif form == "call":
            lines.append(f"print({value!r}, {name}.attr[0])")
        elif form == "fstring":
            lines.append(f"x = f'{{{name}}}' + {value!r}")
        else:
            lines.append(f"class {name}:\n    attr = lambda s: {value!r}")
    return "\n".join(lines) + "\n"


def _check_segments(text: str, data: bytes, encoding: str) -> None:
    source = SourceFile("m.py", file_id_for("m.py"), "m", data, encoding)
    index = ast_index_of(source)
    tree = ast.parse(text)
    expected = {}
    for node in ast.walk(tree):
        segment = ast.get_source_segment(text, node) if hasattr(node, "lineno") else None
        if segment is not None:
            expected[(type(node).__name__, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)] = segment
    checked = 0
    for row, node in enumerate(index.nodes):
        if not hasattr(node, "lineno"):
            continue
        key = (type(node).__name__, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
        want = expected[key].replace("\n", "\r\n") if b"\r\n" in data else expected[key]
        got = data[index.bstart[row] : index.bend[row]]
        assert got == want.encode(encoding), (node, got, want)
        checked += 1
    assert checked > 0


@settings(max_examples=60, deadline=None)
@given(programs(), st.sampled_from(["utf-8", "bom", "crlf", "latin-1"]))
def test_ast_spans_are_the_source_segments(text: str, variant: str) -> None:
    if variant == "latin-1":
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            text = text.encode("ascii", "replace").decode().replace("?", "q")
        text = "# -*- coding: latin-1 -*-\n" + text
        _check_segments(text, text.encode("latin-1"), "latin-1")
    elif variant == "bom":
        _check_segments(text, b"\xef\xbb\xbf" + text.encode(), "utf-8")
    elif variant == "crlf":
        _check_segments(text, text.replace("\n", "\r\n").encode(), "utf-8")
    else:
        _check_segments(text, text.encode(), "utf-8")


def test_bom_offsets_skip_the_bom() -> None:
    data = b"\xef\xbb\xbfx = 1\n"
    lines = SourceLines(data)
    assert lines.from_utf8_col(1, 0) == 3
    assert data[lines.from_utf8_col(1, 4) : lines.from_utf8_col(1, 5)] == b"1"


def test_lone_carriage_return_ends_a_line() -> None:
    lines = SourceLines(b"a = 1\rb = 2\n")
    assert lines.line_starts[:2] == [0, 6]
    assert lines.line_col(7) == (2, 1)


def test_utf16_and_codepoint_columns() -> None:
    data = "s = '😀é' + x\n".encode()
    lines = SourceLines(data)
    x_offset = data.index(b"x")
    assert lines.from_codepoint_col(1, 11) == x_offset
    assert lines.from_utf16_col(1, 12) == x_offset  # the emoji is two UTF-16 units
    assert lines.from_utf8_col(1, x_offset) == x_offset


def test_latin1_columns_are_offsets_into_stored_bytes() -> None:
    text = "# -*- coding: latin-1 -*-\ns = 'é'; y = 2\n"
    data = text.encode("latin-1")
    lines = SourceLines(data, "latin-1")
    y_col_utf8 = "s = 'é'; y".encode().index(b"y")
    assert data[lines.from_utf8_col(2, y_col_utf8)] == ord("y")
    utf8 = lines.utf8_text()
    assert data[lines.from_utf8_offset(utf8.index(b"y = 2"))] == ord("y")


def test_stateful_encoding_offsets_point_at_the_stored_characters() -> None:
    """iso-2022-jp switches modes with escape sequences: an offset after a run of
    Japanese text is where the next character's bytes begin, in both conversions."""
    text = '# -*- coding: iso-2022-jp -*-\n名前 = "日本"\ny = "b"\n'
    data = text.encode("iso-2022-jp")
    lines = SourceLines(data, "iso-2022-jp")
    boundaries = [len(text[:k].encode()) for k in range(len(text) + 1)]
    stored = lines.from_utf8_offsets(boundaries)
    assert stored == [lines.from_utf8_offset(offset) for offset in boundaries]
    assert stored[-1] == len(data)
    utf8 = lines.utf8_text()
    y = lines.from_utf8_offset(utf8.index(b"y = "))
    assert data[y:] == b'y = "b"\n'
    literal = utf8.index('"日本"'.encode())
    start, end = lines.from_utf8_offsets([literal, literal + len('"日本"'.encode())])
    assert data[start:end].decode("iso-2022-jp") == '"日本"'
    name_end = lines.from_utf8_col(2, len("名前".encode()))
    assert data[lines.from_utf8_col(2, 0) : name_end].decode("iso-2022-jp") == "名前"
    assert data[name_end:].startswith(b"\x1b(B = ")  # the escape back to ASCII begins " = "


@given(st.lists(st.one_of(st.text(max_size=5), st.integers(-5, 10**6)), min_size=1, max_size=5))
def test_stable_id_sql_matches_python(parts: list[object]) -> None:
    session = SessionContext()
    table = pa.table({f"c{i}": [str(p)] for i, p in enumerate(parts)})
    session.from_arrow(table, name="t")
    expr = stable_id_sql(*(f"c{i}" for i in range(len(parts))))
    got = session.sql(f"SELECT {expr} AS id FROM t").to_arrow_table().column(0)[0].as_py()
    assert got == stable_id(*parts)


def test_stable_id_is_stable() -> None:
    assert stable_id("file", "pkg/mod.py") == "b514efbb48241a085156"
    assert file_id_for("pkg/mod.py") == stable_id("file", "pkg/mod.py")


PARTS = st.one_of(st.none(), st.text(alphabet="ab%|é", max_size=3), st.integers(-3, 300))


@given(
    st.integers(0, 12).flatmap(
        lambda rows: st.lists(st.lists(PARTS, min_size=rows, max_size=rows), min_size=1, max_size=4)
    ),
    st.lists(st.one_of(st.none(), st.sampled_from(["f", "50%", "x|y"])), max_size=2),
)
def test_stable_ids_equal_stable_id_of_each_row(columns: list[list[object]], prefix: list[object]) -> None:
    expected = [stable_id(*prefix, *row) for row in zip(*columns, strict=True)]
    assert stable_ids(prefix, *columns) == expected


@given(st.lists(st.tuples(st.sampled_from(["call", "name", "ERROR"]), st.integers(0, 4), st.integers(0, 4))))
def test_keyed_ids_number_the_later_rows_of_a_repeated_key(keys: list[tuple[str, int, int]]) -> None:
    columns = [list(column) for column in zip(*keys, strict=True)] or [[], [], []]
    ids = keyed_ids(("f", "ts"), *columns)
    seen: dict[tuple[str, int, int], int] = {}
    for key, got in zip(keys, ids, strict=True):
        earlier = seen.get(key, 0)
        seen[key] = earlier + 1
        assert got == stable_id("f", "ts", *key, earlier or None)
    assert len(set(ids)) == len(ids)
