"""What facts know of dict contents in straight-line code (strong updates)."""

from __future__ import annotations

import ast

from codeanatomy.resolve._known_dicts import KnownDicts, literal_key


def _known(site: str = "d", **items: object) -> KnownDicts:
    known = KnownDicts()
    known.display(site, {("str", k): ("f", v) for k, v in items.items()})
    return known


def test_a_literal_store_replaces_the_value() -> None:
    known = _known(a="f1")
    known.bind("x#1", ("n", "dict", "d"), private=True)
    site = known.site_of(("v", "x#1"))
    assert site == "d"
    known.store(site, ("str", "a"), ("f", "f2"))
    assert known.read(site, ("str", "a")) == ("f", "f2")


def test_a_store_under_an_unknown_key_makes_the_dict_unknown() -> None:
    known = _known(a="f1")
    known.store("d", None, ("f", "f2"))
    assert known.site_of(("n", "dict", "d")) is None


def test_escaping_a_dict_escapes_the_dicts_stored_in_it() -> None:
    known = _known("inner", a="f1")
    known.display("outer", {("str", "x"): ("n", "dict", "inner")})
    known.escape(("u", (("lit", "int", 1), ("n", "dict", "outer"))))
    assert known.site_of(("n", "dict", "outer")) is None
    assert known.site_of(("n", "dict", "inner")) is None


def test_a_call_forgets_only_when_a_dict_is_reachable_from_elsewhere() -> None:
    known = _known(a="f1")
    known.bind("local#1", ("n", "dict", "d"), private=True)
    known.call_made()
    assert known.site_of(("v", "local#1")) == "d"
    known.bind("module:g", ("n", "dict", "d"), private=False)
    known.call_made()
    assert known.site_of(("v", "local#1")) is None


def test_literal_keys_are_strings_and_ints_only() -> None:
    keys = [literal_key(ast.parse(text, mode="eval").body) for text in ("'a'", "1", "True", "1.5", "k")]
    assert keys == [("str", "a"), ("int", 1), None, None, None]
