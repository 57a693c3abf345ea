"""Optimizers for Value and Tensor parameters alike: SGD (momentum, weight decay) and Adam.

Each update is written once, on numpy arrays, in place: a Tensor's data is its array; the
Values of a model are packed into one array for the update and written back after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, zero_grad


class Optimizer:
    def __init__(self, params: Iterable[Node], lr: float) -> None:
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got no parameters (did the model build any?)")
        for p in params:
            if not (isinstance(p, Value) or (isinstance(p, Tensor) and p.requires_grad)):
                raise TypeError(f"{type(self).__name__} takes Values and Tensors that require grad, got {p!r}")
        self.params = params
        self.tensors = [p for p in params if isinstance(p, Tensor)]
        self.values = [p for p in params if isinstance(p, Value)]
        self.lr = lr
        self.state: dict[Any, dict[str, Any]] = {}

    def zero_grad(self) -> None:
        zero_grad(self.params)

    def step(self) -> None:
        """Update every parameter from its `.grad` (a Tensor that no backward reached is left alone)."""
        for i, t in enumerate(self.tensors):
            if t.grad is not None:
                data = t.data
                self.update(self.state.setdefault(i, {}), data, t.grad)
                t.data = data  # the array changed in place: tell the version counter
        if self.values:
            data = np.fromiter((v.data for v in self.values), float, len(self.values))
            grad = np.fromiter((_float(v.grad) for v in self.values), float, len(self.values))
            self.update(self.state.setdefault("values", {}), data, grad)
            for v, x in zip(self.values, data.tolist()):
                v.data = x

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        """Change `data` in place from `grad`, keeping whatever this optimizer needs in `state`."""
        raise NotImplementedError


class SGD(Optimizer):
    """data -= lr * (grad + weight_decay * data), through a momentum buffer when momentum > 0."""

    def __init__(
        self, params: Iterable[Node], lr: float = 0.01, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if self.momentum:
            if "buffer" in state:
                state["buffer"] *= self.momentum
                state["buffer"] += grad
            else:
                state["buffer"] = np.array(grad, dtype=data.dtype)
            grad = state["buffer"]
        data -= self.lr * grad


class Adam(Optimizer):
    """Adam (Kingma and Ba), with bias correction as in PyTorch; weight decay added to the gradient."""

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        b1, b2 = self.betas
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if not state:
            state.update(t=0, m=np.zeros_like(data), v=np.zeros_like(data))
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        m *= b1
        m += (1 - b1) * grad
        v *= b2
        v += (1 - b2) * grad * grad
        denominator = np.sqrt(v)
        denominator /= np.sqrt(1 - b2**t)
        denominator += self.eps
        data -= (self.lr / (1 - b1**t)) * m / denominator


def _float(g: Any) -> float:
    return g.data if isinstance(g, Value) else float(g)
