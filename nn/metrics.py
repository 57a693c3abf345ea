"""accuracy and accuracy_for (nn.functional's), and what nn.fit and nn.evaluate read of a loss given as a
function, a functools.partial or a loss module: the threshold one score per example is judged by
(loss_threshold) and the reduction it applies (loss_reduction)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ShapeError, eager_only, raw

from .arguments import as_array, as_examples, check_flag, check_real
from .function_modules import FunctionModule
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits
from .train_outputs import takes_label_sets


def accuracy(pred: Any, labels: Any, threshold: float | None = None) -> float:
    """The fraction predicted right. Scores of shape (N, C): the arg max is the class.

    One score per example: a score above `threshold` predicts the positive class, 1; at or below
    it, the negative class, -1 if the labels are -1/+1 and 0 if they are 0/1. Without a threshold,
    the labels choose it: 0 (the sign of a margin) for labels -1/+1, 0.5 (a probability, after a
    sigmoid) for labels 0/1; for logits with labels 0/1 pass threshold=0.0. Labels that are all 1
    (a batch of positives) do not say which: then the answer is given only when both thresholds
    give it (no score in (0, 0.5]), else a ValueError asks for the threshold. nn.fit and nn.evaluate
    choose it once, from the loss and all the labels (`accuracy_for`), not per batch."""
    eager_only(
        "nn.functional.accuracy computes a Python number from the tensors' numbers, which a replay would not "
        "compute again (a loss weighted by it, a branch on it): return the outputs and compute it outside the step"
    )
    scores = _scores(pred)
    labels = as_array("accuracy", "the label list", raw(labels))
    if scores.ndim == 2 and scores.shape[1] > 1:
        return _class_accuracy(scores, labels, threshold)
    if scores.size != labels.size:
        raise ShapeError(f"accuracy: predictions of shape {scores.shape} and labels of shape {labels.shape} differ")
    kinds = set(np.unique(labels).tolist())
    if not (kinds <= {-1, 1} or kinds <= {0, 1}):
        odd = sorted(kinds - {-1, 0, 1})
        raise ValueError(
            f"accuracy: one score per example needs labels 0/1 or -1/+1, got {odd[0] if odd else 'both -1 and 0'}; "
            "for more classes give scores of shape (N, C)"
        )
    scores, labels = scores.ravel(), labels.ravel()
    if threshold is not None:
        check_real("accuracy", "threshold", threshold)
        return float(np.mean((scores > threshold) == (labels == 1)))  # right: positive iff labelled 1
    if kinds == {1}:
        return _all_positive_accuracy(scores)
    threshold = 0.0 if -1 in kinds else 0.5
    return float(np.mean((scores > threshold) == (labels == 1)))


def accuracy_for(labels: Any, logits: bool = False, *, threshold: float | None = None) -> Callable[[Any, Any], float]:
    """`accuracy` with its threshold for one score per example chosen once, for a whole dataset's
    `labels` (a batch of them alone may be all 1, which cannot say): `threshold` where the loss fixes
    it (`loss_threshold`: 0.5 for binary_cross_entropy's probabilities), or 0 for `logits` (the
    scores binary_cross_entropy_with_logits takes), whatever the labels; else 0 for labels -1/+1 and
    0.5 for labels 0/1 (probabilities). Labels all 1 with neither say nothing, so the metric refuses
    one score per example (ValueError, asking for the threshold) whatever the scores: nn.fit, which
    scores its batches and its validation data with it, finds that before its first step, not at the
    first batch whose scores lie between the two thresholds."""
    logits = check_flag("accuracy_for", "logits", logits)
    if threshold is not None:
        check_real("accuracy_for", "threshold", threshold)
    labels = as_examples("accuracy_for", "labels", raw(labels))  # None or a number: no labels to choose from
    kinds = set(np.unique(labels).tolist()) if labels.dtype.kind in "biuf" else set()
    if threshold is not None or logits:  # the loss says what the scores are: the labels' values must not overrule it
        threshold = 0.0 if threshold is None else float(threshold)
    elif {-1} <= kinds <= {-1, 1}:
        threshold = 0.0
    elif {0} <= kinds <= {0, 1}:
        threshold = 0.5
    elif kinds == {1}:
        threshold = None
    else:  # class indices, or labels accuracy refuses for one score per example: accuracy's own rule
        return accuracy

    def metric(pred: Any, batch_labels: Any) -> float:
        scores = _scores(pred)
        if scores.ndim == 2 and scores.shape[1] > 1:  # (N, C) scores take the arg max
            return accuracy(pred, batch_labels)
        if threshold is None:
            raise ValueError(
                "accuracy_for: the labels are all 1, so they do not say whether one score per example is a "
                "probability (threshold 0.5) or a logit or margin (threshold 0): pass the threshold, in nn.fit "
                "metric=functools.partial(nn.functional.accuracy, threshold=...)"
            )
        return accuracy(pred, batch_labels, threshold=threshold)

    return metric


# accuracy's threshold for one score per example where the loss says what the score is: a logit of
# 0/1 labels (0) or a probability (0.5), whatever the labels (all 1 would not say)
LOSS_THRESHOLDS = {binary_cross_entropy_with_logits: 0.0, binary_cross_entropy: 0.5}


def loss_threshold(loss: Any) -> float | None:
    """`loss`'s threshold in LOSS_THRESHOLDS, given as the function, a functools.partial of it, or a
    loss module (nn.BCEWithLogitsLoss()); None for any other: nn.fit and nn.evaluate choose by it."""
    return LOSS_THRESHOLDS.get(loss_function(loss))


def loss_reduction(loss: Any) -> str | None:
    """The `reduction` a loss given as a function, a functools.partial of one (nested too) or a loss module
    applies ("mean", "sum"): the outermost partial's or module's, else the function's default; None where
    it has none (a function of one's own)."""
    wrappers, function = _unwrapped(loss)
    for wrapper in wrappers:
        given = wrapper.keywords if isinstance(wrapper, functools.partial) else vars(wrapper)
        if given.get("reduction") is not None:
            return given["reduction"]
    try:
        default = inspect.signature(function).parameters.get("reduction")
    except (TypeError, ValueError):  # a callable without a signature
        return None
    return None if default is None or default.default is inspect.Parameter.empty else default.default


def loss_function(loss: Any) -> Any:
    """The function under a loss given as a function, a functools.partial of one (nested too) or a
    loss module (which keeps it as its class's `function`); anything else as it is."""
    return _unwrapped(loss)[1]


def _unwrapped(loss: Any) -> tuple[list[Any], Any]:
    """The functools.partials and loss modules `loss` is wrapped in, outermost first, and what is under them."""
    wrappers = []
    while isinstance(loss, functools.partial | FunctionModule):
        wrappers.append(loss)
        loss = loss.func if isinstance(loss, functools.partial) else type(loss).function
    return wrappers, loss


def accuracy_hint(owner: str, refusal: Exception, labels: Any, loss: Any = None) -> str:
    """The way out of accuracy's refusal where it was `owner`'s default metric (fit, evaluate): a `loss` of label
    sets (multilabel_margin_loss) wants no accuracy, whatever its rows look like (one-hot, or -1s); one-hot rows
    (class probabilities, which cross_entropy takes) want their classes, y.argmax(axis=1); a regression's
    targets want no accuracy, which its own words ("labels.argmax(axis=1)") would not say. "" for another
    metric's refusal: its words say it."""
    if not str(refusal).startswith("accuracy"):
        return ""
    if takes_label_sets(loss):
        return (
            f"; the loss takes several labels per example (a row of them), which accuracy, {owner}'s default "
            "metric, does not score: pass metric=None, or a metric of your own"
        )
    if _class_rows(np.asarray(raw(labels))):
        return (
            f"; y holds one-hot rows (class probabilities), which accuracy, {owner}'s default metric, does not "
            "read: give their classes, y.argmax(axis=1), where the loss takes class indices (cross_entropy does, "
            "the same loss for one-hot rows), or pass metric=None"
        )
    return (
        f"; accuracy, {owner}'s default metric, scores classes: for a regression's targets pass metric=None "
        "(or a metric of your own)"
    )


def _class_rows(labels: np.ndarray) -> bool:
    """Whether `labels` are rows of class probabilities (one-hot rows among them): in [0, 1], each summing to 1."""
    if labels.ndim != 2 or labels.shape[1] < 2 or labels.dtype.kind not in "iuf" or not labels.size:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all((labels >= 0) & (labels <= 1)) and np.allclose(labels.sum(axis=1), 1))


