"""fit's History: the numbers of each epoch trained whole, and how an epoch's batches make them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class History:
    """Per epoch trained whole: training loss and metric (`accuracy` holds the metric's numbers, whichever
    metric fit was given, and `metric` its name, as the epoch's line shows them; the batches' weighed
    by their numbers of examples: with a loss that leaves rows out, an ignore_index, not the mean over
    the rows kept; a loss of reduction="sum" the batches' added, the sum over the epoch's examples, as
    val_loss is over its), the same on the validation data when given, seconds taken and the lr.
    `interrupted` is True after a Ctrl-C; an epoch it cut short is in none of the lists. `stopped` is why
    a callback ended training early (StopTraining, EarlyStopping's), "" where none did."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    # each epoch's lr: a float while the optimizer has one param group; once it has several (from the start, or
    # from a callback's add_param_group), a list of each group's for every epoch, the epochs of one group's [lr]
    lr: list[float] | list[list[float]] = field(default_factory=list)
    interrupted: bool = False
    metric: str = "accuracy"  # the name the metric's numbers (`accuracy`, `val_accuracy`) are shown under
    stopped: str = ""

    def last(self) -> str:
        parts = [f"loss {self.loss[-1]:.4f}"]
        if self.accuracy:
            parts.append(f"{self.metric} {self.accuracy[-1]:.4f}")
        if self.val_loss:
            parts.append(f"val_loss {self.val_loss[-1]:.4f}")
        if self.val_accuracy:
            parts.append(f"val_{self.metric} {self.val_accuracy[-1]:.4f}")
        return ", ".join(parts)


def metric_name(metric: Callable[..., Any] | None) -> str:
    """What a metric is shown as: its function's name (under functools.partial too), "metric" for a lambda."""
    while isinstance(metric, functools.partial):
        metric = metric.func
    name = getattr(metric, "__name__", "metric")
    return "metric" if name == "<lambda>" else name


def epoch_loss(losses: list[float], sizes: list[int], summed: bool) -> float:
    """The batches' losses added (`summed`: reduction="sum"), else weighed by their numbers of examples."""
    return float(np.sum(losses)) if summed else float(np.average(losses, weights=sizes))


def epoch_lr(optimizer: Any) -> float | list[float]:
    """The lr an epoch trains with, for the History: the optimizer's, or, where it has several param groups, each
    group's, as a list (PyTorch's get_last_lr shape), in every epoch, even one where they agree: one type a fit."""
    groups = getattr(optimizer, "param_groups", None)
    return [g["lr"] for g in groups] if groups and len(groups) > 1 else optimizer.lr


def record_epoch(
    history: History,
    trained: tuple[list[float], list[float], list[int], bool],
    validated: tuple[float, float | None] | None,
    lr: float | list[float],
    seconds: float,
) -> None:
    """Add an epoch to the History, once it is trained and validated: an epoch that failed half-way
    (in its validation) is in none of the lists, and every number is made before any list grows, so
    that they stay of one length. Its metric is the batches' weighed by their sizes, and so is its loss
    (a batch's loss being the loss function's value on it, whichever of its rows the loss counts), or,
    `summed` (a loss of reduction="sum"), their sum: the loss over the epoch's examples either way, as
    nn.evaluate's over the validation data (averaged, a sum would be a batch's, beside a whole set's)."""
    losses, scores, sizes, summed = trained
    record = {"loss": epoch_loss(losses, sizes, summed), "lr": lr, "seconds": seconds}
    if scores:
        record["accuracy"] = float(np.average(scores, weights=sizes))
    if validated is not None:
        record["val_loss"] = validated[0]
        if validated[1] is not None:
            record["val_accuracy"] = validated[1]
    if isinstance(lr, list) and history.lr and not isinstance(history.lr[0], list):
        # the optimizer gained a param group since (a callback's add_param_group): the epochs before, of its one
        # group, become lists of one, so that History.lr keeps one type (floats, or each epoch's list of lrs)
        history.lr[:] = [[each] for each in history.lr]
    for name, number in record.items():
        getattr(history, name).append(number)
