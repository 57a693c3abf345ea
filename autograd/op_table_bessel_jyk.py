"""The op table's Bessel functions of the first and second kind and the modified ones of the second kind, on both
engines, torch.special's names and choices: J₀, J₁, Y₀, Y₁, K₀, K₁ and the scaled e^x·K₀, e^x·K₁, which stay
finite where Kₙ underflows (from x = 745). Y and K are defined for x > 0 only. Their derivatives are written in
the family (J₀' = −J₁, J₁' = J₀ − J₁/x, the same for Y; K₀' = −K₁, K₁' = −K₀ − K₁/x), so derivatives of any
order follow (PyTorch 2.13 has none: its backward is not implemented). Entries as in `op_table` (read there);
forwards in `bessel_jy_forwards` and `bessel_k_forwards`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import bessel_jy_forwards as jy
from . import bessel_k_forwards as k
from .bessel_series import hankel
from .op_def import NONZERO, POSITIVE, OpDef, function
from .rule_pieces import is_near, piecewise, polynomial

j0, j1, y0, y1 = (function(n) for n in ("bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"))
k0, k1 = function("modified_bessel_k0"), function("modified_bessel_k1")
k0e, k1e = function("scaled_modified_bessel_k0"), function("scaled_modified_bessel_k1")
sqrt = function("sqrt")
# J₁(x)/x = Σ (−q)ᵏ/(2·k!·(k+1)!), q = x²/4: 12 terms hold every digit for |x| < 1
_J1_OVER_X = tuple((-1) ** n * 0.5 / (math.factorial(n) * math.factorial(n + 1)) for n in range(12))
_ASYMPTOTIC_FROM = 30.0
# e^x·(K₀ − K₁)(x)·√(2x/π) ~ Σ (aₖ(0) − aₖ(1))/xᵏ, k ≥ 1 (Hankel's): 22 terms hold every digit from 30
_K_DIFFERENCE = tuple(float(hankel(n, 0) - hankel(n, 1)) for n in range(1, 23))
_SQRT_HALF_PI = math.sqrt(math.pi / 2)
# Below 1e-20 (and at ±0, where the closed forms were inf − inf: Y₁'(0), e^x·K₀'(0) NaN) a derivative of Y₁, K₁,
# e^x·K₀ and e^x·K₁ is its pole's leading term, c/x or c/x², to within x·|ln x| = 5e-19 of itself (under half an
# ulp), and so is each of its derivatives; built from x + 0.0 (−0.0 read as +0.0, as the forwards do) and by
# division (its derivative −out/x is ∓inf at 0, where a power's chain meets 0 · inf)
_POLE_BELOW = 1e-20


def _with_pole(x: Any, pole: Any, formula: Any) -> Any:
    """pole(x + 0.0) for 0 ≤ x < 1e-20, formula(x) elsewhere (below 0 too, NaN there as the forward)."""
    return piecewise(
        x, is_near(x, lambda a: (a >= 0) & (a < _POLE_BELOW)), lambda x: pole(x + 0.0), formula, (1e-30, 1.0)
    )


def _j1_slope(x: Any) -> Any:
    """J₁' = J₀ − J₁/x, 1/2 at 0, where J₁/x is 0/0: within |x| < 1 its series, so every derivative holds too."""
    return piecewise(
        x,
        is_near(x, lambda a: np.abs(a) < 1),
        lambda x: j0(x) - polynomial(_J1_OVER_X, x * x * 0.25),
        lambda x: j0(x) - j1(x) / x,
        (0.0, 1.0),
    )


def _scaled_k_difference(x: Any) -> Any:
    """e^x·(K₀ − K₁)(x), whose closed form k0e − k1e cancels as x grows (the two agree to 1/(2x): log₂(2x) bits
    lost, 14 at 1e4): from 30 its asymptotic series, below it the closed form."""

    def series(x):
        w = 1 / x
        return _SQRT_HALF_PI * (polynomial(_K_DIFFERENCE, w) * w) / sqrt(x)

    far = is_near(x, lambda a: a >= _ASYMPTOTIC_FROM)
    return piecewise(x, far, series, lambda x: k0e(x) - k1e(x), (_ASYMPTOTIC_FROM, 1.0))


def _scaled_k1_slope(x: Any) -> Any:
    """(e^x·K₁)' = −(e^x·(K₀ − K₁) + e^x·K₁/x)."""
    return -(_scaled_k_difference(x) + k1e(x) / x)


