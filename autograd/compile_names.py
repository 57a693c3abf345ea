"""The names a compiled step reads that a replay checks first: the global names and closure cells of
the step's own code (and of the functions behind it: a partial's, a decorator's, its module's
helpers), with the objects they held when it was recorded. A replay calls the optimizers and reads
the parameters the recordings saw; a name that holds another object now (an optimizer made anew)
makes the step record again."""

from __future__ import annotations

import collections
import dis
import functools
import gc
import sys
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .compile_entries import Unreplayable
from .compile_fields import fields, has_fields
from .compile_guards import BUFFERS, Unguarded, _config
from .compile_helpers import ATTRIBUTE_OPS, contents, functions, global_names, holds, keys_of_globals
from .compile_replay import UNBOUND, Program
from .compile_settings import Contents, replays_itself
from .graph import Node
from .tensor_class import Tensor


class Names:
    """The global names and closure cells the step's own code reads or assigns (its comprehensions'
    and lambdas' too, and those of the functions `_functions` finds: the step behind a partial, a
    method or a decorator, and its module's helpers it calls), with the objects they are bound to:
    a replay calls the optimizers and reads the parameters the recordings saw, so it checks first
    that each name still holds what it held then (an optimizer or a model made anew, a number
    rebound, records again). Also the attribute names that code loads or stores: of an owner's
    attributes (`instances`), the ones it may read; the caller's own (a count of batches seen) are not
    its business. An attribute the code takes only straight off names (`opt.step`) is read from what those
    names hold alone (`attributes_of`): not from a module whose counter the caller keeps as `state.step`."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.globals: list[tuple[dict[str, Any], str]] = []  # (namespace, name)
        self.cells: list[tuple[Any, str]] = []  # (cell, name)
        self.attributes: set[str] = set()  # those the code may take off any object (`x.scale`, `cfg.optim.scale`)
        self.off: dict[str, set[str]] = {}  # by name, those it takes straight off that name (`opt.step`) only
        self.contents: dict[int, Contents] = {}  # read_through's, by the id of the dict or list each holds
        self.read: dict[int, set[str]] = {}  # read_through's: by the id of an owner, the names `off` adds to it
        self.codes: set[types.CodeType] = set()  # those of the functions followed
        # of `globals`, those the code names, by (id of the namespace, name); the others (a step calling
        # globals() with keys it computes: keys_of_globals) are checked by identity alone, not read through
        self.named: set[tuple[int, str]] = set()
        self.defaults: dict[int, Any] = {}  # their DefaultArguments (DefaultArgument.of)
        self.follow(functions(fn))

    def follow(self, found: list[types.FunctionType]) -> bool:
        """Check the names and cells of `found` too (and of the helpers they reach: compile_helpers.functions),
        those not followed already: the functions a recording saw the step run (compile_calls). Whether any was
        new."""
        new = [g for f in found for g in functions(f) if g.__code__ not in self.codes or g.__closure__]
        held = {id(cell) for cell, _ in self.cells}
        grew = False
        for f in new:
            keys = keys_of_globals(f)  # those it reads through globals() (`globals()["N"]`), or None for all
            named = global_names(f.__code__) | (keys or set())
            self.named |= {(id(f.__globals__), name) for name in named}
            every = {name for name in f.__globals__ if not name.startswith("__")} if keys is None else set()
            names = [(f.__globals__, name) for name in sorted(named | every)]
            names = [(n, name) for n, name in names if not any(n is m and name == o for m, o in self.globals)]
            cells = [*zip(f.__closure__ or (), f.__code__.co_freevars), *DefaultArgument.of(f, self.defaults)]
            cells = [(c, name) for c, name in cells if id(c) not in held]
            held |= {id(c) for c, _ in cells}
            grew |= bool(names or cells) or f.__code__ not in self.codes
            self.globals += names
            self.cells += cells
            self.codes.add(f.__code__)
            _attributes(f.__code__, self.attributes, self.off, set(f.__code__.co_freevars))
        for taken in self.off.values():
            taken -= self.attributes
        return grew

    def attributes_of(self, owner: Any) -> set[str]:
        """The attribute names the code may read from `owner`, as of the last `read_through`."""
        return self.attributes | self.read.get(id(owner), set())

    def bound(self) -> tuple[Any, ...]:
        """What each name and cell holds now (UNBOUND for nothing: a builtin's name, an empty cell)."""
        return (
            *(namespace.get(name, UNBOUND) for namespace, name in self.globals),
            *(contents(cell) for cell, _ in self.cells),
        )

    def check_unchanged(self, before: tuple[Any, ...]) -> tuple[Any, ...]:
        """`before`, if the recorded call left every name as it found it: else Unreplayable (the step
        assigns a global or nonlocal name, `count += 1`, which a replay would not do)."""
        names = [name for _, name in self.globals] + [name for _, name in self.cells]
        for name, was, now in zip(names, before, self.bound()):
            if was is not now:
                raise Unreplayable(
                    f"the step assigns the global or nonlocal name {name!r}, which a replay would not do: keep "
                    "such state outside the compiled step"
                )
        return before

    def read_through(self, bound: tuple[Any, ...], others: list[tuple[Any, str]]) -> list[Any]:
        """Of the objects the names hold (`bound`), those whose numbers the step's code may read into the
        recording as constants: plain objects and classes (`args.scale`, `Config.temperature`, read by
        attributes the code names, and the objects those attributes hold: `cfg.optim.scale`; their classes,
        `_classes`), modules (`config.SCALE`, `package.settings.SCALE`), and dicts, lists and small arrays
        (`settings["scale"]`, `scale[0]`, each as one `Contents` for all recordings), and what `_holds` holds.
        A replay runs none of that Python, so each is guarded (`guard_attributes`): one changed between calls
        records again, where it baked the old number."""
        found: list[Any] = []
        names = [name for _, name in self.globals] + [name for _, name in self.cells]
        named = [(id(namespace), name) in self.named for namespace, name in self.globals] + [True] * len(self.cells)
        # each with where it was found, for a warning to name (`history`, `self.cfg.sizes`, an item of `TABLE`); of
        # the globals a step reaches through globals() alone, the containers (`globals()["SIZES"][0]`)
        through = [n or isinstance(x, _CONTAINERS) for x, n in zip(bound, named)]
        pending, seen = [*((x, name) for x, name, n in zip(bound, names, through) if n), *others], set()
        self.read = {}
        for name, x in zip(names, bound):
            self.read.setdefault(id(x), set()).update(self.off.get(name, ()))
        while pending:
            x, where = pending.pop()
            if id(x) in seen or x is gc.callbacks:  # the collector's callbacks: compile's own go in while it records
                continue
            seen.add(id(x))
            pending += [(item, _item_of(x, where)) for item in holds(x)]
            if isinstance(x, types.FunctionType) and x.__dict__:  # its attributes (`step.n`), read as a dict's items
                pending.append((x.__dict__, f"{where}.__dict__"))
            if isinstance(x, _CONTAINERS):
                held = self.contents.get(id(x))
                if held is None or held.held is not x:
                    held = self.contents[id(x)] = Contents(x, where)
                found.append(held)
            elif isinstance(x, types.ModuleType) or (
                (isinstance(x, type) or not isinstance(x, _NOT_READ_THROUGH)) and has_fields(x)
            ):  # a module's too: `settings.optim.SCALE`, `config.CFG.scale`
                found.append(x)
                read = self.attributes_of(x)
                pending += [(v, f"{where}.{k}") for k, v in fields(x).items() if k in read or _too_large(x, v)]
                pending += [(c, c.__name__) for c in _classes(x)]
            elif isinstance(x, Node) and not isinstance(x, Tensor):  # a Value: `v.data`, a float a replay would keep
                found.append(x)  # the attributes the code names alone (compile_settings._read)
        return found

    def bind(self, program: Program, bound: tuple[Any, ...]) -> None:
        """Give `program` the names and cells to check, with the objects of `bound` (empty cells left out)."""
        split = len(self.globals)
        program.names = [(namespace, name, x) for (namespace, name), x in zip(self.globals, bound[:split])]
        program.cells = [(cell, x) for (cell, _), x in zip(self.cells, bound[split:]) if x is not UNBOUND]


class DefaultArgument:
    """A default argument of a function the step runs (`def step(x, seen=[])`, `lambda b=box: b["n"]`), checked
    as a closure cell is (`cell_contents`): another object bound there since records again, and the list or dict
    it holds is read through, so that one changed in place by the caller records again and one changed by the
    step runs it eagerly. A default gone since reads as an emptied cell (ValueError)."""

    __slots__ = ("function", "key")

    def __init__(self, function: types.FunctionType, key: int | str) -> None:
        self.function, self.key = function, key

    @property
    def cell_contents(self) -> Any:
        try:
            if isinstance(self.key, str):
                return (self.function.__kwdefaults__ or {})[self.key]
            return (self.function.__defaults__ or ())[self.key]
        except (KeyError, IndexError):
            raise ValueError("no such default") from None

    @classmethod
    def of(cls, f: types.FunctionType, made: dict[int, Any]) -> list[tuple[DefaultArgument, str]]:
        """Each default argument of `f`, named as `f.__name__(argument=)`: the same object for the same
        function and argument on each call (kept in `made`, by the function's id), so that Names.follow takes
        it once."""
        code = f.__code__
        positional = code.co_varnames[: code.co_argcount]
        count = len(f.__defaults__ or ())
        keys = [*range(count), *(f.__kwdefaults__ or {})]
        names = [*positional[len(positional) - count :], *(f.__kwdefaults__ or {})]
        made = made.setdefault(id(f), (f, {}))[1]
        return [(made.setdefault(key, cls(f, key)), f"{f.__name__}({name}=)") for key, name in zip(keys, names)]


def _item_of(holder: Any, where: str) -> str:
    """The name of what a container or a holder found as `where` holds (an item, a partial's argument, a bound
    method's object: `record.__self__` of `record = history.append`)."""
    if where.startswith("an item of "):
        return where
    return f"{where}.__self__" if isinstance(holder, _BOUND) else f"an item of {where}"


_BOUND = (types.MethodType, types.BuiltinMethodType, types.MethodWrapperType)  # those holds() gives the object of


def _too_large(owner: Any, value: Any) -> bool:
    """Whether `value`, an object's attribute, is a config too large to compare whole on every replay (an
    argparse Namespace of 40 options on a trainer: `Unguarded`, which would run the step eagerly): read
    through instead, each of its settings guarded on it as the object's own are."""
    return not isinstance(owner, type | types.ModuleType) and _config(value).__class__ is Unguarded


# each read through as Contents (a mappingproxy: a read-only view of a dict the caller may change)
_CONTAINERS = (dict, list, tuple, np.ndarray, set, collections.deque, types.MappingProxyType, *BUFFERS)
_PYTHONS = frozenset((*sys.stdlib_module_names, "builtins"))


def _classes(x: Any) -> list[type]:
    """The classes of a plain object whose attributes it reads as its own where it has none (`cfg.scale` of
    `class Config: scale = 1.0`, then `Config.scale = 3.0`): not Python's own (object, SimpleNamespace), nor
    those of an object with `@replayed` methods (an optimizer's, guarded by the names the step reads only)."""
    if isinstance(x, type | types.ModuleType) or replays_itself(type(x)):
        return []
    return [c for c in type(x).__mro__ if c.__module__.partition(".")[0] not in _PYTHONS]


def partial_arguments(fn: Any) -> list[tuple[Any, str]]:
    """The arguments the functools.partials behind a compiled `fn` bind (`compile(partial(train, cfg=cfg))`), each
    with a name for messages (`cfg`, `args[0]`)."""
    held: list[tuple[Any, str]] = []
    while isinstance(fn, functools.partial):
        held += [*((x, f"args[{i}]") for i, x in enumerate(fn.args)), *((x, k) for k, x in fn.keywords.items())]
        fn = fn.func
    return held


# what a name may hold that is no one's settings read through it: code, namespaces, the engine's nodes
_NOT_READ_THROUGH = (
    Node,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    functools.partial,
)


def instances(fn: Any) -> list[Any]:
    """The objects whose attributes the step's own code reads as it reads its globals (through `self`): a
    bound method's object (`compile(trainer.step)`), a callable object itself, behind a partial too; not a
    class (a classmethod's) nor a module."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    owner = fn.__self__ if isinstance(fn, types.MethodType) else fn
    plain = not isinstance(owner, type | types.ModuleType | types.FunctionType | types.BuiltinFunctionType)
    return [owner] if plain and has_fields(owner) else []


def _attributes(code: types.CodeType, loose: set[str], off: dict[str, set[str]], cells: set[str]) -> None:
    """Add the attribute names `code` and the code nested in it load, store or delete to `loose`, or, where
    one is taken straight off a global name or one of the step's closure cells (`cells`: `opt.step`), to
    that name's in `off`. Off a local, a cell of the step's own (`c = config; ... c.SCALE`) too, it is loose."""
    cells = cells - set(code.co_cellvars)
    before = None
    for i in dis.get_instructions(code):
        if i.opname in ATTRIBUTE_OPS:
            if before is not None and (
                before.opname == "LOAD_GLOBAL" or (before.opname == "LOAD_DEREF" and before.argval in cells)
            ):
                off.setdefault(before.argval, set()).add(i.argval)
            else:
                loose.add(i.argval)
        before = i
    if not BY_NAME.isdisjoint(code.co_names):  # getattr(box, "inner"): the texts it holds may be attribute names
        loose.update(c for c in code.co_consts if isinstance(c, str) and c.isidentifier())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _attributes(const, loose, off, cells)


BY_NAME = frozenset({"getattr", "setattr", "hasattr", "delattr", "vars"})  # what takes an attribute's name as text


def identical(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """The same objects, item by item (what names hold: identity, never ==, which an array answers elementwise)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))
