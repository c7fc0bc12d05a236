"""Which names of the interpreter's own modules are classes, read from their source.

Calling an external class gives an instance whose attributes are the class's
(``argparse.ArgumentParser(...).add_argument`` is ``argparse.ArgumentParser.add_argument``);
calling an external function gives something unknown. To tell the two apart without
importing anything, the module a name comes from is looked up in the interpreter's
standard library and site-packages directories and parsed: a name is a class when the
module defines it with a ``class`` statement at top level (inside ``if``/``try``
blocks too), or imports it from a module that does (by name, or with ``import *``). A
module that is not Python source there (a C extension) or a name it makes some other
way tells nothing.

A class read so also tells which attributes its instances have: what its body binds,
what its methods assign on ``self``, its ``__slots__``, and its bases' (read the same
way, or the builtin type's), unless one of them is out of reach, defines
``__getattr__``, or has a metaclass other than ``abc.ABCMeta`` (whose attributes, such
as ``register``, count as the class's).

What a module's source tells is kept in a memo file between builds (see
:meth:`ExternalClasses.save_memo`), and taken from it while the file keeps its size and
modification time: the library modules a repository uses are read once, not in every
build.
"""

from __future__ import annotations

import abc
import ast
import builtins
import os
import pickle
import re
import sysconfig
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ExternalClasses"]

_MAX_HOPS = 4
"""How many ``from m import Name`` re-exports are followed to find a definition."""
_MAX_SOURCE_BYTES = 2_000_000
_PARENTHESIZED_IMPORT = re.compile(rb"\bfrom[ \t]+\S+[ \t]+import[ \t]*\(([^)]*)\)")
_DYNAMIC: frozenset[str] = frozenset({"__getattr__", "__getattribute__"})
_ABC_METAS: frozenset[str] = frozenset({"abc.ABCMeta", "_py_abc.ABCMeta"})
"""``abc.ABCMeta`` as class statements name it (``abc`` imports it from ``_py_abc`` when
the C module is missing)."""
_ABC_META_ATTRIBUTES: frozenset[str] = frozenset(dir(abc.ABCMeta))
_STAR_IMPORT = re.compile(rb"(?m)^[ \t]*from[ \t]+\S+[ \t]+import[ \t]+\*")
_FROM_IMPORT_LINE = re.compile(rb"(?m)^[ \t]*from[ \t]+\S+[ \t]+import[ \t]+([^(\n]*)")
_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")
"""Fields of statements (and of ``except`` handlers and ``case`` blocks) that hold statements."""
_WORD_BYTES = rb"[\w\x80-\xff]"
"""A byte of an identifier in UTF-8: ASCII word characters and every byte of the others."""
_CLASS_NAME = re.compile(rb"(?<!" + _WORD_BYTES + rb")class[ \t]+(" + _WORD_BYTES + rb"+)")
_WORD = re.compile(_WORD_BYTES + rb"+")


@dataclass(frozen=True, slots=True)
class _ClassSource:
    """What a class statement shows: the names it binds, its bases' qualified names
    (None for a base that is not a plain dotted name), and its metaclass's ("" for
    none, None for one that is not a plain dotted name)."""

    attributes: frozenset[str]
    bases: tuple[str | None, ...]
    metaclass: str | None = ""


_Name = tuple[str, str] | _ClassSource | None
"""A module's top-level name: a class, ("import", "m.Name"), or None for anything else."""


@dataclass(slots=True)
class _ModuleSource:
    """What one module's source file tells, as far as it has been read: its words, and
    once parsed, its top-level names (None when it does not parse) and the modules it
    star-imports. ``stamp`` is the file's size and modification time when read."""

    path: str
    stamp: tuple[int, int]
    words: _SourceWords
    parsed: bool = False
    names: dict[str, _Name] | None = None
    stars: tuple[str, ...] = ()


