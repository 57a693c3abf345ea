"""Memory layouts for `autograd.testing.arrays(..., layouts=True)` and `tensors(..., layouts=True)`: the numbers
drawn, laid out in memory as a user's `x.T`, `x[::-1]` or `x[:, ::2]` reaches an op (gradcheck keeps an input's
layout, as PyTorch's does), so that a property test finds a rule wrong only there (one pairing g and x in memory
order, ravel('K'), or a fast path taken for contiguous memory alone), as PyTorch's OpInfo tests draw
non-contiguous samples. A failure's table names the layout its inputs reached f in (check_inputs.layout_words)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

LAYOUTS = ("as drawn", "transposed", "reversed", "strided")  # the first is what shrinking comes to


def layouts_of(a: np.ndarray) -> st.SearchStrategy[np.ndarray]:
    """`a`, or its numbers in another layout (`laid_out`): a number (0-d) has one."""
    if a.ndim == 0 or a.size == 0:
        return st.just(a)
    return st.sampled_from(LAYOUTS).map(lambda how: laid_out(a, how))


def laid_out(a: np.ndarray, how: str) -> np.ndarray:
    """a's numbers, in a's shape, laid out in memory `how`: "transposed" (Fortran order: each axis's stride the
    reverse of C's, as x.T of a C array), "reversed" (every axis walked backwards: negative strides, as x[::-1]),
    "strided" (every other element of a buffer twice as long in the last axis, as x[..., ::2]), or "as drawn"."""
    if how == "transposed":
        return np.asfortranarray(a)
    if how == "reversed":
        back = (slice(None, None, -1),) * a.ndim
        return np.ascontiguousarray(a[back])[back]
    if how == "strided":
        wide: Any = np.zeros((*a.shape[:-1], 2 * a.shape[-1]), dtype=a.dtype)
        wide[..., ::2] = a
        return wide[..., ::2]
    return a
