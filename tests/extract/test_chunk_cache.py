"""Chunks and the chunk cache: where chunks are cut, what a chunk's key depends on, what
the code's fingerprint hashes, and a cache that cannot be written."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import codeanatomy
from codeanatomy.capabilities import detect_capabilities
from codeanatomy.extract._base import ExtractOptions
from codeanatomy.extract._chunks import split_chunks
from codeanatomy.extract.chunk_cache import ChunkCache, code_fingerprint
from tests.conftest import RepoFactory

_CHUNK = [("a.py", "id-a", "a", b"x = 1\n", "utf-8"), ("b.py", "id-b", "b", b"y = 2\n", "utf-8")]
_OPTIONS = ExtractOptions()


def _key(cache: ChunkCache, steps: tuple[str, ...] = ("ast",), opts: ExtractOptions = _OPTIONS,
         chunk: list[tuple[str, str, str, bytes, str]] = _CHUNK) -> str:
    return cache.key(steps, opts, chunk)


def test_a_key_changes_with_anything_a_step_reads(tmp_path: Path) -> None:
    cache = ChunkCache(tmp_path, "code")
    base = _key(cache)
    assert base == _key(ChunkCache(tmp_path / "elsewhere", "code"))
    first = _CHUNK[0]
    changed = [
        _key(ChunkCache(tmp_path, "other code")),
        _key(cache, steps=("ast", "symtable")),
        _key(cache, opts=ExtractOptions(code_chars=10)),
        _key(cache, chunk=_CHUNK[:1]),
        *(
            _key(cache, chunk=[(*first[:index], value, *first[index + 1 :]), _CHUNK[1]])  # type: ignore[list-item]
            for index, value in enumerate(("c.py", "id-c", "c", b"x = 2\n", "latin-1"))
        ),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_the_code_fingerprint_follows_the_libraries_versions() -> None:
    capabilities = detect_capabilities()
    assert code_fingerprint(capabilities) == code_fingerprint(capabilities)
    other = msgspec.structs.replace(capabilities, versions={**capabilities.versions, "tree-sitter": "0.0.1"})
    assert code_fingerprint(other) != code_fingerprint(capabilities)


def test_a_cache_that_cannot_be_written_is_a_note_and_the_build_goes_on(make_repo: RepoFactory) -> None:
    root = make_repo({"m.py": "def f():\n    return 1\n"})
    (root / ".codeanatomy").mkdir()
    (root / ".codeanatomy" / "cache").write_text("in the way")
    for exclude in ([], ["elsewhere/**"]):  # the second, other options: not a build with nothing to do
        result = codeanatomy.build(root, jobs=1, exclude=exclude)
        assert result.reused["facts"] == result.reused["extract"] == 0
        assert result.nodes_by_kind["FUNCTION"] == 1
        assert any(note.startswith("cannot write the chunk cache in ") for note in result.notes)


@given(
    names=st.lists(st.text(alphabet="abcdefgh/_", min_size=1, max_size=12), max_size=120, unique=True),
    chunk_files=st.integers(min_value=1, max_value=30),
)
def test_chunks_keep_every_file_in_order_within_their_bounds(names: list[str], chunk_files: int) -> None:
    files = [(f"{name}.py", "", "", b"", "utf-8") for name in sorted(names)]
    chunks = split_chunks(files, chunk_files)
    assert [f for chunk in chunks for f in chunk] == files
    assert all(max(1, chunk_files // 2) <= len(chunk) <= 2 * chunk_files for chunk in chunks[:-1])
    assert not chunks or 1 <= len(chunks[-1]) <= 2 * chunk_files



def test_the_code_fingerprint_follows_the_settings_that_change_compiling_and_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    capabilities = detect_capabilities()
    base = code_fingerprint(capabilities)
    digits = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(0)  # a 5,000-digit literal parses now
        assert code_fingerprint(capabilities) != base
    finally:
        sys.set_int_max_str_digits(digits)
    assert code_fingerprint(capabilities) == base
    monkeypatch.setattr(sys, "flags", SimpleNamespace(optimize=1))  # python -O drops asserts
    assert code_fingerprint(capabilities) != base
