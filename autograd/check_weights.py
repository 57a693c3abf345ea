"""The weights gradcheck checks an output of several numbers by, sum(w * f(x)): fixed random ones, each
raised so that an entry of f's output that moves little weighs as much as the one moving most."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import raw

# An output entry that moves less than the one moving most is weighed up to this many times as much
_MOST_RAISED = 1e6
# and only where it moves by this many times its rounding: raised, its rounding would be too
_CLEAR_OF_ROUNDING = 1e4
_KEPT = 2**22  # f's outputs at x +- eps kept from the weights' pass for the rows (32 MB of float64)


def output_weights(out: Any) -> np.ndarray | None:
    """None for an output of one element; else fixed random weights of its shape, distinct and of
    alternating sign (seeded: the check is deterministic), so that a transposed or permuted gradient,
    and a rule that drops g's sign, shows."""
    if np.size(raw(out)) == 1:
        return None
    shape = np.shape(raw(out))
    signs = np.where(np.arange(np.size(raw(out))) % 2, -1.0, 1.0).reshape(shape)
    return np.random.default_rng(0).uniform(0.5, 1.5, shape) * signs


def output_moves(moved_at: Callable, points: list, base: np.ndarray, eps: float, known: dict) -> tuple[np.ndarray, ...]:
    """(`moved_at((input, index), shift)`: f's output at the point moved by shift in that element; `points`:
    (input, its point) for each input checked.) How far
    each entry of f's output moves at most, |f(x +- eps) - f(x)| as any input element moves, and
    its largest size there; f's outputs are kept in `known` by (input, index, shift) for the rows, up to
    _KEPT numbers (the rest are computed again)."""
    moves, spread = np.zeros_like(base), np.abs(base)
    for i, point in points:
        for index in np.ndindex(np.shape(point)):
            for shift in (eps, -eps):
                moved = moved_at((i, index), shift)
                moves, spread = np.maximum(moves, np.abs(moved - base)), np.maximum(spread, np.abs(moved))
                if (len(known) + 1) * base.size <= _KEPT:
                    known[i, index, shift] = moved
    return moves, spread


def equilibrated(weights: np.ndarray, moves: np.ndarray, spread: np.ndarray, eps: float, dtype: np.dtype) -> Any:
    """`weights` with each output entry's raised (up to _MOST_RAISED times) to weigh as much in the rows as
    the entry that moves most: summed as they are, an entry moving by 1 beside one moving by 1e6 is lost,
    and a rule wrong in it passes, which a check of the whole Jacobian fails. An entry is raised only where
    it moves well beyond its rounding (in the dtype f's output rounds in), which would grow with it."""
    slope = moves / eps
    rounding = np.finfo(dtype if dtype.kind == "f" else np.float64).eps * spread / eps
    clear = slope > _CLEAR_OF_ROUNDING * rounding  # not where f overflows at x +- eps: inf is no clearer than inf
    if not clear.any():
        return weights
    raised = np.clip(np.max(slope, where=clear, initial=0.0) / np.where(clear, slope, 1.0), 1.0, _MOST_RAISED)
    return weights * np.where(clear, raised, 1.0)
