"""The op table's incomplete gamma and Hurwitz zeta entries on both engines, PyTorch's names and choices:
gammainc(a, x) = P(a, x), gammaincc(a, x) = Q(a, x) and zeta(x, q). Each has a derivative for one input
only, as PyTorch's: x for the incomplete gammas, q for zeta (`no_derivative` marks the other, whose rule and
formula OpDef writes; asking for its gradient is refused). Entries as in `op_table` (read there); forwards in
`incomplete_gamma_forwards` and `zeta_forwards`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import incomplete_gamma_forwards as gamma_forward
from . import zeta_forwards
from .graph import raw
from .op_def import Domain, OpDef, function
from .rule_functions import where
from .rule_pieces import is_near, piecewise, tail_at_infinity

exp, log, log1p, zeta = function("exp"), function("log"), function("log1p"), function("zeta")
# random checks draw a and x where P and Q are neither 0 nor 1 to the digits (x in [0.1, 6], a in [0.5, 5])
_SHAPE, _POINT = Domain(lo=0.5, hi=5.0), Domain(lo=0.1, hi=6.0)
# zeta: x > 1 away from the pole at 1, q > 0 away from the poles at 0, −1, ...
_ORDER, _SHIFT = Domain(lo=1.2, hi=6.0), Domain(lo=0.3, hi=4.0)


def _on_floats(array_forward: Callable[..., np.ndarray]) -> Callable[..., float]:
    """The forward on floats: the array one's number (the same digits on both engines), refused where it is
    NaN or infinite for numbers that are not (a Tensor gives those, as PyTorch's): a ValueError, which the
    Value's op gives in the entry's words (OpDef.domain)."""

    def scalar(*xs: float) -> float:
        y = float(array_forward(*map(np.float64, xs)))
        if (math.isnan(y) or math.isinf(y) and all(map(math.isfinite, xs))) and not any(map(math.isnan, xs)):
            raise ValueError(f"{scalar.__name__}{xs} is outside the op's domain")
        return y

    scalar.__name__ = scalar.__qualname__ = array_forward.__name__
    return scalar


def _density(a: Any, x: Any) -> Any:
    """x^(a − 1)·e⁻ˣ/Γ(a), P's derivative in x, in log space; a is a constant (its data: a node made of it
    would be refused under create_graph). From a = 10 on as the forward's `log_scale` arranges it, around
    u = (x − a)/a: PyTorch's (a − 1)·log x − x − lgamma(a) cancels terms near a·log a (44 float16 ulps
    off at a = x = 65504, where its float32 keeps 7 digits of 7e5)."""
    a = _constant(raw(a))
    data = raw(x)
    small, endless = np.less(a, 10), np.isposinf(a) & (data >= 0) & np.isfinite(data)
    large_data = np.where(small | endless, 10.0, a)
    # at x = 0 (and, from a = 10, where x/a underflows) log x is -inf: (a − 1)·log x was NaN at a = 1 (P'(1, 0)
    # is 1) and a Value refused log(0) (P'(10, 0), whose 0 is its limit, raised ValueError); there
    # x^(a−1)·e^(−x − lgamma(a)), whose power has its own rule at 0 (1, 0 or inf, and so on for its derivatives).
    # So too for a >= 1 below x = 1 (no cancellation there, the power under 1): through the log P'' was
    # P'·((a − 1)/x − 1), 0 where P' underflows though P'' need not (P''(3, 1e-200) is 1e-200; P'(3, 1e-200) 0)
    at_zero = is_near(x, lambda v: (v == 0) | (np.greater_equal(a, 1) & (v > 0) & (v < 1)))

    def density(x: Any) -> Any:
        return piecewise(
            x, at_zero, lambda x: _by_power(a, x), lambda x: _by_logs(a, x, small, endless, large_data), (0.0, 1.0)
        )

    # at x = +inf (a finite) the density's limit is 0, its derivatives' too, signed +, −, + as e^(−x)'s: the
    # formula's (a − 1)·log x − x was inf − inf there, NaN at every order (P'(2, inf); PyTorch's too)
    return tail_at_infinity(x, lambda x: exp(-x), density, lambda v: np.isposinf(v) & np.isfinite(a) & (a >= 0))


def _by_power(a: Any, x: Any) -> Any:
    """x^(a−1)·e^(−x − lgamma(a)), the density near x = 0 (a constant a, an array or a number); +inf at x = 0
    for a < 1, its limit (quietly, as the forward's edges)."""
    with np.errstate(divide="ignore"):
        return x ** _constant(np.subtract(a, 1.0)) * exp(-x - _constant(gamma_forward.lgamma(a)))


def _by_logs(a: Any, x: Any, small: Any, endless: Any, large_data: Any) -> Any:
    """`_density` in log space, off x = 0: small a as PyTorch's, large a (`large_data`: 10 elsewhere) around
    u = (x − a)/a."""
    lg = _constant(gamma_forward.lgamma(np.where(small, a, 1.0)))
    large = _constant(large_data)
    x_large = where(large, x, cond=small)  # small a's entries at a stand-in: x/10 underflowed (log(0) refused)
    u = (x_large - large) / large  # log x = log a + log1p(u): at x = 0, (a − 1)·(−inf), no inf − inf
    # below a/2 as log(x/a), not log1p of a u rounded near −1 (x/P'(10, 1e-10) was 7e-7 off), as `log_scale`
    tiny = np.less(raw(x_large), large_data / 2)
    # (log1p taken at 0 there: log1p(−1) was −inf, and warned, for nothing)
    log_ratio = where(log(x_large / large), log1p(where(0.0, u, cond=tiny)), cond=tiny) if tiny.any() else log1p(u)
    near = -large * u + (large - 1) * log_ratio + _constant(gamma_forward.stirling_part(large) - np.log(large))
    # a = inf: P(inf, x) is 0 for every finite x, and so is its slope (PyTorch's formula gives NaN there)
    return where(0.0, exp(where((a - 1) * log(x) - x - lg, near, cond=small)), cond=endless)


def _constant(v: Any) -> Any:
    """A constant of the rule as arithmetic takes it: a float for a number (a Value's rule keeps floats)."""
    return float(v) if np.ndim(v) == 0 else v


def _zeta_slope(x: Any, q: Any) -> Any:
    """−x·ζ(x + 1, q), ζ's derivative in q, x a number or an array (a constant: it has no derivative)."""
    return -x * zeta(x + 1, q)


INCOMPLETE_GAMMA: tuple[OpDef, ...] = (
    # P(a, x); a = 0 gives 1, x = 0 gives 0 (a = x = 0, a < 0, x < 0: NaN), as PyTorch's
    OpDef(
        "gammainc",
        lambda g, out, a, x: (g * _density(a, x),),
        _on_floats(gamma_forward.gammainc),
        gamma_forward.gammainc,
        (_SHAPE, _POINT),
        "gammainc needs a >= 0 and x >= 0, not both 0",
        no_derivative=(0,),
        formulas=("∂P(a,x)/∂x = x^(a−1)·e^(−x)/Γ(a)",),
    ),
    # Q(a, x) = 1 − P(a, x); edges as gammainc's, complemented
    OpDef(
        "gammaincc",
        lambda g, out, a, x: (-g * _density(a, x),),
        _on_floats(gamma_forward.gammaincc),
        gamma_forward.gammaincc,
        (_SHAPE, _POINT),
        "gammaincc needs a >= 0 and x >= 0, not both 0",
        no_derivative=(0,),
        formulas=("∂Q(a,x)/∂x = −x^(a−1)·e^(−x)/Γ(a)",),
    ),
    # ζ(x, q) = Σₖ (k + q)^(−x); x = 1 and q = 0, −1, ... are poles (inf), x < 1 NaN, as PyTorch's
    OpDef(
        "zeta",
        lambda g, out, x, q: (g * _zeta_slope(raw(x), q),),
        _on_floats(zeta_forwards.zeta),
        zeta_forwards.zeta,
        (_ORDER, _SHIFT),
        "zeta needs x > 1 and q > 0 (or q < 0 not whole with x whole)",
        no_derivative=(0,),
        formulas=("∂ζ(x,q)/∂q = −x·ζ(x+1,q)",),
    ),
)
