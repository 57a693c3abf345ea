"""ASGD, averaged stochastic gradient descent (Polyak and Juditsky), as torch.optim.ASGD: SGD whose step size eta
decays with the steps taken, keeping beside each weight `ax`, the running average of the weights from step t0 on
(the averaged model, which converges where the last iterate keeps wandering)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node

from .optim_base import Optimizer, settings_given
from .optim_state import COUNT
from .optim_updates import coefficient, decayed, descend, scratch, signed

FLOAT = np.dtype(np.float64)  # eta and mu: numbers of the step, in float64 (torch's default dtype's)


class ASGD(Optimizer):
    """data *= 1 - lambd * eta; data -= eta * grad (grad + weight_decay * data with weight decay, negated with
    `maximize`); ax += mu * (data - ax) (ax = data while mu is 1); then, t being the steps taken, eta = lr /
    (1 + lambd * lr * t) ** alpha and mu = 1 / max(1, t - t0). The first eta is the lr when the weight first
    steps. The averaged weights are `optimizer.state[i]["ax"]` (the i-th Tensor's), as in PyTorch; eta and mu
    are kept in float64, where torch keeps them in its default dtype (float32 unless set otherwise: float64
    parameters 2e-9 to 2e-8 apart after 25 steps)."""

    hyperparameters = ("lr", "lambd", "alpha", "t0", "weight_decay")
    flags = ("maximize",)
    up_to = {"t0": float("inf")}  # t0 = inf, as torch takes it: never averaged (mu stays 1: ax is the weights)
    slot_ranges = {"eta": (0.0, float("inf")), "mu": (0.0, 1.0)}  # eta's a step size; mu is 1 / max(1, t - t0)

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        return {"step": ((), COUNT), "eta": ((), FLOAT), "mu": ((), FLOAT), "ax": (shape, dtype)}

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        if "ax" not in state:
            state.update(step=0, eta=self.lr, mu=1.0, ax=np.zeros_like(data))
        state["step"] += 1
        grad = decayed(state, data, signed(state, grad, self.maximize), self.weight_decay)
        eta, mu, ax = float(state["eta"]), float(state["mu"]), state["ax"]
        data *= coefficient(1 - self.lambd * eta, data)  # the decay term, mul_(1 - lambd * eta)
        descend(state, data, grad, eta)  # add_(grad, alpha=-eta)
        if mu != 1:
            s = scratch(state, data)
            np.subtract(data, ax, out=s)
            s *= coefficient(mu, s)
            ax += s  # ax.add_(param.sub(ax).mul_(mu))
        else:
            np.copyto(ax, data)
        t = state["step"]
        state["eta"] = self.lr / ((1 + self.lambd * self.lr * t) ** self.alpha)
        state["mu"] = 1 / max(1, t - self.t0)
