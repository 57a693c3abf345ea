"""The op table's special functions on both engines, torch.special's and PyTorch's top-level names and
choices: xlogy, xlog1py, erfinv, logit, sinc, entr and ndtr. Entries as in `op_table` (read there); their
forwards are in `special_forwards`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import normal_forwards
from . import special_forwards as forward
from .graph import raw
from .op_def import POSITIVE, Domain, OpDef, function
from .op_table_math import INSIDE_UNIT, gaussian
from .parameter_checks import require_meaningful
from .rule_functions import where
from .rule_pieces import is_near, piecewise, polynomial

cos, exp, fmod, log, log1p, sin = (function(n) for n in ("cos", "exp", "fmod", "log", "log1p", "sin"))
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
# sin z / z's derivative (z cos z − sin z)/z² = Σₖ (−1)ᵏ 2k z²ᵏ⁻¹/(2k + 1)!, k ≥ 1: its coefficients, for |z| < 1
_SINC_SERIES = tuple((-1) ** k * 2 * k / math.factorial(2 * k + 1) for k in range(1, 12))


def _x_log_vjp(f: Any, pole: float) -> Any:
    """The rule of x·f(y), f = log (pole 0) or log1p (pole −1), 0 where x == 0. In x: f(y), but 0 where x == 0
    and y is at or beyond the pole (PyTorch's: there x·f(y) is 0 on one side and −inf or NaN on the other). In
    y: x / (y − pole), and 0 where x == 0 and y is the pole, where x·f(y) is the constant 0 along y (PyTorch's
    0/0 is NaN there). Each f and division is taken at a stand-in point where masked (its own derivative then 0
    too), so that no inf or NaN is formed for second derivatives to meet."""
    inside = 1.0 + pole  # where f is 0

    def vjp(g, out, x, y):
        rx, ry = raw(x), raw(y)
        flat = (rx == 0) & (ry <= pole)
        ga = g * f(where(inside, y, cond=flat) if np.any(flat) else y)
        at_pole = (rx == 0) & (ry == pole)
        distance = y - pole if pole else y
        if not np.any(at_pole):
            return ga, g * (x / distance)
        return ga, g * where(0.0, x / where(1.0, distance, cond=at_pole), cond=at_pole)

    return vjp


def _logit_slope(x: Any, out: Any) -> Any:
    """1/(x·(1 − x)) as 1/x + 1/(1 − x), two positive terms: +inf at either end (x + 0.0 is +0.0 at -0.0,
    PyTorch's +inf), and its derivative −1/x² + 1/(1 − x)² −inf at 0 and +inf at 1, where the product's chain
    made inf − inf (logit''(0) was NaN); NaN where the forward is NaN (x beyond [0, 1]: the formula alone is a
    number there, −0.5 at x = −1), as PyTorch's."""
    slope = 1 / (x + 0.0) + 1 / (1 - x)
    undefined = raw(out) != raw(out)
    return where(math.nan, slope, cond=undefined) if np.any(undefined) else slope


def _logit_vjp(g, out, x, *, eps):
    if eps is None:
        return (g * _logit_slope(x, out),)
    # with eps, 0 outside [eps, 1 − eps], where x was clamped (PyTorch's: the bounds themselves are inside)
    clamped = (raw(x) < eps) | (raw(x) > 1 - eps)
    if not np.any(clamped):
        return (g * _logit_slope(x, out),)
    return (where(0.0, g * _logit_slope(where(0.5, x, cond=clamped), out), cond=clamped),)


def _entr_vjp(g, out, x):
    if not isinstance(raw(x), np.ndarray) and raw(x) == 0:  # a Value; a Tensor gives +inf there, as PyTorch's
        raise ZeroDivisionError("entr(0.0) has no finite derivative: −(1 + ln x) is +inf at 0")
    return (g * (-1 - log(x + 0.0)),)  # −0.0 + 0.0 is +0.0: −1/x, the next order, −inf there as at 0, not +inf


def _logit_check(eps: float | None) -> None:
    require_meaningful("logit", {"eps": eps})
    if eps is not None and not 0 <= eps <= 0.5:  # PyTorch's takes any: a negative one clamps nothing, one
        # above 1/2 makes its bounds cross (logit(x, 0.6) is 0.41 below 1/2 and −0.41 above)
        raise ValueError(f"logit: eps must be in [0, 0.5], got {eps}; x is clamped to [eps, 1 - eps]")


def _sinc_slope(x: Any) -> Any:
    """sinc'(x) = (cos πx − sinc x)/x (sinc from x), and within |πx| < 1, where that cancels (every digit at x = 1e-8:
    PyTorch's is 0 there in float32, and 2% off at x = 1e-3), its series in πx: π²x·Σ cₖ (πx)²⁽ᵏ⁻¹⁾.
    0 at x = 0, the series' value (PyTorch's)."""

    def series(x):
        return (math.pi * math.pi) * x * polynomial(_SINC_SERIES, (math.pi * x) * (math.pi * x))

    def formula(x):  # sinc recomputed from x: a float16 output read rounded was 12 ulps off at -2.46
        beyond = forward.whole_from(np.result_type(raw(x)))
        whole = (raw(x) >= beyond) | (raw(x) <= -beyond)
        if not np.any(whole):
            z = math.pi * x
            return (cos(z) - sin(z) / z) / x
        # π·(x mod 2) from 2^52 (float32 2^23: forward.whole_from), and no π·x formed there: it may overflow
        whole = whole & np.isfinite(raw(x))  # ±inf: sin(π·x) is NaN, as the forward
        r = fmod(x, 2.0)
        k, sign = forward.half_turns(np.where(whole, raw(r), 0.0))
        if not isinstance(k, np.ndarray):
            k, sign = float(k), float(sign)  # a Value's rule: Python numbers
        turn = where(math.pi * (r - k), math.pi * where(1.0, x, cond=whole), cond=whole)
        return sign * (cos(turn) - sin(turn) / x / math.pi) / x

    return piecewise(x, is_near(x, lambda a: np.abs(a) < 1 / math.pi), series, formula, (0.0, 1.0))  # 1/x at 0: inf


SPECIAL: tuple[OpDef, ...] = (
    # 0 where x == 0, even where log y is −inf or NaN (y = 0, y < 0) or y is inf: PyTorch's and scipy's
    OpDef(
        "xlogy",
        _x_log_vjp(log, 0.0),
        forward.scalar_xlogy,
        forward.tensor_xlogy,
        (Domain(), POSITIVE),
        "xlogy needs a positive y where x is nonzero",
        formulas=("∂(x·ln y)/∂x = ln y (0 where x = 0 and y ≤ 0)", "∂(x·ln y)/∂y = x/y (0 where x = 0)"),
    ),
    # as xlogy, of log(1 + y): 0 where x == 0 whatever y is
    OpDef(
        "xlog1py",
        _x_log_vjp(log1p, -1.0),
        forward.scalar_xlog1py,
        forward.tensor_xlog1py,
        (Domain(), Domain(lo=-0.9)),
        "xlog1py needs y above -1 where x is nonzero",
        formulas=("∂(x·ln(1+y))/∂x = ln(1+y) (0 where x = 0 and y ≤ −1)", "∂(x·ln(1+y))/∂y = x/(1+y) (0 where x = 0)"),
    ),
    # ±inf at ±1 on Tensors, as PyTorch's (a Value refuses them); its derivative √π/2·exp(erfinv(x)²) from the
    # output, exact to its last bits (special_forwards: Halley steps on erf and erfc)
    OpDef(
        "erfinv",
        lambda g, out, x: (g * (forward.HALF_SQRT_PI * exp(out * out)),),
        forward.scalar_erfinv,
        forward.tensor_erfinv,
        (INSIDE_UNIT,),
        "erfinv needs an input in (-1, 1)",
        formulas=("∂erfinv(x)/∂x = (√π/2)·exp(erfinv(x)²)",),
    ),
    # log(x/(1 − x)); eps clamps x to [eps, 1 − eps] first, and then the derivative is 0 outside it (PyTorch's)
    OpDef(
        "logit",
        _logit_vjp,
        forward.scalar_logit,
        forward.tensor_logit,
        (Domain(lo=0.05, hi=0.95),),
        "logit needs an input in (0, 1), or eps to clamp it",
        params={"eps": None},
        check=_logit_check,
        formulas=("∂logit(x)/∂x = 1/(x·(1 − x))⟨eps: , 0 outside [eps, 1 − eps]⟩",),
    ),
    # PyTorch's normalized sinc, sin(πx)/(πx), 1 at 0 with derivative 0. Random checks keep 0.1 from 0, where
    # PyTorch's float32 derivative cancels (ours takes its series there; tests/test_elementwise_special.py)
    OpDef(
        "sinc",
        lambda g, out, x: (g * _sinc_slope(x),),
        forward.scalar_sinc,
        forward.tensor_sinc,
        (Domain(avoid=(0.0,), margin=0.1),),
        "sinc needs a finite input",
        formulas=("∂sinc(x)/∂x = (cos(πx) − sinc(x))/x, 0 at 0",),
    ),
    # −x·ln x, 0 at 0 (its limit) with derivative +inf there; −inf below 0 on Tensors (PyTorch's and scipy's
    # convention), which a Value refuses. At −0.0 its derivatives are 0's (−inf the second: PyTorch's is +inf)
    OpDef(
        "entr",
        _entr_vjp,
        forward.scalar_entr,
        forward.tensor_entr,
        (POSITIVE,),
        "entr needs a non-negative input",
        formulas=("∂(−x·ln x)/∂x = −(1 + ln x)",),
    ),
    # the standard normal's CDF Φ(x), from erfcx far left: exact there (normal_forwards)
    OpDef(
        "ndtr",
        lambda g, out, x: (g * (INV_SQRT_2PI * gaussian(x, 0.5)),),
        normal_forwards.scalar_ndtr,
        normal_forwards.tensor_ndtr,
        formulas=("∂Φ(x)/∂x = exp(−x²/2)/√(2π)",),
    ),
)
