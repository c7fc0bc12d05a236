"""Telling external classes from functions, and their attributes, from module sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeanatomy.resolve import external_classes
from codeanatomy.resolve.external_classes import ExternalClasses


@pytest.fixture
def classes(tmp_path: Path) -> ExternalClasses:
    package = tmp_path / "lib"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from .client import Client as Client\nfrom lib.errors import Failure\n"
        "def connect(host):\n    return Client(host)\n"
        "TIMEOUT = 3\n"
    )
    (package / "client.py").write_text(
        "import collections\n"
        "from lib import base\n"
        "try:\n    from _speedups import Client\nexcept ImportError:\n"
        "    class Client(base.Base):\n"
        "        __slots__ = ('host', 'port')\n"
        "        retries = 3\n"
        "        def send(self, data):\n            self.sent = data\n"
        "class Counts(collections.Counter):\n    pass\n"
        "class Proxy:\n    def __getattr__(self, name):\n        return name\n"
    )
    (package / "base.py").write_text("class Base(dict):\n    def close(self):\n        pass\n")
    (package / "errors.py").write_text("class Failure(Exception):\n    pass\n")
    return ExternalClasses([tmp_path])


def test_a_class_is_found_through_re_exports_and_try_blocks(classes: ExternalClasses) -> None:
    assert classes.is_class("lib.Client") is True
    assert classes.is_class("lib.client.Client") is True
    assert classes.is_class("lib.Failure") is True


def test_functions_and_constants_are_not_classes(classes: ExternalClasses) -> None:
    assert classes.is_class("lib.connect") is False
    assert classes.is_class("lib.TIMEOUT") is False


def test_a_module_without_source_tells_nothing(classes: ExternalClasses) -> None:
    assert classes.is_class("_speedups.Client") is None
    assert classes.is_class("lib.nothing") is False  # the source makes no class of it


def test_attributes_come_from_the_body_self_slots_and_bases(classes: ExternalClasses) -> None:
    for attribute in ("send", "retries", "sent", "host", "port", "close", "items"):
        assert classes.has_attribute("lib.Client", attribute) is True, attribute
    assert classes.has_attribute("lib.Client", "render") is False
    assert classes.has_attribute("lib.Failure", "with_traceback") is True


def test_dynamic_or_unreadable_classes_tell_nothing(classes: ExternalClasses) -> None:
    assert classes.has_attribute("lib.client.Proxy", "anything") is None
    assert classes.has_attribute("lib.client.Counts", "render") is None  # collections is not under this root


@pytest.fixture
def more(tmp_path: Path) -> ExternalClasses:
    (tmp_path / "abc.py").write_text("class ABCMeta(type):\n    def register(cls, sub):\n        return sub\n")
    (tmp_path / "_impl.py").write_text(
        "from abc import ABCMeta\n"
        "class Meta(type):\n    pass\n"
        "class Sized(metaclass=ABCMeta):\n    def __len__(self):\n        return 0\n"
        "class Magic(metaclass=Meta):\n    pass\n"
        "class Conn:\n"
        "    def __init__(self, address):\n"
        "        (self.host, self.port), [*self.rest] = address, []\n"
        "        for self.tries in range(3):\n            pass\n"
        "class Deep:\n"
        "    def open(self, path, mode):\n"
        "        if path:\n            self.path = path\n        else:\n            self.path = None\n"
        "        try:\n            pass\n        except OSError:\n            self.error = True\n"
        "        finally:\n            self.done = True\n"
        "        with open(path) as self.file, open(path) as (self.copy, other):\n            pass\n"
        "        while False:\n            pass\n        else:\n            self.waited: bool = True\n"
        "        match mode:\n            case 'r':\n                self.reads += 1\n"
        "        def later():\n            self.later = True\n"
        "        [self.not_here for self.comprehended in ()]\n"
    )
    (tmp_path / "facade.py").write_text("from _impl import *\n")
    return ExternalClasses([tmp_path])


def test_a_star_import_re_exports_the_classes_of_its_module(more: ExternalClasses) -> None:
    assert more.is_class("facade.Sized") is True
    assert more.has_attribute("facade.Conn", "close") is False


def test_an_abc_has_its_metaclass_s_attributes_and_another_metaclass_tells_nothing(more: ExternalClasses) -> None:
    assert more.has_attribute("facade.Sized", "register") is True  # ``abc.ABCMeta``'s
    assert more.has_attribute("facade.Sized", "closed") is False
    assert more.has_attribute("facade.Magic", "objects") is None  # a metaclass may add anything


def test_attributes_assigned_on_self_inside_tuples_and_loops_count(more: ExternalClasses) -> None:
    for attribute in ("host", "port", "rest", "tries"):
        assert more.has_attribute("facade.Conn", attribute) is True, attribute


def test_attributes_assigned_on_self_in_nested_blocks_count(more: ExternalClasses) -> None:
    for attribute in ("path", "error", "done", "file", "copy", "waited", "reads", "later"):
        assert more.has_attribute("facade.Deep", attribute) is True, attribute
    assert more.has_attribute("facade.Deep", "not_here") is False


def _write_module(path: Path, text: str) -> None:
    """Write ``text`` with a modification time a second later than the file had, so that
    a rewrite is seen however coarse the file system's clock."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    stamp = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(stamp, stamp))


def test_a_memo_answers_for_unchanged_sources_and_changed_ones_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, memo = tmp_path / "lib", tmp_path / "cache" / "memo.pickle"
    library.mkdir()
    _write_module(library / "shapes.py", "class Circle:\n    def __init__(self):\n        self.radius = 1\n")
    first = ExternalClasses([library], memo)
    assert first.has_attribute("shapes.Circle", "radius") is True
    first.save_memo()

    def parse(*_: object) -> None:
        raise AssertionError("a module the memo holds was parsed again")

    monkeypatch.setattr(external_classes, "_read", parse)
    second = ExternalClasses([library], memo)
    assert second.is_class("shapes.Circle") is True
    assert second.has_attribute("shapes.Circle", "radius") is True
    assert second.has_attribute("shapes.Circle", "area") is False
    monkeypatch.undo()

    _write_module(library / "shapes.py", "class Circle:\n    area = 0\n")
    third = ExternalClasses([library], memo)
    assert third.has_attribute("shapes.Circle", "area") is True
    assert third.has_attribute("shapes.Circle", "radius") is False


def test_a_damaged_memo_counts_as_empty_and_is_written_anew(tmp_path: Path) -> None:
    library, memo = tmp_path / "lib", tmp_path / "memo.pickle"
    library.mkdir()
    _write_module(library / "shapes.py", "class Square:\n    side = 1\n")
    memo.write_bytes(b"not a memo")
    classes = ExternalClasses([library], memo)
    assert classes.has_attribute("shapes.Square", "side") is True
    classes.save_memo()
    assert ExternalClasses([library], memo).has_attribute("shapes.Square", "side") is True
    assert memo.read_bytes() != b"not a memo"
