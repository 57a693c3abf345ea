"""Weights of each element's loss (`weight=` of the binary cross-entropies, of mse_loss, l1_loss and
huber_loss, `pos_weight=` of the logits' one): checked constants, one per pair of nn.losses_pairs.pairs, and
the weighted terms reduced as PyTorch reduces them."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Op, Tensor

from .losses_half import loss_dtype, narrowed, widened
from .losses_pairs import as_read, constant_weights, reduce


def element_weights(  # noqa: PLR0913 (the loss's own arguments and how it reads them)
    weight: Any,
    arg: str,
    found: list[tuple[Any, Any]],
    pred: Any,
    name: str,
    what: str,
    same_shape: bool = False,
    promote: bool = False,
    wide: bool = False,
) -> list[Any]:
    """`weight` (the argument `arg`) for each pair: Nones, or the weights as a constant array of the paired
    predictions' dtype (`what`, Tensors; of int predictions, their floats: the int dtype made 0.5 weights 0),
    broadcasting to them, or of their very shape (`same_shape`: PyTorch's mse_loss, l1_loss and huber_loss
    refuse another), or as numbers (Values: one, or one per prediction; `same_shape`: one per prediction). With
    `promote`, a floating weight Tensor of a wider dtype stays in it, and so the loss (PyTorch's mse_loss, l1_loss
    and huber_loss multiply by the weight: float64 weights on float32 make a float64 loss); else, and as arrays
    (constants, as targets: pairs), weights are cast. With `wide`, to at least float32 (`loss_dtype` is then the
    loss's own: a float16 loss is computed in float32, losses_half.widened)."""
    if weight is None:
        return [None] * len(found)
    w = constant_weights(weight, arg, name, f"{arg}'s numbers")
    if isinstance(pred, Tensor):
        if same_shape and w.shape != pred.shape:
            raise autograd.ShapeError(
                f"{name}: {arg} of shape {w.shape} for {what} of shape {pred.shape}: {arg} is one number per element, "
                f"of the {what}' shape, as PyTorch's (which refuses another shape too)"
            )
        if not autograd.broadcasts_to(w.shape, pred.shape):
            raise autograd.ShapeError(
                f"{name}: {arg} of shape {w.shape} does not broadcast to {what} of shape {pred.shape}; "
                "give one weight, one per class (the last axis), or one per element"
            )
        dtype = loss_dtype(found, w, promote)
        return [as_read(weight, w, np.result_type(dtype, np.float32) if wide else dtype, name, arg, promote)]
    sizes = (len(found),) if same_shape else (1, len(found))
    if w.size not in sizes:
        counts = "one per prediction" if same_shape else "one number or one per prediction"
        raise autograd.ShapeError(f"{name}: on Values, {arg} is {counts} ({len(found)}), got {w.size}")
    return [float(x) for x in np.broadcast_to(np.ravel(autograd.raw(w)), (len(found),))]


def weighed(terms: list[Any], weights: list[Any]) -> list[Any]:
    """Each term times its weight (where weights are given)."""
    return [t if w is None else t * w for t, w in zip(terms, weights)]


def reduce_over_weights(  # noqa: PLR0913 (the loss's own arguments)
    term: Callable[[Any, Any], Any], found: list[tuple[Any, Any]], weight: Any, pred: Any, reduction: str, name: str
) -> Any:
    """mse_loss's and l1_loss's `term` of each pair `found` (of the predictions `pred`) weighed by `weight=`
    (element_weights) and reduced as PyTorch's: "mean" is their sum over the sum of the weights, not over the
    count (huber_loss's weighted mean, PyTorch's too, is the plain mean of the weighted terms: `reduce` of
    `weighed`). Where the weights add up to 0 (all 0, or negative ones cancelling), it is PyTorch's quotient by 0:
    NaN for a total of 0, else ±inf. A float16 loss is computed in float32 (its terms, weights and sums) and
    rounded once to float16 (losses_half): in float16 weights below 6.1e-5 lost digits or became 0 and the
    weighted terms underflowed (a mean of 0.39014 for 0.38490, 0 for 0.43719, NaN for 0.54625), and so did the
    gradients flowing through them (1.35% off at 3e-4)."""
    weights = element_weights(weight, "weight", found, pred, name, "predictions", True, promote=True, wide=True)
    found, dtype = widened(found, pred, [weights], weight)
    weighted = weighed([term(p, t) for p, t in found], weights)
    if weights[0] is None or reduction != "mean":
        out = reduce(weighted, reduction, name)
    else:
        out = _mean_over_weights(weighted, found[0][0], weights, name)
    return narrowed(out, dtype)


def _mean_over_weights(weighted: list[Any], pred: Any, weights: list[Any], name: str) -> Any:
    """The `weighted` terms' sum over the sum of their `weights` (element_weights': of one Tensor `pred`, or one
    per Value)."""
    total = reduce(weighted, "sum", name)
    if isinstance(total, Tensor):
        w = weights[0]  # the constant Tensor or array read in the graph: its sum is taken there too
        w = w if isinstance(w, Tensor) else autograd.ones_like(pred, dtype=total.dtype) * w
        return _over_weight_sum(total, w.sum(), w)
    weight_sum = math.fsum(weights)
    return total / weight_sum if weight_sum else total * math.inf  # PyTorch's total / 0: NaN at 0, else ±inf


def _quotient(total: Any, weight_sum: Any, weights: Any) -> Any:
    """total / weight_sum, as PyTorch divides: by a weight sum of 0, NaN (a total of 0) or ±inf, without numpy's
    warnings; NaN (times total) where every weight is 0, which that division gives too for a total (0 or NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if not np.any(weights):
            return np.asarray(total * np.nan).astype(np.result_type(total, weight_sum), copy=False)
        return np.asarray(total / weight_sum).astype(np.result_type(total, weight_sum), copy=False)


# the weighted sum over the weights' sum, a constant (the weights take no gradient: constant_weights); linear in
# the sum, so its rule is itself: g / 0 where the weights add up to 0, ±inf (NaN at g = 0), as PyTorch's, which the
# steps below carry on as PyTorch's do (±inf times a weight and a slope, NaN where one is 0, numpy warning at that
# inf · 0). Where every weight is 0 all of PyTorch's are NaN: NaN here at once, without warnings (a mask of 0s)
_over_weight_sum = Op(
    "over_weight_sum",
    _quotient,
    lambda g, out, total, weight_sum, weights: (_over_weight_sum(g, weight_sum, weights), None, None),
)
