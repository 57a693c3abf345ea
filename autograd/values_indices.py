"""(values, indices) results, as torch.return_types' tuples, and how the methods that pick entries along one dim
make them (max(dim=), min(dim=), kthvalue, median(dim), cummax, cummin; sort and topk): the indices read off the
numbers (a constant), the values the input's entries there by indexing, so the gradient goes to them only."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .tensor_indexing import along


class ValuesIndices(NamedTuple):
    """What `max(dim=)`, `min(dim=)`, `sort`, `topk`, `kthvalue`, `median(dim)`, `cummax` and `cummin` return, as
    torch.return_types' tuples: `v, i = t.max(dim=1)`."""

    values: Any
    indices: Any


def own_entry(x: Any) -> ValuesIndices:
    """A 0-d tensor's (values, indices) along its dim: itself, at index 0 (PyTorch's)."""
    return ValuesIndices(x.reshape(()), type(x)(np.zeros((), np.int64)))


def picked_along(x: Any, index: np.ndarray, d: int, keep: bool) -> ValuesIndices:
    """x's entries at `index` (of x's dims, one along d) and index itself, dim d dropped from both unless `keep`."""
    values = x[along(index, d)]  # by indexing: the gradient goes to the picked entries only, as PyTorch's
    if not keep:
        values, index = values.reshape(values.shape[:d] + values.shape[d + 1 :]), np.squeeze(index, d)
    return ValuesIndices(values, type(x)(index.astype(np.int64, copy=False)))
