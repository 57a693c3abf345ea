"""The array passes optimizers' updates share, in place on the parameter's array and in scratch
arrays kept in the parameter's state, so that a step allocates nothing: each computes what its
docstring's formula does, in that order, so with the same rounding as written out."""

from __future__ import annotations

from typing import Any

import numpy as np


def scratch(state: dict[str, Any], like: np.ndarray, name: str = "scratch", dtype: Any = None) -> np.ndarray:
    """An array of `like`'s shape and dtype (or `dtype`) kept in `state[name]` for an update's
    intermediate values (not saved: the state dict holds the slots of `slot_layout` only)."""
    s = state.get(name)
    if s is None or s.shape != like.shape or s.dtype != (like.dtype if dtype is None else dtype):
        s = state[name] = np.empty_like(like, dtype=dtype)
    return s


def decayed(state: dict[str, Any], data: np.ndarray, grad: np.ndarray, weight_decay: float) -> np.ndarray:
    """grad + weight_decay * data (L2 weight decay, added to the gradient) in a scratch array of its
    own, with the same rounding; `grad` itself when weight_decay is 0."""
    if not weight_decay:
        return grad
    out = scratch(state, data, "decayed", np.result_type(grad, data))
    return np.add(grad, np.multiply(data, weight_decay, out=out), out=out)


def descend(state: dict[str, Any], data: np.ndarray, step: np.ndarray, lr: float) -> None:
    """data -= lr * step, with the same rounding, through a scratch array instead of a new one."""
    s = scratch(state, step)
    np.multiply(step, lr, out=s)
    np.subtract(data, s, out=data)


def ratio(
    state: dict[str, Any], numerator: np.ndarray, denominator: np.ndarray, out: np.ndarray, eps: float
) -> np.ndarray:
    """numerator / denominator into `out`, where the denominator is sqrt(...) + eps, and 0 where the
    denominator is 0: there an eps that rounds to 0 in the parameter's dtype (1e-8 in float16, or an
    eps of 0) meets a second moment that saw no gradient, or none big enough to square in this dtype
    (float16 Adam's 0.001 * g**2 for |g| below 8e-3), and the step is 0, where PyTorch's is NaN or inf.
    The mask lives in a scratch array: a step allocates nothing."""
    if denominator.dtype.type(eps):  # the eps kept: no denominator is 0
        return np.divide(numerator, denominator, out=out)
    nonzero = np.not_equal(denominator, 0, out=scratch(state, denominator, "nonzero", bool))
    np.divide(numerator, denominator, out=out, where=nonzero)
    np.copyto(out, 0, where=np.logical_not(nonzero, out=nonzero))
    return out
