"""`functional_call`: a module run with other tensors in place of some of its parameters and buffers, as
torch.func.functional_call: the model as a function of its weights, for a MAML inner loop (the weights
after a create_graph step, W - lr * grad), a Hessian in the weights (autograd.hessian of a function of a
dict of them), or a model evaluated at weights it does not hold. The module is left as it was."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, guard, type_name

from .module import Module, _parameters
from .structure import STANDING_IN, STRUCTURE

Undo = Callable[[], None]


def functional_call(
    module: Module,
    parameters_and_buffers: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    args: Any = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    strict: bool = False,
) -> Any:
    """module(*args, **kwargs) with each named parameter or buffer (names as named_parameters and
    named_buffers give them, "0.W", "bn.running_mean"; a dict, or a tuple of dicts) in place of the
    module's own, and the module's own back after, also where forward raises. Any Tensor for a Tensor
    parameter (a computed one too: its graph reaches back to whatever made it), a Value for a Value's, an
    array for a buffer, each of the shape it replaces; a parameter held under two names (tied) takes what
    either name is given. `args` not a tuple is the one argument, as torch's. `strict`: every parameter
    and buffer must be given (a tied one by any of its names). Checked before anything changes: a name the
    module lacks is a KeyError."""
    if not isinstance(module, Module):
        raise TypeError(f"functional_call takes an nn.Module, got {type_name(module)}")
    given = _merged(parameters_and_buffers)
    table = _replacements(module, given, strict)
    args = args if isinstance(args, tuple) else (args,)
    undo: list[Undo] = []
    seen: set[int] = set()  # each list and dict once, though two modules hold it
    guard(STRUCTURE, "version")  # a step that makes this call replays with the module as it is around it
    standing = [value for value in table.values() if isinstance(value, Node)]  # in parameters' places
    for value in standing:
        STANDING_IN.setdefault(id(value), [value, 0])[1] += 1
    number = STRUCTURE.entered()  # a step recorded inside it sees other members: replays only there
    try:
        for _, m in module.named_modules():
            for name, value in list(vars(m).items()):
                new = _replaced(value, table, undo, seen)
                if new is not value:
                    undo.append(_setter(m, name, value))
                    object.__setattr__(m, name, new)  # not Module.__setattr__: a computed tensor in W's place
        return module(*args, **(kwargs or {}))
    finally:
        for step in reversed(undo):
            step()
        for value in standing:
            held = STANDING_IN[id(value)]
            held[1] -= 1
            if not held[1]:
                del STANDING_IN[id(value)]
        STRUCTURE.left(number)


def _merged(given: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One dict of the dicts given (torch's tuple of a parameters' and a buffers' dict), a name in two refused."""
    dicts = [given] if isinstance(given, Mapping) else list(given) if isinstance(given, tuple | list) else None
    if dicts is None or not all(isinstance(d, Mapping) for d in dicts):
        raise TypeError(
            f"functional_call takes a dict of name -> tensor (or a tuple of such dicts), got {type_name(given)}"
        )
    merged: dict[str, Any] = {}
    for d in dicts:
        for name, value in d.items():
            if not isinstance(name, str):
                raise TypeError(f"functional_call: names are strings such as '0.W', got {type_name(name)} {name!r}")
            if name in merged:
                raise ValueError(f"functional_call: {name!r} is given in two of the dicts")
            merged[name] = value
    return merged


def _replacements(module: Module, given: dict[str, Any], strict: bool) -> dict[int, Any]:
    """id(own parameter or buffer) -> what takes its place, every name and value checked first."""
    own: dict[str, Any] = dict(_parameters(module, ""))  # every name of a tied parameter
    own.update(module.named_buffers())
    unknown = [name for name in given if name not in own]
    if unknown:
        raise KeyError(
            f"functional_call: the module has no parameter or buffer {_few(unknown)}; it has {_few(list(own))}"
        )
    covered = {id(own[name]) for name in given}  # a tied parameter is given by any of its names (torch's too)
    if strict and (missing := [name for name, value in own.items() if id(value) not in covered]):
        raise KeyError(f"functional_call: strict=True, and {_few(missing)} not given")
    table: dict[int, Any] = {}
    names: dict[int, str] = {}
    for name, value in given.items():
        old = own[name]
        _check(name, old, value)
        if id(old) in table and table[id(old)] is not value:  # tied: both names are one parameter
            raise ValueError(
                f"functional_call: {names[id(old)]!r} and {name!r} are one parameter (tied) but are given different "
                "values; give one of the names"
            )
        table[id(old)], names[id(old)] = value, name
    return table


def _check(name: str, old: Any, value: Any) -> None:
    """`value` of the kind and shape of `old` (a Tensor's, a Value's or a buffer's place)."""
    if isinstance(old, Value):
        if not isinstance(value, Value):
            raise TypeError(f"functional_call: {name!r} is a Value parameter; give a Value, got {type_name(value)}")
        return
    wanted = Tensor if isinstance(old, Tensor) else np.ndarray
    if not isinstance(value, wanted):
        kind = "a Tensor" if wanted is Tensor else "an array (a buffer)"
        raise TypeError(f"functional_call: {name!r} takes {kind}, got {type_name(value)}")
    if value.shape != old.shape:
        raise ValueError(f"functional_call: {name!r} has shape {old.shape}, given {value.shape}")


def _replaced(value: Any, table: dict[int, Any], undo: list[Undo], seen: set[int]) -> Any:
    """`value` with what the table replaces put in: the replacement itself, a list or dict changed in place
    (its undo logged; each once: `seen`, so that a replacement that is another of the module's own is not
    replaced again), a tuple made anew; modules are not looked into (each is walked on its own)."""
    if id(value) in table and (isinstance(value, Node | np.ndarray)):
        return table[id(value)]
    if isinstance(value, list | dict):
        if id(value) in seen:
            return value
        seen.add(id(value))
    if isinstance(value, list):
        for i, item in enumerate(value):
            new = _replaced(item, table, undo, seen)
            if new is not item:
                undo.append(_setter(value, i, item))
                value[i] = new
    elif isinstance(value, dict):
        for key, item in list(value.items()):
            new = _replaced(item, table, undo, seen)
            if new is not item:
                undo.append(_setter(value, key, item))
                value[key] = new
    elif isinstance(value, tuple):
        items = [_replaced(item, table, undo, seen) for item in value]
        if any(new is not item for new, item in zip(items, value)):
            return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value


def _setter(holder: Any, key: Any, value: Any) -> Undo:
    """What puts `value` back at `key` of `holder` (a module's attribute, a list's index, a dict's key)."""
    if isinstance(holder, Module):
        return lambda: object.__setattr__(holder, key, value)
    return lambda: holder.__setitem__(key, value)


def _few(names: list[str], shown: int = 8) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(repr(n) for n in names[:shown]) + more
