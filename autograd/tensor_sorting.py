"""Tensor's orderings (a mixin of Tensor): sort, argsort, topk, kthvalue and median along one dim, with PyTorch's
arguments and results.

None is an op of its own: the order is read from the numbers (a constant, as argmax's), and the
values are the input's entries picked in that order by indexing, so the gradient goes back to the
entry each value came from, as PyTorch's. NaN sorts above every number, as in PyTorch and numpy: last
ascending, first descending, and the largest for topk. Ties keep their order in the input (a stable
sort), descending too; PyTorch's unstable sort and its topk may pick another of equal entries. kthvalue and
median pick the entry of their rank in that order: of equal entries the one whose turn it is in input order
(PyTorch leaves which unspecified: its indices differ at ties, its values not); median along a dim is NaN where
its line holds a NaN, at the first NaN (PyTorch's), and median() of every entry is an op (op_table_order).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_read_hooks
from . import shape_args as args
from . import tensor_ops as ops
from .compile_record import RECORDING
from .graph import Node, raw
from .graph_errors import NOT_BOTH, VALUE_DATA, MixedNodes
from .modes import choice, flag, short
from .subnormals import refuse_flushed
from .tensor_data import array_of
from .tensor_indexing import along
from .type_names import type_name
from .value_lists import is_value
from .values_indices import ValuesIndices, own_entry, picked_along


def _order(x: Any, what: str, dim: Any, descending: Any) -> tuple[np.ndarray, int]:
    """The indices that put x's entries along `dim` in order (int64, x's shape), and that dim."""
    refuse_flushed(what)
    if RECORDING:  # the order comes from the numbers: the frame 3 up is the caller of sort, argsort, topk
        compile_read_hooks.read_data(x, 3, by=what)
    d = args.dim(dim, x.ndim, what)
    data = x.data.reshape(1) if x.ndim == 0 else x.data  # a 0-d tensor is its own order, as PyTorch's
    if flag(descending, f"{what}(): descending"):
        # numpy sorts ascending only: sort the reversed dim ascending (stable), then read it backwards,
        # which keeps equal entries in their input order and puts NaN first; negating x instead
        # would wrap unsigned and the least signed integers and leave NaN last
        n = data.shape[d]
        reversed_order = np.argsort(np.flip(data, d), axis=d, kind="stable")
        order = n - 1 - np.flip(reversed_order, d)
    else:
        order = np.argsort(data, axis=d, kind="stable")
    return order.reshape(x.shape).astype(np.int64, copy=False), d


def _ranked(x: Any, rank: Any, dim: Any, keepdim: Any, what: str) -> ValuesIndices:
    """(values, indices) of the entry of `rank` (from 0; None: the lower median) along dim, in stable ascending
    order; a median is NaN at the first NaN of a line holding one. A 0-d tensor is its own, at index 0."""
    d, keep = args.dim(dim, x.ndim, what), flag(keepdim, f"{what}(): keepdim")
    if RECORDING:  # the rank is read off the numbers: the frame 3 up is the caller of kthvalue, median
        compile_read_hooks.read_data(x, 3, by=f"{what}(dim=)")
    n = 1 if x.ndim == 0 else x.shape[d]  # a 0-d tensor: one entry, k = 1 only (PyTorch's)
    if n == 0:
        raise ValueError(f"{what}(dim={dim}) of a tensor of shape {x.shape}: dim {d} is empty, it has no {what}")
    if rank is not None and not 0 <= rank < n:
        raise ValueError(f"{what}: k={rank + 1} is out of range for dim {dim} of length {n} (k goes from 1 to {n})")
    if x.ndim == 0:
        return own_entry(x)
    order = np.argsort(x.data, axis=d, kind="stable")
    index = np.take(order, [(n - 1) // 2 if rank is None else rank], axis=d)
    if rank is None and x.dtype.kind == "f":
        nan = np.isnan(x.data)
        index = np.where(nan.any(axis=d, keepdims=True), nan.argmax(axis=d, keepdims=True), index)
    return picked_along(x, index, d, keep)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_levels(q: Any) -> np.ndarray:
    """q as float64 levels: one number or a 1-d list, array or Tensor of them (constants), each in [0, 1]."""
    if is_value(q):  # no constant, and of the other graph kind
        raise MixedNodes(f"quantile: q is a number, a list or a Tensor, got a Value: {NOT_BOTH} ({VALUE_DATA})")
    if isinstance(q, Node) and q.requires_grad:
        raise TypeError("quantile: q is a constant here, as PyTorch's (no gradient flows to it): pass q.detach()")
    levels = array_of(raw(q), "quantile")
    if levels.dtype.kind not in "iuf" or levels.ndim > 1:
        raise TypeError(f"quantile: q is a number or a 1-d list of them, got {short(q)}")
    levels = levels.astype(np.float64)
    if not np.all((levels >= 0) & (levels <= 1)):  # NaN too
        bad = levels[~((levels >= 0) & (levels <= 1))][0]
        raise ValueError(f"quantile: q must lie in [0, 1], got {bad}")
    return levels


def _ranks(positions: np.ndarray, interpolation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ranks below and above each position in the sorted entries, and the weight of the one above."""
    below, above = np.floor(positions), np.ceil(positions)
    if interpolation == "nearest":  # half to even, as torch.round and np.round
        below = above = np.round(positions)
    elif interpolation == "lower":
        above = below
    elif interpolation == "higher":
        below = above
    weight = np.where(above == below, 0.0, 0.5 if interpolation == "midpoint" else positions - below)
    return below.astype(np.intp), above.astype(np.intp), weight


