"""The op table's math functions on both engines: trigonometric, hyperbolic, logarithms and
exponentials in other bases, the rounding family, and nan_to_num. Entries as in `op_table` (read there)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from . import elementwise_forwards as forward
from .dtype_fits import check_fits
from .graph import raw
from .op_def import POSITIVE, Domain, OpDef, function
from .rule_functions import gated
from .rule_pieces import tail_at_infinity

cos, cosh, exp, hypot, log, sqrt = (function(n) for n in ("cos", "cosh", "exp", "hypot", "log", "sqrt"))
LN2, LN10 = math.log(2.0), math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
INSIDE_UNIT = Domain(lo=-0.9, hi=0.9)  # asin, acos, atanh: inside (-1, 1), where the derivative is finite
OFF_POLES = Domain(avoid=(-math.pi / 2, math.pi / 2), margin=0.2)  # tan, within [-3, 3]
TOO_LARGE = "the result is too large for a float"


def gaussian(x, c=1.0):
    """exp(−c·x²) (c ≤ 1), 0 where x² overflows (|x| beyond 1.3e154, float32's 1.8e19, and ±inf): there 1/x⁴
    (`tail_at_infinity`), 0 too, whose derivatives are 0 with the signs of the gaussian's: the chain through
    x·x met 0 · inf there (erf''(±inf), ndtr''(±inf), gelu''(inf) were NaN, and so were erf''''(1e155) and
    gelu'''(1e155), finite x)."""
    return tail_at_infinity(x, lambda u: 1 / u / u / u / u, lambda x: exp(-c * x * x), _square_overflows)


def _square_overflows(x: Any) -> Any:
    with np.errstate(over="ignore"):
        return np.isinf(x * x)


def _atan_vjp(g, out, x):
    # 1 + x² overflows from |x| 1.3e154 (float32's 1.8e19) to inf, and g / inf is 0, the answer there: quietly.
    # One division, PyTorch's formula and bits (two by hypot(x, 1) round twice more, up to 2.8 ulp)
    with np.errstate(over="ignore"):
        return (tail_at_infinity(x, lambda u: g / u / u, lambda x: g / (1 + x * x)),)


def _finite_only(f: Callable[[float], int]) -> Callable[[float], float]:
    """A rounding function on floats that keeps inf and NaN as they are (math's give ints, and refuse
    them), and the sign of a zero result, as numpy's and PyTorch's: ceil(-0.5) is -0.0."""
    return lambda x: math.copysign(float(f(x)), x) if math.isfinite(x) else x


def _scalar_sign(x: float) -> float:
    # NaN stays, as numpy (PyTorch 2.13: 0 for NaN); both zeros give +0, as numpy's and PyTorch's
    return x if x != x else 0.0 if x == 0 else math.copysign(1.0, x)


def _scalar_nan_to_num(x: float, *, nan: float, posinf: float | None, neginf: float | None) -> float:
    if x != x:
        return nan
    if x in (math.inf, -math.inf):  # a Value's float: float64's largest, as numpy's and PyTorch's
        largest = sys.float_info.max
        return (largest if posinf is None else posinf) if x > 0 else (-largest if neginf is None else neginf)
    return x


def _array_nan_to_num(x: np.ndarray, *, nan: float, posinf: float | None, neginf: float | None) -> np.ndarray:
    """numpy's nan_to_num, its replacements refused where x's dtype cannot hold them: posinf=1e300 into float32 was
    infinity again, the one value asked to be replaced (check_fits, the one rule of a number that does not fit)."""
    for name, value in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if value is not None:
            check_fits(value, x.dtype, f"nan_to_num's {name}")
    return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def _nan_to_num_vjp(g: Any, out: Any, x: Any, *, nan: float, posinf: float | None, neginf: float | None) -> Any:
    with np.errstate(invalid="ignore"):  # an infinite g where x was replaced: NaN, as PyTorch's product, quietly
        return (g * _finite(x),)


def _finite(x: Any) -> Any:
    """Whether x is finite, a constant: a bool for a number, a bool array for an array."""
    x = raw(x)
    return np.isfinite(x) if isinstance(x, np.ndarray) else math.isfinite(x)


def _integers_avoided(offset: float) -> Domain:
    """Away from the jumps of a rounding function (the integers, or the halves for round)."""
    return Domain(avoid=tuple(k + offset for k in range(-4, 4)), margin=0.05)


def _flat(name: str, scalar: Callable, tensor: Callable, safe: Domain, comment: str) -> OpDef:
    """A step function: its derivative is 0 wherever it exists (PyTorch's choice at the jumps too)."""
    return OpDef(
        name,
        lambda g, out, x: (gated(g, 0.0),),
        scalar,
        tensor,
        (safe,),
        formulas=(f"∂{name}(x)/∂x = 0 {comment}",),
        flat_pieces=True,
    )


MATH: tuple[OpDef, ...] = (
    OpDef(
        "tan",
        lambda g, out, x: (g * (1 + out * out),),
        math.tan,
        np.tan,
        (OFF_POLES,),
        "tan needs a finite input",
        formulas=("∂tan(x)/∂x = 1 + tan(x)²",),
    ),
    OpDef(
        "sinh",
        lambda g, out, x: (g * cosh(x),),
        math.sinh,
        np.sinh,
        domain=TOO_LARGE,
        formulas=("∂sinh(x)/∂x = cosh(x)",),
    ),
    OpDef(
        "cosh",
        lambda g, out, x: (g * function("sinh")(x),),
        math.cosh,
        np.cosh,
        domain=TOO_LARGE,
        formulas=("∂cosh(x)/∂x = sinh(x)",),
    ),
    OpDef(
        "asin",
        lambda g, out, x: (g / sqrt(1 - x * x),),
        math.asin,
        np.arcsin,
        (INSIDE_UNIT,),
        "asin needs an input in [-1, 1]",
        formulas=("∂asin(x)/∂x = 1/√(1 − x²)",),
    ),
    OpDef(
        "acos",
        lambda g, out, x: (-g / sqrt(1 - x * x),),
        math.acos,
        np.arccos,
        (INSIDE_UNIT,),
        "acos needs an input in [-1, 1]",
        formulas=("∂acos(x)/∂x = −1/√(1 − x²)",),
    ),
    OpDef(
        "atan",
        _atan_vjp,
        math.atan,
        np.arctan,
        formulas=("∂atan(x)/∂x = 1/(1 + x²)",),
    ),
    OpDef(
        "asinh",
        # x² + 1 overflows from 1.3e154
        lambda g, out, x: (tail_at_infinity(x, lambda u: g / abs(u), lambda x: g / hypot(x, 1.0)),),
        math.asinh,
        np.arcsinh,
        formulas=("∂asinh(x)/∂x = 1/√(x² + 1)",),
    ),
    OpDef(
        "acosh",
        # (x = −inf: NaN, as the forward). The slope as g / √(x − 1) / √(x + 1), not g / (√(x − 1)·√(x + 1)):
        # at x = 1 the product's rule met −inf · 0 (acosh''(1) was NaN where its limit is −inf, PyTorch's); and not
        # g·rsqrt(x − 1)·rsqrt(x + 1), whose six roundings put the gradient up to 3.3 ulps off (these four: 2.8)
        lambda g, out, x: (tail_at_infinity(x, lambda u: g / u, lambda x: g / sqrt(x - 1) / sqrt(x + 1), np.isposinf),),
        math.acosh,
        np.arccosh,
        (Domain(lo=1.1),),
        "acosh needs an input of at least 1",
        formulas=("∂acosh(x)/∂x = 1/√(x² − 1)",),
    ),
    OpDef(
        "atanh",
        lambda g, out, x: (g / (1 - x * x),),
        math.atanh,
        np.arctanh,
        (INSIDE_UNIT,),
        "atanh needs an input in (-1, 1)",
        formulas=("∂atanh(x)/∂x = 1/(1 − x²)",),
    ),
    # log's g / x and a division by ln 2, the shrinking one first: x · ln 2 drops bits at a subnormal x,
    # x · ln 10 overflows near the largest float, and g / x alone overflows at a small x in float16
    OpDef(
        "log2",
        lambda g, out, x: (g / x / LN2,),
        math.log2,
        np.log2,
        (POSITIVE,),
        "log2 needs a positive input",
        formulas=("∂log₂(x)/∂x = 1/(x·ln 2)",),
    ),
    OpDef(
        "log10",
        lambda g, out, x: (g / LN10 / x,),  # as log2's
        math.log10,
        np.log10,
        (POSITIVE,),
        "log10 needs a positive input",
        formulas=("∂log₁₀(x)/∂x = 1/(x·ln 10)",),
    ),
    # exact near 0, where exp(x) - 1 loses digits; its derivative is exp(x) itself, not out + 1,
    # which cancels far left (0 at x = -700 for 9.9e-305)
    OpDef(
        "expm1",
        lambda g, out, x: (g * exp(x),),
        math.expm1,
        np.expm1,
        domain=TOO_LARGE,
        formulas=("∂(exp(x) − 1)/∂x = exp(x)",),
    ),
    OpDef(
        "exp2",
        lambda g, out, x: (g * (out * LN2),),
        lambda x: 2.0**x,
        np.exp2,
        domain=TOO_LARGE,
        formulas=("∂(2**x)/∂x = 2**x·ln 2",),
    ),
    OpDef(
        "erf",
        lambda g, out, x: (g * (TWO_OVER_SQRT_PI * gaussian(x)),),
        math.erf,
        forward.tensor_erf,
        formulas=("∂erf(x)/∂x = (2/√π)·exp(−x²)",),
    ),
    # 1 − erf(x), computed whole: exact far right, where 1 − erf(x) cancels (erfc(10) is 2e-45)
    OpDef(
        "erfc",
        lambda g, out, x: (g * (-TWO_OVER_SQRT_PI * gaussian(x)),),
        math.erfc,
        forward.tensor_erfc,
        formulas=("∂erfc(x)/∂x = −(2/√π)·exp(−x²)",),
    ),
    # -1, 0 or 1; 0 and NaN stay as they are
    _flat("sign", _scalar_sign, np.sign, Domain(avoid=(0.0,)), "(a jump at 0)"),
    _flat("floor", _finite_only(math.floor), np.floor, _integers_avoided(0.0), "(jumps at the integers)"),
    _flat("ceil", _finite_only(math.ceil), np.ceil, _integers_avoided(0.0), "(jumps at the integers)"),
    _flat("trunc", _finite_only(math.trunc), np.trunc, _integers_avoided(0.0), "(jumps at the integers)"),
    # halves round to even, as Python, numpy and PyTorch
    _flat("round", _finite_only(round), np.round, _integers_avoided(0.5), "(jumps at the halves)"),
    # PyTorch's rule, g · isfinite(x), a product: 0 where a value was replaced (-0 for a negative g, NaN
    # for an infinite or NaN g there), g elsewhere. Infinities go to the dtype's largest finite numbers
    # unless posinf or neginf is given
    OpDef(
        "nan_to_num",
        _nan_to_num_vjp,
        _scalar_nan_to_num,
        _array_nan_to_num,
        params={"nan": 0.0, "posinf": None, "neginf": None},
        in_own_dtype=True,
        formulas=("∂nan_to_num(x)/∂x = 1 where x is finite, else 0",),
    ),
)
