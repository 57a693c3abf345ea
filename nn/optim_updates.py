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
    """grad + weight_decay * data (L2 weight decay, added to the gradient, as PyTorch's grad.add(data,
    alpha=weight_decay)) in a scratch array of its own (`add_scaled`); `grad` itself when weight_decay is 0."""
    if not weight_decay:
        return grad
    return add_scaled(state, scratch(state, data, "decayed", np.result_type(grad, data)), grad, data, weight_decay)


def add_scaled(state: dict[str, Any], out: np.ndarray, a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    """out = a + alpha * b (`out` may be `a`), PyTorch's a.add(b, alpha=alpha). A float16 result is computed in
    float32, alpha a float32, and rounded once, where numpy rounded alpha to float16 first (dampening's 0.9 to
    0.8999), then the product, then the sum: float16 SGD with weight decay and dampening was 1.794 float16 ulps
    from the float64 truth on average after 40 steps, now 1.763 (torch 2.13's 1.763: it computes in float32 too,
    but rounds add's alpha to float16, lr 0.05 to 0.04999; chainrule keeps it float32, as `coefficient` does).
    float32 and float64: alpha * b rounded, then the sum, in the array's dtype."""
    if out.dtype == np.float16:
        wide = scratch(state, out, "wide", np.float32)
        np.multiply(b, np.float32(alpha), out=wide)
        wide += a
        np.copyto(out, wide, casting="same_kind")
        return out
    s = scratch(state, b, "scaled", out.dtype)
    return np.add(a, np.multiply(b, alpha, out=s), out=out)


def weight_decayed(
    state: dict[str, Any], data: np.ndarray, grad: np.ndarray, weight_decay: float, decoupled: bool, lr: float
) -> np.ndarray:
    """The gradient with weight decay: grad + weight_decay * data (L2, `decayed`), or, `decoupled`, `grad`
    itself after the weights shrink in place, data *= 1 - lr * weight_decay (AdamW's)."""
    if not decoupled:
        return decayed(state, data, grad, weight_decay)
    if weight_decay:
        data *= coefficient(1 - lr * weight_decay, data)  # 1 - 1e-4 is 1 in float16: no decay
    return grad


def coefficient(x: float, like: np.ndarray) -> Any:
    """The number `x` as a pass over `like` should multiply by: a Python float (numpy keeps the array's
    dtype), but a float32 for a float16 array, whose passes numpy then computes in float32 and rounds once to
    float16, as PyTorch computes half precision (in float32, its scalars float32). numpy would first round
    the Python float itself to float16: SGD's momentum 0.9 to 0.8999, lr 0.05 to 0.04999, a bias in every
    step (SGD with momentum in float16 ended 2.15 float16 ulps from the float64 truth on average after 40
    steps, torch 1.64; 1.65 with this and `descend`)."""
    return np.float32(x) if like.dtype == np.float16 else x


def descend(state: dict[str, Any], data: np.ndarray, step: np.ndarray, lr: float) -> None:
    """data -= lr * step, in place, as PyTorch's add_(step, alpha=-lr) (`add_scaled`: a float16 parameter's
    computed in float32 and rounded once)."""
    add_scaled(state, data, data, step, -lr)


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


def add_ratio(
    state: dict[str, Any], target: np.ndarray, numerator: np.ndarray, denominator: np.ndarray, value: float, eps: float
) -> None:
    """target += value * numerator / denominator, in place, as PyTorch's addcdiv_ (0 where the denominator is 0:
    `ratio`). A float16 target is computed in float32 and rounded once, as PyTorch's half-precision addcdiv_,
    where numpy rounded the product, the quotient and the sum each to float16 (RMSprop with momentum in float16:
    2.54 ulps from the float64 truth on average after 40 steps, torch 2.37); float32 and float64 as before,
    value * numerator, the quotient and the sum each rounded in the target's dtype."""
    if target.dtype != np.float16:
        s = scratch(state, target)
        product = np.multiply(numerator, value, out=s) if value != 1 else numerator
        target += ratio(state, product, denominator, s, eps)
        return
    wide, below = scratch(state, target, "wide", np.float32), scratch(state, target, "wide_denominator", np.float32)
    np.multiply(numerator, np.float32(value), out=wide)
    np.copyto(below, denominator)
    ratio(state, wide, below, wide, float(np.float16(eps)))  # the denominator's eps as float16 held it: 0 or not
    wide += target
    np.copyto(target, wide, casting="same_kind")


def signed(state: dict[str, Any], grad: np.ndarray, maximize: bool) -> np.ndarray:
    """-grad in a scratch array of its own with `maximize` (the step then climbs, as PyTorch's maximize=True);
    `grad` itself without."""
    return np.negative(grad, out=scratch(state, grad, "maximized")) if maximize else grad


def lerp(state: dict[str, Any], average: np.ndarray, grad: np.ndarray, weight: float) -> None:
    """average += weight * (grad - average) in place, as PyTorch's `lerp_`, the way its optimizers update a
    running mean: for a weight of 0.5 or more as grad - (grad - average) * (1 - weight), its other branch
    (its vectorised kernel fuses the multiply and the add into one rounding, where numpy rounds twice: the
    two differ in the last place at most, and not where the product is exact)."""
    s = scratch(state, average, "lerp", np.result_type(grad, average))
    np.subtract(grad, average, out=s)
    if abs(weight) < 0.5:
        s *= coefficient(weight, s)
        average += s
    else:
        s *= coefficient(1 - weight, s)
        np.subtract(grad, s, out=average)


def average_square(state: dict[str, Any], average: np.ndarray, x: np.ndarray, rho: float) -> np.ndarray:
    """average = rho * average + (1 - rho) * x * x in place, in PyTorch's order (mul_, then addcmul_:
    ((1 - rho) * x) * x added), through a scratch array; returns `average`. rho and 1 - rho as `coefficient`
    gives them: float16 averages multiplied in float32 and rounded once, not by rho rounded to float16, and the
    addcmul_ computed in float32 and rounded once, as PyTorch's (numpy rounded the product, the square and the
    sum each: float16 RMSprop 1.019 times torch's distance from the float64 truth after 40 steps, now 1.00)."""
    average *= coefficient(rho, average)
    if average.dtype == np.float16:
        wide = scratch(state, average, "wide", np.float32)
        np.multiply(x, np.float32(1 - rho), out=wide)
        wide *= x
        wide += average
        np.copyto(average, wide, casting="same_kind")
        return average
    s = scratch(state, x)
    np.multiply(x, coefficient(1 - rho, x), out=s)
    average += np.multiply(s, x, out=s)
    return average
