"""The op table's functions of the normal distribution on both engines, torch.special's names and choices:
erfcx(x) = e^(x²)·erfc(x), log_ndtr(x) = log Φ(x), ndtri(p) = Φ⁻¹(p). Each derivative is written with the family
(erfcx itself, exp, its own output), so derivatives of any order follow. Entries as in `op_table` (read there);
forwards in `normal_forwards`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import normal_forwards as forward
from .normal_forwards import SQRT_HALF
from .op_def import Domain, OpDef, function
from .op_table_math import TWO_OVER_SQRT_PI, gaussian
from .rule_pieces import is_near, piecewise, polynomial, tail_at_infinity

erfcx, exp, ndtr, ndtri = (function(n) for n in ("erfcx", "exp", "ndtr", "ndtri"))
SQRT_2PI, SQRT_2_OVER_PI = math.sqrt(2 * math.pi), math.sqrt(2 / math.pi)
_ASYMPTOTIC_FROM = 8.0
# erfcx'(x)·√π/2 = Σ (−1)ᵏ(2k−1)!!·zᵏ, z = 1/(2x²), k ≥ 1: 21 terms hold every digit from x = 8
_ASYMPTOTIC = tuple((-1) ** k * math.prod(range(1, 2 * k, 2)) for k in range(1, 22))


def _erfcx_slope(x: Any) -> Any:
    """2x·erfcx(x) − 2/√π, which cancels as x grows (the two agree to 1/(2x²): all digits lost by x = 1e8,
    PyTorch's formula): from x = 8 its asymptotic series in 1/x², whose every term is a derivative's too.
    erfcx(x) of x itself, not the rounded output (a float16 output read back loses 2x² of its ulps here)."""

    def series(x):
        z = 0.5 / x / x  # x·x overflows at 1.3e154, where z is still a float
        return TWO_OVER_SQRT_PI * (polynomial(_ASYMPTOTIC, z) * z)

    far = is_near(x, lambda a: a >= _ASYMPTOTIC_FROM)
    return piecewise(x, far, series, lambda x: 2 * x * erfcx(x) - TWO_OVER_SQRT_PI, (_ASYMPTOTIC_FROM, 0.0))


# Φ(x) ~ φ(x)/(−x)·Σ (−1)ᵏ(2k−1)!!·zᵏ, z = 1/x² (Mills' ratio, far left): 26 terms hold every digit from −10
_MILLS = tuple((-1) ** k * math.prod(range(1, 2 * k, 2)) for k in range(26))
_MILLS_FROM = -10.0


def _log_ndtr_slope(x: Any) -> Any:
    """φ(x)/Φ(x): from −10 down as −x/Σ (−1)ᵏ(2k−1)!!/x²ᵏ (its derivatives are as exact: through erfcx, the third
    was 4e-10 off at −1000 and 4e-6 at −1e5, where √(2/π)/erfcx(u)'s second derivative cancels to 1/u² of its
    terms); below 0 as √(2/π)/erfcx(−x/√2) (φ and Φ both underflow from −38.5; their ratio is about −x); from 0 as
    φ(x)/Φ(x) itself, Φ ≥ 1/2 there, where erfcx(−x/√2) overflows from 37.7 (the ratio underflows)."""

    def series(x):
        z = 1 / x / x  # x·x overflows at −1.3e154, where z is still a float (then 0: −x, the limit)
        return -x / polynomial(_MILLS, z)

    def mills(x):
        # at −inf −x − 1/x, its leading terms: the series' chain met inf · 0 there (log_ndtr''(−inf) was NaN, −1)
        return tail_at_infinity(x, lambda u: -u - 1 / u, series, np.isneginf)

    def closer(x):
        left = is_near(x, lambda a: a < 0)
        return piecewise(
            x,
            left,
            lambda x: SQRT_2_OVER_PI / erfcx(-SQRT_HALF * x),
            lambda x: (1 / SQRT_2PI) * gaussian(x, 0.5) / ndtr(x),
            (-1.0, 1.0),
        )

    return piecewise(x, is_near(x, lambda a: a <= _MILLS_FROM), mills, closer, (_MILLS_FROM, -1.0))


def _ndtri_slope(x: Any) -> Any:
    """1/φ(Φ⁻¹(p)) = √(2π)·e^(Φ⁻¹(p)²/2), as (e^(Φ⁻¹(p)²/4))²: inf, not an OverflowError, where it exceeds a float
    (p below 1e-308, where the slope is above 1e308 indeed). Φ⁻¹(p) of p itself: a float16 output read back
    moves the slope by out²·2⁻¹¹, 9 ulps at 3."""
    q = ndtri(x)
    with np.errstate(over="ignore"):
        half = exp(q * q * 0.25)
        return SQRT_2PI * (half * half)


NORMAL: tuple[OpDef, ...] = (
    # +inf below −26.6 (2e^(x²) overflows) on Tensors, which a Value refuses; 0 at +inf (PyTorch's). Random
    # checks start at −1.5, before e^(x²) grows: at −3 its second derivative, 1e6, rounds by more than a slope of
    # 0.03 beside it that finite differences must see
    OpDef(
        "erfcx",
        lambda g, out, x: (g * _erfcx_slope(x),),
        forward.scalar_erfcx,
        forward.tensor_erfcx,
        (Domain(lo=-1.5),),
        domain="the result is too large for a float",
        formulas=("∂erfcx(x)/∂x = 2x·erfcx(x) − 2/√π",),
    ),
    # −inf at −inf, 0 at +inf; −inf below −1.9e154 (−x²/2 overflows) on Tensors, which a Value refuses
    OpDef(
        "log_ndtr",
        lambda g, out, x: (g * _log_ndtr_slope(x),),
        forward.scalar_log_ndtr,
        forward.tensor_log_ndtr,
        domain="the result is too large for a float",
        formulas=("∂log Φ(x)/∂x = φ(x)/Φ(x)",),
    ),
    # −inf at 0 and +inf at 1 on Tensors (PyTorch's), which a Value refuses; NaN outside [0, 1]
    OpDef(
        "ndtri",
        lambda g, out, x: (g * _ndtri_slope(x),),
        forward.scalar_ndtri,
        forward.tensor_ndtri,
        (Domain(lo=0.05, hi=0.95),),
        "ndtri needs a probability in (0, 1)",
        formulas=("∂Φ⁻¹(p)/∂p = √(2π)·exp(Φ⁻¹(p)²/2)",),
    ),
)
