"""The bound on what the creation functions allocate, checked before they allocate it.

`zeros((10**6, 10**6))`, `randn(10**6, 10**6)` and `arange(0, 1e15)` asked numpy for terabytes and ended
in its "Unable to allocate 7.28 TiB for an array ...", which names no function and no fix; a size that
does fit but only just would be filled slowly. Each creation function asks `check_memory` first for all
it builds at once: the tensor, and the array it is drawn or counted in before its cast (randn draws
float64 for a float32 tensor; arange counts float arguments in float64).
"""

from __future__ import annotations

import math

import numpy as np

from .conv_limits import check_memory


def check_made(name: str, shape: tuple[int, ...], dtype: np.dtype, made_in: np.dtype | None = None) -> None:
    """Refuse at once `name`'s tensor of `shape` and `dtype`, with the array of `made_in` it is cast
    from (None: it is made in place), where no memory holds them: one MemoryError naming the shape."""
    entries = math.prod(shape)
    what = f"a tensor of shape {shape}"
    if made_in is not None and np.dtype(made_in) != dtype:  # both alive at once during the cast
        entries += -(-entries * np.dtype(dtype).itemsize // np.dtype(made_in).itemsize)
        what += f" and the {np.dtype(made_in)} values it is cast from"
        dtype = np.dtype(made_in)
    check_memory(name, what, entries, dtype, "give a smaller shape")
