"""Losses of class scores, as torch.nn.functional's: `cross_entropy` (of logits) and `nll_loss`
(of log-probabilities), on Tensors of shape (classes,), (batch, classes) or (batch, classes, d1,
...), against class indices (with `ignore_index`) or class probabilities, with class weights
(`weight`), `label_smoothing` and `reduction=`. Against class indices, logits are autograd's fused
cross_entropy and log-probabilities its nll_loss, with every option (whichever labels are ignored: their
graphs do not depend on the labels' values, so a compiled step replays any batch's); cross_entropy against
class probabilities is built of log_softmax and sums."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import ShapeError, Tensor, one_hot_hint, raw, type_name

from .arguments import as_array, check_real, is_int
from .loss_positions import torch_positions
from .losses_half import narrowed, widened_inputs
from .losses_pairs import (
    as_operand,
    as_read,
    check_integer_labels,
    check_reduction,
    class_weights,
    in_floats,
    op_weights,
    require,
)
from .losses_shares import target_share


@torch_positions("weight", "size_average", "ignore_index", "reduce", "reduction", "label_smoothing")
def cross_entropy(
    input: Tensor,
    target: Any,
    *,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Tensor:
    """-log softmax(logits)[label] per example, for logits `input` (PyTorch's name), over the class axis
    (axis 1; axis 0 of a single example of shape (classes,)). `target` holds class indices (one per
    example, of shape logits without the class axis; those equal to `ignore_index` count for nothing,
    nor in the mean) or, of logits' own shape and floating point, class probabilities. `label_smoothing` e mixes the
    target with the uniform distribution: (1 - e) target + e / classes. `weight`, one number
    per class (a constant, negative too), weighs each class's term, as PyTorch's: with class indices an example's
    loss is its label's weight times its -log p, and the mean divides by the sum of the weights of
    the labels kept; with probabilities, each class's term is weighed and the mean is over examples."""
    name = "cross_entropy"
    _check_scores(input, name)
    logits = in_floats(input)
    check_reduction(reduction, name)
    check_real(name, "label_smoothing", label_smoothing, 0, 1)
    label_smoothing = float(label_smoothing)  # a numpy float64 would turn float32 losses float64
    checked = class_weights(weight, logits, _classes(logits), name)
    if _is_probabilities(logits, target):  # a wider Tensor of probabilities or of weights widens, as PyTorch's
        logits = in_floats(logits, target, promote=True)
        if isinstance(checked, Tensor) and checked.dtype.kind == "f":
            logits = logits.astype(np.result_type(logits.dtype, checked.dtype))
        return _soft_cross_entropy(logits, target, reduction, ignore_index, label_smoothing, (weight, checked))
    labels = _labels(logits, target, ignore_index, name)
    # fused, whatever the labels and options: a compiled step feeds each call's labels to the op, and
    # a recording made on batches without ignored labels serves later batches with some; one example
    # of shape (classes,) too, with the caller's label of shape ()
    weight = op_weights(weight, checked, logits, name)
    return autograd.cross_entropy(
        logits, labels, ignore_index=ignore_index, weight=weight, label_smoothing=label_smoothing, reduction=reduction
    )


@torch_positions("weight", "size_average", "ignore_index", "reduce", "reduction")
def nll_loss(
    input: Tensor, target: Any, *, weight: Any = None, reduction: str = "mean", ignore_index: int = -100
) -> Tensor:
    """-log_probs[label] per example, for log-probabilities `input` (PyTorch's name; log_softmax's), the
    class axis as cross_entropy's: cross_entropy is nll_loss of log_softmax. Labels equal to
    `ignore_index` count for nothing; `weight` as cross_entropy's."""
    _check_scores(input, "nll_loss")
    log_probs = in_floats(input)
    check_reduction(reduction, "nll_loss")
    weight = op_weights(
        weight, class_weights(weight, log_probs, _classes(log_probs), "nll_loss"), log_probs, "nll_loss"
    )
    labels = _labels(log_probs, target, ignore_index, "nll_loss")
    # autograd's op, as cross_entropy's: the labels and weights read on each call, so a compiled step replays it
    return autograd.nll_loss(log_probs, labels, ignore_index=ignore_index, weight=weight, reduction=reduction)


def _class_weights(scores: Tensor, weight: Any, checked: np.ndarray | Tensor | None) -> Any:
    """Weights `checked` by class_weights as the graph reads them (`as_read`: the caller's constant Tensor,
    or an array of the scores' dtype); None stays None."""
    return None if checked is None else as_read(weight, checked, scores.dtype, "cross_entropy", "weight", True)


def _weighed_by_class(terms: Tensor, weight: Any) -> Tensor:
    """`terms` (the scores' shape) times each class's weight, along the class axis: the last for (classes,)
    and (batch, classes), else axis 1, moved last and back (a reshaped weight would be a new constant on
    every call, which a compiled step could not read live)."""
    if terms.ndim <= 2:
        return terms * weight
    return (terms.swapaxes(1, -1) * weight).swapaxes(1, -1)


def _soft_cross_entropy(  # noqa: PLR0913 (the loss's own arguments)
    logits: Tensor, target: Any, reduction: str, ignore_index: int, smoothing: float, weights: tuple[Any, Any]
) -> Tensor:
    """-sum over the classes of target * log softmax(logits) (each class's term times its weight), the
    target mixed with the uniform distribution by `smoothing`; the mean is over the examples (torch's,
    with weights too). The targets must be
    finite and >= 0 (NaN or a negative "probability" gives a meaningless loss); as in torch, rows
    need not sum to 1 (a row summing to s weighs its example s times). `weights`: the caller's class weights
    and class_weights' check of them. Float16 logits' loss is computed in float32 (the target cast to float16
    first, as every loss's constants; the weights read in float32) and rounded once (losses_half)."""
    if ignore_index >= 0:
        raise ValueError(
            "cross_entropy: ignore_index is for class-index targets; these are probabilities (of the logits' "
            "shape): give them no ignore_index, or give class indices"
        )
    require(
        [target],
        lambda p: np.isfinite(p) & (p >= 0),
        lambda bad: (
            f"cross_entropy: class probabilities must be finite numbers >= 0, got {bad}; for class indices "
            "give integers (labels.astype(int))"
        ),
    )
    t = target if isinstance(target, Tensor) else np.asarray(raw(target))
    t = as_operand(t, logits.dtype, "cross_entropy", "the target", True, target)
    (logits, t), dtype = widened_inputs([logits, t])
    weight = _class_weights(logits, *weights)
    axis = _class_axis(logits)
    log_p = logits.log_softmax(axis=axis)
    if smoothing:  # the target mixed with the uniform, in the graph: numpy on t would be data a compiled step replays
        # first, as PyTorch mixes it: mixing the terms, (t log p)(1 - e) + log p (e / C), made 0 · -inf = NaN at
        # e = 1 where log p is -inf (the loss is inf, PyTorch's)
        t = (t if isinstance(t, Tensor) else Tensor(t, dtype=t.dtype)) * (1 - smoothing) + smoothing / _classes(logits)
    terms = target_share(log_p, t)  # a class the target gives 0 adds 0, even at log p = -inf
    if weight is not None:  # weighed after the target, as torch: log p · w first overflowed (-3.4e38 · 2 in float32)
        terms = _weighed_by_class(terms, weight)
    losses = 0 - terms.sum(axis=axis)  # not -sum: a sure row's loss is +0, not -0.0
    if reduction != "none":
        losses = losses.sum() if reduction == "sum" else losses.mean()
    return narrowed(losses, dtype)


def _check_scores(scores: Any, name: str) -> None:
    """Class scores as a Tensor of one axis or more, with entries; anything else refused, saying what serves."""
    if autograd.holds_values(scores):  # a micrograd model's outputs: Tensor(scores) would refuse them too
        raise TypeError(
            f"{name}: class scores must be a Tensor of shape (batch, classes), got Values (a micrograd model's "
            f"outputs): {name} works on Tensors, from a model of nn.Linear layers; on Values, hinge_loss and "
            "binary_cross_entropy_with_logits score two classes"
        )
    if not isinstance(scores, Tensor):
        raise TypeError(
            f"{name}: class scores must be a Tensor of shape (batch, classes), got {type_name(scores)}; "
            "wrap them: Tensor(scores)"
        )
    if scores.ndim == 0:
        raise ShapeError(f"{name}: class scores of shape {scores.shape}; give (classes,), (batch, classes) or more")
    if scores.size == 0:
        raise ShapeError(f"{name}: class scores of shape {scores.shape} hold no scores (an empty batch or no classes)")


def _is_probabilities(logits: Tensor, target: Any) -> bool:
    """Whether `target` holds class probabilities: floating point, of the logits' shape."""
    data = as_array("cross_entropy", "target", raw(target))
    return data.dtype.kind == "f" and data.shape == logits.shape


def _labels(scores: Tensor, target: Any, ignore_index: Any, name: str) -> np.ndarray:
    """`target` as class indices (integers, one per example, each a class or ignore_index): the
    array itself where it is one, so that a compiled step feeds each call's labels to the ops. One
    min and one max read the labels when all are classes (as in training); only labels outside the
    classes are looked at again."""
    if not is_int(ignore_index):
        raise TypeError(f"{name}: ignore_index must be an integer, got {type_name(ignore_index)}")
    labels = as_array(name, "the label list", raw(target))
    check_integer_labels(labels, scores.shape, name, probabilities=name == "cross_entropy")
    need = scores.shape[:1] + scores.shape[2:] if scores.ndim > 1 else ()
    if labels.shape != need:
        raise ShapeError(
            f"{name}: class scores of shape {scores.shape} need labels of shape {need} (the scores' shape "
            f"without the class axis, {_class_axis(scores)}), got {labels.shape}{one_hot_hint(labels, scores.shape)}"
        )
    classes = _classes(scores)
    # never empty (_check_scores refuses scores without entries); the ufuncs' own reduce, without .min's wrapper
    lo, hi = np.minimum.reduce(labels, axis=None), np.maximum.reduce(labels, axis=None)
    if 0 <= lo and hi < classes:
        return labels
    wrong = ((labels < 0) | (labels >= classes)) & (labels != ignore_index)
    if wrong.any():
        raise ValueError(
            f"{name}: label {labels[wrong].flat[0]} is not a class of these scores, which have {classes}: "
            f"labels must be in [0, {classes}), or ignore_index ({ignore_index})"
        )
    return labels


def _class_axis(scores: Tensor) -> int:
    return 1 if scores.ndim > 1 else 0


def _classes(scores: Tensor) -> int:
    return scores.shape[_class_axis(scores)]
