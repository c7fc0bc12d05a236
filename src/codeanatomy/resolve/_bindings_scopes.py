"""Pass one of name binding: one file's scope tree, binding sites, declarations and uses.

:func:`collect_scopes` reads an :class:`~codeanatomy.extract._ast_index.AstIndex` once,
row by row in its pre-order, and places every node in the scope that evaluates it:

* ``module``, ``class``, ``function`` (``def``, ``async def``, ``lambda``);
* ``comprehension`` (list, set, dict comprehensions and generator expressions): all of
  it except the first ``for``'s iterable, which the enclosing scope evaluates;
* ``type_params`` (PEP 695, Python 3.12+): the annotation scope of a generic ``def``,
  ``class`` or ``type`` statement, holding its type parameters, annotations, bases;
* ``annotation``: the lazily evaluated value of a ``type X = ...`` statement.

Decorators and defaults belong to the enclosing scope, parameter annotations and return
annotations to the enclosing scope (or the type-parameter scope of a generic function).
Dispatch is on the ast class name, so the same code reads trees of every Python version.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Final, Literal

from codeanatomy.extract._ast_index import AstIndex
from codeanatomy.extract._scope_nodes import COMPREHENSION_NAMES

__all__ = [
    "ANNOTATION_SCOPES",
    "Declaration",
    "FileScopes",
    "Scope",
    "ScopeKind",
    "Site",
    "Use",
    "collect_scopes",
]

ScopeKind = Literal["module", "class", "function", "comprehension", "type_params", "annotation"]

ANNOTATION_SCOPES: Final = frozenset({"type_params", "annotation"})
"""Scope kinds that see the names of a class they sit directly in (PEP 695)."""

_FUNCTIONS: Final = frozenset({"FunctionDef", "AsyncFunctionDef"})
_COMPREHENSIONS: Final = {ast_type: f"<{name}>" for ast_type, name in COMPREHENSION_NAMES.items()}
_TYPE_PARAMS: Final = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple"})
_SPECIAL_PARENTS: Final = (
    _FUNCTIONS
    | frozenset(_COMPREHENSIONS)
    | frozenset({"Lambda", "ClassDef", "arguments", "arg", "comprehension", "TypeAlias"})
)
_UNPACKING: Final = frozenset({"Tuple", "List", "Starred"})
_STORE_FORMS: Final[dict[tuple[str, str | None], str]] = {
    ("Assign", "targets"): "assign",
    ("AugAssign", "target"): "augassign",
    ("AnnAssign", "target"): "annassign",
    ("For", "target"): "for",
    ("AsyncFor", "target"): "for",
    ("withitem", "optional_vars"): "with",
    ("comprehension", "target"): "comprehension",
    ("NamedExpr", "target"): "walrus",
    ("TypeAlias", "name"): "type_alias",
}


@dataclass(slots=True)
class Scope:
    """One scope of the file.

    Attributes:
        row: index row of the node opening it (the module, def, class, lambda,
            comprehension or ``type`` statement; a generic definition's type-parameter
            scope and its body scope share the definition's row).
        kind: what opens it.
        parent: index of the enclosing scope in :attr:`FileScopes.scopes` (-1: module).
        qualname: dotted name (``pkg.mod.Class.method``, ``pkg.mod.f.<listcomp>``).
        binds: names something binds in this scope's code (before declarations apply).
        global_decl: names declared ``global`` here.
        nonlocal_decl: names declared ``nonlocal`` here.
        passthrough: names a walrus inside this comprehension binds in an outer scope.
    """

    row: int
    kind: ScopeKind
    parent: int
    qualname: str
    binds: set[str] = field(default_factory=set)
    global_decl: set[str] = field(default_factory=set)
    nonlocal_decl: set[str] = field(default_factory=set)
    passthrough: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Site:
    """A place that binds ``name``.

    Attributes:
        row: index row of the binding node (Name, arg, alias, def, class, handler,
            match pattern, type parameter).
        name: the bound name (``*`` for a star import).
        scope: the scope the node sits in.
        bind_scope: the scope the binding is made in before declarations apply (the
            enclosing non-comprehension scope for a walrus, else :attr:`scope`).
        form: ``assign``, ``augassign``, ``annassign``, ``for``, ``with``, ``except``,
            ``match``, ``walrus``, ``comprehension``, ``type_alias``, ``import``,
            ``import_star``, ``def``, ``class``, ``parameter``, ``type_param``, ``del``.
        definition: the node is itself the binding target (def, class, import,
            parameter, type parameter) rather than a site of a VARIABLE.
    """

    row: int
    name: str
    scope: int
    bind_scope: int
    form: str
    definition: bool


@dataclass(frozen=True, slots=True)
class Use:
    """A read of ``name``: a Name in Load or Del context, or an augmented-assignment target."""

    row: int
    name: str
    scope: int
    kind: Literal["load", "del", "augassign"]


@dataclass(frozen=True, slots=True)
class Declaration:
    """One name of a ``global`` or ``nonlocal`` statement at index row ``row``."""

    row: int
    name: str
    scope: int
    form: Literal["global_decl", "nonlocal_decl"]


@dataclass(slots=True)
class FileScopes:
    """Everything pass one finds, in index (source) order."""

    scopes: list[Scope]
    sites: list[Site] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    has_star_import: bool = False


def collect_scopes(index: AstIndex) -> FileScopes:
    """Walk ``index`` once and return its scopes, binding sites, declarations and uses."""
    types = index.ast_type
    parents = index.parent
    nodes = index.nodes
    scopes = [Scope(0, "module", -1, index.qualname[0] or "")]
    out = FileScopes(scopes)
    count = len(nodes)
    scope_of = [0] * count
    inner: dict[int, int] = {}
    type_scope: dict[int, int] = {}
    for row in range(1, count):
        parent = parents[row]
        parent_type = types[parent]
        if parent_type in _SPECIAL_PARENTS:
            scope = _child_scope(index, row, parent, parent_type, scope_of, inner, type_scope)
        else:
            scope = scope_of[parent]
        scope_of[row] = scope
        node_type = types[row]
        if node_type == "Name":
            _name(index, out, row, scope)
        elif node_type == "arg":
            _site(out, row, nodes[row].arg, scope, "parameter", True)  # type: ignore[attr-defined]
        elif node_type == "alias":
            _alias(index, out, row, scope)
        elif node_type in _FUNCTIONS or node_type == "ClassDef":
            form = "class" if node_type == "ClassDef" else "def"
            _site(out, row, nodes[row].name, scope, form, True)  # type: ignore[attr-defined]
            kind: ScopeKind = "class" if node_type == "ClassDef" else "function"
            _open(index, out, row, scope, kind, inner, type_scope)
        elif node_type == "Lambda":
            _open(index, out, row, scope, "function", inner, type_scope)
        elif node_type in _COMPREHENSIONS:
            qualname = f"{scopes[scope].qualname}.{_COMPREHENSIONS[node_type]}"
            inner[row] = _new_scope(out, Scope(row, "comprehension", scope, qualname))
        elif node_type == "TypeAlias":
            _open(index, out, row, scope, "annotation", inner, type_scope)
        elif node_type == "Global" or node_type == "Nonlocal":
            _declare(out, row, nodes[row], scope, node_type == "Global")  # type: ignore[arg-type]
        elif node_type == "ExceptHandler":
            handler_name = nodes[row].name  # type: ignore[attr-defined]
            if handler_name:
                _site(out, row, handler_name, scope, "except", False)
        elif node_type == "MatchAs" or node_type == "MatchStar":
            capture = nodes[row].name  # type: ignore[attr-defined]
            if capture:
                _site(out, row, capture, scope, "match", False)
        elif node_type == "MatchMapping":
            rest = nodes[row].rest  # type: ignore[attr-defined]
            if rest:
                _site(out, row, rest, scope, "match", False)
        elif node_type in _TYPE_PARAMS:
            _site(out, row, nodes[row].name, scope, "type_param", True)  # type: ignore[attr-defined]
    return out


def _child_scope(
    index: AstIndex,
    row: int,
    parent: int,
    parent_type: str,
    scope_of: list[int],
    inner: dict[int, int],
    type_scope: dict[int, int],
) -> int:
    """Scope of ``row``, a child of a node that opens a scope or evaluates parts outside it."""
    field_name = index.field_name[row]
    if parent_type in _FUNCTIONS or parent_type == "ClassDef":
        if field_name == "body" or field_name == "args":
            return inner[parent]
        if field_name == "decorator_list":
            return scope_of[parent]
        # returns, type_params; bases and keywords of a class
        return type_scope.get(parent, scope_of[parent])
    if parent_type == "Lambda" or parent_type in _COMPREHENSIONS:
        return inner[parent]
    if parent_type == "arguments":
        if field_name == "defaults" or field_name == "kw_defaults":
            return scope_of[index.parent[parent]]
        return scope_of[parent]
    if parent_type == "arg":
        function = index.parent[index.parent[parent]]
        return type_scope.get(function, scope_of[function])
    if parent_type == "comprehension":
        if field_name == "iter" and index.idx[parent] == 0:
            return scope_of[index.parent[parent]]
        return scope_of[parent]
    # TypeAlias: the name is bound outside, parameters and value in their own scopes.
    if field_name == "value":
        return inner[parent]
    if field_name == "type_params":
        return type_scope.get(parent, scope_of[parent])
    return scope_of[parent]


def _new_scope(out: FileScopes, scope: Scope) -> int:
    out.scopes.append(scope)
    return len(out.scopes) - 1


def _open(
    index: AstIndex,
    out: FileScopes,
    row: int,
    scope: int,
    kind: ScopeKind,
    inner: dict[int, int],
    type_scope: dict[int, int],
) -> None:
    """Open the body scope of a definition, inside its type-parameter scope if generic."""
    node = index.nodes[row]
    if kind == "annotation":
        qualname = f"{out.scopes[scope].qualname}.{node.name.id}"  # type: ignore[attr-defined]
    else:
        qualname = index.qualname[row] or out.scopes[scope].qualname
    body_parent = scope
    if getattr(node, "type_params", None):
        body_parent = _new_scope(out, Scope(row, "type_params", scope, qualname))
        type_scope[row] = body_parent
    inner[row] = _new_scope(out, Scope(row, kind, body_parent, qualname))


def _site(out: FileScopes, row: int, name: str, scope: int, form: str, definition: bool) -> None:
    out.sites.append(Site(row, name, scope, scope, form, definition))
    out.scopes[scope].binds.add(name)


def _name(index: AstIndex, out: FileScopes, row: int, scope: int) -> None:
    name: str = index.nodes[row].id  # type: ignore[attr-defined]
    ctx = index.ctx[row]
    if ctx == "Load":
        out.uses.append(Use(row, name, scope, "load"))
        return
    if ctx == "Del":
        out.uses.append(Use(row, name, scope, "del"))
        _site(out, row, name, scope, "del", False)
        return
    form = _store_form(index, row)
    if form is None:
        return
    if form == "augassign":
        out.uses.append(Use(row, name, scope, "augassign"))
    bind_scope = scope
    if form == "walrus":
        scopes = out.scopes
        while scopes[bind_scope].kind == "comprehension":
            scopes[bind_scope].passthrough.add(name)
            bind_scope = scopes[bind_scope].parent
    out.sites.append(Site(row, name, scope, bind_scope, form, False))
    out.scopes[bind_scope].binds.add(name)


def _store_form(index: AstIndex, row: int) -> str | None:
    """How a Name in Store context is bound, from the statement holding it.

    ``None`` for the target of ``(x): int``: a parenthesised annotation target without
    a value neither binds nor reads the name.
    """
    types = index.ast_type
    field_name = index.field_name[row]
    holder = index.parent[row]
    while types[holder] in _UNPACKING:
        field_name = index.field_name[holder]
        holder = index.parent[holder]
    form = _STORE_FORMS.get((types[holder], field_name), "assign")
    if form == "annassign":
        statement: ast.AnnAssign = index.nodes[holder]  # type: ignore[assignment]
        if not statement.simple and statement.value is None:
            return None
    return form


def _alias(index: AstIndex, out: FileScopes, row: int, scope: int) -> None:
    alias: ast.alias = index.nodes[row]  # type: ignore[assignment]
    if alias.name == "*":
        out.has_star_import = True
        out.sites.append(Site(row, "*", scope, scope, "import_star", True))
        return
    if alias.asname:
        bound = alias.asname
    elif index.ast_type[index.parent[row]] == "Import":
        bound = alias.name.partition(".")[0]
    else:
        bound = alias.name
    _site(out, row, bound, scope, "import", True)


def _declare(
    out: FileScopes, row: int, node: ast.Global | ast.Nonlocal, scope: int, is_global: bool
) -> None:
    target = out.scopes[scope]
    for name in node.names:
        if is_global:
            target.global_decl.add(name)
            out.declarations.append(Declaration(row, name, scope, "global_decl"))
        else:
            target.nonlocal_decl.add(name)
            out.declarations.append(Declaration(row, name, scope, "nonlocal_decl"))
