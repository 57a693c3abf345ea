"""Gradients as functions: `grad`, `value_and_grad` and `elementwise_grad`, nestable for higher
derivatives. Jacobians, Hessians and vector products are in `autograd.transforms`; what they all
share (lifting the arguments, tracing f, pulling cotangents back) is in `autograd.tracing`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import raw
from .modes import flag, require_callable
from .tensor_ops import ShapeError
from .tracing import Trace, named, ones_like, trace
from .tracing_checks import Argnums, check_argnums


def grad(f: Callable[..., Any], argnums: Argnums = 0, *, has_aux: bool = False) -> Callable[..., Any]:
    """Return a function that computes d f / d args[argnums] for a scalar-valued `f`.

    `argnums` is an int (one gradient) or a tuple of ints (a tuple of gradients). An argument may be
    a number, an array, a Value, a Tensor, or a list, tuple or dict of them: its gradient has the
    same structure. Keyword arguments go to f as they are, never differentiated. With
    `has_aux=True`, f returns (output, aux) and the function returns (gradient, aux), as in JAX.

    Given plain numbers (or arrays) at the top level it returns plain numbers (or arrays). Inside
    another transform (while the outer one traces its function), or given nodes, it returns nodes
    with their own graph: so `grad(grad(f))` is the second derivative, and an inner function
    that uses the outer one's variable (`grad(lambda x: x * grad(lambda y: x * y)(2.0))`) is
    differentiated through that use too, as in JAX and HIPS autograd.
    Nothing's `.grad` is touched; `f` is traced even inside `no_grad`, where the answer is data (a
    constant, to an outer transform too, as torch.func's). A result that does not
    depend on the arguments has gradient zero. A number is traced as a Value; if f combines it
    with tensors (`autograd.stack([x, 2 * x])`), f runs again with it as a 0-d Tensor.
    """
    has_aux = check_function(f, "grad", has_aux)
    return named(grad_named(f, argnums, has_aux, "grad"), "grad", "gradient", f, argnums)


def grad_named(f: Callable[..., Any], argnums: Argnums, has_aux: bool, transform: str) -> Callable[..., Any]:
    """grad's work, its messages naming `transform` (hvp's, whose work it is too)."""
    value_and_grad_f = _value_and_grad(f, argnums, has_aux, transform)

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        value, gradient = value_and_grad_f(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return grad_f


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0, *, has_aux: bool = False) -> Callable[..., Any]:
    """Like `grad`, but the function returns (f's value, gradient) from one evaluation of f; with
    `has_aux=True`, ((value, aux), gradient), as in JAX."""
    return _value_and_grad(f, argnums, has_aux, "value_and_grad")


def _value_and_grad(f: Callable[..., Any], argnums: Argnums, has_aux: bool, transform: str) -> Callable[..., Any]:
    """value_and_grad, named `transform` in its error messages."""
    has_aux = check_function(f, transform, has_aux)
    positions, single = check_argnums(argnums, transform)

    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        t = trace(f, args, kwargs, positions, single, has_aux, transform)
        (out,) = _scalar_output(t, transform)
        gradient = t.answer(t.pull([out], [ones_like(out)]))
        value = t.output(out)
        return ((value, t.output(t.aux, aux=True)) if has_aux else value), gradient

    return named(value_and_grad_f, transform, "value and gradient", f, argnums)


def elementwise_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """Return a function that computes the gradient of sum(f(x)) (HIPS autograd's elementwise_grad).

    For an elementwise f (each output element depends on the input element at its place) this is
    the derivative of f at every element at once, in one backward pass: `elementwise_grad(tanh)(xs)`
    is 1 - tanh(xs)**2. For any other f it is still the gradient of the sum, not a Jacobian's diagonal.
    """
    check_function(f, "elementwise_grad")
    positions, single = check_argnums(argnums, "elementwise_grad")

    def elementwise_grad_f(*args: Any, **kwargs: Any) -> Any:
        t = trace(f, args, kwargs, positions, single, False, "elementwise_grad")
        return t.answer(t.pull(t.outs, [ones_like(out) for out in t.outs]))

    return named(elementwise_grad_f, "elementwise_grad", "gradient of the sum", f, argnums)


def check_function(f: Any, transform: str, has_aux: Any = False) -> bool:
    """A transform's arguments checked when it is made, not at its first call: f callable, and has_aux
    True or False (0 or "no" would be read by their truth). Returns has_aux as a bool."""
    require_callable(f, f"{transform}: f")
    return flag(has_aux, f"{transform}: has_aux")


def _scalar_output(t: Trace, transform: str) -> list[Any]:
    """f's output, refused unless it is one number (a Value, a Tensor or an array of one element)."""
    if len(t.outs) != 1:
        raise TypeError(
            f"{transform}: the function must return one number, got {len(t.outs)} in a "
            f"{type(t.rebuild_out(t.outs)).__name__}; use jacobian or vjp for several outputs"
        )
    if np.size(raw(t.outs[0])) != 1:
        raise ShapeError(
            f"{transform}: the function must return one number, got shape {np.shape(raw(t.outs[0]))}; "
            "reduce it first (.sum(), .mean()), or use jacobian or elementwise_grad"
        )
    return t.outs
