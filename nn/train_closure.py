"""fit's step for an optimizer whose step evaluates the loss itself, as often as it needs (LBFGS's
`step(closure)`, `needs_closure`, or a step of the user's own that requires its closure): the closure is the
eager step's forward, loss and backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import gc_paused

from .module import Module
from .optim import Optimizer
from .step_undo import buffer_copies, put_back
from .train_numbers import finite_loss
from .train_steps import Loss, Step, _gradients_named, forward


def closure_step(model: Module, loss: Loss, optimizer: Optimizer, slots: list[tuple[Module, str]]) -> Step:
    """step(xb, yb, ctrl_c, epoch, batch) -> (loss, outputs) of the closure's first call: the model's loss
    and outputs before the step moves anything, as the other optimizers' steps report them (and as
    torch's LBFGS returns its first loss). A step that fails (a loss that is not finite at any evaluation, with
    fit's message; an error in the optimizer) leaves the model the one of the step before: its weights and the
    buffers its forwards changed (BatchNorm's running statistics, moved once per evaluation, as in PyTorch) are
    put back here, whatever the optimizer puts back itself (LBFGS puts back its parameters and its state). A second
    Ctrl-C raises once the step is whole, and the step stays made."""
    name = type(optimizer).__name__

    def step(xb: np.ndarray, yb: np.ndarray, ctrl_c: Any, epoch: int, batch: int) -> tuple[float, Any]:
        first: list[tuple[float, Any]] = []
        evaluations = 0

        def closure() -> Any:
            nonlocal evaluations
            evaluations += 1
            out = forward(model, xb)
            value = loss(out, yb)
            if evaluations == 1:  # at the model's own weights: finite_loss says why where it can
                number = finite_loss(value, model, epoch, batch)
            else:  # at weights the step tried, which are not kept
                number = finite_loss(value, model, epoch, batch, tried=f"evaluation {evaluations} of {name}.step")
            optimizer.zero_grad()
            value.backward()
            if not first:
                first.append((number, out))
            return value

        with gc_paused():  # the step's graphs have no cycles: the collector would only rescan them
            saved, weights = buffer_copies(slots), _weights(model)
            with ctrl_c.held():  # a second Ctrl-C raises when the step is whole, outside the put-back below
                try:
                    with _gradients_named(model, epoch, batch):
                        optimizer.step(closure)
                    if not first:
                        raise TypeError(
                            f"fit: {name}.step(closure) returned without calling the closure, so there is no loss "
                            "of the step to report: a step that takes a closure calls it (it is the forward, the "
                            "loss and the backward)"
                        )
                except BaseException:
                    put_back(saved)
                    _put_weights_back(weights)
                    raise
        return first[0]

    return step


def _weights(model: Module) -> list[tuple[Any, Any, Any]]:
    """Each parameter, its data object and a copy of its numbers, for `_put_weights_back`."""
    return [(p, p.data, np.array(p.data) if isinstance(p.data, np.ndarray) else p.data) for p in model.parameters()]


def _put_weights_back(weights: list[tuple[Any, Any, Any]]) -> None:
    """Give each parameter its data object and numbers back, whether the step wrote into it or assigned it anew."""
    for p, data, values in weights:
        if not isinstance(data, np.ndarray):  # a Value's number
            p.data = values
            continue
        if data.flags.writeable and not np.array_equal(data, values, equal_nan=True):
            data[...] = values
        p.data = data
