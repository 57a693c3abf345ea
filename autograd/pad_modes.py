"""pad's modes besides 'constant', as PyTorch's F.pad: 'reflect', 'replicate' and 'circular' extend an
axis with its own entries, gathered by index (so each copy's gradient adds back to the entry it came
from, as PyTorch's), one axis at a time."""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor_ops import ShapeError

MODES = ("constant", "reflect", "replicate", "circular")


def extended(x: Any, widths: tuple[tuple[int, int], ...], mode: str) -> Any:
    """x with each axis extended by its (before, after) widths in `mode` (not 'constant')."""
    for axis, (before, after) in enumerate(widths):
        if before or after:
            x = x[(slice(None),) * axis + (_sources(x.shape[axis], before, after, mode, axis),)]
    return x


def _sources(n: int, before: int, after: int, mode: str, axis: int) -> np.ndarray:
    """Which entry of an axis of length n each position of it, extended by before and after, copies."""
    limit = n - 1 if mode == "reflect" else n  # PyTorch's bounds: a reflection reaches n - 1 past an edge
    if mode != "replicate" and max(before, after) > limit:
        raise ShapeError(
            f"pad: mode={mode!r} pads axis {axis} of length {n} by {max(before, after)}, more than its {limit} "
            "allow: use less padding or mode='replicate'"
        )
    if mode == "replicate" and n == 0:
        raise ShapeError(f"pad: mode='replicate' has no entry to repeat along axis {axis} of length 0")
    i = np.arange(-before, n + after)
    if mode == "reflect":  # about the edge entries, which are not repeated: 2 1 | 0 1 2 | 1 0
        return (n - 1) - np.abs((n - 1) - np.abs(i))
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    return i % n  # circular
