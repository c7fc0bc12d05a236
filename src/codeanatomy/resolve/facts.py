"""Per-file facts for whole-program resolution: one pure walk of a file's ``ast``.

:func:`collect_facts` runs in worker processes and turns one file into a
:class:`ModuleFacts`: its definitions (functions, lambdas, classes, parameters),
imports, and the constraints of an assignment graph that the solver
(:mod:`codeanatomy.resolve.solver`) closes over the whole program.

Scoping is decided here, by Python's rules (local, enclosing, global, builtins;
class bodies invisible from methods; comprehensions their own scope), so every
name becomes a variable key. Within a function or module body the walk tracks
reaching definitions (branches merge, loops and ``try`` bodies join through phi
variables), so a use reads only the bindings that can reach it: that is the
flow-sensitivity that removes false edges. Closures, globals read from functions
and names written from other scopes read the flow-insensitive summary variable.

Every definition, call, import and argument carries its CPG node ID from
:func:`codeanatomy.extract._ast_index.ast_index_of`.

Expressions (``E``) and constraints are plain tuples so facts pickle cheaply:

* ``("v", key)`` variable; ``("g", module_id, name)`` module global or builtin;
  ``("a", E, attr, node_id)`` attribute; ``("s", E, key_E | None, unpack)`` subscript
  (``unpack``: 0 for a subscript; for an element of an unpacking, which falls back to
  iteration, the number of targets, or -1 with a starred one); ``("c", call_key)`` call result;
  ``("lit", type, value)`` literal; ``("t", type)`` value of a builtin type;
  ``("n", kind, site)`` new container; ``("f", def_id)`` definition object;
  ``("sm", def_id)`` a ``__new__``, a static method without the decorator;
  ``("own", E)`` the values of ``E`` that are not external objects;
  ``("u", (E, ...))`` union; ``("it", E)`` iteration element; ``("op", op, E, E)``
  binary operation; ``("sup", class_id, E)`` zero-argument ``super()``;
  ``("sup2", E, E)`` ``super(C, obj)``; ``("imp", ...)`` an imported binding;
  ``("isa", E, classinfo_E)`` the values of ``E`` that may be instances of a class
  ``classinfo_E`` gives (``isinstance`` narrowing); ``("nisa", E, classinfo_E)`` those
  that may not be (an ``else`` branch); ``("tag", E, i, literals)`` the
  values of ``E`` whose item ``i`` may be one of ``literals`` (``x[0] == "a"``).
* ``("as", caller, target, E)``, ``("cp", src_key, dst_key)``,
  ``("call", caller, call_key, node_id, E, args, kwargs, kind)``, ``("ret", fid, E)``,
  ``("retx", fid, E)`` (a return that is not a parameter, see ``returns_rest``),
  ``("retc", fid, call_key)`` (a returned call passed a parameter, see ``returns_calls``),
  ``("yld", fid, E)``, ``("exc", caller, key, E)``, ``("del", caller, E)`` (an item
  deleted from ``E``), ``("use", caller, E)`` (an attribute read whose value nothing keeps),
  ``("with", caller, target | None, E, node_id)``, ``("for", caller, E, node_id)``,
  ``("dunder", caller, E, node_id, names, args)`` (an operator calling the first of
  the special methods ``names`` that the class of each of ``E``'s values defines, with
  the arguments ``args`` after it: ``__add__`` for ``a + b`` and the right operand's
  ``__radd__``, ``__iadd__`` or else ``__add__`` for ``a += b``, ``__neg__`` for ``-a``,
  ``__eq__`` for ``a == b``, the right operand's ``__contains__`` for ``a in b``,
  ``__getitem__``, ``__setitem__`` and ``__delitem__`` for ``a[k]`` read, assigned and
  deleted),
  ``("bases", class_id, (E, ...))``, ``("star", container, E, start, n_after)``,
  ``("ann", key, ((mode, E), ...), fid | None, site)`` (the classes an annotation of a
  parameter, or of ``fid``'s return, names, see :mod:`._annotations`; ``site``, the
  annotation's node, makes the containers it names),
  ``("anna", class_id, name, ((mode, E), ...), site)`` (those of an attribute's annotation).
"""

from __future__ import annotations

import ast
import builtins
import re
import string
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from codeanatomy.extract._ast_index import AstIndex, ast_index_of, dotted_name
from codeanatomy.extract._base import FileError
from codeanatomy.resolve._annotations import annotation_parts, type_aliases
from codeanatomy.resolve._known_dicts import KnownDicts, literal_key
from codeanatomy.source import SourceFile

__all__ = [
    "FORMAT_METHODS",
    "STARRED_UNPACK",
    "STR_METHODS",
    "ClassFact",
    "FieldFact",
    "FunctionFact",
    "ImportFact",
    "ModuleFacts",
    "ParamFact",
    "collect_facts",
    "unkept_reads",
]

Expr = tuple[Any, ...] | None
"""A fact expression (``E`` above), or None where there is nothing to evaluate."""
STARRED_UNPACK: Final = -1
"""The ``unpack`` part of a subscript expression for an element of an unpacking with a
starred target (``a, *rest = x``), whose number of elements is not known."""
Constraint = tuple[Any, ...]
"""A constraint: a tuple whose first item is its tag (``"as"``, ``"cp"``, ``"call"``, ...)."""
_BUILTIN_NAMES: Final = frozenset(dir(builtins))
_LIT_MAX: Final = 64
_COMPS: Final = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_STRAIGHT_LINE: Final = (
    ast.Assign, ast.AnnAssign, ast.Expr, ast.Pass, ast.Global, ast.Nonlocal, ast.Return, ast.Assert,
)
"""Statements that run no other code but their calls and go on to the next one (or
leave): tracked dicts stay known through them (an import runs the module it imports)."""
_FUNCS: Final = (ast.FunctionDef, ast.AsyncFunctionDef)
_YIELDS: Final = frozenset({"Yield", "YieldFrom"})


@dataclass(frozen=True, slots=True)
class ParamFact:
    """One parameter: its node, name, kind and the variable holding its values."""

    node_id: str
    name: str
    kind: str
    """``posonly``, ``regular``, ``vararg``, ``kwonly`` or ``kwarg``."""
    var: str
    has_default: bool
    default_node_id: str | None = None


@dataclass(frozen=True, slots=True)
class FunctionFact:
    """A ``def``, ``async def`` or ``lambda``."""

    node_id: str
    qualname: str
    name: str
    class_id: str | None
    """The class whose body defines it directly (a method), else ``None``."""
    params: tuple[ParamFact, ...]
    is_generator: bool
    is_async: bool
    is_lambda: bool
    method_kind: str
    """``function``, ``method``, ``static``, ``classmethod``, ``property`` or ``new``
    (a class's ``__new__``: a static method whose first parameter a constructor call
    passes the class)."""
    returns_params: tuple[str, ...] = ()
    """Parameters returned unchanged by some ``return`` (identity-like functions and
    decorators returning the function they were given, or a wrapper); the solver
    takes that part of a call's result from the call's own arguments, per call site."""
    returns_rest: bool = False
    """Whether some ``return`` gives more than those parameters: that rest is also in
    ``("retx", node_id)`` constraints, which the solver reads for it."""
    returns_calls: bool = False
    """Whether some ``return`` is a call passed one of the parameters (``return
    g(x)``) or spreading its own ``*args`` last (``return g(*args)``): a ``("retc",
    node_id, call_key)`` constraint lets the solver find, once it knows the callees,
    whether the parameter (an element of ``*args``) comes back through it."""
    defaults: tuple[tuple[str, Expr], ...] = ()
    """Default values by parameter name, kept for functions that pass parameters
    through: a call that leaves such a parameter out gets its default back."""
    enclosing: str | None = None
    """The function whose body defines this one, for a closure over its parameters
    (see ``closure_params``)."""
    closure_params: tuple[str, ...] = ()
    """Parameters of ``enclosing`` this function reads and ``enclosing`` never rebinds
    (a decorator's ``func`` read by its ``wrapper``). The solver makes each call of
    ``enclosing`` that returns this function return a copy of it of its own, reading
    that call's arguments for them."""
    spans: tuple[tuple[int, int], ...] = ()
    """For a closure: the slices of the module's constraints its definition emits (its
    defaults, then its body and returns), which a copy repeats. It encloses no scope."""


@dataclass(frozen=True, slots=True)
class ClassFact:
    """A ``class`` statement: its bases (node ID and expression) and body bindings."""

    node_id: str
    qualname: str
    name: str
    bases: tuple[tuple[str, Expr], ...]
    body_names: frozenset[str]
    method_ids: tuple[str, ...]
    decorators: tuple[Expr, ...] = ()
    """What each decorator names (``dataclass`` for ``@dataclass(frozen=True)`` too),
    for decorators that are dotted names; the solver tells a dataclass by them."""
    fields: tuple[FieldFact, ...] = ()
    """The names of the class body that may be fields, in order: annotated names, and
    names assigned a field specifier (``x = attr.ib()``); for a class made by a
    ``namedtuple`` call, its fields."""
    tuple_call: bool = False
    """Whether a call of ``namedtuple``/``NamedTuple`` makes it (its node is the call's;
    the solver takes it for that call's result when the callee is really one of them)."""
    instance_names: frozenset[str] = frozenset()
    """Attributes its methods assign (or annotate) on their ``self``: ``x`` for ``self.x = v``."""


@dataclass(frozen=True, slots=True)
class FieldFact:
    """A name of a class body that a generated ``__init__`` (a dataclass's, an attrs
    class's, a ``NamedTuple``'s, a pydantic model's) may take as a field."""

    name: str
    kind: str
    """``positional`` (by position or name), ``keyword`` (after ``KW_ONLY`` or with
    ``kw_only=True``), ``initvar`` (an ``InitVar``: a parameter, not an attribute) or
    ``no_init`` (``field(init=False)``)."""
    factory: Expr = None
    """The ``default_factory`` (attrs: ``factory``) of the field, when it is a dotted name."""
    annotated: bool = True
    """False for ``x = attr.ib()``: only attrs takes such a name as a field."""
    specified: bool = False
    """Whether its value is a field specifier (``field()``, ``attr.ib()``, ``Field()``)."""


