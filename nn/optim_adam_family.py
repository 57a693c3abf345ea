"""Adamax, NAdam and RAdam: Adam's relatives, as torch.optim's (their single-tensor updates, each pass in
PyTorch's order, in place on the parameter's array and in scratch arrays: a step allocates nothing).

Where a denominator is 0 (an eps of 0, or one that rounds to 0 in float16, meeting a weight that saw no
gradient), the step is 0 there, as in nn.Adam, where PyTorch's is NaN or inf (optim_updates.ratio)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node

from .optim_base import Optimizer, settings_given
from .optim_flush import flush_moments
from .optim_state import COUNT
from .optim_updates import add_ratio, average_square, coefficient, lerp, ratio, scratch, signed, weight_decayed

Slots = dict[str, tuple[tuple[int, ...], np.dtype]]


class _Moments(Optimizer):
    """What the three share: lr, betas, eps, weight_decay and maximize, and a step count and first moment
    `exp_avg` per parameter (with `second`, the slot of the parameter's shape each keeps besides)."""

    hyperparameters: tuple[str, ...] = ("lr", "betas", "eps", "weight_decay")
    pairs = {"betas": "(beta1, beta2)"}
    limits = {"betas": 1.0}
    flags: tuple[str, ...] = ("maximize",)
    decoupled_weight_decay = False  # NAdam's and RAdam's flag; Adamax's decay is always L2
    second = "exp_avg_sq"
    slot_ranges = {"exp_avg_sq": (0.0, math.inf)}  # a sum of squares: negative, its square root is NaN

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> Slots:
        return {"step": ((), COUNT), "exp_avg": (shape, dtype), self.second: (shape, dtype)}

    def started(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> tuple[int, np.ndarray]:
        """The step's count (counted), and its gradient: negated with maximize, weight_decay * data added
        (L2, unless decoupled: then the weights shrink first), and averaged into exp_avg."""
        if "exp_avg" not in state:
            state.update(step=0, exp_avg=np.zeros_like(data), **{self.second: np.zeros_like(data)})
        state["step"] += 1
        grad = signed(state, grad, self.maximize)
        grad = weight_decayed(state, data, grad, self.weight_decay, self.decoupled_weight_decay, self.lr)
        lerp(state, state["exp_avg"], grad, 1 - self.betas[0])
        return state["step"], grad

    def squares(self, state: dict[str, Any], grad: np.ndarray) -> np.ndarray:
        """exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad, in PyTorch's order."""
        return average_square(state, state["exp_avg_sq"], grad, self.betas[1])


class Adamax(_Moments):
    """Adam with the infinity norm (Kingma and Ba, section 7), as torch.optim.Adamax: exp_inf =
    max(beta2 * exp_inf, |grad| + eps), and data -= lr / (1 - beta1**t) * exp_avg / exp_inf."""

    second = "exp_inf"
    slot_ranges = {"exp_inf": (0.0, math.inf)}  # a maximum of absolute values

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        t, grad = self.started(state, data, grad)
        (b1, b2), m, u = self.betas, state["exp_avg"], state["exp_inf"]
        s = scratch(state, data)
        u *= coefficient(b2, u)
        np.abs(grad, out=s)
        s += self.eps
        np.maximum(u, s, out=u)
        clr = self.lr / (1 - b1**t)
        add_ratio(state, data, m, u, -clr, self.eps)  # addcdiv_(m, u, value=-clr)

    def flush(self, state: dict[str, Any]) -> None:  # exp_inf >= eps: only exp_avg decays unbounded
        flush_moments(state["exp_avg"], None, self.eps * (1 - self.betas[0] ** state["step"]), 0.0)


class NAdam(_Moments):
    """Adam with Nesterov momentum (Dozat), as torch.optim.NAdam: a momentum schedule mu_t = beta1 (1 -
    0.5 * 0.96**(t * momentum_decay)), and the step from both the gradient and exp_avg, each by its share
    of the product of the mu's. That product, `mu_product`, is kept in float64 whatever the parameter's
    dtype (PyTorch keeps it in its default dtype, float32 unless set: a step size about 1e-7 off)."""

    hyperparameters = ("lr", "betas", "eps", "weight_decay", "momentum_decay")
    flags = ("decoupled_weight_decay", "maximize")

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> Slots:
        return {**super().slot_layout(shape, dtype), "mu_product": ((), np.dtype(np.float64))}

    def check_loaded_slot(self, kept: dict[str, np.ndarray], where: str) -> None:
        super().check_loaded_slot(kept, where)
        product = kept["mu_product"].item()
        if not 0 <= product < 1:  # each mu is below beta1 < 1; at 1 the step divides by 1 - mu_product = 0
            raise ValueError(
                f"{where}mu_product is {product!r}; a product of momentum factors each below 1 is in [0, 1), "
                "else the next step would make the parameters NaN"
            )

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        t, grad = self.started(state, data, grad)
        (b1, b2), v, lr = self.betas, self.squares(state, grad), self.lr
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * self.momentum_decay))
        product = float(state.get("mu_product", 1.0)) * mu
        # at most 2**-54 (from step 48 at the defaults), 1 - product and 1 - product * mu_next are exactly 1: the
        # product is 0 to the step from then on, and is kept 0, where it decayed into the subnormals (from step 976)
        # and stayed at 5e-324 while mu > 0.5, each step's multiply 4.6 times slower (135 ns, not 29), no number changed
        product = state["mu_product"] = product if product > 2.0**-54 else 0.0
        denominator = scratch(state, data, "denominator")
        np.divide(v, coefficient(1 - b2**t, v), out=denominator)
        np.sqrt(denominator, out=denominator)
        denominator += self.eps
        # addcdiv_(grad, denominator, value=...), then addcdiv_(exp_avg, denominator, value=...)
        add_ratio(state, data, grad, denominator, -lr * (1.0 - mu) / (1.0 - product), self.eps)
        add_ratio(state, data, state["exp_avg"], denominator, (-lr * mu_next) / (1.0 - product * mu_next), self.eps)

    def flush(self, state: dict[str, Any]) -> None:
        # the step is exp_avg / (sqrt(v) / root + eps), by at most lr / (1 - beta1**t): Adam's bounds
        (b1, b2), t = self.betas, state["step"]
        flush_moments(state["exp_avg"], state["exp_avg_sq"], self.eps * (1 - b1**t), self.eps * math.sqrt(1 - b2**t))


