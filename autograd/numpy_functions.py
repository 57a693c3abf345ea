"""numpy's functions on Tensors (`np.sum(t)`, `np.reshape(t, s)`, `np.concatenate([t, u])`,
`np.where(c, t, 0)`): each is chainrule's differentiable op, taking numpy's arguments, so
numpy-style code differentiates. Inspections (`np.shape`, `np.allclose`, `np.argmax`) run on the
data: their results carry no gradient.

Arguments numpy has and chainrule does not (`out=`, `dtype=`, `where=`, `initial=`, an `order`
other than "C"), and functions not listed here, raise a TypeError naming them, never a silent
conversion of the Tensor to an array, which would drop its gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .modes import flag
from .numpy_arrangements import FUNCTIONS as ARRANGEMENTS
from .numpy_inspections import INSPECTIONS, _package
from .numpy_ufuncs import _HINT, _operator
from .ordered import check_ordered
from .shape_args import dims, is_int

IMPLEMENTATIONS: dict[Callable[..., Any], Callable[..., Any]] = {**INSPECTIONS, **ARRANGEMENTS}


def _implements(*functions: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        IMPLEMENTATIONS.update(dict.fromkeys(functions, impl))
        return impl

    return register


def _refuse(name: str, **given: Any) -> None:
    """A TypeError for numpy arguments chainrule does not take (those given other than their default)."""
    bad = sorted(k for k, v in given.items() if v is not None and v is not np._NoValue)
    if bad:
        raise TypeError(f"np.{name} on a Tensor does not take {', '.join(b + '=' for b in bad)}. {_HINT}")


def _keep(keepdims: Any) -> bool:
    return False if keepdims is np._NoValue else flag(keepdims, "keepdims")


def apply_function(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    impl = IMPLEMENTATIONS.get(func)
    if impl is None:
        name = f"{func.__module__.removeprefix('numpy').strip('.') + '.' if func.__module__ != 'numpy' else ''}"
        raise TypeError(
            f"np.{name}{func.__name__} is not supported on Tensors: it has no chainrule op to differentiate it. {_HINT}"
        )
    return impl(*args, **kwargs)


# ---- reductions: Tensor's methods ----


def _with_dtype(method: str) -> Callable[..., Any]:
    """np.sum-like functions: (a, axis, dtype, out, keepdims, ...)."""

    def reduce(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, initial=np._NoValue, where=np._NoValue):
        _refuse(method, dtype=dtype, out=out, initial=initial, where=where)
        return getattr(_tensor(a), method)(axis=axis, keepdims=_keep(keepdims))

    return reduce


def _without_dtype(method: str) -> Callable[..., Any]:
    """np.max-like functions: (a, axis, out, keepdims, ...)."""

    def reduce(a, axis=None, out=None, keepdims=np._NoValue, initial=np._NoValue, where=np._NoValue):
        _refuse(method, out=out, initial=initial, where=where)
        return getattr(_tensor(a), method)(axis=axis, keepdims=_keep(keepdims))

    return reduce


def _moment_of(method: str) -> Callable[..., Any]:
    def moment(a, axis=None, dtype=None, out=None, ddof=None, keepdims=np._NoValue, *, where=np._NoValue, **more):
        _refuse(method, dtype=dtype, out=out, where=where, mean=more.pop("mean", None))
        correction = more.pop("correction", None)
        _refuse(method, **more)
        return getattr(_tensor(a), method)(axis=axis, ddof=ddof, correction=correction, keepdims=_keep(keepdims))

    return moment


def _running(method: str) -> Callable[..., Any]:
    def running(a, axis=None, dtype=None, out=None):
        _refuse(method, dtype=dtype, out=out)
        return getattr(_tensor(a), method)(axis=axis)

    return running


def _arg(method: str) -> Callable[..., Any]:
    def arg(a, axis=None, out=None, *, keepdims=np._NoValue):
        _refuse(method, out=out)
        return getattr(_tensor(a), method)(axis=axis, keepdims=_keep(keepdims))

    return arg


IMPLEMENTATIONS.update(
    {
        **{getattr(np, name): _with_dtype(name) for name in ("sum", "mean", "prod")},
        **{fn: _without_dtype(name) for fn, name in ((np.max, "max"), (np.amax, "max"), (np.min, "min"))},
        **{fn: _without_dtype(name) for fn, name in ((np.amin, "min"), (np.any, "any"), (np.all, "all"))},
        **{getattr(np, name): _moment_of(name) for name in ("var", "std")},
        **{getattr(np, name): _running(name) for name in ("cumsum", "cumprod")},
        **{getattr(np, name): _arg(name) for name in ("argmax", "argmin")},
    }
)


@_implements(np.linalg.norm)
def _norm(x, ord=None, axis=None, keepdims=False):
    t = _tensor(x)
    if ord == "fro" and (t.ndim != 2 if axis is None else is_int(axis) or len(axis) != 2):
        raise ValueError("np.linalg.norm: ord='fro' is the norm of a matrix (two axes), as numpy says")
    if ord not in (None, "fro") and not is_int(axis) and (t.ndim > 1 if axis is None else len(axis) > 1):
        raise TypeError(
            f"np.linalg.norm(x, ord={ord!r}) over two axes is a matrix norm, which chainrule does not have: "
            "t.norm(ord, axis) is the vector norm of the entries (np.linalg.vector_norm)"
        )
    return t.norm(2 if ord is None else ord, axis=axis, keepdims=keepdims)


@_implements(np.linalg.vector_norm)
def _vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    return _tensor(x).norm(ord, axis=axis, keepdims=keepdims)


# ---- shapes and combinations ----


@_implements(np.reshape)
def _reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    if order != "C":
        raise TypeError(f"np.reshape on a Tensor takes order='C' only, got {order!r}")
    return _tensor(a).reshape(shape if newshape is None else newshape)


@_implements(np.ravel)
def _ravel(a, order="C"):
    return _reshape(a, -1, order)


@_implements(np.transpose)
def _transpose(a, axes=None):
    return _tensor(a).transpose(axes)


@_implements(np.swapaxes)
def _swapaxes(a, axis1, axis2):
    return _tensor(a).swapaxes(axis1, axis2)


@_implements(np.expand_dims)
def _expand_dims(a, axis):
    t = _tensor(a)
    axes = (axis,) if is_int(axis) else tuple(axis)
    for d in sorted(dims(axes, t.ndim + len(axes), "np.expand_dims")):  # numpy: positions in the result, once each
        t = t.unsqueeze(d)
    return t


@_implements(np.squeeze)
def _squeeze(a, axis=None):
    t = _tensor(a)
    if axis is not None and t.ndim:  # numpy raises where t.squeeze(dim) leaves it, as PyTorch does
        for d in dims((axis,) if is_int(axis) else tuple(axis), t.ndim, "np.squeeze"):
            if t.shape[d] != 1:
                raise ValueError(f"np.squeeze: axis {d} of shape {t.shape} has length {t.shape[d]}, not 1")
    return t.squeeze(axis)


@_implements(np.flip)
def _flip(m, axis=None):
    t = _tensor(m)
    if axis is None:
        return t.flip()
    axes = (axis,) if is_int(axis) else tuple(axis)
    return t.flip(*axes) if axes else t[...]  # np.flip(a, ()) flips nothing (t.flip() would flip every dim)


@_implements(np.broadcast_to)
def _broadcast_to(array, shape, subok=False):
    return _tensor(array).broadcast_to(shape)


@_implements(np.concatenate)
def _concatenate(arrays, axis=0, out=None, *, dtype=None, casting=None):
    _refuse("concatenate", out=out, dtype=dtype, casting=casting)
    check_ordered("np.concatenate", "arrays", arrays)  # joined in its hashes' order; numpy's refuses a set too
    parts = [_tensor(x) for x in arrays]
    if axis is None:
        return _package().concatenate([p.reshape(-1) for p in parts], axis=0)
    return _package().concatenate(parts, axis=axis)


@_implements(np.stack)
def _stack(arrays, axis=0, out=None, *, dtype=None, casting=None):
    _refuse("stack", out=out, dtype=dtype, casting=casting)
    return _package().stack(list(arrays), axis=axis)


@_implements(np.where)
def _where(condition, x=None, y=None):
    if x is None and y is None:  # the indices where it holds: constants
        return np.nonzero(np.asarray(condition))
    if x is None or y is None:
        raise ValueError("np.where: either both or neither of x and y should be given (as numpy)")
    return _package().where(np.asarray(condition), x, y)


@_implements(np.clip)
def _clip(a, a_min=np._NoValue, a_max=np._NoValue, out=None, *, min=np._NoValue, max=np._NoValue):
    _refuse("clip", out=out)
    lo, hi = (
        None if v is np._NoValue else v
        for v in (a_min if min is np._NoValue else min, a_max if max is np._NoValue else max)
    )
    return _tensor(a).clip(lo, hi)


@_implements(np.nan_to_num)
def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    _refuse("nan_to_num", copy=None if copy is True else copy)  # copy=False: numpy's change in place
    return _tensor(x).nan_to_num(nan=nan, posinf=posinf, neginf=neginf)


@_implements(np.dot)
def _dot(a, b, out=None):
    _refuse("dot", out=out)
    a, b = _tensor(a), _tensor(b)  # a list as numpy takes it (a ragged one refused, named)
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        raise TypeError("np.dot of arrays of more than 2 dims is not matmul: use t @ u (np.matmul) or autograd.einsum")
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    return _operator("matmul", a, b)


@_implements(np.round, np.around)
def _round(a, decimals=0, out=None):
    _refuse("round", out=out)
    if decimals != 0:
        raise TypeError(f"np.round(t, decimals={decimals}) on a Tensor: write autograd.round(t * 10**d) / 10**d")
    return _package().round(a)


@_implements(np.copy)
def _copy(a, order="K", subok=False):
    return _tensor(a) * 1  # a new node on the same graph


@_implements(np.einsum)
def _einsum(*operands, **kwargs):
    _refuse("einsum", **{k: v for k, v in kwargs.items() if k != "optimize"})
    return _package().einsum(*operands)


def _tensor(x: Any) -> Any:
    from .tensor_class import operand  # numpy_functions is imported by tensor_class.py

    return operand(x)
