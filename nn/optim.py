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
            state.update(t=0, m=np.zeros_like(data), v=np.zeros_like(data), scratch=np.empty_like(data))
        state["t"] += 1
        m, v, s, t = state["m"], state["v"], state["scratch"], state["t"]
        # in place, in one scratch array: no allocation per step
        m *= b1
        m += np.multiply(grad, 1 - b1, out=s)
        v *= b2
        np.multiply(grad, grad, out=s)
        s *= 1 - b2
        v += s
        np.sqrt(v, out=s)
        s *= 1 / np.sqrt(1 - b2**t)
        s += self.eps
        np.divide(m, s, out=s)
        s *= self.lr / (1 - b1**t)
        data -= s
        if t % 64 == 0:
            _flush_tiny(m, v)


def _flush_tiny(*arrays: np.ndarray) -> None:
    """Zero moments too small to matter. A weight whose gradient stays 0 (a pixel that is always
    blank) sees its moments decay geometrically into subnormal floats, on which arithmetic is
    many times slower; from here they would need some 175 steps to get there."""
    for a in arrays:
        np.putmask(a, np.abs(a) < np.finfo(a.dtype).tiny * 1e8, 0)


def _float(g: Any) -> float:
    return g.data if isinstance(g, Value) else float(g)