class RAdam(_Moments):
    """Adam with its variance rectified (Liu et al.), as torch.optim.RAdam: while the length of the
    approximated moving average, rho_t, is at most 5 the step is lr * exp_avg / (1 - beta1**t) alone (SGD
    with momentum); after, Adam's step times the rectification term."""

    flags = ("decoupled_weight_decay", "maximize")

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        t, grad = self.started(state, data, grad)
        (b1, b2), v = self.betas, self.squares(state, grad)
        bias1, bias2 = 1 - b1**t, 1 - b2**t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * (b2**t) / bias2
        s = scratch(state, data)
        np.divide(state["exp_avg"], coefficient(bias1, s), out=s)
        s *= coefficient(self.lr, s)
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = scratch(state, data, "denominator")
            np.sqrt(v, out=adaptive)
            adaptive += self.eps
            s *= ratio(state, bias2**0.5, adaptive, adaptive, self.eps)  # sqrt(bias2) / (sqrt(v) + eps)
            s *= coefficient(rect, s)
        data -= s

    def flush(self, state: dict[str, Any]) -> None:
        # the step is at most lr * exp_avg / (bias1 * eps): Adam's bound, v beside eps alone
        bias1 = 1 - self.betas[0] ** state["step"]
        flush_moments(state["exp_avg"], state["exp_avg_sq"], self.eps * bias1, self.eps)
