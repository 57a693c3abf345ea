"""`fit`'s training step, eager or compiled (`autograd.compile`), and an epoch of them."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import CompileWarning, Tensor, Value, gc_paused

from .module import Module
from .optim import Optimizer

Loss = Callable[[Any, Any], Any]
Metric = Callable[[Any, Any], float]
Step = Callable[[np.ndarray, np.ndarray, Any, int, int], tuple[float, Any]]


def forward(model: Module, X: np.ndarray) -> Any:
    """The model on a batch: a Tensor model gets the batch as a Tensor; a Value model (micrograd's
    MLP) gets one row at a time, and gives a list of Values."""
    if is_scalar(model):
        return [model(list(row)) for row in np.asarray(X).tolist()]
    return model(Tensor(X))


def training_step(model: Module, loss: Loss, optimizer: Optimizer, compile: bool) -> Step:  # noqa: A002
    """step(xb, yb, ctrl_c, epoch, batch) -> (loss, outputs): forward, loss (checked finite before
    anything changes), zero_grad, backward, optimizer step (whole, whatever Ctrl-C does). Compiled,
    the step is recorded per batch shape (the last, smaller batch of an epoch too) and replayed."""
    if compile and next(model.named_buffers(), None) is not None:
        warnings.warn(
            "fit(compile=True): the model has buffers (BatchNorm's running statistics), which its steps update "
            "outside the graph, where a replay would not: training eagerly",
            CompileWarning,
            stacklevel=3,
        )
    elif compile:
        return _compiled_step(model, loss, optimizer)

    def step(xb: np.ndarray, yb: np.ndarray, ctrl_c: Any, epoch: int, batch: int) -> tuple[float, Any]:
        with gc_paused():  # the step's graph has no cycles: the collector would only rescan it
            out = forward(model, xb)
            value = loss(out, yb)
            number = finite_loss(value, epoch, batch)
            optimizer.zero_grad()
            value.backward()
            with ctrl_c.held():
                optimizer.step()
        return number, out

    return step


def _compiled_step(model: Module, loss: Loss, optimizer: Optimizer) -> Step:
    at = [0, 0]  # the epoch and batch of the step being taken, for a non-finite loss's message

    def recorded(x: Tensor, y: np.ndarray) -> tuple[Any, Any]:
        out = model(x)
        value = loss(out, y)
        finite_loss(value, *at)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        return value, out

    compiled = autograd.compile(recorded, check=lambda result: finite_loss(result[0], *at))

    def step(xb: np.ndarray, yb: np.ndarray, ctrl_c: Any, epoch: int, batch: int) -> tuple[float, Any]:
        at[:] = epoch, batch
        with gc_paused(), ctrl_c.held():
            value, out = compiled(Tensor(xb), yb)
        return number_of(value), out

    return step


def train_epoch(
    step: Step, steps: Any, metric: Metric | None, ctrl_c: Any, epoch: int
) -> tuple[list[float], list[float]]:
    """One pass over the batches, cut short by a Ctrl-C: the loss and the metric of each step."""
    losses, scores = [], []
    for xb, yb in steps:
        number, out = step(xb, yb, ctrl_c, epoch, len(losses) + 1)
        losses.append(number)
        if metric:
            scores.append(metric(out, yb))
        if ctrl_c.stop:
            break
    return losses, scores


def finite_loss(value: Any, epoch: int, batch: int) -> float:
    """The loss's number, if the loss is a node and the number finite: a step on a NaN loss would make the
    parameters NaN."""
    if not isinstance(value, Tensor | Value):
        raise TypeError(
            f"fit: the loss returned {type(value).__name__} {value!r}, not a Value or Tensor: "
            "compute it from the model's outputs (e.g. nn.functional.cross_entropy)"
        )
    number = number_of(value)
    if not math.isfinite(number):
        raise FloatingPointError(
            f"fit: the loss is {number} in epoch {epoch}, batch {batch}; the model keeps the weights of the "
            "step before. Lower the learning rate, or find the op with autograd.detect_anomaly()"
        )
    return number


def is_scalar(model: Module) -> bool:
    params = model.parameters()
    return bool(params) and isinstance(params[0], Value)


def number_of(x: Any) -> float:
    return float(x.data) if isinstance(x, (Value, Tensor)) else float(x)
