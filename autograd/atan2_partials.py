"""atan2's partial derivatives of every order in closed form, one op for its rule: atan2(a, b) = arg(z), z = b + ia,
so ∂ᵖ⁺ᵠ/∂aᵖ∂bᵠ = Im(iᵖ·(−1)ⁿ⁻¹·(n − 1)!/zⁿ), n = p + q. z is first scaled by a power of two (exact) to a modulus
in [1/2, 1) and the result scaled back once, so no step overflows or underflows before the end: the chain rule
through b/(a² + b²) summed terms that overflowed with opposite signs (∂²/∂a∂b at (5e-324, 1e-310) was NaN for
−inf, float32's third derivative at (1e-45, 1e-20) −inf for −8.4e35). The op's own rule is the next order, so
derivatives of any order follow on both engines."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .op import Op, engine_ops
from .user_rules import unbroadcast


def _partial(a: Any, b: Any, *, p: int, q: int) -> Any:
    """∂ᵖ⁺ᵠ atan2(a, b)/∂aᵖ∂bᵠ on floats or arrays (p + q ≥ 1), in float64 and rounded once to the inputs' dtype.
    0 at the origin and where one input is infinite and the other finite (the limits there, PyTorch's choice at
    the origin: docs/edge-points.md); NaN at a NaN."""
    a_, b_ = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    n = p + q
    flat = ((a_ == 0) & (b_ == 0)) | (np.isinf(a_) & np.isfinite(b_)) | (np.isfinite(a_) & np.isinf(b_))
    size = np.maximum(np.abs(a_), np.abs(b_))
    k = np.frexp(np.where(flat | ~np.isfinite(size), 1.0, size))[1]  # size = m·2^k, m in [1/2, 1)
    scaled_a, scaled_b = np.where(flat, 0.0, np.ldexp(a_, -k)), np.where(flat, 1.0, np.ldexp(b_, -k))
    # 1/zⁿ as conj(z)ⁿ/|z|²ⁿ, conj(z)ⁿ's parts in real products and sums (numpy's complex product may fuse them,
    # and b·b − a·a then leaves a rounding error at a = b, scaled back to inf where the value is 0)
    real, imag = scaled_b, -scaled_a
    for _ in range(n - 1):
        real, imag = real * scaled_b + imag * scaled_a, imag * scaled_b - real * scaled_a
    rotated = (imag, real, -imag, -real)[p % 4]  # Im(iᵖ·conj(z)ⁿ)
    with np.errstate(invalid="ignore"):  # a NaN input: NaN
        part = rotated * ((-1) ** (n - 1) * math.factorial(n - 1)) / (scaled_a * scaled_a + scaled_b * scaled_b) ** n
    with np.errstate(over="ignore"):  # ±inf where the derivative is beyond the floats (to the dtype's too, below)
        value = np.ldexp(part, -k * n)
    if n == 1:  # a zero slope signed as b/r² and −a/r² are (PyTorch's), where Im of a quotient may take the other sign
        value = np.where(value == 0, np.copysign(0.0, b_ if p else -a_), value)
    value = np.where(flat, 0.0, value)
    if isinstance(a, float | int) and isinstance(b, float | int):
        return float(value)
    with np.errstate(over="ignore"):
        return value.astype(np.result_type(a, b), copy=False)


def _partial_vjp(g: Any, out: Any, a: Any, b: Any, *, p: int, q: int) -> tuple[Any, Any]:
    return (
        unbroadcast(g * partial(a, b, p=p + 1, q=q), np.shape(a)),
        unbroadcast(g * partial(a, b, p=p, q=q + 1), np.shape(b)),
    )


partial = Op(
    "atan2_partial", _partial, _partial_vjp, formulas=("∂/∂a: the next order", "∂/∂b: the next order"), broadcasts=True
)
engine_ops(partial)
