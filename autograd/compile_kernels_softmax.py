"""The cross-entropy and nll_loss kernels of `autograd.compile` (see compile_kernels): cross_entropy's
forward keeps what its rule recomputes (the shifted logits, their exponentials and the row sums), so the
backward's softmax is one division, with the bits of `tensor_forwards.softmax`; nll_loss's rule writes
into a buffer."""

from __future__ import annotations

from typing import Any

import numpy as np

from .cross_entropy_options import DEFAULTS, cross_entropy_grad, nll_grad, options_grad, options_loss, sure_labels
from .tensor_forwards import kept_rows, max_kept, minus_top, shift
from .tensor_ops import check_labels, labels_are_classes, unsigned_twin

Shape = tuple[int, ...]


class CrossEntropy:
    """cross_entropy(logits, labels=..., ignore_index=...): the forward as `tensor_forwards.cross_entropy`
    (log_softmax along axis 1, then the mean of minus the kept rows' entries at their labels), the rule
    `cross_entropy_grad` into a buffer, as a plain backward runs it. The labels are
    checked as eager checks them, and read on each call (a replay feeds them), so a batch with ignored
    labels is computed as the op computes it even when the recorded ones had none. With options (weight,
    label_smoothing, reduction) the loss and rule are cross_entropy_options's, on the same buffers."""

    one_call = None  # compile_kernels.OneCall's: its forward is more than one numpy call

    def __init__(self, shape: Shape, dtype: np.dtype, params: dict[str, Any]) -> None:
        self.params = params  # a replay puts each call's labels here
        self.options = tuple(name for name in DEFAULTS if name in params)  # weight, label_smoothing, reduction
        self.rows = np.arange(shape[0])
        self.classes = shape[1]
        self.shifted, self.exp, self.log_p, self.grad = (np.empty(shape, dtype) for _ in range(4))
        self.total, self.log_total, self.rest = (np.empty((shape[0], 1), dtype) for _ in range(3))
        self.scalar = dtype.type
        self.kept: tuple[np.ndarray, Any, np.ndarray | None] = (self.rows, None, None)  # this call's kept_rows
        self.labels_like: tuple[np.dtype, np.dtype] | None = None  # (labels' dtype, unsigned) of the last call
        self.at: np.ndarray | None = None  # this call's labels' flat indices (sure_labels'), for the rule

    def forward(self, logits: np.ndarray) -> np.ndarray:
        labels, ignore_index = self.params["labels"], self.params.get("ignore_index")
        if (ignore_index is None and self._all_classes(labels)) or (
            check_labels(logits, labels, ignore_index)  # as eager refuses them
            and (ignore_index is None or not 0 <= ignore_index < self.classes)
        ):
            self.kept = (self.rows, labels, None)  # kept_rows's answer, known without comparing the labels
        else:
            self.kept = kept_rows(labels, ignore_index)
        rows, classes, _ = self.kept
        top = shift(max_kept(logits, 1))  # tensor_forwards._shifted
        shifted = minus_top(logits, top, self.shifted)
        np.add.reduce(np.exp(shifted, out=self.exp), axis=1, keepdims=True, out=self.total)  # np.sum's reduce
        log_p = np.subtract(shifted, np.log(self.total, out=self.log_total), out=self.log_p)
        at = self.at = sure_labels(log_p, self.exp, rows, classes)  # as tensor_forwards.cross_entropy_saving
        if self.options:  # read on each call: a weight may be the caller's live Tensor
            return options_loss(log_p, self.kept, **{name: self.params[name] for name in self.options})
        if not rows.size:
            return self.scalar(np.nan)
        picked = log_p.take(at)  # log_p[rows, classes], by the flat indices sure_labels made: a fancy index fewer
        # 0 - np.mean(picked): its sum's quotient in float64 (a Python float's), rounded to the dtype; +0, not -0.0
        return self.scalar((0 - float(np.add.reduce(picked))) / rows.size)

    def _all_classes(self, labels: Any) -> bool:
        """check_labels's answer for integer labels of one per row (the check of every step), its reduction
        made without working out their unsigned twin again while their dtype is the last call's: True
        when every label is a class. Anything else (False) is check_labels's to judge."""
        if labels.__class__ is not np.ndarray or labels.shape != self.rows.shape:
            return False
        like = self.labels_like
        if like is None or labels.dtype is not like[0]:
            if labels.dtype.kind not in "iu":
                return False
            like = self.labels_like = (labels.dtype, unsigned_twin(labels.dtype))
        return labels_are_classes(labels, self.classes, like[1])

    def backward(self, g: np.ndarray, out: np.ndarray, logits: np.ndarray) -> list[Any]:
        softmax = np.divide(self.exp, self.total, out=self.grad)  # tensor_forwards.softmax's bits
        if self.options:
            options = {name: self.params[name] for name in self.options}
            return [options_grad(softmax, self.kept, g, rest=self.rest, **options)]
        return [cross_entropy_grad(softmax, self.kept, g, self.rest, self.at)]  # the labels' indices, as made


class NllLoss:
    """nll_loss(log_probs, labels=..., ignore_index=..., weight=..., reduction=...) of rows (batch, classes):
    the forward as `tensor_forwards.nll_loss`, the rule `nll_grad` into a buffer. The labels are checked as
    eager checks them and read on each call (a replay feeds them), and so is a weight (the caller's live
    Tensor or array)."""

    one_call = None  # compile_kernels.OneCall's: its forward is more than one numpy call

    def __init__(self, shape: Shape, dtype: np.dtype, params: dict[str, Any]) -> None:
        self.params = params  # a replay puts each call's labels here
        self.options = tuple(name for name in ("weight", "reduction") if name in params)
        self.grad = np.empty(shape, dtype)
        self.kept: tuple[np.ndarray, Any, np.ndarray | None] | None = None  # this call's kept_rows

    def forward(self, log_probs: np.ndarray) -> np.ndarray:
        labels, ignore_index = self.params["labels"], self.params.get("ignore_index")
        check_labels(log_probs, labels, ignore_index, "nll_loss")
        self.kept = kept_rows(labels, ignore_index)
        return options_loss(log_probs, self.kept, **{name: self.params[name] for name in self.options})

    def backward(self, g: np.ndarray, out: np.ndarray, log_probs: np.ndarray) -> list[Any]:
        return [nll_grad(g, self.kept, self.grad, **{name: self.params[name] for name in self.options})]
