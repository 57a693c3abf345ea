"""numpy on Values, a mixin of Value: its ufuncs (NEP 13) and functions (NEP 18) answered by chainrule's
ops, and the methods numpy's loops over arrays of objects call by name.

What chainrule has no op of for a Value raises a TypeError (MixedNodes, so that a transform tracing a
number runs f again with it as a 0-d Tensor, on which numpy's functions are chainrule's): numpy would
otherwise compute on an array of objects, comparing the Values (NaN lost, a tie's gradient not split,
`np.clip` returning a plain int) or dropping the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .graph_errors import MixedNodes
from .numpy_inspections import INSPECTIONS
from .numpy_ufuncs import OPERATORS, VALUE_HINT, apply_to_values

# the ufuncs whose loop over an array of objects calls each element's method of their name (numpy 2),
# less those a Value has under that name (`exp`): np.arcsin(values_array) calls v.arcsin()
OBJECT_LOOP_METHODS = (
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctanh",
    "cbrt",
    "deg2rad",
    "degrees",
    "fabs",
    "logical_xor",
    "rad2deg",
    "radians",
    "rint",
)
# how to write what numpy's function did, where chainrule has no op of it for a Value
ADVICE = {
    np.clip: "autograd.minimum(autograd.maximum(x, lo), hi) (half the gradient at a bound, where Tensor.clip, "
    "as torch.clamp, passes all of it) or x.hardtanh(lo, hi) (none at a bound)",
    np.where: "x if cond else y",
}


class ValueNumpy:
    """`np.exp(v)`, `np.maximum(v, 0.0)`, `np.sum(v)`, `np.round(v)`: the op of that meaning."""

    __slots__ = ()
    data: Any
    floor: Callable[[], Any]
    ceil: Callable[[], Any]
    trunc: Callable[[], Any]

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        operator = OPERATORS.get(ufunc.__name__)
        if operator is not None and not hasattr(type(self), f"__{operator}__"):  # np.matmul: a Value has no @
            raise MixedNodes(  # as a function chainrule has none of: a transform traces the number as a 0-d Tensor
                f"np.{ufunc.__name__} is not supported on Values: a Value is one number, with no __{operator}__ "
                f"(numpy refuses it of a number too). {VALUE_HINT}"
            )
        return apply_to_values(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not all(issubclass(t, ValueNumpy | np.ndarray) for t in types):
            return NotImplemented  # another library's array is involved: let it answer (NEP 18)
        if func in INSPECTIONS:  # np.shape, np.isclose: of the number, with no gradient to lose
            return func(*(_data(a) for a in args), **{k: _data(v) for k, v in kwargs.items()})
        if func in VALUE_FUNCTIONS:
            return VALUE_FUNCTIONS[func](*args, **kwargs)
        name = f"{func.__module__.removeprefix('numpy').strip('.')}.{func.__name__}".lstrip(".")
        advice = f" For a Value write {ADVICE[func]}." if func in ADVICE else ""
        raise MixedNodes(
            f"np.{name} is not supported on Values: chainrule has no op of it for a Value, and numpy would compute "
            f"it on an array of objects, comparing the Values (NaN lost, a tie's gradient not split) or dropping "
            f"the gradient.{advice} {VALUE_HINT}"
        )

    # np.floor, np.ceil and np.trunc of an array of objects call math.floor, math.ceil and math.trunc
    def __floor__(self) -> Any:
        return self.floor()

    def __ceil__(self) -> Any:
        return self.ceil()

    def __trunc__(self) -> Any:
        return self.trunc()


def _data(x: Any) -> Any:
    return x.data if isinstance(x, ValueNumpy) else x


def _object_loop_method(ufunc: np.ufunc) -> Callable[..., Any]:
    def method(self: ValueNumpy, *others: Any) -> Any:
        return apply_to_values(ufunc, "__call__", (self, *others), {})

    method.__name__ = ufunc.__name__
    method.__doc__ = f"np.{ufunc.__name__} of the Value (numpy's loop over an array of objects calls it)."
    return method


for _name in OBJECT_LOOP_METHODS:
    setattr(ValueNumpy, _name, _object_loop_method(getattr(np, _name)))


def _the_number(func: Any) -> Callable[..., Any]:
    """np.sum, np.max, np.mean... of one number: that number, as a new node (numpy's result is a new
    scalar too). Only the whole, axis=None or (), is a Value's; keepdims changes nothing on 0 dims."""

    def reduce(a: Any, axis: Any = None, *rest: Any, keepdims: Any = None, **options: Any) -> Any:
        given = [f"{v!r}" for v in rest if v is not None] + [
            f"{k}={v!r}" for k, v in options.items() if v is not None and v is not np._NoValue and v is not False
        ]
        if not isinstance(a, ValueNumpy) or (axis is not None and axis != ()) or given:
            got = ", ".join([f"axis={axis!r}"] * (axis is not None) + given)
            raise TypeError(
                f"np.{func.__name__} of a Value takes the Value alone (axis=None), as it is one number; got {got}. "
                f"{VALUE_HINT}"
            )
        return a * 1

    return reduce


def _round(a: Any, decimals: int = 0, out: Any = None) -> Any:
    if out is not None or decimals != 0:
        raise TypeError(
            f"np.round(x, decimals={decimals}{', out=...' if out is not None else ''}) of a Value: write "
            f"(x * 10**d).round() / 10**d, and assign the result. {VALUE_HINT}"
        )
    return a.round()


def _nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Any:
    if copy is not True:
        raise TypeError(
            f"np.nan_to_num(x, copy=False) of a Value: a Value's number is not changed in place. {VALUE_HINT}"
        )
    return x.nan_to_num(nan=nan, posinf=posinf, neginf=neginf)


VALUE_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {
    **{f: _the_number(f) for f in (np.sum, np.prod, np.max, np.amax, np.min, np.amin, np.mean, np.median)},
    np.round: _round,
    np.around: _round,
    np.nan_to_num: _nan_to_num,
}
