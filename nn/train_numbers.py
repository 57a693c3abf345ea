"""The numbers a training step gives, checked: the loss's one number, finite (else FloatingPointError naming the
parameter an earlier step made non-finite, if one did), and a metric's one finite number."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import ShapeError, Tensor, Value, type_name

from .arguments import one_number, shown
from .module import Module

Metric = Callable[[Any, Any], float]


def metric_number(owner: str, metric: Metric, value: Any, where: str) -> float:
    """A metric's result as a float, if it is one finite real number (a Python or numpy number, or an
    array or tensor holding one): a History of anything else would not average, plot or compare.
    TypeError or ValueError naming the metric and `where` (examples, or an epoch's batch)."""
    number = one_number(value, bools=True)  # a bool: a fraction right, of one example
    if number is None:
        data = autograd.raw(value)
        shape = f" of shape {np.shape(data)}" if isinstance(data, np.ndarray) else ""
        raise TypeError(
            f"{owner}: the metric {_name(metric)} returned {type_name(value)}{shape} {shown(value)} on {where}, "
            "not one number: return a float (e.g. float(...) or .item() of a one-element result)"
        )
    if not math.isfinite(number):
        raise ValueError(
            f"{owner}: the metric {_name(metric)} returned {number} on {where}, which the epoch's mean would carry: "
            "return a finite number (or pass metric=None)"
        )
    return number


def _name(function: Any) -> str:
    """A callable as a message names it: its name, or its repr (a functools.partial has no name)."""
    return getattr(function, "__qualname__", None) or repr(function)


def finite_loss(value: Any, model: Module, epoch: int, batch: int, tried: str = "") -> float:
    """The loss's number, if the loss is a node of one number and the number finite: a step on a NaN
    loss would make the parameters NaN. `tried`: where an optimizer's step evaluated it at weights of its own
    trying (nn.train_closure), which are not the model's (they are put back): no parameter is blamed then."""
    if not isinstance(value, Tensor | Value):
        raise TypeError(
            f"fit: the loss returned {type_name(value)} {value!r}, not a Value or Tensor: "
            "compute it from the model's outputs (e.g. nn.functional.cross_entropy)"
        )
    number = number_of(value, "fit")
    if not math.isfinite(number) and tried:
        raise FloatingPointError(
            f"fit: the loss is {number} in epoch {epoch}, batch {batch}, at {tried}, at weights the step tried; the "
            "model keeps the weights of the step before. Lower the learning rate, or find the op with "
            "autograd.detect_anomaly()"
        )
    if not math.isfinite(number):
        raise FloatingPointError(_not_finite(number, model, epoch, batch))
    return number


def _not_finite(number: float, model: Module, epoch: int, batch: int) -> str:
    """Why the loss is not finite, as far as the model tells: its parameters are looked at here, on
    the error path only, so that the normal steps make no pass over them."""
    where = f"fit: the loss is {number} in epoch {epoch}, batch {batch}"
    name = next((name for name, p in model.named_parameters() if not np.all(np.isfinite(p.data))), None)
    if name is None:
        return (
            f"{where}; the model keeps the weights of the step before. Lower the learning rate, or find the op "
            "with autograd.detect_anomaly()"
        )
    if (epoch, batch) == (1, 1):
        return f"{where}: the parameter {name!r} was not finite before fit began; load or initialise finite weights"
    return (
        f"{where} because the parameter {name!r} is not finite: an earlier step (most likely the one before, "
        "whose loss was finite) made it so with a gradient that was not finite. Find the op with "
        "autograd.detect_anomaly(), or lower the learning rate; the model is left as it is"
    )


def number_of(x: Any, owner: str) -> float:
    """A loss's one number (of a node, an array or a float); a loss of several is refused. Read with
    autograd.raw: in a compiled step being recorded, a look at the result (whose check= repeats it on
    replays) rather than numbers Python computes with, which would keep the step from replaying."""
    data = autograd.raw(x)
    if np.size(data) != 1:
        raise ShapeError(
            f"{owner}: the loss must be one number, got one of shape {np.shape(data)}: reduce it, e.g. with "
            ".mean() (or the loss's reduction='mean')"
        )
    return float(np.asarray(data).item())
