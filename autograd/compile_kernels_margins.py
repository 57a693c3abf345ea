"""multi_margin_loss's kernel for `autograd.compile` (see compile_kernels): the op's forward and rule on
arrays (autograd.multi_margin), computed into buffers kept from one replay to the next."""

from __future__ import annotations

from typing import Any

import numpy as np

from .multi_margin import multi_margin_grad, multi_margin_loss
from .tensor_ops import check_labels

Shape = tuple[int, ...]


class MultiMargin:
    """multi_margin_loss(scores, labels=..., p=..., margin=..., weight=...) of rows (batch, classes): the
    labels checked as eager checks them and read on each call (a replay feeds them), and so is a weight (the
    caller's live Tensor or array); the terms and the gradient written into the kernel's buffers."""

    one_call = None  # compile_kernels.OneCall's: its forward is more than one numpy call

    def __init__(self, shape: Shape, dtype: np.dtype, params: dict[str, Any]) -> None:
        self.params = params  # a replay puts each call's labels here
        self.terms, self.grad = np.empty(shape, dtype), np.empty(shape, dtype)

    def forward(self, scores: np.ndarray) -> np.ndarray:
        check_labels(scores, self.params["labels"], None, "multi_margin_loss")
        return multi_margin_loss(scores, **self.params, out=self.terms)

    def backward(self, g: np.ndarray, out: np.ndarray, scores: np.ndarray) -> list[Any]:
        return [multi_margin_grad(g, scores, **self.params, out=self.grad)]
