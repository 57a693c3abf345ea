"""The weights gradcheck checks an output of several numbers by: fixed random ones, each entry's weighed by
1 / its tolerance, so that each counts as much as its own tolerance; and the blocks of entries its rows
are each of, so that an error in one entry is not lost among many (check_outputs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import raw

# An entry's tolerance counts this many times the rounding of its slope: finite differences cannot tell finer
_CLEAR_OF_ROUNDING = 1e4
KEPT = 2**22  # numbers kept (32 MB of float64): f's outputs at x +- eps, the Jacobian (check_jacobian)
SPREAD = 2.0  # the random weights' sizes lie in [1, SPREAD): distinct, and at most SPREAD times apart


def output_weights(out: Any) -> np.ndarray | None:
    """None for an output of one element; else fixed random weights of its shape, distinct and of
    alternating sign (seeded: the check is deterministic), so that a transposed or permuted gradient,
    and a rule that drops g's sign, shows."""
    if np.size(raw(out)) == 1:
        return None
    shape = np.shape(raw(out))
    signs = np.where(np.arange(np.size(raw(out))) % 2, -1.0, 1.0).reshape(shape)
    return np.random.default_rng(0).uniform(1.0, SPREAD, shape) * signs


def output_moves(moved_at: Callable, points: list, base: np.ndarray, eps: float, known: dict) -> tuple[np.ndarray, ...]:
    """(`moved_at((input, index), shift)`: f's output at the point moved by shift in that element; `points`:
    (input, its point) for each input checked.) How far
    each entry of f's output moves at most, |f(x +- eps) - f(x)| as any input element moves, and
    its largest size there; f's outputs are kept in `known` by (input, index, shift) for the rows, up to
    KEPT numbers (the rest are computed again)."""
    moves, spread = np.zeros_like(base), np.abs(base)
    for i, point in points:
        for index in np.ndindex(np.shape(point)):
            for shift in (eps, -eps):
                moved = moved_at((i, index), shift)
                moves, spread = np.maximum(moves, np.abs(moved - base)), np.maximum(spread, np.abs(moved))
                if (len(known) + 1) * base.size <= KEPT:
                    known[i, index, shift] = moved
    return moves, spread


def entry_tolerances(
    moves: np.ndarray, spread: np.ndarray, eps: float, dtype: np.dtype, atol: float, rtol: float
) -> np.ndarray:
    """Each output entry's tolerance T = atol + rtol * s + r: s its largest slope in any input element
    (`moves` / eps), r 1e4 times that slope's rounding (in the dtype f's output rounds in; `spread`: the
    entry's largest size at x and x +- eps), finer than which finite differences tell nothing."""
    finfo = np.finfo(dtype if dtype.kind == "f" else np.float64)
    return atol + rtol * (moves / eps) + _CLEAR_OF_ROUNDING * finfo.eps * spread / eps


def equilibrated(weights: np.ndarray, tolerances: np.ndarray) -> np.ndarray:
    """`weights` with each output entry's multiplied by T_max / T, T its tolerance (`entry_tolerances`), so
    that in a sum of entries each counts as much as its own tolerance: summed as they are, an entry moving
    by 1 beside one moving by 1e6 is lost, and a rule wrong in it passes, which a check of the whole
    Jacobian fails. An entry whose tolerance is 0 (atol and rtol 0, an entry that never moves) keeps its
    weight, as does one that is not finite; the rounding in T keeps an entry that moves by its rounding
    alone from being raised."""
    judged = np.isfinite(tolerances) & (tolerances > 0)  # not where f overflows at x +- eps: its rows fail
    if not judged.any():
        return weights
    largest = float(np.max(tolerances, where=judged, initial=0.0))
    return weights * np.where(judged, largest / np.where(judged, tolerances, 1.0), 1.0)
