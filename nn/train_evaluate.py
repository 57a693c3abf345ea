"""predict and evaluate: a model's outputs, and its (loss, metric), over all of X in eval mode without a graph,
EVALUATED_ROWS rows at a time; `scoring`, the metric fit and evaluate both score with."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, concatenate, no_grad

from .arguments import as_examples, check_count
from .metrics import accuracy, accuracy_for, loss_threshold, scored
from .module import Module
from .train_checks import check_callables, check_model
from .train_examples import check_finite
from .train_numbers import Metric, metric_number, number_of
from .train_steps import Loss, forward, is_scalar, modes_restored

EVALUATED_ROWS = 1024  # the rows evaluate runs the model on at once, and predict's batch_size


def predict(model: Module, X: np.ndarray, batch_size: int = EVALUATED_ROWS) -> np.ndarray:
    """The model's outputs as an array, in eval mode, without recording a graph; each module has its
    own mode back after. An X of no rows gives the model's outputs for no rows (shape (0, outputs)
    for a Tensor model), as PyTorch would."""
    check_model("predict", model)
    batch_size = check_count("predict", "batch_size", batch_size)
    X = as_examples("predict", "X", X)
    if not len(X) and is_scalar(model):
        raise ValueError(
            "predict: X has no rows, and a micrograd model (of Values) has no outputs to show its shape: "
            "give at least one row"
        )
    with modes_restored(model), no_grad():
        model.eval()
        starts = range(0, len(X), batch_size) or range(1)  # no rows: once, for the shape of no outputs
        parts = [_data(forward(model, X[i : i + batch_size])) for i in starts]
    return np.concatenate(parts)


def evaluate(model: Module, loss: Loss, X: np.ndarray, y: np.ndarray, metric: Metric | None = accuracy) -> tuple:
    """(loss, metric) over all of X, y, in eval mode and without a graph; each module has its own
    mode back after. The default metric, accuracy, takes its threshold from the loss as fit's does
    (`scoring`), so the two give the same number on the same data."""
    check_model("evaluate", model)
    check_callables("evaluate", {"loss": loss} | ({"metric": metric} if metric else {}))
    check_finite("evaluate", "X", X)
    check_finite("evaluate", "y", y)
    return evaluated(model, loss, X, y, metric)


def evaluated(model: Module, loss: Loss, X: np.ndarray, y: np.ndarray, metric: Metric | None) -> tuple:
    """evaluate's numbers, of examples already checked (fit's val_data, each epoch)."""
    metric = scoring(metric, loss, y)
    with modes_restored(model), no_grad():
        model.eval()
        out = _outputs(model, X)
        score = metric and scored("evaluate", metric, out, y, loss)
        score = metric and metric_number("evaluate", metric, score, "the examples given")
        return number_of(loss(out, y), "evaluate"), score


def _outputs(model: Module, X: np.ndarray) -> Any:
    """The model's outputs on all of X, computed EVALUATED_ROWS rows at a time and joined (as Keras' evaluate and a
    PyTorch loop over a DataLoader do), so that the loss and the metric see every row at once, as one forward would
    give them: a CNN's 54,000 validation images in one forward asked 28 GB (a MemoryError after an epoch of
    training). Outputs other than one Tensor a batch (a tuple) are computed in one forward, as before, once the first
    block shows them (not after every block: each row ran twice)."""
    if len(X) <= EVALUATED_ROWS or is_scalar(model):  # a micrograd model runs one row at a time already
        return forward(model, X)
    first = forward(model, X[:EVALUATED_ROWS])
    if not (isinstance(first, Tensor) and first.ndim):
        return forward(model, X)
    rest = [forward(model, X[i : i + EVALUATED_ROWS]) for i in range(EVALUATED_ROWS, len(X), EVALUATED_ROWS)]
    return concatenate([first, *rest])


def scoring(metric: Metric | None, loss: Loss, labels: np.ndarray) -> Metric | None:
    """The metric fit and evaluate score with: the default, accuracy, with its threshold for one
    score per example chosen once, by the loss where it says what a score is
    (nn.metrics.LOSS_THRESHOLDS, as function, partial or module), else by all of `labels`; any
    other metric as it is."""
    return accuracy_for(labels, threshold=loss_threshold(loss)) if metric is accuracy else metric


def _data(out: Any) -> np.ndarray:
    if isinstance(out, list):
        return np.array([[v.data for v in o] if isinstance(o, list) else o.data for o in out])
    return np.asarray(out.data)
