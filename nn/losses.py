"""Losses of predictions against targets of the same shape, for Tensors and for lists of Values
(the scalar engine): squared and absolute errors, Huber, hinge, binary cross-entropy (on
probabilities and on logits) and the Kullback-Leibler divergence, each with PyTorch's
`reduction=` ("mean", "sum" or "none").

Predictions and targets must have the same shape: a (N, 1) prediction against (N,) targets would
broadcast to (N, N) and silently train on nonsense. A target that is a node (a Tensor that requires
grad, a Value) gets its gradient, as in PyTorch; any other target (arrays, lists, numbers) is a
constant. On Values, "none" gives a list of Values, one per prediction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Op, Tensor

from .arguments import check_flag, check_number, check_real
from .loss_positions import torch_positions
from .losses_element_weights import element_weights, reduce_over_weights, weighed
from .losses_half import narrowed, widened
from .losses_kl import kl_log_term, kl_term
from .losses_logits import logit_term
from .losses_pairs import Predictions, pairs, ranged_pairs, reduce, require

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "smooth_l1_loss",
]


@torch_positions("size_average", "reduce", "reduction", "weight", module_lacks=("weight",))
def mse_loss(input: Predictions, target: Any, *, reduction: str = "mean", weight: Any = None) -> Any:
    """Squared error (the lesson's), (p - t)^2 per element, as d * d for d = p - t: its gradient is then
    g d + g d, the gradient from above (1 / N for the mean) taken before the doubling, as PyTorch's
    (2 / N) d. d ** 2's rule formed 2 d first, inf from d = 9e307 (float32: 1.7e38) where the mean's
    gradient is finite; and a Value's ** raised an OverflowError where the loss is inf (PyTorch's too).
    `weight` (torch 2.13's): one number per element, each term times its own; the mean is then the
    sum over the weights' sum, as PyTorch's (reduce_over_weights)."""
    found = pairs(input, target, "mse_loss", promote=True)
    return reduce_over_weights(_squared_error, found, weight, input, reduction, "mse_loss")


@torch_positions("size_average", "reduce", "reduction", "weight", module_lacks=("weight",))
def l1_loss(input: Predictions, target: Any, *, reduction: str = "mean", weight: Any = None) -> Any:
    """Absolute error (the lesson's), |p - t| per element; `weight` as mse_loss's (the mean over the weights' sum)."""
    found = pairs(input, target, "l1_loss", promote=True)
    return reduce_over_weights(lambda p, t: abs(p - t), found, weight, input, reduction, "l1_loss")


def _squared_error(p: Any, t: Any) -> Any:
    """(p - t)^2 as d * d (see mse_loss)."""
    d = p - t
    return d * d


def _absolute_error(pred: Predictions, target: Any, reduction: str, name: str) -> Any:
    """|p - t| per element, reduced, its checks naming the loss `name` the caller asked for."""
    found, dtype = widened(pairs(pred, target, name, promote=True), pred)  # float16: in float32
    return narrowed(reduce([abs(p - t) for p, t in found], reduction, name), dtype)


@torch_positions("reduction", "delta", "weight", module_lacks=("weight",))
def huber_loss(
    input: Predictions, target: Any, *, reduction: str = "mean", delta: float = 1.0, weight: Any = None
) -> Any:
    """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2), for d = p - t: squared near the
    target, absolute (so outliers pull no harder than delta) far from it. As torch's huber_loss, whose
    `weight` (one number per element) weighs each term, its mean staying over the elements (mse_loss's
    and l1_loss's divide by the weights' sum: PyTorch's differ so)."""
    # delta 0 makes the loss 0 everywhere (torch refuses it too)
    wanted = "a finite number > 0 (for the absolute error use l1_loss)"
    delta = check_number("huber_loss", "delta", delta, wanted, lambda x: 0 < x < math.inf)
    found = pairs(input, target, "huber_loss")  # PyTorch's huber_loss keeps the input's dtype; weight= promotes
    weights = element_weights(
        weight, "weight", found, input, "huber_loss", "predictions", True, promote=True, wide=True
    )
    found, dtype = widened(found, input, [weights], weight)  # a float16 loss: in float32, rounded once
    terms = [0.5 * m * m + delta * r for m, r in (_split(p - t, delta) for p, t in found)]
    return narrowed(reduce(weighed(terms, weights), reduction, "huber_loss"), dtype)


@torch_positions("size_average", "reduce", "reduction", "beta")
def smooth_l1_loss(input: Predictions, target: Any, *, reduction: str = "mean", beta: float = 1.0) -> Any:
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2: huber_loss / beta, so that far from the
    target it is the absolute error. beta = 0 is l1_loss. As torch's smooth_l1_loss, but with the square
    as 0.5 m (m / beta), m = clip(d, -beta, beta): |m / beta| is at most 1, where m * m underflowed for a small beta
    (float32's loss at d = beta = 1e-30 was 0, not 5e-31) and overflowed for a large one."""
    check_real("smooth_l1_loss", "beta", beta, low=0)
    beta = float(beta)
    if beta == 0:
        return _absolute_error(input, target, reduction, "smooth_l1_loss")
    found, dtype = widened(pairs(input, target, "smooth_l1_loss", True), input)  # float16: in float32
    terms = [0.5 * m * (m / beta) + r for m, r in (_split(p - t, beta) for p, t in found)]
    return narrowed(reduce(terms, reduction, "smooth_l1_loss"), dtype)


def hinge_loss(scores: Predictions, labels: Any, *, reduction: str = "mean") -> Any:
    """micrograd's max-margin loss: relu(1 - label * score), labels -1 or +1 (labels 0 would
    train nothing: `2 * labels - 1` turns 0/1 into -1/+1)."""
    found = ranged_pairs(
        scores,
        labels,
        "hinge_loss",
        lambda x: np.abs(x) == 1,
        lambda bad: f"hinge_loss: labels must be -1 or +1, got {bad}; for labels 0/1 pass 2 * labels - 1",
    )
    found, dtype = widened(found, scores)  # float16: in float32, rounded once
    return narrowed(reduce([(1 - p * t).relu() for p, t in found], reduction, "hinge_loss"), dtype)


@torch_positions("weight", "size_average", "reduce", "reduction")
def binary_cross_entropy(input: Predictions, target: Any, *, weight: Any = None, reduction: str = "mean") -> Any:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p (after a sigmoid), targets in [0, 1], each
    element's times its `weight` if given (numbers broadcast to the predictions; on Values one
    number or one per prediction), as PyTorch's: the mean stays over the elements.

    As PyTorch: each log is held at -100 or above, and the gradient in p is (p - t) / max(p (1 - p), 1e-12),
    so p of exactly 0 or 1 (a confident float32 sigmoid) gives a finite loss and finite gradients.
    binary_cross_entropy_with_logits is the stabler choice: it takes the scores before the sigmoid."""
    name = "binary_cross_entropy"
    found = ranged_pairs(input, target, name, *_unit_targets(name))
    require(
        [p for p, _ in found],
        _in_unit,
        lambda bad: f"{name}: probabilities must lie in [0, 1], got {bad}; pass sigmoid(scores)",
    )
    weights = element_weights(weight, "weight", found, input, name, "probabilities", wide=True)
    found, dtype = widened(found, input, [weights])  # a float16 loss: in float32, rounded once
    return narrowed(reduce(weighed([_bce(p, t) for p, t in found], weights), reduction, name), dtype)


@torch_positions("weight", "size_average", "reduce", "reduction", "pos_weight")
def binary_cross_entropy_with_logits(
    input: Predictions, target: Any, *, weight: Any = None, reduction: str = "mean", pos_weight: Any = None
) -> Any:
    """binary_cross_entropy(sigmoid(x), t) computed from the logits x (`input`), as softplus terms (see
    `losses_logits.logit_term`): no overflow and no -100 clamp, for logits of any size. `pos_weight` (a number,
    or per class: broadcast against the last axis) weighs the positive targets' term, to balance
    rare positives; `weight` each element's loss, as binary_cross_entropy's."""
    name = "binary_cross_entropy_with_logits"
    terms, dtype = logit_terms(input, target, weight, pos_weight, name)
    return narrowed(reduce(terms, reduction, name), dtype)


def logit_terms(  # noqa: PLR0913 (the loss's own arguments)
    logits: Predictions, targets: Any, weight: Any, pos_weight: Any, name: str, weight_promotes: bool = False
) -> tuple[list[Any], np.dtype | None]:
    """binary_cross_entropy_with_logits's terms, before the reduction, its checks naming the loss `name` (the
    caller's: multilabel_soft_margin_loss is their mean over the classes). In the wider of the logits' dtype and
    a floating target's, as multilabel_soft_margin_loss's in PyTorch and its binary_cross_entropy_with_logits's
    where the target is the wider: that one's dtype is the target's (its in-place steps keep it), float64 logits
    against float32 targets giving a float32 loss, which we do not follow (no digits lost: its other losses
    promote). Weights keep the terms' dtype, as PyTorch's binary cross-entropies (float64 weights: float32), but
    with `weight_promotes` (multilabel_soft_margin_loss's, which PyTorch multiplies by its weight). Float16
    logits' terms are in float32, weighted or not (`widened`): the dtype to round the reduced loss back to comes
    with them (`narrowed`; None where they are in the loss's own)."""
    # PyTorch's is the target's dtype; see the docstring
    found = ranged_pairs(logits, targets, name, *_unit_targets(name), promote=True)
    positives = element_weights(pos_weight, "pos_weight", found, logits, name, "logits", wide=True)
    weights = element_weights(weight, "weight", found, logits, name, "logits", promote=weight_promotes, wide=True)
    found, dtype = widened(found, logits, [positives, weights], weight if weight_promotes else None)
    return weighed([logit_term(x, t, w) for (x, t), w in zip(found, positives)], weights), dtype


@torch_positions("size_average", "reduce", "reduction", "log_target")
def kl_div(input: Predictions, target: Any, *, reduction: str = "mean", log_target: bool = False) -> Any:
    """The Kullback-Leibler divergence term t (log t - x) of log-probabilities x (log_softmax's)
    against probabilities t (0 log 0 = 0), or with `log_target` against log-probabilities,
    e^t (t - x). As torch's kl_div, "mean" averages over every element; "batchmean", the sum over
    the batch size (the first axis; a list of Values is one batch), is the divergence proper."""
    name = "kl_div"
    log_target = check_flag(name, "log_target", log_target)
    found = pairs(input, target, name, promote=True)
    if not log_target:
        # torch's kl_div gives NaN for a target below 0 (t log t); refused here, on both engines alike
        require(
            [t for _, t in found],
            lambda t: t >= 0,
            lambda bad: (
                f"{name}: targets must be probabilities (numbers >= 0), got {bad}; for log-probabilities "
                "pass log_target=True"
            ),
        )
    found, dtype = widened(found, input)  # float16: in float32, rounded once
    terms = [(kl_log_term if log_target else kl_term)(x, t) for x, t in found]
    if reduction != "batchmean":
        return narrowed(reduce(terms, reduction, name, also="'batchmean'"), dtype)
    if isinstance(input, Tensor):
        batch = input.shape[0] if input.ndim else 1  # as torch: a 0-d input is its own batch
    else:
        batch = len(terms)
    return narrowed(reduce(terms, "sum", name) / batch, dtype)


def _split(d: Any, limit: float) -> tuple[Any, Any]:
    """d in two pieces, m = clip(d, -limit, limit) and r = relu(|d| - limit), so that huber's
    0.5 d^2 where |d| < limit, else limit (|d| - limit / 2), is 0.5 m^2 + limit r (where |d| < limit,
    r is 0 and m is d, bit for bit; at |d| = limit both sides' slopes are limit: m's slope there is 1).
    m keeps d's sign so that its slope is 1 at d = 0 too: a min(|d|, limit) took |d|'s slope 0 there, and
    the loss's second derivative at d = 0 came out 0 where it is 1 (1 / beta for smooth_l1_loss), PyTorch's.
    On a Tensor, ops on d alone: no mask read off d's numbers, which a compiled step would replay as
    recorded. m is a clip, not d - r: at |d| = inf that was inf - inf, a NaN loss and gradient where
    PyTorch's are inf and ±limit. A Value's clip (hardtanh) has slope 0 at a bound, so a finite Value's m
    is d up to the bound and ±limit, a number, past it (a Value's graph is built anew each call: its branch
    reads this call's number): the Tensor's bits, where d -+ r was an ulp off limit (0.095 for 0.095000...01)."""
    r = (abs(d) - limit).relu()
    if isinstance(d, Tensor):
        return d.clip(-limit, limit), r
    if not math.isfinite(d.data):
        return abs(d).minimum(limit), r  # m's square is all that is read; at NaN its rule's NaN, as the clip's
    return (math.copysign(limit, d.data) if abs(d.data) > limit else d), r


def _unit_targets(name: str) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[float], str]]:
    """ranged_pairs' check of targets in [0, 1] (probabilities), and its message."""
    return (
        _in_unit,
        lambda bad: f"{name}: targets must lie in [0, 1], got {bad}; for labels -1/+1 pass (labels + 1) / 2",
    )


def _in_unit(x: np.ndarray) -> np.ndarray:
    return (x >= 0) & (x <= 1)


def _log_at_least(x: Any) -> Any:
    """log x held at -100 or above, as PyTorch holds binary cross-entropy's logs: -100 at x = 0."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), -100.0)


def _log_complement_at_least(p: Any) -> Any:
    """log(1 - p) held at -100 or above, as log1p(-p), as PyTorch computes it: 1 - p rounds to 1 for p below
    float32's 6e-8 (float64's 1e-16), which made the loss of a confident right prediction 0 (p = 1e-8, t = 0:
    its loss is 1e-8) and cut the digits of p a few units above that."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log1p(-p), -100.0)


def _at_least(x: Any, lo: float) -> Any:
    """max(x, lo) for arrays and Tensors, and for floats and Values (a derivative rule gets either); in a
    dtype too narrow to hold lo (float16 rounds 1e-12 to 0), max(x, its least number above 0), so that
    the bound stays above 0: else p (1 - p) at p = 0 or 1 was divided by as 0, and a right prediction's
    gradient was 0 / 0, NaN (PyTorch's too), where float32's is 0."""
    if isinstance(x, Tensor | np.ndarray):
        return x.clip(max(lo, float(np.finfo(x.dtype).smallest_subnormal)))
    return max(x, lo)


# As PyTorch: logs held at -100, d/dp = (p - t) / max(p (1 - p), EPSILON): finite at p = 0 or 1, yet not 0 when
# wrong. EPSILON is PyTorch's 1e-12 as a float32 (9.9999998e-13), so gradients match it to the last bit. The
# gradient from above comes last, as PyTorch's: g (p - t) first underflowed the mean's at a subnormal p to 0.
# The gradient in t is the clamped loss's slope, clamped log(1 - p) - clamped log(p), where PyTorch 2.13's is
# the unclamped log(1 - p) - log(p): inf at p = 0, 115.13 at p = 1e-50, 709.78 at p = 5.6e-309, for a loss
# it computes as 100 t there (slope 100, what finite differences of either loss give). We keep the slope.
_EPSILON = float(np.float32(1e-12))
_neg_logit = Op(
    "neg_logit",
    lambda p: _log_complement_at_least(p) - _log_at_least(p),
    lambda g, out, p: (-g / _at_least(p * (1 - p), _EPSILON),),
)
_bce = Op(
    "binary_cross_entropy",
    lambda p, t: -t * _log_at_least(p) - (1 - t) * _log_complement_at_least(p),
    lambda g, out, p, t: (g * ((p - t) / _at_least(p * (1 - p), _EPSILON)), g * _neg_logit(p)),
)