class ExternalClasses:
    """Answers "is this external qualified name a class?" from module sources on disk.

    Each module is read and parsed at most once, when a name of it is first asked about,
    or not at all when ``memo`` (a file :meth:`save_memo` wrote) holds what its unchanged
    file tells. A memo that cannot be read counts as empty.
    """

    def __init__(self, roots: Sequence[Path], memo: Path | None = None) -> None:
        self.roots = tuple(roots)
        self.memo = memo
        self._known = _load_memo(memo)
        self._sources: dict[str, _ModuleSource | None] = {}
        self._data: dict[str, bytes] = {}
        self._read_here = False
        self._classes: dict[str, bool | None] = {}
        self._attributes: dict[tuple[str, str], bool | None] = {}

    @classmethod
    def of_interpreter(cls, memo: Path | None = None) -> ExternalClasses:
        """The running interpreter's standard library and site-packages directories."""
        paths = sysconfig.get_paths()
        roots: list[Path] = []
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            path = Path(paths[key])
            if path.is_dir() and path not in roots:
                roots.append(path)
        return cls(roots, memo)

    def save_memo(self) -> None:
        """Write what the sources told into the memo file, if any was read here.

        The memo keeps every module it held or that was read, and is replaced whole (a
        build reading it meanwhile sees the old one or the new); a memo that cannot be
        written is left as it was.
        """
        if self.memo is None or not self._read_here:
            return
        known = {**self._known, **{m: s for m, s in self._sources.items() if s is not None}}
        temporary = self.memo.with_name(f"{self.memo.name}.tmp-{os.getpid()}")
        try:
            self.memo.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(pickle.dumps(known, protocol=pickle.HIGHEST_PROTOCOL))
            temporary.replace(self.memo)
        except OSError:
            temporary.unlink(missing_ok=True)

    def is_class(self, qualname: str) -> bool | None:
        """True for a class, False for a name the module's source does not make one,
        None when there is no such source or it imports the name from where there is none.

        >>> classes = ExternalClasses.of_interpreter()
        >>> classes.is_class("argparse.ArgumentParser"), classes.is_class("json.JSONDecoder")
        (True, True)
        >>> classes.is_class("logging.getLogger"), classes.is_class("_io.StringIO")
        (False, None)
        """
        if qualname not in self._classes:
            found = self._definition(qualname)
            self._classes[qualname] = None if found is False else isinstance(found, _ClassSource)
        return self._classes[qualname]

    def has_attribute(self, qualname: str, attribute: str) -> bool | None:
        """Whether instances of the class ``qualname`` have ``attribute``; None when the
        sources do not tell (a base out of reach, ``__getattr__``).

        >>> classes = ExternalClasses.of_interpreter()
        >>> classes.has_attribute("collections.Counter", "most_common")
        True
        >>> classes.has_attribute("collections.Counter", "items"), classes.has_attribute("collections.Counter", "render")
        (True, False)
        """
        key = (qualname, attribute)
        if key not in self._attributes:
            self._attributes[key] = self._has(qualname, attribute, 0)
        return self._attributes[key]

    def _has(self, qualname: str, attribute: str, depth: int) -> bool | None:
        if "." not in qualname and depth:
            base = getattr(builtins, qualname, None)
            return hasattr(base, attribute) if isinstance(base, type) else None
        found = self._definition(qualname)
        if not isinstance(found, _ClassSource) or depth > _MAX_HOPS * 4:
            return None
        if attribute in found.attributes:
            return True
        if not _DYNAMIC.isdisjoint(found.attributes):
            return None
        if found.metaclass in _ABC_METAS and attribute in _ABC_META_ATTRIBUTES:
            return True
        if found.metaclass != "" and found.metaclass not in _ABC_METAS:
            return None
        answer: bool | None = False
        for base in found.bases or ("object",):
            inherited = None if base is None else self._has(base, attribute, depth + 1)
            if inherited:
                return True
            if inherited is None:
                answer = None
        return answer

    def _definition(self, qualname: str, hops: int = 0) -> _Name | bool:
        """The definition ``qualname`` names after following re-exports; False when it
        cannot be found."""
        module, _, name = qualname.rpartition(".")
        for hop in range(hops, _MAX_HOPS):
            source = self._module_source(module)
            if source is None:
                return False
            if not source.words.may_name_a_class(name):
                return None  # parsing the module would not make it one
            names = self._names(module, source)
            if names is not None and name not in names:
                for star in source.stars:
                    found_there = self._definition(f"{star}.{name}", hop + 1)
                    if found_there is not False:
                        return found_there
            if names is None or name not in names:
                return False
            found = names[name]
            if not isinstance(found, tuple):
                return found
            module, _, name = found[1].rpartition(".")
        return False

    def _module_source(self, module: str) -> _ModuleSource | None:
        """What ``module``'s source file tells (None: no such file, or one too large):
        from the memo while the file is unchanged, else its words, read now."""
        if module in self._sources:
            return self._sources[module]
        path = self._source(module)
        found: _ModuleSource | None = None
        if path is not None:
            try:
                stat = path.stat()
                stamp = (stat.st_size, stat.st_mtime_ns)
                known = self._known.get(module)
                if known is not None and known.path == str(path) and known.stamp == stamp:
                    found = known
                elif stat.st_size <= _MAX_SOURCE_BYTES:
                    data = path.read_bytes()
                    self._data[module] = data
                    found = _ModuleSource(str(path), stamp, _SourceWords.of(data))
                    self._read_here = True
            except OSError:
                found = None
        self._sources[module] = found
        return found

    def _names(self, module: str, source: _ModuleSource) -> dict[str, _Name] | None:
        """Top-level names of ``module`` (parsed once, here or in the build that wrote the memo)."""
        if not source.parsed:
            data = self._data.pop(module, None)
            if data is None:
                try:
                    data = Path(source.path).read_bytes()
                except OSError:
                    data = b""
            package = module if Path(source.path).name == "__init__.py" else module.rpartition(".")[0]
            source.names, source.stars = _read(data, module, package)
            source.parsed = True
            self._read_here = True
        return source.names

    def _source(self, module: str) -> Path | None:
        parts = module.split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        for root in self.roots:
            base = root.joinpath(*parts)
            for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
                if candidate.is_file():
                    return candidate
        return None


