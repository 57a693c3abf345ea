"""Tensor's methods on a matrix's diagonals and triangles (a mixin of Tensor, through IndexingMethods): tril triu
diagonal diag trace. Each is a composition of the op table's where, permute, getitem and index_add: none needs a rule
of its own."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import shape_args as args
from . import tensor_ops as ops
from .modes import short


def _offset(offset: Any, what: str) -> int:
    """A diagonal's offset: an int as every dim is one (a bool or a float refused, as PyTorch refuses them:
    True would be 1, and 0.5 would move np.tri's edge by rounding)."""
    if not args.is_int(offset):
        raise TypeError(f"{what}: the diagonal's offset is an int, got {short(offset)}")
    return max(-(2**62), min(int(offset), 2**62))  # beyond every size: numpy's C long would overflow


def _diagonal_positions(offset: int, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each entry of diagonal `offset` (> 0: above the main one) of a rows x cols matrix."""
    length = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    steps = np.arange(length)
    return steps - min(offset, 0), steps + max(offset, 0)


class DiagonalMethods:
    """Methods that keep or place the entries on and beside a diagonal."""

    __slots__ = ()

    def _triangle(self, diagonal: int, upper: bool) -> Any:
        """where(keep, self, 0): zeros stay zeros even beside an inf (a product with a 0/1 mask makes NaN). The zero
        is of self's dtype, so a boolean mask stays boolean and integers stay integers (a float zero made them
        float64: a causal mask then read as an additive one)."""
        what = "triu" if upper else "tril"
        diagonal = _offset(diagonal, what)
        if self.ndim < 2:
            raise ValueError(
                f"{what} needs a tensor of 2 dims or more (a matrix, or a batch of them), got {self.shape}"
            )
        below = np.tri(*self.shape[-2:], k=diagonal - 1 if upper else diagonal, dtype=bool)
        return self._apply(ops.where, (self, np.zeros((), self.dtype)), {"cond": ~below if upper else below})

    def tril(self, diagonal: int = 0) -> Any:
        """The entries on and below diagonal `diagonal` of the last two dims; zeros above."""
        return self._triangle(diagonal, upper=False)

    def triu(self, diagonal: int = 0) -> Any:
        """The entries on and above diagonal `diagonal` of the last two dims; zeros below."""
        return self._triangle(diagonal, upper=True)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
        """The entries of diagonal `offset` of dims dim1 and dim2, as a new last dim (PyTorch's and
        numpy's diagonal)."""
        d1, d2 = args.dims((dim1, dim2), self.ndim, "diagonal")
        offset = _offset(offset, "diagonal")
        rest = [d for d in range(self.ndim) if d not in (d1, d2)]
        rows, cols = _diagonal_positions(offset, self.shape[d1], self.shape[d2])
        return self.permute(*rest, d1, d2)[..., rows, cols]

    def diag(self, diagonal: int = 0) -> Any:
        """A vector placed on diagonal `diagonal` of a square matrix, or a matrix's diagonal as a
        vector (PyTorch's and numpy's diag)."""
        diagonal = _offset(diagonal, "diag")
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise ValueError(f"diag takes a vector or a matrix, got shape {self.shape}; diagonal() takes any")
        n = self.shape[0] + abs(diagonal)
        place = _diagonal_positions(diagonal, n, n)
        return self._apply(ops.index_add, (self,), {"index": place, "shape": (n, n)})

    def trace(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
        """The sum of the diagonal (numpy's trace; PyTorch's for a matrix)."""
        return self.diagonal(offset, dim1, dim2).sum(axis=-1)
