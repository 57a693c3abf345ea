"""The op table's activation functions, on both engines (PyTorch's definitions and its choices at
the kinks). Entries as in `op_table` (read there). Some take keyword parameters (`params`, with
PyTorch's names and defaults): their forwards and rules receive them, and their domains are
those of the defaults."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import elementwise_forwards as forward
from .graph import raw
from .op_def import OFF_KINK, Domain, OpDef, function
from .op_table_math import TOO_LARGE, exp, gaussian
from .parameter_checks import require_meaningful
from .rule_functions import gated_off_nan, unknown_at_nan, where
from .rule_pieces import sides_mean_at_zero, tail_at_one
from .sigmoid_tanh_slopes import tanh_slope

sigmoid, tanh, softplus, erfc = function("sigmoid"), function("tanh"), function("softplus"), function("erfc")
# SELU's constants (Klambauer et al. 2017), to the digits PyTorch uses
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _mish_vjp(g, out, x):
    def slope(x):
        y = softplus(x)
        t = tanh(y)
        return g * (t + x * tanh_slope(y, t) * sigmoid(x))

    return (tail_at_one(x, g, slope, lambda L: (L / 2, L)),)  # sech²(softplus x) ~ 4e^(−2x); σ(x) on the left


def _exp_of_negative_part(x: Any, divisor: float = 1.0) -> Any:
    """exp(min(x, 0) / divisor): the left piece's slope of elu, celu and selu. It never overflows where
    x is large (the piece not taken), and unlike writing it from the output (elu's out + alpha) it
    keeps its digits far left, where out + alpha cancels to 0 (PyTorch's gradient there is exp(x)). At the
    kink, 0, it is the constant 1: the slope is the left piece's, and its own derivative 0 (PyTorch's)."""
    return exp(where(0.0, x, raw(x) >= 0, unpicked=0.0) / divisor)  # +0: elu''(1.5), 0, as on a Value


def _scalar_selu(x: float) -> float:
    return SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))


def _clamp(x: float, lo: float, hi: float) -> float:
    return x if x != x else min(max(x, lo), hi)  # NaN passes through


def _middle(x: Any) -> Any:
    """x where hardswish's middle piece may be taken, 0 up to -3 (a stand-in, so that the piece not taken is
    finite there: g·x at -inf met the 0 sent to it under create_graph, NaN); NaN stays, as the piece takes it."""
    return where(x, 0.0, np.logical_not(raw(x) <= -3), unpicked=0.0)


def _gelu_vjp(g, out, x, *, approximate):
    if approximate == "tanh":  # x·(1 + tanh z)/2 = x·σ(2z), its forward (see elementwise_forwards)

        def tanh_form(x):
            z2 = 2 * forward.SQRT_2_OVER_PI * (x + forward.GELU_CUBIC * x * x * x)
            s = sigmoid(z2)
            slope = 2 * forward.SQRT_2_OVER_PI * (1 + 3 * forward.GELU_CUBIC * x * x)  # dz2/dx
            spread = s * sigmoid(-z2)  # σ'(z2): 0 far out, where x² in the slope may have overflowed (float16)
            with np.errstate(invalid="ignore", over="ignore"):  # 0 · inf where flat: replaced below
                tail = x * spread * slope
            flat = raw(spread) == 0
            return g * (s + (where(0.0, tail, cond=flat) if np.any(flat) else tail))

        # σ(∓2z) underflows where |2z| > L: from (L/(2·√(2/π)·0.044715))^(1/3) on (21.9 in float64), the x³
        # term alone; the tail there, where the form's second derivative was NaN (x² · 0 · inf from 1.3e154)
        return (
            tail_at_one(
                x, g, tanh_form, lambda L: ((L / (2 * forward.SQRT_2_OVER_PI * forward.GELU_CUBIC)) ** (1 / 3),) * 2
            ),
        )

    def slope(x):
        cdf = 0.5 * erfc(-x * SQRT_HALF)  # Φ(x): 1 + erf cancels far left (gelu'(-10) was 1% off)
        return g * (cdf + x * gaussian(x, 0.5) * INV_SQRT_2PI)

    return (tail_at_one(x, g, slope, lambda L: (math.sqrt(2 * L),) * 2),)  # e^(−x²/2)


def _gelu_check(approximate: str) -> None:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def _finite_check(op: str) -> Callable[..., None]:
    """The check of an op whose parameters are all finite numbers."""
    return lambda **params: require_meaningful(op, params)


def _hardtanh_check(min_val: float, max_val: float) -> None:
    require_meaningful("hardtanh", {"min_val": min_val, "max_val": max_val}, bounds=("min_val", "max_val"))
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} is greater than max_val {max_val}; pass min_val <= max_val")


def _celu_check(alpha: float) -> None:
    require_meaningful("celu", {"alpha": alpha})
    if alpha == 0:
        raise ValueError(
            "celu: alpha 0 divides by zero (celu is x for x > 0, alpha·(exp(x/alpha) − 1) below); pass alpha != 0"
        )


def _softsign_sides(u: Any) -> Any:
    """The mean of softsign's slopes right and left of 0, written without |u|: (1/(1 + u)² + 1/(1 − u)²)/2."""
    return (1 / (1 + u) / (1 + u) + 1 / (1 - u) / (1 - u)) * 0.5


