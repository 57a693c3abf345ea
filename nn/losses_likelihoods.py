"""Negative log-likelihood losses of torch.nn.functional 2.13 on Tensors, with its arguments and reductions:
gaussian_nll_loss (a mean and a variance per prediction) and poisson_nll_loss (a rate, or its log). Written
over autograd's ops and two ops of their own (the variance's floor, the Stirling term), so that every input
that requires grad, the target too, gets its gradient and its second derivative.

As nn's other losses: inputs and targets of one shape (no broadcasting; torch broadcasts them silently),
and data that gives no likelihood refused through autograd.validate (a compiled step checks each replay's
own): a negative or NaN variance (torch: negative), a negative or NaN count, a negative rate."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Op, ShapeError, Tensor, computed_in, raw, type_name

from .arguments import as_array, check_flag, check_number, check_real, is_real, shown
from .loss_positions import torch_positions
from .losses_half import narrowed, widened_inputs
from .losses_margins import _tensors
from .losses_pairs import as_operand, reduce, require

__all__ = ["gaussian_nll_loss", "poisson_nll_loss"]


@torch_positions("full", "eps", "reduction", module_keywords=True)
def gaussian_nll_loss(
    input: Tensor, target: Any, var: Any, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
) -> Tensor:
    """0.5 (log v + (x - t)^2 / v) per element (+ 0.5 log 2 pi with `full`), v = max(var, eps) as torch's:
    the floor taken without a gradient of its own, so that below eps var gets the loss's slope at eps (torch
    clamps under no_grad). `var` is a number, or an array or Tensor of the input's shape, of that shape without
    its last axis, or of the input's rank with one axis of size 1 where they differ (torch's rules)."""
    name = "gaussian_nll_loss"
    x, t = _tensors(name, input, target, promote=True, widen_by=(var,))  # a float64 var widens, as PyTorch's
    full = check_flag(name, "full", full)
    eps = check_number(name, "eps", eps, "a finite number > 0", lambda e: 0 < e < math.inf)
    v = _variance(name, x, var)
    require(  # the caller's array or Tensor itself, so that a compiled step checks it again on each replay
        [var if isinstance(var, Tensor | np.ndarray) else v if isinstance(v, Tensor) else float(v)],
        lambda a: a >= 0,
        lambda bad: f"{name}: var must hold variances, numbers >= 0, got {bad:g}",
    )
    (x, t, v), dtype = widened_inputs([x, t, v])  # float16: in float32 (the floor eps too), rounded once
    v = _floor(v, eps=eps) if isinstance(v, Tensor) else max(v, eps)
    d = x - t
    loss = 0.5 * (autograd.log(v) + d * (d / v))  # not d²/v: d² overflowed from 1.3e154 where d²/v fits
    return narrowed(reduce([loss + 0.5 * math.log(2 * math.pi) if full else loss], reduction, name), dtype)


@torch_positions("log_input", "full", "size_average", "eps", "reduce", "reduction")
def poisson_nll_loss(
    input: Tensor,
    target: Any,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Tensor:
    """exp(x) - t x for a log-rate x (`log_input`), else x - t log(x + eps) for a rate x, per element; with
    `full`, plus Stirling's t log t - t + 0.5 log(2 pi t) where t > 1 (0 where t <= 1, as torch's). Targets are
    counts, >= 0. The Stirling term's slope in t is 0 where t <= 1, at t = 0 too (torch's is NaN there: its
    0 log 0 masked after the fact)."""
    name = "poisson_nll_loss"
    x, t = _tensors(name, input, target, promote=True)
    log_input, full = check_flag(name, "log_input", log_input), check_flag(name, "full", full)
    eps = check_real(name, "eps", eps, low=0)
    require([t], lambda a: a >= 0, lambda bad: f"{name}: targets are counts, numbers >= 0, got {bad:g}")
    if not log_input:
        why = f"{name}: with log_input=False the input is a rate, >= 0, got {{:g}}; for log-rates pass log_input=True"
        require([x], lambda a: a >= 0, why.format)
    (x, t), dtype = widened_inputs([x, t])  # float16: in float32, rounded once
    if log_input:
        loss = autograd.exp(x) - t * x
    else:
        loss = x - t * autograd.log(x + eps)
    return narrowed(reduce([loss + _stirling(t) if full else loss], reduction, name), dtype)


def _variance(name: str, x: Tensor, var: Any) -> Any:
    """`var` as the loss reads it: a number as a float; an array or Tensor as an operand of x's dtype (float32
    for float16: autograd.computed_in; a Tensor that requires grad as it is), shaped to broadcast against x
    by torch's rules, else a ShapeError."""
    if is_real(var):
        try:
            return float(var)
        except OverflowError:  # 10**400: Python's "int too large to convert to float", naming nothing
            raise OverflowError(f"{name}: var {shown(var)} is beyond a float (at most 1.8e308)") from None
    v = var if isinstance(var, Tensor) else as_array(name, "var", raw(var))  # a ragged list named
    if v.dtype.kind not in "iuf":  # a bool (True) is no variance: is_real refuses it as a number too
        raise TypeError(
            f"{name}: var must be a number, an array or a Tensor of numbers, got {type_name(var)} of dtype {v.dtype}"
        )
    # in x's dtype, float32 for float16 (as weights: a scale of each term, its subnormals were up to 3% off); a
    # wider Tensor var widens x (widen_by)
    v = as_operand(v, computed_in(x.dtype) or x.dtype, name, "var", True, var)
    v = v if isinstance(v, Tensor) else Tensor(v, dtype=v.dtype)  # in the graph: a compiled step reads each call's
    if v.shape == x.shape:
        return v
    if v.shape == x.shape[:-1]:  # one variance per row of the last axis
        return v.reshape(*v.shape, 1)
    if v.ndim == x.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1:
        return v  # one axis of size 1 where they differ: broadcast along it
    raise ShapeError(
        f"{name}: var of shape {v.shape} for input of shape {x.shape}: give the input's shape, that shape "
        f"without its last axis {x.shape[:-1]}, or one with a single axis of size 1"
    )


