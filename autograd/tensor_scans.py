"""Tensor's running scans beyond cumsum and cumprod (a mixin of Tensor): logcumsumexp, PyTorch's cummax and
cummin, which give (values, indices), and diff, the differences of neighbours (cumsum's inverse).

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
from .modes import short
from .tensor_reductions import _running
from .type_names import type_name
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

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Any:
        """The n-th forward difference along `dim`, as torch.diff: x[1:] - x[:-1] taken n times (a bool
        tensor's: x[1:] != x[:-1]), `prepend` and `append` (tensors of x's dims, its shape but along dim)
        joined to x first. Each difference is one entry shorter; n past the length leaves none."""
        return _differences(self, n, dim, prepend, append)


def _differences(x: Any, n: Any, dim: Any, prepend: Any, append: Any) -> Any:
    """Tensor.diff: its arguments checked as torch checks them, then slices and subtractions (in the graph)."""
    if not args.is_int(n):
        raise TypeError(f"diff(): n must be an int, got {type_name(n)} {short(n)}")
    if n < 0:
        raise ValueError(f"diff(): n must be >= 0 (the order of the difference), got {n}")
    if x.ndim == 0:
        raise ops.ShapeError("diff() takes a tensor of at least 1 dim, got a 0-d one: reshape it, x.reshape(1)")
    d = args.dim(dim, x.ndim, "diff()")
    joined = [_joined_piece(x, given, d, name) for name, given in (("prepend", prepend), ("append", append))]
    if any(piece is not None for piece in joined):
        from .tensor_functions import cat  # here: tensor_functions is built on the Tensor class

        x = cat([piece for piece in (joined[0], x, joined[1]) if piece is not None], dim=d)
    head, tail = (slice(None),) * d + (slice(1, None),), (slice(None),) * d + (slice(None, -1),)
    for _ in range(min(int(n), x.shape[d])):  # past the length the difference stays empty
        x = x[head] != x[tail] if x.dtype == np.bool_ else x[head] - x[tail]
    return x


def _joined_piece(x: Any, given: Any, d: int, name: str) -> Any:
    """diff's prepend or append, checked: None, or a tensor (an array) of x's dims and its shape but along dim d."""
    if given is None:
        return None
    if not isinstance(given, type(x) | np.ndarray):
        raise TypeError(f"diff(): {name} must be a Tensor, got {type_name(given)}: a tensor of x's dims, Tensor([...])")
    if np.ndim(given) != x.ndim or any(a != b for k, (a, b) in enumerate(zip(np.shape(given), x.shape)) if k != d):
        raise ops.ShapeError(
            f"diff(): {name} of shape {np.shape(given)} does not fit input of shape {x.shape}: it takes the input's "
            f"dims and its shape except along dim {d}"
        )
    return given