def _falling_to_zero(formula: Any) -> Any:
    """formula, but from x = 2^(digits + 1) (2^54 in float64, to +inf) −√(π/2)/2·x^(−3/2), the leading term of both
    scaled K's slopes, whose next is 1/x smaller, below half an ulp there: its derivatives are powers of x, signed
    as the true ones (the formula's zeros where they underflow were sums of signed zeros: the third derivatives of
    e^x·K₀ and e^x·K₁ at +inf and at 1e300 were +0, their limit and value −0, −1.1e-751 at 1e300)."""

    def slope(x: Any) -> Any:
        return piecewise(
            x, is_near(x, _leading_term_exact), lambda u: -_SQRT_HALF_PI / 2 * u**-1.5, formula, (math.inf, 1.0)
        )

    return slope


def _leading_term_exact(a: Any) -> Any:
    return a >= 2.0 ** (np.finfo(np.float64 if a.__class__ is float else np.result_type(a)).nmant + 2)


BESSEL_JYK: tuple[OpDef, ...] = (
    # even; 0 at ±inf, its limit (PyTorch's NaN). Random checks keep 0.1 from 0, where the PyTorch stand-in's J₁/x
    # (its second derivative) is 0/0 (tests/torch_bessel.py); ours is checked against mpmath there
    OpDef(
        "bessel_j0",
        lambda g, out, x: (-g * j1(x),),
        jy.scalar_j0,
        jy.tensor_j0,
        (NONZERO,),
        formulas=("∂J₀(x)/∂x = −J₁(x)",),
    ),
    # odd, −0.0 kept; its derivative at 0 is 1/2, J₁(x)/x's limit; 0 at ±inf (PyTorch's NaN); kept off 0 as J₀
    OpDef(
        "bessel_j1",
        lambda g, out, x: (g * _j1_slope(x),),
        jy.scalar_j1,
        jy.tensor_j1,
        (NONZERO,),
        formulas=("∂J₁(x)/∂x = J₀(x) − J₁(x)/x (1/2 at 0)",),
    ),
    # x > 0: −inf at ±0 and NaN below on Tensors (PyTorch's), which a Value refuses
    OpDef(
        "bessel_y0",
        lambda g, out, x: (-g * y1(x),),
        jy.scalar_y0,
        jy.tensor_y0,
        (POSITIVE,),
        "bessel_y0 needs a positive input",
        formulas=("∂Y₀(x)/∂x = −Y₁(x)",),
    ),
    OpDef(
        "bessel_y1",
        lambda g, out, x: (g * _with_pole(x, lambda u: 2 / math.pi / u / u, lambda x: y0(x) - y1(x) / x),),
        jy.scalar_y1,
        jy.tensor_y1,
        (POSITIVE,),
        "bessel_y1 needs a positive input",
        formulas=("∂Y₁(x)/∂x = Y₀(x) − Y₁(x)/x",),
    ),
    # x > 0: +inf at ±0 and NaN below on Tensors (PyTorch's), which a Value refuses; 0 at +inf
    OpDef(
        "modified_bessel_k0",
        lambda g, out, x: (-g * k1(x),),
        k.scalar_k0,
        k.tensor_k0,
        (POSITIVE,),
        "modified_bessel_k0 needs a positive input",
        formulas=("∂K₀(x)/∂x = −K₁(x)",),
    ),
    OpDef(
        "modified_bessel_k1",
        lambda g, out, x: (-g * _with_pole(x, lambda u: 1 / u / u, lambda x: k0(x) + k1(x) / x),),
        k.scalar_k1,
        k.tensor_k1,
        (POSITIVE,),
        "modified_bessel_k1 needs a positive input",
        formulas=("∂K₁(x)/∂x = −K₀(x) − K₁(x)/x",),
    ),
    OpDef(
        "scaled_modified_bessel_k0",
        lambda g, out, x: (g * _with_pole(x, lambda u: -1 / u, _falling_to_zero(_scaled_k_difference)),),
        k.scalar_k0e,
        k.tensor_k0e,
        (POSITIVE,),
        "scaled_modified_bessel_k0 needs a positive input",
        formulas=("∂(e^x·K₀(x))/∂x = e^x·(K₀(x) − K₁(x))",),
    ),
    OpDef(
        "scaled_modified_bessel_k1",
        lambda g, out, x: (g * _with_pole(x, lambda u: -1 / u / u, _falling_to_zero(_scaled_k1_slope)),),
        k.scalar_k1e,
        k.tensor_k1e,
        (POSITIVE,),
        "scaled_modified_bessel_k1 needs a positive input",
        formulas=("∂(e^x·K₁(x))/∂x = e^x·(K₁(x) − K₀(x) − K₁(x)/x)",),
    ),
)