SQRT_HALF, INV_SQRT_2PI = math.sqrt(0.5), 1 / math.sqrt(2 * math.pi)


ACTIVATIONS: tuple[OpDef, ...] = (
    OpDef(
        "silu",
        # σ(−x), not 1 − σ(x): exact far right
        lambda g, out, x: (tail_at_one(x, g, lambda x: g * sigmoid(x) * (1 + x * sigmoid(-x)), lambda L: (L, L)),),
        forward.scalar_silu,  # −0 at −inf, the limit (PyTorch's NaN: −inf · 0)
        forward.tensor_silu,
        formulas=("∂(x·σ(x))/∂x = σ(x)·(1 + x·σ(−x))",),
    ),
    OpDef(
        "softsign",
        # (1 + |x|)² overflows from 1.3e154; at 0 the sides' mean, exact at every order (softsign'''(0) = 6)
        lambda g, out, x: (sides_mean_at_zero(x, g, lambda x: g / (1 + abs(x)) / (1 + abs(x)), _softsign_sides),),
        forward.scalar_softsign,
        forward.tensor_softsign,
        (OFF_KINK,),  # its derivative has a kink at 0: second derivatives jump there
        formulas=("∂(x/(1 + |x|))/∂x = 1/(1 + |x|)²",),
    ),
    # log σ(x) = -softplus(-x): stable for inputs of any size; 0 - softplus, so that log σ(inf) is +0 (PyTorch's)
    OpDef(
        "logsigmoid",
        lambda g, out, x: (g * sigmoid(-x),),
        lambda x: 0.0 - forward.scalar_softplus(-x),
        lambda x: np.subtract(0, forward.tensor_softplus(-x)),
        formulas=("∂log σ(x)/∂x = σ(−x)",),
    ),
    OpDef(
        "mish",
        _mish_vjp,
        forward.scalar_mish,  # −0 at −inf, as silu
        forward.tensor_mish,
        formulas=("∂(x·tanh(softplus x))/∂x = t + x·(1 − t²)·σ(x), t = tanh(softplus x)",),
    ),
    # kinks at 0 and 6: derivative 0 at both (PyTorch's hardtanh rule: 1 strictly inside); NaN at NaN (the
    # NaN policy, rule_functions; PyTorch's 1)
    OpDef(
        "relu6",
        lambda g, out, x: (gated_off_nan(g, (raw(x) > 0) & (raw(x) < 6), x),),
        lambda x: _clamp(x, 0.0, 6.0),
        lambda x: np.clip(x, 0, 6),
        (Domain(lo=-2, hi=8, avoid=(0.0, 6.0)),),
        formulas=("∂relu6(x)/∂x = 1 where 0 < x < 6, else 0",),
        flat_pieces=True,
    ),
    # kinks at -3 and 3: PyTorch (2.13) takes the outer pieces there, 0 at -3 and 1 at 3 (the middle
    # piece x/3 + 1/2 only strictly between), and so its second derivative is 0 at both. A NaN takes the
    # middle piece, whose slope is then NaN (PyTorch's 1: the NaN policy, rule_functions); divided by 3 times
    # unknown_at_nan's 1 so that its own slope, the second derivative, is NaN there too (it was 1/3, the
    # middle piece's, where 0 and 1/3 are alike possible); 3.0 itself where x holds no NaN, the same bits. The
    # middle piece reads 0 in place of x up to -3: at -inf its g·(-inf), not taken, met the 0 sent to it (NaN).
    # It is (x + 1.5)/3, not x/3 + 1/2 (PyTorch's): near its zero at -1.5, x + 1.5 is exact and x/3 + 1/2 cancels
    # (float32 at -1.5 - 8 ulp: -2.98e-7 for -3.179e-7, 6% off, red in draw(check=True); at 1 ulp 50% off)
    OpDef(
        "hardswish",
        lambda g, out, x: (
            where(
                0.0,
                g * where(1.0, (_middle(x) + 1.5) / (3 * unknown_at_nan(1.0, x)), raw(x) >= 3, unpicked=0.0),
                raw(x) <= -3,
                unpicked=0.0,  # +0: hardswish''(±4) is 0, as on a Value
            ),
        ),
        # −0 at −inf, the limit (0 from −3 down; PyTorch's NaN: −inf · 0), as silu's
        lambda x: -0.0 if x == -math.inf else x * _clamp(x / 6 + 0.5, 0.0, 1.0),
        lambda x: forward.vanishing_at_negative_infinity(x, lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
        (Domain(lo=-5, hi=5, avoid=(-3.0, 3.0)),),
        formulas=("∂hardswish(x)/∂x = 0 up to −3, x/3 + 1/2 strictly between, 1 from 3",),
        flat_pieces=True,
        slow_between=(-2.0, -1.0),  # the middle piece's slope, x/3 + 1/2, under 1/6 there: 0 at its vertex, −1.5
    ),
    # kink at 0: the left piece's derivative there, scale·alpha (PyTorch's)
    OpDef(
        "selu",
        lambda g, out, x: (g * where(SELU_SCALE, SELU_SCALE * SELU_ALPHA * _exp_of_negative_part(x), cond=raw(x) > 0),),
        _scalar_selu,
        lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.where(x > 0, 0, x))),  # -0 kept (PyTorch's)
        (Domain(avoid=(0.0,)),),
        "the result is too large for a float",
        formulas=("∂selu(x)/∂x = scale where x > 0, else scale·α·exp(x)",),
    ),
)
ACTIVATIONS += (
    # Φ(x) with erf ("none", exact) or PyTorch's tanh approximation ("tanh"); smooth everywhere
    OpDef(
        "gelu",
        _gelu_vjp,
        forward.scalar_gelu,
        forward.tensor_gelu,
        params={"approximate": "none"},
        check=_gelu_check,
        formulas=("∂(x·Φ(x))/∂x = Φ(x) + x·φ(x) (approximate='tanh': of the tanh form)",),
    ),
    # kink at 0: the slope there is negative_slope, the left piece's (PyTorch's: 1 only where x > 0);
    # NaN at NaN (PyTorch's negative_slope: the NaN policy, rule_functions)
    OpDef(
        "leaky_relu",
        lambda g, out, x, *, negative_slope: (g * unknown_at_nan(where(1.0, negative_slope, cond=raw(x) > 0), x),),
        lambda x, *, negative_slope: x if x > 0 else x * negative_slope,
        lambda x, *, negative_slope: np.where(x > 0, x, x * negative_slope),
        (OFF_KINK,),
        params={"negative_slope": 0.01},
        check=_finite_check("leaky_relu"),
        formulas=("∂leaky_relu(x)/∂x = 1 where x > 0, else negative_slope",),
    ),
    # kink at 0: the left piece's derivative there, alpha (PyTorch's: 1 only where x > 0)
    OpDef(
        "elu",
        lambda g, out, x, *, alpha: (g * where(1.0, alpha * _exp_of_negative_part(x), cond=raw(x) > 0),),
        lambda x, *, alpha: x if x > 0 else alpha * math.expm1(x),
        lambda x, *, alpha: np.where(x > 0, x, alpha * np.expm1(np.where(x > 0, 0, x))),  # -0 kept (PyTorch's)
        (OFF_KINK,),
        params={"alpha": 1.0},
        check=_finite_check("elu"),
        formulas=("∂elu(x)/∂x = 1 where x > 0, else α·exp(x)",),
    ),
    # both pieces have slope 1 at 0 (PyTorch takes the left one, exp(x/alpha)); the second derivative jumps there
    OpDef(
        "celu",
        lambda g, out, x, *, alpha: (g * where(1.0, _exp_of_negative_part(x, alpha), cond=raw(x) > 0),),
        lambda x, *, alpha: x if x > 0 else alpha * math.expm1(x / alpha),
        lambda x, *, alpha: np.where(x > 0, x, alpha * np.expm1(np.where(x > 0, 0, x) / alpha)),
        (OFF_KINK,),
        TOO_LARGE,
        params={"alpha": 1.0},
        check=_celu_check,
        formulas=("∂celu(x)/∂x = 1 where x > 0, else exp(x/α)",),
    ),
    # kinks at min_val and max_val: derivative 0 at both (PyTorch's: 1 strictly inside); NaN at NaN, as relu6
    OpDef(
        "hardtanh",
        lambda g, out, x, *, min_val, max_val: (gated_off_nan(g, (raw(x) > min_val) & (raw(x) < max_val), x),),
        lambda x, *, min_val, max_val: _clamp(x, min_val, max_val),
        lambda x, *, min_val, max_val: np.clip(x, min_val, max_val),
        (Domain(avoid=(-1.0, 1.0)),),
        params={"min_val": -1.0, "max_val": 1.0},
        check=_hardtanh_check,
        formulas=("∂hardtanh(x)/∂x = 1 where min_val < x < max_val, else 0",),
        flat_pieces=True,
    ),
    # kinks at -3 and 3: derivative 0 at both (PyTorch's: 1/6 strictly inside); PyTorch has no second derivative
    OpDef(
        "hardsigmoid",
        lambda g, out, x: (gated_off_nan(g, (raw(x) > -3) & (raw(x) < 3), x) / 6,),
        lambda x: _clamp(x / 6 + 0.5, 0.0, 1.0),
        lambda x: np.clip(x / 6 + 0.5, 0, 1),
        (Domain(lo=-5, hi=5, avoid=(-3.0, 3.0)),),
        formulas=("∂hardsigmoid(x)/∂x = 1/6 where −3 < x < 3, else 0",),
        flat_pieces=True,
    ),
)
