"""The functions whose global names and closure cells a replay of a compiled step checks (compile_names.Names):
the step's own, those it wraps, and its module's helpers it may call, found by reading code and the objects it
holds without running any of them; and the readers of code they share with compile_names."""

from __future__ import annotations

import builtins
import dis
import functools
import types
from typing import Any

import numpy as np

from .compile_fields import fields, has_fields
from .compile_random import HELPER_DEPTH
from .compile_replay import UNBOUND

# a dict, list or tuple of more items than this is a table, not a holder of objects whose settings a step reads
HOLDER_ITEMS = 32


def holds(x: Any) -> list[Any]:
    """What `read_through` reads through beside an object's named attributes: the arguments a functools.partial
    binds (`partial(helpers.scaled, cfg=cfg)`, `compile(partial(train, cfg=cfg))`), a bound method's object
    (`aug.apply`), and the items of a small dict, list or tuple (`{"a": holder}`, where the holder also keeps
    a module, and so is compared by identity): code the step calls reads their settings, which a replay
    would otherwise go on reading as recorded."""
    if isinstance(x, functools.partial):  # its keywords as the dict they are: `p.keywords["k"] = 2` changes it in place
        return [*x.args, x.keywords, x.func]
    if isinstance(x, types.MethodType):
        return [x.__self__]
    if isinstance(x, types.BuiltinMethodType | types.MethodWrapperType) and not isinstance(
        x.__self__, types.ModuleType | type | None
    ):  # a builtin container's method: `getn = sizes.get`, `count = seen.__len__`, a dict or list the step reads
        return [x.__self__]
    if isinstance(x, dict | list | tuple) and len(x) <= HOLDER_ITEMS:  # not its arrays: the container's guard's
        return [item for item in (x.values() if isinstance(x, dict) else x) if not isinstance(item, np.ndarray)]
    return []


def functions(fn: Any) -> list[types.FunctionType]:
    """The functions whose global names and closure cells a replay checks, each once: fn's own (a
    bound method's, a callable object's `__call__`, a functools.partial's function), those it wraps
    (functools.wraps' `__wrapped__`), and the functions of its own module that it holds in closure
    cells (a decorator's wrapper holds the step), names as globals (helpers it calls) or finds in small dicts,
    lists or tuples those hold, three levels down (`SIZES["rows"]()`, a lambda reading a global `N`, which a replay
    would otherwise go on reading as recorded), partials and bound methods among them, and the methods,
    properties and function attributes of those objects and of its `self` that its code may call (`self.rows()`),
    and so on from those. Functions of other modules (nn's, numpy's) are left out: their names are theirs."""
    found: list[types.FunctionType] = []
    pending, module = [(fn, None)], None  # each with the object it is a method of (its `self`), if any
    objects: dict[int, Any] = {}  # what those functions hold, and their `self`s
    taken: set[str] = set()  # the attribute names they take off objects
    while pending:
        while pending:
            f, owner = pending.pop()
            if isinstance(f, functools.partial):
                pending.append((f.func, owner))
                continue
            if isinstance(f, types.MethodType):
                f, owner = f.__func__, f.__self__
            f = f.fget if isinstance(f, property) else f
            f = getattr(f, "__func__", f)  # a staticmethod's, a classmethod's
            if not isinstance(f, types.FunctionType):
                call = type(f).__call__ if callable(f) else None
                if isinstance(call, types.FunctionType):  # an object of a class with __call__
                    pending.append((call, f))
                continue
            if any(f is g for g in found):
                continue
            found.append(f)
            module = module or f.__module__
            held = [contents(cell) for cell in f.__closure__ or ()]
            held += [f.__globals__.get(name) for name in global_names(f.__code__)]
            layer = held
            for _ in range(HELPER_DEPTH):  # SIZES["rows"](), HELPERS["a"][0]()
                layer = [item for x in layer if isinstance(x, dict | list | tuple) for item in holds(x)]
                held += layer
            pending += [(g, None) for g in held if _of_module(g, module)]
            pending.append((getattr(f, "__wrapped__", None), None))
            objects.update((id(x), x) for x in (*held, owner))
            taken |= names_of(f.__code__, ATTRIBUTE_OPS)
        # then the methods and properties that code may call on those (`self.rows()`, `cfg.size`), once each
        pending = [(m, x) for x in objects.values() for m in _methods(x, taken) if _of_module(m, module)]
        pending = [(m, x) for m, x in pending if not any(_function(m) is g for g in found)]
    return found


