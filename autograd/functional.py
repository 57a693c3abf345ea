"""`grad`: the gradient of a function as a function, nestable for higher derivatives."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from . import modes
from .graph import Node, gradients, raw
from .modes import enable_grad
from .tensor import ShapeError, Tensor
from .value import Value


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """Return a function that computes d f / d args[argnums] for a scalar-valued `f`.

    Given plain numbers (or arrays) at the top level it returns plain numbers (or arrays). Inside
    another `grad` (while the outer one traces its function), or given nodes, it returns nodes
    with their own graph: so `grad(grad(f))` is the second derivative, and an inner function
    that uses the outer one's variable (`grad(lambda x: x * grad(lambda y: x * y)(2.0))`) is
    differentiated through that use too, as in JAX and HIPS autograd.
    Nothing's `.grad` is touched; `f` is traced even inside `no_grad`. A result that does not
    depend on the arguments has gradient zero.
    """
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def grad_f(*args: Any) -> Any:
        args = list(args)
        if any(i >= len(args) or i < -len(args) for i in positions):
            raise IndexError(f"grad: argnums={argnums} but the function was called with {len(args)} arguments")
        nested = modes.current.tracing > 0 or any(isinstance(args[i], Node) for i in positions)
        for i in positions:
            if isinstance(args[i], np.ndarray):
                args[i] = Tensor(args[i], requires_grad=True)
            elif not isinstance(args[i], Node):
                args[i] = Value(args[i])
        wrt = [args[i] for i in positions]
        with enable_grad(), modes.tracing():  # differentiating needs the graph, even inside no_grad
            out = f(*args)
            if _depends(out):
                result = gradients(out, wrt, create_graph=nested)
            else:  # f's result is a constant: no path from the arguments to it
                _check_scalar(out)
                result = [x._zero_like(x) for x in wrt]
        if not nested:
            result = [r.data if isinstance(r, Node) else r for r in result]
        return result[0] if single else tuple(result)

    grad_f.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    grad_f.__doc__ = f"The gradient of {getattr(f, '__name__', 'f')} with respect to argument(s) {argnums}."
    return grad_f


def _depends(out: Any) -> bool:
    """Whether a graph was recorded for `out` (not a number, nor a constant node)."""
    return isinstance(out, Node) and not out.is_constant


def _check_scalar(out: Any) -> None:
    data = raw(out)
    if not isinstance(data, numbers.Real | np.ndarray | np.generic):
        raise TypeError(f"grad: the function must return a number, Value or Tensor, got {type(out).__name__}")
    if np.size(data) != 1:
        raise ShapeError(
            f"grad: the function must return one number, got shape {np.shape(data)}; reduce it first (.sum(), .mean())"
        )