def scored(owner: str, metric: Any, outputs: Any, labels: Any, loss: Any = None) -> Any:
    """metric(outputs, labels); accuracy's refusal of a regression's targets (or of `loss`'s label sets) raised
    again in `owner`'s words first (nn.evaluate's), naming the labels' shape and metric=None."""
    try:
        return metric(outputs, labels)
    except ValueError as e:
        hint = accuracy_hint(owner, e, labels, loss)
        if not hint or type(e) not in (ValueError, ShapeError):
            raise
        said = f"{owner}: the metric refused y of shape {np.shape(raw(labels))}{hint}: {e}"
        raise type(e)(said).with_traceback(e.__traceback__) from None  # down to where it was raised


def _all_positive_accuracy(scores: np.ndarray) -> float:
    """The accuracy of scores whose labels are all 1: the fraction above the threshold, which
    labels all 1 cannot tell (0 for -1/+1 labels, 0.5 for 0/1): given when both agree, else refused."""
    between = int(np.count_nonzero((scores > 0) & (scores <= 0.5)))
    if between:
        raise ValueError(
            f"accuracy: the labels are all 1, so they do not say whether they are -1/+1 (threshold 0) or 0/1 "
            f"(threshold 0.5), and {between} of {scores.size} scores lie in (0, 0.5], where the two differ: "
            "pass threshold=0.0 for margins or logits, threshold=0.5 for probabilities (in nn.fit: "
            "metric=functools.partial(nn.functional.accuracy, threshold=...))"
        )
    return float(np.mean(scores > 0))


