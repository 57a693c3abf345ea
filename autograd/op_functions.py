"""The ops as functions of any engine's input: `function("exp")` is one function for numbers, Values,
arrays and Tensors, which picks the engine by its arguments (`engine_of`), and `tensor_op("sum_to")` the
tensor engine's op. `scalar_ops` and `tensor_ops` build their engines' ops from the op table and register
them here (`_ENGINES`), which is how these find them; rules are written with them (op_def re-exports them).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .dtypes import DATA_KINDS
from .graph import Node
from .modes import is_number, short
from .type_names import type_name

_ENGINES: dict[str, dict[str, Any]] = {"scalar": {}, "tensor": {}}  # filled by scalar_ops and tensor_ops


def engine_of(*xs: Any) -> str:
    """The engine of a call on xs: 'tensor' if any is an array or a Tensor (a node with a shape), or a
    numpy scalar beside no Value (what numpy's arithmetic on a 0-d tensor's data gives: math would
    raise where the tensor engine gives NaN, as for the same entry of a larger tensor); else 'scalar'
    (Python's numbers and Values)."""
    numpy_scalar = value = False
    for x in xs:
        if x.__class__ is float or x.__class__ is int:
            continue
        if isinstance(x, np.ndarray):
            return "tensor"
        if isinstance(x, Node):
            if hasattr(x, "shape"):
                return "tensor"
            value = True
        elif isinstance(x, np.generic):
            numpy_scalar = True
    return "tensor" if numpy_scalar and not value else "scalar"


def checked_engine(name: str, xs: Sequence[Any]) -> str:
    """engine_of(*xs) for a user's call of op `name`, each input checked to be what an op takes: a node,
    a real number (Python's or numpy's) or an array of real numbers; a list too beside an array or a
    Tensor, which take it as `t + [1, 2]` does (Tensor() then refuses what it refuses). Anything else
    is one TypeError naming the op and the value, as Value and Tensor give it: None, text or a list
    elsewhere would fail inside math or numpy in their words, and a complex number or array would
    come out complex or, through math, as its real part alone (tanh(np.complex128(1j)) is 0.0)."""
    lists = []
    for x in xs:
        if x.__class__ is float or x.__class__ is int or isinstance(x, Node):
            continue
        if isinstance(x, list | tuple):
            lists.append(x)
        elif isinstance(x, np.ndarray | np.generic):
            if x.dtype.kind not in DATA_KINDS:
                raise _not_a_real_input(name, x)
        elif not is_number(x):
            raise _not_a_real_input(name, x)
    engine = engine_of(*xs)
    if lists and engine != "tensor":
        raise _not_a_real_input(name, lists[0])
    return engine


def _not_a_real_input(name: str, x: Any) -> TypeError:
    """The one error of a function of the table given what it does not take, naming it and the value."""
    shown = f"of dtype {x.dtype}" if isinstance(x, np.ndarray) else short(x)
    hint = ": for an array of them give np.array(...) or a Tensor" if isinstance(x, list | tuple) else ""
    return TypeError(
        f"{name} takes real numbers (a number, a Value, an array or a Tensor), got {type_name(x)} {shown}{hint}"
    )


@functools.cache
def function(
    name: str, parameters: Callable[..., dict[str, Any]] | None = None, arity: int | None = None
) -> Callable[..., Any]:
    """The op `name` as one function for numbers, Values, arrays and Tensors: the scalar op (math)
    or the tensor op (numpy) by its arguments (a number beside a node is a constant). Rules use
    these, and they are `autograd.exp`, `autograd.maximum`, ..., so a user's rule written with them
    works in every mode too. With `parameters` (an op with keyword parameters: `OpDef.parameters`),
    the first argument is the input and the rest are its parameters (`leaky_relu(x, 0.2)`). With
    `arity`, another number of inputs is a TypeError (numpy would take a second array as `out=`)."""
    if parameters is None:

        def apply(*xs: Any) -> Any:
            if arity is None:  # a rule's own call, on the engine's data: already what an op takes
                return _ENGINES[engine_of(*xs)][name](*xs)
            if len(xs) != arity:
                raise TypeError(f"{name} takes {arity} input{'s' * (arity > 1)}, got {len(xs)}")
            return _ENGINES[checked_engine(name, xs)][name](*xs)

    else:

        def apply(x: Any, *args: Any, **given: Any) -> Any:
            return _ENGINES[checked_engine(name, (x,))][name](x, **parameters(args, given))

        # what inspect.signature, help() and nn's activation layers read: `leaky_relu(x, /, negative_slope=0.01)`
        apply.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter("x", inspect.Parameter.POSITIONAL_ONLY),
                *(
                    inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=v)
                    for k, v in parameters.__self__.params.items()  # type: ignore[attr-defined]: OpDef.parameters
                ),
            ]
        )

    return _named(apply, name)


def _named(apply: Callable[..., Any], name: str) -> Callable[..., Any]:
    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name} of a number, Value, array or Tensor (differentiable on Values and Tensors)."
    return apply


cos, sin, log, sigmoid = function("cos"), function("sin"), function("log"), function("sigmoid")


def tensor_op(name: str) -> Callable[..., Any]:
    """The tensor engine's op `name`, looked up when called: tensor-only rules call other ops
    (a reduction's rule broadcasts) that tensor_ops builds from the table after it is read."""
    return lambda *xs, **params: _ENGINES["tensor"][name](*xs, **params)
