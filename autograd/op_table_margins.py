"""The op table's margin losses of class labels: multi_margin_loss, PyTorch's multi-class hinge, each row's
loss for its label (its forward and rule on arrays in multi_margin, shared with its compiled kernel), as the
other tensor-only entries are (op_table_tensor)."""

from __future__ import annotations

import numpy as np

from .graph import raw
from .multi_margin import local_slopes, multi_margin_grad, multi_margin_loss, scores_rows
from .op_def import OpDef, tensor_op
from .op_table_tensor import unbroadcast

_getitem, _where = tensor_op("getitem"), tensor_op("where")


def _multi_margin_vjp(g, out, x, *, labels, p=1, margin=1.0, weight=None):
    """At each class i != y, the term's slope (1, or 2z, where z = margin - x_y + x_i > 0; else 0) times
    w_y / C times the row's g; at y, minus the row's sum of those. On arrays `multi_margin_grad` computes it;
    on nodes (create_graph) the same steps recorded, z from x's own entries, so that p = 2 has its second
    derivative (2 w_y / C on each term met) and p = 1 one of 0."""
    if isinstance(x, np.ndarray):
        return (multi_margin_grad(g, x, labels=labels, p=p, margin=margin, weight=weight),)
    rows, flat = scores_rows(x), labels.reshape(-1)
    dtype = np.result_type(raw(x))
    picks = np.arange(len(flat)), flat
    at_labels = np.zeros(rows.shape, bool)
    at_labels[picks] = True
    z = (dtype.type(margin) - _getitem(rows, index=picks).reshape(-1, 1)) + rows
    met, unknown = (raw(z) > 0) & ~at_labels, np.isnan(raw(z)) & ~at_labels  # NaN: as multi_margin_grad
    slope = _where(z + z, 0.0, cond=met | unknown) if p == 2 else np.where(unknown, np.nan, met).astype(dtype)
    column = (local_slopes(flat, weight, rows.shape[1], dtype) * g.reshape(-1)).reshape(-1, 1)
    grad = slope * column
    grad = _where(-unbroadcast(grad, (len(flat), 1)), grad, cond=at_labels)
    return (grad.reshape(x.shape),)


MARGINS: tuple[OpDef, ...] = (
    # each row's sum over the classes i != y of w_y max(0, margin - x_y + x_i)^p, over the classes; a term met
    # exactly (0) has slope 0 (PyTorch's kernel; relu's)
    OpDef(
        "multi_margin_loss",
        _multi_margin_vjp,
        None,
        multi_margin_loss,
        api="autograd.multi_margin_loss",
        rereads=("weight",),  # the caller's Tensor or array, read again by the rule
        formulas=(
            "∂loss/∂xᵢ = p·⟨weight: w_y·⟩max(0, zᵢ)^(p−1) / C for i ≠ y (zᵢ = margin − x_y + xᵢ > 0); at y, minus"
            " their sum",
        ),
        adds_up=True,
        half_in_float32=True,
    ),
)
