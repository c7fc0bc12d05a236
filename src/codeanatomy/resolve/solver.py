"""The points-to fixpoint: which values every variable, attribute and container slot may hold.

A flow-insensitive assignment-graph analysis in the spirit of PyCG, over the
constraints :func:`codeanatomy.resolve.facts.collect_facts` emits (flow-sensitivity
inside bodies is already folded into those constraints as versioned variables).
The fixpoint is kept in Python and is worklist-based: evaluating a constraint
records every key it reads, and a constraint is re-run only when one of those keys
gains values, so nothing is re-evaluated wholesale and no product of variables is
materialised. Work many constraints would repeat is shared: each attribute lookup
through one value (``base.name``) and each non-trivial argument of a call is one
constraint of its own, whose key every reader of it reads. Late rules (decorators
whose result is unknown pass the function through; methods whose ``self`` received
no instance get one of their own class; then parameters, returns, attributes and
variables still without a repository value take what their type annotation names)
apply after convergence, then the worklist runs again.

Abstract values are tuples: ``F`` function, ``B`` bound method, ``C`` class,
``I`` instance, ``M`` repository module, ``X`` external symbol, ``BI`` builtin,
``K``/``T`` literal / value of a builtin type, ``L`` container (per allocation
site, with literal-keyed slots), ``BM`` builtin method, ``G`` generator, ``SUP``
super proxy, ``SM``/``CM``/``PR`` static/class method and property wrappers, ``PF`` a
``functools.partial`` with positional arguments, ``TA`` a module's type alias (read by
annotations that name it), ``GI``/``SETATTR`` a generated
``__init__`` or ``object.__setattr__`` bound to an instance (through ``super()``), and a
few views (``SL`` slice, ``VIEW`` dict views, ``PAIR``, ``ZR``/``ZT`` zip and enumerate).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal, TypeVar, cast

from codeanatomy.extract._base import FileError
from codeanatomy.resolve._annotations import CLASS, INSTANCE, within
from codeanatomy.resolve.closures import (
    CLONE_MARK,
    clone_id,
    original_id,
    read_variable,
    renamed_constraints,
    renamed_variable,
)
from codeanatomy.resolve.environment import BUILTIN_TYPE_PYCG, PythonEnvironment
from codeanatomy.resolve.facts import (
    FORMAT_METHODS,
    STARRED_UNPACK,
    STR_METHODS,
    ClassFact,
    Constraint,
    Expr,
    FieldFact,
    FunctionFact,
    ModuleFacts,
    ParamFact,
    unkept_reads,
)
from codeanatomy.resolve.hierarchy import OBJECT, c3_mro
from codeanatomy.resolve.modules import ImportTarget, ModuleIndex

__all__ = ["Solver"]

Value = tuple[Any, ...]
"""An abstract value: its tag first (``("F", node_id)``, ``("K", "str", "x")``, ...)."""
Values = AbstractSet[Value]
"""Values handed out for reading only: possibly the solver's own set, or the shared empty one."""
_Mro = tuple[list[Value], str | None]
"""A class's MRO and the error linearizing it, as :func:`c3_mro` returns them."""
_K = TypeVar("_K")
_T = TypeVar("_T")
_PlanStep = tuple[int, Value, set[int] | None, Value | None, bool]
"""One step of :meth:`Solver._lookup_plan`: kind, class, reader set, slot key, bound in body."""
_Arg = tuple[Expr, bool, str | None]
"""A positional argument of a call: expression, starred, node ID."""
_Kwarg = tuple[str | None, Expr, str | None]
"""A keyword argument of a call: name (None for ``**``), expression, node ID."""

_EMPTY: frozenset[Value] = frozenset()


class _GivenUp(frozenset):  # type: ignore[type-arg]
    """The type of :data:`_GIVEN_UP`: empty, yet not the shared empty frozenset."""


_GIVEN_UP: Final = cast("set[Any]", _GivenUp())
"""What a key that reached ``MAX_VALUES`` reads as (see :meth:`Solver.add`). Typed as
the value sets it stands among; it is frozen, so no code can fill it by mistake."""
_CONTAINERS = {"list", "tuple", "dict", "set", "generator", "frozenset"}
_CONTAINER_BASES: Final = frozenset({"list", "tuple", "dict", "set", "frozenset"})
"""Builtin types whose repository subclasses' instances hold elements as containers do."""
_BUILTIN_SPECIAL_METHODS: Final[dict[str, tuple[str, ...]]] = {
    "len": ("__len__",), "repr": ("__repr__",), "str": STR_METHODS, "hash": ("__hash__",),
    "bool": ("__bool__", "__len__"), "abs": ("__abs__",), "format": FORMAT_METHODS,
    "iter": ("__iter__",), "next": ("__next__",), "reversed": ("__reversed__",), "open": ("__fspath__",),
}
"""The special method of its first argument each builtin calls (``len(x)``: ``__len__``):
the first of those given that the class defines (``str(x)`` runs ``object.__str__``,
which calls ``__repr__``, where the class has no ``__str__``)."""
_INT_BUILTINS = {"len", "ord", "hash", "id", "int", "round"}
_STR_BUILTINS = {"str", "repr", "format", "chr", "input", "ascii", "bin", "hex", "oct"}
_BOOL_BUILTINS = {"isinstance", "issubclass", "callable", "hasattr", "bool", "all", "any"}
_NO_EDGE_DECORATORS = {"staticmethod", "classmethod", "property"}
_ROUNDS = 6
_DEFER_AFTER = 8
"""Runs after which a constraint woken again waits until the worklist is otherwise empty
(see :meth:`Solver._drain`)."""
_EXTERNAL_BUILTINS = {
    "importlib.import_module": "__import__",
    "functools.reduce": "<reduce>",
    "functools.partial": "<partial>",
    "collections.namedtuple": "<namedtuple>",
    "typing.NamedTuple": "<namedtuple>",
    "typing.cast": "<cast>",
    **{f"{module}.{abc}.get": "<mapping_get>" for module in ("collections.abc", "typing") for abc in ("Mapping", "MutableMapping")},
    "functools.cached_property": "property",
    "django.utils.functional.cached_property": "property",
}
"""Standard library functions whose effect on repository values is modelled."""
_CLONES = 128
"""The most clones of one closure; further calls share the closure itself (see :mod:`.closures`)."""
_LITERALS = 8
MAX_VALUES = 192
"""The most values one key holds; a key that reaches it is given up (see :meth:`Solver.add`)."""
_EXTERNALS = 24
_WIDENING_SIZE = min(_LITERALS, _EXTERNALS) + 1
"""The fewest values a key can hold when it needs widening."""
_UNKNOWN_EXTERNAL = ("XU",)
_ENUM_BASES: Final = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag", "enum.ReprEnum"})
"""Classes whose subclasses' plain class attributes are members, instances of the class."""
_NOT_ENUM_MEMBERS: Final = frozenset({"F", "B", "SM", "CM", "PR", "PRD", "C", "X", "M"})
"""Tags of class-body values that an enum class keeps as they are, not as members."""
_OBJECT_NEW: Final = ("NEW",)
"""``object.__new__`` (reached as ``super().__new__`` where no repository class along
the rest of the MRO defines it): called with a class, it makes an instance of it."""
_STR = ("T", "str")
_FUNCTION_TAGS: Final = frozenset({"F", "B", "SM"})
"""Tags of function values: plain functions and lambdas, bound methods, static methods."""
_OBJECT_ATTRIBUTES: Final = frozenset(dir(object))
_DYNAMIC_ATTRIBUTES: Final = frozenset({"__getattr__", "__getattribute__"})
_EXTERNAL_TAGS: Final = frozenset({"X", "XI", "XM", "XU"})
"""Tags of values of external objects: names, instances, members, unknown."""
_OPAQUE_TAGS: Final = frozenset({"K", "KP", "T", *_EXTERNAL_TAGS})
"""Tags of values that say nothing about repository objects (literals, externals)."""
_FIELD_DECORATORS: Final[dict[Value, str]] = {
    ("X", "dataclasses.dataclass"): "dataclass",
    **{("X", f"{module}.{name}"): "attrs" for module in ("attr", "attrs") for name in ("define", "frozen", "mutable")},
    **{("X", f"attr.{name}"): "attrs" for name in ("s", "attrs", "dataclass")},
}
"""Class decorators that generate an ``__init__`` taking the annotated fields, by style."""
_POST_INIT: Final = {"dataclass": "__post_init__", "attrs": "__attrs_post_init__"}
_NAMED_TUPLE: Final = ("X", "typing.NamedTuple")
_MODEL_BASES: Final = frozenset(("X", f"pydantic.{path}BaseModel") for path in ("", "main.", "v1."))
"""Bases of pydantic models, whose ``__init__`` takes every field by name."""
_SELF_READS = {"I": "self", "C": "cls", "M": "module", "SUP": "super"}
_OTHER_READS = {"I": "instance", "C": "class", "M": "module", "SUP": "super"}
UNBOUNDED_KEY_TAGS = frozenset({"AR", "argv", "E"})
"""Tags of the keys that are unions of bounded keys, never bounded themselves: shared
lookups and arguments, and the elements of a container (the union of its slots)."""
_NO_SLOT_SIGNATURE: Final = (0, None)
"""The signature of a slot never stored into: no values, not widened."""
_DIRECT_EXPRESSIONS = frozenset({"v", "lit", "n", "t", "f", "val", "g"})
"""Expressions as cheap to evaluate as to read a shared key: evaluated where they are used."""
_DEFINITION_TAGS = frozenset({"F", "B", "C", "SM", "CM", "PR"})
_PROTOCOLS: Final = frozenset(("X", f"{module}.Protocol") for module in ("typing", "typing_extensions"))
_EXTERNAL_DEPTH = 6
_ALIAS_DEPTH: Final = 16
"""How many type aliases deep an annotation is expanded (aliases may refer to each other)."""
_TEXT_ATTRIBUTES: Final = frozenset({"__name__", "__qualname__", "__module__"})
"""Attributes that are strings on every module, class and function (see :meth:`Solver._external_attribute`)."""
_ABSENT: Final[tuple[()]] = ()
"""An absent part of a value (an omitted slice bound, a builtin method without its
receiver). Not ``None``: on CPython 3.11 ``None`` hashes to its address, so sets of
values holding it would iterate in another order in every run, and a value set at the
bound would keep other values. The empty tuple hashes the same everywhere."""
_PLACES: Final = ("places",)
"""Last part of the key whose readers wait for a spread argument to place values at a
new position or name (neither a position nor a name, so it cannot clash with one)."""
_SHIFTED: Final = "+"
"""Slot marking a list whose elements may no longer sit at the index they were stored
at (it was reordered in place, or an item was deleted): index reads, unpacking, slices
and ``*`` spreading of it use all its elements."""


@dataclass(slots=True)
class _Call:
    caller: str
    key: str
    node_id: str
    func: Expr
    args: tuple[_Arg, ...]
    kwargs: tuple[_Kwarg, ...]
    kind: str
    targets: set[Value] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _GeneratedInit:
    """An ``__init__`` generated from a class's fields (see :meth:`Solver._generated_init`)."""

    fields: list[FieldFact]
    keyword_only: bool
    attrs: bool
    """attrs's: it takes a field ``_x`` as ``x``."""
    post_init: str | None
    """The method it calls last, if the class has one (not modelled for pydantic, whose
    ``model_post_init`` only external code calls)."""
    inherited: bool = False
    """Whether it is an external base's own (pydantic's): a callee of the call too, and
    the calls it makes are calls from outside the repository."""


@dataclass(slots=True)
class _Lookup:
    """One shared attribute lookup, ``base.name``: its values, their readers, the properties it read."""

    values: set[Value]
    readers: set[int]
    properties: set[str] | None = None
    definitions: tuple[str, ...] = ()
    """The definitions among the values (what a read of them targets), as of ``defined_size`` values."""
    defined_size: int = -1
    unread: bool = False
    """Whether the values are only unread members of external bases (see
    :meth:`Solver._unread_members`), as of ``unread_size`` values."""
    unread_size: int = -1


@dataclass(frozen=True, slots=True)
class _Layout:
    """How a function takes its arguments, worked out once per function."""

    positional: list[ParamFact]
    vararg: ParamFact | None
    kwarg: ParamFact | None
    by_name: dict[str, ParamFact]
    defaults: tuple[ParamFact, ...]
    star_tuple: Value
    star_dict: Value

    @staticmethod
    def of(fn: FunctionFact) -> _Layout:
        params = fn.params
        return _Layout(
            positional=[p for p in params if p.kind in {"posonly", "regular"}],
            vararg=next((p for p in params if p.kind == "vararg"), None),
            kwarg=next((p for p in params if p.kind == "kwarg"), None),
            by_name={p.name: p for p in params if p.kind in {"regular", "kwonly"}},
            defaults=tuple(p for p in params if p.has_default and p.default_node_id),
            star_tuple=("L", "tuple", f"*{fn.node_id}"),
            star_dict=("L", "dict", f"**{fn.node_id}"),
        )


_VARARG: Final = "*"
"""What :meth:`Solver.run_returned_call` maps a function's own ``*args`` variable to."""


def _parameter_position(fn: FunctionFact, name: str) -> int | None:
    """Where a call's positional arguments fill parameter ``name`` of ``fn`` (``*i``:
    element ``i`` of its ``*args``, after its positional parameters); None for a
    parameter no positional argument fills."""
    positional = [p.name for p in fn.params if p.kind in {"posonly", "regular"}]
    if name.startswith("*"):
        return len(positional) + int(name[1:])
    return positional.index(name) if name in positional else None


def _spread_offset(name: str, fn: FunctionFact, shift: int, call: _Call) -> int:
    """Which element of the ``*`` argument ending ``call`` fills parameter ``name`` of
    ``fn`` (``Solver._argument_for`` said ``spread``)."""
    position = _parameter_position(fn, name)
    assert position is not None
    return position - shift - (len(call.args) - 1)


def _filled_before_spread(
    positional: Sequence[str], placed: int, kwargs: Sequence[tuple[str | None, Expr, str | None]]
) -> set[str]:
    """The names a ``**`` argument may not fill: the first ``placed`` of ``positional``
    (the receiver and the arguments before any ``*``) and those the call names in a
    keyword. Python refuses a second value for a parameter ("got multiple values for
    argument"), so ``self`` never comes from ``**kwargs``."""
    filled = set(positional[:placed])
    filled.update(name for name, _, _ in kwargs if name is not None)
    return filled


def _fields_taken(cls: ClassFact, style: str) -> list[FieldFact]:
    """The fields of ``cls`` itself that a generated ``__init__`` of ``style`` takes: the
    annotated names, or for attrs, when some field is an unannotated ``x = attr.ib()``,
    every name assigned a field specifier (attrs's ``auto_attribs`` off)."""
    if style == "attrs" and any(not f.annotated for f in cls.fields):
        return [f for f in cls.fields if f.specified]
    return [f for f in cls.fields if f.annotated]


def _widen(value: Value, kinds: frozenset[str]) -> Value:
    tag = value[0]
    if tag not in kinds:
        return value
    return ("T", value[1]) if tag == "K" else _STR if tag == "KP" else _UNKNOWN_EXTERNAL


def _names_a_class(qualname: str) -> bool:
    """Whether an external name is written as a module's class is: PEP 8's CapWords
    (``Thread``, ``ArgumentParser``) after a module path in lower case, not a function
    or a constant (``get``, ``MAXSIZE``), nor an attribute of another object
    (``TESTFN.FileHeader``). This tells a class from a function in a module the
    interpreter does not have.

    >>> names = ("ext.net.Server", "ext._Base", "ext.get", "ext.SEEK_SET", "ext.TESTFN.Header")
    >>> [_names_a_class(n) for n in names]
    [True, True, False, False, False]
    """
    module, _, name = qualname.rpartition(".")
    name = name.lstrip("_")
    return module.islower() and name[:1].isupper() and any(c.islower() for c in name)


def _known_start(op: str, left: Value) -> str:
    """The literal start of ``left + ...`` or ``left % ...`` for a string ``left`` that has
    one (``"visit_" + kind``, ``"_handle_%s" % kind``), else ``""``.

    >>> _known_start("Add", ("K", "str", "visit_")), _known_start("Mod", ("K", "str", "on_%s_%d"))
    ('visit_', 'on_')
    >>> _known_start("Mod", ("K", "str", "%s_x")), _known_start("Add", ("KP", "do_")), _known_start("Mult", ("KP", "a"))
    ('', 'do_', '')
    """
    if left[0] == "KP":
        text = left[1]
    elif left[0] == "K" and left[1] == "str" and isinstance(left[2], str):
        text = left[2]
    else:
        return ""
    return text if op == "Add" else text.partition("%")[0] if op == "Mod" else ""


def _count_kinds(values: Collection[Value], counts: tuple[int, int]) -> tuple[int, int]:
    """``counts`` (literals, externals) plus those among ``values``."""
    literals, externals = counts
    for v in values:
        tag = v[0]
        if tag == "K" or tag == "KP":
            literals += 1
        elif tag == "X" or tag == "XI" or tag == "XM":
            externals += 1
    return literals, externals


def _slot_key(value: Value) -> tuple[str, Any] | None:
    if value[0] != "K":
        return None
    kind, lit = value[1], value[2]
    if kind == "str":
        return ("str", lit)
    if kind in {"int", "bool"}:
        return ("num", lit)
    if kind == "float":
        return ("num", int(lit)) if float(lit).is_integer() else ("num", lit)
    return None


def _slot_keys(keys: Values | None) -> list[tuple[str, Any]] | None:
    """Slot keys of subscript key values; None when any key (or the whole key) is unknown."""
    if not keys:
        return None
    slots = [_slot_key(k) for k in keys]
    if any(s is None for s in slots):
        return None
    return slots  # type: ignore[return-value]  # Nones were rejected above


_SUBEXPRESSIONS: Final[dict[str, tuple[int, ...]]] = {
    "s": (1, 2), "it": (1,), "op": (2, 3), "sup": (2,), "sup2": (1, 2), "slice": (1,),
    "isa": (1,), "nisa": (1,), "hasa": (1,), "tisa": (1,),
}


def _attribute_reads(e: Expr) -> list[tuple[Any, ...]]:
    """The outermost attribute reads (``a`` expressions) within ``e``, left to right."""
    if e is None:
        return []
    tag = e[0]
    if tag == "a":
        return [e]
    parts = e[1] if tag == "u" else [e[i] for i in _SUBEXPRESSIONS.get(tag, ())]
    return [read for part in parts for read in _attribute_reads(part)]


def _key_value(slot: tuple[str, Any]) -> Value:
    if slot[0] == "str":
        return ("K", "str", slot[1])
    return ("K", "int", slot[1]) if isinstance(slot[1], int) else ("K", "float", slot[1])


