"""Optimizers for Value and Tensor parameters alike: SGD (momentum, dampening, Nesterov, weight
decay), Adam and AdamW; RMSprop, Adagrad and Adadelta are in nn.optim_adaptive, Adamax, NAdam and RAdam
in nn.optim_adam_family, Rprop in nn.optim_rprop, ASGD in nn.optim_asgd,
Adafactor in nn.optim_adafactor, the base in nn.optim_base.

Each update is written once, on numpy arrays, in place, as PyTorch's single-tensor updates: a
Tensor's data is its array; the Values of a model are packed into one array for the update and
written back after it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node

from .optim_adafactor import Adafactor
from .optim_adam_family import Adamax, NAdam, RAdam
from .optim_adaptive import Adadelta, Adagrad, RMSprop
from .optim_asgd import ASGD
from .optim_base import Optimizer, settings_given
from .optim_flush import flush_below, flush_moments
from .optim_rprop import Rprop
from .optim_state import COUNT
from .optim_updates import (
    add_scaled,
    coefficient,
    decayed,
    descend,
    ratio,
    scratch,
    signed,
    weight_decayed,
)

__all__ = [
    "ASGD",
    "Adafactor",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
]


class SGD(Optimizer):
    """data -= lr * (grad + weight_decay * data), through a momentum buffer when momentum > 0:
    buffer = momentum * buffer + (1 - dampening) * grad (the first step: the gradient itself), and
    the step is the buffer or, with `nesterov`, grad + momentum * buffer. With `maximize`, the gradient is
    negated first (the step climbs). As torch.optim.SGD, but for the default lr: 0.01 where
    torch 2.13's is 1e-3."""

    hyperparameters = ("lr", "momentum", "dampening", "weight_decay")
    flags = ("nesterov", "maximize")
    torch_options = ("foreach", "differentiable", "fused")

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 0.01,
        momentum: float = 0.0,
        *,  # torch.optim.SGD's fourth is dampening, chainrule's was weight_decay: by keyword, neither is misread
        weight_decay: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def refuse_conflicts(self, settings: dict[str, Any]) -> None:
        momentum, dampening = settings["momentum"], settings["dampening"]
        if settings["nesterov"] and (not momentum or dampening):
            raise ValueError(
                f"SGD: Nesterov momentum needs a momentum > 0 and no dampening, got momentum {momentum!r} "
                f"and dampening {dampening!r}"
            )

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        return {"buffer": (shape, dtype)} if self.momentum else {}

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        if self.maximize or self.weight_decay:  # each its own pass; neither is the default step's two calls a tensor
            grad = decayed(state, data, signed(state, grad, self.maximize), self.weight_decay)
        if self.momentum:
            buffer = state.get("buffer")
            if buffer is None:
                buffer = state["buffer"] = np.array(grad, dtype=data.dtype)
            else:
                buffer *= coefficient(self.momentum, buffer)
                if self.dampening:
                    add_scaled(state, buffer, buffer, grad, 1 - self.dampening)
                else:
                    buffer += grad
            if self.nesterov:  # grad + momentum * buffer
                ahead = scratch(state, grad, "nesterov", np.result_type(grad, buffer))
                grad = add_scaled(state, ahead, grad, buffer, self.momentum)
            else:
                grad = buffer
        descend(state, data, grad, self.lr)

    def flush(self, state: dict[str, Any]) -> None:
        if self.momentum:  # the step is lr * buffer: a value below tiny * 1e8 moves no weight above 1e-22
            flush_below(state["buffer"])


class Adam(Optimizer):
    """Adam (Kingma and Ba), with bias correction as in PyTorch; weight decay added to the gradient (L2),
    or with `decoupled_weight_decay` taken from the weights themselves (AdamW). `amsgrad` divides by the
    running maximum of the second moment `v_max` (Reddi et al.), `maximize` negates the gradient first.

    eps may be 0 (pure Adam), and rounds to 0 in float16: where the denominator sqrt(v) + eps is then
    0, no gradient was ever seen (or none big enough to square in this dtype), and the step is 0 there
    (optim_updates.ratio), where PyTorch's is NaN or inf.
    """

    hyperparameters = ("lr", "betas", "eps", "weight_decay")
    pairs = {"betas": "(beta1, beta2)"}
    limits = {"betas": 1.0}
    flags: tuple[str, ...] = ("amsgrad", "maximize", "decoupled_weight_decay")
    torch_options = ("foreach", "capturable", "differentiable", "fused")
    slot_ranges = {"v": (0.0, math.inf), "v_max": (0.0, math.inf)}  # sums of squares: negative, a root is NaN
    zero_started = ("v_max",)

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        return {"t": ((), COUNT), "m": (shape, dtype), "v": (shape, dtype)} | (
            {"v_max": (shape, dtype)} if self.amsgrad else {}
        )

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        grad = signed(state, grad, self.maximize)
        grad = weight_decayed(state, data, grad, self.weight_decay, self.decoupled_weight_decay, self.lr)
        b1, b2 = self.betas
        if "m" not in state:
            state.update(t=0, m=np.zeros_like(data), v=np.zeros_like(data))
        if self.amsgrad and "v_max" not in state:  # the first step, or amsgrad switched on since (zero_started)
            state["v_max"] = np.zeros_like(data)
        state["t"] += 1
        m, v, s, t = state["m"], state["v"], scratch(state, data), state["t"]
        # twelve passes over the parameter, in place, in one scratch array: no allocation per step. The betas as
        # `coefficient` gives them (numpy rounded beta2 0.999 to 0.99902 for a float16 parameter)
        m *= coefficient(b1, m)
        m += np.multiply(grad, coefficient(1 - b1, grad), out=s)
        v *= coefficient(b2, v)
        v += np.multiply(np.square(grad, out=s), coefficient(1 - b2, s), out=s)
        # amsgrad: the denominator takes the largest v yet (NaN kept, as torch.maximum keeps it)
        second = np.maximum(state["v_max"], v, out=state["v_max"]) if self.amsgrad else v
        # lr / (1 - b1**t) * m / (sqrt(v) / root + eps) as PyTorch, root = sqrt(1 - b2**t) moved out of
        # the denominator (its eps and the step size take it): a pass fewer. Python floats, not numpy's
        # float64 (a strong type), keep every pass in the parameter's dtype, without float64 buffers
        root = math.sqrt(1 - b2**t)
        eps = self.eps * root
        np.sqrt(second, out=s)
        s += eps
        ratio(state, m, s, s, eps)  # an eps of 0 in this dtype lets s be 0 where v is (and m): the step is 0 there
        s *= coefficient(self.lr * root / (1 - b1**t), s)
        data -= s

    def flush(self, state: dict[str, Any]) -> None:
        t, m = state["t"], state["m"]
        bound, eps = self.eps * (1 - self.betas[0] ** t), self.eps * math.sqrt(1 - self.betas[1] ** t)
        flush_moments(m, state["v"], bound, eps)
        if self.amsgrad:  # a running maximum of tiny squares never decays: flushed by the same bound
            flush_moments(m, state["v_max"], bound, eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW: each step first
    shrinks the weights, data *= 1 - lr * weight_decay, then takes Adam's step on the gradient alone
    (Adam with decoupled_weight_decay=True, which AdamW does not take as an argument, as PyTorch's)."""

    flags = ("amsgrad", "maximize")
    decoupled_weight_decay = True
    fixed_settings = {"decoupled_weight_decay": True}
    fixed_settings_why = "make an nn.Adam, whose decoupled_weight_decay is a setting, to turn it off"

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        Optimizer.__init__(self, params, **settings_given(locals()))
