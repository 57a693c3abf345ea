"""RMSprop, Adagrad and Adadelta: optimizers that scale each weight's step by the size of its past gradients,
as torch.optim's (single-tensor updates, in place on the parameter's array)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node

from .optim_base import Optimizer, settings_given
from .optim_flush import eps_share, flush_below
from .optim_state import COUNT
from .optim_updates import add_ratio, average_square, coefficient, decayed, descend, lerp, ratio, scratch, signed


class RMSprop(Optimizer):
    """square_avg = alpha * square_avg + (1 - alpha) grad^2; the step is lr * grad / (sqrt(square_avg) + eps),
    through a momentum buffer when momentum > 0. `centered` subtracts the squared mean gradient from
    square_avg first (an estimate of the variance). weight_decay adds weight_decay * data to the gradient;
    `maximize` negates the gradient first."""

    hyperparameters = ("lr", "alpha", "eps", "weight_decay", "momentum")
    flags = ("centered", "maximize")
    limits = {"alpha": 1.0}
    slot_ranges = {"square_avg": (0.0, math.inf)}  # a sum of squares: negative, its square root is NaN
    zero_started = ("grad_avg", "momentum_buffer")

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        return {"step": ((), COUNT), **{name: (shape, dtype) for name in self._arrays()}}

    def _arrays(self) -> tuple[str, ...]:
        """The slots of the parameter's shape the settings ask for."""
        return ("square_avg",) + ("momentum_buffer",) * bool(self.momentum) + ("grad_avg",) * self.centered

    def check_loaded_slot(self, kept: dict[str, np.ndarray], where: str) -> None:
        super().check_loaded_slot(kept, where)
        if self.centered:
            # square_avg - grad_avg ** 2 (as update computes it) is a variance; below 0, its square root is NaN
            below = np.count_nonzero(kept["square_avg"] < np.square(kept["grad_avg"]))
            if below:
                raise ValueError(
                    f"{where}square_avg is below {where}grad_avg squared at {below} element(s); a centered "
                    "RMSprop's mean of squares is at least its mean squared, else the next step would make the "
                    "parameters NaN"
                )

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        # each slot the settings ask for, from zeros where missing: all of them at the first step, and one a
        # setting switched on later (centered=True: grad_avg, momentum: its buffer: zero_started) from then
        # on, where PyTorch raises a KeyError
        for name in self._arrays():
            if name not in state:
                state[name] = np.zeros_like(data)
        state.setdefault("step", 0)
        state["step"] += 1
        grad = decayed(state, data, signed(state, grad, self.maximize), self.weight_decay)
        # in place, in scratch arrays: each line computes what its comment does, in its order
        avg = scratch(state, grad, "denominator")
        square_avg = average_square(state, state["square_avg"], grad, self.alpha)
        if self.centered:
            grad_avg = state["grad_avg"]
            lerp(state, grad_avg, grad, 1 - self.alpha)  # lerp_(grad, 1 - alpha)
            np.sqrt(np.subtract(square_avg, np.square(grad_avg, out=avg), out=avg), out=avg)  # sqrt(sq - avg ** 2)
        else:
            np.sqrt(square_avg, out=avg)
        avg += self.eps
        if self.momentum:
            buffer = state["momentum_buffer"]
            buffer *= coefficient(self.momentum, buffer)
            add_ratio(state, buffer, grad, avg, 1, self.eps)  # addcdiv_(grad, avg)
            descend(state, data, buffer, self.lr)
        else:
            add_ratio(state, data, grad, avg, -self.lr, self.eps)  # addcdiv_(grad, avg, value=-lr)

    def flush(self, state: dict[str, Any]) -> None:
        """grad_avg below eps's share (its square then moves sqrt(square_avg - grad_avg**2) by less than that share),
        square_avg below the share squared where grad_avg is 0 (zeroed under a live grad_avg, the variance would
        turn negative), the momentum buffer as SGD's."""
        share = eps_share(self.eps, state["square_avg"].dtype)
        if self.centered:
            flush_below(state["grad_avg"], share)
        flush_below(state["square_avg"], share**2, np.equal(state["grad_avg"], 0) if self.centered else None)
        if self.momentum:
            flush_below(state["momentum_buffer"])


class Adagrad(Optimizer):
    """sum += grad^2; data -= lr_t * grad / (sqrt(sum) + eps), with lr_t = lr / (1 + (step - 1) * lr_decay)
    and the sum starting at initial_accumulator_value. weight_decay adds weight_decay * data to the gradient;
    `maximize` negates the gradient first."""

    # initial_accumulator_value too: it starts the sum of a parameter that no step has reached yet
    hyperparameters = ("lr", "lr_decay", "weight_decay", "eps", "initial_accumulator_value")
    constructors_only = ("initial_accumulator_value",)  # torch starts every sum at defaults[...], not a group's
    flags = ("maximize",)
    torch_options = ("foreach", "differentiable", "fused")
    slot_ranges = {"sum": (0.0, math.inf)}  # a sum of squares: negative, its square root is NaN

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        return {"step": ((), COUNT), "sum": (shape, dtype)}

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        if "sum" not in state:
            state.update(step=0, sum=np.full_like(data, self.initial_accumulator_value))
        state["step"] += 1
        grad = decayed(state, data, signed(state, grad, self.maximize), self.weight_decay)
        lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        s, denominator = scratch(state, grad), scratch(state, grad, "denominator")
        state["sum"] += np.square(grad, out=s)
        np.sqrt(state["sum"], out=denominator)
        denominator += self.eps
        add_ratio(state, data, grad, denominator, -lr, self.eps)  # addcdiv_(grad, sqrt(sum) + eps, value=-lr)


class Adadelta(Optimizer):
    """Adadelta (Zeiler), as torch.optim.Adadelta: square_avg = rho * square_avg + (1 - rho) grad^2, the
    step delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * grad, acc_delta averaging delta^2 the
    same way, and data -= lr * delta. An eps of 0 (or one that rounds to 0) meeting a square_avg of 0 gives
    a delta of 0 there, where PyTorch's is NaN (optim_updates.ratio)."""

    hyperparameters = ("lr", "rho", "eps", "weight_decay")
    flags = ("maximize",)
    up_to = {"rho": 1.0}
    slot_ranges = {"square_avg": (0.0, math.inf), "acc_delta": (0.0, math.inf)}  # averages of squares

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        return {"step": ((), COUNT), "square_avg": (shape, dtype), "acc_delta": (shape, dtype)}

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        if "square_avg" not in state:
            state.update(step=0, square_avg=np.zeros_like(data), acc_delta=np.zeros_like(data))
        state["step"] += 1
        grad = decayed(state, data, signed(state, grad, self.maximize), self.weight_decay)
        rho, square_avg, acc_delta = self.rho, state["square_avg"], state["acc_delta"]
        std, delta = scratch(state, data, "denominator"), scratch(state, data, "delta")
        average_square(state, square_avg, grad, rho)
        np.sqrt(np.add(square_avg, self.eps, out=std), out=std)
        np.sqrt(np.add(acc_delta, self.eps, out=delta), out=delta)
        ratio(state, delta, std, delta, self.eps)
        delta *= grad
        average_square(state, acc_delta, delta, rho)
        descend(state, data, delta, self.lr)  # add_(delta, alpha=-lr)

    def flush(self, state: dict[str, Any]) -> None:  # each is added to eps under its square root
        share = eps_share(self.eps, state["square_avg"].dtype)
        flush_below(state["square_avg"], share)
        flush_below(state["acc_delta"], share)
