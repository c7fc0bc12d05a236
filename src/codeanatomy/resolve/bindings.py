"""Name bindings of one file: VARIABLE nodes, binding sites and what every name use reads.

Per-file work for the workers, next to the evidence layers. :func:`extract_bindings`
reads the shared ast index (:func:`~codeanatomy.extract._ast_index.ast_index_of`, so
node IDs agree with the ast layer) and fills three tables, written under
``resolve/<name>``:

* ``variables``: one VARIABLE per (scope, name) bound by anything other than a
  ``def``, ``class``, ``import``, parameter or type parameter.
* ``binding_sites``: every node that binds a name (a Name in Store context, a
  parameter, an import alias, a definition, an ``except ... as``, a match capture, a
  type parameter, a ``del``) and every ``global``/``nonlocal`` declaration, with the
  VARIABLE or definition node it binds.
* ``name_refs``: every Name read (Load and Del context, and augmented-assignment
  targets) with each binding it may read: the REFERS_TO edges. Builtins point at the
  EXTERNAL node ``builtins.<name>``; a global name bound nowhere in the module is
  ``unresolved``, and a ``star_import_candidate`` when the module has a star import.

Scoping follows Python (see :mod:`codeanatomy.resolve._bindings_resolve`); it is checked
against CPython's ``symtable`` in the tests.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

from codeanatomy.extract._ast_index import AstIndex, ast_index_of
from codeanatomy.extract._base import FileError, LayerOutput
from codeanatomy.resolve._bindings_resolve import Bindings, Resolution, bind_file
from codeanatomy.resolve._bindings_scopes import collect_scopes
from codeanatomy.schema import TableSpec
from codeanatomy.source import SourceFile

__all__ = [
    "BINDING_SITES",
    "BINDING_TABLES",
    "NAME_REFS",
    "VARIABLES",
    "extract_bindings",
]

VARIABLES: Final = TableSpec(
    "variables",
    version=1,
    schema=pa.schema(
        [
            ("file_id", pa.string()),
            ("node_id", pa.string()),
            ("scope_node_id", pa.string()),
            ("scope_kind", pa.string()),
            ("name", pa.string()),
            ("qualname", pa.string()),
            ("binding_kind", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("line", pa.int64()),
            ("col", pa.int64()),
        ]
    ),
    location="resolve/variables",
)
"""VARIABLE nodes. ``node_id = stable_id(file_id, "VARIABLE", scope_node_id, name)``.

``scope_node_id`` is the MODULE, CLASS or FUNCTION node, or the comprehension's ast
node; ``binding_kind`` is ``module`` (bound at module level), ``global`` (bound only by
functions declaring it ``global``), ``class_attribute``, ``local`` or ``comprehension``.
The span is the first binding site's; it is null for names the runtime binds
implicitly (``__name__``, ``__file__``, ...; a class body's ``__module__``,
``__qualname__``), which get a VARIABLE only when read.
"""

BINDING_SITES: Final = TableSpec(
    "binding_sites",
    version=1,
    schema=pa.schema(
        [
            ("file_id", pa.string()),
            ("site_node_id", pa.string()),
            ("name", pa.string()),
            ("scope_node_id", pa.string()),
            ("scope_kind", pa.string()),
            ("form", pa.string()),
            ("target_node_id", pa.string()),
            ("target_kind", pa.string()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("line", pa.int64()),
            ("col", pa.int64()),
        ]
    ),
    location="resolve/binding_sites",
)
"""Binding sites. ``site_node_id`` is the binding ast node: a Name (Store or Del), an
arg (PARAMETER), an alias (IMPORT), a def/class, an ExceptHandler, a MatchAs/MatchStar/
MatchMapping pattern, a type parameter, or the Global/Nonlocal statement (then one row
per target binding, and a null target when the name is bound nowhere). ``scope_node_id``
is the scope the site sits in (for a walrus in a comprehension, the comprehension);
``target_node_id`` the VARIABLE or definition bound, in the scope Python puts it.
``form``: assign, augassign, annassign, for, with, except, match, walrus,
comprehension, type_alias, import, import_star (name ``*``), def, class, parameter,
type_param, del, global_decl, nonlocal_decl, implicit (span null; the site is the
MODULE or CLASS node).
"""

NAME_REFS: Final = TableSpec(
    "name_refs",
    version=1,
    schema=pa.schema(
        [
            ("file_id", pa.string()),
            ("use_node_id", pa.string()),
            ("name", pa.string()),
            ("use_kind", pa.string()),
            ("scope_node_id", pa.string()),
            ("scope_kind", pa.string()),
            ("target_node_id", pa.string()),
            ("target_kind", pa.string()),
            ("target_scope", pa.string()),
            ("target_scope_node_id", pa.string()),
            ("is_builtin", pa.bool_()),
            ("builtin_name", pa.string()),
            ("unresolved", pa.bool_()),
            ("star_import_candidate", pa.bool_()),
            ("bstart", pa.int64()),
            ("bend", pa.int64()),
            ("line", pa.int64()),
            ("col", pa.int64()),
        ]
    ),
    location="resolve/name_refs",
)
"""REFERS_TO facts: one row per (NAME use, binding it may read).

