"""Tensor's running scans beyond cumsum and cumprod (a mixin of Tensor): logcumsumexp, and PyTorch's cummax and
cummin, which give (values, indices).

cummax and cummin are no ops of their own, as max(dim=) is none: each running extreme's index is read from the
numbers (a constant), and the values are the input's entries picked there by indexing, so the gradient of each
value goes to the one entry it came from, as PyTorch's. At a tie the later entry is picked (PyTorch's: its
running maximum is replaced by an entry >= it); a NaN is the extreme from where it stands on, the latest NaN
picked (PyTorch's, and numpy's maximum.accumulate's values).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_read_hooks
from . import shape_args as args
from . import tensor_ops as ops
from .compile_record import RECORDING
from .tensor_reductions import _running
from .values_indices import ValuesIndices, own_entry, picked_along


def running_extreme_indices(data: np.ndarray, d: int, largest: bool) -> np.ndarray:
    """For each position along dim d, the index of the running maximum (minimum) up to it: the latest of tied
    entries, the latest NaN once one is met (int64, data's shape)."""
    x = np.moveaxis(data, d, -1)
    run = (np.maximum if largest else np.minimum).accumulate(x, axis=-1)  # NaN stays NaN once met
    hit = (x == run) | (x != x)  # entry k is the extreme up to k: it equals it, or is a NaN
    positions = np.where(hit, np.arange(x.shape[-1]), 0)
    return np.moveaxis(np.maximum.accumulate(positions, axis=-1), -1, d).astype(np.int64, copy=False)


def _running_extreme(x: Any, dim: Any, largest: bool, what: str) -> ValuesIndices:
    """(values, indices) of cummax or cummin along dim; a 0-d tensor is its own, at index 0 (PyTorch's)."""
    d = args.dim(dim, x.ndim, what)
    if RECORDING:  # the indices are data made from the numbers: the frame 3 up is the caller of cummax, cummin
        compile_read_hooks.read_data(x, 3, by=what)
    if x.ndim == 0:
        return own_entry(x)
    return picked_along(x, running_extreme_indices(x.data, d, largest), d, keep=True)


class ScanMethods:
    """Methods that run along one dim: logcumsumexp, cummax, cummin."""

    __slots__ = ()

    def logcumsumexp(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """log(Σ_{j≤k} exp(xⱼ)) for each k along `axis` (PyTorch's dim), stable for large entries and
        -inf; with neither, of the flattened tensor (as cumsum)."""
        return _running(self, ops.logcumsumexp, axis, dim)

    def cummax(self, dim: int) -> ValuesIndices:
        """(values, indices) of the running maximum along `dim`, as torch.cummax: the later entry at ties,
        NaN from the first NaN on; the gradient goes to the entry each value came from."""
        return _running_extreme(self, dim, True, "cummax")

    def cummin(self, dim: int) -> ValuesIndices:
        """(values, indices) of the running minimum along `dim`, as torch.cummin: the later entry at ties,
        NaN from the first NaN on; the gradient goes to the entry each value came from."""
        return _running_extreme(self, dim, False, "cummin")