def _load_memo(memo: Path | None) -> dict[str, _ModuleSource]:
    """The module sources a memo file holds; none when there is no memo or it cannot be read."""
    if memo is None:
        return {}
    try:
        known = pickle.loads(memo.read_bytes())
    except Exception:  # noqa: BLE001 - a missing or damaged memo is only a slower build
        return {}
    if not isinstance(known, dict) or not all(isinstance(v, _ModuleSource) for v in known.values()):
        return {}
    return known


def _read(data: bytes, module: str, package: str) -> tuple[dict[str, _Name] | None, tuple[str, ...]]:
    """The top-level names of ``module``'s source ``data`` (None when it does not parse)
    and the modules it star-imports; ``package`` resolves its relative imports."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, ()
    names: dict[str, _Name] = {}
    imported: dict[str, str] = {}
    stars: list[str] = []
    statements = list(_top_level(tree.body))
    for statement in statements:
        if isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names):
            source = _absolute(statement, package)
            if source is not None:
                stars.append(source)
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    imported[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    imported[top] = top
        elif isinstance(statement, ast.ImportFrom):
            source = _absolute(statement, package)
            for alias in statement.names:
                if source is not None and alias.name != "*":
                    imported[alias.asname or alias.name] = f"{source}.{alias.name}"
    for statement in statements:
        if isinstance(statement, ast.ClassDef):
            names[statement.name] = _class_source(statement, module, names, imported)
        elif isinstance(statement, ast.ImportFrom):
            source = _absolute(statement, package)
            for alias in statement.names:
                if alias.name != "*" and source is not None:
                    names.setdefault(alias.asname or alias.name, ("import", f"{source}.{alias.name}"))
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.setdefault(statement.name, None)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, None)
    return names, tuple(stars)


@dataclass(frozen=True, slots=True)
class _SourceWords:
    """The words of a module's source that tell whether it may bind a name to a class:
    a ``class name`` in it, or an import that may bring ``name`` in. Most names asked
    about are functions, and this saves parsing their modules. The source is read once,
    however many names are asked about.

    >>> words = _SourceWords.of(b"class AB: pass\\ndef A(): pass\\nfrom m import (B,\\n C as D)")
    >>> [words.may_name_a_class(name) for name in ("AB", "A", "B", "D", "m")]
    [True, False, True, True, False]
    """

    classes: frozenset[bytes]
    """Names after ``class``."""
    star: bool
    """Whether the module has a ``from m import *``."""
    imported: frozenset[bytes]
    """Words of ``from m import ...`` lists, parenthesized or not."""

    @classmethod
    def of(cls, text: bytes) -> _SourceWords:
        """Read the words of ``text``."""
        lists = [m[1] for m in _FROM_IMPORT_LINE.finditer(text)]
        lists.extend(m[1] for m in _PARENTHESIZED_IMPORT.finditer(text))
        return cls(
            classes=frozenset(_CLASS_NAME.findall(text)),
            star=_STAR_IMPORT.search(text) is not None,
            imported=frozenset(word for names in lists for word in _WORD.findall(names)),
        )

    def may_name_a_class(self, name: str) -> bool:
        """Whether the module may bind ``name`` to a class."""
        word = name.encode()
        return self.star or word in self.classes or word in self.imported


def _class_source(
    node: ast.ClassDef, module: str, names: dict[str, _Name], imported: dict[str, str]
) -> _ClassSource:
    """The attributes a class statement binds and its bases, resolved in its module."""
    attributes = {"__class__", "__dict__", "__doc__", "__module__", "__init__"}
    for statement in _top_level(node.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            attributes.add(statement.name)
            if not isinstance(statement, ast.ClassDef):
                attributes.update(_self_attributes(statement))
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        attributes.add(name.id)
            if any(isinstance(t, ast.Name) and t.id == "__slots__" for t in targets) and statement.value:
                attributes.update(
                    n.value for n in ast.walk(statement.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                )
    bases = tuple(_qualified(base, module, names, imported) for base in node.bases)
    metaclass = next((k.value for k in node.keywords if k.arg == "metaclass"), None)
    declared = "" if metaclass is None else _qualified(metaclass, module, names, imported)
    return _ClassSource(frozenset(attributes), bases, declared)


def _self_attributes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Attributes a method assigns on its first parameter (``self.x = ...``), in its
    statements and theirs (expressions hold none that bind an attribute)."""
    params = function.args.posonlyargs + function.args.args
    if not params:
        return set()
    receiver = params[0].arg
    found: set[str] = set()
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        for field in _STATEMENT_LISTS:
            pending.extend(getattr(node, field, ()))
        for target in _targets(node):
            for part in _unpacked(target):
                if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == receiver:
                    found.add(part.attr)
    return found