``use_kind`` is ``load``, ``del`` or ``augassign`` (``x += 1`` reads ``x``).
``target_kind`` is VARIABLE, FUNCTION, CLASS, PARAMETER, IMPORT, EXTERNAL (a builtin,
``target_node_id = stable_id("EXTERNAL", "builtins.<name>")``) or AST (a PEP 695 type
parameter). ``target_scope`` is ``local``, ``enclosing``, ``global``, ``class`` or
``builtin`` and ``target_scope_node_id`` the scope holding the binding. An unresolved
use has one row with null target; ``star_import_candidate`` marks global names a
``from x import *`` of the module may bind (also set on builtins it may shadow). A use
in a module or class body before every binding of its name there has extra rows for
the globals or builtins the lookup falls back to.
"""

BINDING_TABLES: Final = (VARIABLES, BINDING_SITES, NAME_REFS)
"""The tables :func:`extract_bindings` fills, in output order."""

_LAYER: Final = "bindings"


def extract_bindings(source: SourceFile) -> LayerOutput:
    """Bind every name of ``source`` by Python's scoping rules.

    Args:
        source: the file; its ast index is shared with the other layers.

    Returns:
        The three :data:`BINDING_TABLES` by name; a file that does not parse gives
        empty tables and one :class:`FileError` of layer ``bindings``.
    """
    try:
        index = ast_index_of(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError) as exc:
        error = FileError.from_exception(source.path, _LAYER, exc)
        return LayerOutput({spec.name: spec.empty() for spec in BINDING_TABLES}, (error,))
    bindings = bind_file(index, source.file_id, collect_scopes(index))
    return LayerOutput(
        {
            VARIABLES.name: _variables(source, index, bindings),
            BINDING_SITES.name: _binding_sites(source, index, bindings),
            NAME_REFS.name: _name_refs(source, index, bindings),
        }
    )


def _variables(source: SourceFile, index: AstIndex, bindings: Bindings) -> pa.Table:
    scopes = bindings.scopes.scopes
    node_ids = index.node_id
    columns = VARIABLES.column_lists(without=("file_id",))
    for variable in bindings.variables:
        scope = scopes[variable.scope]
        row = variable.first_row
        columns["node_id"].append(variable.node_id)
        columns["scope_node_id"].append(node_ids[scope.row])
        columns["scope_kind"].append(scope.kind)
        columns["name"].append(variable.name)
        columns["qualname"].append(f"{scope.qualname}.{variable.name}")
        columns["binding_kind"].append(variable.kind)
        columns["bstart"].append(index.bstart[row] if row >= 0 else None)
        columns["bend"].append(index.bend[row] if row >= 0 else None)
        columns["line"].append(index.line[row] if row >= 0 else None)
        columns["col"].append(index.col[row] if row >= 0 else None)
    return VARIABLES.from_columns(columns, {"file_id": source.file_id})


def _binding_sites(source: SourceFile, index: AstIndex, bindings: Bindings) -> pa.Table:
    file_scopes = bindings.scopes
    scopes = file_scopes.scopes
    node_ids = index.node_id
    columns = BINDING_SITES.column_lists(without=("file_id",))

    def add(row: int, name: str, scope: int, form: str, target: object, kind: object) -> None:
        columns["site_node_id"].append(node_ids[row])
        columns["name"].append(name)
        columns["scope_node_id"].append(node_ids[scopes[scope].row])
        columns["scope_kind"].append(scopes[scope].kind)
        columns["form"].append(form)
        columns["target_node_id"].append(target)
        columns["target_kind"].append(kind)
        spanned = form != "implicit"
        columns["bstart"].append(index.bstart[row] if spanned else None)
        columns["bend"].append(index.bend[row] if spanned else None)
        columns["line"].append(index.line[row] if spanned else None)
        columns["col"].append(index.col[row] if spanned else None)

    for site, target in zip(file_scopes.sites, bindings.site_targets, strict=True):
        add(site.row, site.name, site.scope, site.form, target.node_id, target.kind)
    declarations = zip(file_scopes.declarations, bindings.declaration_targets, strict=True)
    for declaration, targets in declarations:
        if not targets:
            add(declaration.row, declaration.name, declaration.scope, declaration.form, None, None)
        for target in targets:
            add(
                declaration.row,
                declaration.name,
                declaration.scope,
                declaration.form,
                target.node_id,
                target.kind,
            )
    for scope, name, target in bindings.implicit_sites:
        add(scopes[scope].row, name, scope, "implicit", target.node_id, target.kind)
    return BINDING_SITES.from_columns(columns, {"file_id": source.file_id})


def _name_refs(source: SourceFile, index: AstIndex, bindings: Bindings) -> pa.Table:
    scopes = bindings.scopes.scopes
    node_ids = index.node_id
    bstart, bend, line, col = index.bstart, index.bend, index.line, index.col
    use_node_id: list[str] = []
    name: list[str] = []
    use_kind: list[str] = []
    scope_node_id: list[str] = []
    scope_kind: list[str] = []
    target_node_id: list[str | None] = []
    target_kind: list[str | None] = []
    target_scope: list[str | None] = []
    target_scope_node_id: list[str | None] = []
    is_builtin: list[bool] = []
    builtin_name: list[str | None] = []
    unresolved: list[bool] = []
    star: list[bool] = []
    spans: list[int] = []
    for use, first in zip(bindings.scopes.uses, bindings.resolutions, strict=True):
        scope = scopes[use.scope]
        resolution: Resolution | None = first
        while resolution is not None:
            owner = node_ids[scopes[resolution.owner].row] if resolution.owner >= 0 else None
            for target in resolution.targets or (None,):
                use_node_id.append(node_ids[use.row])
                name.append(use.name)
                use_kind.append(use.kind)
                scope_node_id.append(node_ids[scope.row])
                scope_kind.append(scope.kind)
                target_node_id.append(target.node_id if target is not None else None)
                target_kind.append(target.kind if target is not None else None)
                target_scope.append(resolution.scope_kind)
                target_scope_node_id.append(owner)
                is_builtin.append(resolution.builtin is not None)
                builtin_name.append(resolution.builtin)
                unresolved.append(resolution.unresolved)
                star.append(resolution.star_import_candidate)
                spans.append(use.row)
            resolution = resolution.fallback
    return NAME_REFS.from_columns(
        {
            "use_node_id": use_node_id,
            "name": name,
            "use_kind": use_kind,
            "scope_node_id": scope_node_id,
            "scope_kind": scope_kind,
            "target_node_id": target_node_id,
            "target_kind": target_kind,
            "target_scope": target_scope,
            "target_scope_node_id": target_scope_node_id,
            "is_builtin": is_builtin,
            "builtin_name": builtin_name,
            "unresolved": unresolved,
            "star_import_candidate": star,
            "bstart": [bstart[row] for row in spans],
            "bend": [bend[row] for row in spans],
            "line": [line[row] for row in spans],
            "col": [col[row] for row in spans],
        },
        {"file_id": source.file_id},
    )
