"""kl_div's terms as ops of the log-probabilities x and the target t: t log t - t x (0 log 0 = 0), and with
log_target e^t (t - x), each with its own rule, so that an array target is only an operand of the graph's op."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Op, Tensor


def _xlogx_forward(t: Any) -> Any:
    """t log t, 0 where t is 0 (as torch.xlogy(t, t)), of an array or a float."""
    if isinstance(t, np.ndarray | np.generic):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 log 0, replaced by 0
            return np.where(t == 0, 0, t * np.log(t)).astype(t.dtype)
    return 0.0 if t == 0 else t * math.log(t)


def _xlogx_slope_forward(t: Any) -> Any:
    """log t + 1, the derivative of t log t; NaN at t = 0 (see _xlogx_slope)."""
    if isinstance(t, np.ndarray | np.generic):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(t == 0, np.nan, np.log(t) + 1).astype(t.dtype)
    return math.nan if t == 0 else math.log(t) + 1


# t log t has no derivative at t = 0 (it is defined for t >= 0 only; the one-sided slope is -inf).
# Its slope there is NaN, as torch's kl_div gives for a target of 0, never a finite number: the
# gradient of such a target cannot be right, and NaN says so on both engines. So is the slope's own
# derivative there (torch's second derivative is NaN too; 1 / t would be inf). One Op serves
# constants (arrays, floats) and nodes (Tensors, Values) alike; d(log t + 1)/dt = 1 / t.
_NOT_PROBABILITY = "kl_div's targets are probabilities, never below 0 (or pass log_target=True)"
_xlogx_slope = Op(
    "xlogx_slope",
    _xlogx_slope_forward,
    lambda g, out, t: (g / _nan_at_zero(t),),
    _NOT_PROBABILITY,
)


def _kl_rule(g: Any, out: Any, x: Any, t: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    return (-g * t if needs[0] else None, g * (_xlogx_slope(t) - x) if needs[1] else None)


# kl_div's term t log t - t x, one op of x and t: a target given as an array is this op's input, so a
# compiled step computes t log t from each call's target (an op of the target alone would run on its
# data, outside the graph, and be replayed as recorded whenever two calls' targets gave equal numbers)
kl_term = Op("kl_term", lambda x, t: _xlogx_forward(t) - t * x, _kl_rule, _NOT_PROBABILITY, takes_needs=True)


def _exp_forward(t: Any) -> Any:
    """e^t of an array (numpy's: inf past the largest float, with its RuntimeWarning), or of a float: inf past
    the largest float too, where math.exp raises. The loss of a log target of 710 is e^710 (710 - x), beyond
    any float, as a Tensor's, and PyTorch's, is: inf (or NaN where t - x is 0), not an OverflowError."""
    if isinstance(t, np.ndarray | np.generic):
        return np.exp(t)
    try:
        return math.exp(t)
    except OverflowError:
        return math.inf


# e^t as kl_div's log-target term takes it: the same on both engines, constants and nodes, d/dt e^t = e^t
_exp = Op("exp", _exp_forward, lambda g, out, t: (g * out,))


def _kl_log_rule(g: Any, out: Any, x: Any, t: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    g_p = g * _exp(t)  # g first (as torch): a mean's 1 / n keeps it finite where e^t (t - x), the loss, is inf
    return (-g_p if needs[0] else None, g_p * (t - x) + g_p if needs[1] else None)  # d/dt e^t (t - x) = e^t (t - x + 1)


# with log_target, e^t (t - x), one op for the same reason (exp of an array target would be numpy on it)
kl_log_term = Op("kl_log_term", lambda x, t: _exp(t) * (t - x), _kl_log_rule, takes_needs=True)


def _nan_at_zero(t: Any) -> Any:
    """t with NaN where it is 0, so that dividing by it gives NaN there (as torch), not inf: for arrays
    and Tensors, and for floats and Values (a derivative rule gets either)."""
    if isinstance(t, Tensor):
        return autograd.where(t.data == 0, math.nan, t)
    if isinstance(t, np.ndarray | np.generic):
        return np.where(t == 0, math.nan, t)
    return math.nan if autograd.raw(t) == 0 else t
