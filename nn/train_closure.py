"""fit's step for an optimizer whose step evaluates the loss itself, as often as it needs (LBFGS's
`step(closure)`, `needs_closure`): the closure is the eager step's forward, loss and backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import gc_paused

from .module import Module
from .optim import Optimizer
from .train_steps import Loss, Step, _copies, _gradients_named, finite_loss, forward, put_back


def closure_step(model: Module, loss: Loss, optimizer: Optimizer, slots: list[tuple[Module, str]]) -> Step:
    """step(xb, yb, ctrl_c, epoch, batch) -> (loss, outputs) of the closure's first call: the model's loss
    and outputs before the step moves anything, as the other optimizers' steps report them (and as
    torch's LBFGS returns its first loss). A loss that is not finite stops the step with fit's message;
    the optimizer then puts its parameters and state back (LBFGS does, whatever the closure raises),
    and the buffers its forwards changed are put back here (BatchNorm's running statistics, moved once
    per evaluation, as in PyTorch)."""

    def step(xb: np.ndarray, yb: np.ndarray, ctrl_c: Any, epoch: int, batch: int) -> tuple[float, Any]:
        first: list[tuple[float, Any]] = []

        def closure() -> Any:
            out = forward(model, xb)
            value = loss(out, yb)
            number = finite_loss(value, model, epoch, batch)
            optimizer.zero_grad()
            value.backward()
            if not first:
                first.append((number, out))
            return value

        with gc_paused():  # the step's graphs have no cycles: the collector would only rescan them
            saved = _copies(slots)
            try:
                with ctrl_c.held(), _gradients_named(model, epoch, batch, saved):
                    optimizer.step(closure)
            except BaseException:
                put_back(saved)
                raise
        return first[0]

    return step
