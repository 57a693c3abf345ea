"""An optimizer's refusal of a gradient that is not finite. A NaN or an infinity in a gradient is a bug's signal (a
log of 0, an overflow, 0 * inf in some op): any update on it makes the parameter NaN or infinite (PyTorch's steps
do, and its Rprop's takes a NaN as a gradient of 0, silently), and the loss after is NaN with the cause a step
behind. chainrule's step refuses it first, with FloatingPointError, before anything moves, as nn.fit refuses a
loss that is not finite."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import known_finite, type_name


def first_not_finite(arrays: list[np.ndarray]) -> int | None:
    """The position of the first of `arrays` holding a NaN or an infinity, or None. A float32 or float64 array is
    summed in squares first (np.vdot: one BLAS pass, faster than np.isfinite's mask, and silent on overflow): a
    NaN or an infinity makes the sum NaN or inf, so a finite sum answers; a sum that overflowed (a norm above
    1.8e19 in float32) is looked at element by element."""
    for k, a in enumerate(arrays):
        if known_finite(a):  # a compiled replay proved it (autograd.known_finite): its pass was cheaper
            continue
        if a.dtype.char in "fd" and a.flags.c_contiguous and math.isfinite(np.vdot(a, a)):
            continue
        if not np.isfinite(a).all():
            return k
    return None


def refuse(owner: Any, parameter: Any, grad: np.ndarray, what: str, name: str | None = None) -> None:
    """FloatingPointError naming `parameter` (`what`: "parameter 3, of shape (3, 4)"), how many NaNs and
    infinities its gradient `grad` holds and where the first is; the error's `parameter` is the parameter and `held`
    says what it holds (nn.fit names it by the model's name for it), `parameter_name` the `name` the optimizer was
    given it under (None if it was given none)."""
    grad = np.asarray(grad)
    bad = ~np.isfinite(grad)
    nans = int(np.count_nonzero(np.isnan(grad)))
    first = tuple(int(i) for i in np.argwhere(bad)[0]) if grad.ndim else ()
    infinities = int(np.count_nonzero(bad)) - nans
    counts = " and ".join(
        text
        for n, text in ((nans, f"{nans} NaN"), (infinities, f"{infinities} infinit{'y' if infinities == 1 else 'ies'}"))
        if n
    )
    where = f", the first at index {first}" if grad.ndim else ""
    error = FloatingPointError(
        f"{type_name(owner)}: the gradient of {what} holds {counts}{where}; a step on it would make the "
        "parameter NaN or infinite, so no parameter moved. Find the op that made it with autograd.detect_anomaly(); "
        "skip the batch, or lower the learning rate if the loss grew before"
    )
    error.parameter, error.held, error.parameter_name = parameter, counts + where, name
    raise error