@dataclass(frozen=True, slots=True)
class ImportFact:
    """One imported name (an ``alias`` node)."""

    node_id: str
    module: str | None
    """The module named (``a.b`` in ``import a.b`` / ``from a.b import c``); None for ``from . import c``."""
    name: str | None
    """The imported name for ``from`` imports (``*`` for a star import), else None."""
    asname: str | None
    level: int
    scope_id: str


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Everything the solver needs from one file."""

    path: str
    file_id: str
    module: str
    is_package: bool
    module_id: str
    functions: tuple[FunctionFact, ...] = ()
    classes: tuple[ClassFact, ...] = ()
    imports: tuple[ImportFact, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    global_names: frozenset[str] = frozenset()
    all_names: tuple[str, ...] | None = None
    """A literal ``__all__``, when the module has one."""
    type_aliases: tuple[tuple[str, tuple[tuple[str, Expr], ...]], ...] = ()
    """The module's type aliases (see :func:`._annotations.type_aliases`) with what they
    name, as annotation parts: the solver expands an alias (its value ``("TA",
    module_id, name)``) with them where an annotation reads it."""
    errors: tuple[FileError, ...] = ()


# ---------------------------------------------------------------------------------------
# Scope analysis


@dataclass(slots=True)
class _Scope:
    node_id: str
    kind: str  # module | class | function | comp
    parent: _Scope | None
    bound: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    written_from_inside: set[str] = field(default_factory=set)
    encloses: bool = False  # whether another scope (a def, lambda, class, comprehension) is inside


def _nearest_function_or_module(scope: _Scope) -> _Scope:
    while scope.kind in {"comp"} and scope.parent is not None:
        scope = scope.parent
    return scope


# Fields of each ast class that can hold nodes the binder must see: expression
# contexts, operators and literal values never bind a name.
_BINDER_SKIPS: Final = frozenset({"ctx", "op", "ops"})
_BINARY_METHODS: Final[dict[type[ast.operator], str]] = {
    ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.MatMult: "__matmul__",
    ast.Div: "__truediv__", ast.FloorDiv: "__floordiv__", ast.Mod: "__mod__", ast.Pow: "__pow__",
    ast.LShift: "__lshift__", ast.RShift: "__rshift__", ast.BitOr: "__or__", ast.BitXor: "__xor__",
    ast.BitAnd: "__and__",
}
"""The special method of the left operand each binary operator calls."""
_COMPARE_METHODS: Final[dict[type[ast.cmpop], str]] = {
    ast.Eq: "__eq__", ast.NotEq: "__ne__", ast.Lt: "__lt__", ast.LtE: "__le__",
    ast.Gt: "__gt__", ast.GtE: "__ge__", ast.In: "__contains__", ast.NotIn: "__contains__",
}
"""The special method each comparison calls (``in``: the right operand's)."""
STR_METHODS: Final = ("__str__", "__repr__")
"""What ``str(x)`` calls: the class's ``__str__``, else (``object.__str__``) its ``__repr__``."""
FORMAT_METHODS: Final = ("__format__", *STR_METHODS)
"""What ``format(x)`` and ``f"{x}"`` call: ``__format__``, else (``object.__format__``) ``str(x)``."""
_CONVERSION_METHODS: Final[dict[int, tuple[str, ...]]] = {
    ord("s"): STR_METHODS, ord("r"): ("__repr__",), ord("a"): ("__repr__",),
}
"""What an f-string's ``!s``, ``!r`` and ``!a`` call."""
_PERCENT_CONVERSION: Final = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa])")
"""A ``%`` conversion of a format string; the group is its type."""
_UNARY_METHODS: Final[dict[type[ast.unaryop], str]] = {
    ast.USub: "__neg__", ast.UAdd: "__pos__", ast.Invert: "__invert__",
}
"""The special method each unary operator but ``not`` calls."""
_PLAIN_OPERANDS: Final = frozenset({"lit", "t", "n"})
"""Expressions whose values are never instances: literals, builtin values, displays."""
_CHILD_FIELDS: Final[dict[type, tuple[str, ...]]] = {
    cls: () if cls is ast.Constant else tuple(f for f in cls._fields if f not in _BINDER_SKIPS)
    for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, ast.AST)
}


_SCALAR_FIELDS: Final = frozenset(
    {
        "id", "attr", "arg", "module", "level", "asname", "conversion", "is_async", "kind",
        "type_comment", "simple", "tag",
    }
)
"""Fields that only ever hold identifiers, flags or constants."""
_NODE_FIELDS: Final[dict[type, tuple[str, ...]]] = {
    cls: tuple(f for f in fields if f not in _SCALAR_FIELDS) for cls, fields in _CHILD_FIELDS.items()
}
"""The fields of each ast class that can hold nodes a pass over names must see."""
_DEFINITIONS: Final = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_ASSIGNED_SPECIAL: Final = frozenset(
    {*_DEFINITIONS, ast.Lambda, *_COMPS, ast.alias, ast.ExceptHandler, ast.NamedExpr}
)
"""Classes :func:`_assigned_names` does not just descend into."""


class _Binder(ast.NodeVisitor):
    """First pass: which names each scope binds, and its global/nonlocal declarations.

    ``visit`` dispatches on the node's class through a table built once, and
    ``generic_visit`` reads only the fields that can hold nodes: this pass sees every
    node of the file, and ``NodeVisitor``'s lookups per node were most of its time.
    """

    _dispatch: dict[type, Callable[[_Binder, Any], None]]

    def __init__(self, index: AstIndex, module_scope: _Scope) -> None:
        self.index = index
        self.scopes: dict[int, _Scope] = {id(index.tree): module_scope}
        self.stack = [module_scope]

    def visit(self, node: ast.AST) -> None:
        """Visit ``node`` with the method for its class."""
        self._dispatch[type(node)](self, node)

    def generic_visit(self, node: ast.AST) -> None:
        """Visit the child nodes of ``node``."""
        dispatch = self._dispatch
        for name in _NODE_FIELDS[type(node)]:
            value = getattr(node, name, None)
            # Fields may hold None or strings: the table skips them, as it skips leaves.
            if type(value) is list:
                for item in value:
                    dispatch.get(type(item), _skip)(self, item)
            elif value is not None:
                dispatch.get(type(value), _skip)(self, value)

    @property
    def scope(self) -> _Scope:
        return self.stack[-1]

    def _push(self, node: ast.AST, kind: str) -> _Scope:
        self.scope.encloses = True
        scope = _Scope(self.index.id_of(node), kind, self.scope)
        self.scopes[id(node)] = scope
        self.stack.append(scope)
        return scope

    def _bind(self, name: str) -> None:
        self.scope.bound.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if type(node.ctx) is not ast.Load:
            self.stack[-1].bound.add(node.id)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        target = _nearest_function_or_module(self.scope)
        if isinstance(node.target, ast.Name):
            target.bound.add(node.target.id)

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def visit_alias(self, node: ast.alias) -> None:
        if node.name != "*":
            self._bind(node.asname or node.name.split(".")[0])

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self._bind(node.rest)
        self.generic_visit(node)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda):
            for decorator in node.decorator_list:
                self.visit(decorator)
            if node.returns is not None:
                self.visit(node.returns)
            self._bind(node.name)
        args = node.args
        for default in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
            self.visit(default)
        self._push(node, "function")
        for arg in _all_args(args):
            self._bind(arg.arg)
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        for stmt in body:
            self.visit(stmt)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._bind(node.name)
        self._push(node, "class")
        for stmt in node.body:
            self.visit(stmt)
        self.stack.pop()

    def _visit_comp(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        generators = node.generators
        self.visit(generators[0].iter)
        self._push(node, "comp")
        for i, gen in enumerate(generators):
            if i:
                self.visit(gen.iter)
            self.visit(gen.target)
            for cond in gen.ifs:
                self.visit(cond)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.stack.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comp


def _skip(binder: _Binder, node: object) -> None:
    """Visit a node that binds nothing and holds no node."""


_Binder._dispatch = {
    cls: vars(_Binder).get(f"visit_{cls.__name__}")
    or (_Binder.generic_visit if _NODE_FIELDS[cls] else _skip)
    for cls in _CHILD_FIELDS
}


def _always_leaves(body: Sequence[ast.stmt]) -> bool:
    """Whether a block's last statement returns, raises, breaks or continues."""
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Break, ast.Continue))


def _all_args(args: ast.arguments) -> list[ast.arg]:
    out = [*args.posonlyargs, *args.args]
    if args.vararg:
        out.append(args.vararg)
    out.extend(args.kwonlyargs)
    if args.kwarg:
        out.append(args.kwarg)
    return out


def _assigned_names(stmts: Iterable[ast.AST]) -> set[str]:
    """Names a block binds in its own scope (nested definitions' bodies excluded)."""
    names: set[str] = set()
    add = names.add
    stack: list[Any] = list(stmts)
    pop, push, extend = stack.pop, stack.append, stack.extend
    fields_of = _NODE_FIELDS
    name_type, load_type, special = ast.Name, ast.Load, _ASSIGNED_SPECIAL
    while stack:
        node = pop()
        node_type = type(node)
        if node_type is name_type:
            if type(node.ctx) is not load_type:
                add(node.id)
            continue
        if node_type in special:
            if node_type in _DEFINITIONS:
                add(node.name)
                extend(node.decorator_list)
                continue
            if node_type is ast.alias:
                if node.name != "*":
                    add(node.asname or node.name.split(".")[0])
                continue
            if node_type is ast.ExceptHandler:
                if node.name:
                    add(node.name)
            elif node_type is ast.NamedExpr:
                if type(node.target) is name_type:
                    add(node.target.id)
            else:  # a lambda or a comprehension: its own scope
                continue
        # Lists may hold None (dict keys) or strings; they have no fields.
        for field_name in fields_of.get(node_type, ()):
            value = getattr(node, field_name, None)
            if type(value) is list:
                extend(value)
            elif value is not None:
                push(value)
    return names


def _literal_all(tree: ast.Module) -> tuple[str, ...] | None:
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets
        ):
            value = stmt.value
            if isinstance(value, (ast.List, ast.Tuple)) and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
            ):
                return tuple(e.value for e in value.elts)  # type: ignore[attr-defined]
    return None


def _literal(value: object) -> Expr:
    if value is None or value is Ellipsis:
        return None
    if isinstance(value, bool):
        return ("lit", "bool", int(value))
    if isinstance(value, int):
        return ("lit", "int", value) if abs(value) < 1 << 62 else ("t", "int")
    if isinstance(value, float):
        return ("lit", "float", value)
    if isinstance(value, str):
        return ("lit", "str", value) if len(value) <= _LIT_MAX else ("t", "str")
    if isinstance(value, bytes):
        return ("t", "bytes")
    if isinstance(value, complex):
        return ("t", "complex")
    return None


def _variables_read(constraints: list[Constraint], variables: Collection[str]) -> set[str]:
    """Which of ``variables`` some expression in ``constraints`` reads (``("v", var)``)."""
    wanted = set(variables)
    found: set[str] = set()
    stack: list[Any] = list(constraints)
    while stack:
        item = stack.pop()
        if len(item) == 2 and item[0] == "v" and type(item[1]) is str and item[1] in wanted:
            found.add(item[1])
            continue
        stack.extend(part for part in item if type(part) is tuple)
    return found


