"""The tables whole-program resolution writes (``resolve/<name>``), declared once.

Each becomes CPG nodes, edges or properties: ``resolved_imports`` (IMPORTS edges),
``external_symbols`` (EXTERNAL nodes), ``class_bases`` (INHERITS_FROM),
``class_mro`` (a CLASS property), ``method_overrides`` (OVERRIDES),
``attribute_targets`` (REFERS_TO of attribute uses), ``call_edges`` (CALLS),
``parameter_bindings`` (PARAMETER_BINDING) and ``callgraph_nodes`` (every module,
function and class with its PyCG name, the keys of the PyCG call graph).
``bounded_values`` lists the value sets the solver stopped filling at its bound, where
the call graph may miss edges.
"""

from __future__ import annotations

import pyarrow as pa

from codeanatomy.schema import TableSpec

__all__ = [
    "ATTRIBUTE_TARGETS",
    "BOUNDED_VALUES",
    "CALLGRAPH_NODES",
    "CALL_EDGES",
    "CLASS_BASES",
    "CLASS_MRO",
    "EXTERNAL_SYMBOLS",
    "METHOD_OVERRIDES",
    "PARAMETER_BINDINGS",
    "RESOLVED_IMPORTS",
    "RESOLVE_TABLES",
]


def _spec(name: str, fields: list[tuple[str, pa.DataType]]) -> TableSpec:
    return TableSpec(name, 1, pa.schema(fields), location=f"resolve/{name}")


_S = pa.string()

RESOLVED_IMPORTS = _spec(
    "resolved_imports",
    [
        ("import_node_id", _S),
        ("file_id", _S),
        ("target_kind", _S),  # MODULE | DEFINITION | EXTERNAL
        ("target_node_id", _S),
        ("target_qualname", _S),
        ("origin", _S),  # repository | builtin | stdlib | third_party | unknown
        ("external_id", _S),
    ],
)
EXTERNAL_SYMBOLS = _spec(
    "external_symbols",
    [
        ("external_id", _S),
        ("qualname", _S),
        ("origin", _S),
        ("distribution", _S),
        ("pycg_name", _S),
    ],
)
CLASS_BASES = _spec(
    "class_bases",
    [
        ("class_node_id", _S),
        ("base_index", pa.int32()),
        ("base_node_id", _S),
        ("base_external_id", _S),
        ("base_qualname", _S),
    ],
)
CLASS_MRO = _spec(
    "class_mro",
    [
        ("class_node_id", _S),
        ("qualname", _S),
        ("mro", pa.list_(_S)),
        ("error", _S),
    ],
)
METHOD_OVERRIDES = _spec(
    "method_overrides",
    [("method_node_id", _S), ("overridden_node_id", _S), ("overridden_external_id", _S)],
)
ATTRIBUTE_TARGETS = _spec(
    "attribute_targets",
    [("node_id", _S), ("target_node_id", _S), ("method", _S)],  # self|cls|instance|module|class|super
)
CALL_EDGES = _spec(
    "call_edges",
    [
        ("call_node_id", _S),
        ("caller_node_id", _S),
        ("callee_node_id", _S),
        ("callee_external_id", _S),
        ("callee_kind", _S),  # FUNCTION | CLASS | EXTERNAL
        ("via", _S),  # __init__ | __call__ | __iter__ | __next__ | __enter__ | __exit__
        ("method", _S),
        ("confidence", pa.float64()),
        ("caller_pycg", _S),
        ("callee_pycg", _S),
    ],
)
PARAMETER_BINDINGS = _spec(
    "parameter_bindings",
    [
        ("argument_node_id", _S),
        ("parameter_node_id", _S),
        ("call_node_id", _S),
        ("kind", _S),  # positional | keyword | default | star_args | star_kwargs
    ],
)
CALLGRAPH_NODES = _spec(
    "callgraph_nodes",
    [
        ("node_id", _S),
        ("kind", _S),  # MODULE | FUNCTION | CLASS
        ("file_id", _S),
        ("qualname", _S),
        ("pycg_name", _S),
    ],
)
BOUNDED_VALUES = _spec(
    "bounded_values",
    [
        ("node_id", _S),  # the scope, class, function, module, call or container literal
        ("kind", _S),  # variable | attribute | call_result | argument | return | yield | element | keys | context | bases | other
        ("name", _S),  # variable or attribute name, argument position, container slot
    ],
)

RESOLVE_TABLES: tuple[TableSpec, ...] = (
    RESOLVED_IMPORTS,
    EXTERNAL_SYMBOLS,
    CLASS_BASES,
    CLASS_MRO,
    METHOD_OVERRIDES,
    ATTRIBUTE_TARGETS,
    CALL_EDGES,
    PARAMETER_BINDINGS,
    CALLGRAPH_NODES,
    BOUNDED_VALUES,
)