class Solver:
    """Close the constraints of a whole program.

    Args:
        facts: every file's facts.
        index: the repository's module names.
        imports: resolved imports by import node ID.
        env: the interpreter snapshot.
    """

    def __init__(
        self,
        facts: Sequence[ModuleFacts],
        index: ModuleIndex,
        imports: dict[str, ImportTarget],
        env: PythonEnvironment,
    ) -> None:
        self.index = index
        self.imports = imports
        self.env = env
        self.funcs: dict[str, FunctionFact] = {}
        self.classes: dict[str, ClassFact] = {}
        self.module_of_def: dict[str, str] = {}
        self.module_ids: dict[str, str] = {}
        self.module_names: dict[str, str] = {}
        self.globals: dict[str, set[str]] = {}
        self.external_stars: dict[str, list[str]] = {}
        # Values by key; ``("slots", c)`` keys hold slot keys, ``("bases", c)`` (position, class).
        self.vals: dict[object, set[Any]] = {}
        # The keys given up (see ``add``), whose ``vals`` entry is ``_GIVEN_UP``; the
        # values they held are let go (SymPy gives up 37,000 keys, each holding at
        # least ``MAX_VALUES`` values: keeping them took 0.6 GB).
        self.given_up: set[object] = set()
        self.widened: dict[object, frozenset[str]] = {}
        self.late = False
        self.late_rounds = 0
        self.pending_keys: set[int] = set()
        self.annotations: list[int] = []
        self.kind_counts: dict[object, tuple[int, int]] = {}
        self.readers: defaultdict[object, set[int]] = defaultdict(set)
        self.cons: list[Constraint] = []
        self.calls: list[_Call] = []
        self.call_index: dict[str, int] = {}
        self.queue: deque[int] = deque()
        self.queued: list[bool] = []
        self._runs: list[int] = []  # times each constraint ran from the queue
        self.cur = -1
        self.edges: dict[tuple[str, str, Value, str | None], str] = {}
        self.bindings: set[tuple[str | None, str, str, str]] = set()
        self.attribute_targets: set[tuple[str, str, str]] = set()
        self.allocated: set[str] = set()
        self.mro_cache: dict[str, _Mro] = {}
        self.bases_version = 0
        self.mro_version = -1
        self.bases_gen: dict[str, int] = {}
        self.mro_deps: dict[str, tuple[_Mro, tuple[tuple[str, int], ...], tuple[str, ...]]] = {}
        self._param0_cache: dict[tuple[Any, ...], bool] = {}
        self._receiver_returners: dict[str, bool] = {}
        self._first_params: dict[str, str | None] = {}
        self._base_lists: dict[str, tuple[int, list[Value]]] = {}
        """Each class's bases in order, with the number of (position, base) pairs they come from."""
        self._mro_indexed: dict[str, _Mro] = {}
        self._mro_members: defaultdict[str, set[str]] = defaultdict(set)
        self._mro_readers: defaultdict[str, set[int]] = defaultdict(set)
        self._lookup_plans: dict[tuple[str, str, str | None], tuple[_Mro, bool, list[_PlanStep]]] = {}
        self._stored_on_classes: set[str] = set()
        """Names some attribute store has given a class (``cls.x = v``), beside class bodies."""
        self._unstored_readers: defaultdict[str, set[int]] = defaultdict(set)
        """Readers of class lookups of a name whose plan skipped classes lacking it (see
        :meth:`_lookup_plan`), woken when a store first gives some class that name."""
        self._mro_positions: dict[str, tuple[_Mro, dict[str, int]]] = {}
        self._protocol_arguments: set[tuple[str, str]] = set()
        """(operator node, special method) pairs whose arguments a ``pbind`` constraint binds."""
        self._arguments_read: set[int] = set()
        """Calls whose attribute arguments :meth:`_read_arguments` has set to be read."""
        self._operands_looked_up: dict[int, dict[int, set[Value]]] = {}
        """The instances each constraint has looked special methods up for, by operand."""
        self._lookups_changed: set[int] = set()
        """Constraints woken by a class attribute or an MRO, which may now look up differently."""
        self._override_readers: defaultdict[str, set[int]] = defaultdict(set)
        """Constraints reading each name through ``self``, which a change of the class
        hierarchy may give more overrides."""
        self._definers_by_ancestor: dict[str, tuple[int, dict[str, list[str]]]] = {}
        """Memo of :meth:`_subclasses_defining` by name, with the generation it holds for."""
        self._overriders: dict[tuple[str, str, tuple[str, str]], tuple[int, list[str]]] = {}
        """Memo of :meth:`_overriding_subclasses`, likewise."""
        self._name_generations: dict[str, int] = {}
        """How many times a class defining each name had its MRO changed."""
        self._self_methods: dict[Expr, tuple[str, str] | tuple[()]] = {}
        """The method (class, name) whose receiver each ``self`` expression is, if one."""
        self._enums: dict[str, tuple[_Mro, bool]] = {}
        """Whether each class is an enum, with the MRO that says so."""
        self._layouts: dict[str, _Layout] = {}
        self._slot_signatures: dict[Value, dict[object, tuple[int, frozenset[str] | None]]] = {}
        """(size, widened kinds) of each slot of each container, kept by :meth:`store_slot`."""
        self._prefixed_names: dict[tuple[str, str, str], tuple[_Mro, list[str]]] = {}
        """Memo of :meth:`_names_starting` for classes and instances, with the MRO it holds for."""
        self._dict_keys: dict[Value, tuple[int, frozenset[Value]]] = {}
        # Shared attribute lookups by name, then base (see :meth:`_lookup`).
        self._lookups: dict[str, dict[Value, _Lookup]] = {}
        # Positions or names each spread argument places values at, in the order met
        # (their readers wait on the key ``(kind, call, argument, _PLACES)``).
        self._spread_places: dict[tuple[str, int, int], list[int | str]] = {}
        self._slot_copies: dict[tuple[int, Value, Value], dict[object, tuple[int, frozenset[str] | None]]] = {}
        self._container_versions: dict[Value, int] = {}
        """How many times each container gained a slot or a slot changed (see :meth:`store_slot`)."""
        self._external_attributes: dict[tuple[str, str], frozenset[Value]] = {}
        """Memo of :meth:`_external_attribute`."""
        self._forwarded: dict[tuple[int, int, Value], dict[int | str, tuple[int, frozenset[str] | None]]] = {}
        """What each constraint forwarding a spread argument stored at each place: the
        number of values and their widening then (see :meth:`_forward_spread`)."""
        self._spread_containers: dict[tuple[int, int, str], dict[Value, tuple[int, dict[object, tuple[int, frozenset[str] | None]]]]] = {}
        """The containers each spread argument has spread: their version then and, for a
        dict, the signature of each slot spread (see :meth:`run_spread`)."""
        self.type_aliases: dict[tuple[str, str], tuple[tuple[str, Expr], ...]] = {}
        """The annotation parts of each module's type aliases, by (module ID, name)."""
        self._closures: dict[str, dict[str, tuple[str, tuple[Constraint, ...]]]] = {}
        """Closures over parameters (see :mod:`.closures`), by the function that makes
        them: each one's file and the constraints its clones copy."""
        self._clone_counts: dict[str, int] = {}
        """How many clones of each closure the calls made (at most ``_CLONES``)."""
        for item in facts:
            if index.facts_of(item.module) is not item:
                continue
            self.module_ids[item.module] = item.module_id
            self.module_names[item.module_id] = item.module
            self.globals[item.module_id] = set(item.global_names)
            for fn in item.functions:
                self.funcs[fn.node_id] = fn
                if fn.closure_params:
                    body = tuple(con for start, end in fn.spans for con in item.constraints[start:end])
                    self._closures.setdefault(fn.enclosing or "", {})[fn.node_id] = (item.path, body)
                if fn.returns_params:
                    self.vals[("pt", fn.node_id)] = {("P", name) for name in fn.returns_params}
                self.module_of_def[fn.node_id] = item.module_id
            for cls in item.classes:
                self.classes[cls.node_id] = cls
                self.module_of_def[cls.node_id] = item.module_id
            for name, alias_parts in item.type_aliases:
                self.type_aliases[(item.module_id, name)] = alias_parts
        self.facts = [f for f in facts if index.facts_of(f.module) is f]
        definers: defaultdict[str, list[str]] = defaultdict(list)
        for cid in sorted(self.classes):
            for body_name in self.classes[cid].body_names:
                definers[body_name].append(cid)
        self._definers: dict[str, list[str]] = dict(definers)
        """Repository classes whose body binds each name."""
        self.modelled: dict[str, str] = {
            node_id: _EXTERNAL_BUILTINS[qualname]
            for node_id, qualname in (
                *((fn.node_id, fn.qualname) for fn in self.funcs.values()),
                *((cls.node_id, cls.qualname) for cls in self.classes.values()),
            )
            if qualname in _EXTERNAL_BUILTINS
        }
        """Repository definitions of what the solver models (``functools.partial`` when
        the repository is the standard library), by node ID: calls of them run the model."""
        self.con_file: list[str] = []
        self.errors: list[FileError] = []
        self._failed: set[str] = set()
        self._file = ""
        self._expand_star_imports()
        # Special methods some repository class defines (see :meth:`_may_act`).
        self._specials = {name for cls in self.classes.values() for name in cls.body_names if name.startswith("__")}
        for item in self.facts:
            self._file = item.path
            for con in item.constraints:
                if self._may_act(con):
                    self._add_constraint(con)

    # ---- setup ---------------------------------------------------------------------------

    def _exports(self, module: str) -> set[str]:
        item = self.index.facts_of(module)
        if item is None:
            return set()
        if item.all_names is not None:
            return set(item.all_names)
        return {n for n in self.globals[item.module_id] if not n.startswith("_")}

    def _expand_star_imports(self) -> None:
        stars: list[tuple[str, str]] = []
        for item in self.facts:
            for imp in item.imports:
                if imp.name != "*" or imp.scope_id != item.module_id:
                    continue
                target = self.imports.get(imp.node_id)
                if target is None:
                    continue
                if target.base is not None:
                    stars.append((item.module_id, target.base))
                elif target.external:
                    self.external_stars.setdefault(item.module_id, []).append(target.external)
        changed = True
        while changed:
            changed = False
            for importer, module in stars:
                names = self._exports(module) - self.globals[importer]
                if names:
                    self.globals[importer] |= names
                    changed = True
        for importer, module in stars:
            target_id = self.module_ids.get(module)
            for name in sorted(self._exports(module)):
                if target_id is not None and name in self.globals[target_id]:
                    self._add_constraint(("cp", f"{target_id}:{name}", f"{importer}:{name}"))
                sub = self.index.canonical(f"{module}.{name}")
                if sub is not None:
                    self.vals.setdefault(f"{importer}:{name}", set()).add(("M", sub))

    def _may_act(self, con: Constraint) -> bool:
        """Whether constraint ``con`` can do anything: an operator's calls only special
        methods no repository class defines, so its constraint is left out."""
        return con[0] != "dunder" or not self._specials.isdisjoint(con[4])

    def _add_constraint(self, con: Constraint, file: str | None = None) -> int:
        number = len(self.cons)
        if con[0] == "call":
            _, caller, key, node_id, func, args, kwargs, kind = con
            self.calls.append(_Call(caller, key, node_id, func, args, kwargs, kind))
            self.call_index[key] = len(self.calls) - 1
            con = ("call", len(self.calls) - 1)
        self._add_idle(con, file)
        if con[0] == "ann" or con[0] == "anna":
            # Run only once the late rules find its key without values (see :meth:`_annotate`).
            self.annotations.append(number)
        else:
            self.queued[number] = True
            self.queue.append(number)
        return number

    def _add_idle(self, con: Constraint, file: str | None = None) -> int:
        """Add a constraint without queueing it; it belongs to ``file``, else to the
        running constraint's file."""
        self.cons.append(con)
        self.con_file.append(file or (self.con_file[self.cur] if self.cur >= 0 else self._file))
        self.queued.append(False)
        self._runs.append(0)
        return len(self.cons) - 1

    # ---- values ----------------------------------------------------------------------------

    def read(self, key: object) -> Values:
        """Values of ``key``; the running constraint is re-run when they grow."""
        self.readers[key].add(self.cur)
        return self.vals.get(key, _EMPTY)

    def add(self, key: object, values: Collection[Any]) -> None:
        """Add ``values`` to ``key`` and wake its readers if it grew.

        Widening keeps value sets small where precision is lost anyway: once a key
        holds more than ``_LITERALS`` literals they become their type, and once it
        holds more than ``_EXTERNALS`` external names (values of external objects
        flowing through data) they become one unknown external value ``XU``. A key
        holding ``MAX_VALUES`` values is given up: it takes no more, and from then on
        reads as empty, so the values of unrelated data merged there (where alone so
        many meet) flow no further. Readers keep what they read before. A container's
        list of slot keys is only capped: its slots hold the values.
        """
        if not values:
            return
        current = self.vals.get(key)
        if current is None:
            current = self.vals[key] = set()
        elif current is _GIVEN_UP:
            return
        before = len(current)
        if before >= MAX_VALUES:
            return  # a capped slot list
        if isinstance(values, (set, frozenset)) and values <= current:
            # Nothing new: widening keeps ``current`` free of widened kinds, so
            # every value already present maps to itself and no reader wakes.
            return
        widened = self.widened.get(key)
        if widened is not None:
            add = current.add
            for v in values:
                tag = v[0]
                if tag in widened:
                    v = ("T", v[1]) if tag == "K" else _STR if tag == "KP" else _UNKNOWN_EXTERNAL
                add(v)
        else:
            # Only the values not there yet are looked at (a set difference, in C).
            new = (values if isinstance(values, (set, frozenset)) else set(values)) - current
            if not new:
                return
            if before + len(new) > MAX_VALUES and type(key) is tuple and key[0] == "slots":
                new = set(sorted(new, key=repr)[: MAX_VALUES - before])
            current |= new
            if len(current) >= _WIDENING_SIZE:
                # A smaller key cannot need widening: its kinds are counted from scratch
                # once it first gets this big, and only the new values' after that.
                counted = self.kind_counts.get(key)
                counts = _count_kinds(current, (0, 0)) if counted is None else _count_kinds(new, counted)
                self.kind_counts[key] = counts
                if counts[0] > _LITERALS or counts[1] > _EXTERNALS:
                    self._widen_key(key, current, counts)
                    before = -1
        if len(current) >= MAX_VALUES and not (type(key) is tuple and key[0] == "slots"):
            self.given_up.add(key)
            self.vals[key] = _GIVEN_UP
            self.kind_counts.pop(key, None)
        elif len(current) != before:
            self._wake(key)

    def _widen_key(self, key: object, current: set[Any], counts: tuple[int, int]) -> None:
        kinds = frozenset(
            tag
            for tags, n, limit in ((("K", "KP"), counts[0], _LITERALS), (("X", "XI", "XM"), counts[1], _EXTERNALS))
            if n > limit
            for tag in tags
        )
        self.widened[key] = kinds
        widened = {_widen(v, kinds) for v in current}
        current.clear()
        current.update(widened)

    def ev(self, e: Expr) -> Values:
        """Evaluate a fact expression to its current value set."""
        if e is None:
            return _EMPTY
        tag = e[0]
        if tag == "v":
            key = e[1]
            self.readers[key].add(self.cur)
            return self.vals.get(key, _EMPTY)
        if tag == "a":
            return self._attribute_read(e)
        if tag == "lit":
            return {("K", e[1], e[2])}
        if tag == "n":
            return {("L", e[1], e[2])}
        if tag == "c":
            key = ("r", e[1])
            self.readers[key].add(self.cur)
            return self.vals.get(key, _EMPTY)
        if tag == "g":
            return self.global_value(e[1], e[2])
        if tag == "t":
            return {("T", e[1])}
        if tag == "f":
            if e[1] in self.funcs:
                return {("F", e[1])}
            return {("C", e[1])}
        if tag == "sm":
            return {("SM", e[1])}
        if tag == "own":
            return {v for v in self.ev(e[1]) if v[0] not in _EXTERNAL_TAGS}
        if tag == "u":
            out: set[Value] = set()
            for part in e[1]:
                out |= self.ev(part)
            return out
        if tag == "s":
            keys = self.eval_key(e[2])
            if keys is False:
                return _EMPTY
            out = set()
            slots = _slot_keys(keys)
            for base in list(self.ev(e[1])):
                out |= self.subscript(base, slots, e[3])
            return out
        if tag == "it":
            out = set()
            for base in list(self.ev(e[1])):
                out |= self.iterate(base)
            return out
        if tag == "op":
            return self.binop(e[1], self.ev(e[2]), self.ev(e[3]))
        if tag == "imp":
            return self.import_value(e[1], e[2], e[3])
        if tag == "sup":
            return {("SUP", e[1], v) for v in self.ev(e[2]) if v[0] in {"I", "C"}}
        if tag == "sup2":
            objs = [v for v in self.ev(e[2]) if v[0] in {"I", "C"}]
            return {("SUP", c[1], v) for c in self.ev(e[1]) if c[0] == "C" for v in objs}
        if tag == "val":
            return {e[1]}
        if tag == "isa":
            return self.narrowed(e[1], e[2])
        if tag == "nisa":
            return self.excluded(e[1], e[2])
        if tag == "hasa":
            return {v for v in self.ev(e[1]) if self._may_have(v, e[2])}
        if tag == "tisa":
            return self.narrowed(e[1], e[2], exact=True)
        if tag == "tag":
            return self.tagged(e[1], e[2], e[3])
        if tag == "slice":
            out = set()
            precise = len(e) == 4
            for base in self.ev(e[1]):
                if base[0] == "L" and base[1] in {"list", "tuple"}:
                    lower = _ABSENT if e[2] is None else e[2]
                    upper = _ABSENT if e[3] is None else e[3]
                    out.add(("SL", base, lower, upper) if precise and (e[2] or e[3]) else base)
                elif base[0] == "SL":
                    out.add(self._unplaced_view(base[1]))
                elif base[0] in {"K", "T"} and base[1] in {"str", "bytes", "bytearray"}:
                    out.add(("T", base[1]))
            return out
        return _EMPTY

    def _ev_instances(self, e: Expr) -> Values:
        """Evaluate ``e`` where only the instances among its values are used (the
        operand of an operator, a ``for``, ``len()``): an operator's result is not worked
        out, as :meth:`binop` makes no instance, but its operands are still evaluated,
        for what their reads record. (SymPy's operators on other operators' results
        spent 48 s of its resolution in ``binop``.)
        """
        if e is not None and e[0] == "op":
            self._ev_instances(e[2])
            self._ev_instances(e[3])
            return _EMPTY
        return self.ev(e)

    def narrowed(self, expr: Expr, classinfo: Expr, *, exact: bool = False) -> Values:
        """The values of ``expr`` that may pass ``isinstance(expr, classinfo)`` (``exact``:
        ``type(expr) is classinfo``, which only the class itself passes).

        ``classinfo`` is a class or a tuple of them. When one is external, ``object`` or
        a ``Protocol``, everything passes (an external class may be an ABC others
        register with; a protocol checks structure). Otherwise an instance passes when a
        class it names is in the instance's MRO or the MRO has an external base, and a
        literal or container when a builtin type it names is its own.
        Values the solver cannot judge (externals, generators, ...) always pass, and
        so does everything while ``classinfo`` has no values. (Waiting for it until
        the first convergence, as subscript keys do, leaves the narrowed names empty
        there, and the late rules then give methods and annotated parameters values
        of their own: on the standard library that made 60% more call edges.)
        For ``exact``, ``classinfo`` is one class, ``object`` and protocols are judged
        like any other, and neither subclasses nor ``bool`` for ``int`` pass.
        """
        classes: set[Value] = set()
        for value in self.ev(classinfo):
            if value[0] == "L" and not exact:
                classes |= self.all_elements(value)
            else:
                classes.add(value)
        values = self.ev(expr)
        if not classes:
            return values
        if any(c[0] not in {"C", "BI"} or (c == OBJECT and not exact) for c in classes):
            return values  # an external class or ``object``: anything may be one
        if not exact and any(p in self.mro(c[1])[0] for c in classes if c[0] == "C" for p in _PROTOCOLS):
            return values  # a runtime-checkable protocol: checked by structure
        builtins = {c[1] for c in classes if c[0] == "BI"}
        out: set[Value] = set()
        for value in values:
            tag = value[0]
            if tag == "I":
                if exact:
                    passes = ("C", value[1]) in classes
                else:
                    mro = self.mro(value[1])[0]
                    passes = any(c in mro for c in classes) or any(k[0] == "X" for k in mro)
            elif tag in {"K", "T"} or tag == "L":
                kind = value[1]
                passes = kind in builtins or (not exact and kind == "bool" and "int" in builtins)
            elif tag == "C":
                passes = "type" in builtins
            else:
                passes = tag not in _DEFINITION_TAGS
            if passes:
                out.add(value)
        return out

    def _may_have(self, value: Value, name: str) -> bool:
        """Whether ``hasattr(value, name)`` may be true: false only for an instance or
        class of the repository that nothing along its MRO gives ``name`` (its bodies,
        ``self.name = ...`` in its methods, a store from outside, an external base,
        ``__getattr__``), for a builtin value whose type lacks it, and for an instance
        of an external class whose source shows it lacks it."""
        tag = value[0]
        if tag == "XI":
            return self.env.classes.has_attribute(value[1], name) is not False
        if tag not in {"I", "C"}:
            typename = self._builtin_type(value)
            return typename is None or name in self.env.type_methods.get(typename, ()) or name in _OBJECT_ATTRIBUTES
        if self.read(("A", value, name)):
            return True
        for klass in self.mro(value[1])[0]:
            if klass[0] == "C":
                cls = self.classes.get(klass[1])
                if cls is None or name in cls.instance_names or not _DYNAMIC_ATTRIBUTES.isdisjoint(cls.body_names):
                    return True
                if name in cls.body_names or self.read(("A", klass, name)):
                    return True
            elif klass[0] == "X":
                known = self.env.base_attributes.get(klass[1])
                if known is None or name in known:
                    return True
            elif klass != OBJECT:
                return True  # a builtin base: its attributes are not judged here
        return name in _OBJECT_ATTRIBUTES

    def excluded(self, expr: Expr, classinfo: Expr) -> Values:
        """The values of ``expr`` that may fail ``isinstance(expr, classinfo)``.

        Only instances are left out, those whose MRO holds a repository class that
        ``classinfo`` is for sure: the class itself when ``classinfo`` has that one
        value, or each item of a tuple of known length that has one class value. A
        name that may be one of several classes leaves everything in, as does anything
        but an instance.
        """
        values = self.ev(expr)
        classes = self._exact_classes(classinfo)
        if not classes:
            return values
        return {v for v in values if v[0] != "I" or not any(c in self.mro(v[1])[0] for c in classes)}

    def _exact_classes(self, classinfo: Expr) -> list[Value]:
        """The repository classes ``classinfo`` surely names (see :meth:`excluded`)."""
        infos = self.ev(classinfo)
        if len(infos) != 1:
            return []
        (info,) = infos
        if info[0] == "C":
            return [info]
        length = self.precise_length(info) if info[0] == "L" and info[1] == "tuple" else None
        if length is None:
            return []
        classes: list[Value] = []
        for i in range(length):
            item = self.slot_values(info, ("num", i))
            if len(item) == 1:
                (value,) = item
                if value[0] == "C":
                    classes.append(value)
        return classes

    def tagged(self, expr: Expr, index: int, literals: AbstractSet[Value]) -> Values:
        """The values of ``expr`` whose item ``index`` may equal one of ``literals``.

        Tuples and lists are judged by what that item may hold: one whose item holds
        nothing (yet) or only other literals is left out, and joins when the item gets
        a value that may match. Every other value is kept.
        """
        out: set[Value] = set()
        for value in self.ev(expr):
            if value[0] != "L" or value[1] not in {"tuple", "list"}:
                out.add(value)
                continue
            item = self.slot_values(value, ("num", index)) | self.slot_values(value, "*")
            if any(v[0] != "K" or v in literals for v in item) or _SHIFTED in self.slots(value):
                out.add(value)
        return out

    def _attribute_read(self, e: Expr, *, kept: bool = True) -> set[Value]:
        """Values of an attribute read ``("a", base, name, node_id)``; records its targets.
        With ``kept`` false, only what the read records and wakes on: its values, which
        the caller would drop, are not gathered (none are returned).

        The bases' values mostly overlap (one attribute through many instances), so
        each way of reading (``method``) records the union of its values once.

        An external name (``sys.stdin``, ``json``), an instance of an external class
        whose attributes are not known (its source is out of reach), or an instance of
        a repository class taking the attribute from such a base, supplies the attribute
        only where no other repository or builtin value read there does: where the
        program has its own objects with that attribute, the external one is taken to be
        mixed in by the analysis. (Otherwise ``widget.tk.call()``, with ``widget`` also
        holding ``sys.stdin.buffer`` through some merge, grows ``sys.stdin.buffer.tk``.)
        """
        assert e is not None
        out: set[Value] = set()
        name, node_id, base_expr = e[2], e[3], e[1]
        by_method: dict[str, list[tuple[str, ...]]] = {}
        methods: dict[str, str] | None = None
        cur = self.cur
        lookups = self._lookups.get(name)
        if lookups is None:
            lookups = self._lookups[name] = {}
        guessed: list[Values] = []
        supplied = False
        getters: list[str] = []  # the properties and ``__getattr__`` hooks read, in order
        bases = list(self.ev(base_expr))
        if base_expr is not None and self._is_param0(base_expr):
            bases += self._overriding_receivers(bases, name, base_expr)
        for base in bases:
            # What :meth:`_lookup` does, inline: this loop meets millions of bases.
            lookup = lookups.get(base)
            if lookup is None:
                lookup = self._lookup(base, name)
            lookup.readers.add(cur)
            values = lookup.values
            if not values:
                # Most bases lack the attribute; only a property read may still record calls.
                if lookup.properties and node_id is not None:
                    getters.extend(lookup.properties)
                continue
            if base[0] in _EXTERNAL_TAGS:
                if base[0] == "X" or (base[0] == "XI" and self.env.classes.has_attribute(base[1], name) is None):
                    guessed.append(values)
                    continue
            elif base[0] == "I":
                if lookup.unread_size != len(values):
                    lookup.unread = self._unread_members(values, name)
                    lookup.unread_size = len(values)
                if lookup.unread:
                    guessed.append(values)
                    continue
                supplied = True
            else:
                supplied = True
            if node_id is None:
                if kept:
                    out |= values
                continue
            if lookup.properties:
                getters.extend(lookup.properties)
            if kept:
                out |= values
            if methods is None:
                methods = self._read_methods(name, base_expr)
            method = methods.get(base[0])
            if method is not None:
                if lookup.defined_size != len(values):
                    lookup.definitions = tuple(v[1] for v in values if v[0] in _DEFINITION_TAGS)
                    lookup.defined_size = len(values)
                if lookup.definitions:
                    by_method.setdefault(method, []).append(lookup.definitions)
        if getters:
            assert node_id is not None
            self._record_property_calls(node_id, dict.fromkeys(getters))
        if by_method:
            targets = self.attribute_targets
            for method, groups in by_method.items():
                for definitions in groups:
                    for definition in definitions:
                        targets.add((node_id, definition, method))
        if guessed and not supplied and kept:
            out.update(*guessed)
        return out

    def _overriding_receivers(self, bases: list[Value], name: str, receiver: Expr) -> list[Value]:
        """For ``self.name`` read in a method ``f`` of class ``A`` (``receiver`` being
        its ``self``): instances of the repository subclasses of each class of ``bases``
        that override ``name`` and take ``f`` from ``A``.

        Such a subclass's instance runs ``f`` where the subclass is used, whether or not
        the repository makes one (a library's users do): ``self.emit(record)`` in
        ``Handler.handle`` reaches every handler's ``emit``.
        """
        method = self._self_methods.get(receiver)
        if method is None:
            assert receiver is not None
            fn = self.funcs[receiver[1].partition(":")[0]]
            usable = fn.method_kind in {"method", "property"} and fn.class_id is not None
            method = self._self_methods[receiver] = (fn.class_id or "", fn.name) if usable else ()
        if not method:
            return []
        # The reader waits on ``name``: a class defining it whose MRO changes wakes it
        # (see :meth:`_bases_grew`), which costs less than waiting on each such MRO.
        self._override_readers[name].add(self.cur)
        if not self.late:
            # Until the first convergence the class hierarchy is still being found, one
            # base at a time; each step would redo these lookups (thousands of test
            # classes each gaining ``TestCase`` would make it quadratic). The readers
            # are all woken once it is known (see :meth:`_late_rules`).
            return []
        out: list[Value] = []
        for base in bases:
            if base[0] == "I":
                out.extend(("I", sub) for sub in self._overriding_subclasses(base[1], name, method))
        return out

    def _overriding_subclasses(self, cid: str, name: str, method: tuple[str, str]) -> list[str]:
        """Repository subclasses of ``cid`` whose body defines ``name`` and whose MRO takes
        ``method`` (class, name) from that class.

        Kept, like :meth:`_subclasses_defining`, for as long as no class defining
        ``name`` has had its MRO changed: the MROs read are all such classes'.
        """
        key = (cid, name, method)
        generation = self._name_generations.get(name, 0)
        cached = self._overriders.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1]
        candidates = self._subclasses_defining(cid, name)
        owner, method_name = method
        found: list[str] = []
        for sub in candidates:
            for klass in self.mro(sub)[0]:
                cls = self.classes.get(klass[1]) if klass[0] == "C" else None
                if cls is not None and method_name in cls.body_names:
                    if klass[1] == owner:
                        found.append(sub)
                    break
        self._overriders[key] = (generation, found)
        return found

    def _subclasses_defining(self, cid: str, name: str) -> list[str]:
        """Repository subclasses of ``cid`` (not itself) whose body defines ``name``.

        Worked out for every class at once, per name: the classes defining it, by each
        repository class of their MROs. Kept until the name's generation changes.
        """
        generation = self._name_generations.get(name, 0)
        cached = self._definers_by_ancestor.get(name)
        if cached is None or cached[0] != generation:
            # The MROs are read without waiting on them (the name's generation stands
            # for them), from the cache where it is current.
            cache = self.mro_cache if self.mro_version == self.bases_version else {}
            by_ancestor: dict[str, list[str]] = {}
            for sub in self._definers.get(name, ()):
                mro = cache.get(sub)
                if mro is None:
                    mro = self.mro(sub)
                for klass in mro[0]:
                    if klass[0] == "C" and klass[1] != sub:
                        by_ancestor.setdefault(klass[1], []).append(sub)
            cached = self._definers_by_ancestor[name] = (generation, by_ancestor)
        return cached[1].get(cid, [])

    def _unread_members(self, values: Values, name: str) -> bool:
        """Whether ``values``, of attribute ``name`` of a repository instance, are only
        that attribute of external base classes whose attributes cannot be read."""
        for value in values:
            if value[0] != "X":
                return False
            owner, _, attribute = value[1].rpartition(".")
            if attribute != name or not self._external_class(owner):
                return False
            if self.env.classes.has_attribute(owner, name) is not None:
                return False
        return True

    def eval_key(self, expr: Expr) -> Values | None | Literal[False]:
        """Values of a subscript key: None when unknown, False when it has none *yet*.

        A key with no values is waited for until the first convergence; after it, it
        counts as unknown (every slot), so stores keyed by data from outside the
        program are not lost.
        """
        if expr is None:
            return None
        keys = self.ev(expr)
        if keys:
            return keys
        if self.late:
            return None
        self.pending_keys.add(self.cur)
        return False

    def global_value(self, module_id: str, name: str) -> Values:
        """A module-level name read from a module without a binding of its own for it."""
        if name in self.globals.get(module_id, ()):
            return self.read(f"{module_id}:{name}")
        if name in self.env.builtin_names:
            return {("BI", name)}
        stars = self.external_stars.get(module_id)
        if stars and len(stars) == 1:
            return {("X", f"{stars[0]}.{name}")}
        return _EMPTY

    def import_value(self, node_id: str, mode: str, name: str) -> Values:
        """The value an import binds."""
        target = self.imports.get(node_id)
        if mode == "top":
            top = name.split(".", 1)[0]
            canonical = self.index.canonical(top)
            return {("M", canonical)} if canonical else {("X", top)}
        if target is None:
            return _EMPTY
        if mode == "module":
            if target.base is not None:
                return {("M", target.base)}
            return {("X", target.external)} if target.external else _EMPTY
        if target.base is not None:
            return self.getattr(("M", target.base), name)
        if target.external:
            return self._external_attribute(target.external, name)
        return _EMPTY

    # ---- classes -------------------------------------------------------------------------

    def bases(self, cid: str) -> list[Value]:
        """Direct bases of a repository class, in order (a list kept until they grow: not to be changed)."""
        pairs = self.read(("bases", cid))
        cached = self._base_lists.get(cid)
        if cached is None or cached[0] != len(pairs):
            cached = self._base_lists[cid] = (len(pairs), [v for _, v in sorted(pairs)])
        return cached[1]

    def mro(self, cid: str) -> _Mro:
        """C3 MRO of a repository class (cached until some class gains a base).

        The read pattern is that of recomputing every MRO whenever any class gains a
        base (the readers of each ``bases`` key stay exactly the same), but the C3
        computation itself is redone only when a class it visited gained a base.
        """
        if self.mro_version != self.bases_version:
            self.mro_cache.clear()
            self.mro_version = self.bases_version
        cached = self.mro_cache.get(cid)
        if cached is None:
            readers, cur = self.readers, self.cur
            stored = self._current_mro(cid)
            if stored is not None:
                cached = stored[0]
                for k in stored[2]:
                    readers[("bases", k)].add(cur)
            else:
                visited: list[str] = []

                def bases_of(k: Value) -> list[Value]:
                    visited.append(k[1])
                    return self.bases(k[1])

                def known(k: Value) -> list[Value] | None:
                    ancestor = self._current_mro(k[1]) if k[0] == "C" else None
                    if ancestor is None or ancestor[0][1] is not None:
                        return None
                    for name in ancestor[2]:
                        readers[("bases", name)].add(cur)
                    visited.extend(ancestor[2])
                    return ancestor[0][0]

                cached = c3_mro(("C", cid), bases_of, known)
                gens = self.bases_gen
                classes = tuple(dict.fromkeys(visited))  # an ancestor's come again through each path to it
                deps = tuple([(k, gens.get(k, 0)) for k in classes])
                self.mro_deps[cid] = (cached, deps, classes)
            self.mro_cache[cid] = cached
        # The reader waits on the MRO as a whole: a class of it gaining a base wakes it
        # (see :meth:`_bases_grew`), without a place in every such class's reader set.
        if self._mro_indexed.get(cid) is not cached:
            self._mro_indexed[cid] = cached
            members = self._mro_members
            for klass in cached[0]:
                if klass[0] == "C":
                    members[klass[1]].add(cid)
        self._mro_readers[cid].add(self.cur)
        return cached

    @staticmethod
    def _per_mro(memo: dict[_K, tuple[_Mro, _T]], key: _K, mro: _Mro, compute: Callable[[], _T]) -> _T:
        """``compute()``, kept in ``memo`` under ``key`` for as long as ``mro`` is the MRO it was made for."""
        cached = memo.get(key)
        if cached is None or cached[0] is not mro:
            cached = memo[key] = (mro, compute())
        return cached[1]

    def _bases_grew(self, cid: str) -> None:
        """Class ``cid`` gained a base: wake every reader of an MRO holding it."""
        self.bases_version += 1
        self.bases_gen[cid] = self.bases_gen.get(cid, 0) + 1
        readers = self._mro_readers
        holders = sorted(self._mro_members.get(cid, ()))
        for holder in holders:
            self._lookups_changed |= readers.get(holder, set())
            self._queue(readers.get(holder, ()))
        # Each class whose MRO changed may now override names read through ``self`` in
        # its new ancestors (see :meth:`_overriding_subclasses`), once those are read.
        override_readers, classes, generations = self._override_readers, self.classes, self._name_generations
        for holder in sorted({cid, *holders}) if self.late else ():
            cls = classes.get(holder)
            for name in sorted(cls.body_names) if cls is not None else ():
                generations[name] = generations.get(name, 0) + 1
                self._queue(sorted(override_readers.get(name, ())))

    def _queue(self, readers: Iterable[int]) -> None:
        """Queue each of ``readers`` not queued yet, in the order given."""
        queued, append = self.queued, self.queue.append
        for reader in readers:
            if not queued[reader]:
                queued[reader] = True
                append(reader)

    def _current_mro(self, cid: str) -> tuple[_Mro, tuple[tuple[str, int], ...], tuple[str, ...]] | None:
        """The stored MRO of ``cid`` with its dependencies, if no class it visited gained a base since."""
        stored = self.mro_deps.get(cid)
        if stored is None or any(self.bases_gen.get(k, 0) != g for k, g in stored[1]):
            return None
        return stored

    def class_lookup(
        self, cid: str, name: str, after: str | None = None
    ) -> list[tuple[Value, Value]]:
        """(value, owner) pairs of ``name`` along the MRO of ``cid`` (after class ``after``)."""
        computed = self.mro(cid)
        # The walk along this MRO (from past ``after``), planned once per (class, name,
        # after) and MRO object.
        plan_key = (cid, name, after)
        plan = self._lookup_plans.get(plan_key)
        stored = name in self._stored_on_classes
        if plan is None or plan[0] is not computed or plan[1] is not stored:
            start = 0 if after is None else self._mro_start_after(cid, computed, after)
            plan = self._lookup_plans[plan_key] = (computed, stored, self._lookup_plan(computed[0], start, name, stored))
        vals, cur = self.vals, self.cur
        if not stored:
            self._unstored_readers[name].add(cur)
        for kind, klass, reader_set, key, in_body in plan[2]:
            if kind == 0:
                reader_set.add(cur)  # type: ignore[union-attr]  # kind 0 steps have one
                slot = vals.get(key, _EMPTY)
                if slot or in_body or slot is _GIVEN_UP:
                    return [(v, klass) for v in slot]
            elif kind == 1:
                return [(v, klass) for v in self._external_attribute(klass[1], name)]
            else:
                return []
        return []

    def _mro_start_after(self, cid: str, computed: _Mro, klass: str) -> int:
        """Where a walk after class ``klass`` starts in ``computed``, the MRO of ``cid``.

        Past the end (an empty walk) when ``klass`` is not in it.
        """
        positions = self._per_mro(
            self._mro_positions,
            cid,
            computed,
            lambda: {k[1]: i for i, k in reversed(list(enumerate(computed[0]))) if k[0] == "C"},
        )
        position = positions.get(klass)
        return len(computed[0]) if position is None else position + 1

    def _lookup_plan(self, mro: list[Value], start: int, name: str, stored: bool) -> list[_PlanStep]:
        """Steps of :meth:`class_lookup` along ``mro`` from ``start``, up to the first that always ends it.

        A class takes a name from its body or from a store (``cls.x = v``): until some
        store gives a class ``name`` (``stored``), only the classes whose bodies bind it
        are steps (the lookup waits on the name instead; see
        :meth:`_first_stored_on_a_class`). On a long MRO, most names looked up are defined
        far up or nowhere.
        """
        plan: list[_PlanStep] = []
        readers, classes = self.readers, self.classes
        assigned = False
        for position in range(start, len(mro)):
            klass = mro[position]
            if klass[0] == "C":
                cls = classes.get(klass[1])
                key = ("A", klass, name)
                in_body = cls is not None and name in cls.body_names
                if in_body or stored:
                    plan.append((0, klass, readers[key], key, in_body))
                if in_body:
                    break
                assigned = assigned or (cls is not None and name in cls.instance_names)
            elif klass[0] == "X":
                if assigned:
                    break  # the repository's own instance attribute, not the external base's
                known = self.env.base_attributes.get(klass[1])
                if known is not None and name not in known:
                    continue  # (``abc.ABC``, say) it has no such attribute: look further on
                if known is None and self.env.classes.has_attribute(klass[1], name) is False:
                    continue  # its source shows it has no such attribute
                plan.append((1, klass, None, None, False))
                break
            elif klass != OBJECT:
                plan.append((2, klass, None, None, False))
                break
        return plan

    def _param0(self, fid: str) -> str | None:
        """The variable of the first parameter of ``fid``, if that takes a positional
        argument; worked out once per function, since every receiver bound asks."""
        try:
            return self._first_params[fid]
        except KeyError:
            fn = self.funcs.get(fid)
            if fn is None:
                return None
            takes = bool(fn.params) and fn.params[0].kind in {"posonly", "regular"}
            var = self._first_params[fid] = fn.params[0].var if takes else None
            return var

    def _returns_receiver(self, fid: str) -> bool:
        """Whether method ``fid`` returns its own ``self`` unchanged (``return self``) and
        nothing else; worked out once per function, since every special method found asks."""
        known = self._receiver_returners.get(fid)
        if known is None:
            fn = self.funcs.get(fid)
            if fn is None:
                return False
            known = self._receiver_returners[fid] = (
                fn.method_kind == "method"
                and bool(fn.params)
                and fn.returns_params == (fn.params[0].name,)
                and not fn.returns_rest
                and not fn.returns_calls
            )
        return known

    def _method_result(self, fid: str, receiver: Value) -> Values:
        """What calling method ``fid`` on ``receiver`` returns: the receiver itself for ``return self``."""
        if self._returns_receiver(fid):
            return {receiver}
        return self.read(("ret", fid))

    def _bind_receiver(self, fid: str, receiver: Value) -> None:
        """Pass ``receiver`` to method ``fid``: as its first parameter, or as the first
        element of its ``*args`` when that comes first (a wrapper's ``(*args, **kwargs)``)."""
        var = self._param0(fid)
        if var is not None:
            if receiver not in self.vals.get(var, _EMPTY):  # most were passed before: nothing to add
                self.add(var, (receiver,))
            return
        layout = self._layout(fid)
        if layout is not None and layout.vararg is not None and not layout.positional:
            self.store_slot(layout.star_tuple, ("num", 0), (receiver,))

    def _through_instance(
        self,
        found: list[tuple[Value, Value]],
        receiver: Value,
        cls_value: Value,
        properties: set[str],
    ) -> set[Value]:
        out: set[Value] = set()
        for value, _owner in found:
            tag = value[0]
            if tag == "F":
                self._bind_receiver(value[1], receiver)
                out.add(("B", value[1]))
            elif tag == "SM":
                out.add(("F", value[1]))
            elif tag == "CM":
                self._bind_receiver(value[1], cls_value)
                out.add(("B", value[1]))
            elif tag == "PR":
                self._bind_receiver(value[1], receiver)
                properties.add(value[1])
                out |= self.read(("ret", value[1]))
            elif tag == "I" and self._descriptor_get(value, receiver, cls_value, properties, out):
                continue
            else:
                out.add(value)
        return out

    def _descriptor_get(
        self, descriptor: Value, instance: Value | None, owner: Value, properties: set[str], out: set[Value]
    ) -> bool:
        """Read ``descriptor``, a class attribute, through ``instance`` (None: through the
        class ``owner``): if its class defines ``__get__``, call it (the call goes to
        ``properties``), put what it returns in ``out`` and return True."""
        getters = [v[1] for v, _ in self.class_lookup(descriptor[1], "__get__") if v[0] == "F"]
        for fid in getters:
            self._bind_receiver(fid, descriptor)
            self._bind_positionals(fid, ({instance} if instance is not None else _EMPTY, {owner}))  # None: no value
            properties.add(fid)
            out |= self.read(("ret", fid))
        return bool(getters)

    def _set_on_instances(self, cid: str, name: str) -> bool:
        """Whether a repository class along the MRO of ``cid`` sets ``name`` on ``self``."""
        classes = self.classes
        return any(
            klass[0] == "C" and klass[1] in classes and name in classes[klass[1]].instance_names
            for klass in self.mro(cid)[0]
        )

    def _call_getattr_hooks(
        self, hooks: list[tuple[Value, Value]], receiver: Value | None, name: str, properties: set[str]
    ) -> None:
        """``name`` is read where nothing defines it: call the ``__getattr__`` in
        ``hooks`` (a class's, bound to ``receiver``, or a module's) with the name; the
        call goes to ``properties`` to be recorded as a getter's is.

        What it returns is not taken: it depends on the name, and the one summary of
        the function holds what every name read anywhere gives (a mock's or a generic
        alias's ``__getattr__`` would hand every read the attributes of all the others).
        """
        for value, _owner in hooks:
            if value[0] != "F":
                continue
            fid = value[1]
            if receiver is not None:
                self._bind_receiver(fid, receiver)
            self._bind_positionals(fid, ({("K", "str", name)},), start=0 if receiver is None else 1)
            properties.add(fid)

    def _through_class(
        self, found: list[tuple[Value, Value]], cls_value: Value, properties: set[str]
    ) -> set[Value]:
        out: set[Value] = set()
        for value, _owner in found:
            tag = value[0]
            if tag == "SM":
                out.add(("F", value[1]))
            elif tag == "CM":
                self._bind_receiver(value[1], cls_value)
                out.add(("B", value[1]))
            elif tag == "I" and self._descriptor_get(value, None, cls_value, properties, out):
                continue
            else:
                out.add(value)
        return out

    def getattr(self, base: Value, name: str) -> Values:
        """Values of ``base.name``, read outside an attribute expression (no targets recorded)."""
        lookup = self._lookups.get(name, {}).get(base) or self._lookup(base, name)
        lookup.readers.add(self.cur)
        return lookup.values

    def _read_for_nothing(self, base: Value, name: str) -> Values:
        """:meth:`getattr` for a reader that drops what it reads: the lookup is made and
        read (its growth wakes the reader as before), and no value returned."""
        self.getattr(base, name)
        return _EMPTY

    def _lookup(self, base: Value, name: str) -> _Lookup:
        """The shared lookup of ``base.name``, made and worked out now (its reader is not registered).

        One ``attr`` constraint per (base, name) works the lookup out, the first time
        here and again whenever what it read grows, for every read of it at once: the
        same instances flow to many reads of the same name. Its values are the key
        ``("AR", base, name)``.
        """
        key = ("AR", base, name)
        values = self.vals[key] = set()
        lookup = _Lookup(values, self.readers[key])
        self._lookups.setdefault(name, {})[base] = lookup
        self._run_now(("attr", base, name, key))
        return lookup

    def _shared(self, key: object, con: Constraint) -> Values:
        """Values of ``key``, which constraint ``con`` fills; created and run now on first use.

        The running constraint becomes a reader of ``key``.
        """
        values = self.vals.get(key)
        if values is None:
            values = self.vals[key] = set()
            self._run_now(con)
        self.readers[key].add(self.cur)
        return values

    def _run_now(self, con: Constraint) -> None:
        """Add constraint ``con`` (not queued) and run it at once, inside the running one."""
        number = self._add_idle(con)
        cur = self.cur
        self.cur = number
        try:
            self.step(number)
        finally:
            self.cur = cur

    def _grow(self, key: object, values: Values) -> None:
        """Add ``values`` to a shared key (unbounded: what it holds was bounded where it came from)."""
        current = self.vals[key]
        if not values <= current:
            current |= values
            self._wake(key)

    def _argument(self, index: int, keyword: bool, number: int, expr: Expr) -> Values:
        """Values of an argument of call ``index``, worked out once for all its callees.

        A plain name or constant is read directly; anything else (an attribute read, a
        call, a subscript) is evaluated by one ``argv`` constraint per argument.
        """
        if expr is None or expr[0] in _DIRECT_EXPRESSIONS:
            return self.ev(expr)
        key = ("argv", index, keyword, number)  # the key is its constraint too
        return self._shared(key, key)

    def run_argument(self, index: int, keyword: bool, number: int) -> None:
        """Fill the key of :meth:`_argument`."""
        call = self.calls[index]
        expr = call.kwargs[number][1] if keyword else call.args[number][0]
        self._grow(("argv", index, keyword, number), self.ev(expr))

    def run_attribute(self, base: Value, name: str, key: object) -> None:
        """Work ``base.name`` out into its shared key; wake its reads if it or its properties grew."""
        properties: set[str] = set()
        found = self._attribute(base, name, properties)
        if properties:
            lookup = self._lookups[name][base]
            if lookup.properties is None:
                lookup.properties = set()
            if not properties <= lookup.properties:
                lookup.properties |= properties
                self._wake(key)
        self._grow(key, found)

    def _read_methods(self, name: str, base_expr: Expr) -> dict[str, str]:
        """How a read of ``name`` through ``base_expr`` finds its targets, by tag of base.

        A tag not in the result gives no attribute target.
        """
        through_self = base_expr is not None and self._is_param0(base_expr)
        methods = _SELF_READS if through_self else _OTHER_READS
        if name == "__class__":
            methods = {tag: method for tag, method in methods.items() if tag != "I"}
        return methods

    def _record_property_calls(self, node_id: str, properties: Collection[str]) -> None:
        """A read of a property calls its getter, and a read of a missing attribute the
        ``__getattr__`` there is: one edge per function from the running caller."""
        if self.cur < 0:
            return
        caller = self._caller_of(self.cur)
        if caller is not None:
            for fid in properties:
                name = self.funcs[fid].name
                if name in {"__getattr__", "__get__"}:
                    self._record_edge(node_id, caller, ("F", fid), name, "protocol")
                else:
                    self._record_edge(node_id, caller, ("F", fid), None, "property")

    def _attribute(self, base: Value, name: str, properties: set[str]) -> Values:
        """Values of ``base.name``; the getters of properties it reads go to ``properties``."""
        tag = base[0]
        out: set[Value]
        if tag == "M":
            module_id = self.module_ids.get(base[1])
            out = set(self.read(("A", base, name)))
            if module_id is not None and name in self.globals[module_id]:
                out |= self.read(f"{module_id}:{name}")
            sub = self.index.canonical(f"{base[1]}.{name}")
            if sub is not None:
                out.add(("M", sub))
            elif (
                not out
                and module_id is not None
                and "__getattr__" in self.globals[module_id]
                and name not in self.globals[module_id]
                and not name.startswith("__")
            ):
                hooks = [(hook, base) for hook in self.read(f"{module_id}:__getattr__")]
                self._call_getattr_hooks(hooks, None, name, properties)
        elif tag == "X":
            return self._external_attribute(base[1], name)
        elif tag == "XI":
            return self._instance_attribute(base[1], name)
        elif tag == "XM":
            return {("T", "str")} if name in _TEXT_ATTRIBUTES else set()
        elif tag == "XU":
            return {_UNKNOWN_EXTERNAL}
        elif tag == "I":
            if name == "__class__":
                return {("C", base[1])}
            out = set(self.read(("A", base, name)))
            found = self.class_lookup(base[1], name)
            if out:
                found = [f for f in found if f[0][0] != "X"]
            out |= self._through_instance(found, base, ("C", base[1]), properties)
            if not found:
                container = self._contents(base)
                if container is not None and name in self.env.type_methods.get(container[1], ()):
                    out.add(("BM", container[1], name, container))
                elif not out and not name.startswith("__") and not self._set_on_instances(base[1], name):
                    self._call_getattr_hooks(self.class_lookup(base[1], "__getattr__"), base, name, properties)
        elif tag == "C":
            found = self.class_lookup(base[1], name)
            if name == "__new__" and not any(v[0] == "SM" for v, _ in found):
                return {_OBJECT_NEW}
            member_of = self._enum_member_class(base[1], name, found)
            if member_of is not None:
                return self._enum_members(member_of)
            out = self._through_class(found, base, properties)
        elif tag == "SUP":
            inner = base[2]
            found = self.class_lookup(inner[1], name, after=base[1])
            if name == "__setattr__" and inner[0] == "I" and not any(v[0] == "F" for v, _ in found):
                return {("SETATTR", inner)}  # ``object.__setattr__`` bound to the instance
            if name == "__init__" and inner[0] == "I" and self._generated_init(inner[1], base[1]) is not None:
                return {("GI", inner, base[1])}  # a generated ``__init__``, bound to the instance
            if name == "__new__" and not any(v[0] == "SM" for v, _ in found):
                return {_OBJECT_NEW}
            if inner[0] == "I":
                out = self._through_instance(found, inner, ("C", inner[1]), properties)
            else:
                out = self._through_class(found, inner, properties)
        elif tag in {"F", "B"}:
            return set(self.read(("A", ("F", base[1]), name)))
        elif tag == "PR":
            return {("PRD", base[1], name)} if name in {"setter", "getter", "deleter"} else set()
        elif tag == "BI":
            if base == OBJECT and name == "__setattr__":
                return {("BI", "setattr")}  # called as ``object.__setattr__(obj, name, value)``
            if base == OBJECT and name == "__new__":
                return {_OBJECT_NEW}
            if base[1] in BUILTIN_TYPE_PYCG and name in self.env.type_methods.get(base[1], ()):
                return {("BM", base[1], name, _ABSENT)}
            return set()
        else:
            typename = self._builtin_type(base)
            if typename is not None and name in self.env.type_methods.get(typename, ()):
                receiver = base if base[0] in {"L", "SL", "VIEW"} else _ABSENT
                return {("BM", typename, name, receiver)}
            return set()
        return out

    def _instance_attribute(self, qualname: str, name: str) -> set[Value]:
        """``name`` on an instance of the external class ``qualname``: a member
        ``("XM", "qualname.name")`` that calling reaches, unless the class's source
        shows it has no such attribute. What the member holds is not known, so no
        attribute chain grows from it (``Path(p).name.style`` is nothing)."""
        if name == "__class__":
            return {("X", qualname)}
        if name in _TEXT_ATTRIBUTES:
            return {("T", "str")}
        if self.env.classes.has_attribute(qualname, name) is False:
            return set()
        return {("XM", f"{qualname}.{name}")}

    def _external_class(self, qualname: str) -> bool:
        """Whether calling the external ``qualname`` makes an instance of it: a class
        that the interpreter's module source defines, or, for a module the interpreter
        does not have, a name written as a class is (:func:`_names_a_class`)."""
        if self.env.origin(qualname)[0] == "unknown":
            return _names_a_class(qualname)
        return self.env.classes.is_class(qualname) is True

    def _external_attribute(self, qualname: str, name: str) -> Values:
        """``qualname.name`` for an external value (worked out once per pair, see
        :meth:`_compute_external_attribute`)."""
        found = self._external_attributes.get((qualname, name))
        if found is None:
            found = self._external_attributes[(qualname, name)] = self._compute_external_attribute(qualname, name)
        return found

    def _compute_external_attribute(self, qualname: str, name: str) -> frozenset[Value]:
        """``qualname.name`` for an external value: bounded, and never repeating a part.

        Values of external objects flow around loops (``x = x.parent``); without the
        bound their attribute chains would grow forever. A plain value the interpreter
        snapshot knows (``sys.base_prefix``, a string) has only its type's attributes;
        one that ``sys`` or ``os`` lacks here (``sys._vpath`` on Linux) has none known.
        ``__name__``, ``__qualname__`` and ``__module__`` are strings.
        """
        known = self.env.data_attributes.get(qualname)
        if known is not None and name not in known:
            return _EMPTY
        module, _, attribute = qualname.partition(".")
        present = self.env.module_attributes.get(module)
        if present is not None and attribute and "." not in attribute and attribute not in present:
            return _EMPTY  # a name this interpreter's module lacks: what it holds is unknown
        if name in _TEXT_ATTRIBUTES:
            return frozenset({("T", "str")})
        parts = qualname.split(".")
        if (name in parts and len(parts) > 1) or len(parts) >= _EXTERNAL_DEPTH:
            return _EMPTY
        return frozenset({("X", f"{qualname}.{name}")})

    def _is_param0(self, expr: tuple[Any, ...]) -> bool:
        cached = self._param0_cache.get(expr)
        if cached is None:
            cached = self._param0_cache[expr] = self._compute_is_param0(expr)
        return cached

    def _compute_is_param0(self, expr: tuple[Any, ...]) -> bool:
        if expr[0] != "v" or not isinstance(expr[1], str):
            return False
        head, _, tail = expr[1].partition(":")
        fn = self.funcs.get(head)
        return bool(fn and fn.class_id and fn.params and tail.split("#")[0] == fn.params[0].name)

    @staticmethod
    def _definition_id(value: Value) -> str | None:
        if value[0] in {"F", "B", "C", "SM", "CM", "PR"}:
            node_id: str = value[1]
            return node_id
        return None

    @staticmethod
    def _builtin_type(value: Value) -> str | None:
        tag = value[0]
        if tag in {"K", "T"}:
            return value[1] if value[1] in BUILTIN_TYPE_PYCG else None
        if tag == "KP":
            return "str"
        if tag == "L":
            return value[1] if value[1] in BUILTIN_TYPE_PYCG else None
        if tag == "SL":
            return value[1][1] if value[1][1] in BUILTIN_TYPE_PYCG else None
        if tag == "TL":
            return "list"
        return None

    # ---- containers ----------------------------------------------------------------------

    def slots(self, container: Value) -> AbstractSet[Any]:
        key = ("slots", container)
        self.readers[key].add(self.cur)
        return self.vals.get(key, _EMPTY)

    def slot_values(self, container: Value, slot: object) -> Values:
        key = ("S", container, slot)
        self.readers[key].add(self.cur)
        return self.vals.get(key, _EMPTY)

    def precise_length(self, container: Value) -> int | None:
        """Length of a list/tuple whose every element sits at a known index, else None."""
        if container[1] not in {"list", "tuple"} or self.slot_values(container, "*"):
            return None
        known = self.slots(container)
        if "*" in known or _SHIFTED in known or len(known) >= MAX_VALUES:
            return None  # (a full slot list may have dropped some index)
        return 1 + max((s[1] for s in known if s[0] == "num" and isinstance(s[1], int)), default=-1)

    def view_elements(self, view: Value) -> Values:
        """Elements of a slice view ``("SL", container, lower, upper[, imprecise])``
        (an omitted bound is :data:`_ABSENT`)."""
        container = view[1]
        length = self.precise_length(container) if len(view) == 4 else None
        if length is None:
            return self.all_elements(container)
        bounds = (None if bound == _ABSENT else bound for bound in view[2:4])
        lower, upper, _ = slice(*bounds).indices(length)
        out: set[Value] = set()
        for i in range(lower, upper):
            out |= self.slot_values(container, ("num", i))
        return out

    def _view_subscript(self, view: Value, slots: list[tuple[str, Any]] | None) -> Values:
        """Values of ``view[key]`` for a slice view: ``ls[1:3][0]`` is ``ls[1]`` when the
        length of ``ls`` and the key are known, else any element of the view."""
        container = view[1]
        length = self.precise_length(container) if len(view) == 4 and slots is not None else None
        if length is None or slots is None or any(not isinstance(s[1], int) or s[0] != "num" for s in slots):
            return self.view_elements(view)
        bounds = (None if bound == _ABSENT else bound for bound in view[2:4])
        indices = range(*slice(*bounds).indices(length))
        out: set[Value] = set()
        for _, i in slots:
            if -len(indices) <= i < len(indices):
                out |= self.slot_values(container, ("num", indices[i]))
        return out

    def all_elements(self, container: Value) -> Values:
        """Values of every slot of ``container`` (kept up to date by :meth:`store_slot`).

        The set returned is the solver's own: callers read it, they never change it.
        """
        key = ("E", container)
        self.readers[key].add(self.cur)
        return self.vals.get(key, _EMPTY)

    def store_slot(self, container: Value, slot: object, values: Collection[Value]) -> None:
        """Add ``values`` to a slot of ``container``, and to the union of its slots."""
        vals = self.vals
        slots = vals.get(("slots", container))
        if slots is None or slot not in slots:
            self.add(("slots", container), (slot,))
            self._container_versions[container] = self._container_versions.get(container, 0) + 1
        key = ("S", container, slot)
        current = vals.get(key)
        if current is not None and (not values or (isinstance(values, (set, frozenset)) and values <= current)):
            return  # nothing new (as in :meth:`add`)
        before = -1 if current is None else len(current)
        widened = key in self.widened
        self.add(key, values)
        stored: Values = vals.get(key) or _EMPTY
        signatures = self._slot_signatures.get(container)
        if signatures is None:
            signatures = self._slot_signatures[container] = {}
        signatures[slot] = (len(stored), self.widened.get(key))
        if len(stored) == before and widened == (key in self.widened):
            return
        self._container_versions[container] = self._container_versions.get(container, 0) + 1
        elements_key = ("E", container)
        elements = self.vals.get(elements_key)
        if elements is None:
            elements = self.vals[elements_key] = set()
        size = len(elements)
        if widened == (key in self.widened):
            elements |= stored
        else:
            # The slot's literals just became their types: the union loses them too.
            elements.clear()
            for each in self.vals[("slots", container)]:
                elements |= self.vals.get(("S", container, each), _EMPTY)
            size = -1
        if len(elements) != size:
            self._wake(elements_key)

    def copy_slots(self, source: Value, target: Value) -> None:
        """Store every slot of ``source`` into the same slot of ``target`` (``dict(d)``, ``t.update(d)``).

        A constraint re-run copies only the slots that changed since it last copied
        them: a slot's values only grow, except when widened, so its size and widened
        kinds tell whether it changed (:meth:`store_slot`, which alone writes slots,
        keeps both for every slot). Skipping an unchanged slot skips a store that would
        change nothing, and the running constraint already reads its key.
        """
        copied = self._slot_copies.setdefault((self.cur, source, target), {})
        slots = list(self.slots(source))
        signatures = self._slot_signatures.get(source, {})
        for slot in slots:
            signature = signatures.get(slot, _NO_SLOT_SIGNATURE)
            if copied.get(slot) == signature:
                continue
            self.store_slot(target, slot, self.slot_values(source, slot))
            copied[slot] = signature

    def _wake(self, key: object) -> None:
        readers = self.readers.get(key)
        if readers:
            if type(key) is tuple and key[0] == "A":
                self._lookups_changed |= readers
            queued = self.queued
            append = self.queue.append
            for reader in readers:
                if not queued[reader]:
                    queued[reader] = True
                    append(reader)

    def iterate(self, value: Value) -> Values:
        """Elements produced by iterating ``value``."""
        tag = value[0]
        if tag == "L":
            if value[1] == "dict":
                # A dict's slot keys only grow (they are never widened), so its key
                # values are rebuilt only when their number changed.
                slots = self.slots(value)
                keys = self._dict_keys.get(value)
                if keys is None or keys[0] != len(slots):
                    keys = self._dict_keys[value] = (
                        len(slots), frozenset(_key_value(s) for s in slots if s != "*")
                    )
                return keys[1]
            return self.all_elements(value)
        if tag == "SL":
            return self.view_elements(value)
        if tag == "G":
            return set(self.read(("yld", value[1])))
        if tag in {"K", "T"}:
            return {("T", value[1])} if value[1] in {"str", "bytes"} else set()
        if tag == "TL":
            return {("T", value[1])}
        if tag == "VIEW":
            kind, container = value[1], value[2]
            if kind == "keys":
                return self.iterate(container)
            if kind == "values":
                return self.all_elements(container)
            return {("PAIR", container)}
        if tag == "PAIR":
            return self.iterate(value[1]) | self.all_elements(value[1])
        if tag == "ZR":
            return {("ZT", value[1], value[2])}
        if tag == "C":
            return self._enum_members(value[1]) if self._is_enum(value[1]) else set()
        if tag == "I":
            out: set[Value] = set()
            found = self.class_lookup(value[1], "__iter__")
            if not found:
                container = self._contents(value)
                return self.iterate(container) if container is not None else out
            for fn in self._instance_methods(value, "__iter__", found):
                fact = self.funcs.get(fn)
                if fact is not None and fact.is_generator:
                    out |= self.read(("yld", fn))
                    continue
                for it in list(self._method_result(fn, value)):
                    if it[0] == "I":
                        for nxt in self._instance_methods(it, "__next__"):
                            out |= self._method_result(nxt, it)
                    else:
                        out |= self.iterate(it)
            return out
        return set()

    def _is_enum(self, cid: str) -> bool:
        """Whether repository class ``cid`` derives from one of the ``enum`` bases."""
        computed = self.mro(cid)
        classes = self.classes
        return self._per_mro(
            self._enums,
            cid,
            computed,
            lambda: any(
                (klass[0] == "X" and klass[1] in _ENUM_BASES)
                or (klass[0] == "C" and klass[1] in classes and classes[klass[1]].qualname in _ENUM_BASES)
                for klass in computed[0]
            ),
        )

    def _enum_member_class(self, cid: str, name: str, found: list[tuple[Value, Value]]) -> str | None:
        """The enum class whose member ``cid.name`` is, if it is one: a public name its
        class body binds to a plain value (functions, descriptors and classes are not
        members)."""
        if name.startswith("_") or any(v[0] in _NOT_ENUM_MEMBERS for v, _ in found) or not self._is_enum(cid):
            return None
        for klass in self.mro(cid)[0]:
            cls = self.classes.get(klass[1]) if klass[0] == "C" else None
            if cls is not None and name in cls.body_names:
                return None if cls.qualname in _ENUM_BASES else klass[1]
        return None

    def _enum_members(self, cid: str) -> set[Value]:
        """What a member of enum class ``cid`` is: an instance of it."""
        self._allocate(cid)
        return {("I", cid)}

    def _contents(self, inst: Value) -> Value | None:
        """The container an instance of a repository class derived from ``list``, ``dict``,
        ``set`` or ``tuple`` is, for what the builtin type's own methods and operations do
        with it (``self.append(x)``, ``self[k] = v``, ``for x in self``): one per class,
        ``("L", kind, instance)``. None for other instances."""
        for klass in self.mro(inst[1])[0]:
            if klass[0] == "BI":
                return ("L", klass[1], inst) if klass[1] in _CONTAINER_BASES else None
        return None

    def _instance_methods(
        self, inst: Value, name: str, found: list[tuple[Value, Value]] | None = None
    ) -> list[str]:
        """The repository methods ``name`` of instance ``inst`` (its class's lookup of
        ``name``, or ``found`` if made), each with ``inst`` bound as its receiver."""
        out = []
        for value, _ in self.class_lookup(inst[1], name) if found is None else found:
            if value[0] == "F":
                self._bind_receiver(value[1], inst)
                out.append(value[1])
        return out

    def subscript(self, value: Value, slots: list[tuple[str, Any]] | None, unpack: int) -> Values:
        """Values of ``value[key]``, the key's slots given by :func:`_slot_keys` (None: unknown).

        ``unpack``: 0 for a subscript; for an element of an unpacking, the number of its
        targets (a tuple of another known length cannot be unpacked there: it gives
        nothing; a list's length may change in place, so lists are not judged), or
        ``STARRED_UNPACK``.
        """
        tag = value[0]
        if tag == "L":
            if unpack > 0 and value[1] == "tuple":
                length = self.precise_length(value)
                if length is not None and length != unpack:
                    return _EMPTY  # unpacking it there raises ValueError
            if slots is None:
                return self.all_elements(value)
            known = self.slots(value)
            if _SHIFTED in known:
                return self.all_elements(value)
            out = set(self.slot_values(value, "*"))
            for slot in slots:
                if value[1] in {"list", "tuple"} and slot[0] == "num" and isinstance(slot[1], int) and slot[1] < 0:
                    if self.slot_values(value, "*") or "*" in known:
                        return self.all_elements(value)
                    length = 1 + max((s[1] for s in known if s != "*" and s[0] == "num"), default=-1)
                    slot = ("num", length + slot[1])
                out |= self.slot_values(value, slot)
            return out
        if tag == "SL":
            return self._view_subscript(value, slots) if unpack == 0 else self.view_elements(value)
        if tag in {"K", "T"} and value[1] in {"str", "bytes"}:
            return {("T", value[1])}
        if tag == "TL":
            return {("T", value[1])}
        if tag == "C" and unpack == 0 and self._is_enum(value[1]):
            return self._enum_members(value[1])  # ``Color["RED"]``
        if tag == "PAIR":
            container = value[1]
            if slots is not None and all(s == ("num", 0) for s in slots):
                return self.iterate(container)
            if slots is not None and all(s == ("num", 1) for s in slots):
                return self.all_elements(container)
            return self.iterate(container) | self.all_elements(container)
        if tag == "ZT":
            call_key, kind = value[1], value[2]
            indices = [s[1] for s in slots] if slots is not None else None
            out = set()
            if kind == "enumerate":
                if indices is None or 0 in indices:
                    out.add(("T", "int"))
                if indices is None or 1 in indices:
                    for v in list(self.read(("zarg", call_key, 0))):
                        out |= self.iterate(v)
                return out
            for i in range(8):
                if indices is None or i in indices:
                    for v in list(self.read(("zarg", call_key, i))):
                        out |= self.iterate(v)
            return out
        if tag == "GL":
            if slots is None:
                return set()
            out = set()
            for slot in slots:
                if slot[0] == "str":
                    out |= self.global_value(value[1], slot[1])
            return out
        if tag == "I":
            found = self.class_lookup(value[1], "__getitem__")
            if not found:
                container = self._contents(value)
                if container is not None:
                    return self.subscript(container, slots, unpack)
            out = set()
            for fn in self._instance_methods(value, "__getitem__", found):
                out |= self.read(("ret", fn))
            if not out and unpack:
                return self.iterate(value)
            return out
        if unpack:
            return self.iterate(value)
        return set()

    def binop(self, op: str, left: Values, right: Values) -> set[Value]:
        """Result of a binary operation on values of builtin types."""
        out: set[Value] = set()
        for a in left:
            ta = self._scalar_type(a)
            if ta is None:
                if a[0] in {"L", "SL"} and op == "Add":
                    out.add(self._concatenated(a))
                continue
            start = _known_start(op, a)
            if start:
                # A string known to start with a literal: what ``getattr(self, "visit_" + kind)`` reads.
                out.add(("KP", start))
            elif ta in {"str", "bytes"} and op in {"Add", "Mod", "Mult"}:
                out.add(("T", ta))
            elif ta in {"int", "float", "bool", "complex"}:
                for b in right:
                    tb = self._scalar_type(b)
                    if tb in {"int", "float", "bool", "complex"}:
                        kinds = {ta, tb}
                        result = "complex" if "complex" in kinds else "float" if ("float" in kinds or op == "Div") else "int"
                        out.add(("T", result))
        if op == "Add":
            for b in right:
                if b[0] in {"L", "SL"}:
                    out.add(self._concatenated(b))
        return out

    @staticmethod
    def _unplaced_view(container: Value) -> Value:
        """A view of ``container`` whose elements sit at unknown indices."""
        return ("SL", container, _ABSENT, _ABSENT, False)

    def _concatenated(self, operand: Value) -> Value:
        """The value standing for ``operand + other``: a view of the operand whose elements
        sit at unknown indices (the operand itself keeps its own)."""
        if operand[0] == "L" and operand[1] in {"list", "tuple"}:
            return self._unplaced_view(operand)
        if operand[0] == "SL" and len(operand) == 4:
            return self._unplaced_view(operand[1])
        return operand

    def _shift(self, container: Value) -> None:
        """Mark a list whose elements moved (:data:`_SHIFTED`); other containers keep theirs."""
        if container[0] == "L" and container[1] == "list":
            self.store_slot(container, _SHIFTED, _EMPTY)

    @staticmethod
    def _scalar_type(value: Value) -> str | None:
        tag = value[0]
        return value[1] if tag == "K" or tag == "T" else "str" if tag == "KP" else None

    # ---- calls -------------------------------------------------------------------------------

    def _caller_of(self, number: int) -> str | None:
        con = self.cons[number]
        tag = con[0]
        if tag == "call":
            return self.calls[con[1]].caller
        if tag in {"as", "for", "with", "exc", "del", "dunder", "ret", "retx", "yld", "use", "pbind"}:
            caller: str = con[1]  # (a return's or yield's is its function's)
            return caller
        if tag in {"bind", "bindx", "ctor", "ginit", "icall", "bcall", "mcall", "bsetattr", "rself", "spread", "ptcall", "argv", "clones", "cenv"}:
            return self.calls[con[1]].caller
        return None

    def _record_edge(
        self, node_id: str, caller: str, callee: Value, via: str | None, method: str
    ) -> None:
        key = (node_id, caller, callee, via)
        if key not in self.edges:
            self.edges[key] = method

    def _call_method(self, call: _Call, callee: Value) -> str:
        if call.kind == "decorator":
            return "decorator"
        if callee[0] in {"X", "XM"}:
            return "external"
        if callee[0] in {"BI", "BM"}:
            return "builtin"
        func = call.func
        if func is None:
            return "points_to"
        if func[0] == "a":
            base = func[1]
            if base is not None and (base[0] in {"sup", "sup2"} or (base[0] == "u" and any(p[0] in {"sup", "sup2"} for p in base[1]))):
                return "super"
            return "mro"
        if func[0] in {"v", "g", "imp"}:
            return "direct"
        return "points_to"

    def run_call(self, number: int, call: _Call) -> None:
        """Resolve the callees of a call site and set up everything each new callee needs."""
        callees = self.ev(call.func)
        fresh = [c for c in callees if c not in call.targets]
        if len(fresh) > 1:
            fresh.sort(key=repr)
        for callee in fresh:
            call.targets.add(callee)
            self._invoke(number, call, callee)
        if fresh:
            self._wake(("targets", self.cons[number][1]))

    def _invoke(self, number: int, call: _Call, callee: Value) -> None:
        index = self.cons[number][1]
        tag = callee[0]
        result = ("r", call.key)
        method = self._call_method(call, callee)
        if call.kind == "raise":
            if tag == "C":
                self._construct(index, call, callee[1])
            return
        modelled = self.modelled.get(callee[1]) if tag in {"F", "C"} else None
        if modelled is not None:
            # What runs is the model's (``functools`` replaces its own ``partial`` with
            # the C one), not the body beside it: that body would take every call's
            # arguments at once.
            self._record_edge(call.node_id, call.caller, callee, None, "constructor" if tag == "C" else method)
            self._add_constraint(("bcall", index, modelled))
        elif tag in {"F", "B", "SM"}:
            fid = callee[1]
            shift = 1 if tag == "B" else 0
            self._record_edge(call.node_id, call.caller, ("F", fid), None, method)
            self._add_constraint(("bind", index, fid, shift))
            func = call.func
            if tag == "B" and func is not None and func[0] == "a" and self._returns_receiver(fid):
                self._add_constraint(("rself", index, fid))
            else:
                self._call_result(fid, call, index, shift)
        elif tag == "PF":
            inner, shift = self._partial_target(callee)
            if inner is not None:
                self._record_edge(call.node_id, call.caller, ("F", inner), None, method)
                self._add_constraint(("bind", index, inner, shift))
                self._call_result(inner, call, index, shift)
        elif tag == "C":
            self._construct(index, call, callee[1])
        elif tag == "I":
            self._add_constraint(("icall", index, callee[1]))
        elif tag == "XM":
            self._record_edge(call.node_id, call.caller, ("X", callee[1]), None, method)
            self._read_arguments(index, call)
        elif tag == "X":
            self._record_edge(call.node_id, call.caller, callee, None, method)
            self._read_arguments(index, call)
            special = _EXTERNAL_BUILTINS.get(callee[1])
            if special is not None:
                self._add_constraint(("bcall", index, special))
            elif self._external_class(callee[1]):
                self.add(result, (("XI", callee[1]),))
        elif tag == "BI":
            name = callee[1]
            if not (call.kind == "decorator" and name in _NO_EDGE_DECORATORS):
                self._record_edge(call.node_id, call.caller, callee, None, method)
            self._add_constraint(("bcall", index, name))
            self._read_arguments(index, call)
        elif tag == "BM":
            self._record_edge(call.node_id, call.caller, callee[:3], None, method)
            self._add_constraint(("mcall", index, callee))
        elif tag == "GI":
            self._add_constraint(("ginit", index, callee[1][1], callee[2]))
        elif tag == "NEW":
            self._add_constraint(("bcall", index, "<object_new>"))
        elif tag == "SETATTR":
            self._record_edge(call.node_id, call.caller, ("BI", "setattr"), None, "builtin")
            self._add_constraint(("bsetattr", index, callee[1]))
        elif tag == "PRD":
            arg0 = self._arg(call, 0)
            setters = [v[1] for v in self.ev(arg0) if v[0] == "F"] if callee[2] == "setter" and arg0 else []
            # ``@path.setter``: the property keeps its getter and gains the setter.
            self.add(result, {("PR", callee[1], setter) for setter in setters} or {("PR", callee[1])})

    def _read_arguments(self, index: int, call: _Call) -> None:
        """Have the attribute arguments of call ``index`` read, once it has a callee
        outside the repository (a builtin's, an external function's or method's), which
        binds none of them to a parameter here: ``os.fspath(f.name)`` still runs the
        getter of ``name``. (A builtin container's method stores or compares what it is
        given, reading it there, or takes plain values: reading its arguments again as
        well made the standard library's resolution about 3% slower and found none of its
        tests' calls more.)"""
        if index in self._arguments_read:
            return
        self._arguments_read.add(index)
        for expr in [arg[0] for arg in call.args] + [kwarg[1] for kwarg in call.kwargs]:
            for read in unkept_reads(expr):
                self._add_constraint(("use", call.caller, read))

    def _call_result(self, fid: str, call: _Call, index: int, shift: int) -> None:
        """Make call ``index`` of ``fid`` return what ``fid`` returns, a clone of each
        closure of it that reads its parameters in place of the closure."""
        if fid in self._closures and CLONE_MARK not in call.key:
            # Not in a clone's own calls: a clone's clones could go on without end.
            self._return_into(fid, ("rc", call.key), index, shift)
            self._add_constraint(("clones", index, fid, shift))
        else:
            self._return_into(fid, ("r", call.key), index, shift)

    def run_clones(self, index: int, fid: str, shift: int) -> None:
        """The result of call ``index`` of ``fid``: what ``fid`` returns, each closure
        of it that reads its parameters replaced by the clone this call makes."""
        call = self.calls[index]
        closures = self._closures[fid]
        out: set[Value] = set()
        for value in sorted(self.read(("rc", call.key)), key=repr):
            if value[0] == "F" and value[1] in closures:
                value = ("F", self._clone(value[1], index, fid, shift))
            out.add(value)
        self.add(("r", call.key), out)

    def _clone(self, closure: str, index: int, fid: str, shift: int) -> str:
        """The clone of ``closure`` that call ``index`` of ``fid`` makes (see :mod:`.closures`),
        or ``closure`` itself once it has ``_CLONES`` clones."""
        call = self.calls[index]
        clone = clone_id(closure, call.key)
        if clone in self.funcs:
            return clone
        made = self._clone_counts.get(closure, 0)
        if made >= _CLONES:
            return closure
        self._clone_counts[closure] = made + 1
        fn = self.funcs[closure]
        params = tuple(replace(p, var=renamed_variable(p.var, closure, clone)) for p in fn.params)
        self.funcs[clone] = replace(fn, node_id=clone, params=params, enclosing=None, closure_params=(), spans=())
        self.module_of_def[clone] = self.module_of_def[closure]
        if fn.returns_params:
            self.add(("pt", clone), [("P", name) for name in fn.returns_params])
        path, body = self._closures[fid][closure]
        for con in renamed_constraints(body, closure, call.key, fid, fn.closure_params):
            if self._may_act(con):
                self._add_constraint(con, path)
        self._add_constraint(("cenv", index, fid, clone, shift), path)
        return clone

    def run_closure_reads(self, index: int, fid: str, clone: str, shift: int) -> None:
        """Bind the parameters of ``fid`` a clone reads to what call ``index`` passed
        for them (all their values where that cannot be told)."""
        call = self.calls[index]
        fn = self.funcs[fid]
        for name in self.funcs[original_id(clone)].closure_params:
            how, expr = self._argument_for(call, fn, name, shift)
            if how == "passed":
                values = self.ev(expr)
            else:
                values = self.read(f"{fid}:{name}")
            self.add(read_variable(clone, name), values)

    def _partial_target(self, partial: Value) -> tuple[str | None, int]:
        """The function a ``functools.partial`` value ``("PF", func, call, n)`` calls, and
        how many of its positional parameters come before a caller's arguments.

        Binds the ``n`` positional arguments given to ``partial()`` (once per function).
        """
        func, index, bound = partial[1], partial[2], partial[3]
        if func[0] not in {"F", "B", "SM"}:
            return None, 0
        fid = func[1]
        shift = 1 if func[0] == "B" else 0
        key = ("partial", index, fid)
        if key not in self.vals:
            self.vals[key] = set()
            arguments = tuple(expr for expr, _, _ in self.calls[index].args[1:])
            self._add_constraint(("bindx", index, fid, shift, arguments))
        return fid, shift + bound

    def _return_into(self, fid: str, result: object, index: int | None = None, shift: int = 0) -> None:
        """Make ``result`` hold what ``fid`` returns, per call site (call ``index``) where it can."""
        fn = self.funcs.get(fid)
        if fn is not None and fn.is_generator:
            self.add(result, (("G", fid),))
            return
        if fn is not None and index is not None and (fn.returns_params or fn.returns_calls):
            self._add_constraint(("ptcall", index, fid, shift))
            return
        self._add_constraint(("cp", ("ret", fid), result))

    def _passed_through(
        self, call: _Call, fn: FunctionFact, shift: int, own: dict[str, str] | None
    ) -> tuple[set[Value], set[str]] | None:
        """What ``call`` of ``fn`` returns apart from the parameters ``fn`` passes through.

        Returns the values of the arguments it passes for them (and of ``fn``'s other
        returns), and the names of the parameters in ``own`` (a caller's parameters by
        variable) that those arguments are, unchanged; None when which argument one of
        them gets cannot be told: the call then returns everything ``fn`` ever returns.
        """
        values: set[Value] = set()
        names: set[str] = set()
        for (_, name) in list(self.read(("pt", fn.node_id))):
            how, expr = self._argument_for(call, fn, name, shift)
            if how == "unknown":
                return None
            if how == "left out":
                expr = dict(fn.defaults).get(name)  # none: the call raises, or the default is not modelled
            if expr is None:
                continue
            if how == "spread":
                # Element ``offset`` of the caller's own ``*args``, spread as the call's last argument.
                offset = _spread_offset(name, fn, shift, call)
                if own is None or expr[0] != "v" or own.get(expr[1]) != _VARARG:
                    return None
                names.add(f"*{offset}")
            elif own is not None and expr[0] == "v" and expr[1] in own and own[expr[1]] != _VARARG:
                names.add(own[expr[1]])
            else:
                values |= self.ev(expr)
        if fn.returns_rest or fn.returns_calls:
            values |= self.read(("retx", fn.node_id))
        return values, names

    def run_passthrough(self, index: int, fid: str, shift: int) -> None:
        """The result of call ``index`` of ``fid``: its own arguments for the parameters ``fid`` returns."""
        call = self.calls[index]
        passed = self._passed_through(call, self.funcs[fid], shift, None)
        self.add(("r", call.key), self.read(("ret", fid)) if passed is None else passed[0])

    def run_returned_call(self, fid: str, call_key: str) -> None:
        """``return g(x)`` in ``fid``: a parameter ``x`` that ``g`` passes through, ``fid`` passes through.

        What else the call returns goes to ``("retx", fid)``; a callee that is not a
        repository function (a class, a builtin) makes it the call's whole result.
        """
        index = self.call_index[call_key]
        inner = self.calls[index]
        fn = self.funcs[fid]
        own = {p.var: _VARARG if p.kind == "vararg" else p.name for p in fn.params if p.kind != "kwarg"}
        self.read(("targets", index))  # re-run when the call gets a new callee
        out: set[Value] = set()
        for target in list(inner.targets):
            callee = self.funcs.get(target[1]) if target[0] in {"F", "B", "SM"} else None
            if target[0] == "X" and _EXTERNAL_BUILTINS.get(target[1]) == "<cast>":
                # ``return cast(T, x)`` returns ``x`` itself.
                value = self._arg(inner, 1, "val")
                if value is not None and value[0] == "v" and own.get(value[1], _VARARG) != _VARARG:
                    self.add(("pt", fid), [("P", own[value[1]])])
                elif value is not None:
                    out |= self.ev(value)
            elif callee is None:
                out |= self.read(("r", call_key))
            elif callee.is_generator:
                out.add(("G", callee.node_id))
            elif not (callee.returns_params or callee.returns_calls):
                out |= self.read(("ret", callee.node_id))
            else:
                passed = self._passed_through(inner, callee, 1 if target[0] == "B" else 0, own)
                if passed is None:
                    out |= self.read(("ret", callee.node_id))
                else:
                    out |= passed[0]
                    self.add(("pt", fid), [("P", name) for name in sorted(passed[1])])
        self.add(("retx", fid), out)

    @staticmethod
    def _argument_for(
        call: _Call, fn: FunctionFact, name: str, shift: int
    ) -> tuple[Literal["passed", "left out", "spread", "unknown"], Expr]:
        """The argument expression ``call`` passes for parameter ``name`` of ``fn``
        (``*i``: element ``i`` of its ``*args``).

        Returns ``("passed", expr)``, ``("left out", None)``, ``("spread", expr)`` when
        the parameter takes an element of ``*expr``, the call's last positional argument
        (:func:`_spread_offset` tells which), or ``("unknown", None)`` when which
        argument it gets cannot be told (other starred arguments, or the receiver of a
        bound method).
        """
        args = call.args
        spread = bool(args) and args[-1][1]
        if any(starred for _, starred, _ in args[:-1]) or any(kw is None for kw, _, _ in call.kwargs):
            return "unknown", None
        if not name.startswith("*"):
            for kw, expr, _ in call.kwargs:
                if kw == name:
                    return "passed", expr
        position = _parameter_position(fn, name)
        if position is None:
            return "left out", None
        position -= shift
        if position < 0:
            return "unknown", None
        if spread and position >= len(args) - 1:
            return "spread", args[-1][0]
        if position < len(args):
            return "passed", args[position][0]
        return "left out", None

    def _construct(self, index: int, call: _Call, cid: str) -> None:
        made = self.classes.get(cid)
        if made is None or not made.tuple_call:  # a namedtuple() call has no class statement to point at
            self._record_edge(call.node_id, call.caller, ("C", cid), None, "constructor")
        self.add(("r", call.key), (("I", cid),))
        self._allocate(cid)
        self._add_constraint(("ctor", index, cid))

    def _allocate(self, cid: str) -> None:
        """Bind the methods of class ``cid`` to its instances, once it has some."""
        if cid not in self.allocated:
            self.allocated.add(cid)
            self._add_constraint(("alloc", cid))

    def run_ctor(self, call: _Call, index: int, cid: str) -> None:
        instance = ("I", cid)
        for fid, method in self._construction_methods(cid, "__new__"):
            self._record_edge(call.node_id, call.caller, ("F", fid), "__new__", method)
            self._bind_constructor_arguments(index, fid)
        generated = self._generated_init(cid)
        if generated is not None:
            self._run_generated_init(index, call, cid, generated)
            if not generated.inherited:
                return  # the generated ``__init__`` runs, not one further along the MRO
        found = self.class_lookup(cid, "__init__")
        for fid, method in self._construction_methods(cid, "__init__", found):
            self._record_edge(call.node_id, call.caller, ("F", fid), "__init__", method)
            self._bind_constructor_arguments(index, fid)
        for value, _owner in found:
            if value[0] == "X":
                self._record_edge(call.node_id, call.caller, value, "__init__", "external")
        if not found:
            self._fill_contents(call, instance)

    def _construction_methods(
        self, cid: str, name: str, found: list[tuple[Value, Value]] | None = None
    ) -> list[tuple[str, str]]:
        """The repository ``__new__`` or ``__init__`` (``name``) that constructing ``cid``
        runs, its first parameter bound (the class, the instance): (function, ``direct``
        or ``mro`` as it was found). ``found``: the class lookup of ``name``, if made."""
        out: list[tuple[str, str]] = []
        new = name == "__new__"
        for value, owner in self.class_lookup(cid, name) if found is None else found:
            # A ``__new__`` behind a decorator (``@lru_cache``) is a plain function value.
            if (value[0] in {"F", "SM"} and self.funcs[value[1]].method_kind == "new") if new else value[0] == "F":
                self._bind_receiver(value[1], ("C" if new else "I", cid))
                out.append((value[1], "direct" if owner == ("C", cid) else "mro"))
        return out

    def _bind_constructor_arguments(self, index: int, fid: str) -> None:
        """Bind the arguments of constructor call ``index`` to method ``fid`` (its
        ``__new__`` or ``__init__``) after the first parameter, once."""
        if ("init", index, fid) not in self.vals:
            self.vals[("init", index, fid)] = set()
            self._add_constraint(("bind", index, fid, 1))

    def _fill_contents(self, call: _Call, instance: Value) -> None:
        """What ``Stack(items)`` or ``Registry(d, key=v)`` puts in an instance of a class
        derived from a builtin container that keeps the builtin ``__init__``."""
        container = self._contents(instance)
        if container is not None:
            self._construct_contents(call, container)

    def _construct_contents(self, call: _Call, container: Value) -> None:
        """What ``list(items)`` (or ``tuple``, ``set``, ``frozenset``) or ``dict(d, key=v)``
        called as ``call`` puts in ``container``, of that kind; ``d.update(d2, key=v)``
        and ``s.update(items)`` put the same."""
        arg0 = self._arg(call, 0)
        if container[1] != "dict":
            if arg0 is not None:
                self.store_slot(container, "*", self.ev(("it", arg0)))
            return
        if arg0 is not None:
            for v in list(self.ev(arg0)):
                if v[0] == "L" and v[1] == "dict":
                    self.copy_slots(v, container)
        for kw, expr, _ in call.kwargs:
            self.store_slot(container, ("str", kw) if kw else "*", self.ev(expr))

    def _run_generated_init(self, index: int, call: _Call, cid: str, init: _GeneratedInit) -> None:
        """What a generated ``__init__`` does when call ``index`` constructs ``cid``: store
        each argument into its field, call the default factories of the fields it
        leaves out, and the class's post-init hook. The calls an ``__init__`` made for
        the class itself makes count as the constructor call's own; those of an
        external base's (pydantic's) are calls from outside, which make no edges."""
        instance = ("I", cid)
        passed = self._store_fields(index, call, instance, init)
        record = None if init.inherited else call
        for each in init.fields:
            if each.factory is not None and each.kind != "initvar" and each.name not in passed:
                self._store_field(instance, each, self._call_factory(record, each.factory))
        if init.post_init is None:
            return
        for value, owner in self.class_lookup(cid, init.post_init):
            if value[0] == "F":
                self._bind_receiver(value[1], instance)
                method = "direct" if owner == ("C", cid) else "mro"
                self._record_edge(call.node_id, call.caller, value, init.post_init, method)

    def _generated_init(self, cid: str, after: str | None = None) -> _GeneratedInit | None:
        """The generated ``__init__`` instances of ``cid`` run, if they run one: that of a
        dataclass, an attrs class, a ``NamedTuple`` or a pydantic model. With ``after``,
        the one ``super().__init__`` in class ``after`` reaches.

        The first class along the MRO that defines ``__init__`` itself or has one
        generated decides; an external class there has an ``__init__`` of its own.
        """
        computed = self.mro(cid)
        mro = computed[0]
        start = 0 if after is None else self._mro_start_after(cid, computed, after)
        for position in range(start, len(mro)):
            klass = mro[position]
            cls = self.classes.get(klass[1]) if klass[0] == "C" else None
            if cls is None or "__init__" in cls.body_names:
                return None
            style = self._decorated_style(cls)
            if style is not None:
                fields = self._inherited_fields(mro[position:], style)
                return _GeneratedInit(fields, keyword_only=False, attrs=style == "attrs", post_init=_POST_INIT[style])
            bases = self.bases(cls.node_id)
            if cls.tuple_call or _NAMED_TUPLE in bases:
                return _GeneratedInit(_fields_taken(cls, "tuple"), keyword_only=False, attrs=False, post_init=None)
            if not _MODEL_BASES.isdisjoint(bases):
                # A model takes the fields of every model class down to this one, by name.
                models = [self.classes[k[1]] for k in reversed(mro[: position + 1])]
                by_name = {f.name: f for model in models for f in _fields_taken(model, "model") if not f.name.startswith("_")}
                return _GeneratedInit(
                    list(by_name.values()), keyword_only=True, attrs=False, post_init=None, inherited=True
                )
        return None

    def _decorated_style(self, cls: ClassFact) -> str | None:
        """``dataclass`` or ``attrs`` when a decorator of ``cls`` makes its ``__init__`` so."""
        for expr in cls.decorators:
            for value in self.ev(expr):
                style = _FIELD_DECORATORS.get(value)
                if style is not None:
                    return style
        return None

    def _inherited_fields(self, mro: list[Value], style: str) -> list[FieldFact]:
        """Fields of the class first in ``mro``: those of its bases made the same way
        (``style``) first, in order, a field redefined keeping its first place."""
        by_name: dict[str, FieldFact] = {}
        for klass in reversed(mro):
            cls = self.classes.get(klass[1]) if klass[0] == "C" else None
            if cls is not None and self._decorated_style(cls) == style:
                for each in _fields_taken(cls, style):
                    by_name[each.name] = each
        return list(by_name.values())

    def _store_fields(self, index: int, call: _Call, instance: Value, init: _GeneratedInit) -> set[str]:
        """Store the arguments of constructor call ``index`` into the fields they initialise.

        Returns the names of the fields the call surely passes (none past a spread).
        """
        fields = init.fields
        positional = [] if init.keyword_only else [f for f in fields if f.kind in {"positional", "initvar"}]
        # attrs takes ``_x`` as ``x``.
        def key_of(f: FieldFact) -> str:
            return f.name.lstrip("_") if init.attrs else f.name

        by_name = {key_of(f): f for f in fields if f.kind != "no_init"}
        position = 0
        placed_before = -1  # positional fields surely filled before a ``*`` spread
        unknown_position = False
        for number, (expr, starred, _) in enumerate(call.args):
            if starred:
                if not unknown_position:
                    placed_before = position
                spread = self._spread(index, number, "*")
                for offset, each in enumerate(positional[position:]):
                    placed = spread if unknown_position else self._spread_at(index, number, "*", offset)
                    self._store_field(instance, each, placed)
                unknown_position = True
                continue
            values = self._argument(index, False, number, expr)
            # Past a spread, an argument may land at any field from the spread's on.
            for each in positional[position:] if unknown_position else positional[position : position + 1]:
                self._store_field(instance, each, values)
            position += 1
        # As for a function, a ``**`` argument fills no field the call fills by position or keyword.
        filled = _filled_before_spread(
            [key_of(f) for f in positional], position if placed_before < 0 else placed_before, call.kwargs
        )
        for number, (name, expr, _) in enumerate(call.kwargs):
            if name is None:
                self._spread(index, number, "**")  # sets up the keys read below
                for key, each in by_name.items():
                    if key not in filled:
                        self._store_field(instance, each, self._spread_at(index, number, "**", key))
            elif name in by_name:
                self._store_field(instance, by_name[name], self._argument(index, True, number, expr))
        if unknown_position or any(name is None for name, _, _ in call.kwargs):
            return set()
        named = {by_name[name].name for name, _, _ in call.kwargs if name in by_name}
        return {f.name for f in positional[:position]} | named

    def _store_field(self, instance: Value, field: FieldFact, values: Values) -> None:
        if field.kind != "initvar":  # a parameter of ``__post_init__``, not an attribute
            self.add(("A", instance, field.name), values)

    def _call_factory(self, call: _Call | None, factory: Expr) -> set[Value]:
        """Call a field's ``default_factory``; return what it gives. The calls are edges
        from constructor call ``call``, if given."""
        out: set[Value] = set()
        for value in list(self.ev(factory)):
            if value[0] == "C":
                self._allocate(value[1])
                out.add(("I", value[1]))
                inits = [init for init, _ in self.class_lookup(value[1], "__init__") if init[0] == "F"]
                for init in inits:
                    self._bind_receiver(init[1], ("I", value[1]))
                if call is not None:
                    self._record_edge(call.node_id, call.caller, value, "default_factory", "constructor")
                    for init in inits:
                        self._record_edge(call.node_id, call.caller, init, "default_factory", "mro")
            elif value[0] == "F":
                if call is not None:
                    self._record_edge(call.node_id, call.caller, value, "default_factory", "points_to")
                out |= self.read(("ret", value[1]))
        return out

    def run_icall(self, call: _Call, index: int, cid: str) -> None:
        instance = ("I", cid)
        for value, _owner in self.class_lookup(cid, "__call__"):
            if value[0] == "F":
                self._bind_receiver(value[1], instance)
                self._record_edge(call.node_id, call.caller, value, "__call__", "mro")
                if ("icall", index, value[1]) not in self.vals:
                    self.vals[("icall", index, value[1])] = set()
                    self._add_constraint(("bind", index, value[1], 1))
                    self._return_into(value[1], ("r", call.key), index, 1)

    def run_returned_receiver(self, call: _Call, fid: str) -> None:
        """``x.m()`` where ``m`` returns ``self``: the result is each receiver whose ``m`` is ``fid``."""
        _, base_expr, name, _ = call.func  # type: ignore[misc]  # an attribute call, see _invoke
        method = ("F", fid)
        receivers: set[Value] = set()
        for base in list(self.ev(base_expr)):
            if base[0] == "I":
                found = self.class_lookup(base[1], name)
                receiver = base
            elif base[0] == "SUP" and base[2][0] == "I":
                found = self.class_lookup(base[2][1], name, after=base[1])
                receiver = base[2]
            else:
                continue
            if any(value == method for value, _ in found):
                receivers.add(receiver)
        self.add(("r", call.key), receivers)

    def run_alloc(self, cid: str) -> None:
        instance = ("I", cid)
        for klass in self.mro(cid)[0]:
            cls = self.classes.get(klass[1]) if klass[0] == "C" else None
            if cls is None:
                continue
            for fid in cls.method_ids:
                fn = self.funcs[fid]
                if fn.method_kind in {"method", "property"}:
                    self._bind_receiver(fid, instance)
                elif fn.method_kind in {"classmethod", "new"}:
                    self._bind_receiver(fid, ("C", cid))

    def _layout(self, fid: str) -> _Layout | None:
        layout = self._layouts.get(fid)
        if layout is None and fid in self.funcs:
            layout = self._layouts[fid] = _Layout.of(self.funcs[fid])
        return layout

    def run_bind(
        self, index: int, fid: str, shift: int, arg_exprs: tuple[Expr, ...] | None = None
    ) -> None:
        """Bind the arguments of call ``index`` to the parameters of ``fid``.

        Which argument binds which parameter follows from the call and the signature
        alone, so the ``bindings`` rows are recorded on the constraint's first run only
        (SymPy re-runs its bindings 6.6 million times).
        """
        layout = self._layout(fid)
        if layout is None:
            return
        call = self.calls[index]
        positional, vararg, kwarg, by_name = layout.positional, layout.vararg, layout.kwarg, layout.by_name
        shared = arg_exprs is None  # a call's own arguments, evaluated once for all its callees
        record = shared and self._runs[self.cur] <= 1  # (``_drain`` counts a run before it starts)
        args = call.args if shared else tuple((e, False, None) for e in arg_exprs or ())
        position = shift
        placed_before = -1  # positional parameters surely filled before a ``*`` spread
        unknown_position = False
        bound: set[str] = set()
        star_tuple, star_dict = layout.star_tuple, layout.star_dict
        if vararg is not None:
            self.add(vararg.var, (star_tuple,))
        if kwarg is not None:
            self.add(kwarg.var, (star_dict,))
        for number, (expr, starred, node_id) in enumerate(args):
            if starred:
                if not unknown_position:
                    placed_before = position
                star_values = self._spread(index, number, "*")
                for offset, p in enumerate(positional[position:]):
                    # Past an earlier spread, this one starts at an unknown position.
                    placed = star_values if unknown_position else self._spread_at(index, number, "*", offset)
                    self.add(p.var, placed)
                    bound.add(p.name)
                    if record and node_id:
                        self.bindings.add((node_id, p.node_id, call.node_id, "star_args"))
                if vararg is not None:
                    if unknown_position:
                        self.store_slot(star_tuple, "*", star_values)
                    else:
                        self._forward_spread(index, number, "*", star_tuple, position - len(positional))
                    if record and node_id:
                        self.bindings.add((node_id, vararg.node_id, call.node_id, "star_args"))
                unknown_position = True
                continue
            values = self._argument(index, False, number, expr) if shared else self.ev(expr)
            if not unknown_position and position < len(positional):
                param = positional[position]
                self.add(param.var, values)
                bound.add(param.name)
                if record and node_id:
                    self.bindings.add((node_id, param.node_id, call.node_id, "positional"))
                position += 1
                continue
            if unknown_position:
                # Past a spread, an argument may land at any parameter from the spread's on.
                for p in positional[position:]:
                    self.add(p.var, values)
            if vararg is not None:
                slot = ("num", position - len(positional)) if not unknown_position else "*"
                self.store_slot(star_tuple, slot, values)
                if record and node_id:
                    self.bindings.add((node_id, vararg.node_id, call.node_id, "star_args"))
            position += 1
        kwargs = call.kwargs if shared else ()
        spread_into: list[ParamFact] | None = None
        for number, (name, expr, node_id) in enumerate(kwargs):
            if name is None:
                if spread_into is None:
                    filled = _filled_before_spread(
                        [p.name for p in positional], position if placed_before < 0 else placed_before, kwargs
                    )
                    spread_into = [p for name, p in by_name.items() if name not in filled]
                self._spread(index, number, "**")  # sets up the keys read below
                for p in spread_into:
                    self.add(p.var, self._spread_at(index, number, "**", p.name))
                if kwarg is not None:
                    self._forward_spread(index, number, "**", star_dict, by_name)
                if record and node_id:
                    for p in [*spread_into, *([kwarg] if kwarg else [])]:
                        self.bindings.add((node_id, p.node_id, call.node_id, "star_kwargs"))
                continue
            values = self._argument(index, True, number, expr)
            keyword_param = by_name.get(name)
            if keyword_param is not None:
                self.add(keyword_param.var, values)
                bound.add(name)
                if record and node_id:
                    self.bindings.add((node_id, keyword_param.node_id, call.node_id, "keyword"))
            elif kwarg is not None:
                self.store_slot(star_dict, ("str", name), values)
                if record and node_id:
                    self.bindings.add((node_id, kwarg.node_id, call.node_id, "keyword"))
        if record:
            skip = positional[:shift]
            for p in layout.defaults:
                if p.name not in bound and p not in skip:
                    self.bindings.add((p.default_node_id, p.node_id, call.node_id, "default"))

    def _spread(self, index: int, number: int, kind: str) -> Values:
        """Values a ``*`` (``kind`` ``"*"``) or ``**`` argument of call ``index`` spreads.

        They are worked out once per call by a ``spread`` constraint, not once per
        callee: a dispatch site like ``self._target(*self._args)`` has hundreds. The
        same constraint fills :meth:`_spread_at`'s keys.
        """
        return self._shared((kind, index, number), ("spread", index, number, kind))

    def _spread_at(self, index: int, number: int, kind: str, where: int | str) -> Values:
        """What a spread argument may pass at ``where``: a position counted from the
        spread's first (``*``) or a keyword (``**``). :meth:`_spread` must have run.

        A tuple keeps each element at its index, and a dict each value under its key,
        so a wrapper's ``func(*args, **kwargs)`` gives each parameter of ``func`` only
        what its callers passed in that place. Elements of other iterables, of tuples
        that were concatenated, and dict values under unknown keys may go anywhere.
        """
        anywhere = self.read((kind, index, number, None))
        placed = self.read((kind, index, number, where))
        if not anywhere:
            return placed
        return anywhere if not placed else anywhere | placed

    def _forward_spread(
        self, index: int, number: int, kind: str, into: Value, skip: int | Collection[str]
    ) -> None:
        """Store what a spread argument passes on into the callee's ``*args`` tuple or
        ``**kwargs`` dict, each value in its place where it has one, so that the callee
        spreading it again (a wrapper around a wrapper) still places it.

        ``skip``: for ``*``, where the tuple's first slot is in the spread's positions
        (negative: the positions the parameters take first); for ``**``, the names the
        named parameters take.

        A re-run stores only the places whose values changed since it last stored them
        (their number, or their widening): the slots it stored into only grow.
        """
        anywhere = self.read((kind, index, number, None))
        if anywhere:
            self.store_slot(into, "*", anywhere)
        self.readers[(kind, index, number, _PLACES)].add(self.cur)
        stored = self._forwarded.setdefault((self.cur, number, into), {})
        vals, widened = self.vals, self.widened
        for where in self._spread_places.get((kind, index, number), ()):
            key = (kind, index, number, where)
            values = vals.get(key, _EMPTY)
            signature = (len(values), widened.get(key))
            if stored.get(where) == signature:
                continue
            stored[where] = signature
            self.readers[key].add(self.cur)
            if isinstance(where, int):
                assert isinstance(skip, int)
                if where + skip >= 0:
                    self.store_slot(into, ("num", where + skip), values)
            elif where not in skip:  # type: ignore[operator]  # skip holds names for ``**``
                self.store_slot(into, ("str", where), values)

    def run_spread(self, index: int, number: int, kind: str) -> None:
        """Fill the keys :meth:`_spread` and :meth:`_spread_at` read.

        A re-run skips the containers it spread before that have not changed since:
        what they give is already in those keys, and it still reads their slots.
        """
        call = self.calls[index]
        out: set[Value] = set()
        anywhere: set[Value] = set()
        placed: defaultdict[int | str, set[Value]] = defaultdict(set)
        spread = self._spread_containers.setdefault((index, number, kind), {})
        versions = self._container_versions
        if kind == "*":
            for v in list(self.ev(call.args[number][0])):
                if v[0] == "L":
                    version = versions.get(v, 0)
                    entry = spread.get(v)
                    if entry is not None and entry[0] == version:
                        continue
                    spread[v] = (version, {})
                elements = self.iterate(v)
                out |= elements
                length = self.precise_length(v) if v[0] == "L" and v[1] == "tuple" else None
                if length is None:
                    anywhere |= elements
                    continue
                for position in range(length):
                    placed[position] |= self.slot_values(v, ("num", position))
        else:
            for v in list(self.ev(call.kwargs[number][1])):
                if v[0] != "L":
                    continue
                version = versions.get(v, 0)
                entry = spread.get(v)
                if entry is not None and entry[0] == version:
                    continue
                done = {} if entry is None else entry[1]
                spread[v] = (version, done)
                elements = self.all_elements(v)
                out |= elements
                slots = self.slots(v)
                if v[1] != "dict" or len(slots) >= MAX_VALUES:
                    # Not a dict, or one whose key list is full: its values' keys are unknown.
                    anywhere |= elements
                    continue
                signatures = self._slot_signatures.get(v, {})
                for slot in slots:
                    # Of a changed dict, only the slots that changed (as in :meth:`copy_slots`).
                    signature = signatures.get(slot, _NO_SLOT_SIGNATURE)
                    if done.get(slot) == signature:
                        continue
                    done[slot] = signature
                    if slot == "*":
                        anywhere |= self.slot_values(v, slot)
                    elif slot[0] == "str":
                        placed[slot[1]] |= self.slot_values(v, slot)
        self.add((kind, index, number), out)
        self.add((kind, index, number, None), anywhere)
        for where, values in placed.items():
            self.add((kind, index, number, where), values)
        places = self._spread_places.setdefault((kind, index, number), [])
        fresh = [where for where in placed if where not in places]
        if fresh:
            places.extend(fresh)
            self._wake((kind, index, number, _PLACES))

    def _callback(
        self, index: int, call: _Call, funcs: Values, arg_exprs: tuple[Expr, ...]
    ) -> set[Value]:
        """Call every function in ``funcs`` with ``arg_exprs``; return what they return."""
        out: set[Value] = set()
        for value in list(funcs):
            if value[0] in {"F", "B", "PF"}:
                if value[0] == "PF":
                    target, shift = self._partial_target(value)
                    if target is None:
                        continue
                    fid = target
                else:
                    fid, shift = value[1], 1 if value[0] == "B" else 0
                self._record_edge(call.node_id, call.caller, ("F", fid), None, "builtin_callback")
                key = ("cb", index, fid)
                if key not in self.vals:
                    self.vals[key] = set()
                    self._add_constraint(("bindx", index, fid, shift, arg_exprs))
                out |= self.read(("ret", fid))
            elif value[0] == "C":
                cid = value[1]
                self._record_edge(call.node_id, call.caller, ("C", cid), None, "constructor")
                self._allocate(cid)
                for name in ("__new__", "__init__"):
                    for fid, method in self._construction_methods(cid, name):
                        self._record_edge(call.node_id, call.caller, ("F", fid), name, method)
                        key = ("cb", index, fid)
                        if key not in self.vals:
                            self.vals[key] = set()
                            self._add_constraint(("bindx", index, fid, 1, arg_exprs))
                out.add(("I", cid))
            elif value[0] in {"X", "BI", "XM"}:
                callee = ("X", value[1]) if value[0] == "XM" else value
                self._record_edge(call.node_id, call.caller, callee, None, "builtin_callback")
        return out

    def _compare_in_order(self, index: int, call: _Call, elements: Expr, method: str) -> None:
        """What sorting ``elements`` (or taking their least or greatest) as call ``index``
        does: call its ``key`` on each, then compare the keys (or the elements
        themselves) with ``method`` (``__lt__``; ``max`` uses ``__gt__``)."""
        key = self._arg(call, 99, "key")
        compared = self._callback(index, call, self.ev(key), (elements,)) if key is not None else self._ev_instances(elements)
        self.run_protocol(call.caller, self._operands_to_look_up(compared), call.node_id, (method,))

    def _arg(self, call: _Call, position: int, keyword: str | None = None) -> Expr:
        if keyword is not None:
            for name, expr, _ in call.kwargs:
                if name == keyword:
                    return expr
        positional = [a for a in call.args if not a[1]]
        if len(positional) == len(call.args) and position < len(positional):
            return positional[position][0]
        return None

    def run_builtin(self, index: int, call: _Call, name: str) -> None:
        """Effects and results of a builtin function call."""
        result = ("r", call.key)
        arg0 = self._arg(call, 0)
        special = _BUILTIN_SPECIAL_METHODS.get(name)
        if special is not None and arg0 is not None:
            operand: Collection[Value] = self._ev_instances(arg0)
            if "__iter__" not in special:  # (``iter(x)``'s edges follow what ``__iter__`` returns)
                operand = self._operands_to_look_up(operand)
            self.run_protocol(call.caller, operand, call.node_id, special, first=True)
        elif name == "print":
            for part, (expr, starred, _) in enumerate(call.args):
                printed = self._operands_to_look_up(self._ev_instances(("it", expr) if starred else expr), part)
                self.run_protocol(call.caller, printed, call.node_id, STR_METHODS, first=True)
        new = ("L", name, call.key)
        if name in _INT_BUILTINS:
            self.add(result, (("T", "int"),))
        elif name in _STR_BUILTINS:
            self.add(result, (("T", "str"),))
        elif name in _BOOL_BUILTINS:
            self.add(result, (("T", "bool"),))
        elif name in {"float", "complex", "bytes", "bytearray"}:
            self.add(result, (("T", name),))
        elif name in _CONTAINER_BASES:
            self.add(result, (new,))
            self._construct_contents(call, new)
        elif name == "sorted":
            new = ("L", "list", call.key)
            self.add(result, (new,))
            if arg0 is not None:
                elements: Expr = ("it", arg0)
                self.store_slot(new, "*", self.ev(elements))
                self._compare_in_order(index, call, elements, "__lt__")
        elif name in {"min", "max"}:
            positional = [a[0] for a in call.args if not a[1]]
            elements = ("it", positional[0]) if len(positional) == 1 else ("u", tuple(positional))
            self.add(result, self.ev(elements))
            self._compare_in_order(index, call, elements, "__lt__" if name == "min" else "__gt__")
        elif name in {"map", "filter"}:
            positional = [a[0] for a in call.args if not a[1]]
            if len(positional) >= 2:
                iterables = tuple(("it", e) for e in positional[1:])
                new = ("L", "list", call.key)
                self.add(result, (new,))
                # A function given after the first argument (the two swapped) is the one
                # called: Python would raise on iterating it, as on calling the iterable.
                functions = set(self.ev(positional[0]))
                for expr in positional[1:]:
                    functions |= {v for v in self.ev(expr) if v[0] in _FUNCTION_TAGS}
                returned = self._callback(index, call, functions, iterables)
                self.store_slot(new, "*", returned if name == "map" else self.ev(iterables[0]))
        elif name in {"iter", "reversed"}:
            if arg0 is not None:
                self.add(result, self.ev(arg0))
        elif name == "next":
            if arg0 is not None:
                self.add(result, self.ev(("it", arg0)))
            default = self._arg(call, 1)
            if default is not None:
                self.add(result, self.ev(default))
        elif name in {"enumerate", "zip"}:
            self.add(result, (("ZR", call.key, name),))
            for i, (expr, _starred, _node) in enumerate(call.args[:8]):
                self.add(("zarg", call.key, i), self.ev(expr))
        elif name == "getattr":
            obj, attr = arg0, self._arg(call, 1)
            if obj is not None and attr is not None:
                # ``getattr(self, "visit_" + kind)`` reads hundreds of names of each of
                # hundreds of instances: what it reads is added once, and nothing is
                # gathered for a result given up.
                read = self._read_for_nothing if self._given_up(result) else self.getattr
                found: set[Value] = set()
                for a in list(self.ev(attr)):
                    if a[0] == "K" and a[1] == "str":
                        for o in list(self.ev(obj)):
                            found |= read(o, a[2])
                    elif a[0] == "KP":
                        for o in list(self.ev(obj)):
                            for attribute in self._names_starting(o, a[1]):
                                found |= read(o, attribute)
                self.add(result, found)
            default = self._arg(call, 2)
            if default is not None:
                self.add(result, self.ev(default))
        elif name == "setattr":
            self.set_attributes(arg0, self._arg(call, 1), self._arg(call, 2))
        elif name == "type":
            if arg0 is not None and len(call.args) == 1:
                for v in list(self.ev(arg0)):
                    if v[0] == "I":
                        self.add(result, (("C", v[1]),))
                    elif v[0] in {"K", "T", "L"} and v[1] in BUILTIN_TYPE_PYCG:
                        self.add(result, (("BI", v[1]),))
                    elif v[0] == "KP":
                        self.add(result, (("BI", "str"),))
        elif name in {"staticmethod", "classmethod", "property"}:
            target = arg0 if arg0 is not None else self._arg(call, 99, "fget")
            if target is not None:
                wrap = {"staticmethod": "SM", "classmethod": "CM", "property": "PR"}[name]
                getters = [v[1] for v in self.ev(target) if v[0] == "F"]
                fset = self._arg(call, 1, "fset") if name == "property" else None
                setters = [v[1] for v in self.ev(fset) if v[0] == "F"] if fset is not None else []
                # ``property(get, set)``: the property keeps its setter, as ``@x.setter`` makes it.
                self.add(result, {(wrap, g, s) for g in getters for s in setters} or {(wrap, g) for g in getters})
        elif name == "globals":
            module_id = self.module_of_def.get(call.caller, call.caller)
            self.add(result, (("GL", module_id),))
        elif name == "__import__":
            if arg0 is not None:
                for v in list(self.ev(arg0)):
                    if v[0] == "K" and v[1] == "str":
                        canonical = self.index.canonical(v[2])
                        self.add(result, (("M", canonical),) if canonical else (("X", v[2]),))
        elif name == "<reduce>":
            positional = [a[0] for a in call.args if not a[1]]
            if len(positional) >= 2:
                elements = ("it", positional[1])
                accumulator = ("u", (elements, positional[2])) if len(positional) > 2 else elements
                self.add(result, self._callback(index, call, self.ev(positional[0]), (accumulator, elements)))
        elif name == "super" and len(call.args) == 2 and call.func is not None and call.func[0] != "g":
            # ``super`` under another name (``_safe_super = super``) with both arguments;
            # ``super(C, obj)`` itself is read where it is written (``sup2``).
            owners = [v[1] for v in self.ev(call.args[0][0]) if v[0] == "C"]
            objects = [v for v in self.ev(call.args[1][0]) if v[0] in {"I", "C"}]
            self.add(result, {("SUP", owner, v) for owner in owners for v in objects})
        elif name == "<object_new>":
            if arg0 is not None:
                classes = [v[1] for v in self.ev(arg0) if v[0] == "C"]
                for cid in classes:
                    self._allocate(cid)
                self.add(result, {("I", cid) for cid in classes})
        elif name == "<namedtuple>":
            made = self.classes.get(call.node_id)
            if made is not None and made.tuple_call:
                self.add(result, (("C", made.node_id),))
        elif name == "<mapping_get>":
            self.add(result, self._mapping_get(call))
        elif name == "<cast>":
            value = self._arg(call, 1, "val")
            if value is not None:
                self.add(result, self.ev(value))
        elif name == "<partial>":
            if arg0 is not None:
                bound = len(call.args) - 1  # _arg gave arg0: no argument is starred
                partials: set[Value] = set()
                for v in self.ev(arg0):
                    if bound and v[0] in {"F", "B", "SM"}:
                        partials.add(("PF", v, index, bound))
                    elif v[0] in {"F", "B", "C"}:
                        partials.add(v)
                self.add(result, partials)
        elif name == "abs" and arg0 is not None:
            self.add(result, self.ev(arg0))

    def _names_starting(self, obj: Value, prefix: str) -> list[str]:
        """The attributes of a repository object whose names start with ``prefix``: what
        ``getattr(self, "visit_" + kind)`` may read (a class's and its repository bases'
        body names, an instance's ``self`` attributes too, a module's globals)."""
        tag = obj[0]
        if tag == "I" or tag == "C":
            mro = self.mro(obj[1])
            return self._per_mro(
                self._prefixed_names, (tag, obj[1], prefix), mro, lambda: self._class_names_starting(mro, tag, prefix)
            )
        names: set[str] = set()
        if tag == "M":
            module_id = self.module_ids.get(obj[1])
            if module_id is not None:
                names.update(n for n in self.globals[module_id] if n.startswith(prefix))
        return sorted(names)

    def _class_names_starting(self, mro: _Mro, tag: str, prefix: str) -> list[str]:
        """The body names (and for an instance, ``tag`` ``I``, the ``self`` attributes) of
        the repository classes of ``mro`` that start with ``prefix``, sorted."""
        names: set[str] = set()
        for klass in mro[0]:
            fact = self.classes.get(klass[1]) if klass[0] == "C" else None
            if fact is not None:
                names.update(n for n in fact.body_names if n.startswith(prefix))
                if tag == "I":
                    names.update(n for n in fact.instance_names if n.startswith(prefix))
        return sorted(names)

    def _mapping_get(self, call: _Call) -> set[Value]:
        """``m.get(key, default)`` with ``m`` a repository ``Mapping``: what its own
        ``__getitem__`` returns, or the default. (The mixin's call of ``__getitem__`` is
        a call from outside: values only, no edge.)"""
        out = set(self.ev(self._arg(call, 1, "default")))
        func = call.func
        if func is None or func[0] != "a":
            return out
        for receiver in list(self.ev(func[1])):
            if receiver[0] == "I":
                for value, _owner in self.class_lookup(receiver[1], "__getitem__"):
                    if value[0] == "F":
                        self._bind_receiver(value[1], receiver)
                        out |= self.read(("ret", value[1]))
        return out

    def set_attributes(self, obj: Expr, attr: Expr, value: Expr) -> None:
        """``setattr(obj, attr, value)`` (``object.__setattr__`` too), for literal names."""
        if obj is None or attr is None or value is None:
            return
        values = set(self.ev(value))
        for a in list(self.ev(attr)):
            if a[0] == "K" and a[1] == "str":
                self.assign(("a", obj, a[2], None), values)

    def run_method(self, index: int, call: _Call, bm: Value) -> None:
        """Effects and results of a builtin type's method."""
        typename, name, receiver = bm[1], bm[2], bm[3]
        result = ("r", call.key)
        arg0, arg1 = self._arg(call, 0), self._arg(call, 1)
        if typename in {"str", "bytes", "bytearray"}:
            kind = "str" if typename == "str" else "bytes"
            if name.startswith("is") or name in {"startswith", "endswith"}:
                self.add(result, (("T", "bool"),))
            elif name in {"find", "rfind", "index", "rindex", "count"}:
                self.add(result, (("T", "int"),))
            elif name in {"split", "rsplit", "splitlines", "partition", "rpartition"}:
                self.add(result, (("TL", kind),))
            elif name == "encode":
                self.add(result, (("T", "bytes"),))
            elif name == "decode":
                self.add(result, (("T", "str"),))
            elif name != "maketrans":
                self.add(result, (("T", kind),))
            return
        if receiver == _ABSENT:
            return
        container = receiver[1] if receiver[0] in {"SL", "VIEW"} else receiver
        if receiver[0] == "VIEW":
            return
        if name in {"insert", "pop", "remove", "reverse", "sort", "clear"}:
            self._shift(container)
        if name in {"append", "add"} and arg0 is not None:
            self.store_slot(container, "*", self.ev(arg0))
        elif name == "insert" and arg1 is not None:
            self.store_slot(container, "*", self.ev(arg1))
        elif name == "extend" and arg0 is not None:
            self.store_slot(container, "*", self.ev(("it", arg0)))
        elif name == "update":
            self._construct_contents(call, container)
        elif name in {"pop", "get", "setdefault"}:
            if typename == "dict":
                keys = self.eval_key(arg0)
                if keys is False:
                    return
                slots = [_slot_key(k) for k in keys] if keys else None
                if name == "setdefault" and arg1 is not None:
                    values = self.ev(arg1)
                    if slots and all(slots):
                        for slot in slots:
                            self.store_slot(container, slot, values)
                    else:
                        self.store_slot(container, "*", values)
                self.add(result, self.subscript(container, _slot_keys(keys), 0))
                if arg1 is not None:
                    self.add(result, self.ev(arg1))
            else:
                self.add(result, self.all_elements(container))
        elif name == "copy":
            self.add(result, (container,))
        elif name in {"items", "keys", "values"}:
            self.add(result, (("VIEW", name, container),))
        elif name == "popitem":
            self.add(result, (("PAIR", container),))
        elif name in {"index", "count"}:
            self.add(result, (("T", "int"),))
        elif name == "sort":
            self._compare_in_order(index, call, ("it", ("val", container)), "__lt__")

    # ---- statements --------------------------------------------------------------------------

    def assign(self, target: tuple[Any, ...], values: Values) -> None:
        """Store ``values`` into an assignment target."""
        tag = target[0]
        if tag == "v":
            self.add(target[1], values)
        elif tag == "a":
            name = target[2]
            for obj in list(self.ev(target[1])):
                kind = obj[0]
                if kind == "I" and self._set_through_descriptor(obj, name, values, target[3]):
                    continue
                if kind in {"I", "C", "M"}:
                    if kind == "C" and name not in self._stored_on_classes:
                        self._first_stored_on_a_class(name)
                    self.add(("A", obj, name), values)
                    if kind == "M":
                        module_id = self.module_ids.get(obj[1])
                        if module_id is not None and name in self.globals[module_id]:
                            self.add(f"{module_id}:{name}", values)
                elif kind in {"F", "B"}:
                    self.add(("A", ("F", obj[1]), name), values)
        elif tag == "s":
            keys = self.eval_key(target[2])
            if keys is False:
                return
            slots = [_slot_key(k) for k in keys] if keys else None
            for obj in list(self.ev(target[1])):
                if obj[0] == "I" and not self.class_lookup(obj[1], "__setitem__"):
                    obj = self._contents(obj) or obj
                if obj[0] == "L":
                    if slots and all(slots):
                        for slot in slots:
                            self.store_slot(obj, slot, values)
                    else:
                        self.store_slot(obj, "*", values)
                elif obj[0] == "SL":
                    self.store_slot(obj[1], "*", values)  # a view's indices are not its container's
                elif obj[0] == "GL" and slots and all(slots):
                    for slot in slots:  # all(slots) held: no slot is None
                        if slot[0] == "str" and slot[1] in self.globals.get(obj[1], ()):  # type: ignore[index]
                            self.add(f"{obj[1]}:{slot[1]}", values)  # type: ignore[index]

    def _first_stored_on_a_class(self, name: str) -> None:
        """A store gives a class ``name`` for the first time: class lookups of it now
        step through every class of their MROs, so the ones made before run again."""
        self._stored_on_classes.add(name)
        readers = self._unstored_readers.pop(name, set())
        self._lookups_changed |= readers
        self._queue(sorted(readers))

    def _set_through_descriptor(self, instance: Value, name: str, values: Values, node_id: str | None) -> bool:
        """``instance.name = values`` where the class has a property ``name`` with a
        setter, or a data descriptor: the setter (the descriptor's ``__set__``) is called
        (an edge from the running function) and gets the values; the instance keeps no
        attribute. False when there is neither."""
        found = self.class_lookup(instance[1], name)
        setters = [v[2] for v, _ in found if v[0] == "PR" and len(v) > 2]
        caller = self._caller_of(self.cur) if self.cur >= 0 else None
        for fid in setters:
            self._bind_receiver(fid, instance)
            if caller is not None and node_id is not None:
                self._record_edge(node_id, caller, ("F", fid), None, "property")
            fn = self.funcs.get(fid)
            if fn is not None and len(fn.params) > 1:
                self.add(fn.params[1].var, values)
        # A data descriptor (a class attribute whose class defines ``__set__``) is set
        # by calling it with the instance and the value.
        described = False
        for descriptor, _ in found:
            if descriptor[0] != "I":
                continue
            for fid in (v[1] for v, _ in self.class_lookup(descriptor[1], "__set__") if v[0] == "F"):
                described = True
                self._bind_receiver(fid, descriptor)
                if caller is not None and node_id is not None:
                    self._record_edge(node_id, caller, ("F", fid), "__set__", "protocol")
                self._bind_positionals(fid, ({instance}, values))
        return bool(setters) or described

    def run_protocol(
        self,
        caller: str,
        values: Collection[Value],
        node_id: str,
        names: Sequence[str],
        *,
        args: Sequence[Expr] = (),
        first: bool = False,
        returns: bool = False,
    ) -> dict[str, set[Value]]:
        """Edges to dunder methods an iteration, a ``with`` or an operator runs; with
        ``returns``, their return values by name (else none).

        Each method gets ``args`` after its receiver. With ``first``, an instance's class
        runs only the first of ``names`` it defines (``__iadd__``, else ``__add__``).
        The return values are read either way, so every caller is woken when they
        grow, as before: waking fewer constraints would change the order in which
        values reach a bounded key, and with it what a given-up key let through.
        """
        returned: dict[str, set[Value]] = {}
        for value in list(values):
            if value[0] != "I":
                continue
            for name in names:
                methods = self._instance_methods(value, name)
                for fid in methods:
                    self._record_edge(node_id, caller, ("F", fid), name, "protocol")
                    if args and (node_id, fid) not in self._protocol_arguments:
                        # Bound by a constraint of its own: growing arguments re-run the
                        # binding, not the lookups of every instance of the operand.
                        self._protocol_arguments.add((node_id, fid))
                        self._add_constraint(("pbind", caller, fid, tuple(args)))
                    result = self._method_result(fid, value)
                    if returns:
                        returned.setdefault(name, set()).update(result)
                    if name == "__iter__":
                        for it in list(result):
                            if it[0] == "I":
                                for nxt in self._instance_methods(it, "__next__"):
                                    self._record_edge(node_id, caller, ("F", nxt), "__next__", "protocol")
                if methods and first:
                    break
        return returned

    def _operands_to_look_up(self, values: Collection[Value], part: int = 0) -> list[Value]:
        """The instances among ``values`` (operand ``part`` of the running constraint)
        whose special methods it has yet to look up: all of them after a class attribute
        or an MRO it read changed, else only those new since its last run.

        For the calls whose special methods only make edges (an operator's, ``len(x)``'s,
        ``str(x)``'s, a sort's comparisons): what such a call does with an instance
        (edges, receivers, argument bindings) is kept for good, and its lookups read only
        class attributes and MROs; so an instance looked up before finds the same
        methods until one of those changes.
        """
        number = self.cur
        parts = self._operands_looked_up.get(number)
        if parts is None or number in self._lookups_changed:
            self._lookups_changed.discard(number)
            parts = self._operands_looked_up[number] = {}
        seen = parts.setdefault(part, set())
        fresh = [v for v in values if v[0] == "I" and v not in seen]
        seen.update(fresh)
        return fresh

    def _bind_protocol_arguments(self, fid: str, args: tuple[Expr, ...]) -> None:
        """Bind the arguments a special method ``fid`` is called with (an operator's other
        operand) to its parameters after the receiver.

        An argument whose parameter is given up, or that no positional parameter takes,
        has only its attribute reads evaluated, as an assignment to a given-up name does:
        its values would be dropped, and the constraint stops reading them. (SymPy's
        operators bind 1.5 million such pairs; most of their ``other`` parameters are
        given up, and evaluating their arguments again on each wake took a fifth of its
        resolution.)
        """
        bound: list[tuple[str, Values]] = []
        for position, arg in enumerate(args, start=1):
            var = self._positional_var(fid, position)
            if var is not None and not self._given_up(var):
                bound.append((var, self.ev(arg)))
            else:
                self._read_attributes(arg)
        for var, values in bound:
            self.add(var, values)

    def _positional_var(self, fid: str, position: int) -> str | None:
        """The variable of the parameter of ``fid`` that a positional argument at
        ``position`` (counted from the receiver, 0) binds; None if no such parameter takes it."""
        params = self.funcs[fid].params
        if position < len(params) and params[position].kind in {"posonly", "regular"}:
            return params[position].var
        return None

    def _bind_positionals(self, fid: str, arg_values: Sequence[Values], start: int = 1) -> None:
        """Give the positional parameters of ``fid`` from position ``start`` (by default,
        those after a method's receiver) ``arg_values``, in order."""
        for position, values in enumerate(arg_values, start=start):
            var = self._positional_var(fid, position)
            if var is not None:
                self.add(var, values)

    def step(self, number: int) -> None:
        """Evaluate constraint ``number``."""
        con = self.cons[number]
        tag = con[0]
        # The kinds run most often come first (SymPy runs 21 million steps, a sixth of them ``dunder``).
        if tag == "cp":
            key = con[1]
            self.readers[key].add(self.cur)
            self.add(con[2], self.vals.get(key, _EMPTY))
        elif tag == "bind":
            self.run_bind(con[1], con[2], con[3])
        elif tag == "dunder":
            operands = self._operands_to_look_up(self._ev_instances(con[2]))
            self.run_protocol(con[1], operands, con[3], con[4], args=con[5], first=True)
        elif tag == "as":
            target = con[2]
            if target[0] == "v" and self._given_up(target[1]):
                self._read_attributes(con[3])
            else:
                self.assign(target, self.ev(con[3]))
        elif tag == "call":
            self.run_call(number, self.calls[con[1]])
        elif tag == "pbind":
            self._bind_protocol_arguments(con[2], con[3])
        elif tag == "icall":
            self.run_icall(self.calls[con[1]], con[1], con[2])
        elif tag == "ctor":
            self.run_ctor(self.calls[con[1]], con[1], con[2])
        elif tag == "attr":
            self.run_attribute(con[1], con[2], con[3])
        elif tag == "argv":
            self.run_argument(con[1], con[2], con[3])
        elif tag == "ptcall":
            self.run_passthrough(con[1], con[2], con[3])
        elif tag == "bindx":
            self.run_bind(con[1], con[2], con[3], con[4])
        elif tag == "ret" or tag == "yld" or tag == "retx":
            key = (tag, con[1])
            if self._given_up(key):
                self._read_attributes(con[2])
            else:
                self.add(key, self.ev(con[2]))
        elif tag == "retc":
            self.run_returned_call(con[1], con[2])
        elif tag == "clones":
            self.run_clones(con[1], con[2], con[3])
        elif tag == "cenv":
            self.run_closure_reads(con[1], con[2], con[3], con[4])
        elif tag == "spread":
            self.run_spread(con[1], con[2], con[3])
        elif tag == "rself":
            self.run_returned_receiver(self.calls[con[1]], con[2])
        elif tag == "alloc":
            self.run_alloc(con[1])
        elif tag == "bcall":
            self.run_builtin(con[1], self.calls[con[1]], con[2])
        elif tag == "mcall":
            self.run_method(con[1], self.calls[con[1]], con[2])
        elif tag == "ann":
            self.run_annotation(con[1], con[2], con[4])
        elif tag == "anna":
            pass  # replaced by ``ann`` constraints for its instances (see :meth:`_annotate`)
        elif tag == "ginit":
            generated = self._generated_init(con[2], con[3])
            if generated is not None:
                self._run_generated_init(con[1], self.calls[con[1]], con[2], generated)
        elif tag == "bsetattr":
            call = self.calls[con[1]]
            self.set_attributes(("val", con[2]), self._arg(call, 0), self._arg(call, 1))
        elif tag == "bases":
            pairs = set()
            for i, expr in enumerate(con[2]):
                for v in self.ev(expr):
                    if v[0] in {"C", "X"} or (v[0] == "BI" and v[1] != "object"):
                        pairs.add((i, v))
            before = len(self.vals.get(("bases", con[1]), ()))
            self.add(("bases", con[1]), pairs)
            if len(self.vals.get(("bases", con[1]), ())) != before:
                self._bases_grew(con[1])
        elif tag == "star":
            target, start, n_after = con[1], con[3], con[4]
            for v in list(self.ev(con[2])):
                length = self.precise_length(v) if v[0] == "L" else None
                if length is None:
                    self.store_slot(target, "*", self.subscript(v, None, STARRED_UNPACK))
                    continue
                for j in range(start, length - n_after):
                    self.store_slot(target, ("num", j - start), self.slot_values(v, ("num", j)))
        elif tag == "exc":
            instances = set()
            for v in list(self.ev(con[3])):
                candidates = self.all_elements(v) if v[0] == "L" else self.view_elements(v) if v[0] == "SL" else {v}
                instances |= {("I", c[1]) for c in candidates if c[0] == "C"}
            self.add(con[2], instances)
        elif tag == "use":
            self._read_attributes(con[2])
        elif tag == "del":
            for v in list(self.ev(con[2])):
                self._shift(v[1] if v[0] == "SL" else v)
        elif tag == "for":
            self.run_protocol(con[1], self._ev_instances(con[2]), con[3], ("__iter__",))
        elif tag == "with":
            values = self.ev(con[3])
            returned = self.run_protocol(con[1], values, con[4], ("__enter__", "__exit__"), returns=con[2] is not None)
            if con[2] is not None:
                entered: set[Value] = set()
                for v in values:
                    if v[0] == "G":
                        # A generator entered is a ``contextmanager``'s: what it yields.
                        entered |= self.read(("yld", v[1]))
                    elif v[0] != "I" or not self.class_lookup(v[1], "__enter__"):
                        entered.add(v)
                self.add(con[2], entered | returned.get("__enter__", set()))

    def _given_up(self, key: object) -> bool:
        """Whether ``key`` is given up, so :meth:`add` takes no more (and it reads as empty)."""
        return self.vals.get(key) is _GIVEN_UP

    def _holds_values(self, key: object) -> bool:
        """Whether ``key`` holds values (a given-up key does)."""
        values = self.vals.get(key)
        return bool(values) or values is _GIVEN_UP

    def _read_attributes(self, e: Expr) -> None:
        """Evaluate only the attribute reads of ``e``, whose values nothing keeps: for
        a key given up, an argument no parameter takes, a ``use`` constraint.

        What evaluating ``e`` still does is in its attribute reads, which record
        attribute targets, call property getters and bind method receivers.
        """
        for read in _attribute_reads(e):
            self._attribute_read(read, kept=False)

    def _drain(self) -> None:
        """Run queued constraints until none is left.

        A constraint that has run ``_DEFER_AFTER`` times already is set aside when it
        comes up, and the ones set aside run, in the order they came up, once the queue
        is empty: what keeps waking it (a container filled from many places, a variable
        growing one value at a time) has then grown as far as it goes for now, and one
        run reads it all. (Re-running them on every growth made the standard library's
        resolution take 13 to 20 % longer.) The order depends only on the constraints,
        never on timing, so results stay deterministic.
        """
        queue, queued, runs = self.queue, self.queued, self._runs
        popleft, step = queue.popleft, self.step
        deferred: list[int] = []
        released = 0
        limit = _DEFER_AFTER
        while True:
            if not queue:
                if not deferred:
                    break
                queue.extend(deferred)
                released = len(deferred)
                deferred.clear()
            number = popleft()
            if released:
                released -= 1
            elif runs[number] >= limit:
                deferred.append(number)
                continue
            runs[number] += 1
            queued[number] = False
            self.cur = number
            try:
                step(number)
            except Exception as exc:  # noqa: BLE001 - one file's problem must not stop the program
                path = self.con_file[number]
                if path not in self._failed:
                    self._failed.add(path)
                    self.errors.append(FileError.from_exception(path, "resolve", exc))
        self.cur = -1

    def _late_rules(self) -> bool:
        changed = False
        if not self.late:
            self.late = True
            overriding = {number for readers in self._override_readers.values() for number in readers}
            for number in sorted(self.pending_keys | overriding):
                if not self.queued[number]:
                    self.queued[number] = True
                    self.queue.append(number)
                    changed = True
        for number, con in enumerate(self.cons):
            if con[0] != "call":
                continue
            call = self.calls[con[1]]
            if call.kind != "decorator":
                continue
            known = any(
                t[0] in {"F", "B", "C", "I", "PRD", "SM"}
                or (t[0] == "BI" and t[1] in _NO_EDGE_DECORATORS)
                or (t[0] == "X" and t[1] in _EXTERNAL_BUILTINS)
                for t in call.targets
            )
            if not known:
                self.cur = number
                values = self.ev(call.args[0][0])
                result = self.vals.get(("r", call.key), _EMPTY)
                if result is not _GIVEN_UP and not values <= result:
                    self.add(("r", call.key), values)
                    changed = True
        self.cur = -1
        for cls in self.classes.values():
            for fid in cls.method_ids:
                fn = self.funcs[fid]
                var = self._param0(fid)
                if var is None or fn.method_kind == "static" or self._holds_values(var):
                    continue
                receiver = ("C", cls.node_id) if fn.method_kind in {"classmethod", "new"} else ("I", cls.node_id)
                self.add(var, (receiver,))
                changed = True
        self.late_rounds += 1
        if self.annotations and (not changed or self.late_rounds >= _ROUNDS - 1):
            changed = self._annotate()
        return changed

    def _annotate(self) -> bool:
        """Queue the ``ann`` constraints whose parameter or return holds no values yet.

        A parameter that no call in the program passes a repository value (a library's
        entry point, a callback external code calls, one that only gets ``None`` or
        literals) takes an instance of the class its annotation names; so does the
        return of a function that returns none (an abstract method, a wrapper of an
        external call); ``anna`` constraints do the same for the attribute on each
        subclass's instances. Run once, when the other late rules have nothing left to
        add (classes behind unknown decorators, such as ``@dataclass``, have instances
        by then): keys only grow, so one not empty then never is.
        """
        fired: list[int] = []
        subclasses: dict[str, list[str]] | None = None
        for number in self.annotations:
            con = self.cons[number]
            if con[0] == "anna":
                self.cur = number  # the reader of the MROs (its step does nothing)
                if subclasses is None:
                    subclasses = self._subclasses()
                _, cid, name, parts, site = con
                if not self._opaque(("A", ("C", cid), name)):
                    continue
                for sub in subclasses.get(cid, ()):
                    key = ("A", ("I", sub), name)
                    if self._opaque(key):
                        fired.append(self._add_idle(("ann", key, parts, None, site)))
                continue
            _, key, _, fid, _ = con
            if fid is not None:
                fn = self.funcs[fid]
                if fn.returns_params or fn.returns_calls:
                    continue
            if self._opaque(key):
                fired.append(number)
        self.cur = -1
        self.annotations.clear()
        for number in fired:
            self.queued[number] = True
            self.queue.append(number)
        return bool(fired)

    def run_annotation(self, key: object, parts: tuple[tuple[str, Expr], ...], site: str) -> None:
        """Give ``key`` what an annotation names: instances, classes, or containers of instances.

        A container is one per annotation (``("L", kind, site)``), its ``*`` slot
        holding the instances; a ``dict``'s keys are left unknown.
        """
        values: set[Value] = set()
        elements: dict[str, set[Value]] = {}
        for mode, cls in self._annotated_classes(parts, 0):
            if mode == INSTANCE:
                values.add(("I", cls[1]))
            elif mode == CLASS:
                values.add(cls)
            else:
                elements.setdefault(mode, set()).add(("I", cls[1]))
        for kind, instances in elements.items():
            container = ("L", kind, site)
            self.store_slot(container, "*", instances)
            values.add(container)
        self.add(key, values)

    def _annotated_classes(self, parts: Sequence[tuple[str, Expr]], depth: int) -> list[tuple[str, Value]]:
        """(mode, class) for each class the annotation ``parts`` name.

        A type alias (``("TA", module_id, name)``, the value of its name in its module and
        wherever it is imported) names what its own parts name, in the mode the two
        compose to: ``list[Alias]`` of an alias of ``Engine | Wheel`` names lists of
        either; a container inside a container, or inside ``type[...]``, names nothing
        (as in :mod:`._annotations`). Aliases naming each other end after
        ``_ALIAS_DEPTH`` steps.
        """
        out: list[tuple[str, Value]] = []
        for mode, expr in parts:
            for value in self.ev(expr):
                if value[0] == "C":
                    out.append((mode, value))
                elif value[0] == "TA" and depth < _ALIAS_DEPTH:
                    inner = self.type_aliases.get((value[1], value[2]), ())
                    out.extend(self._annotated_classes(within(mode, inner), depth + 1))
        return out

    def _opaque(self, key: object) -> bool:
        """Whether ``key`` holds no value that says something about a repository object."""
        values = self.vals.get(key, _EMPTY)
        return values is not _GIVEN_UP and all(v[0] in _OPAQUE_TAGS for v in values)

    def _subclasses(self) -> dict[str, list[str]]:
        """Every repository class, under itself and each repository class of its MRO."""
        out: dict[str, list[str]] = defaultdict(list)
        for cid in sorted(self.classes):
            for klass in self.mro(cid)[0]:
                if klass[0] == "C":
                    out[klass[1]].append(cid)
        return out

    def solve(self) -> None:
        """Run the worklist to a fixpoint, apply late rules, repeat until nothing changes."""
        for _ in range(_ROUNDS):
            self._drain()
            if not self._late_rules():
                break
        self._drain()
        if self._clone_counts:
            self._fold_clones()

    def _fold_clones(self) -> None:
        """Make the edges of clones the edges of the closures they copy."""
        folded: dict[tuple[str, str, Value, str | None], str] = {}
        for (node_id, caller, callee, via), method in self.edges.items():
            if callee[0] == "F":
                callee = ("F", original_id(callee[1]))
            folded.setdefault((node_id, original_id(caller), callee, via), method)
        self.edges = folded
