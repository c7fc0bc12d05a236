"""Module resolution: every import to a repository module, a definition, or an external module.

Reads the per-file :class:`~codeanatomy.resolve.facts.ModuleFacts` and builds three
Arrow tables, ``modules`` (every importable name: the scanned modules, their
``src/``/extra-root aliases and namespace packages), ``module_globals`` (names each
module binds) and ``import_requests`` (each import's absolute base module and name,
relative levels already applied). One DataFusion query joins the requests against
the other two, so which ``from m import n`` names a definition and which a submodule
is decided relationally; the result feeds the solver and the ``resolved_imports`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import datafusion
import pyarrow as pa

from codeanatomy.resolve.facts import ImportFact, ModuleFacts

__all__ = ["ImportTarget", "ModuleIndex", "resolve_imports"]


@dataclass(frozen=True, slots=True)
class ImportTarget:
    """Where one import points.

    Attributes:
        base: the repository module (canonical name) the import names, if any.
        external: the external qualified name when the base is outside the repository.
        kind: ``MODULE``, ``DEFINITION`` or ``EXTERNAL`` (for the ``resolved_imports`` table).
        target_module: for ``from m import n`` naming a submodule, that submodule.
        name: the imported name of a ``from`` import.
        bound: for a DEFINITION, whether the module binds the name itself (else it can
            only come from a star import or be set dynamically).
    """

    base: str | None
    external: str | None
    kind: str
    target_module: str | None
    name: str | None
    bound: bool = True


def _module_from_path(path: str) -> str | None:
    parts = path.split("/")
    last = parts[-1]
    for suffix in (".pyi", ".py"):
        if last.endswith(suffix):
            last = last[: -len(suffix)]
            break
    else:
        return None
    parts[-1] = last
    if last == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


class ModuleIndex:
    """The repository's importable module names.

    Args:
        facts: every file's facts.
        extra_roots: repository-relative directories that are also import roots
            (``src`` is always one).
    """

    def __init__(self, facts: Sequence[ModuleFacts], extra_roots: Sequence[str] = ()) -> None:
        self.by_module: dict[str, ModuleFacts] = {}
        for item in facts:
            # A stub and its module share a name: keep the .py (deterministically).
            previous = self.by_module.get(item.module)
            if previous is None or (previous.path.endswith(".pyi") and item.path.endswith(".py")):
                self.by_module[item.module] = item
        self.alias: dict[str, str] = {name: name for name in self.by_module}
        roots = sorted({r.strip("/") for r in (*extra_roots, "src") if r.strip("/")})
        for item in self.by_module.values():
            for root in roots:
                if item.path.startswith(root + "/"):
                    name = _module_from_path(item.path[len(root) + 1 :])
                    if name and name not in self.alias:
                        self.alias[name] = item.module
        self.namespace: set[str] = set()
        for name in list(self.alias):
            parts = name.split(".")
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                if prefix not in self.alias:
                    self.namespace.add(prefix)
        for prefix in self.namespace:
            self.alias[prefix] = prefix

    def canonical(self, name: str) -> str | None:
        """Canonical module name an import of ``name`` loads, or None when not in the repo."""
        return self.alias.get(name)

    def facts_of(self, module: str) -> ModuleFacts | None:
        """Facts of a canonical module (None for namespace packages)."""
        return self.by_module.get(module)

    def is_repo_top(self, name: str) -> bool:
        """True when the top-level package of ``name`` belongs to the repository."""
        return name.split(".", 1)[0] in self.alias


def absolute_base(item: ModuleFacts, imp: ImportFact) -> str | None:
    """The absolute module an import names (relative levels applied), or None if impossible."""
    if imp.level == 0:
        return imp.module
    package = item.module.split(".") if item.is_package else item.module.split(".")[:-1]
    if imp.level - 1 > len(package):
        return None
    base = package[: len(package) - (imp.level - 1)]
    if imp.module:
        base = [*base, *imp.module.split(".")]
    return ".".join(base) if base else None


def resolve_imports(facts: Sequence[ModuleFacts], index: ModuleIndex) -> dict[str, ImportTarget]:
    """Resolve every import of ``facts`` (keyed by import node ID)."""
    request_cols: dict[str, list[object]] = {"import_node_id": [], "base": [], "name": []}
    for item in facts:
        for imp in item.imports:
            request_cols["import_node_id"].append(imp.node_id)
            request_cols["base"].append(absolute_base(item, imp))
            request_cols["name"].append(imp.name)
    aliases = sorted(index.alias.items())
    modules = pa.table({"module": [a for a, _ in aliases], "canonical": [c for _, c in aliases]})
    global_cols: dict[str, list[str]] = {"module": [], "name": []}
    for module, item in sorted(index.by_module.items()):
        for name in sorted(item.global_names):
            global_cols["module"].append(module)
            global_cols["name"].append(name)
    ctx = datafusion.SessionContext()
    ctx.from_arrow(pa.table(request_cols, schema=pa.schema([("import_node_id", pa.string()), ("base", pa.string()), ("name", pa.string())])), "import_requests")
    ctx.from_arrow(modules, "modules")
    ctx.from_arrow(pa.table(global_cols, schema=pa.schema([("module", pa.string()), ("name", pa.string())])), "module_globals")
    joined = ctx.sql(
        """
        SELECT r.import_node_id, r.base, r.name,
               m.canonical AS base_module,
               s.canonical AS sub_module,
               g.name IS NOT NULL AS defines
        FROM import_requests r
        LEFT JOIN modules m ON m.module = r.base
        LEFT JOIN modules s ON s.module = concat(r.base, '.', r.name)
        LEFT JOIN module_globals g ON g.module = m.canonical AND g.name = r.name
        """
    ).to_arrow_table()
    out: dict[str, ImportTarget] = {}
    cols = {name: joined.column(name).to_pylist() for name in joined.column_names}
    for node, base, name, base_module, sub_module, defines in zip(
        cols["import_node_id"], cols["base"], cols["name"], cols["base_module"], cols["sub_module"], cols["defines"], strict=True
    ):
        if base_module is None:
            external = base if base else None
            if external is not None and index.is_repo_top(external):
                external = None
            out[node] = ImportTarget(None, external, "EXTERNAL", None, name)
        elif name is None or name == "*":
            out[node] = ImportTarget(base_module, None, "MODULE", base_module, name)
        elif sub_module is not None:
            # Importing a submodule sets it as the package's attribute: a module wins
            # over a same-named global (usually that global *is* the import).
            out[node] = ImportTarget(base_module, None, "MODULE", sub_module, name)
        else:
            out[node] = ImportTarget(base_module, None, "DEFINITION", None, name, bool(defines))
    return out
