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
    """numerator / denominator into `out`, where the denominator is sqrt(...) + eps: 0 where both are 0.
    An eps that rounds to 0 in the parameter's dtype (1e-8 in float16, or an eps of 0) lets an entry no
    gradient has reached divide 0 by 0; its step is 0 then, as with any eps, not NaN (PyTorch's half
    RMSprop gives NaN). The masks live in scratch arrays: a step allocates nothing."""
    if denominator.dtype.type(eps):  # the eps kept: no denominator is 0
        return np.divide(numerator, denominator, out=out)
    both = np.equal(numerator, 0, out=scratch(state, denominator, "zero", bool))
    both &= np.equal(denominator, 0, out=scratch(state, denominator, "zero_below", bool))
    with np.errstate(invalid="ignore"):
        np.divide(numerator, denominator, out=out)
    np.copyto(out, 0, where=both)
    return out
