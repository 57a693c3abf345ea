"""What a compiled step's recordings are keyed by: each call's inputs by shape and dtype, its parameters
by identity, every other argument by value (a float by its bits), and the call's structure; and which
inputs share an array. An argument only its id could tell from another is named, for an eager run."""

from __future__ import annotations

import dataclasses
import enum
import functools
import random
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from .compile_exact_numbers import bits, number_bits
from .compile_hooks import replays_itself
from .tensor_class import Tensor
from .trees import flatten
from .value import Value


def read_call(args: tuple, kwargs: dict) -> tuple[tuple, list[Any], list[int], Any, list[Any], Callable[..., Any]]:
    """(key, datas, dynamic, unknown, leaves, rebuild) of a call: its recordings' key (`structure`, each
    leaf's `key_of`, `sharing` of two inputs or more), its inputs' arrays and their places among its
    leaves, its first `unknowable` leaf (None if none: then the rest is read), its leaves and what
    rebuilds the call from them (flatten). One pass over the leaves; a call of leaves alone (`run(x, y)`,
    the common one) walks no containers."""
    if not kwargs:
        read = _read(args, len(args))  # len(args): `structure` of a call of leaves alone
        if read is not None:
            return (*read, list(args), _as_args)
    leaves, rebuild = flatten((args, kwargs))
    odd: list[Any] = []
    shape = structure(args, kwargs, odd)
    if odd:  # a container whose attributes are not known by value: as an argument of an unknowable type
        return (), [], [], odd[0], leaves, rebuild
    return (*_read(leaves, shape), leaves, rebuild)  # type: ignore[misc]


def _read(leaves: Any, shape: Any) -> tuple[tuple, list[Any], list[int], Any] | None:
    """read_call's pass over the leaves (None at a container: the call is not made of leaves alone)."""
    key, datas, dynamic = [shape], [], []
    for k, x in enumerate(leaves):
        cls = x.__class__
        if cls is np.ndarray or (cls is Tensor and not x._requires_grad):  # is_input and key_of, inline
            data = x if cls is np.ndarray else x._data
            key.append(_input_key(cls, data))
        elif isinstance(x, dict | list | tuple):
            return None
        elif unknowable(x):
            return (), [], [], x
        else:
            key.append(key_of(x))
            if not is_input(x):
                continue
            data = data_of(x)
        datas.append(data)
        dynamic.append(k)
    if len(datas) > 1:
        key.append(sharing(datas))
    return tuple(key), datas, dynamic, None


def _as_args(leaves: list[Any]) -> tuple[tuple, dict]:
    return tuple(leaves), {}


def sharing(datas: list[np.ndarray]) -> tuple[int, ...]:
    """Which inputs are the same array (`f(a, a)`), as the first input each is: a tape knows its
    inputs by their arrays, so a call that shares them records a tape of its own. () when none do."""
    ids = [id(d) for d in datas]
    if len(set(ids)) == len(ids):
        return ()
    return tuple(ids.index(i) for i in ids)


def is_input(x: Any) -> bool:
    """Data that is new on each call: arrays, and Tensors that require no gradient (a Tensor that
    does is a parameter, read in place and known by its identity)."""
    return isinstance(x, np.ndarray) or (isinstance(x, Tensor) and not x.requires_grad)


def key_of(x: Any) -> tuple:
    """What a call's leaf must equal for a recording to be replayed: an input's shape and dtype, a
    parameter itself, else the value, a float by its bits (-0.0 is not 0.0, and a NaN is a NaN; a complex's parts,
    a numpy number's every bit, a Decimal's digits and exponent likewise), and
    what a frozen dataclass or a tuple holds by the same rules, however deep (a Value by its number,
    which a step can only read: its identity would let `v.data = 2.0` between calls go unseen)."""
    if is_input(x):
        return _input_key(type(x), data_of(x))
    if isinstance(x, Tensor):
        return ("parameter", id(x), x.shape, x.dtype)  # held in the key: its id is never another's
    if isinstance(x, float | complex | np.number):  # -0.0 == 0.0, -0j == 0j
        return (type(x).__name__, number_bits(x))
    if isinstance(x, Decimal):  # Decimal("-0") == 0, Decimal("1.0") == Decimal("1.00")
        return ("Decimal", x.as_tuple())
    if isinstance(x, Value):  # equal only to itself, but its number is what a step reads: known by that
        return ("Value", bits(x.data))
    parts = _parts(x)
    if parts is not None:
        return (type(x), *map(key_of, parts))
    return (type(x).__name__, x)


