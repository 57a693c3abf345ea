"""The op table's order statistic over every entry (a tensor-only entry): median(), the lower median of the
flattened tensor, as torch.median() without a dim. Its gradient is shared by the entries equal to it, as PyTorch's
(and as max's, op_table_tensor). With a dim, median and kthvalue are no ops of their own: they pick an entry by
its rank, read from the numbers, by indexing (tensor_sorting)."""

from __future__ import annotations

import numpy as np

from .op_def import OpDef
from .op_table_tensor import _extreme_vjp


def lower_median(x: np.ndarray) -> np.ndarray:
    """The entry of rank (n - 1) // 2 of the flattened x, the lower of the two middle ones where n is even
    (PyTorch's, not numpy's mean of them); NaN where an entry is NaN, or x is empty (PyTorch's)."""
    flat = x.reshape(-1)
    if flat.size == 0 or (flat.dtype.kind == "f" and np.isnan(flat).any()):
        return np.array(np.nan, dtype=x.dtype)
    return np.asarray(np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])


ORDER: tuple[OpDef, ...] = (
    # ties share the gradient equally (PyTorch's median() without a dim); at NaN every entry gets NaN (max's rule)
    OpDef(
        "median",
        lambda g, out, x: _extreme_vjp(g, out, x, axis=None, keepdims=False),
        None,
        lower_median,
        api="Tensor.median",
        formulas=("∂median(x)/∂xᵢ = 1 at the median (shared by ties)",),
        flat_pieces=True,
    ),
)
