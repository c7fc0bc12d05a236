"""Pass two of name binding: where each binding lives and which bindings each use reads.

Python's rules, as CPython's symbol table applies them:

* A name bound in a function, lambda or comprehension is local to it unless declared
  ``global`` (it then lives in the module) or ``nonlocal`` (it lives in the nearest
  enclosing function that binds it). A walrus in a comprehension binds in the nearest
  enclosing non-comprehension scope.
* A free name is looked up in the enclosing function and comprehension scopes, nearest
  first; class bodies are skipped, except by annotation scopes sitting directly in the
  class (PEP 695); a scope declaring the name ``global`` ends the search at the module.
* Module-level and ``global`` names resolve to the module's bindings, else builtins.
* A module or class body that reads a name before every binding of it in that body
  (``open = open``; ``x = x`` in a class) also reads what the runtime's lookup falls
  back to: globals, then builtins.

Every (scope, name) bound by anything but a ``def``, ``class``, ``import``, parameter or
type parameter gets one VARIABLE; a use reads every binding of its (scope, name): the
VARIABLE and the definitions (flow-insensitive).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Final

from codeanatomy.extract._ast_index import AstIndex
from codeanatomy.resolve._bindings_scopes import ANNOTATION_SCOPES, FileScopes, Scope, Site
from codeanatomy.spans import stable_id

__all__ = [
    "BUILTIN_NAMES",
    "IMPLICIT_CLASS_NAMES",
    "IMPLICIT_MODULE_NAMES",
    "Bindings",
    "Resolution",
    "Target",
    "Variable",
    "bind_file",
    "builtin_id",
]

IMPLICIT_MODULE_NAMES: Final = frozenset(
    {
        "__name__",
        "__doc__",
        "__file__",
        "__spec__",
        "__loader__",
        "__package__",
        "__builtins__",
        "__cached__",
        "__path__",
        "__annotations__",
    }
)
"""Globals the import system (or the compiler) sets in every module."""

IMPLICIT_CLASS_NAMES: Final = frozenset({"__module__", "__qualname__"})
"""Names the compiler binds at the start of every class body."""

_SITE_BUILTINS: Final = frozenset({"copyright", "credits", "exit", "help", "license", "quit"})

BUILTIN_NAMES: Final = (
    frozenset(
        name
        for name in dir(builtins)
        if not name.startswith("_") or name in {"__build_class__", "__debug__", "__import__"}
    )
    | _SITE_BUILTINS
)
"""Names of the ``builtins`` module (with those ``site`` adds), minus module dunders."""

_MODULE: Final = 0
_NAMESPACES: Final = frozenset({"module", "class"})
_UNPACKING: Final = frozenset({"Tuple", "List", "Starred"})
_VALUE_FIRST: Final = frozenset(
    {"assign", "annassign", "augassign", "type_alias", "walrus", "for", "with"}
)
_VARIABLE_KINDS: Final = {
    "module": "module",
    "class": "class_attribute",
    "comprehension": "comprehension",
}


def builtin_id(name: str) -> str:
    """ID of the EXTERNAL node of builtin ``name`` (``builtins.<name>``)."""
    return stable_id("EXTERNAL", f"builtins.{name}")


@dataclass(frozen=True, slots=True)
class Target:
    """A node a name may refer to: its ID and CPG kind."""

    node_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """What one use of a name reads.

    Attributes:
        targets: the bindings it may read (empty when unresolved).
        scope_kind: ``local``, ``enclosing``, ``global``, ``class`` or ``builtin``
            (``None`` when unresolved).
        owner: index of the scope holding the bindings (-1: builtin or unresolved).
        builtin: the builtin's name when it reads a builtin.
        unresolved: a global name bound nowhere in the module and not a builtin.
        star_import_candidate: a global name the module's ``from x import *`` may bind.
        fallback: what a module or class body reads instead when the use comes before
            every binding of the name in that body: the runtime looks the name up in
            the body's namespace, then globals (for a class), then builtins.
    """

    targets: tuple[Target, ...]
    scope_kind: str | None
    owner: int
    builtin: str | None = None
    unresolved: bool = False
    star_import_candidate: bool = False
    fallback: Resolution | None = None


@dataclass(slots=True)
class Variable:
    """A VARIABLE node: one name in one scope, bound by something other than a definition.

    ``first_row`` is the index row of its first binding site (-1 for implicit ones);
    ``kind`` is ``module`` (a module binds it at top level), ``global`` (only functions
    bind it, through ``global``), ``class_attribute``, ``local`` or ``comprehension``.
    """

    node_id: str
    scope: int
    name: str
    kind: str
    first_row: int


@dataclass(slots=True)
class Bindings:
    """Pass two's result for one file.

    Attributes:
        scopes: pass one's scopes.
        variables: VARIABLE nodes in order of creation.
        site_targets: per pass-one site, the node it binds.
        implicit_sites: (scope, name, VARIABLE) of implicit bindings that were read.
        declaration_targets: per declaration, the bindings it names (may be empty).
        resolutions: per use, what it reads.
    """

    scopes: FileScopes
    variables: list[Variable] = field(default_factory=list)
    site_targets: list[Target] = field(default_factory=list)
    implicit_sites: list[tuple[int, str, Target]] = field(default_factory=list)
    declaration_targets: list[tuple[Target, ...]] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)


class _Binder:
    """Owner computation and lookups over one file's scopes, with memoised results."""

    def __init__(self, index: AstIndex, file_id: str, scopes: FileScopes) -> None:
        self.index = index
        self.file_id = file_id
        self.file = scopes
        self.scopes: list[Scope] = scopes.scopes
        self.result = Bindings(scopes)
        self.owned: dict[tuple[int, str], list[Target]] = {}
        self.variable_of: dict[tuple[int, str], Target] = {}
        self.variables: dict[tuple[int, str], Variable] = {}
        self.memo: dict[tuple[int, str], Resolution] = {}
        self.first_binding: dict[tuple[int, str], int] = {}
        """Earliest offset at which a module or class body binds a name (-1: implicit)."""

    def is_local(self, scope: Scope, name: str) -> bool:
        return (
            name in scope.binds
            and name not in scope.global_decl
            and name not in scope.nonlocal_decl
            and name not in scope.passthrough
        )

    def free_owner(self, start: int, name: str) -> int:
        """Scope whose binding a free ``name`` in scope ``start`` reads (module: 0).

        A class reached only through annotation scopes counts; ``__class__`` found past
        a class is that class's implicit cell and returns ``-2 - class scope``.
        """
        scopes = self.scopes
        only_annotation = scopes[start].kind in ANNOTATION_SCOPES
        current = start
        while True:
            outer_index = scopes[current].parent
            if outer_index < 0:
                return _MODULE
            outer = scopes[outer_index]
            if outer.kind == "class":
                # A class's own declarations do not reach into nested scopes.
                if only_annotation and self.is_local(outer, name):
                    return outer_index
                if name == "__class__":
                    return -2 - outer_index
            elif outer.kind == "module" or name in outer.global_decl:
                return _MODULE
            elif self.is_local(outer, name):
                return outer_index
            only_annotation = only_annotation and outer.kind in ANNOTATION_SCOPES
            current = outer_index

    def binding_owner(self, scope_index: int, name: str) -> int:
        """Scope that a binding of ``name`` made in ``scope_index`` lives in."""
        scope = self.scopes[scope_index]
        if scope.kind == "module" or name in scope.global_decl:
            return _MODULE
        if name in scope.nonlocal_decl or name in scope.passthrough:
            owner = self.free_owner(scope_index, name)
            return owner if owner >= 0 else scope_index
        return scope_index

    def variable(self, owner: int, name: str, site: Site | None) -> Target:
        """The VARIABLE of (owner, name), created on first request (``site``: what binds it)."""
        key = (owner, name)
        target = self.variable_of.get(key)
        at_module = site is None or site.bind_scope == _MODULE
        if target is not None:
            if at_module and owner == _MODULE:
                self.variables[key].kind = "module"
            return target
        scope = self.scopes[owner]
        scope_id = self.index.node_id[scope.row]
        discriminator = scope.kind if scope.kind in ANNOTATION_SCOPES else None
        node_id = stable_id(self.file_id, "VARIABLE", scope_id, name, discriminator)
        target = Target(node_id, "VARIABLE")
        self.variable_of[key] = target
        self.owned.setdefault(key, []).append(target)
        kind = _VARIABLE_KINDS.get(scope.kind, "local")
        if scope.kind == "module" and not at_module:
            kind = "global"
        variable = Variable(node_id, owner, name, kind, -1 if site is None else site.row)
        self.variables[key] = variable
        self.result.variables.append(variable)
        return target

    def bind_sites(self) -> None:
        index = self.index
        for site in self.file.sites:
            if site.form == "import_star":
                self.result.site_targets.append(Target(index.node_id[site.row], "IMPORT"))
                continue
            owner = self.binding_owner(site.bind_scope, site.name)
            if owner == site.bind_scope and self.scopes[owner].kind in _NAMESPACES:
                point = _binding_point(index, site)
                key = (owner, site.name)
                if point < self.first_binding.get(key, point + 1):
                    self.first_binding[key] = point
            if site.definition:
                target = Target(index.node_id[site.row], index.kind[site.row])
                self.owned.setdefault((owner, site.name), []).append(target)
            else:
                target = self.variable(owner, site.name, site)
            self.result.site_targets.append(target)

    def bind_declarations(self) -> None:
        for declaration in self.file.declarations:
            if declaration.form == "global_decl":
                owner = _MODULE
            else:
                owner = self.free_owner(declaration.scope, declaration.name)
            targets = self.owned.get((owner, declaration.name), []) if owner >= 0 else []
            self.result.declaration_targets.append(tuple(targets))

    def resolve(self, scope_index: int, name: str) -> Resolution:
        key = (scope_index, name)
        found = self.memo.get(key)
        if found is None:
            found = self._resolve(scope_index, name)
            self.memo[key] = found
        return found

    def _resolve(self, scope_index: int, name: str) -> Resolution:
        scope = self.scopes[scope_index]
        if scope.kind == "module" or name in scope.global_decl:
            return self.resolve_global(name)
        if self.is_local(scope, name):
            scope_kind = "class" if scope.kind == "class" else "local"
            return Resolution(
                tuple(self.owned.get((scope_index, name), ())), scope_kind, scope_index
            )
        if scope.kind == "class" and name in IMPLICIT_CLASS_NAMES and name not in scope.binds:
            target = self.implicit(scope_index, name)
            return Resolution((target,), "class", scope_index)
        owner = self.free_owner(scope_index, name)
        if owner == _MODULE:
            return self.resolve_global(name)
        if owner < -1:
            class_scope = -2 - owner
            row = self.scopes[class_scope].row
            target = Target(self.index.node_id[row], "CLASS")
            return Resolution((target,), "enclosing", class_scope)
        scope_kind = "class" if self.scopes[owner].kind == "class" else "enclosing"
        return Resolution(tuple(self.owned.get((owner, name), ())), scope_kind, owner)

    def resolve_global(self, name: str) -> Resolution:
        targets = self.owned.get((_MODULE, name))
        star = self.file.has_star_import
        if targets:
            return Resolution(tuple(targets), "global", _MODULE)
        if name in BUILTIN_NAMES:
            target = Target(builtin_id(name), "EXTERNAL")
            return Resolution((target,), "builtin", -1, name, False, star)
        if name in IMPLICIT_MODULE_NAMES:
            return Resolution((self.implicit(_MODULE, name),), "global", _MODULE)
        return Resolution((), None, -1, None, True, star)

    def implicit(self, scope_index: int, name: str) -> Target:
        """The VARIABLE of a name the runtime binds implicitly in ``scope_index``."""
        fresh = (scope_index, name) not in self.variable_of
        target = self.variable(scope_index, name, None)
        if fresh:
            self.result.implicit_sites.append((scope_index, name, target))
            self.first_binding[scope_index, name] = -1
        return target

    def with_fallback(self, resolution: Resolution, scope_index: int, name: str) -> Resolution:
        """``resolution`` of a use in a module or class body that may run before its bindings."""
        if self.scopes[scope_index].kind == "class":
            fallback = self.resolve_global(name)
        elif name in BUILTIN_NAMES:
            builtin = Target(builtin_id(name), "EXTERNAL")
            star = self.file.has_star_import
            fallback = Resolution((builtin,), "builtin", -1, name, False, star)
        else:
            return resolution
        if not fallback.targets:
            return resolution
        return Resolution(
            resolution.targets,
            resolution.scope_kind,
            resolution.owner,
            resolution.builtin,
            resolution.unresolved,
            resolution.star_import_candidate,
            fallback,
        )

    def resolve_uses(self) -> None:
        resolve = self.resolve
        scopes = self.scopes
        bstart = self.index.bstart
        first_binding = self.first_binding
        early: dict[tuple[int, str], Resolution] = {}
        resolutions = []
        for use in self.file.uses:
            resolution = resolve(use.scope, use.name)
            if resolution.owner == use.scope and scopes[use.scope].kind in _NAMESPACES:
                key = (use.scope, use.name)
                if bstart[use.row] < first_binding.get(key, bstart[use.row] + 1):
                    found = early.get(key)
                    if found is None:
                        found = early[key] = self.with_fallback(resolution, use.scope, use.name)
                    resolution = found
            resolutions.append(resolution)
        self.result.resolutions = resolutions


def _binding_point(index: AstIndex, site: Site) -> int:
    """Offset after which ``site`` has bound its name (its value is evaluated first)."""
    row = site.row
    form = site.form
    if form in _VALUE_FIRST:
        holder = index.parent[row]
        while index.ast_type[holder] in _UNPACKING:
            holder = index.parent[holder]
        if form == "for":
            return index.bend[index.row(index.nodes[holder].iter)]  # type: ignore[attr-defined]
        return index.bend[holder]
    if form == "except":
        return index.bstart[index.row(index.nodes[row].body[0])]  # type: ignore[attr-defined]
    return index.bend[row]


def bind_file(index: AstIndex, file_id: str, scopes: FileScopes) -> Bindings:
    """Run pass two over pass one's ``scopes`` of the file indexed by ``index``."""
    binder = _Binder(index, file_id, scopes)
    binder.bind_sites()
    binder.bind_declarations()
    binder.resolve_uses()
    return binder.result
