"""Margin and embedding losses of torch.nn.functional 2.13 on Tensors, with its arguments and reductions:
margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, cosine_embedding_loss, triplet_margin_loss,
multilabel_soft_margin_loss, multi_margin_loss (and losses_triplet.py: triplet_margin_with_distance_loss). Written over
autograd's ops, so every input that requires grad gets its gradient (and its second derivative).

As nn's other losses: inputs and targets of the same shape (no broadcasting), and labels that must be
-1 or +1 checked through autograd.validate (a compiled step checks each replay's own); PyTorch takes any
label and gives a loss that means nothing for one that is neither (hinge_embedding_loss adds both terms)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor, needs_grad, repr_of, type_name

from .arguments import as_array, check_flag, check_number, check_real
from .distances import pairwise_distance
from .loss_positions import torch_positions
from .losses import logit_terms
from .losses_half import narrowed, widened_inputs
from .losses_pairs import (
    check_integer_labels,
    check_nonempty,
    class_weights,
    in_floats,
    op_weights,
    pairs,
    ranged_pairs,
    reduce,
    require,
)
from .unit_vectors import unit

__all__ = [
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
]

# PyTorch's cosine_embedding_loss adds it to each squared norm (zero vectors give a cosine of 0): its 1e-12 is a
# C++ float, 9.99999996e-13, whose rounding shows in the gradient at a zero vector (2e-9 relative, 1e-12's)
EPSILON = float(np.float32(1e-12))
_ROOT_EPSILON = float(np.sqrt(EPSILON))


@torch_positions("margin", "size_average", "reduce", "reduction")
def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Any, *, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """max(0, -y (x1 - x2) + margin): x1 should rank above x2 by the margin where y is 1, below where -1."""
    name = "margin_ranking_loss"
    x1, x2 = _tensors(name, input1, input2, promote=True, names=("input2",))
    margin, y = check_real(name, "margin", margin), _labels(name, x1, target, promote=True)  # y widens too
    (x1, x2, y), dtype = widened_inputs([x1, x2, y])  # float16: in float32, rounded once
    return narrowed(reduce([_clamp_min0(margin - y * (x1 - x2))], reduction, name), dtype)


@torch_positions("margin", "size_average", "reduce", "reduction")
def hinge_embedding_loss(input: Tensor, target: Any, *, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """x where y is 1, max(0, margin - x) where y is -1: x a distance, small for similar pairs (y = 1)."""
    name = "hinge_embedding_loss"
    (x,) = _tensors(name, input)
    margin, y = check_real(name, "margin", margin), _labels(name, x, target, constant=True)
    (x, y), dtype = widened_inputs([x, y])  # float16: in float32, rounded once
    return narrowed(reduce([_choose(y, x, _clamp_min0(margin - x))], reduction, name), dtype)


@torch_positions("size_average", "reduce", "reduction")
def soft_margin_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)), the logistic loss of labels -1 and +1, as softplus(-y x): finite where PyTorch's
    log1p(exp(-y x)) overflows to inf (y x below -89 in float32, -710 in float64), with its gradient."""
    name = "soft_margin_loss"
    (x,) = _tensors(name, input)
    y = _labels(name, x, target, constant=True)  # PyTorch's takes no gradient in its target
    (x, y), dtype = widened_inputs([x, y])  # float16: in float32, rounded once
    return narrowed(reduce([autograd.softplus(-(y * x))], reduction, name), dtype)


@torch_positions("margin", "size_average", "reduce", "reduction")
def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Any, *, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """1 - cos(x1, x2) where y is 1, max(0, cos(x1, x2) - margin) where y is -1, for rows of (N, D) inputs
    against N labels (or vectors of (D,) against one). The cosine is PyTorch's: sum(x1 x2) / sqrt((|x1|^2 +
    eps)(|x2|^2 + eps)), eps = 1e-12 in float32 (EPSILON), 0 for a zero vector, with its gradient there."""
    name = "cosine_embedding_loss"
    x1, x2 = _tensors(name, input1, input2, promote=True, names=("input2",))
    if x1.ndim not in (1, 2):
        raise autograd.ShapeError(f"{name}: inputs must be (N, D) rows or one (D,) vector, got shape {x1.shape}")
    margin, axis = check_real(name, "margin", margin), x1.ndim - 1
    labels = _labels(name, Tensor(np.zeros(x1.shape[:axis]), dtype=x1.dtype), target, constant=True)  # one per row
    (x1, x2, labels), dtype = widened_inputs([x1, x2, labels])  # float16: in float32, rounded once
    # each row over its own sqrt(|x|^2 + eps), hypot of its 2-norm and sqrt(eps), before they are multiplied:
    # |x|^2 and x1 · x2 overflowed above 1.3e154 (the loss of two equal rows of 1e200 was NaN, not 0); a norm
    # beyond the float range taken on the row scaled down (`unit`: rows of 1.7e308 lost 1, not 0)
    unit1, unit2 = (unit(x, axis, _ROOT_EPSILON, x.shape[axis] if x.ndim else 1, in_quadrature=True) for x in (x1, x2))
    cos = (unit1 * unit2).sum(axis=axis)
    # 1 - cos >= 0, but cos of equal rows rounds up to 1 + 2.2e-16 at times: held at 0, never negative
    losses = _choose(labels, _clamp_min0(1 - cos), _clamp_min0(cos - margin))
    return narrowed(reduce([losses], reduction, name), dtype)