def _targets(node: ast.AST) -> list[ast.expr]:
    """What a statement binds by assignment, ``for`` or ``with ... as``."""
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    return []


def _unpacked(target: ast.expr) -> Iterator[ast.expr]:
    """``target`` and, for a tuple or list, each target inside it (``(self.host, self.port) = ...``)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _unpacked(element)
    elif isinstance(target, ast.Starred):
        yield from _unpacked(target.value)
    else:
        yield target


def _qualified(node: ast.expr, module: str, names: dict[str, _Name], imported: dict[str, str]) -> str | None:
    """The qualified name a base class expression names, or None."""
    if isinstance(node, ast.Subscript):  # ``Generic[T]``, ``Mapping[str, int]``
        node = node.value
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    head = node.id
    if head in imported:
        root = imported[head]
    elif head in names:
        root = f"{module}.{head}"
    elif not parts and isinstance(getattr(builtins, head, None), type):
        return head
    else:
        return None
    return ".".join([root, *reversed(parts)])


def _top_level(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run when the module is imported: the body and its ``if``/``try`` blocks."""
    for statement in statements:
        if isinstance(statement, ast.If):
            yield from _top_level(statement.body)
            yield from _top_level(statement.orelse)
        elif isinstance(statement, ast.Try):
            yield from _top_level(statement.body)
            for handler in statement.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(statement.orelse)
            yield from _top_level(statement.finalbody)
        else:
            yield statement


def _absolute(statement: ast.ImportFrom, package: str) -> str | None:
    """The module a ``from ... import`` statement imports from, made absolute."""
    if not statement.level:
        return statement.module
    parts = package.split(".") if package else []
    if statement.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (statement.level - 1)]
    return ".".join([*base, statement.module] if statement.module else base) or None
