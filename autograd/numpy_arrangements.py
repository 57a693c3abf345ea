"""numpy's functions that chainrule has as Tensor methods of the same meaning (diagonals and
triangles, outer and tensordot products, tile, roll, pad, sort, take_along_axis, quantile and median), taking
numpy's arguments: merged
into numpy_functions.IMPLEMENTATIONS, so that `np.trace(t)` differentiates. `np.repeat` and `np.split`
are not among them: chainrule's methods of those names are PyTorch's, of other meanings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .numpy_ufuncs import _HINT
from .shape_args import is_int


def _tensor(x: Any) -> Any:
    from .tensor_class import operand  # imported by tensor_class.py, through numpy_functions

    return operand(x)


def _no_out(name: str, out: Any, dtype: Any = None) -> None:
    if out is not None or dtype is not None:
        raise TypeError(f"np.{name} on a Tensor does not take out= or dtype=. {_HINT}")


def _ints(name: str, **given: Any) -> None:
    for what, value in given.items():
        if not is_int(value):
            raise TypeError(f"np.{name}: {what} must be an int, got {value!r}")


def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _no_out("trace", out, dtype)
    _ints("trace", offset=offset)
    return _tensor(a).trace(offset, axis1, axis2)


def _diagonal_of(name: str, method: str) -> Callable[..., Any]:
    """np.diag, np.triu, np.tril: the Tensor method, k (the diagonal) an int, as numpy requires."""

    def function(v, k=0):
        _ints(name, k=k)
        return getattr(_tensor(v), method)(k)

    return function


def _outer(a, b, out=None):
    _no_out("outer", out)
    return _tensor(a).outer(b)


def _pad(array, pad_width, mode="constant", **kwargs):
    """numpy's pad_width read numpy's way: an int, one pair for every dim, or a pair per dim (a flat
    pair is PyTorch's last dim in autograd.pad, so it is spelled out per dim here)."""
    value = kwargs.pop("constant_values", 0)
    if mode != "constant" or kwargs:
        raise TypeError(f"np.pad on a Tensor takes mode='constant' and constant_values= only. {_HINT}")
    t = _tensor(array)
    if np.asarray(pad_width).dtype.kind not in "iu":
        raise TypeError(f"np.pad: pad_width must be of integral type, got {pad_width!r}")
    widths = np.broadcast_to(np.asarray(pad_width), (t.ndim, 2))  # numpy's own reading of pad_width
    return _shape_functions().pad(t, tuple((int(b), int(a)) for b, a in widths), value=value)


def _sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """np.sort: the values of Tensor.sort (stable, whatever `kind` asks); axis=None sorts the flattened tensor."""
    if order is not None:
        raise TypeError(f"np.sort on a Tensor does not take order= (it sorts structured arrays). {_HINT}")
    t = _tensor(a)
    if axis is not None and t.ndim == 0:  # numpy's: a 0-d array has no axis to sort along (PyTorch's sort takes it)
        raise np.exceptions.AxisError(f"np.sort: axis {axis} is out of bounds for a 0-d tensor: give axis=None")
    return (t.flatten() if axis is None else t).sort(-1 if axis is None else axis).values


def _quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, **kwargs):
    """np.quantile: Tensor.quantile, whose five interpolations are numpy's methods of those names."""
    _no_out("quantile", out)
    if kwargs.get("weights") is not None or kwargs.get("interpolation") is not None:
        raise TypeError(f"np.quantile on a Tensor takes method= and no weights= (interpolation= is method=). {_HINT}")
    return _tensor(a).quantile(q, axis, keepdims, interpolation=method)


def _median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """np.median: the mean of the two middle entries where there are two (Tensor.quantile(0.5), numpy's), not the
    lower one of Tensor.median (PyTorch's)."""
    return _quantile(a, 0.5, axis, out, keepdims=keepdims)


FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {
    np.trace: _trace,
    np.outer: _outer,
    np.pad: _pad,
    np.diag: _diagonal_of("diag", "diag"),
    np.triu: _diagonal_of("triu", "triu"),
    np.tril: _diagonal_of("tril", "tril"),
    np.roll: lambda a, shift, axis=None: _tensor(a).roll(shift, axis),
    np.tile: lambda A, reps: _tensor(A).tile(reps),
    np.sort: _sort,
    np.tensordot: lambda a, b, axes=2: _shape_functions().tensordot(a, b, axes=axes),
    np.take_along_axis: lambda arr, indices, axis=-1: _shape_functions().take_along_axis(arr, indices, axis),
    np.quantile: _quantile,
    np.median: _median,
}


def _shape_functions() -> Any:
    from . import shape_functions  # it imports tensor_class.py, which imports this module

    return shape_functions
