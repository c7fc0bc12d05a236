"""Repository scan: file selection, identity, encodings and module names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeanatomy.errors import RootError
from codeanatomy.scan import module_name, scan
from codeanatomy.spans import file_id_for
from tests.conftest import RepoFactory

MB = 1 << 20


def _paths(root: Path, **kwargs: object) -> list[str]:
    return [f.path for f in scan(root, max_file_bytes=MB, **kwargs).files]  # type: ignore[arg-type]


def test_gitignore_rules_nested_and_negated(make_repo: RepoFactory) -> None:
    root = make_repo(
        {
            ".gitignore": "generated/\n*_pb2.py\n",
            "a.py": "",
            "x_pb2.py": "",
            "generated/g.py": "",
            "pkg/.gitignore": "local.py\n!keep_pb2.py\n",
            "pkg/local.py": "",
            "pkg/keep_pb2.py": "",
            "pkg/other.py": "",
            "notes.txt": "",
            "stubs/mod.pyi": "",
        }
    )
    assert _paths(root) == ["a.py", "pkg/keep_pb2.py", "pkg/other.py", "stubs/mod.pyi"]


def test_default_excludes_and_virtualenvs(make_repo: RepoFactory) -> None:
    root = make_repo(
        {
            "main.py": "",
            ".git/hooks/h.py": "",
            "node_modules/n.py": "",
            "__pycache__/c.py": "",
            "build/lib/b.py": "",
            "myenv/pyvenv.cfg": "home = /usr",
            "myenv/lib/site.py": "",
            "pkg.egg-info/e.py": "",
            "out/graph.py": "",
        }
    )
    assert _paths(root, exclude_dirs=(root / "out",)) == ["main.py"]


def test_include_and_exclude_globs(make_repo: RepoFactory) -> None:
    root = make_repo({"src/app/a.py": "", "tests/test_a.py": "", "tests/data/d.py": "", "b.py": ""})
    assert _paths(root, exclude=["tests/**"]) == ["b.py", "src/app/a.py"]
    assert _paths(root, include=["tests/**"], exclude=["tests/data/"]) == ["tests/test_a.py"]


def test_symlink_loops_do_not_hang(make_repo: RepoFactory) -> None:
    root = make_repo({"pkg/a.py": ""})
    os.symlink(root / "pkg", root / "pkg" / "loop")
    os.symlink(root, root / "pkg" / "up")
    assert _paths(root) == ["pkg/a.py"]


def test_file_identity_and_encodings(make_repo: RepoFactory) -> None:
    root = make_repo(
        {
            "pkg/__init__.py": "",
            "pkg/latin.py": "# -*- coding: latin-1 -*-\ns = 'é'\n".encode("latin-1"),
            "pkg/bom.py": b"\xef\xbb\xbfx = 1\n",
            "pkg/badcookie.py": b"# -*- coding: klingon -*-\n",
        }
    )
    result = scan(root, max_file_bytes=MB)
    by_path = {f.path: f for f in result.files}
    assert by_path["pkg/latin.py"].encoding == "iso-8859-1"
    assert by_path["pkg/bom.py"].encoding == "utf-8"
    assert by_path["pkg/latin.py"].file_id == file_id_for("pkg/latin.py")
    assert by_path["pkg/bom.py"].size == 9
    assert len(by_path["pkg/bom.py"].sha256) == 64
    assert by_path["pkg/badcookie.py"].status == "bad_encoding"
    assert [e.error_type for e in result.errors] == ["EncodingError"]
    table = result.table()
    assert table.num_rows == 4 and table.column("is_package").to_pylist().count(True) == 1


def test_too_large_files_are_listed_with_an_error(make_repo: RepoFactory) -> None:
    root = make_repo({"big.py": "x = 1\n" * 100, "small.py": "y = 2\n"})
    result = scan(root, max_file_bytes=100)
    assert {f.path: f.status for f in result.files} == {"big.py": "too_large", "small.py": "ok"}
    assert result.errors[0].error_type == "TooLarge" and result.errors[0].path == "big.py"


def test_module_names_packages_and_src_layout(make_repo: RepoFactory) -> None:
    root = make_repo({"src/pkg/__init__.py": "", "src/pkg/mod.py": "", "tools/run.py": "", "ns/part/m.py": ""})
    modules = {f.path: f.module for f in scan(root, max_file_bytes=MB).files}
    assert modules == {
        "src/pkg/__init__.py": "pkg",
        "src/pkg/mod.py": "pkg.mod",
        "tools/run.py": "tools.run",
        "ns/part/m.py": "ns.part.m",
    }
    assert module_name("lib/x/y.py", ["lib"]) == "x.y"


def test_unusable_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RootError, match="not a directory"):
        scan(tmp_path / "missing", max_file_bytes=MB)


def test_file_names_that_are_not_utf8_are_scanned_under_escaped_paths(make_repo: RepoFactory) -> None:
    root = make_repo({"pkg/__init__.py": "", "pkg/caf\\xe9.py": "genuine = 1\n"})
    for name in (b"caf\xe9.py", b"na\xefve.py"):  # latin-1 bytes, not UTF-8
        with open(os.fsencode(root / "pkg") + b"/" + name, "wb") as file:
            file.write(b"x = 1\n")
    result = scan(root, max_file_bytes=MB)
    by_path = {f.path: f for f in result.files}
    assert sorted(by_path) == ["pkg/__init__.py", "pkg/caf\\xe9.py", "pkg/na\\xefve.py"]
    assert by_path["pkg/caf\\xe9.py"].data == b"genuine = 1\n"
    assert by_path["pkg/na\\xefve.py"].data == b"x = 1\n" and by_path["pkg/na\\xefve.py"].status == "ok"
    assert by_path["pkg/na\\xefve.py"].file_id == file_id_for("pkg/na\\xefve.py")
    assert [(e.path, e.error_type, "left out" in e.message) for e in result.errors] == [
        ("pkg/caf\\xe9.py", "UndecodablePath", True),
        ("pkg/na\\xefve.py", "UndecodablePath", False),
    ]
    result.table()  # every path is valid UTF-8 text for Arrow
