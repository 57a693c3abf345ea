"""The cross-entropy kernel of `autograd.compile` (see compile_kernels): its forward keeps what its
rule recomputes (the shifted logits, their exponentials and the row sums), so the backward's
softmax is one division, with the bits of `tensor_forwards.softmax`."""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor_forwards import max_kept
from .tensor_ops import check_labels

Shape = tuple[int, ...]


class CrossEntropy:
    """cross_entropy(logits, labels=...): the forward as `tensor_forwards.cross_entropy` (log_softmax
    along axis 1, then the mean of minus the labels' entries), the rule as `_cross_entropy_vjp`
    ((softmax - one hot) * (g / batch)). The labels are checked as eager checks them."""

    def __init__(self, shape: Shape, dtype: np.dtype, params: dict[str, Any]) -> None:
        self.params = params  # a replay puts each call's labels here
        self.rows = np.arange(shape[0])
        self.shifted, self.exp, self.log_p, self.grad = (np.empty(shape, dtype) for _ in range(4))
        self.total = np.empty((shape[0], 1), dtype)
        self.count = np.intp(shape[0])
        # np.mean's sum: in float32 for float16 (numpy's _mean), then its quotient in the input's dtype
        self.sum_dtype = np.dtype(np.float32) if dtype == np.float16 else None
        self.scalar = dtype.type

    def forward(self, logits: np.ndarray) -> np.ndarray:
        labels = self.params["labels"]
        check_labels(logits, labels)  # as eager refuses them
        top = max_kept(logits, 1)  # tensor_forwards._shifted
        top = np.where(np.isfinite(top), top, 0)
        shifted = np.subtract(logits, top, out=self.shifted)
        np.add.reduce(np.exp(shifted, out=self.exp), axis=1, keepdims=True, out=self.total)  # np.sum's reduce
        log_p = np.subtract(shifted, np.log(self.total), out=self.log_p)
        picked = log_p[self.rows, labels]
        return -self.scalar(np.add.reduce(picked, dtype=self.sum_dtype) / self.count)  # -np.mean(picked)

    def backward(self, g: np.ndarray, out: np.ndarray, logits: np.ndarray) -> list[Any]:
        softmax = np.divide(self.exp, self.total, out=self.grad)
        softmax[self.rows, self.params["labels"]] -= 1  # - one hot
        return [np.multiply(softmax, g / len(self.rows), out=softmax)]
