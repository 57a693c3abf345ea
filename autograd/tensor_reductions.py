"""Tensor's reductions and the softmax family (a mixin of Tensor): sum, mean, max, min, prod,
logsumexp, var, std, norm over axes, cumsum and cumprod along one, the constant argmax, argmin,
any and all, clip, softmax, log_softmax.

Every reduction takes numpy's spelling and PyTorch's: `axis=` or `dim=`, `keepdims=` or
`keepdim=` (giving both of a pair is a TypeError); max and min with `dim=` (one int) are PyTorch's,
giving (values, indices). var and std default to numpy's ddof=0 (the population variance);
PyTorch's default is correction=1: pass `ddof=1` or `correction=1` for it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from . import compile_read_hooks
from . import shape_args as args
from . import tensor_ops as ops
from .compile_record import RECORDING
from .dtype_fits import check_fits
from .graph import Node
from .modes import flag, is_number, is_real, short
from .op import Op
from .parameter_checks import require_meaningful
from .reduction_args import either, keep_dims, one_axis, over_entries, reduced_axes
from .subnormals import refuse_flushed
from .tensor_data import array_of, kept
from .tensor_ops import Axis
from .type_names import type_name
from .values_indices import own_entry, picked_along

_UNSET = object()  # an argument not given (None is one that is: PyTorch's dim=None)


def _reduction(op: Op) -> Callable[..., Any]:
    """The method reducing self by `op` over `axis` (all by default), keeping the reduced axes as 1
    with `keepdims`; a 0-d tensor takes axis 0 or -1, as PyTorch."""

    def reduce(self: Any, axis: Axis = None, keepdims: bool | None = None, *, dim: Axis = None, keepdim: Any = None):
        params = {"axis": reduced_axes(self, op.name, axis, dim), "keepdims": keep_dims(op.name, keepdims, keepdim)}
        return self._apply(op, (self,), params)

    reduce.__name__ = op.name
    reduce.__doc__ = f"{op.name} over `axis` (None: all; PyTorch's `dim=`), keeping them as 1 with `keepdims`."
    return reduce


def _extreme(
    self: Any, op: Op, arg: Callable[..., Any], given: Any, axis: Any, keepdims: Any, dim: Any, keepdim: Any
) -> Any:
    """max or min: numpy's values over `axis`, or PyTorch's (values, indices) along `dim`. `given`
    is the first positional argument, read as `axis` unless it is one int."""
    # one int given by position reads as numpy's axis (values) and as PyTorch's dim (values,
    # indices), and both unpack alike into two names on two rows (`v, i = t.max(1)`): refused
    if args.is_int(given):
        raise TypeError(
            f"{op.name}({short(given)}) is ambiguous: numpy returns the values, PyTorch (values, indices); write "
            f"{op.name}(axis={short(given)}) for the values or {op.name}(dim={short(given)}) for (values, indices)"
        )
    if given is not None and axis is not None:
        raise TypeError(f"{op.name}() got the axis twice, by position and as axis=: pass one")
    axis = given if axis is None else axis
    keep = keep_dims(op.name, keepdims, keepdim)
    if dim is None:
        axis = over_entries(self, op.name, reduced_axes(self, op.name, axis, None), _EXTREMES[op.name])
        return self._apply(op, (self,), {"axis": axis, "keepdims": keep})
    either(op.name, "axis", axis, "dim", dim)  # raises if both are given
    if not args.is_int(dim):
        raise TypeError(
            f"{op.name}(dim=) takes one int and returns (values, indices), as PyTorch; got {short(dim)}: "
            f"for the values over several axes write {op.name}(axis={short(dim)})"
        )
    d = args.dim(dim, self.ndim, f"{op.name}(dim=)")
    if self.ndim == 0:
        return own_entry(self)
    if self.shape[d] == 0:
        raise ValueError(
            f"{op.name}(dim={dim}) of a tensor of shape {self.shape}: dim {d} is empty, it has no {op.name}"
        )
    if RECORDING:  # the indices are data made from the numbers: a replay would take the recorded ones
        compile_read_hooks.read_data(self, 3, by=f"{op.name}(dim=)")
    # the first at ties, the first NaN: PyTorch's choices
    return picked_along(self, arg(self.data, axis=d, keepdims=True), d, keep)


def _ddof(self: Any, name: str, axis: Axis, ddof: Any, correction: Any) -> float:
    """numpy's ddof or PyTorch's correction (0 if neither): n − ddof divides, and must be positive."""
    ddof = either(name, "ddof", ddof, "correction", correction)
    ddof = 0 if ddof is None else ddof  # not `or 0`: an array's truth is numpy's ValueError
    if not is_real(ddof):
        raise TypeError(f"{name}(): ddof (correction) must be a number, got {type_name(ddof)} {short(ddof)}")
    if not ddof >= 0:  # NaN too: it would make every result NaN
        raise ValueError(
            f"{name}(): ddof (correction) must be >= 0 (0: the population variance, 1: unbiased), got {ddof!r}"
        )
    axes = range(self.ndim) if axis is None else normalize_axis_tuple(axis, self.ndim)
    n = math.prod(self.shape[a] for a in axes)
    if ddof >= n:
        exact = int(ddof) if isinstance(ddof, numbers.Integral) else float(ddof)  # numpy's uint64 wrapped: 3 - ddof = 4
        raise ValueError(
            f"{name}() over {n} entries with ddof={ddof} divides by n - ddof = {n - exact}: "
            "reduce over more entries, or lower ddof (ddof=0: the population variance)"
        )
    return ddof


def _running(self: Any, op: Op, axis: Any, dim: Any) -> Any:
    """cumsum or cumprod along one axis; with none, of the flattened tensor (numpy). A 0-d tensor
    takes axis 0 or -1 and stays 0-d (PyTorch)."""
    axis = either(op.name, "axis", axis, "dim", dim)
    if axis is None:
        flat = self.reshape(-1)
        return flat._apply(op, (flat,), {"axis": 0})
    if not args.is_int(axis):
        raise TypeError(f"{op.name}(): axis must be one int (or None: the flattened tensor), got {short(axis)}")
    args.dim(axis, self.ndim, f"{op.name}()", "axis")
    if self.ndim == 0:
        return _running(self.reshape(1), op, 0, None).reshape(())
    return self._apply(op, (self,), {"axis": int(axis)})


_ORDERS = {1: 1, 2: 2, np.inf: np.inf, "fro": 2}
_EXTREMES = {"max": "largest", "min": "smallest"}


def _moment_method(op: Op, doc: str) -> Callable[..., Any]:
    """var or std as a method: numpy's arguments and PyTorch's (`dim`, `keepdim`, `correction`, `unbiased`)."""
    name = op.name

    def method(  # noqa: PLR0913 (numpy's and PyTorch's arguments)
        self,
        given=_UNSET,
        *,
        axis=None,
        ddof=None,
        correction=None,
        keepdims=None,
        dim=_UNSET,
        keepdim=None,
        unbiased=None,
    ):
        correction = _unbiased(name, unbiased, ddof, correction)
        return self._moment(op, name, given, axis, ddof, correction, keepdims, dim, keepdim)

    method.__name__, method.__doc__ = name, doc
    return method


class ReductionMethods:
    """Methods that reduce a tensor over axes, or normalise along one."""

    __slots__ = ()

    sum = _reduction(ops.sum)
    mean = _reduction(ops.mean)
    prod = _reduction(ops.prod)
    logsumexp = _reduction(ops.logsumexp)

    def max(self, given: Axis = None, keepdims=None, *, axis=None, dim=None, keepdim=None) -> Any:
        """The largest entries over `axis=` (numpy: all by default, or an int or a tuple), tied
        entries sharing the gradient evenly (torch.amax). With PyTorch's `dim=` (one int) it is
        PyTorch's `max(dim)`: a named tuple (values, indices), the gradient going to the index.
        One int by position, `t.max(1)`, is refused: numpy and PyTorch read it differently."""
        return _extreme(self, ops.max, np.argmax, given, axis, keepdims, dim, keepdim)

    def min(self, given: Axis = None, keepdims=None, *, axis=None, dim=None, keepdim=None) -> Any:
        """The smallest entries over `axis=`; with `dim=`, PyTorch's (values, indices): see `max`."""
        return _extreme(self, ops.min, np.argmin, given, axis, keepdims, dim, keepdim)

    var = _moment_method(
        ops.var,
        """The variance over `axis` (all by default): sum((x - mean)²) / (n - ddof). The default is
        numpy's ddof=0, the population variance; PyTorch's default is correction=1 (unbiased): said
        in PyTorch's words (`dim=`, `keepdim=`) or by position (`x.var(1)`, which both read), the
        call must say which (ddof=, correction=, or PyTorch's older unbiased=True or False). ddof
        must be below the number of entries reduced.""",
    )
    std = _moment_method(
        ops.std,
        """The standard deviation, sqrt(var) (numpy's default ddof=0; see `var`), right wherever it
        fits the dtype (var may overflow). At a constant input its gradient is 0, as PyTorch's.""",
    )

    def _moment(self, op: Op, name: str, given, axis, ddof, correction, keepdims, dim, keepdim) -> Any:
        said = "dim=" if dim is not _UNSET else "keepdim=" if keepdim is not None else "an axis by position"
        if (dim is not _UNSET or keepdim is not None or given is not _UNSET) and ddof is None and correction is None:
            raise TypeError(
                f"{name}() with {said} but no correction= is ambiguous: PyTorch's default is correction=1 (the "
                f"sample {name}), numpy's ddof=0 (the population's): pass correction=1 or correction=0, or give "
                "numpy's axis= alone"
            )
        if given is not _UNSET:
            if axis is not None:
                raise TypeError(f"{name}() got the axis twice, by position and as axis=: pass one")
            axis = given
        axis = reduced_axes(self, name, axis, None if dim is _UNSET else dim)
        ddof = _ddof(self, name, axis, ddof, correction)
        return self._apply(op, (self,), {"axis": axis, "keepdims": keep_dims(name, keepdims, keepdim), "ddof": ddof})

    def norm(self, ord: Any = None, axis: Axis = None, keepdims=None, *, p=None, dim=None, keepdim=None) -> Any:
        """The vector norm of the entries over `axis` (all of them by default, flattened), as
        torch.linalg.vector_norm: ord (PyTorch's p) 2 by default, or 1 or inf. Not numpy's matrix
        norms: over two axes it is still the norm of their entries as one vector. The 2-norm is
        right wherever it fits the dtype; at the zero vector its gradient is 0 (PyTorch's choice).
        The inf-norm over an empty axis is a ValueError, as max's (the largest of nothing)."""
        order = either("norm", "ord", ord, "p", p)
        order = 2 if order is None else order
        if not (is_number(order) or isinstance(order, str)):  # a list, a duration (its hash: numpy's words)
            raise TypeError(f"norm(): ord must be 1, 2 or inf (a vector norm), got {type_name(order)} {short(order)}")
        if order not in _ORDERS:
            raise ValueError(f"norm(): ord must be 1, 2 or inf (a vector norm), got {short(order)}")
        axis = reduced_axes(self, "norm", axis, dim)
        if _ORDERS[order] == np.inf:
            over_entries(self, "norm", axis, "largest |x|")
        params = {"axis": axis, "keepdims": keep_dims("norm", keepdims, keepdim)}
        return self._apply(ops.norm, (self,), {**params, "ord": _ORDERS[order]})

    def cumsum(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """Running sums along `axis` (PyTorch's dim); with neither, of the flattened tensor (numpy)."""
        return _running(self, ops.cumsum, axis, dim)

    def cumprod(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """Running products along `axis` (PyTorch's dim); with neither, of the flattened tensor
        (numpy). Its gradient is exact where entries are zero."""
        return _running(self, ops.cumprod, axis, dim)

    # ---- constants: no gradient flows through an index or a truth value ----

    def argmax(self, axis: int | None = None, keepdims=None, *, dim=None, keepdim=None) -> Any:
        """The index of the largest entry along `axis` (of the flattened tensor if None), the
        first one at ties (numpy and PyTorch): a constant integer Tensor."""
        return self._constant(np.argmax, "argmax", axis, keepdims, dim, keepdim)

    def argmin(self, axis: int | None = None, keepdims=None, *, dim=None, keepdim=None) -> Any:
        """The index of the smallest entry (the first at ties): a constant integer Tensor."""
        return self._constant(np.argmin, "argmin", axis, keepdims, dim, keepdim)

    def any(self, axis: Axis = None, keepdims=None, *, dim=None, keepdim=None) -> Any:
        """Whether any entry is nonzero over `axis` (all by default): a constant bool Tensor."""
        return self._constant(np.any, "any", axis, keepdims, dim, keepdim)

    def all(self, axis: Axis = None, keepdims=None, *, dim=None, keepdim=None) -> Any:
        """Whether every entry is nonzero over `axis` (all by default): a constant bool Tensor."""
        return self._constant(np.all, "all", axis, keepdims, dim, keepdim)

    def _constant(self, reduce: Callable[..., Any], name: str, axis, keepdims, dim, keepdim) -> Any:
        refuse_flushed(name)  # argmax of [1e-310, 2e-310, 0] is 0 there
        if RECORDING:  # numbers read while a step is recorded (the frame 3 up: the caller of argmax, any, all)
            compile_read_hooks.read_data(self, 3, by=name)
        axis = reduced_axes(self, name, axis, dim)
        if name.startswith("arg") and isinstance(axis, tuple):
            raise TypeError(f"{name}(): axis must be one int or None, got {axis!r}")
        if name.startswith("arg"):  # an empty axis has no answer; other empty axes give empty answers
            whole = axis is None or self.ndim == 0
            if (self.size if whole else self.shape[axis]) == 0:
                where = "an empty tensor" if whole else f"an empty axis {axis}"
                raise ValueError(f"{name}() over {where} (shape {self.shape}) has no answer")
        return type(self)(np.asarray(reduce(self.data, axis=axis, keepdims=keep_dims(name, keepdims, keepdim))))

    def clip(self, lo: float | None = None, hi: float | None = None, *, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        """The entries clipped into [lo, hi] (None: no bound on that side; `min=`, `max=` as numpy's and
        PyTorch's spelling); a NaN bound is refused, as every entry would become NaN. Tensor bounds (an entry
        each, broadcast) are PyTorch 2.13's, gradients to them too (tensor_bounds)."""
        if (lo is not None and min is not None) or (hi is not None and max is not None):
            raise TypeError("clip() got a bound twice, by position and as min=/max=: pass one")
        lo, hi = (lo if min is None else min), (hi if max is None else max)
        if isinstance(lo, type(self)) or isinstance(hi, type(self)):
            from .tensor_bounds import clamped  # here: tensor_functions is built on the Tensor class

            return clamped(self, lo, hi)
        if isinstance(lo, Node) or isinstance(hi, Node):
            raise TypeError(
                "clip/clamp takes numbers or Tensors as bounds, got a Value: a graph is of Values or of Tensors"
            )
        require_meaningful("clip", {"lo": lo, "hi": hi}, bounds=("lo", "hi"))
        for side, bound in (("min", lo), ("max", hi)):  # as PyTorch's: 1e300 beside float32, 300 beside int8
            if isinstance(bound, int | float | np.number) and not isinstance(bound, bool):
                check_fits(bound.item() if isinstance(bound, np.number) else bound, self.dtype, f"clip's {side}")
        # bounds of an entry each, copied: the rule reads them again in backward
        lo, hi = (kept(array_of(b, "clip"), b) if isinstance(b, list | np.ndarray) else b for b in (lo, hi))
        return self._apply(ops.clip, (self,), {"lo": lo, "hi": hi})

    def softmax(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """exp(x) / sum(exp(x)) along `axis` (PyTorch's dim; the last by default), stable for large x."""
        return self._apply(ops.softmax, (self,), {"axis": one_axis(self, "softmax", axis, dim)})

    def log_softmax(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """x - logsumexp(x) along `axis` (PyTorch's dim; the last by default)."""
        return self._apply(ops.log_softmax, (self,), {"axis": one_axis(self, "log_softmax", axis, dim)})


def _unbiased(name: str, unbiased: Any, ddof: Any, correction: Any) -> Any:
    """PyTorch's older `unbiased=` (True or False) as the correction it means (1 or 0); given with
    ddof= or correction= it is one setting said twice, a TypeError."""
    if unbiased is None:
        return correction
    if ddof is not None or correction is not None:
        raise TypeError(f"{name}() got unbiased= with ddof= or correction=: say the correction once")
    return int(flag(unbiased, f"{name}(): unbiased"))