def _decorator_kind(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for decorator in fn.decorator_list:
        if isinstance(decorator, ast.Name):
            if decorator.id == "staticmethod":
                return "static"
            if decorator.id == "classmethod":
                return "classmethod"
            if decorator.id == "property":
                return "property"
        elif isinstance(decorator, ast.Attribute) and decorator.attr in {"setter", "getter", "deleter"}:
            return "property"
    return None


# ---------------------------------------------------------------------------------------
# Constraint generation


class _Walker:
    """Second pass: constraints, with reaching definitions inside each body."""

    def __init__(self, source: SourceFile, index: AstIndex, scopes: dict[int, _Scope]) -> None:
        self.source = source
        self.index = index
        # Rows of the functions a ``yield`` belongs to: generators (a yield in a default or a
        # decorator belongs to the enclosing function, as the index's scopes say).
        self.generator_rows = {index.scope[i] for i, t in enumerate(index.ast_type) if t in _YIELDS}
        self.scopes = scopes
        self.module_scope = scopes[id(index.tree)]
        self.module_id = self.module_scope.node_id
        self.module_literals = _module_literals(index.tree)
        self.cons: list[Constraint] = []
        self.functions: list[FunctionFact] = []
        self.classes: list[ClassFact] = []
        self.imports: list[ImportFact] = []
        self.scope = self.module_scope
        self.caller = self.module_id
        self.function_id: str | None = None
        self.class_stack: list[str] = []
        self.receiver: tuple[str, str] | None = None
        """(class, parameter) of the instance a method body runs on, for ``self.x: T``."""
        self.declared: dict[str, tuple[tuple[tuple[str, Expr], ...], str]] = {}
        """Annotations (parts, node) of the current function's (or the module's) variables, by name."""
        self.type_aliases = type_aliases(index.tree)
        """The module's type aliases, which annotations read as what they stand for."""
        self.instance_names: dict[str, set[str]] = {}
        """Attributes assigned on ``self`` in each class's methods (see ``ClassFact.instance_names``)."""
        self.item_aliases: dict[str, tuple[str, int, frozenset[str], frozenset[str]]] = {}
        """Locals assigned an item of another local (``t = x[i]``): (x, i, t's and x's
        reaching definitions then)."""
        self.state: dict[str, frozenset[str]] = {}
        self.versions: dict[str, int] = {}
        self.comp_stack: list[_Scope] = []
        self.known = KnownDicts()
        self.narrowed_attributes: dict[tuple[Expr, str], tuple[str | None, tuple[str, Any]]] = {}
        """(base, attribute) -> (function, narrowing) for ``isinstance(x.a, C)`` and
        ``hasattr(x.a, "n")`` tests, while the body they guard is read."""
        self.narrowed_from: dict[str, frozenset[str]] = {}
        """Narrowed versions of a local (``isinstance`` and the like) -> the versions they
        narrow, themselves no narrowing: a union holding both reads as those alone."""
        self.eval_counter = 0
        self.call_prefix: str | None = None
        self.returns: dict[str, list[Expr]] = {}
        self.call_positions: dict[str, int] = {}
        self.default_values: dict[str, dict[str, Expr]] = {}
        self.closure_candidates: dict[str, list[tuple[int, tuple[tuple[int, int], ...]]]] = {}
        """Functions enclosing no scope, by the function defining them: their position
        in ``functions`` and the spans of constraints they emit (see ``FunctionFact.spans``)."""
        self._mark_external_writes()

    # ---- scoping -----------------------------------------------------------------------

    def _mark_external_writes(self) -> None:
        for scope in self.scopes.values():
            for name in scope.globals:
                self.module_scope.written_from_inside.add(name)
            for name in scope.nonlocals:
                owner = self._enclosing_binder(scope.parent, name)
                if owner is not None:
                    owner.written_from_inside.add(name)

    def _enclosing_binder(self, scope: _Scope | None, name: str) -> _Scope | None:
        while scope is not None and scope.kind != "module":
            if (
                scope.kind in {"function", "comp"}
                and name in scope.bound
                and name not in scope.globals
                and name not in scope.nonlocals
            ):
                return scope
            scope = scope.parent
        return None

    def _is_local(self, scope: _Scope, name: str) -> bool:
        return name in scope.bound and name not in scope.globals and name not in scope.nonlocals

    def _flow_sensitive(self, scope: _Scope, name: str) -> bool:
        return (
            scope is self.scope
            and scope.kind in {"function", "module"}
            and name not in scope.written_from_inside
        )

    @staticmethod
    def _summary(scope: _Scope, name: str) -> str:
        return f"{scope.node_id}:{name}"

    def _class_slot(self, scope: _Scope, name: str) -> tuple[str, tuple[str, str], str]:
        return ("A", ("C", scope.node_id), name)

    def _load(self, name: str) -> Expr:
        """Expression reading ``name`` from the current position."""
        for comp in reversed(self.comp_stack):
            if name in comp.bound:
                return ("v", self._summary(comp, name))
        scope = self.scope
        if name in scope.globals:
            return self._global(name)
        if name in scope.nonlocals:
            owner = self._enclosing_binder(scope.parent, name)
            return ("v", self._summary(owner, name)) if owner else self._global(name)
        if self._is_local(scope, name):
            if scope.kind == "class":
                return ("v", self._class_slot(scope, name))
            if scope.kind == "module":
                return self._module_load(name)
            return self._flow_load(scope, name)
        owner = self._enclosing_binder(scope.parent, name)
        if owner is not None:
            return ("v", self._summary(owner, name))
        return self._global(name)

    def _flow_load(self, scope: _Scope, name: str) -> Expr:
        if self._flow_sensitive(scope, name):
            reaching = self.state.get(name)
            if reaching:
                if len(reaching) > 1:
                    # A narrowed version holds some of the values of what it narrows.
                    narrowed = self.narrowed_from
                    reaching = frozenset(key for key in reaching if key not in narrowed or not narrowed[key] <= reaching)
                if len(reaching) == 1:
                    return ("v", next(iter(reaching)))
                return ("u", tuple(("v", key) for key in sorted(reaching)))
        return ("v", self._summary(scope, name))

    def _module_load(self, name: str) -> Expr:
        if self.scope is self.module_scope:
            return self._flow_load(self.module_scope, name)
        return ("v", self._summary(self.module_scope, name))

    def _global(self, name: str) -> Expr:
        if name in self.module_scope.bound:
            return self._module_load(name)
        return ("g", self.module_id, name)

    def _store_key(self, name: str, declared: bool = True) -> object:
        """Variable key a binding of ``name`` at the current position writes.

        A binding of a name declared ``name: T`` gets an ``ann`` constraint, unless
        ``declared`` is false (a narrowed version is no new value).
        """
        for comp in reversed(self.comp_stack):
            if name in comp.bound:
                return self._summary(comp, name)
        scope = self.scope
        if name in scope.globals:
            return self._summary(self.module_scope, name)
        if name in scope.nonlocals:
            owner = self._enclosing_binder(scope.parent, name)
            return self._summary(owner or self.module_scope, name)
        if scope.kind == "class":
            return self._class_slot(scope, name)
        key = summary = self._summary(scope, name)
        if self._flow_sensitive(scope, name):
            number = self.versions.get(summary, 0) + 1
            self.versions[summary] = number
            key = f"{summary}#{number}"
            self.cons.append(("cp", key, summary))
            self.state[name] = frozenset((key,))
        annotation = self.declared.get(name) if declared else None
        if annotation:
            self.cons.append(("ann", key, annotation[0], None, annotation[1]))
        return key

    def _narrow(self, test: ast.expr, *, negated: bool = False) -> None:
        """Give each local that ``test`` checks a narrowed version for the branch where
        ``test`` is true (``negated``: false).

        Where it is true, each conjunct of an ``and`` (or the test alone) narrows one
        local: ``isinstance(x, C)`` to the values that may be instances of ``C``
        (``("isa", E, classinfo_E)``), ``type(x) is C`` to those that may be instances
        of ``C`` itself (``("tisa", E, class_E)``), ``hasattr(x, "name")`` to those that
        may have the attribute (``("hasa", E, "name")``), and ``x[i] == lit``, ``x[i] in {lit, ...}``,
        an ``or`` of such, or the same on a local assigned ``t = x[i]``, to the values
        whose item ``i`` may be one of the literals (``("tag", E, i, literals)``).
        Where it is false, each ``isinstance(x, C)`` of an ``or`` (or the test alone)
        narrows ``x`` to the values that may not be instances of ``C``
        (``("nisa", E, classinfo_E)``). ``not`` swaps the two. The branches merge after
        the ``if``, unless the body always leaves (``if not isinstance(x, C):
        return``): then the ``else`` branch's versions go on. Only names tracked
        flow-sensitively in this scope are narrowed.
        """
        while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, negated = test.operand, not negated
        joined = ast.Or if negated else ast.And
        checks = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, joined) else [test]
        for check in checks:
            tagged = None if negated else self._tag_test(check)
            if tagged is not None:
                name, index, literals = tagged
                narrowed: tuple[Any, ...] = ("tag", self._load(name), index, literals)
            elif (call := self._builtin_call(check, "isinstance", 2)) is not None and self._is_tracked(call.args[0]):
                name = call.args[0].id  # type: ignore[attr-defined]  # a Name, as checked
                classinfo = self.expr(call.args[1])
                if classinfo is None:
                    continue
                narrowed = ("nisa" if negated else "isa", self._load(name), classinfo)
            elif not negated and (attribute := self._hasattr_test(check)) is not None:
                name = attribute[0]
                narrowed = ("hasa", self._load(name), attribute[1])
            elif not negated and (exact := self._type_test(check)) is not None:
                name = exact[0]
                classinfo = self.expr(exact[1])
                if classinfo is None:
                    continue
                narrowed = ("tisa", self._load(name), classinfo)
            else:
                continue
            if narrowed[1] is not None:
                source = narrowed[1]
                key = self._store_key(name, declared=False)
                self.cons.append(("as", self.caller, ("v", key), narrowed))
                if isinstance(key, str) and source[0] in {"v", "u"}:
                    parts = (source,) if source[0] == "v" else source[1]
                    narrows = frozenset().union(*(self.narrowed_from.get(part[1], {part[1]}) for part in parts))
                    if key not in narrows:  # a fresh version, not the variable itself
                        self.narrowed_from[key] = narrows

    def _narrowed_attributes(self, test: ast.expr) -> dict[tuple[Expr, str], tuple[str | None, tuple[str, Any]]]:
        """Attributes of locals that ``test`` (alone or as a conjunct of an ``and``)
        checks with ``isinstance`` or ``hasattr``, narrowed as :meth:`_narrow` narrows
        locals: reading ``x.a`` in the body then gives only the values that pass."""
        checks = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        out: dict[tuple[Expr, str], tuple[str | None, tuple[str, Any]]] = {}
        for check in checks:
            call = self._builtin_call(check, "isinstance", 2) or self._builtin_call(check, "hasattr", 2)
            if call is None or not isinstance(call.args[0], ast.Attribute) or not isinstance(call.args[0].value, ast.Name):
                continue
            target = call.args[0]
            base = self._load(target.value.id)  # type: ignore[attr-defined]  # a Name, as checked
            second = call.args[1]
            if call.func.id == "hasattr":  # type: ignore[attr-defined]  # a Name, as checked
                if isinstance(second, ast.Constant) and isinstance(second.value, str):
                    out[(base, target.attr)] = (self.function_id, ("hasa", second.value))
            else:
                classinfo = self.expr(second)
                if classinfo is not None:
                    out[(base, target.attr)] = (self.function_id, ("isa", classinfo))
        return out

    def _type_test(self, node: ast.expr) -> tuple[str, ast.expr] | None:
        """(local, class expression) when ``node`` is ``type(local) is C`` (or ``==``,
        either way round)."""
        if not isinstance(node, ast.Compare) or len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Is, ast.Eq)):
            return None
        for side, other in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
            call = self._builtin_call(side, "type", 1)
            if call is not None and self._is_tracked(call.args[0]):
                return call.args[0].id, other  # type: ignore[attr-defined]  # a Name, as checked
        return None

    def _hasattr_test(self, node: ast.expr) -> tuple[str, str] | None:
        """(local, attribute) when ``node`` is ``hasattr(local, "attribute")``."""
        call = self._builtin_call(node, "hasattr", 2)
        if (
            call is not None
            and self._is_tracked(call.args[0])
            and isinstance(call.args[1], ast.Constant)
            and isinstance(call.args[1].value, str)
        ):
            return call.args[0].id, call.args[1].value  # type: ignore[attr-defined]  # a Name, as checked
        return None

    def _builtin_call(self, node: ast.expr, name: str, arity: int) -> ast.Call | None:
        """``node`` when it calls the builtin ``name`` (not shadowed here) with ``arity``
        positional arguments and nothing else."""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == name
            and len(node.args) == arity
            and not node.keywords
            and self._load(name) == ("g", self.module_id, name)
        ):
            return node
        return None

    def _is_tracked(self, node: ast.expr) -> bool:
        """Whether ``node`` is a local this scope tracks flow-sensitively (one to narrow)."""
        return isinstance(node, ast.Name) and node.id in self.state

    def _tag_test(self, node: ast.expr) -> tuple[str, int, frozenset[tuple[Any, ...]]] | None:
        """(local, index, literal values) when ``node`` compares an item of a local with literals."""
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            parts = [self._tag_test(value) for value in node.values]
            if not parts or any(p is None or p[:2] != parts[0][:2] for p in parts):  # type: ignore[index]
                return None
            return parts[0][0], parts[0][1], frozenset().union(*(p[2] for p in parts))  # type: ignore[index]
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            return None
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if isinstance(op, ast.Eq):
            if isinstance(left, ast.Constant):
                left, right = right, left
            choices = [right]
        elif isinstance(op, ast.In) and isinstance(right, (ast.Set, ast.Tuple, ast.List)):
            choices = list(right.elts)
        else:
            return None
        subject = self._tag_subject(left)
        literals = [_literal(c.value) if isinstance(c, ast.Constant) else None for c in choices]
        if subject is None or not literals or any(lit is None or lit[0] != "lit" for lit in literals):
            return None
        return subject[0], subject[1], frozenset(("K", *lit[1:]) for lit in literals)  # type: ignore[index]

    def _tag_subject(self, node: ast.expr) -> tuple[str, int] | None:
        """(local, index) for ``x[i]`` with a literal index, or a local assigned one and unchanged since."""
        if isinstance(node, ast.Name):
            alias = self.item_aliases.get(node.id)
            if alias is None or self.state.get(node.id) != alias[2] or self.state.get(alias[0]) != alias[3]:
                return None
            return alias[0], alias[1]
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in self.state
            and isinstance(node.slice, ast.Constant)
            and type(node.slice.value) is int
        ):
            return node.value.id, node.slice.value
        return None

    def _note_item_alias(self, target: ast.expr, value: ast.expr) -> None:
        """Remember ``t = x[i]`` (both flow-sensitive locals), for tests of ``t`` to narrow ``x``."""
        if isinstance(target, ast.Name) and target.id in self.state:
            subject = self._tag_subject(value) if isinstance(value, ast.Subscript) else None
            if subject is not None:
                self.item_aliases[target.id] = (*subject, self.state[target.id], self.state[subject[0]])

    def _bind_name(self, name: str, value: Expr) -> None:
        key = self._store_key(name)
        if self.known.contents:
            scope = self.scope
            private = (  # no other code can reach the variable
                scope.kind == "function"
                and not scope.encloses
                and not self.comp_stack
                and self._is_local(scope, name)
                and self._flow_sensitive(scope, name)
            )
            self.known.bind(key, value, private)
        if value is not None:
            self.cons.append(("as", self.caller, ("v", key), value))

    # ---- flow helpers ---------------------------------------------------------------------

    def _phi(self, stmts: Sequence[ast.AST]) -> dict[str, str]:
        """Give every name a block assigns a phi variable joining all its bindings."""
        phis: dict[str, str] = {}
        if self.scope.kind not in {"function", "module"} or self.comp_stack:
            return phis
        for name in sorted(_assigned_names(stmts)):
            if not self._is_local(self.scope, name) or not self._flow_sensitive(self.scope, name):
                continue
            summary = self._summary(self.scope, name)
            number = self.versions.get(summary, 0) + 1
            self.versions[summary] = number
            key = f"{summary}#{number}"
            for prior in sorted(self.state.get(name, ())):
                self.cons.append(("cp", prior, key))
            self.state[name] = frozenset((key,))
            phis[name] = key
        return phis

    def _close_phi(self, phis: dict[str, str], start_versions: dict[str, int]) -> None:
        """Feed every binding made since the phi was opened back into it."""
        for name, key in phis.items():
            summary = self._summary(self.scope, name)
            first = start_versions.get(summary, 0)
            for number in range(first + 1, self.versions.get(summary, 0) + 1):
                other = f"{summary}#{number}"
                if other != key:
                    self.cons.append(("cp", other, key))

    @staticmethod
    def _merge(*states: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}
        for state in states:
            for name, keys in state.items():
                out[name] = out.get(name, frozenset()) | keys
        return out

    # ---- statements -----------------------------------------------------------------------

    def body(self, stmts: list[ast.stmt]) -> None:
        known = self.known
        narrowed = self.narrowed_attributes  # an ``assert`` narrows to the end of its block
        for stmt in stmts:
            if isinstance(stmt, _STRAIGHT_LINE):
                self.stmt(stmt)
            else:
                known.forget()
                self.stmt(stmt)
                known.forget()
        self._end_narrowing(narrowed)

    def _end_narrowing(self, outer: dict[tuple[Expr, str], tuple[str | None, tuple[str, Any]]]) -> None:
        """Go back to the attribute narrowings ``outer`` held, less those that an
        assignment ended since."""
        current = self.narrowed_attributes
        if current is not outer:
            self.narrowed_attributes = {key: value for key, value in outer.items() if key in current}

    def stmt(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(node)
        elif isinstance(node, ast.ClassDef):
            self.class_def(node)
        elif isinstance(node, ast.Assign):
            value = self._alias_or(node.targets[0], node.value, self._assigned(node.value))
            for target in node.targets:
                self.assign(target, value)
            if len(node.targets) == 1:
                self._note_item_alias(node.targets[0], node.value)
        elif isinstance(node, ast.AnnAssign):
            self._declare(node.target, node.annotation)
            if node.value is not None:
                self.assign(node.target, self._alias_or(node.target, node.value, self._assigned(node.value)))
            elif not isinstance(node.target, ast.Name):
                self.expr(node.target)
        elif type(node).__name__ == "TypeAlias":  # 3.12+: ``type Name = value``
            name = node.name  # type: ignore[attr-defined]  # not in 3.11's ast
            self.assign(name, self._alias_or(name, node.value, None))  # type: ignore[attr-defined]
        elif isinstance(node, ast.AugAssign):
            value = self.expr(node.value)
            current = self.expr(_as_load(node.target))
            self._binary(node, node.op, current, value, augmented=True)
            self.assign(node.target, ("op", type(node.op).__name__, current, value))
        elif isinstance(node, ast.Expr):
            self._use(self.expr(node.value))
        elif isinstance(node, ast.Return):
            value = self.expr(node.value) if node.value is not None else None
            if self.function_id is not None:
                self.returns.setdefault(self.function_id, []).append(value)
                if value is not None:
                    self.cons.append(("ret", self.function_id, value))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            iterable = self.expr(node.iter)
            before = dict(self.state)
            start = dict(self.versions)
            phis = self._phi([node.target, *node.body])
            self.cons.append(("for", self.caller, iterable, self._id(node)))
            self.assign(node.target, ("it", iterable))
            self.body(node.body)
            self._close_phi(phis, start)
            self.state = self._merge(before, self.state)
            self.body(node.orelse)
        elif isinstance(node, ast.While):
            before = dict(self.state)
            start = dict(self.versions)
            phis = self._phi([node.test, *node.body])
            self._use(self.expr(node.test))
            self.body(node.body)
            self._close_phi(phis, start)
            self.state = self._merge(before, self.state)
            self.body(node.orelse)
        elif isinstance(node, ast.If):
            self._use(self.expr(node.test))
            before = dict(self.state)
            self._narrow(node.test)
            outer = self.narrowed_attributes
            self.narrowed_attributes = {**outer, **self._narrowed_attributes(node.test)}
            self.body(node.body)
            self._end_narrowing(outer)
            after_body = self.state
            self.state = dict(before)
            leaves = _always_leaves(node.body)
            if node.orelse or leaves:
                self._narrow(node.test, negated=True)
            self.body(node.orelse)
            if not leaves:
                self.state = self._merge(after_body, self.state)
            # else only the ``else`` branch goes on: after ``if not isinstance(x, C):
            # return``, ``x`` stays narrowed, and nothing the body bound reaches past it.
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.expr(item.context_expr)
                target = None
                if item.optional_vars is not None:
                    target_key = ("with", self._id(item.context_expr))
                    self.cons.append(("with", self.caller, target_key, value, self._id(item.context_expr)))
                    self.assign(item.optional_vars, ("v", target_key))
                else:
                    self.cons.append(("with", self.caller, target, value, self._id(item.context_expr)))
            self.body(node.body)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self.try_stmt(node)  # type: ignore[arg-type]
        elif isinstance(node, ast.Raise):
            if isinstance(node.exc, ast.Call):
                self.expr(node.exc)
            elif node.exc is not None:
                exc_id = self._id(node.exc)
                value = self.expr(node.exc)
                self.cons.append(("call", self.caller, f"raise:{exc_id}", exc_id, value, (), (), "raise"))
            if node.cause is not None:
                self.expr(node.cause)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                self.import_alias(alias, alias.name, None, 0)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                self.import_alias(alias, node.module, alias.name, node.level or 0)
        elif isinstance(node, ast.Match):
            self.match(node)
        elif isinstance(node, ast.Assert):
            self._use(self.expr(node.test))
            if node.msg is not None:
                self.expr(node.msg)
            # Past it the test holds: the rest of the block reads what it narrows.
            self._narrow(node.test)
            self.narrowed_attributes = {**self.narrowed_attributes, **self._narrowed_attributes(node.test)}
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    continue
                if isinstance(target, ast.Subscript):
                    loaded = self._subscript(target, "__delitem__")
                else:
                    loaded = self.expr(_as_load(target))
                if isinstance(target, ast.Subscript) and loaded is not None and loaded[0] == "s":
                    # ``del seq[i]`` moves the elements after ``i``: its indices shift.
                    self.cons.append(("del", self.caller, loaded[1]))
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)
                elif isinstance(child, ast.stmt):
                    self.stmt(child)

    def try_stmt(self, node: ast.Try) -> None:
        before = dict(self.state)
        start = dict(self.versions)
        phis = self._phi(node.body)
        self.state = dict(before)
        self.body(node.body)
        self._close_phi(phis, start)
        self.body(node.orelse)
        ends = [dict(self.state)]
        entry = self._merge(before, {name: frozenset((key,)) for name, key in phis.items()})
        for handler in node.handlers:
            self.state = dict(entry)
            if handler.type is not None:
                types = self.expr(handler.type)
                if handler.name:
                    key = self._store_key(handler.name)
                    self.cons.append(("exc", self.caller, key, types))
            self.body(handler.body)
            ends.append(dict(self.state))
        self.state = self._merge(*ends)
        self.body(node.finalbody)

    def match(self, node: ast.Match) -> None:
        subject = self.expr(node.subject)
        before = dict(self.state)
        ends = [before]
        for case in node.cases:
            self.state = dict(before)
            self.pattern(case.pattern, subject)
            if case.guard is not None:
                self.expr(case.guard)
            self.body(case.body)
            ends.append(dict(self.state))
        self.state = self._merge(*ends)

    def pattern(self, pattern: ast.pattern, subject: Expr) -> None:
        if isinstance(pattern, ast.MatchAs):
            if pattern.pattern is not None:
                self.pattern(pattern.pattern, subject)
            if pattern.name:
                self._bind_name(pattern.name, subject)
            return
        if isinstance(pattern, ast.MatchOr):
            for sub in pattern.patterns:
                self.pattern(sub, subject)
            return
        if isinstance(pattern, ast.MatchValue):
            self.expr(pattern.value)
            return
        if isinstance(pattern, ast.MatchClass):
            self.expr(pattern.cls)
        for child in ast.iter_child_nodes(pattern):
            if isinstance(child, ast.pattern):
                self.pattern(child, None)
        if isinstance(pattern, ast.MatchStar) and pattern.name:
            self._bind_name(pattern.name, None)
        if isinstance(pattern, ast.MatchMapping) and pattern.rest:
            self._bind_name(pattern.rest, None)

    def import_alias(self, alias: ast.alias, module: str | None, name: str | None, level: int) -> None:
        node_id = self._id(alias)
        self.imports.append(ImportFact(node_id, module, name, alias.asname, level, self.scope.node_id))
        if name == "*":
            return
        if name is None:
            assert module is not None
            if alias.asname:
                value: Expr = ("imp", node_id, "module", module)
                self._bind_name(alias.asname, value)
            else:
                top = module.split(".")[0]
                self._bind_name(top, ("imp", node_id, "top", module))
        else:
            self._bind_name(alias.asname or name, ("imp", node_id, "from", name))

    def assign(self, target: ast.expr, value: Expr) -> None:
        if isinstance(target, ast.Name):
            self._bind_name(target.id, value)
            return
        if self.known.contents:
            self.known.escape(value)
        if isinstance(target, ast.Attribute):
            obj = self.expr(target.value)
            if self.narrowed_attributes:  # the test no longer holds for such an attribute
                self.narrowed_attributes = {
                    key: narrowing for key, narrowing in self.narrowed_attributes.items() if key[1] != target.attr
                }
            self._note_instance_attribute(target)
            if value is not None:
                self.cons.append(("as", self.caller, ("a", obj, target.attr, self._id(target)), value))
        elif isinstance(target, ast.Subscript):
            obj = self._evaluate(target.value)  # the container: it does not escape
            key = self.expr(target.slice)
            self._operator(target, obj, "__setitem__", key, value)
            if self.known.contents:
                site = self.known.site_of(obj)
                if site is not None:
                    self.known.store(site, literal_key(target.slice), value)
            if value is not None:
                self.cons.append(("as", self.caller, ("s", obj, key, 0), value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            star = next((i for i, e in enumerate(elts) if isinstance(e, ast.Starred)), -1)
            for i, elt in enumerate(elts):
                if value is None:
                    self.assign(elt.value if isinstance(elt, ast.Starred) else elt, None)
                elif i == star:
                    site = self._id(elt)
                    new = ("n", "list", site)
                    self.cons.append(("star", ("L", "list", site), value, i, len(elts) - i - 1))
                    self.assign(elt.value, new)  # type: ignore[attr-defined]
                elif star < 0:
                    self.assign(elt, ("s", value, ("lit", "int", i), len(elts)))
                elif i < star:
                    self.assign(elt, ("s", value, ("lit", "int", i), STARRED_UNPACK))
                else:
                    self.assign(elt, ("s", value, ("lit", "int", i - len(elts)), STARRED_UNPACK))
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value)
        else:
            self.expr(target)

    # ---- definitions --------------------------------------------------------------------

    def _params(self, fn_id: str, args: ast.arguments) -> tuple[ParamFact, ...]:
        out: list[ParamFact] = []
        positional = [*args.posonlyargs, *args.args]
        n_defaults = len(args.defaults)
        first_default = len(positional) - n_defaults
        for i, arg in enumerate(positional):
            kind = "posonly" if i < len(args.posonlyargs) else "regular"
            default = self._id(args.defaults[i - first_default]) if i >= first_default else None
            out.append(ParamFact(self._id(arg), arg.arg, kind, f"{fn_id}:{arg.arg}#0", i >= first_default, default))
        if args.vararg:
            out.append(ParamFact(self._id(args.vararg), args.vararg.arg, "vararg", f"{fn_id}:{args.vararg.arg}#0", False))
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            out.append(
                ParamFact(
                    self._id(arg), arg.arg, "kwonly", f"{fn_id}:{arg.arg}#0",
                    kw_default is not None,
                    self._id(kw_default) if kw_default is not None else None,
                )
            )
        if args.kwarg:
            out.append(ParamFact(self._id(args.kwarg), args.kwarg.arg, "kwarg", f"{fn_id}:{args.kwarg.arg}#0", False))
        return tuple(out)

    def _defaults(self, fn_id: str, args: ast.arguments) -> None:
        positional = [*args.posonlyargs, *args.args]
        pairs = [*zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)]
        pairs += [(arg, d) for arg, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
        values = self.default_values[fn_id] = {}
        for arg, default in pairs:
            value = values[arg.arg] = self.expr(default)
            if value is not None:
                self.cons.append(("as", self.caller, ("v", f"{fn_id}:{arg.arg}#0"), value))

    def _decorate(self, decorators: list[ast.expr], value: Expr) -> Expr:
        decorator_values = [(d, self.expr(d)) for d in decorators]
        for decorator, dec_value in reversed(decorator_values):
            call_key = f"dec:{self._id(decorator)}"
            self.cons.append(
                ("call", self.caller, call_key, self._id(decorator), dec_value, ((value, False, None),), (), "decorator")
            )
            value = ("c", call_key)
        return value

    def _passes_param(self, call_key: str, params: dict[str, str], vararg: str | None) -> bool:
        """Whether call ``call_key`` is passed one of ``params`` (by variable) as a plain
        argument, or spreads the ``vararg`` variable (``g(*args)``) as its last positional one."""
        position = self.call_positions.get(call_key)
        if position is None:
            return False
        _, _, _, _, _, args, kwargs, _ = self.cons[position]
        if args and args[-1][1] and args[-1][0] == ("v", vararg):
            return True
        exprs = [a for a, starred, _ in args if not starred] + [v for _, v, _ in kwargs]
        return any(e is not None and e[0] == "v" and e[1] in params for e in exprs)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> Expr:
        fn_id = self._id(node)
        qualname = self.index.qualname[self.index.row(node)] or ""
        is_lambda = isinstance(node, ast.Lambda)
        class_id = self.class_stack[-1] if self.scope.kind == "class" else None
        method_kind = "function"
        if class_id is not None:
            method_kind = "method"
            if not is_lambda:
                method_kind = _decorator_kind(node) or "method"  # type: ignore[arg-type]
                if node.name == "__new__" and method_kind in {"method", "static"}:  # type: ignore[union-attr]
                    method_kind = "new"  # a static method Python passes the class to
        self.functions.append(
            FunctionFact(
                fn_id,
                qualname,
                "<lambda>" if is_lambda else node.name,  # type: ignore[union-attr]
                class_id,
                self._params(fn_id, node.args),
                self.index.row(node) in self.generator_rows,
                isinstance(node, ast.AsyncFunctionDef),
                is_lambda,
                method_kind,
            )
        )
        position = len(self.functions) - 1
        start = len(self.cons)
        self._defaults(fn_id, node.args)
        defaults = (start, len(self.cons))
        value: Expr = ("f", fn_id)
        if method_kind == "new" and not node.decorator_list:  # type: ignore[union-attr]
            value = ("sm", fn_id)
        if not is_lambda:
            value = self._decorate(node.decorator_list, value)  # type: ignore[union-attr]
            self._bind_name(node.name, value)  # type: ignore[union-attr]
        start = len(self.cons)
        self._enter_function(node, fn_id, receiver=method_kind not in {"function", "static", "new"})
        self._split_returns(position)
        scope = self.scopes[id(node)]
        parent = scope.parent
        if class_id is None and not scope.encloses and not scope.nonlocals and parent is not None and parent.kind == "function":
            self.closure_candidates.setdefault(parent.node_id, []).append((position, (defaults, (start, len(self.cons)))))
        self._mark_closures(scope, node.args)
        return value

    def _mark_closures(self, scope: _Scope, args: ast.arguments) -> None:
        """Record which functions defined in ``scope``'s function read parameters of it
        that it never rebinds."""
        fn_id = scope.node_id
        candidates = self.closure_candidates.pop(fn_id, None)
        if not candidates:
            return
        fixed = {
            f"{fn_id}:{arg.arg}": arg.arg
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]
            if f"{fn_id}:{arg.arg}" not in self.versions and arg.arg not in scope.written_from_inside
        }
        if not fixed:
            return
        for position, spans in candidates:
            read = _variables_read([c for a, b in spans for c in self.cons[a:b]], fixed.keys())
            if read:
                self.functions[position] = replace(
                    self.functions[position],
                    enclosing=fn_id,
                    closure_params=tuple(sorted(fixed[var] for var in read)),
                    spans=spans,
                )

    def _annotations(self, node: ast.FunctionDef | ast.AsyncFunctionDef, fn_id: str, receiver: bool) -> None:
        """``ann`` constraints for the annotated parameters and the return of ``node``.

        Read from the function's own scope, as ``typing.get_type_hints`` reads them
        after the module has run, so forward references find their class. The
        receiver of a method and ``*args``/``**kwargs`` are left out.
        """
        args = node.args
        named = [*args.posonlyargs, *args.args][1 if receiver else 0 :] + args.kwonlyargs
        for arg in named:
            if arg.annotation is not None:
                self._annotation(f"{fn_id}:{arg.arg}#0", arg.annotation, None)
        if node.returns is not None and self.index.row(node) not in self.generator_rows:
            self._annotation(("ret", fn_id), node.returns, fn_id)

    def _alias_or(self, target: ast.expr, value_node: ast.expr, value: Expr) -> Expr:
        """``value``, joined by the alias value ``("TA", module_id, name)`` when this
        binds one of the module's type aliases (annotations reading the name, here or
        where it is imported, name what the alias stands for)."""
        if not (
            isinstance(target, ast.Name)
            and self.scope is self.module_scope
            and self.type_aliases.get(target.id) is value_node
        ):
            return value
        alias: Expr = ("val", ("TA", self.module_id, target.id))
        return alias if value is None else ("u", (value, alias))

    def exported_aliases(self) -> tuple[tuple[str, tuple[tuple[str, Expr], ...]], ...]:
        """The module's type aliases with their annotation parts, read in the module's scope."""
        out = []
        for name, value in sorted(self.type_aliases.items()):
            parts = self._annotation_parts(value)
            if parts:
                out.append((name, parts))
        return tuple(out)

    def _declare(self, target: ast.expr, annotation: ast.expr) -> None:
        """Take in an annotated assignment's annotation, before its value is bound.

        ``x: T`` in a class body and ``self.x: T`` in a method annotate an attribute
        (an ``anna`` constraint). Elsewhere ``x: T`` declares the variable: each
        binding of ``x`` in the scope from there on gets an ``ann`` constraint.
        """
        if isinstance(target, ast.Name):
            if self.comp_stack:
                return
            parts = self._annotation_parts(annotation)
            if not parts:
                return
            if self.scope.kind == "class":
                self.cons.append(("anna", self.class_stack[-1], target.id, parts, self._id(annotation)))
            else:
                self.declared[target.id] = (parts, self._id(annotation))
        elif isinstance(target, ast.Attribute):
            class_id = self._note_instance_attribute(target)
            if class_id is None:
                return
            parts = self._annotation_parts(annotation)
            if parts:
                self.cons.append(("anna", class_id, target.attr, parts, self._id(annotation)))

    def _receiver_attribute(self, target: ast.expr) -> str | None:
        """The class whose instance ``target`` (``self.x`` in a method's own body) is an attribute of."""
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and self.receiver is not None
            and target.value.id == self.receiver[1]
            and not self.comp_stack
        ):
            return self.receiver[0]
        return None

    def _note_instance_attribute(self, target: ast.Attribute) -> str | None:
        """Record ``self.x`` as an instance attribute of the method's class; return that class."""
        class_id = self._receiver_attribute(target)
        if class_id is not None:
            self.instance_names.setdefault(class_id, set()).add(target.attr)
        return class_id

    def _annotation(self, target: object, annotation: ast.expr, returned_by: str | None) -> None:
        parts = self._annotation_parts(annotation)
        if parts:
            self.cons.append(("ann", target, parts, returned_by, self._id(annotation)))

    def _annotation_parts(self, annotation: ast.expr) -> tuple[tuple[str, Expr], ...]:
        parts = []
        for mode, name in annotation_parts(annotation):
            value = self._annotation_value(name)
            if value is not None:
                parts.append((mode, value))
        return tuple(parts)

    def _annotation_value(self, node: ast.expr) -> Expr:
        """The class a dotted name in an annotation reads; None for a builtin."""
        if isinstance(node, ast.Attribute):
            base = self._annotation_value(node.value)
            return None if base is None else ("a", base, node.attr, None)
        assert isinstance(node, ast.Name)
        value = self._load(node.id)
        return None if value is not None and value[0] == "g" and node.id in _BUILTIN_NAMES else value

    def _split_returns(self, position: int) -> None:
        """Record which parameters the function returns unchanged, and the rest of its returns.

        Each returned expression (a union of reaching definitions taken part by part)
        is a parameter as the function received it, a call passed such a parameter,
        or rest. The rest goes into ``retx`` constraints only when one of the first two
        kinds is there too; otherwise the ``ret`` constraints already hold exactly the rest.
        """
        fact = self.functions[position]
        returned = self.returns.pop(fact.node_id, [])
        defaults = self.default_values.pop(fact.node_id, {})
        if fact.is_generator:
            return
        # ``*args`` and ``**kwargs`` are not taken from a call's arguments: returned, they
        # are the function's own tuple and dict, which are rest.
        params = {p.var: p.name for p in fact.params if p.kind not in {"vararg", "kwarg"}}
        vararg = next((p.var for p in fact.params if p.kind == "vararg"), None)
        names: set[str] = set()
        calls: list[str] = []
        rest: list[Expr] = []
        for expr in returned:
            if expr is None:
                continue
            for part in expr[1] if expr[0] == "u" else (expr,):
                if part[0] == "v" and part[1] in params:
                    names.add(params[part[1]])
                elif part[0] == "c" and self._passes_param(part[1], params, vararg):
                    calls.append(part[1])
                else:
                    rest.append(part)
        if not names and not calls:
            return
        for part in rest:
            self.cons.append(("retx", fact.node_id, part))
        for call_key in calls:
            self.cons.append(("retc", fact.node_id, call_key))
        self.functions[position] = replace(
            fact,
            returns_params=tuple(sorted(names)),
            returns_rest=bool(rest),
            returns_calls=bool(calls),
            defaults=tuple((name, value) for name, value in defaults.items() if value is not None),
        )

    def _enter_function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, fn_id: str, receiver: bool
    ) -> None:
        saved = (
            self.scope, self.caller, self.function_id, self.state, self.comp_stack, self.receiver, self.declared,
            self.item_aliases,
        )
        class_id = self.class_stack[-1] if receiver and self.scope.kind == "class" else None
        scope = self.scopes[id(node)]
        self.scope, self.caller, self.function_id = scope, fn_id, fn_id
        self.comp_stack = []
        self.state = {}
        self.declared = {}
        self.item_aliases = {}
        positional = [*node.args.posonlyargs, *node.args.args]
        self.receiver = (class_id, positional[0].arg) if class_id is not None and positional else None
        for arg in _all_args(node.args):
            key = f"{fn_id}:{arg.arg}#0"
            self.cons.append(("cp", key, f"{fn_id}:{arg.arg}"))
            if self._flow_sensitive(scope, arg.arg):
                self.state[arg.arg] = frozenset((key,))
        if isinstance(node, ast.Lambda):
            value = self.expr(node.body)
            self.returns.setdefault(fn_id, []).append(value)
            if value is not None:
                self.cons.append(("ret", fn_id, value))
        else:
            self._annotations(node, fn_id, receiver)
            self.body(node.body)
        (
            self.scope, self.caller, self.function_id, self.state, self.comp_stack, self.receiver, self.declared,
            self.item_aliases,
        ) = saved

    def _assigned(self, node: ast.expr) -> Expr:
        """The value an assignment binds. In a class body, a call by a field specifier's
        name (``x: T = field(...)``, ``Field(...)``, ``attr.ib()``) binds only the
        repository objects it gives (``("own", E)``): a library's specifier describes the
        field the class's generated ``__init__`` sets, and the class keeps no such
        object, but a repository's own ``Field`` class makes a real attribute."""
        value = self._evaluate(node)  # what it is bound to decides whether a dict escapes
        if value is not None and self.scope.kind == "class" and _is_field_specifier(node):
            return ("own", value)
        return value

    def class_def(self, node: ast.ClassDef) -> None:
        class_id = self._id(node)
        bases = tuple((self._id(b), self._base(b)) for b in node.bases)
        for keyword in node.keywords:
            self.expr(keyword.value)
        self.cons.append(("bases", class_id, tuple(e for _, e in bases)))
        scope = self.scopes[id(node)]
        saved = (self.scope, self.state)
        self.scope, self.state = scope, {}
        self.class_stack.append(class_id)
        n_functions = len(self.functions)
        self.body(node.body)
        fields = self._fields(node)  # in the class scope, where the body's names are bound
        self.class_stack.pop()
        self.scope, self.state = saved
        methods = tuple(f.node_id for f in self.functions[n_functions:] if f.class_id == class_id)
        qualname = self.index.qualname[self.index.row(node)] or ""
        decorators = tuple(self.expr(name) for name in map(_decorator_name, node.decorator_list) if name is not None)
        self.classes.append(
            ClassFact(
                class_id, qualname, node.name, bases, frozenset(scope.bound), methods, decorators, fields,
                instance_names=frozenset(self.instance_names.pop(class_id, ())),
            )
        )
        self._bind_name(node.name, self._decorate(node.decorator_list, ("f", class_id)))

    def _base(self, node: ast.expr) -> Expr:
        """A base class expression; a subscripted one (``Mapping[str, int]``,
        ``Generic[T]``) is the class subscripted, as ``__mro_entries__`` makes it."""
        if isinstance(node, ast.Subscript):
            self.expr(node.slice)
            return self.expr(node.value)
        return self.expr(node)

    def _fields(self, node: ast.ClassDef) -> tuple[FieldFact, ...]:
        """The fields of a class body, as a generated ``__init__`` takes them: annotated
        names, and names assigned a field specifier (``x = attr.ib()``) without one."""
        keyword_only = any(
            isinstance(d, ast.Call) and any(k.arg == "kw_only" and _is_true(k.value) for k in d.keywords)
            for d in node.decorator_list
        )
        fields: list[FieldFact] = []
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                name, value, annotated = statement.target.id, statement.value, True
                marker = _annotation_marker(statement.annotation)
            elif (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and _is_field_specifier(statement.value)
            ):
                name, value, annotated, marker = statement.targets[0].id, statement.value, False, None
            else:
                continue
            if marker == "ClassVar":
                continue
            if marker == "KW_ONLY":
                keyword_only = True
                continue
            kind = "initvar" if marker == "InitVar" else "keyword" if keyword_only else "positional"
            factory: Expr = None
            specified = _is_field_specifier(value)
            if specified:
                for keyword in value.keywords:  # type: ignore[union-attr]  # a call, as checked
                    if keyword.arg == "init" and _is_false(keyword.value):
                        kind = "no_init"
                    elif keyword.arg == "kw_only" and _is_true(keyword.value) and kind == "positional":
                        kind = "keyword"
                    elif keyword.arg in {"default_factory", "factory"} and dotted_name(keyword.value) is not None:
                        factory = self.expr(keyword.value)
            fields.append(FieldFact(name, kind, factory, annotated=annotated, specified=specified))
        return tuple(fields)

    # ---- expressions ---------------------------------------------------------------------

    def expr(self, node: ast.expr | None) -> Expr:
        """The fact expression of ``node``, a value that may go anywhere from here: a
        dict it is stops being tracked (see :mod:`codeanatomy.resolve._known_dicts`)."""
        value = self._evaluate(node)
        if self.known.contents:
            self.known.escape(value)
        return value

    def _evaluate(self, node: ast.expr | None) -> Expr:
        """:meth:`expr` for a use that lets no dict escape (a subscript's container, a
        value bound to a name)."""
        if node is None:
            return None
        if isinstance(node, ast.Name):
            return self._load(node.id)
        if isinstance(node, ast.Constant):
            return _literal(node.value)
        if isinstance(node, ast.Attribute):
            read = ("a", self.expr(node.value), node.attr, self._id(node))
            if self.narrowed_attributes:
                narrowing = self.narrowed_attributes.get((read[1], node.attr))
                if narrowing is not None and narrowing[0] == self.function_id:
                    kind, detail = narrowing[1]
                    return (kind, read, detail)
            return read
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            # A dict subclass without ``__getitem__`` of its own calls ``__missing__``.
            return self._subscript(node, ("__getitem__", "__missing__"))
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            kind = {ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}[type(node)]
            new = ("n", kind, self._id(node))
            star_seen = False
            for i, elt in enumerate(node.elts):
                if isinstance(elt, ast.Starred):
                    star_seen = True
                    value = self.expr(elt.value)
                    if value is not None:
                        self.cons.append(("as", self.caller, ("s", new, None, 0), ("it", value)))
                    continue
                value = self.expr(elt)
                if value is not None:
                    key = None if (star_seen or kind == "set") else ("lit", "int", i)
                    self.cons.append(("as", self.caller, ("s", new, key, 0), value))
            return new
        if isinstance(node, ast.Dict):
            site = self._id(node)
            new = ("n", "dict", site)
            items: dict[tuple[str, object], Expr] = {}
            tracked = True
            for key_node, value_node in zip(node.keys, node.values, strict=True):
                value = self._evaluate(value_node)  # it escapes with the dict (see below)
                literal = literal_key(key_node)
                tracked = tracked and literal is not None
                items[literal or ("at", len(items))] = value
                if key_node is None:
                    if value is not None:
                        self.cons.append(("as", self.caller, ("s", new, None, 0), ("s", value, None, 0)))
                    continue
                key = self.expr(key_node)
                if value is not None:
                    self.cons.append(("as", self.caller, ("s", new, key, 0), value))
            if tracked:
                self.known.display(site, items)
            elif self.known.contents:
                for value in items.values():
                    self.known.escape(value)
            return new
        if isinstance(node, _COMPS):
            self.known.forget()  # its body may run later (a generator) or many times
            return self.comprehension(node)
        if isinstance(node, ast.Lambda):
            self.known.forget()  # its body runs later
            return self.function(node) if self.call_prefix is None else None
        if isinstance(node, ast.BoolOp):
            parts = tuple(p for p in (self.expr(v) for v in node.values) if p is not None)
            return ("u", parts) if parts else None
        if isinstance(node, ast.IfExp):
            self._use(self.expr(node.test))
            parts = tuple(p for p in (self.expr(node.body), self.expr(node.orelse)) if p is not None)
            return ("u", parts) if parts else None
        if isinstance(node, ast.BinOp):
            left, right = self.expr(node.left), self.expr(node.right)
            self._binary(node, node.op, left, right)
            if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
                self._percent_format(node, node.left.value, node.right)
            return ("op", type(node.op).__name__, left, right)
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand)
            if isinstance(node.op, ast.Not):
                self._use(operand)
                return ("t", "bool")
            self._operator(node, operand, _UNARY_METHODS[type(node.op)])
            return operand
        if isinstance(node, ast.Compare):
            operand = self.expr(node.left)
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.expr(comparator)
                method = _COMPARE_METHODS.get(type(op))
                # Each side is read even when no special method takes it as its
                # receiver: ``x.prop is None``, ``x.prop in items``.
                if method == "__contains__":
                    self._operator(node, right, method, operand)
                    self._use(operand)
                elif method is not None:
                    self._operator(node, operand, method, right)
                    self._use(right)
                else:
                    self._use(operand)
                    self._use(right)
                operand = right
            return ("t", "bool")
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                self.expr(part)
            head = node.values[0] if node.values else None
            if isinstance(head, ast.Constant) and isinstance(head.value, str) and len(node.values) > 1:
                # ``f"visit_{kind}"``: a string starting with ``visit_``, as ``"visit_" + kind`` is.
                return ("op", "Add", _literal(head.value), ("t", "str"))
            return ("t", "str")
        if isinstance(node, ast.FormattedValue):
            value = self.expr(node.value)
            self._operator(node, value, _CONVERSION_METHODS.get(node.conversion, FORMAT_METHODS))
            if node.format_spec is not None:
                self.expr(node.format_spec)
            return ("t", "str")
        if isinstance(node, ast.Await):
            value = self.expr(node.value)
            self.known.call_made()  # other code runs while it waits
            return value
        if isinstance(node, ast.Yield):
            value = self.expr(node.value) if node.value is not None else None
            self.known.call_made()  # other code runs until the generator resumes
            if self.function_id is not None and value is not None:
                self.cons.append(("yld", self.function_id, value))
            return None
        if isinstance(node, ast.YieldFrom):
            value = self.expr(node.value)
            self.known.call_made()
            if self.function_id is not None and value is not None:
                self.cons.append(("yld", self.function_id, ("it", value)))
            return None
        if isinstance(node, ast.NamedExpr):
            value = self.expr(node.value)
            scope = self.scope
            comps, self.comp_stack = self.comp_stack, []
            self.scope = _nearest_function_or_module(scope)
            self.assign(node.target, value)
            self.scope, self.comp_stack = scope, comps
            return value
        if isinstance(node, ast.Starred):
            return self.expr(node.value)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child)
        return None

    @staticmethod
    def _int_bound(node: ast.expr | None) -> int | None | bool:
        """A literal slice bound (None when absent), False when not a literal int."""
        if node is None:
            return None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            value = node.operand.value
            return -value if isinstance(value, int) and not isinstance(value, bool) else False
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        return False

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> Expr:
        kind = {ast.ListComp: "list", ast.SetComp: "set", ast.DictComp: "dict", ast.GeneratorExp: "generator"}[type(node)]
        new = ("n", kind, self._id(node))
        first = self.expr(node.generators[0].iter)
        self.comp_stack.append(self.scopes[id(node)])
        for i, gen in enumerate(node.generators):
            iterable = first if i == 0 else self.expr(gen.iter)
            if iterable is not None:
                self.cons.append(("for", self.caller, iterable, self._id(gen.iter)))
            self.assign(gen.target, ("it", iterable) if iterable is not None else None)
            for cond in gen.ifs:
                self._use(self.expr(cond))
        if isinstance(node, ast.DictComp):
            key = self.expr(node.key)
            value = self.expr(node.value)
            if value is not None:
                self.cons.append(("as", self.caller, ("s", new, None, 0), value))
            del key
        else:
            value = self.expr(node.elt)
            if value is not None:
                self.cons.append(("as", self.caller, ("s", new, None, 0), value))
        self.comp_stack.pop()
        return new

    def call(self, node: ast.Call) -> Expr:
        func_node = node.func
        if self.call_prefix is not None:
            self.eval_counter += 1
            call_key = f"{self.call_prefix}~{self.eval_counter}"
            node_id = self.call_prefix
        else:
            call_key = node_id = self._id(node)
        updated = self._updated_dict(func_node)
        func = self.expr(func_node)
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                args.append((self.expr(arg.value), True, self._node(arg.value)))
            else:
                args.append((self.expr(arg), False, self._node(arg)))
        kwargs = tuple((kw.arg, self.expr(kw.value), self._node(kw.value)) for kw in node.keywords)
        if updated is None or not self._update_known(updated, node, kwargs):
            self.known.call_made()
        self.cons.append(("call", self.caller, call_key, node_id, func, tuple(args), kwargs, "call"))
        self.call_positions[call_key] = len(self.cons) - 1
        if self.call_prefix is None and _last_name(func_node) in {"namedtuple", "NamedTuple"}:
            self._named_tuple_class(node, node_id)
        if isinstance(func_node, ast.Attribute) and func_node.attr == "format":
            self._str_format(node, func_node.value, args, kwargs)
        result: Expr = ("c", call_key)
        if isinstance(func_node, ast.Name) and func == ("g", self.module_id, func_node.id):
            result = self._special_builtin_call(func_node.id, node, result)
        return result

    def _updated_dict(self, func_node: ast.expr) -> str | None:
        """The tracked dict ``d`` of a call ``d.update(...)``, before the call escapes it."""
        if not self.known.contents or not isinstance(func_node, ast.Attribute) or func_node.attr != "update":
            return None
        if not isinstance(func_node.value, ast.Name):
            return None
        return self.known.site_of(self._load(func_node.value.id))

    def _update_known(self, site: str, node: ast.Call, kwargs: tuple[tuple[Any, Expr, Any], ...]) -> bool:
        """Apply ``d.update({...})`` or ``d.update(k=v)`` to the tracked dict at ``site``:
        the call runs no code of the program's, so every other dict stays known. False
        when the argument is something else (nothing is known after the call then).

        A call in the arguments (``d.update(k=f())``) may already have forgotten ``site``.
        """
        if site not in self.known.contents:
            return False
        if node.args:
            argument = node.args[0]
            if node.keywords or len(node.args) != 1 or not isinstance(argument, ast.Dict):
                return False
            items = self.known.contents.get(self._id(argument))
            if items is None:
                return False
        elif all(kw.arg is not None for kw in node.keywords):
            items = {("str", name): value for name, value, _ in kwargs}
        else:
            return False
        self.known.update(site, items)
        return True

    def _named_tuple_class(self, node: ast.Call, node_id: str) -> None:
        """The class ``namedtuple("P", "a b")`` or ``NamedTuple("P", [("a", int)])`` makes,
        when its name and fields are literals: a class fact whose node is the call."""
        if len(node.args) < 2 or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
            return
        fields_node = node.args[1]
        if isinstance(fields_node, ast.Name) and self.scope is self.module_scope:
            fields_node = self.module_literals.get(fields_node.id, fields_node)
        names = _tuple_field_names(fields_node)
        if names is None:
            return
        typename = node.args[0].value
        fields = tuple(FieldFact(name, "positional") for name in names)
        self.cons.append(("bases", node_id, (("val", ("BI", "tuple")),)))
        self.classes.append(
            ClassFact(node_id, f"{self.source.module}.{typename}", typename, (), frozenset(), (), fields=fields, tuple_call=True)
        )

    def _subscript(self, node: ast.Subscript, method: str | tuple[str, ...]) -> Expr:
        """What ``node`` reads (a slice view, a stored value, or ``("s", E, key, 0)``);
        a ``dunder`` constraint for ``method``, ``__getitem__`` or (for ``del``)
        ``__delitem__``, where an item is read."""
        if isinstance(node.slice, ast.Slice):
            value = self.expr(node.value)
            bounds = [self._int_bound(b) for b in (node.slice.lower, node.slice.upper)]
            self.expr(node.slice)
            if node.slice.step is None and all(b is not False for b in bounds):
                return ("slice", value, bounds[0], bounds[1])
            return ("slice", value, None, None, True)
        value = self._evaluate(node.value)
        key = self.expr(node.slice)
        site = self.known.site_of(value) if self.known.contents else None
        if site is not None:
            literal = literal_key(node.slice)
            stored = None if literal is None else self.known.read(site, literal)
            if stored is not None:
                return stored
        self._operator(node, value, method, key)
        return ("s", value, key, 0)

    def _use(self, value: Expr) -> None:
        """Keep the attribute reads of ``value``, which nothing else evaluates: an
        expression statement, a test (``if obj.closed:``), the operand of ``not``.
        Reading ``obj.prop`` runs its getter whether or not the value is kept."""
        for read in unkept_reads(value):
            self.cons.append(("use", self.caller, read))

    def _operator(self, node: ast.AST, operand: Expr, method: str | tuple[str, ...], *args: Expr) -> None:
        """A ``dunder`` constraint: the operator ``node`` calls ``method`` (the first of
        those given that the class defines) of ``operand``'s values with ``args`` (only
        instances of repository classes defining it give edges)."""
        if operand is not None and operand[0] not in _PLAIN_OPERANDS and self.call_prefix is None:
            names = (method,) if isinstance(method, str) else method
            self.cons.append(("dunder", self.caller, operand, self._id(node), names, args))

    def _str_format(
        self,
        node: ast.Call,
        receiver: ast.expr,
        args: list[tuple[Expr, bool, str | None]],
        kwargs: tuple[tuple[str | None, Expr, str | None], ...],
    ) -> None:
        """``"{} and {name!r}".format(a, name=b)`` on a literal template: each argument a
        field formats is made text as an f-string field is (``__format__``, or with
        ``!s``/``!r`` the conversion's method)."""
        if not (isinstance(receiver, ast.Constant) and isinstance(receiver.value, str)):
            return
        try:
            fields = [(name, conversion) for _, name, _, conversion in string.Formatter().parse(receiver.value) if name is not None]
        except ValueError:
            return  # a malformed template: the call raises
        automatic = 0
        for name, conversion in fields:
            head = name.split(".", 1)[0].split("[", 1)[0]
            if head == "":
                head, automatic = str(automatic), automatic + 1
            if head.isdigit():
                position = int(head)
                value = args[position][0] if position < len(args) and not args[position][1] else None
            else:
                value = next((v for k, v, _ in kwargs if k == head), None)
            if value is not None and "." not in name and "[" not in name:  # not an attribute or item of it
                methods = _CONVERSION_METHODS.get(ord(conversion), FORMAT_METHODS) if conversion else FORMAT_METHODS
                self._operator(node, value, methods)

    def _percent_format(self, node: ast.BinOp, template: str, arguments: ast.expr) -> None:
        """``"%s: %r" % (a, b)``: each argument is made text by ``__str__`` (``%s``) or
        ``__repr__`` (``%r``, ``%a``), as the template's conversion at its place says."""
        conversions = _PERCENT_CONVERSION.findall(template.replace("%%", ""))
        items = arguments.elts if isinstance(arguments, ast.Tuple) else [arguments]
        if len(items) != len(conversions):
            return  # a mapping, a tuple in a variable, or a mismatch that raises
        for item, conversion in zip(items, conversions, strict=True):
            if conversion in "sra":
                self._operator(node, self.expr(item), _CONVERSION_METHODS[ord(conversion)])

    def _binary(self, node: ast.AST, op: ast.operator, left: Expr, right: Expr, augmented: bool = False) -> None:
        """The special methods binary operator ``op`` calls: the left operand's (for
        ``+=``, its in-place one first) and the right operand's reflected one."""
        method = _BINARY_METHODS[type(op)]
        in_place = (f"__i{method[2:]}", method) if augmented else method
        self._operator(node, left, in_place, right)
        self._operator(node, right, f"__r{method[2:]}", left)

    def _id(self, node: ast.AST) -> str:
        row = self.index.row_of.get(id(node))
        if row is not None:
            return self.index.node_id[row]
        self.eval_counter += 1
        return f"{self.call_prefix}~n{self.eval_counter}"

    def _node(self, node: ast.AST) -> str | None:
        return self._id(node) if self.call_prefix is None else None

    def _special_builtin_call(self, name: str, node: ast.Call, result: Expr) -> Expr:
        """``super()`` and ``eval``/``exec`` of a literal string, which need the position."""
        if name == "super":
            if node.args and len(node.args) == 2:
                return ("u", (result, ("sup2", self.expr(node.args[0]), self.expr(node.args[1]))))
            if not node.args and self.function_id is not None:
                fn = next((f for f in reversed(self.functions) if f.node_id == self.function_id), None)
                if fn is not None and fn.class_id is not None and fn.params:
                    first = ("v", f"{fn.node_id}:{fn.params[0].name}")
                    return ("u", (result, ("sup", fn.class_id, first)))
            return result
        if name in {"eval", "exec"} and node.args and isinstance(node.args[0], ast.Constant):
            text = node.args[0].value
            if isinstance(text, str) and self.call_prefix is None:
                self._inline_eval(text, "eval" if name == "eval" else "exec", self._id(node))
        return result

    def _inline_eval(self, text: str, mode: str, node_id: str) -> None:
        try:
            with warnings.catch_warnings():  # warnings about the analysed string are not ours
                warnings.simplefilter("ignore")
                tree = ast.parse(text, mode=mode)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        self.call_prefix = node_id
        try:
            if isinstance(tree, ast.Expression):
                self._inline_expr(tree.body)
            elif isinstance(tree, ast.Module):  # mode "exec"
                for stmt in tree.body:
                    self._inline_expr(stmt)
        finally:
            self.call_prefix = None

    def _inline_expr(self, node: ast.AST) -> None:
        """Calls inside an ``eval``'d literal: only expression statements and calls are followed."""
        for sub in _walk_calls(node):
            self.call(sub)