def _input_key(kind: type, data: np.ndarray) -> tuple:
    """An input's key: its kind, shape, dtype and whether it is C-contiguous (a replay's buffers are)."""
    return (kind.__name__, data.shape, data.dtype, data.flags.c_contiguous)


def unknowable(x: Any) -> bool:
    """A leaf only its id would tell from another, whose settings the step may read as Python numbers
    that a replay would take as recorded: one that is not hashable (a dataclass of settings), or an
    object equal only to itself (a plain class's instance, its fields changed between calls), or a
    frozen dataclass or tuple holding one. Known by identity, rightly: functions, models and losses
    (nn's modules: a `forward` and `parameters`), optimizers and schedulers (a `replayed` method acts
    on their state anew each replay), random generators, enum members, classes."""
    if is_input(x) or isinstance(x, Tensor):
        return False
    try:
        hash(x)
    except TypeError:
        return True
    parts = _parts(x)
    if parts is not None:
        return any(map(unknowable, parts))
    if x is None or x is Ellipsis or type(x).__eq__ is not object.__eq__ or isinstance(x, IDENTIFIED):
        return False
    return not replays_itself(type(x)) and not (hasattr(x, "forward") and hasattr(x, "parameters"))


IDENTIFIED = (  # objects rightly known by identity: what they do does not depend on settings read as numbers
    type,
    enum.Enum,
    np.random.Generator,
    np.random.RandomState,
    random.Random,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    functools.partial,
)


def _parts(x: Any) -> tuple | None:
    """What a frozen dataclass or a tuple (in a dataclass: the call's own tuples are walked) holds."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return tuple(getattr(x, f.name) for f in dataclasses.fields(x))
    return tuple(x) if isinstance(x, tuple) else None


def structure(args: tuple, kwargs: dict, odd: list[Any] | None = None) -> Any:
    """The call's shape around its leaves: the containers' types and dict keys, so that [x] and (x,),
    or {"a": x} and {"b": x}, are not one call (the step may branch on them), and a subclass's attributes by value
    (`batch.scale`, which the step may read; `key_of`). A container with an attribute known by no value (an array,
    a Tensor, an object: `unknowable`) is put in `odd`."""
    if not kwargs and not any(isinstance(x, dict | list | tuple) for x in args):
        return len(args)

    def of(node: Any) -> Any:
        if isinstance(node, dict | list | tuple):
            # plain ones and namedtuples have no attributes: no call
            extra = () if node.__class__ in _PLAIN_CONTAINERS or not getattr(node, "__dict__", None) else held(node)
            if isinstance(node, dict):
                return (type(node), *extra, tuple((k, of(v)) for k, v in dict.items(node)))  # trees.flatten's order
            return (type(node), *extra, tuple(of(v) for v in node))
        return None

    def held(node: Any) -> tuple:
        attributes = node.__dict__
        if attributes is node:  # a dict with attribute access (`self.__dict__ = self`): its items are walked
            return ()
        if odd is not None and any(is_input(v) or isinstance(v, Tensor) or unknowable(v) for v in attributes.values()):
            odd.append(node)
        return (tuple((name, key_of(v)) for name, v in attributes.items()),)

    return of((args, kwargs))


_PLAIN_CONTAINERS = (dict, list, tuple)


def data_of(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else x
