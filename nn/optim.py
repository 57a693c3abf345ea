"""Optimizers for Value and Tensor parameters alike: SGD (momentum, weight decay) and Adam.

Each update is written once, on numpy arrays, in place: a Tensor's data is its array; the
Values of a model are packed into one array for the update and written back after it.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, ShapeError, Tensor, Value, zero_grad


class Optimizer:
    def __init__(self, params: Iterable[Node], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, Node):
            raise TypeError(f"{name} takes a list of parameters, got one {type(params).__name__}: write {name}([w])")
        params = list(params)
        if not params:
            raise ValueError(f"{name} got no parameters (did the model build any?)")
        for p in params:
            if not (isinstance(p, Value) or (isinstance(p, Tensor) and p.requires_grad)):
                raise TypeError(f"{name} takes Values and Tensors that require grad, got {p!r}")
            if p.op is not None:
                raise ValueError(
                    f"{name}: {p!r} is not a leaf (the op {p.op.name!r} made it), so no gradient is kept on it; "
                    "give the leaf parameters it was computed from"
                )
        unique = list({id(p): p for p in params}.values())
        if len(unique) < len(params):
            warnings.warn(f"{name} got the same parameter twice; it is updated once", UserWarning, stacklevel=3)
        self.params = unique
        self.tensors = [p for p in unique if isinstance(p, Tensor)]
        self.values = [p for p in unique if isinstance(p, Value)]
        self.lr = _checked(self, "lr", lr)
        self.state: dict[Any, dict[str, Any]] = {}

    def zero_grad(self) -> None:
        zero_grad(self.params)

    def step(self) -> None:
        """Update every parameter from its `.grad` (a Tensor that no backward reached is left alone)."""
        for i, t in enumerate(self.tensors):
            if t.grad is not None:
                if np.shape(t.grad) != t.shape:
                    raise ShapeError(
                        f"{type(self).__name__}: a gradient of shape {np.shape(t.grad)} for a parameter of shape "
                        f"{t.shape} ({t!r}); a gradient has its parameter's shape"
                    )
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
        self.momentum = _checked(self, "momentum", momentum)
        self.weight_decay = _checked(self, "weight_decay", weight_decay)

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
    """Adam (Kingma and Ba), with bias correction as in PyTorch; weight decay added to the gradient (L2, not AdamW).

    eps may be 0 (pure Adam): where the denominator sqrt(v) + eps is then 0, no gradient was ever
    seen (or none big enough to square in this dtype), and the step is 0 there, where PyTorch's is
    0/0 = NaN.
    """

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not (isinstance(betas, tuple | list) and len(betas) == 2):
            raise TypeError(f"{type(self).__name__}: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = tuple(_checked(self, "betas", b, below=1.0) for b in betas)
        self.eps = _checked(self, "eps", eps)
        self.weight_decay = _checked(self, "weight_decay", weight_decay)

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
        # an eps of 0 in this dtype lets s be 0 where v is: the step stays 0 there (s is), not m / 0
        np.divide(m, s, out=s, where=s != 0 if s.dtype.type(self.eps) == 0 else True)
        s *= self.lr / (1 - b1**t)
        data -= s
        if t % 64 == 0:
            _flush_tiny(m, v)


def _flush_tiny(m: np.ndarray, v: np.ndarray) -> None:
    """Zero moments too small to matter. A weight whose gradient stays 0 (a pixel that is always
    blank) sees its moments decay geometrically into subnormal floats, on which arithmetic is
    many times slower; from here they would need some 175 steps to get there. v is zeroed only
    where m is 0 too: under a live m that would turn m / sqrt(v) (of order 1) into m / eps. A tiny
    m beside v not tiny, or both tiny, gives m / sqrt(v) below 1e-7 even in float32: negligible."""
    tiny = np.finfo(m.dtype).tiny * 1e8
    np.putmask(m, np.abs(m) < tiny, 0)
    np.putmask(v, (v < tiny) & (m == 0), 0)


def _checked(owner: Any, name: str, value: Any, below: float = math.inf) -> float:
    """`value`, a real number in [0, below) (NaN is not), or an error naming `owner`'s argument."""
    owner = type(owner).__name__
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}")
    if not 0 <= value < below:
        limit = "a finite number >= 0" if below == math.inf else f"in [0, {below:g})"
        raise ValueError(f"{owner}: {name} must be {limit}, got {value!r}")
    return value


def _float(g: Any) -> float:
    return g.data if isinstance(g, Value) else float(g)