def _of_module(g: Any, module: str | None) -> bool:
    """Whether `g` calls a function of `module` (_function)."""
    function = _function(g)
    return function is not None and function.__module__ == module


def _function(g: Any) -> types.FunctionType | None:
    """The function `g` calls: itself, a partial's, a method's, a property's getter, a staticmethod's; else None."""
    while isinstance(g, functools.partial):
        g = g.func
    g = g.fget if isinstance(g, property) else g
    g = g.__func__ if isinstance(g, types.MethodType | staticmethod | classmethod) else g
    return g if isinstance(g, types.FunctionType) else None


def _methods(x: Any, names: set[str]) -> list[Any]:
    """What x holds or its class (x itself, for a class) defines under `names`, the attribute names code takes off
    objects: the methods, properties, static methods and functions it may call on x. Read off x's fields and the
    classes' namespaces, running no code."""
    if x is None:
        return []
    own = fields(x) if has_fields(x) and not isinstance(x, type | types.ModuleType) else {}  # `self.rows = lambda: N`
    kinds = x.__mro__ if isinstance(x, type) else type(x).__mro__
    found = []
    for name in names:
        defined = [k.__dict__[name] for k in kinds if name in k.__dict__]
        found += [own[name]] if name in own else defined[:1]
    return found


_GLOBAL_OPS = ("LOAD_GLOBAL", "STORE_GLOBAL", "DELETE_GLOBAL")
ATTRIBUTE_OPS = ("LOAD_ATTR", "LOAD_METHOD", "STORE_ATTR", "DELETE_ATTR")


def global_names(code: types.CodeType) -> set[str]:
    """The global names `code` and the code nested in it load, store or delete."""
    return names_of(code, _GLOBAL_OPS)


def names_of(code: types.CodeType, ops: tuple[str, ...]) -> set[str]:
    """The names the instructions `ops` of `code`, and of the code nested in it, take."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname in ops}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= names_of(const, ops)
    return names


def keys_of_globals(f: types.FunctionType) -> set[str] | None:
    """Where f's code, or code nested in it (a comprehension's), calls globals(): the names it takes from it by a
    constant key (`globals()["N"]`, `globals().get("N")`), read through as the names its code takes are; None
    where it uses the dict otherwise (a key computed, the dict passed on or iterated): then every global name of
    its module's but Python's own (`__builtins__`, `__name__`) is checked, one rebound recording again (and only a
    dict, list, set or array among them read through), so a history the caller appends to records on each call.
    Empty where it never calls globals()."""
    if f.__globals__.get("globals", builtins.globals) is not builtins.globals:
        return set()
    keys: set[str] = set()
    pending = [f.__code__]
    while pending:
        code = pending.pop()
        pending += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        if "globals" not in code.co_names:
            continue
        ops = [i for i in dis.get_instructions(code) if i.opname not in _PLUMBING]
        for k, i in enumerate(ops):
            if i.opname == "LOAD_GLOBAL" and i.argval == "globals":
                key = _constant_key(ops[k + 1 : k + 4])
                if key is None:
                    return None
                keys.add(key)
    return keys


_PLUMBING = frozenset(("CACHE", "PRECALL", "PUSH_NULL", "EXTENDED_ARG", "NOP"))  # no part of what a call does


def _constant_key(after: list[dis.Instruction]) -> str | None:
    """The key of `globals()[KEY]` or `globals().get(KEY, ...)`, from the instructions after `globals` is loaded
    (the call, then the subscript or the method's load with the key); None for any other use."""
    if len(after) < 3 or after[0].opname != "CALL" or after[0].arg != 0:
        return None
    subscript = after[1].opname == "LOAD_CONST" and after[2].opname == "BINARY_SUBSCR"
    method = after[1].opname in ("LOAD_METHOD", "LOAD_ATTR") and after[1].argval == "get"
    got = method and after[2].opname == "LOAD_CONST"
    key = after[1].argval if subscript else after[2].argval if got else None
    return key if isinstance(key, str) else None


def contents(cell: Any) -> Any:
    """What a closure cell holds (UNBOUND when empty)."""
    try:
        return cell.cell_contents
    except ValueError:  # empty
        return UNBOUND
