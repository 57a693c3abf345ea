"""fit's step for an optimizer whose step evaluates the loss itself, as often as it needs (LBFGS's
`step(closure)`, `needs_closure`, or a step of the user's own that requires its closure): the closure is the
eager step's forward, loss and backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import gc_paused

from .module import Module
from .optim import Optimizer
from .step_undo import buffer_copies, parameter_copies, undone_if_raises
from .train_numbers import finite_loss
from .train_steps import Loss, Step, _gradients_named, forward


def closure_step(model: Module, loss: Loss, optimizer: Optimizer, slots: list[tuple[Module, str]]) -> Step:
    """step(xb, yb, ctrl_c, epoch, batch) -> (loss, outputs) of the closure's first call: the model's loss and outputs
    before the step moves anything, as the other optimizers' steps report them (and as torch's LBFGS returns its
    first loss). A step that fails (a loss that is not finite at any evaluation, with fit's message; an error in the
    optimizer) leaves the model the one of the step before: its weights and the buffers its forwards changed
    (BatchNorm's running statistics, moved once per evaluation, as in PyTorch) are put back (nn.step_undo, as for the
    other steps; a model of Values too), whatever the optimizer puts back itself (LBFGS puts back its parameters and
    its state). A second Ctrl-C raises once the step is whole, and the step stays made."""
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
            saved = buffer_copies(slots) + parameter_copies(model)
            # a second Ctrl-C raises when the step is whole, outside the put-back
            with ctrl_c.held(), undone_if_raises(saved):  # the parameters kept whole: their rows not noted
                with _gradients_named(model, epoch, batch):
                    optimizer.step(closure)
                if not first:
                    raise TypeError(
                        f"fit: {name}.step(closure) returned without calling the closure, so there is no loss "
                        "of the step to report: a step that takes a closure calls it (it is the forward, the "
                        "loss and the backward)"
                    )
        return first[0]

    return step