# max(var, eps) whose gradient passes to var unchanged, also below eps: torch clamps var in place under no_grad,
# so its gradient (and second derivative) is the loss's at eps, handed to var as if no floor were there
_floor = Op("variance_floor", lambda v, *, eps: np.maximum(v, eps), lambda g, out, v, *, eps: (g,))


def _stirling_forward(t: Any) -> Any:
    """t log t - t + 0.5 log(2 pi t) where t > 1, else 0 (torch's masked_fill), in t's dtype."""
    with np.errstate(divide="ignore", invalid="ignore"):  # log of 0, replaced by 0
        return np.where(t > 1, t * np.log(t) - t + 0.5 * np.log(2 * math.pi * t), 0).astype(t.dtype)


def _above_one(t: Any, f: Any) -> Any:
    """f(s) where t > 1, else 0, for arrays and Tensors, s = t there (2 elsewhere, so that f stays finite: a
    1 / t at t = 0 would make a NaN of the branch not taken, in its gradient too)."""
    big = raw(t) > 1
    pick = autograd.where if isinstance(t, Tensor) else np.where
    return pick(big, f(pick(big, t, 2.0)), 0.0)


def _stirling_slope_forward(t: Any) -> Any:
    return _above_one(t, lambda s: np.log(s) + 0.5 / s)


_stirling_slope = Op(
    "stirling_slope",
    _stirling_slope_forward,
    lambda g, out, t: (g * _above_one(t, lambda s: 1 / s - 0.5 / (s * s)),),  # d/dt (log t + 1/(2t))
)
# d/dt (t log t - t + 0.5 log(2 pi t)) = log t + 1/(2t) where t > 1, 0 where the term is 0
_stirling = Op("stirling", _stirling_forward, lambda g, out, t: (g * _stirling_slope(t),))