def _picked(x: Any, order: np.ndarray, d: int) -> ValuesIndices:
    """(values, indices): x's entries at `order` along dim d, differentiable, and the order itself."""
    values = x.reshape(()) if x.ndim == 0 else x[along(order, d)]
    return ValuesIndices(values, type(x)(order))


class SortingMethods:
    """Methods that order a tensor's entries along one dim."""

    __slots__ = ()

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        """(values, indices) along `dim` (the last by default), as torch.sort: values ascending, or
        descending; indices where each came from (int64). Always stable: `stable=` is taken for
        PyTorch's spelling, keyword-only as there (a third positional argument is refused)."""
        flag(stable, "sort(): stable")
        order, d = _order(self, "sort", dim, descending)
        return _picked(self, order, d)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False, axis: Any = None) -> Any:
        """The indices that sort along `dim` (numpy's `axis=`; the last by default), a constant
        int64 tensor: torch.argsort's (`stable=` keyword-only, as there), and numpy's argsort ascending."""
        flag(stable, "argsort(): stable")
        if axis is not None:
            if dim != -1:
                raise TypeError("argsort() got dim= and axis=, one dim said twice: pass one")
            dim = axis
        order, _ = _order(self, "argsort", dim, descending)
        return type(self)(order)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002 (PyTorch's name)
        """(values, indices) of the k largest entries along `dim` (the smallest with largest=False), as
        torch.topk, the first of them first; `sorted=False` gives the same order (PyTorch's is then
        unspecified)."""
        flag(sorted, "topk(): sorted")
        if not args.is_int(k):
            raise TypeError(f"topk: k must be an int, got {type_name(k)} {short(k)}")
        order, d = _order(self, "topk", dim, flag(largest, "topk(): largest"))
        n = 1 if self.ndim == 0 else self.shape[d]
        if not 0 <= k <= n:
            raise ValueError(f"topk: k={int(k)} is out of range for dim {dim} of length {n} (k goes from 0 to {n})")
        if self.ndim:
            order = order[(slice(None),) * d + (slice(0, int(k)),)]
        elif k == 0:
            raise ValueError(
                "topk: k=0 of a 0-d tensor would have to drop its only dim: give k=1, or reshape it to (1,)"
            )
        return _picked(self, order, d)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """(values, indices) of the k-th smallest entry (k from 1) along `dim`, as torch.kthvalue (NaN above every
        number); the gradient goes to the picked entry."""
        if not args.is_int(k):
            raise TypeError(f"kthvalue: k must be an int, got {type_name(k)} {short(k)}")
        return _ranked(self, int(k) - 1, dim, keepdim, "kthvalue")

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The lower median of every entry (a 0-d tensor; ties share its gradient), or with `dim`, (values,
        indices) along it, as torch.median (the gradient to the picked entry); NaN where a NaN is among them.
        numpy's np.median averages the two middle entries instead."""
        if self.dtype.kind == "b":  # PyTorch 2.13 refuses bools too: a median of True/False is no number to rank
            raise TypeError("median() of a bool tensor: PyTorch's refuses it too; .astype(int) first")
        if dim is None:
            if flag(keepdim, "median(): keepdim"):
                raise TypeError("median(): keepdim=True needs a dim (median() of every entry is one number)")
            if self.size == 0 and self.dtype.kind != "f":
                raise ValueError(f"median() of an empty {self.dtype} tensor: no entry, and no NaN to give")
            return self._apply(ops.median, (self,), {})
        return _ranked(self, None, dim, keepdim, "median")

    def quantile(self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear") -> Any:
        """The q-th quantiles along `dim` (None: of every entry), as torch.quantile: the sorted entries at rank
        q·(n − 1), interpolated between the two about it ('linear', or 'lower', 'higher', 'midpoint', 'nearest');
        a 1-d q puts its own dim first. NaN where a NaN is among the entries. The gradient goes to the two entries
        interpolated, by their weights (of equal entries, to those whose turn it is in input order)."""
        if self.dtype.kind != "f":
            raise TypeError(f"quantile needs a float tensor (it interpolates), got {self.dtype}: .astype(float) first")
        levels = _quantile_levels(q)
        choice(interpolation, _INTERPOLATIONS, "quantile: interpolation")
        keep = flag(keepdim, "quantile(): keepdim")
        if dim is None or self.ndim == 0:  # every entry (a 0-d tensor takes dim 0 or -1, as PyTorch's)
            if dim is not None:
                args.dim(dim, 0, "quantile")
            x, d = self.reshape(-1), 0
        else:
            x, d = self, args.dim(dim, self.ndim, "quantile")
        if x.shape[d] == 0:
            raise ValueError(f"quantile of no entries: dim {d} of a tensor of shape {self.shape} is empty")
        if RECORDING:  # the order is read off the numbers: the frame 2 up is the caller of quantile
            compile_read_hooks.read_data(self, 2, by="quantile")
        n, order = x.shape[d], np.argsort(x.data, axis=d, kind="stable")
        line = [1] * x.ndim
        line[d] = levels.size  # the levels along d, every other dim broadcast
        below, above, weight = (np.reshape(r, line) for r in _ranks(levels.reshape(-1) * (n - 1), interpolation))
        if x.dtype.kind == "f":  # a line holding NaN: its last sorted entry, a NaN, at every level (PyTorch's)
            nan = np.isnan(x.data).any(axis=d, keepdims=True)
            below, above, weight = np.where(nan, n - 1, below), np.where(nan, n - 1, above), np.where(nan, 0.0, weight)
        shape = x.shape[:d] + (levels.size,) + x.shape[d + 1 :]
        picks = [np.take_along_axis(order, np.broadcast_to(r, shape), d) for r in (below, above)]
        low, high = (x[along(p, d)] for p in picks)
        weight = np.broadcast_to(weight, shape).astype(x.dtype)
        # low + (high − low)·w, and low itself where w is 0: 0·inf would be NaN (the quantile of [1, inf] at 0 is 1)
        values = low._apply(ops.where, (low + (high - low) * weight, low), {"cond": weight != 0})
        values = values.movedim(d, 0)  # the levels first, as PyTorch's
        if self.ndim == 0:
            rest = ()
        elif dim is None:
            rest = (1,) * self.ndim if keep else ()
        else:
            rest = self.shape[:d] + ((1,) if keep else ()) + self.shape[d + 1 :]
        values = values.reshape((levels.size, *rest))
        return values.reshape(values.shape[1:]) if levels.ndim == 0 else values
