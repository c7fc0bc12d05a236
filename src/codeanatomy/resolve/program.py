"""Whole-program resolution: facts of every file in, the resolution tables out.

:func:`resolve_program` runs module resolution (:mod:`.modules`, a DataFusion join),
the points-to fixpoint (:mod:`.solver`), the class hierarchy (:mod:`.hierarchy`) and
writes the tables declared in :mod:`.tables`.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy.deep_stack import run_with_deep_stack
from codeanatomy.extract._base import FileError
from codeanatomy.resolve import tables as T
from codeanatomy.resolve.bounded import bounded_values
from codeanatomy.resolve.closures import original_id
from codeanatomy.resolve.environment import BUILTIN_TYPE_PYCG, PythonEnvironment
from codeanatomy.resolve.facts import ModuleFacts
from codeanatomy.resolve.modules import ImportTarget, ModuleIndex, resolve_imports
from codeanatomy.resolve.solver import Solver, Value
from codeanatomy.spans import stable_id

__all__ = ["ResolveResult", "external_id", "resolve_program", "solve_program"]


@dataclass(frozen=True, slots=True)
class ResolveResult:
    """What resolution produced.

    Attributes:
        tables: the tables of :data:`codeanatomy.resolve.tables.RESOLVE_TABLES`, by name.
        errors: per-file problems (layer ``resolve``).
        complete: false when resolution itself failed (its tables are then empty and
            one error row says why).
    """

    tables: dict[str, pa.Table] = field(default_factory=dict)
    errors: tuple[FileError, ...] = ()
    complete: bool = True


def external_id(qualname: str) -> str:
    """Stable ID of the EXTERNAL node of ``qualname`` (``builtins.len``, ``os.path.join``)."""
    return stable_id("EXTERNAL", qualname)


class _Externals:
    def __init__(self, env: PythonEnvironment) -> None:
        self.env = env
        self.rows: dict[str, tuple[str, str, str | None, str]] = {}
        self._seen: dict[Value, tuple[str, str, str] | None] = {}

    def add(self, value: Value) -> tuple[str, str, str] | None:
        """(external_id, qualname, pycg name) of an external value, registering it."""
        if value not in self._seen:
            self._seen[value] = self._register(value)
        return self._seen[value]

    def _register(self, value: Value) -> tuple[str, str, str] | None:
        tag = value[0]
        if tag == "X":
            qualname = pycg = value[1]
        elif tag == "BI":
            qualname, pycg = f"builtins.{value[1]}", f"<builtin>.{value[1]}"
        elif tag == "BM":
            qualname = f"builtins.{value[1]}.{value[2]}"
            pycg = f"<**{BUILTIN_TYPE_PYCG[value[1]]}**>.{value[2]}"
        else:
            return None
        ext = external_id(qualname)
        known = self.rows.get(ext)
        if known is None:
            origin, dist = self.env.origin(qualname)
            self.rows[ext] = (qualname, origin, dist, pycg)
        elif pycg < known[3]:
            # ``builtins.len`` is met as a builtin and as an attribute of the module:
            # the row keeps the lesser PyCG name, whichever came first.
            self.rows[ext] = (*known[:3], pycg)
        return ext, qualname, pycg

    def table(self) -> pa.Table:
        keys = sorted(self.rows)
        return T.EXTERNAL_SYMBOLS.from_columns(
            {
                "external_id": keys,
                "qualname": [self.rows[k][0] for k in keys],
                "origin": [self.rows[k][1] for k in keys],
                "distribution": [self.rows[k][2] for k in keys],
                "pycg_name": [self.rows[k][3] for k in keys],
            }
        )


def resolve_program(
    facts: Sequence[ModuleFacts],
    *,
    extra_roots: Sequence[str] = (),
    python: PythonEnvironment | None = None,
) -> ResolveResult:
    """Resolve imports, hierarchy and calls of a whole program.

    Args:
        facts: :func:`codeanatomy.resolve.facts.collect_facts` of every file.
        extra_roots: repository-relative directories that are import roots too
            (``src`` always is).
        python: the interpreter snapshot; the running interpreter's when omitted.

    Returns:
        The tables and the per-file errors.
    """
    return solve_program(facts, extra_roots=extra_roots, python=python)[0]


def solve_program(
    facts: Sequence[ModuleFacts],
    *,
    extra_roots: Sequence[str] = (),
    python: PythonEnvironment | None = None,
) -> tuple[ResolveResult, Solver]:
    """:func:`resolve_program`, also returning the solver that found the result.

    Freeing the solver's millions of sets and tuples takes seconds; a process that
    exits right after the result is written (the resolver child) keeps the solver and
    never frees it.
    """
    # The solver allocates millions of long-lived sets and tuples and frees almost
    # no cycles: the cyclic collector would only re-traverse them, over and over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return run_with_deep_stack(_resolve, facts, extra_roots, python)
    finally:
        if collecting:
            gc.enable()


def _resolve(
    facts: Sequence[ModuleFacts], extra_roots: Sequence[str], python: PythonEnvironment | None
) -> tuple[ResolveResult, Solver]:
    env = python or PythonEnvironment.current()
    ordered = sorted(facts, key=lambda f: f.path)
    index = ModuleIndex(ordered, extra_roots)
    imports = resolve_imports(ordered, index)
    solver = Solver(ordered, index, imports, env)
    solver.solve()
    externals = _Externals(env)
    names = _Names(solver)
    tables = {
        T.CALL_EDGES.name: _call_edges(solver, externals, names),
        T.RESOLVED_IMPORTS.name: _resolved_imports(ordered, solver, imports, externals),
        T.PARAMETER_BINDINGS.name: _parameter_bindings(solver),
        T.ATTRIBUTE_TARGETS.name: _attribute_targets(solver),
        T.CALLGRAPH_NODES.name: _callgraph_nodes(ordered, solver),
        T.BOUNDED_VALUES.name: bounded_values(solver),
    }
    tables[T.CLASS_BASES.name], tables[T.CLASS_MRO.name], tables[T.METHOD_OVERRIDES.name] = _hierarchy(solver, externals, names)
    tables[T.EXTERNAL_SYMBOLS.name] = externals.table()
    errors = [e for f in ordered for e in f.errors]
    errors.extend(solver.errors)
    result = ResolveResult(tables={spec.name: tables[spec.name] for spec in T.RESOLVE_TABLES}, errors=tuple(errors))
    return result, solver


class _Names:
    def __init__(self, solver: Solver) -> None:
        self.solver = solver

    def of(self, node_id: str) -> str:
        if node_id in self.solver.funcs:
            return self.solver.funcs[node_id].qualname
        if node_id in self.solver.classes:
            return self.solver.classes[node_id].qualname
        return self.solver.module_names.get(node_id, node_id)


def _call_edges(solver: Solver, externals: _Externals, names: _Names) -> pa.Table:
    # A million edges: their keys are transposed at C speed, each distinct callee and
    # caller is described once, and the rest is Arrow.
    found = solver.edges
    if not found:
        return T.CALL_EDGES.empty()
    calls, callers, callees, vias = zip(*found, strict=True)
    distinct = list(dict.fromkeys(callees))
    described: list[tuple[str, str | None, str | None, str | None] | None] = []
    for callee in distinct:
        if callee[0] == "F":
            described.append(("FUNCTION", callee[1], None, names.of(callee[1])))
        elif callee[0] == "C":
            described.append(("CLASS", callee[1], None, None))
        else:
            registered = externals.add(callee)
            described.append(None if registered is None else ("EXTERNAL", None, registered[0], registered[2]))
    position = {callee: i for i, callee in enumerate(distinct)}
    callee_index = pa.array([position[callee] for callee in callees], pa.int32())
    edges = pa.table(
        {
            "call_node_id": pa.array(calls, pa.string()),
            "caller_node_id": pa.array(callers, pa.string()),
            "callee_index": callee_index,
            "via": pa.array(vias, pa.string()),
            "method": pa.array(found.values(), pa.string()),
            "to_class": pa.array([callee[0] == "C" for callee in distinct]).take(callee_index),
        }
    )
    # Confidence: 1 / the number of edges from the same call and caller to anything but
    # a class (dropped externals included); 1 for a class.
    fanout = (
        edges.filter(pc.invert(edges.column("to_class")))
        .group_by(["call_node_id", "caller_node_id"])
        .aggregate([([], "count_all")])
    )
    edges = edges.join(fanout, ["call_node_id", "caller_node_id"], join_type="left outer")
    edges = edges.filter(pa.array([info is not None for info in described]).take(edges.column("callee_index")))
    counts = edges.column("count_all").fill_null(1)
    count_values = pc.unique(counts)
    shares = pa.array([round(1.0 / n, 4) for n in count_values.to_pylist()], pa.float64())
    confidence = pc.if_else(edges.column("to_class"), 1.0, shares.take(pc.index_in(counts, count_values)))
    index = edges.column("callee_index")

    def described_column(field: int) -> pa.ChunkedArray:
        values = pa.array([None if info is None else info[field] for info in described], pa.string())
        return values.take(index)

    caller_ids = pc.unique(edges.column("caller_node_id"))
    caller_names = pa.array([names.of(caller) for caller in caller_ids.to_pylist()], pa.string())
    return _sorted(
        pa.Table.from_arrays(
            [
                edges.column("call_node_id"),
                edges.column("caller_node_id"),
                described_column(1),
                described_column(2),
                described_column(0),
                edges.column("via"),
                edges.column("method"),
                confidence,
                caller_names.take(pc.index_in(edges.column("caller_node_id"), caller_ids)),
                described_column(3),
            ],
            schema=T.CALL_EDGES.schema,
        )
    )


def _resolved_imports(
    facts: Sequence[ModuleFacts],
    solver: Solver,
    imports: dict[str, ImportTarget],
    externals: _Externals,
) -> pa.Table:
    cols = T.RESOLVED_IMPORTS.column_lists()
    for item in facts:
        for imp in item.imports:
            target = imports.get(imp.node_id)
            kind = node = qualname = origin = ext = None
            if target is None:
                continue
            if target.base is None:
                kind = "EXTERNAL"
                if target.external:
                    full = target.external if imp.name in {None, "*"} else f"{target.external}.{imp.name}"
                    ext, qualname, _ = externals.add(("X", full))  # type: ignore[misc]
                    origin = externals.rows[ext][1]
                else:
                    qualname = imp.module or ""
                    origin = "unknown"
            elif target.kind == "MODULE":
                kind, qualname, origin = "MODULE", target.target_module, "repository"
                module_facts = solver.index.facts_of(target.target_module or "")
                node = module_facts.module_id if module_facts else None
            else:
                kind, origin = "DEFINITION", "repository"
                qualname = f"{target.base}.{imp.name}"
                module_id = solver.module_ids.get(target.base)
                if module_id is not None:
                    defs = sorted(
                        original_id(v[1]) for v in solver.vals.get(f"{module_id}:{imp.name}", ()) if v[0] in {"F", "C"}
                    )
                    if defs:
                        node = defs[0]
            cols["import_node_id"].append(imp.node_id)
            cols["file_id"].append(item.file_id)
            cols["target_kind"].append(kind)
            cols["target_node_id"].append(node)
            cols["target_qualname"].append(qualname)
            cols["origin"].append(origin)
            cols["external_id"].append(ext)
    return T.RESOLVED_IMPORTS.from_columns(cols)


def _sorted(table: pa.Table) -> pa.Table:
    """``table`` ordered by all its columns: the same rows whatever order they were found in."""
    return table.sort_by([(name, "ascending") for name in table.column_names])


def _parameter_bindings(solver: Solver) -> pa.Table:
    rows = list(solver.bindings)
    table = T.PARAMETER_BINDINGS.from_columns(
        {
            "argument_node_id": [r[0] for r in rows],
            "parameter_node_id": [r[1] for r in rows],
            "call_node_id": [r[2] for r in rows],
            "kind": [r[3] for r in rows],
        }
    )
    return _sorted(table)


def _attribute_targets(solver: Solver) -> pa.Table:
    rows = list(solver.attribute_targets)
    table = T.ATTRIBUTE_TARGETS.from_columns(
        {"node_id": [r[0] for r in rows], "target_node_id": [r[1] for r in rows], "method": [r[2] for r in rows]}
    )
    return _sorted(table)


def _callgraph_nodes(facts: Sequence[ModuleFacts], solver: Solver) -> pa.Table:
    cols = T.CALLGRAPH_NODES.column_lists()

    def add(node_id: str, kind: str, file_id: str, qualname: str) -> None:
        cols["node_id"].append(node_id)
        cols["kind"].append(kind)
        cols["file_id"].append(file_id)
        cols["qualname"].append(qualname)
        cols["pycg_name"].append(qualname)

    for item in facts:
        if solver.index.facts_of(item.module) is not item:
            continue
        add(item.module_id, "MODULE", item.file_id, item.module)
        for fn in item.functions:
            add(fn.node_id, "FUNCTION", item.file_id, fn.qualname)
        for cls in item.classes:
            add(cls.node_id, "CLASS", item.file_id, cls.qualname)
    return T.CALLGRAPH_NODES.from_columns(cols)


def _hierarchy(solver: Solver, externals: _Externals, names: _Names) -> tuple[pa.Table, pa.Table, pa.Table]:
    bases = T.CLASS_BASES.column_lists()
    mros = T.CLASS_MRO.column_lists()
    overrides = T.METHOD_OVERRIDES.column_lists()

    def qual(klass: Value) -> str:
        if klass[0] == "C":
            return names.of(klass[1])
        if klass[0] == "BI":
            return f"builtins.{klass[1]}"
        return str(klass[1])

    for cid in sorted(solver.classes):
        cls = solver.classes[cid]
        for position, value in sorted(solver.vals.get(("bases", cid), ())):
            bases["class_node_id"].append(cid)
            bases["base_index"].append(position)
            if value[0] == "C":
                bases["base_node_id"].append(value[1])
                bases["base_external_id"].append(None)
            else:
                registered = externals.add(value if value[0] == "X" else ("BI", value[1]))
                bases["base_node_id"].append(None)
                bases["base_external_id"].append(registered[0] if registered else None)
            bases["base_qualname"].append(qual(value))
        mro, error = solver.mro(cid)
        mros["class_node_id"].append(cid)
        mros["qualname"].append(cls.qualname)
        mros["mro"].append([qual(k) for k in mro])
        mros["error"].append(error)
        for fid in cls.method_ids:
            name = solver.funcs[fid].name
            for klass in mro[1:]:
                if klass[0] == "C":
                    other = solver.classes.get(klass[1])
                    if other is None or name not in other.body_names:
                        continue
                    targets = sorted(m for m in other.method_ids if solver.funcs[m].name == name)
                    if targets:
                        overrides["method_node_id"].append(fid)
                        overrides["overridden_node_id"].append(targets[0])
                        overrides["overridden_external_id"].append(None)
                    break
    return (
        T.CLASS_BASES.from_columns(bases),
        T.CLASS_MRO.from_columns(mros),
        T.METHOD_OVERRIDES.from_columns(overrides),
    )