def _class_accuracy(scores: np.ndarray, labels: np.ndarray, threshold: float | None) -> float:
    """The fraction of rows whose arg max is the label, labels being class indices 0..C-1."""
    n, classes = scores.shape
    if threshold is not None:
        raise ValueError("accuracy: threshold is for one score per example; class scores (N, C) take the arg max")
    if labels.size != n:
        raise ShapeError(
            f"accuracy: {n} rows of class scores but labels of shape {labels.shape}; give one class index "
            "per row (for one-hot labels, labels.argmax(axis=1))"
        )
    labels = labels.ravel()
    odd = labels[(labels != np.round(labels)) | (labels < 0) | (labels >= classes)]
    if odd.size:
        raise ValueError(f"accuracy: class labels must be integers in [0, {classes}), got {odd[0]}")
    return float(np.mean(scores.argmax(axis=1) == labels))


def _scores(pred: Any) -> np.ndarray:
    """The predictions' numbers (from a Tensor, an array, a list of Values or of lists of Values), checked."""
    if isinstance(pred, list | tuple):
        pred = [[raw(v) for v in row] if isinstance(row, list | tuple) else raw(row) for row in pred]
    scores = np.asarray(raw(pred), dtype=float)
    if scores.size == 0:
        raise ValueError("accuracy: no predictions")
    per_example = np.isnan(scores).reshape(len(scores), -1) if scores.ndim else np.isnan(scores).reshape(1, 1)
    nan = int(per_example.any(axis=1).sum())  # an example's prediction is NaN where any of its scores is
    if nan:
        raise ValueError(f"accuracy: {nan} of {len(per_example)} predictions are NaN (did training diverge?)")
    return scores
