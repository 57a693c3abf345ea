"""The op table's rules of ** and /, each once, whose edge points take a page: a base or exponent of 0, a
negative base, a NaN base, a power that overflows, a subnormal divisor. Their entries are op_table's pow and
div (the reflected and in-place forms are those entries too)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import elementwise_forwards as forward
from . import power_partials
from .graph import Node, raw
from .op_def import BOTH
from .op_functions import function, log
from .rule_functions import nowhere_zero, where

exp2 = function("exp2")


def power_of(a: Any, b: Any) -> Any:
    """a ** b in a rule: on floats, inf where Python would raise OverflowError; on an array and a number,
    the number taken as given (tensor_power_const: b - 1 at b = 1e-8 is not -1 in float32)."""
    if isinstance(a, float) and isinstance(b, float):
        return forward.scalar_pow_or_inf(a, b)
    if isinstance(a, np.ndarray) and isinstance(b, float):
        return forward.tensor_power_const(a, b)
    return a**b


def _slope_factor(b: Any, power: Any) -> Any:
    """b, the factor of b·a^(b−1), but ±1 (b's sign) where b is infinite or beyond 2^64 and a^(b−1) is 0 (|a| < 1
    under +inf, |a| > 1 under −inf, a = 0 under a large b): a^b is flat 0 there, and its slope a zero signed as
    b, where inf · 0 was NaN (power(0, inf)'s d/da, and every derivative after it, each this rule again at
    b − 1; power(0, 1e300)'s third, b·(b − 1)·(b − 2) overflowing). Other b: b itself, one comparison."""
    b_, power_ = raw(b), raw(power)
    if not isinstance(b_, np.ndarray) and not isinstance(power_, np.ndarray):
        return math.copysign(1.0, b_) if abs(b_) > _LARGE_EXPONENT and power_ == 0 else b
    vanishing = (np.abs(b_) > _LARGE_EXPONENT) & (power_ == 0)  # a number b (x ** 1e300) beside an array too
    return where(np.sign(b_), b, cond=vanishing) if vanishing.any() else b


_LARGE_EXPONENT = 2.0**64  # a product of 16 factors b − k overflows beyond


def _overflowed(a: Any, out: Any, power: Any) -> Any:
    """Where a^(b−1) overflowed and a^b did not (a tiny base under a small exponent), a mask (or a bool), else None:
    b·a^(b−1) is inf there, its value (b/a)·a^b finite (power(5e-324, 5e-324)' was inf for 1, power(1e-310,
    0.001)' inf for 4.9e306). One pass over the power, for an infinity, where there is none."""
    p_ = raw(power)
    if not (np.isinf(p_).any() if isinstance(p_, np.ndarray) else math.isinf(p_)):
        return None
    blown = np.isinf(p_) & np.isfinite(raw(out)) & (raw(a) != 0)
    return blown if np.any(blown) else None


def _rescaled(a: Any, b: Any, exponent: Any) -> Any:
    """b·a^(b−1) as (b·2^m·2^(−m·b))·(a·2^m)^(b−1), a scaled by a power of two 2^m (m whole, a constant: exact)
    so that the power fits: one product, where (b/a)·a^b's derivatives are sums whose terms overflow with
    opposite signs (inf − inf). m is 0 where a^(b−1) fits (the same bits as b·a^(b−1))."""
    a_, e_ = raw(a), raw(exponent)
    fits = _POWER_FITS[np.result_type(a_).type] if isinstance(a_, np.ndarray) else 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.maximum(np.ceil(fits / np.minimum(e_, -1.0) - np.log2(np.abs(a_))), 0.0)
    m = np.where(np.isfinite(m), m, 0.0)
    if not isinstance(a_, np.ndarray):
        m = float(m)
    scale = 2.0**m if not isinstance(a_, np.ndarray) else np.exp2(m).astype(a_.dtype)
    return b * scale * exp2(-m * b) * power_of(a * scale, exponent)  # 2^(m·(1−b)) so: m·(1 − b) rounds (6 ulps)


# the log2 of the largest power the rescaled base is raised to: 1000 for float64 (its largest float 2^1024), and
# as far under float32's 2^128 (125; a float32 base took float64's 1000 and stayed unscaled: power(1e-45, 1e-45)'
# was inf for 1)
_POWER_FITS = {t: np.finfo(t).maxexp * 125 / 128 for t in (np.float16, np.float32, np.float64)}


def power_vjp(g, out, a, b, needs=BOTH):
    if isinstance(g, Node) or isinstance(a, Node) or isinstance(b, Node):
        return _recorded_vjp(g, out, a, b, needs)
    ga = gb = None
    if needs[0]:
        # d(a**b)/da = b a**(b-1), which is 0 where b == 0 (x**0 is the constant 1, also at 0, as
        # PyTorch): there the exponent b-1 is replaced by 0, so 0**-1 is never formed (no next order reads this
        # power: power_partials' are in closed form)
        with np.errstate(over="ignore", invalid="ignore"):  # inf where it overflows; 0 * inf is put right below
            exponent = b - 1 if nowhere_zero(b) else where(b - 1, 0.0, cond=b != 0)
            power = power_of(a, exponent)
            blown = _overflowed(a, out, power)
            # where the forward is NaN of a number (a negative base to a fractional power) so is the gradient,
            # though b - 1 may round to a whole number whose power is finite (1e-8 - 1 is -1 in float32;
            # PyTorch's is then finite). A NaN base's stays PyTorch's (NaN ** 1 sends 1)
            undefined = (out != out) & (a == a)
            if np.any(undefined):
                power = where(math.nan, power, cond=undefined)
            slope = _slope_factor(b, power) * power
            if blown is not None:
                slope = where(_rescaled(where(a, 1.0, cond=blown), b, exponent), slope, cond=blown)
            ga = g * slope
        # where b == 0 the value is 0 whatever g and power are: an infinite or NaN g from above stays out
        # (0 * inf, as relu's flat piece; PyTorch selects there too), and so does a**-1 at a subnormal or NaN base
        at_zero = b == 0
        if np.any(at_zero):
            blown = at_zero & ~(np.isfinite(g) & np.isfinite(power))
            if np.any(blown):
                ga = where(0.0, ga, cond=blown)
    if needs[1]:
        # d(a**b)/db = a**b log a: 0 where a == 0 and b >= 0 (its limit, as PyTorch), NaN where a < 0 (log a has
        # no real value)
        zero = (a == 0) & (b >= 0)
        negative = a < 0
        base = where(1.0, a, cond=zero | negative)
        wider = np.result_type(out)
        if isinstance(a, np.ndarray) and a.dtype != wider:  # a float32 base of a float64 power:
            base = base.astype(wider)  # its log in the result's precision, not the base's
        log_a = where(math.nan, log(base), cond=negative)
        # at a = +inf where a^b is 0 (b < 0), a^b·log a → 0 (the power beats the log), where 0 · inf was NaN
        vanishing = (a == math.inf) & (out == 0)
        if np.any(vanishing):
            log_a = where(0.0, log_a, cond=vanishing)
        gb = where(0.0, g * (out * log_a), cond=zero)
    return ga, gb


def _recorded_vjp(g: Any, out: Any, a: Any, b: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    """Under create_graph: g times power_partials' op of each first partial, whose values are the ones above and
    whose rule gives every next order in closed form (at a = 0 its limit as a → 0⁺). A constant exponent stays
    data, so that no order takes it as differentiated. The flat points keep out what g brings (0 · inf): d/da
    where b = 0, d/db where a = 0 and b >= 0."""
    b_in = b if needs[1] else raw(b)
    a_, b_, g_ = raw(a), raw(b), raw(g)
    ga = gb = None
    with np.errstate(invalid="ignore"):  # inf · 0 at the flat points, put right below
        if needs[0]:
            ga = g * power_partials.power_partial(a, b_in, n=1, m=0, power=raw(out))
            flat = (b_ == 0) & ~np.isfinite(g_)
            if np.any(flat):
                ga = where(0.0, ga, cond=flat)
        if needs[1]:
            gb = g * power_partials.power_partial(a, b_in, n=0, m=1, power=raw(out))
            held = (a_ == 0) & (b_ >= 0)
            flat = held & ~np.isfinite(g_)
            if np.any(flat):
                gb = where(0.0, gb, cond=flat)
            if np.any(held):  # the held 0 is +0, as a plain pass's (PyTorch's): g · 0 was −0 under a negative g
                gb = where(gb + 0.0, gb, cond=held)
    return ga, gb


def div_vjp(g, out, a, b, needs=BOTH):
    # d/db = -a/b² as -(g / b) · out: a/b² itself overflows (float16 at b = 0.002) where the gradient
    # need not, and then a g of 0 (a masked entry) would make NaN; g / b is a's gradient anyway. A constant
    # divisor's is never formed (`skips`): its inf · 0 at a pole of the dividend warned for nothing
    ga = g / b
    if not needs[1]:
        return ga, None
    with np.errstate(invalid="ignore"):  # inf · 0, put right below
        gb = -ga * out
    gb_ = raw(gb)
    if gb_.__class__ is float and gb_ - gb_ == 0.0:  # a finite number, nothing to mend: the scalar engine's
        return ga, gb  # usual case in one test (the two looks below made the rule 31k instructions a call, now 13k)
    # where g / b overflowed (a tiny divisor), the factors are stand-ins (1) and the product is taken rescaled
    # below: each product only where it is used, so a create_graph backward meets no 0 · inf in the unused one
    blown = _g_over_b_overflowed(g, ga, out, b)
    over, out_ = ga, out
    if blown is not None:
        over, out_ = where(1.0, ga, cond=blown), where(1.0, out, cond=blown)
        with np.errstate(invalid="ignore"):
            gb = -over * out_
    nan = np.isnan(raw(gb))
    if nan.any():
        # -g·a/b² is 0 where a is 0 (0/b is flat in b, b nonzero: whatever g is, an infinite one too, as
        # `gated`), or where g is 0 (a and b finite, b nonzero), but a factor can still be inf there: g / b at a
        # subnormal b beside a == 0, or a / b beside a g of 0; their inf · 0 is not the gradient (PyTorch: 0).
        # Only those NaNs: a NaN b's or g's stays NaN, and elsewhere a zero keeps its sign
        a_, b_, g_ = raw(a), raw(b), raw(g)
        flat = (a_ == 0) & (b_ != 0) & (b_ == b_) & (g_ == g_)
        exact_zero = nan & (flat | ((g_ == 0) & np.isfinite(a_) & np.isfinite(b_) & (b_ != 0)))
        if np.any(exact_zero):  # the factors set to 0 there, not their product: its rule met inf · 0 again
            gb = -where(0.0, over, cond=exact_zero) * where(0.0, out_, cond=exact_zero)  # (d²/db² of 0/5e-324: NaN)
    if blown is not None:  # after the fix above: div([5e-324, 0], 1e-310)'s d/db was [-4.9e296, NaN] for -0 there
        gb = where(_rescaled_quotient(*(where(v, 1.0, cond=blown) for v in (g, out, b))), gb, cond=blown)
    return ga, gb


def _g_over_b_overflowed(g: Any, ga: Any, out: Any, b: Any) -> Any:
    """Where g / b overflowed though g, b and out are finite, out nonzero, a mask (or a bool), else None: there
    −(g / b)·out was ±inf where −g·a/b² need not be (a tiny divisor: div(5e-324, 1e-310)'s d/db was −inf for
    −4.94e296, float32's at (1e-45, 1e-40) −inf for −1.4e35). One isinf pass over g / b where it has none."""
    ga_ = raw(ga)
    if not (np.isinf(ga_).any() if isinstance(ga_, np.ndarray) else math.isinf(ga_)):
        return None
    g_, out_ = raw(g), raw(out)
    blown = np.isinf(ga_) & np.isfinite(g_) & np.isfinite(out_) & (out_ != 0) & (raw(b) != 0)
    return blown if np.any(blown) else None


def _rescaled_quotient(g: Any, out: Any, b: Any) -> Any:
    """−(g / b)·out with g scaled down by 2^k first and the product up by 2^k after, k the least that makes
    g / b fit: g·2^−k is then normal, and the product (≈ out·2^(emax−2), normal too) rounds once, as the
    unscaled one does where it fits; the scalings are exact."""
    dtype = np.result_type(raw(out))
    k = np.frexp(raw(g))[1] - np.frexp(raw(b))[1] + 2 - np.finfo(dtype).maxexp
    k = np.maximum(k, 0)
    return _times_power_of_two(-(_times_power_of_two(g, -k, dtype) / b) * out, k, dtype)


def _times_power_of_two(x: Any, k: Any, dtype: Any) -> Any:
    """x·2^k for whole k (an array or a number), exact until it overflows or falls under the normal floats: in
    steps of at most 2^(emax−1), each a constant of the dtype, as 2^k itself may be no float of it (2^1075)."""
    step = np.finfo(dtype).maxexp - 1
    k = np.asarray(k)
    while np.any(k != 0):
        now = np.clip(k, -step, step)
        factor = np.exp2(now).astype(dtype)
        x = x * (factor if factor.ndim else float(factor))
        k = k - now
    return x