def unkept_reads(value: Expr) -> list[Expr]:
    """The attribute reads evaluating ``value`` makes that no other constraint makes
    when the value itself is not kept: ``obj.prop``, or each such alternative of an
    ``or``, ``and`` or conditional expression. (Operators, subscripts and calls have
    constraints of their own, which read their operands.)

    >>> unkept_reads(("u", (("a", ("v", "m:x"), "closed", "n1"), ("v", "m:y"))))
    [('a', ('v', 'm:x'), 'closed', 'n1')]
    """
    if value is None:
        return []
    if value[0] == "a":
        return [value]
    if value[0] == "u":
        return [read for part in value[1] for read in unkept_reads(part)]
    return []


def _walk_calls(node: ast.AST) -> Iterator[ast.Call]:
    """Outermost calls of an evaluated literal (inner calls are reached through them)."""
    if isinstance(node, ast.Call):
        yield node
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (*_FUNCS, ast.ClassDef, ast.Lambda)):
            continue
        yield from _walk_calls(child)


def _module_literals(tree: ast.Module) -> dict[str, ast.expr]:
    """Names the module body binds once, by a plain assignment of a string or of a list
    or tuple display (``url_attrs = ["scheme", "host"]``), and never assigns again there."""
    found: dict[str, ast.expr] = {}
    rebound: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            rebound.update(n for n in names if n in found)
            found.update((n, statement.value) for n in names)
        elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)) and isinstance(statement.target, ast.Name):
            rebound.add(statement.target.id)
    return {
        name: value
        for name, value in found.items()
        if name not in rebound and isinstance(value, (ast.Constant, ast.List, ast.Tuple))
    }


