"""multi_margin_loss on arrays, PyTorch's multi-class hinge: per row of class scores x with label y, the sum
over the classes i != y of w_y max(0, margin - x_y + x_i)^p, over the number of classes C (p 1 or 2). Its
forward and its rule on arrays are written once here, called by the op (op_table_margins) and by its
compiled kernel (compile_kernels_margins), so that a replay gives eager's bits.

Scores are rows (N, C), or one example (C,) as one row. A term met exactly (z = 0) has slope 0, as PyTorch's
kernel (and relu's); a NaN score makes its row's loss and gradient NaN."""

from __future__ import annotations

from typing import Any

import numpy as np

from .cross_entropy_options import weights_in
from .tensor_forwards import gradient_sum


def scores_rows(x: Any) -> Any:
    """Scores (N, C) as they are, one example (C,) as a row (1, C) (an array or a node: their reshape)."""
    return x if x.ndim == 2 else x.reshape(1, -1)


def margins(rows: np.ndarray, labels: np.ndarray, margin: float, out: np.ndarray | None = None) -> np.ndarray:
    """margin - x_y + x_i for every row's entry (into `out`, a kernel's buffer, or a new array): the terms
    before the hinge, the label's own entry (exactly `margin`) among them."""
    picked = rows[np.arange(len(rows)), labels].reshape(-1, 1)
    return np.add(np.subtract(rows.dtype.type(margin), picked), rows, out=out)


def local_slopes(labels: np.ndarray, weight: Any, classes: int, dtype: np.dtype) -> np.ndarray:
    """Each row's w_y / C (1 / C without weights), in `dtype`: what a term's slope is multiplied by."""
    w = np.ones(len(labels), dtype) if weight is None else weights_in(weight, dtype)[labels]
    return w / dtype.type(classes)


def multi_margin_loss(
    x: np.ndarray, *, labels: np.ndarray, p: int = 1, margin: float = 1.0, weight: Any = None, out: Any = None
) -> np.ndarray:
    """Each row's loss, in the labels' shape: its terms max(0, z)^p (the label's 0), weighed by w_y, added in
    float64 and divided by C there, rounded once to x's dtype. `out`: a kernel's buffer for the terms."""
    rows, flat = scores_rows(x), labels.reshape(-1)
    z = margins(rows, flat, margin, out)
    np.maximum(z, 0, out=z)  # NaN stays NaN
    if p == 2:
        np.square(z, out=z)
    z[np.arange(len(z)), flat] = 0  # the label's own term is no margin
    if weight is not None:
        np.multiply(z, weights_in(weight, z.dtype)[flat].reshape(-1, 1), out=z)
    losses = np.add.reduce(z, axis=1, dtype=np.float64) / rows.shape[1]
    return losses.astype(x.dtype).reshape(labels.shape)


def multi_margin_grad(
    g: Any, x: np.ndarray, *, labels: np.ndarray, p: int = 1, margin: float = 1.0, weight: Any = None, out: Any = None
) -> np.ndarray:
    """The rule on arrays: at each class i != y, the term's slope (1, or 2z, where z > 0; else 0) times w_y / C
    times the row's g; at y, minus the row's sum of those (`out`: a kernel's buffer of the rows' shape). The
    steps of the recorded rule (op_table_margins), for its bits."""
    rows, flat = scores_rows(x), labels.reshape(-1)
    picks = np.arange(len(flat)), flat
    z = margins(rows, flat, margin, out)
    slope = np.where(z > 0, z + z if p == 2 else 1, 0).astype(z.dtype, copy=False)
    slope[np.isnan(z)] = np.nan  # a NaN score: its row's loss is NaN, and so is its gradient (not 0)
    slope[picks] = 0
    column = (local_slopes(flat, weight, rows.shape[1], z.dtype) * np.reshape(g, -1)).reshape(-1, 1)
    grad = np.multiply(slope, column, out=z)
    total = gradient_sum(grad, (1,))  # unbroadcast's sum, the recorded rule's: the label's entry is 0 in it
    grad[picks] = -total[:, 0]
    return grad.reshape(x.shape)