@torch_positions("margin", "p", "eps", "swap", "size_average", "reduce", "reduction")
def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) per row, d PyTorch's pairwise_distance: the p-norm over the last
    axis of x1 - x2 + eps (eps added to the difference, not to the norm). With `swap`, d(a, n) is the smaller
    of it and d(p, n) (torch.min's gradient: ties share it)."""
    name = "triplet_margin_loss"
    a, pos, neg = _tensors(name, anchor, positive, negative, promote=True, names=("positive", "negative"))
    if a.ndim == 0:
        raise autograd.ShapeError(f"{name}: inputs must have a last axis of features, got shape {a.shape}")
    margin = check_number(name, "margin", margin, "a number > 0 (as PyTorch's)", lambda m: m > 0)
    p = check_number(name, "p", p, "a norm's order > 0 (1, 2, inf, ...)", lambda q: q > 0)
    eps, swap = check_real(name, "eps", eps), check_flag(name, "swap", swap)
    (a, pos, neg), dtype = widened_inputs([a, pos, neg])  # float16: in float32, rounded once
    far = pairwise_distance(a, neg, p, eps)
    if swap:
        far = autograd.minimum(far, pairwise_distance(pos, neg, p, eps))
    losses = _clamp_min0(margin + pairwise_distance(a, pos, p, eps) - far)
    return narrowed(reduce([losses], reduction, name), dtype)


@torch_positions("weight", "size_average", "reduce", "reduction")
def multilabel_soft_margin_loss(input: Tensor, target: Any, *, weight: Any = None, reduction: str = "mean") -> Tensor:
    """The mean over the classes (the last axis) of -(t log sigmoid(x) + (1 - t) log sigmoid(-x)), each
    class's term times `weight` (broadcast), one loss per row: binary_cross_entropy_with_logits's terms, so
    finite for logits of any size, targets in [0, 1] (checked) and a gradient for a target that is a node."""
    name = "multilabel_soft_margin_loss"
    (x,) = _tensors(name, input)
    if x.ndim == 0:
        raise autograd.ShapeError(f"{name}: input must have a last axis of classes, got shape {x.shape}")
    (terms,), dtype = logit_terms(x, target, weight, None, name, weight_promotes=True)  # PyTorch's: loss * weight
    return narrowed(reduce([terms.sum(axis=-1) / x.shape[-1]], reduction, name), dtype)


@torch_positions("p", "margin", "weight", "size_average", "reduce", "reduction")
def multi_margin_loss(
    input: Tensor, target: Any, *, p: int = 1, margin: float = 1.0, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """Per row of class scores x with label y: the sum over the classes i != y of w[y] max(0, margin - x[y] +
    x[i])^p, over the number of classes (p 1 or 2). As PyTorch's kernel, a term met exactly (0) has slope 0.
    Scores (N, C) with N labels, or (C,) with one: autograd's multi_margin_loss op, which takes each call's
    labels and reads the weights (the caller's Tensor or array) on each call, so a compiled step replays it."""
    name = "multi_margin_loss"
    (x,) = _tensors(name, input)
    if x.ndim not in (1, 2):
        raise autograd.ShapeError(f"{name}: scores must be (N, C) rows or one (C,) vector, got shape {x.shape}")
    if not isinstance(p, int | np.integer) or isinstance(p, bool) or p not in (1, 2):
        raise ValueError(f"{name}: p must be 1 or 2 (as PyTorch's), got {repr_of(p)}")
    margin, classes = check_real(name, "margin", margin), x.shape[-1]
    labels = _class_labels(name, target, x.shape[:-1], classes)
    weight = op_weights(weight, class_weights(weight, x, classes, name), x, name)
    (x,), dtype = widened_inputs([x])  # float16: in float32, its mean too, rounded once
    losses = autograd.multi_margin_loss(x, labels, p=int(p), margin=float(margin), weight=weight, reduction="none")
    return narrowed(reduce([losses], reduction, name), dtype)


def _class_labels(name: str, target: Any, shape: tuple[int, ...], classes: int) -> np.ndarray:
    """`target` as class indices of `shape` (one per row), integers in [0, classes) (checked through validate)."""
    labels = as_array(name, "the labels", autograd.raw(target))  # a ragged list named, not numpy's words
    check_integer_labels(labels, shape + (classes,), name)
    if labels.shape != shape:
        hint = autograd.one_hot_hint(labels, shape + (classes,))
        raise autograd.ShapeError(
            f"{name}: scores need labels of shape {shape} (one per row), got {labels.shape}{hint}"
        )
    require(
        [target if isinstance(target, np.ndarray | Tensor) else labels],
        lambda v: (v >= 0) & (v < classes),
        lambda bad: (
            f"{name}: label {bad:g} is not a class of these scores, which have {classes}: give 0 to {classes - 1}"
        ),
    )
    return labels


def _clamp_min0(x: Tensor) -> Tensor:
    """max(x, 0) with PyTorch's clamp_min(0) derivative: 1 at 0 too (relu's is 0 there), the hinge met exactly."""
    return x.clip(0.0)


def _choose(y: Any, similar: Tensor, dissimilar: Tensor) -> Tensor:
    """`similar` where y is 1, `dissimilar` where -1, by the choose_by_label op: y is its operand, not a mask read
    in Python, so a compiled step replays it on each call's labels. A blend (s + s y) / 2 + (d - d y) / 2 made
    inf - inf where the side not chosen was infinite: hinge_embedding_loss of x = inf and y = -1 was NaN, not 0
    (PyTorch's), of x = -inf and y = 1 NaN, not -inf."""
    return _choose_by_label(y, similar, dissimilar)


def _picked(g: Any, mask: np.ndarray) -> Any:
    """g where `mask` holds, else 0 (whatever g is there: inf · 0 is not made), on arrays or nodes."""
    if isinstance(g, Tensor):
        return autograd.where(mask, g, 0.0)
    return np.where(mask, g, 0).astype(np.result_type(g), copy=False)


_choose_by_label = autograd.Op(
    "choose_by_label",
    lambda y, s, d: np.where(y > 0, s, d).astype(np.result_type(s, d), copy=False),
    lambda g, out, y, s, d: (None, _picked(g, autograd.raw(y) > 0), _picked(g, autograd.raw(y) <= 0)),
)


def _tensors(
    name: str, first: Any, *others: Any, promote: bool = False, widen_by: tuple[Any, ...] = (), names: tuple = ()
) -> list[Tensor]:
    """The inputs as Tensors of one shape (an array or a list as a constant of the first's dtype); the first
    must be a Tensor: a list of Values is refused, naming the fix. With `promote`, of the widest float dtype of
    the Tensors among them and `widen_by` (PyTorch's promotion: triplet_margin_loss of a float32 anchor and a
    float64 positive is float64), as losses_pairs.in_floats widens. `names`: the others' in messages (the
    target's by default)."""
    if not isinstance(first, Tensor):
        raise TypeError(
            f"{name} takes Tensors, got {type_name(first)}; wrap arrays as autograd.Tensor (Values: use a Tensor)"
        )
    check_nonempty(first, name)  # pairs checks it too, but multi_margin_loss's input has no other to pair with
    for other in (*others, *widen_by) if promote else ():
        first = in_floats(first, other, promote=True)
    names = names or ("the target",) * len(others)
    inputs = [first] + [pairs(first, other, name, promote, what)[0][1] for other, what in zip(others, names)]
    # an array copied (read at the call: a write into it before backward() changes no gradient), float16 kept
    return [x if isinstance(x, Tensor) else autograd.tensor(x, dtype=x.dtype) for x in inputs]


def _labels(name: str, x: Tensor, target: Any, constant: bool = False, promote: bool = False) -> Any:
    """`target` as labels of x's shape and dtype (with `promote`, a float Tensor's own wider dtype), each -1 or
    +1 (checked through validate); with `constant`, one that requires grad is refused, where PyTorch's loss
    gives its target no gradient."""
    if constant and isinstance(target, Tensor) and needs_grad(target):
        raise TypeError(
            f"{name}: target is a constant here and takes no gradient (as in PyTorch); give target.detach()"
        )
    return ranged_pairs(
        x,
        target,
        name,
        lambda v: np.abs(v) == 1,
        lambda bad: f"{name}: target must be -1 or +1, got {bad:g}; for labels 0/1 pass 2 * labels - 1",
        promote,
    )[0][1]
