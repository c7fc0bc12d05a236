"""What resolution knows about the interpreter: builtins, standard library, distributions.

Read once into a :class:`PythonEnvironment` snapshot and passed to
:func:`codeanatomy.resolve.program.resolve_program`; nothing is imported to learn a
third-party module's distribution (``importlib.metadata.packages_distributions``
reads installed metadata only).
"""

from __future__ import annotations

import abc
import builtins
import collections
import enum
import hashlib
import importlib.metadata
import os
import sys
import sysconfig
import typing
from dataclasses import dataclass

from codeanatomy.resolve.external_classes import ExternalClasses

__all__ = ["BUILTIN_TYPE_PYCG", "PythonEnvironment", "environment_fingerprint"]

_PLAIN_TYPES: tuple[type, ...] = (str, bytes, int, float, bool, tuple, type(None))

BUILTIN_TYPE_PYCG: dict[str, str] = {
    "str": "PyStr",
    "bytes": "PyBytes",
    "bytearray": "PyByteArray",
    "list": "PyList",
    "dict": "PyDict",
    "set": "PySet",
    "frozenset": "PyFrozenSet",
    "tuple": "PyTuple",
    "int": "PyInt",
    "float": "PyFloat",
    "complex": "PyComplex",
    "bool": "PyBool",
}
"""PyCG's spelling of methods of builtin types: ``<**PyStr**>.join``."""


@dataclass(frozen=True, slots=True)
class PythonEnvironment:
    """A snapshot of the interpreter the build resolves against.

    Attributes:
        builtin_names: names in the ``builtins`` module.
        stdlib_modules: top-level standard library module names.
        distributions: top-level import name -> installed distribution names.
        type_methods: builtin type name -> names of its attributes.
        base_attributes: qualified name -> attribute names, for the standard library
            classes that repository classes commonly derive from without taking
            attributes from them (``abc.ABC``, ``typing.Generic``, ``typing.Protocol``,
            ``typing.NamedTuple``, whose classes have a named tuple's, and the ``enum``
            bases, whose members have ``name``, ``value`` and their mixin's).
        data_attributes: qualified name -> attribute names, for the plain values
            (strings, numbers, tuples, ``None``) that ``sys`` and ``os`` hold, such as
            ``sys.base_prefix``: what their type has.
        module_attributes: module -> the names it has, for ``sys`` and ``os``, whose
            names differ from one platform to another (``sys._vpath`` is Windows's).
        classes: which names of the standard library and installed packages are
            classes, read from their source when first asked.
    """

    builtin_names: frozenset[str]
    stdlib_modules: frozenset[str]
    distributions: dict[str, tuple[str, ...]]
    type_methods: dict[str, frozenset[str]]
    base_attributes: dict[str, frozenset[str]]
    data_attributes: dict[str, frozenset[str]]
    module_attributes: dict[str, frozenset[str]]
    classes: ExternalClasses

    @classmethod
    def current(cls, classes: ExternalClasses | None = None) -> PythonEnvironment:
        """Snapshot the running interpreter; ``classes`` reads its module sources (by
        default, an :meth:`ExternalClasses.of_interpreter` without a memo)."""
        type_methods = {
            name: frozenset(a for a in dir(getattr(builtins, name)) if not a.startswith("__"))
            for name in BUILTIN_TYPE_PYCG
        }
        bases: dict[str, object] = {
            "abc.ABC": abc.ABC,
            "typing.Generic": typing.Generic,
            "typing.Protocol": typing.Protocol,
            "typing.NamedTuple": collections.namedtuple("NamedTuple", ()),
            **{f"enum.{base.__name__}": base for base in (enum.Enum, enum.IntEnum, enum.StrEnum, enum.Flag, enum.IntFlag)},
        }
        return cls(
            builtin_names=frozenset(dir(builtins)),
            stdlib_modules=frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names),
            distributions={k: tuple(sorted(set(v))) for k, v in importlib.metadata.packages_distributions().items()},
            type_methods=type_methods,
            base_attributes={name: _attributes(base) for name, base in bases.items()},
            data_attributes={
                f"{module.__name__}.{name}": frozenset(dir(type(value)))
                for module in (sys, os)
                for name, value in sorted(vars(module).items())
                if type(value) in _PLAIN_TYPES
            },
            module_attributes={module.__name__: frozenset(dir(module)) for module in (sys, os)},
            classes=classes or ExternalClasses.of_interpreter(),
        )

    def origin(self, qualname: str) -> tuple[str, str | None]:
        """Return (origin, distribution) of an external qualified name.

        >>> env = PythonEnvironment.current()
        >>> env.origin("builtins.len"), env.origin("os.path.join")
        (('builtin', None), ('stdlib', None))
        """
        top = qualname.split(".", 1)[0]
        if top == "builtins":
            return "builtin", None
        if top in self.stdlib_modules:
            return "stdlib", None
        dists = self.distributions.get(top)
        if dists:
            return "third_party", dists[0]
        return "unknown", None


def environment_fingerprint() -> str:
    """A hash of what :meth:`PythonEnvironment.current` reads besides the interpreter
    itself: the names in the library directories and, in every directory on the
    import path (and the working directory, the resolver child's first), the installed
    distributions' metadata directories, whose names carry their versions.

    Installing, removing or upgrading a package changes it; editing an installed
    package's files in place does not.
    """
    digest = hashlib.sha256()
    paths = sysconfig.get_paths()
    libraries = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    for directory in sorted({*libraries, *sys.path, os.getcwd()}):
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            continue
        if directory not in libraries:
            names = [name for name in names if name.endswith((".dist-info", ".egg-info"))]
        digest.update(f"{directory}\0{'/'.join(names)}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _attributes(base: object) -> frozenset[str]:
    """What ``base`` and its instances have: its ``dir`` and every name its MRO defines
    (``dir`` of an enum class lists its members, not ``name`` and ``value``)."""
    mro: tuple[type, ...] = getattr(base, "__mro__", ())
    return frozenset(dir(base)).union(*(vars(k) for k in mro))
