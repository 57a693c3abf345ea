"""Forwards of elementwise ops that take more than one library call, on floats (`scalar_*`,
the Value hot path: `math`) and on arrays (`tensor_*`: numpy). Entries of the op table in
different files share them (silu is x · sigmoid)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .scaled_sums import squares_finite


def holds_nan(x: np.ndarray) -> bool:
    """Whether a float array holds a NaN, in one pass without a copy: its least entry is NaN exactly then
    (np.minimum passes NaN on, and neither overflows nor meets inf - inf as a sum would, so it needs no
    np.errstate, whose setting cost 2 of a 8,192-entry relu kernel's 10 microseconds)."""
    if x.size == 0 or squares_finite(x):  # minimum has no identity; finite squares (a cheaper pass): no NaN
        return False
    least = np.minimum.reduce(x, axis=None)
    return bool(least != least)


def scalar_softsign(x: float) -> float:
    # x / (1 + |x|) is inf / inf at ±inf: its limit ±1 there (as tanh's), where PyTorch's is NaN
    return math.copysign(1.0, x) if math.isinf(x) else x / (1 + abs(x))


def tensor_softsign(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # inf / inf: put right below
        out = x / (1 + np.abs(x))
    if x.dtype.kind == "f" and holds_nan(out):  # inf / inf at ±inf (or a NaN input): as scalar_softsign
        infinite = np.isinf(x)
        if infinite.any():
            out = np.where(infinite, np.sign(x), out)
    return out


def scalar_silu(x: float) -> float:
    return -0.0 if x == -math.inf else x * scalar_sigmoid(x)  # the limit at −inf (x · 0 is NaN there)


def tensor_silu(x: np.ndarray) -> np.ndarray:
    return vanishing_at_negative_infinity(x, lambda x: x * tensor_sigmoid(x))


def scalar_mish(x: float) -> float:
    return -0.0 if x == -math.inf else x * math.tanh(scalar_softplus(x))


def tensor_mish(x: np.ndarray) -> np.ndarray:
    return vanishing_at_negative_infinity(x, lambda x: x * np.tanh(tensor_softplus(x)))


def vanishing_at_negative_infinity(x: np.ndarray, product: Any) -> np.ndarray:
    """product(x), x times a factor that vanishes at −inf (silu's σ(x), mish's, gelu's Φ(x)), but −0 there, its
    limit, where the product is −inf · 0 = NaN (PyTorch's). One pass over x (its least entry), no copy, unless
    it holds −inf (fmin: a NaN does not hide it)."""
    if x.dtype.kind != "f" or not x.size or np.fmin.reduce(x, axis=None) != -math.inf:
        return product(x)
    with np.errstate(invalid="ignore"):  # −inf · 0: put right below
        out = product(x)
    return np.where(np.isneginf(x), -0.0, out)


def scalar_pow(a: float, b: float) -> float:
    out = a**b
    # -inf ** 0.5 is inf in Python (IEEE's pow), but no more real than -2 ** 0.5: refused as it is
    if out.__class__ is complex or (a == -math.inf and math.isfinite(b) and b != math.floor(b)):
        raise ValueError("a negative base to a fractional power has no real value")
    return out


def tensor_power_const(x: Any, c: Any) -> Any:
    """x ** c for a number c, as PyTorch takes it: a Python float exponent of float32 data is the double it
    is, where numpy would round it to float32 ((-6) ** 2.00000001 is NaN, not 36; 3 ** 2.0000001 is not 9),
    so where c does not fit float32 the power is taken in float64 and rounded once. float16 data rounds
    the exponent to float16 (PyTorch's and numpy's), and float64 holds it as it is."""
    if isinstance(c, float) and isinstance(x, np.ndarray | np.floating) and x.dtype == np.float32:
        if float(np.float32(c)) != c:  # float(): numpy would compare in float32
            with np.errstate(over="ignore"):  # beyond float32's largest: inf, as its own power would be
                return np.power(x.astype(np.float64), c).astype(np.float32)
    return np.power(x, c)


def exponent_as_taken(x: Any, c: Any) -> Any:
    """The exponent x ** c raises float16 data to (tensor_power_const): c rounded to float16, which its
    rule, computing in float32, must use too."""
    if isinstance(c, float) and np.result_type(x) == np.float16:
        return float(np.float16(c))
    return c


def scalar_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # never overflows for x < 0
    return e / (1.0 + e)


def tensor_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e) where x >= 0, else e / (1 + e), e = exp(-|x|) (never overflows): one denominator for
    both, divided into the numerator picked first, max(e, x >= 0) (e is at most 1, so that is 1 where
    x >= 0 and e elsewhere, NaN at NaN; about 3x faster than np.where). 6 passes over x where computing
    both quotients then picking took 9, 3 arrays made where it made 8; the same bits."""
    e = np.asarray(np.exp(-np.abs(x)))  # asarray: a 0-d input's exp is a numpy scalar, not writable
    denominator = 1 + e
    numerator = np.maximum(e, x >= 0, out=e)
    return np.divide(numerator, denominator, out=numerator)


def scalar_softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))  # never overflows


def scalar_relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # NaN passes through, as in PyTorch


def tensor_relu(x: np.ndarray) -> np.ndarray:
    # np.maximum(x, 0) elementwise. numpy 2.4's loop against a scalar is as fast as against a row of zeros
    # (float32 128 x 256: 13.8 against 14.3 us with the row made; 2048 x 256: 216 against 283), which older
    # numpys ran 1.8x slower and this function took past 4,096 entries: the same bytes, NaNs' too
    return np.maximum(x, 0)


# Below this, 1 − σ(x) and 1 − tanh(x)² written from the output have lost more than 6 bits (64 units in the
# last place); there, and only there, they are computed from x instead (sigmoid_complement, tanh_slope).
CANCELS = 1 / 64


def sigmoid_tail(x: float) -> float:
    """1 − σ(x) from x, where 1 − σ(x) would cancel (x above 4.1): e/(1 + e), e = exp(−x)."""
    e = math.exp(-x)
    return e / (1 + e)


def tanh_tail(x: float) -> float:
    """1 − tanh(x)² from x, where 1 − t² would cancel (|x| above 2.4): 4e/(1 + e)², e = exp(−2|x|)."""
    e = math.exp(-2 * abs(x))
    return 4 * e / ((1 + e) * (1 + e))


def sigmoid_complement_array(x: np.ndarray, s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 − σ(x) given s = σ(x), into `out` (sigmoid_tanh_slopes.sigmoid_complement on arrays, and the
    compiled kernel's): 1 − s, and where that is below CANCELS (x above 4.1), e/(1 + e) with e = exp(−x),
    for those entries alone. One extra pass (a min) where no entry is that far out."""
    near = np.asarray(np.subtract(1, s, out=out))  # asarray: a 0-d input's result is a numpy scalar
    if np.fmin.reduce(near, axis=None, initial=1.0) < CANCELS:  # fmin: a NaN does not hide the others
        far = np.flatnonzero(near < CANCELS)
        e = np.exp(-np.ravel(x)[far])
        near.reshape(-1)[far] = e / (1 + e)
    return near


def tanh_slope_array(x: np.ndarray, t: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 − tanh(x)² given t = tanh(x), into `out` (sigmoid_tanh_slopes.tanh_slope on arrays, and the
    compiled kernel's): 1 − t², and where that is below CANCELS (|x| above 2.4), 4e/(1 + e)² with
    e = exp(−2|x|), for those entries alone; as above."""
    slope = np.asarray(np.square(t, out=out))
    np.subtract(1, slope, out=slope)
    if np.fmin.reduce(slope, axis=None, initial=1.0) < CANCELS:
        far = np.flatnonzero(slope < CANCELS)
        with np.errstate(over="ignore"):  # 2|x| beyond the largest float: exp(-inf) is 0, the answer
            e = np.exp(-2 * np.abs(np.ravel(x)[far]))
        slope.reshape(-1)[far] = 4 * e / ((1 + e) * (1 + e))
    return slope


def tensor_softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, x)  # never overflows


# log(1 + exp(βx)) / β as its linear piece (x's positive part for β > 0, negative for β < 0) plus
# log1p(exp(-|βx|)) / β: never overflows, not even where βx does (β = 2 at x = 1e308)
def scalar_softplus_scaled(x: float, beta: float) -> float:
    linear = max(x, 0.0) if beta > 0 else min(x, 0.0)
    return linear + math.log1p(math.exp(-abs(beta * x))) / beta


def tensor_softplus_scaled(x: np.ndarray, beta: float) -> np.ndarray:
    linear = np.maximum(x, 0) if beta > 0 else np.minimum(x, 0)
    with np.errstate(over="ignore"):  # βx beyond the largest float: exp(-inf) is 0, the answer its linear piece
        return linear + np.log1p(np.exp(-np.abs(beta * x))) / beta


def scalar_maximum(a: float, b: float) -> float:
    return a if a >= b or a != a else b  # NaN wins, as numpy and PyTorch


def scalar_minimum(a: float, b: float) -> float:
    return a if a <= b or a != a else b  # NaN wins, as numpy and PyTorch


def tensor_maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _first_zero(np.maximum(a, b), a, b)


def tensor_minimum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _first_zero(np.minimum(a, b), a, b)


def _first_zero(out: Any, a: Any, b: Any) -> Any:
    """`out` with a's zero wherever a and b are zeros (0.0 and -0.0 tie): the zero numpy's loops pick
    varies with them, PyTorch and the scalar engine keep the first. A pass only where out has a zero."""
    if out.dtype.kind != "f" or out.all():
        return out
    tie = (np.asarray(a) == 0) & (np.asarray(b) == 0)
    if np.ndim(out) == 0:  # numpy's scalar, of 0-d inputs
        return out.dtype.type(a) if tie else out
    np.copyto(out, np.broadcast_to(a, out.shape), where=tie)
    return out


def scalar_logaddexp(a: float, b: float) -> float:
    if a == b:  # also two infinities of one sign, where a - b is NaN
        return a + math.log(2.0)
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))  # never overflows


def scalar_logaddexp2(a: float, b: float) -> float:
    if a == b:  # as scalar_logaddexp
        return a + 1.0
    return max(a, b) + math.log1p(2.0 ** -abs(a - b)) / math.log(2.0)


_erf = np.vectorize(math.erf, otypes=[np.float64])  # numpy has no erf; math's is exact to an ulp
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def tensor_erf(x: np.ndarray) -> np.ndarray:
    return _erf(x).astype(_ufunc_dtype(x), copy=False)


def tensor_erfc(x: np.ndarray) -> np.ndarray:
    return _erfc(x).astype(_ufunc_dtype(x), copy=False)


def _ufunc_dtype(x: np.ndarray) -> np.dtype:
    """The dtype numpy's own ufuncs give (np.sin's): a float keeps its width, float16 too."""
    return np.result_type(x, np.float16)


def scalar_pow_or_inf(a: float, b: float) -> float:
    """a ** b for a rule's derivative, where Python's OverflowError is an infinity of the result's
    sign (1e-160 ** -2 as numpy gives it): a derivative beyond the largest float is inf."""
    try:
        return a**b
    except OverflowError:
        odd = b == int(b) and int(b) % 2 == 1
        return -math.inf if a < 0 and odd else math.inf


SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715  # the tanh approximation's coefficient (Hendrycks and Gimpel 2016)


# gelu's tanh form, x·(1 + tanh z)/2, as x·σ(2z): equal, but 1 + tanh z cancels far left (PyTorch's is 8%
# off at x = -4.95 in float32), while σ(2z) keeps its digits
def scalar_gelu(x: float, approximate: str) -> float:
    if x == -math.inf:  # x · Φ(x)'s limit, where the product is −inf · 0 = NaN (PyTorch's)
        return -0.0
    if approximate == "tanh":
        return x * scalar_sigmoid(2.0 * SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x))
    return 0.5 * x * math.erfc(-x / math.sqrt(2.0))  # Φ(x) = erfc(-x/√2)/2: 1 + erf cancels far left


def tensor_gelu(x: np.ndarray, approximate: str) -> np.ndarray:
    if approximate == "tanh":
        return vanishing_at_negative_infinity(
            x, lambda x: x * tensor_sigmoid(2 * SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x))
        )
    return vanishing_at_negative_infinity(x, lambda x: 0.5 * x * tensor_erfc(-x / math.sqrt(2.0)))


def scalar_fmod(a: float, b: float) -> float:
    if b == 0.0:  # a ZeroDivisionError, as Python's % and / (math's is a ValueError)
        raise ZeroDivisionError("fmod by zero")
    return math.fmod(a, b)  # an infinite a: ValueError


def tensor_modulo(f: Any) -> Any:
    """numpy's `f` (np.fmod, np.remainder) on arrays, refusing a zero divisor of integers as Python's
    % does (numpy makes 0 of it, with a warning; PyTorch raises): floats give NaN there, as both."""

    def run(a: Any, b: Any) -> Any:
        if np.result_type(a, b).kind != "f" and not np.all(b):
            raise ZeroDivisionError(f"{f.__name__} of integers by zero is undefined: a zero divisor needs floats (NaN)")
        return f(a, b)

    return run
