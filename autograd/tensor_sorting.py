"""Tensor's orderings (a mixin of Tensor): sort, argsort and topk along one dim, with PyTorch's
arguments and results.

None is an op of its own: the order is read from the numbers (a constant, as argmax's), and the
values are the input's entries picked in that order by indexing, so the gradient goes back to the
entry each value came from, as PyTorch's. NaN sorts above every number, as in PyTorch and numpy: last
ascending, first descending, and the largest for topk. Ties keep their order in the input (a stable
sort), descending too; PyTorch's unstable sort and its topk may pick another of equal entries.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_read_hooks
from . import shape_args as args
from .compile_record import RECORDING
from .modes import flag, short
from .tensor_indexing import along
from .tensor_reductions import ValuesIndices


def _order(x: Any, what: str, dim: Any, descending: Any) -> tuple[np.ndarray, int]:
    """The indices that put x's entries along `dim` in order (int64, x's shape), and that dim."""
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
            raise TypeError(f"topk: k must be an int, got {type(k).__name__} {short(k)}")
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