def _is_field_specifier(node: ast.expr | None) -> bool:
    """Whether ``node`` calls a field specifier by its usual name (see ``_FIELD_SPECIFIERS``)."""
    return isinstance(node, ast.Call) and _last_name(node.func) in _FIELD_SPECIFIERS


def _tuple_field_names(node: ast.expr) -> list[str] | None:
    """Field names given to ``namedtuple`` (``"a b"``, ``"a, b"``, ``["a", "b"]``) or to
    ``NamedTuple`` (``[("a", int), ("b", str)]``), when they are literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace(",", " ").split()
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    names: list[str] = []
    for element in node.elts:
        if isinstance(element, ast.Tuple) and len(element.elts) == 2:
            element = element.elts[0]
        if not isinstance(element, ast.Constant) or not isinstance(element.value, str):
            return None
        names.append(element.value)
    return names


def _last_name(node: ast.expr) -> str | None:
    """The last name of a dotted name (``c`` for ``a.b.c``), else None."""
    name = dotted_name(node)
    return None if name is None else name.rpartition(".")[2]


def _decorator_name(decorator: ast.expr) -> ast.expr | None:
    """The dotted name a decorator applies or calls (``dataclass`` in ``@dataclass(frozen=True)``)."""
    named = decorator.func if isinstance(decorator, ast.Call) else decorator
    return named if dotted_name(named) is not None else None


_FIELD_MARKERS: Final = frozenset({"ClassVar", "InitVar", "KW_ONLY"})
_FIELD_SPECIFIERS: Final = frozenset({"field", "Field", "ib", "attrib"})
"""Calls that describe a field: ``dataclasses.field``, pydantic's ``Field``, attrs's
``attr.ib``/``attr.attrib``/``attrs.field``."""


def _annotation_marker(annotation: ast.expr) -> str | None:
    """``ClassVar``, ``InitVar`` or ``KW_ONLY`` when an annotation is one (or subscripts one)."""
    last: str | None
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        last = annotation.value.split("[", 1)[0].strip().rsplit(".", 1)[-1]
    else:
        last = _last_name(annotation.value if isinstance(annotation, ast.Subscript) else annotation)
    return last if last in _FIELD_MARKERS else None


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _as_load(node: ast.expr) -> ast.expr:
    """A copy of an assignment target usable as a load (for ``x += ...``)."""
    if isinstance(node, ast.Name):
        return ast.copy_location(ast.Name(node.id, ast.Load()), node)
    return node


# ---------------------------------------------------------------------------------------


def collect_facts(source: SourceFile) -> ModuleFacts:
    """Walk one file and return its :class:`ModuleFacts` (never raises for a bad file).

    Args:
        source: the file; its ast index is shared with the other layers of the worker.

    Returns:
        The facts; a file that cannot be parsed or walked gives empty facts plus a
        ``FileError`` with layer ``resolve``.
    """
    try:
        index = ast_index_of(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError) as exc:
        from codeanatomy.extract._ast_index import node_id

        module_id = node_id(source.file_id, "MODULE", 0, len(source.data), "Module")
        return ModuleFacts(
            source.path, source.file_id, source.module, source.is_package, module_id,
            errors=(FileError.from_exception(source.path, "resolve", exc),),
        )
    module_id = index.node_id[0]
    try:
        module_scope = _Scope(module_id, "module", None)
        binder = _Binder(index, module_scope)
        for stmt in index.tree.body:
            binder.visit(stmt)
        walker = _Walker(source, index, binder.scopes)
        walker.body(index.tree.body)
    except (RecursionError, MemoryError) as exc:
        return ModuleFacts(
            source.path, source.file_id, source.module, source.is_package, module_id,
            errors=(FileError.from_exception(source.path, "resolve", exc),),
        )
    return ModuleFacts(
        path=source.path,
        file_id=source.file_id,
        module=source.module,
        is_package=source.is_package,
        module_id=module_id,
        functions=tuple(walker.functions),
        classes=tuple(walker.classes),
        imports=tuple(walker.imports),
        constraints=tuple(walker.cons),
        global_names=frozenset(module_scope.bound),
        all_names=_literal_all(index.tree),
        type_aliases=walker.exported_aliases(),
    )
