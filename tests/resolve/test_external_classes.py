"""Telling external classes from functions, and their attributes, from module sources."""

from __future__ import annotations

from pathlib import Path

import pytest

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
