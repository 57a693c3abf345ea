"""The op table's modified Bessel functions of the first kind on both engines, PyTorch's names and choices
(torch.i0, torch.special.i0e, i1, i1e): I₀, I₁ and their scaled forms e^−|x|·Iₙ(x), which stay finite where
Iₙ overflows (|x| beyond 713.98). Their derivatives are written in the family (I₀' = I₁, I₁' = I₀ − I₁/x), so
derivatives of any order follow. Entries as in `op_table` (read there); forwards in `bessel_forwards`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import bessel_forwards as forward
from .bessel_series import hankel
from .op_def import NONZERO, OFF_KINK, OpDef, function
from .rule_functions import sign
from .rule_pieces import UNDERFLOWS_FROM, is_near, piecewise, polynomial, sides_mean_at_zero, tail_at_infinity

cosh, exp, i0, i0e, i1, i1e, sinh, sqrt = (
    function(n) for n in ("cosh", "exp", "i0", "i0e", "i1", "i1e", "sinh", "sqrt")
)
absolute = function("abs")
# I₁(x)/x = Σ qᵏ/(2·k!·(k+1)!), q = x²/4: 12 terms hold every digit for |x| < 1 (the 13th is below 1e-24)
_OVER_X_SERIES = tuple(0.5 / (math.factorial(k) * math.factorial(k + 1)) for k in range(12))


_ASYMPTOTIC_FROM = 30.0
SQRT_2PI = math.sqrt(2 * math.pi)
# √(2πx)·e^−x·(I₀(x) − I₁(x)) ~ Σ cₖ/xᵏ, k ≥ 1 (c₁ = 1/2): 22 terms hold every digit from x = 30
_DIFFERENCE = tuple(float((-1) ** k * (hankel(k, 0) - hankel(k, 1))) for k in range(1, 23))


def _scaled_difference(x: Any) -> Any:
    """e^−|x|·(I₀(|x|) − I₁(|x|)), whose closed form i0e − i1e cancels as |x| grows (they agree to 1/(2|x|):
    2|x| ulps lost, every digit by 1e16; PyTorch's): from |x| = 30 its asymptotic series, below it the closed
    form, each of x itself (not the rounded output: a float16 output read back was 15 ulps off at 20)."""

    def series(x):
        a = absolute(x)
        w = 1 / a
        return polynomial(_DIFFERENCE, w) * w / sqrt(a) / SQRT_2PI  # 2π·a would overflow from 2.9e307

    def closed(x):
        # i1e of |x|, not |i1e(x)|: at a subnormal x, i1e(x) = x/2 rounds to 0, where |·|'s derivative would be
        # sign(0) = 0 and i0e''(5e-324) came out 1, not 3/2
        return i0e(x) - i1e(absolute(x))

    far = is_near(x, lambda a: np.abs(a) >= _ASYMPTOTIC_FROM)
    return piecewise(x, far, series, closed, (_ASYMPTOTIC_FROM, 0.0))


def _i1_over_x_series(x: Any) -> Any:
    """I₁(x)/x within |x| < 1, where i1(x)/x is 0/0 at 0 (the limit 1/2): a polynomial keeps every further
    derivative there too."""
    return polynomial(_OVER_X_SERIES, x * x * 0.25)


def _near_0(x: Any) -> Any:
    return is_near(x, lambda a: np.abs(a) < 1)


# From |x| = 713.98690854396826, the first float where I₀ overflows, I₁' = I₀ − I₁/x and each further derivative
# are ±inf here (each lies within 0.2% of I₀, above every float 0.0015 further on, so the true ones within that
# sliver are the largest floats) and the product I₀·(1 − I₁/(x·I₀)) met inf · 0 from its second derivative
# (I₁''(±inf), I₁''(1e300) and, from 714 to 720 where this began before, I₁''(715) were NaN); there cosh, all of
# whose derivatives are ±inf with I₁⁽ⁿ⁾'s signs (even, positive), stands in: never a NaN
_OVERFLOWS_FROM = 713.98690854396826


def _overflows(x: Any) -> Any:
    return is_near(x, lambda a: np.abs(a) >= _OVERFLOWS_FROM)


def _i1_vjp(g, out, x):
    # I₁' = I₀ − I₁/x, from |x| = 1 as I₀·(1 − i1e/(x·i0e)): I₀ and I₁/x both overflow from 713.98, where
    # inf − inf would be NaN (PyTorch's, at ±inf too); I₁/I₀ = i1e/i0e is below 1, so 1 − it/x keeps its digits
    def finite(x):
        return piecewise(
            x,
            _near_0(x),
            lambda x: i0(x) - _i1_over_x_series(x),
            lambda x: i0(x) * (1 - i1e(x) / (x * i0e(x))),
            (0.0, 1.0),
        )

    return (g * piecewise(x, _overflows(x), cosh, finite, (0.0, 0.0)),)


def _i1e_slope(x: Any) -> Any:
    """(e^−|x|·I₁)' = e^−|x|·(I₀ − I₁)(|x|) − e^−|x|·I₁(x)/x, even (the derivative of an odd function)."""
    ratio = piecewise(
        x,
        _near_0(x),
        lambda x: exp(-absolute(x)) * _i1_over_x_series(x),
        lambda x: i1e(x) / x,
        (0.0, 1.0),
    )
    return _scaled_difference(x) - ratio


def _i1e_vjp(g, out, x):
    # far out the slope is −|x|^(−3/2)/(2√(2π))·(1 + O(1/x)), which rounds to −0 from _I1E_SLOPE_UNDERFLOWS (±inf
    # too): there −0/|x| stands in, −0 and then +0, −0 on the right, −0 at every order on the left, the signs of the
    # true values (the formula's 0 − 0 made +0 at every order: i1e'(±inf) was +0)
    def slope(x):
        def far(a: Any) -> Any:
            return np.abs(a) >= _I1E_SLOPE_UNDERFLOWS[np.float64 if a.__class__ is float else np.result_type(a).type]

        return tail_at_infinity(x, lambda x: -0.0 / absolute(x), _i1e_slope, far)

    return (sides_mean_at_zero(x, g, lambda x: g * slope(x), _i1e_sides),)


# |x| from which |x|^(−3/2)/(2√(2π)) is below half the least subnormal, so rounds to 0 (float64 1.9e215, float32 4.3e29)
_I1E_SLOPE_UNDERFLOWS = {  # in logs: 1/(√(2π)·smallest) overflows float64
    t: math.exp((math.log(1 / SQRT_2PI) + UNDERFLOWS_FROM[t]) * 2 / 3) for t in (np.float16, np.float32, np.float64)
}


def _i0e_sides(u: Any) -> Any:
    """The mean of i0e's slopes right and left of 0 without |u|, (e^u·(I₀ + I₁) − e^−u·(I₀ − I₁))/2 =
    sinh(u)·I₀(u) + cosh(u)·I₁(u) (sides_mean_at_zero): i0e''(0) = 3/2, where sign(0) made 0."""
    return sinh(u) * i0(u) + cosh(u) * i1(u)


def _i1e_sides(u: Any) -> Any:
    """The mean of i1e's slopes right and left of 0 without |u|, (cosh(u)·I₁(u))' = sinh(u)·I₁(u) + cosh(u)·I₁'(u)
    (sides_mean_at_zero): i1e's third derivative at 0 is 15/8, where sign(0) made −1/8."""
    return sinh(u) * i1(u) + cosh(u) * (i0(u) - _i1_over_x_series(u))


BESSEL: tuple[OpDef, ...] = (
    # e^|x| growth: +inf from |x| = 713.98 on Tensors (a Value refuses it, as exp's)
    OpDef(
        "i0",
        lambda g, out, x: (g * function("i1")(x),),
        forward.scalar_i0,
        forward.tensor_i0,
        domain="the result is too large for a float",
        formulas=("∂I₀(x)/∂x = I₁(x)",),
    ),
    # kink at 0, where e^−|x| has one: the derivative there is 0, the mean of the sides' ∓1 (PyTorch's sgn(0) = 0)
    OpDef(
        "i0e",
        lambda g, out, x: (sides_mean_at_zero(x, g, lambda x: g * (-sign(x) * _scaled_difference(x)), _i0e_sides),),
        forward.scalar_i0e,
        forward.tensor_i0e,
        (OFF_KINK,),
        formulas=("∂(e^−|x|·I₀(x))/∂x = −sign(x)·e^−|x|·(I₀(|x|) − I₁(|x|))",),
    ),
    # odd, −0.0 kept; its derivative at 0 is 1/2, I₁(x)/x's limit (PyTorch's). Random checks keep 0.1 from 0,
    # where PyTorch's second derivative cancels (−0.31 at 1.9e-15, for 3x/8); ours is checked against mpmath there
    # (tests/test_elementwise_bessel_normal.py)
    OpDef(
        "i1",
        _i1_vjp,
        forward.scalar_i1,
        forward.tensor_i1,
        (NONZERO,),
        domain="the result is too large for a float",
        formulas=("∂I₁(x)/∂x = I₀(x) − I₁(x)/x (1/2 at 0)",),
    ),
    # its derivative is 1/2 at 0 from both sides, but its second jumps there (from 1 to −1): OFF_KINK
    OpDef(
        "i1e",
        _i1e_vjp,
        forward.scalar_i1e,
        forward.tensor_i1e,
        (OFF_KINK,),
        formulas=("∂(e^−|x|·I₁(x))/∂x = e^−|x|·(I₀(|x|) − I₁(|x|) − I₁(x)/x) (1/2 at 0)",),
    ),
)
