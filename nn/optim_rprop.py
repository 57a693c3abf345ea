"""Rprop (Riedmiller and Braun), as torch.optim.Rprop: each weight keeps a step size of its own, grown by
etaplus while its gradient keeps its sign and cut by etaminus when it flips, and moves by that size
against the gradient's sign alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node

from .optim_base import Optimizer, settings_given
from .optim_state import COUNT
from .optim_updates import scratch, signed


class Rprop(Optimizer):
    """step_size *= etaplus where grad * prev > 0, etaminus where < 0 (and that gradient is then taken as
    0, so the next step does not cut again), clipped to step_sizes; data -= sign(grad) * step_size. The
    lr is each weight's first step size only, as in PyTorch: changed later (by hand or by a scheduler),
    it moves the weights that no step has reached yet, and no other."""

    hyperparameters = ("lr", "etas", "step_sizes")
    pairs = {"etas": "(etaminus, etaplus)", "step_sizes": "(min, max)"}
    flags = ("maximize",)
    slot_ranges = {"step_size": (0.0, float("inf"))}  # negative, a step would climb
    up_to = {"step_sizes": float("inf")}  # the max may be inf, as torch takes it: no bound on the step sizes

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50.0),
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def refuse_conflicts(self, settings: dict[str, Any]) -> None:
        (minus, plus), (low, high) = settings["etas"], settings["step_sizes"]
        if not 0 < minus < 1 < plus:  # PyTorch's check
            raise ValueError(
                f"Rprop: etas must be (etaminus, etaplus) with 0 < etaminus < 1 < etaplus, got {(minus, plus)}"
            )
        if low > high:  # PyTorch takes it, and clamps every step size to the max
            raise ValueError(f"Rprop: step_sizes must be (min, max) with min <= max, got {(low, high)}")

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        return {"step": ((), COUNT), "prev": (shape, dtype), "step_size": (shape, dtype)}

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        if "prev" not in state:
            state.update(step=0, prev=np.zeros_like(data), step_size=np.full_like(data, self.lr))
        state["step"] += 1
        grad = signed(state, grad, self.maximize)
        (minus, plus), (low, high), prev, size = self.etas, self.step_sizes, state["prev"], state["step_size"]
        factor, s = scratch(state, data, "factor"), scratch(state, data)
        flipped, mask = scratch(state, data, "flipped", bool), scratch(state, data, "mask", bool)
        np.multiply(grad, prev, out=factor)  # its sign, as PyTorch's: a product that underflows to 0 is 0
        np.less(factor, 0, out=flipped)
        np.copyto(factor, plus, where=np.greater(factor, 0, out=mask))
        np.copyto(factor, minus, where=flipped)
        np.copyto(factor, 1, where=np.equal(factor, 0, out=mask))  # no NaN: the gradients are finite (optim_finite)
        size *= factor
        np.clip(size, low, high, out=size)
        np.copyto(prev, grad)
        np.copyto(prev, 0, where=flipped)
        data -= np.multiply(np.sign(prev, out=s), size, out=s)  # addcmul_(sign(grad), step_size, value=-1)
