"""The op table's binary functions on both engines: maximum, minimum, atan2, hypot, logaddexp,
logaddexp2, copysign, fmod and remainder (the `%` operator). Entries as in `op_table` (read there); each broadcasts.

Their kinks lie where the inputs meet (a tie, a multiple of the divisor), which no domain of one
input can avoid: `joint` says where a pair is safe for finite differences.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from . import elementwise_forwards as forward
from .atan2_partials import partial as atan2_partial
from .graph import raw
from .op_def import ANYWHERE, NONZERO, Domain, OpDef, function
from .rule_functions import gated, unknown_at_nan, where

sigmoid = function("sigmoid")
hypot = function("hypot")
DIVISOR = Domain(avoid=(0.0,), margin=0.5)  # fmod, remainder: multiples of the divisor at least 0.5 apart
MARGIN = 0.05  # how far a pair stays from a tie or a jump
LN2 = math.log(2.0)


def _untied(a: Any, b: Any) -> bool:
    return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) >= MARGIN))


def _off_jumps(zero_jumps: bool) -> Any:
    """Pairs (a, b) at least MARGIN from a jump at a == k·b (k == 0 too, if `zero_jumps`)."""

    def safe(a: Any, b: Any) -> bool:
        q = np.asarray(a) / np.asarray(b)
        k = np.round(q)
        near = np.abs(q - k) * np.abs(b) < MARGIN
        return not bool(np.any(near & (zero_jumps | (k != 0))))

    return safe


def _split(g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """maximum's gradients to a and b (minimum's, given b and a): all of g to the larger, half each at a tie,
    NaN to both where either is NaN (so is out): which one NaN beats is unknown, and both gradients depend
    on it (the NaN policy, rule_functions; PyTorch passes g to both)."""
    a, b = raw(a), raw(b)
    share = unknown_at_nan(1.0 - (a < b) - 0.5 * (a == b), out)
    return gated(g, share), gated(g, 1 - share)


def _quotient(a: Any, b: Any, out: Any, whole: Any) -> Any:
    """How many b's the forward took from a, (a - out) / b rounded to the whole number it is, as a
    constant (its derivative is 0 wherever it has one): the quotient of the forward's own result,
    which a rounded a / b is not where a / b rounds up to a whole number (1.0 % 0.1 is 0.0999...,
    nine 0.1s taken, where floor(1.0 / 0.1) is 10). Where that is no finite number (a NaN forward, a
    zero divisor on Tensors; an infinite divisor, -1 % inf being inf) it is `whole(a, b)`, the
    quotient as numpy and PyTorch divide (-1 // inf is -1). A float for floats, the inputs' dtype
    for arrays."""
    a, b, out = raw(a), raw(b), raw(out)
    with np.errstate(invalid="ignore", divide="ignore"):
        taken = np.round((a - out) / b)
        q = np.where(np.isfinite(taken), taken, whole(a, b))
    return q if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else float(q)


def _truncated(a: Any, b: Any) -> Any:
    return np.trunc(np.divide(a, b))


def _atan2_vjp(g, out, a, b):
    # b/(a² + b²) and −a/(a² + b²) in closed form at every order (atan2_partials: the chain rule through the formula
    # made NaN beside a subnormal origin). At the origin, where the formula is 0/0, the gradient is 0 in both inputs
    # (PyTorch's), and so are its derivatives; so it is where one input is infinite and the other finite (the
    # limit, 1/r -> 0, where PyTorch's inf/inf is NaN in one input and its 0 in the other)
    return g * atan2_partial(a, b, p=1, q=0), g * atan2_partial(a, b, p=0, q=1)


def _copysign_factor(a: Any, b: Any) -> Any:
    """d copysign(a, b)/da, a constant: ±1 where a's sign is kept or flipped, 0 at a == 0 (PyTorch's: |a|
    has its kink there), NaN at a NaN a. ±1 at an infinite a too, the slope of ±a (PyTorch's
    result / a is NaN there)."""
    a, b = raw(a), raw(b)
    flipped = np.copysign(1.0, a) * np.copysign(1.0, b)
    with np.errstate(invalid="ignore"):
        factor = np.where(a == 0, 0.0, np.where(a == a, flipped, a))
    return factor if isinstance(factor, np.ndarray) and factor.ndim else float(factor)


def _hypot_vjp(g, out, a, b):
    # at the origin the formula is 0/0: no gradient there. Tensors give NaN (as PyTorch); a Value raises
    if not isinstance(raw(out), np.ndarray) and raw(out) == 0:
        raise ValueError(f"hypot({raw(a)!r}, {raw(b)!r}) has no derivative: hypot has a cone's tip at the origin")
    return g * _hypot_share(a, b, out), g * _hypot_share(b, a, out)


def _hypot_share(x: Any, other: Any, out: Any) -> Any:
    """x/hypot(x, other), and ±1, its limit, where x is infinite and the other finite (inf/inf was NaN:
    hypot(inf, 1)'s d/da, as PyTorch's); both infinite stay NaN (the limit depends on the way there)."""
    far = np.isinf(raw(x)) & np.isfinite(raw(other))
    if not np.any(far):
        return _beyond_the_floats(x, other, out) if np.any(_off_the_normals(raw(out))) else x / out
    return where(
        np.copysign(1.0, raw(x)),
        _beyond_the_floats(where(1.0, x, cond=far), other, where(1.0, out, cond=far)),
        cond=far,
    )


def _off_the_normals(out: Any) -> Any:
    """Where hypot overflowed or is subnormal (rounded to fewer bits than its dtype's), not 0: the share there is
    taken on scaled inputs (_beyond_the_floats)."""
    with np.errstate(invalid="ignore"):
        return np.isinf(out) | ((out > 0) & (out < np.finfo(np.result_type(out)).tiny))


def _beyond_the_floats(x: Any, other: Any, out: Any) -> Any:
    """x / out, but where hypot overflowed though x and other are finite (float32's hypot(3e38, 3e38) is 4.2e38,
    no float32), or is subnormal (hypot(5e-324, 5e-324) is 5e-324, one bit), x·2^−e / hypot(x·2^−e, other·2^−e), 2^e
    the larger's power of two (at most the dtype's largest but one, so that the scale is a float: 2^1022 lifts
    5e-324 to 2^−52): an exact scaling, and the share is what it is on paper (0.7071, where x/inf was 0 and a
    subnormal x/hypot 1; PyTorch 2.13 gives those 0 and 1), its derivatives too (+inf, −inf beside a subnormal
    origin, where they were NaN). Elsewhere x / out, its bits."""
    x_, other_ = raw(x), raw(other)
    over = _off_the_normals(raw(out)) & np.isfinite(x_) & np.isfinite(other_)
    if not np.any(over):
        return x / out
    larger = np.where(over, np.maximum(np.abs(x_), np.abs(other_)), 1.0)
    dtype = np.result_type(larger)
    lift = np.minimum(-np.frexp(larger)[1], np.finfo(dtype).maxexp - 2)
    scale = np.exp2(lift).astype(dtype)
    scale = scale if scale.ndim else float(scale)
    xs, others = where(x, 1.0, cond=over) * scale, where(other, 1.0, cond=over) * scale
    return where(xs / hypot(xs, others), where(1.0, x, cond=over) / where(1.0, out, cond=over), cond=over)


BINARY: tuple[OpDef, ...] = (
    # at a tie, each input gets half the gradient (PyTorch's maximum and minimum); NaN at a NaN (_split)
    OpDef(
        "maximum",
        lambda g, out, a, b: _split(g, out, a, b),
        forward.scalar_maximum,
        forward.tensor_maximum,
        (ANYWHERE,) * 2,
        joint=_untied,
        formulas=(
            "∂max(a,b)/∂a = 1 where a > b, 1/2 where a = b, else 0",
            "∂max(a,b)/∂b = 1 where b > a, 1/2 where a = b, else 0",
        ),
        flat_pieces=True,
    ),
    OpDef(
        "minimum",
        lambda g, out, a, b: _split(g, out, b, a),
        forward.scalar_minimum,
        forward.tensor_minimum,
        (ANYWHERE,) * 2,
        joint=_untied,
        formulas=(
            "∂min(a,b)/∂a = 1 where a < b, 1/2 where a = b, else 0",
            "∂min(a,b)/∂b = 1 where b < a, 1/2 where a = b, else 0",
        ),
        flat_pieces=True,
    ),
    # a jump across the negative b axis (a == 0, b < 0) and nothing at the origin: a kept off 0
    OpDef(
        "atan2",
        _atan2_vjp,
        math.atan2,
        np.arctan2,
        (NONZERO, ANYWHERE),
        aliases=("arctan2",),
        formulas=("∂atan2(a,b)/∂a = b/(a² + b²)", "∂atan2(a,b)/∂b = −a/(a² + b²)"),
    ),
    OpDef(
        "hypot",
        _hypot_vjp,
        math.hypot,
        np.hypot,
        (NONZERO, ANYWHERE),  # away from the origin, its one kink
        formulas=("∂√(a² + b²)/∂a = a/√(a² + b²)", "∂√(a² + b²)/∂b = b/√(a² + b²)"),
    ),
    # log(exp(a) + exp(b)) without overflow; its derivatives are sigmoids, finite for inputs of any size
    OpDef(
        "logaddexp",
        lambda g, out, a, b: (g * sigmoid(a - b), g * sigmoid(b - a)),
        forward.scalar_logaddexp,
        np.logaddexp,
        (ANYWHERE,) * 2,
        formulas=("∂log(exp(a) + exp(b))/∂a = σ(a − b)", "∂log(exp(a) + exp(b))/∂b = σ(b − a)"),
        adds_up=True,
    ),
    # log2(2**a + 2**b) without overflow; its derivatives are logaddexp's sigmoids, of (a − b)·ln 2
    OpDef(
        "logaddexp2",
        lambda g, out, a, b: (g * sigmoid((a - b) * LN2), g * sigmoid((b - a) * LN2)),
        forward.scalar_logaddexp2,
        np.logaddexp2,
        (ANYWHERE,) * 2,
        formulas=("∂log₂(2**a + 2**b)/∂a = σ((a − b)·ln 2)", "∂log₂(2**a + 2**b)/∂b = σ((b − a)·ln 2)"),
        adds_up=True,
    ),
    # |a| with b's sign (b's sign bit: -0.0 counts as negative, as IEEE's, numpy's and PyTorch's). Nothing
    # flows to b (its sign is a step); a's factor: _copysign_factor. Finite differences keep a off 0, its kink
    OpDef(
        "copysign",
        lambda g, out, a, b: (gated(g, _copysign_factor(a, b)), gated(g, 0.0)),
        math.copysign,
        np.copysign,
        (NONZERO, NONZERO),
        formulas=("∂copysign(a,b)/∂a = ±1 (sign(a)·sign(b)), 0 at a = 0", "∂copysign(a,b)/∂b = 0"),
        flat_pieces=True,
    ),
    # C's fmod: a - b·trunc(a/b), the sign of a. Jumps where a is a nonzero multiple of b; there,
    # as everywhere, d/db = -trunc(a/b), a constant: the quotient the forward took (PyTorch's takes
    # the rounded a / b, which differs where that rounds up to a whole number: fmod(1.0, 0.1))
    OpDef(
        "fmod",
        lambda g, out, a, b: (g, -g * _quotient(a, b, out, _truncated)),
        forward.scalar_fmod,
        forward.tensor_modulo(np.fmod),
        (ANYWHERE, DIVISOR),
        "fmod needs a finite dividend and a nonzero divisor",
        joint=_off_jumps(zero_jumps=False),
        formulas=("∂fmod(a,b)/∂a = 1", "∂fmod(a,b)/∂b = −trunc(a/b)"),
        flat_pieces=True,
    ),
    # Python's %: a - b·floor(a/b), the sign of b. Jumps where a is a multiple of b, 0 included;
    # d/db = -floor(a/b) everywhere (PyTorch's remainder), a constant: the quotient the forward took
    OpDef(
        "remainder",
        lambda g, out, a, b: (g, -g * _quotient(a, b, out, np.floor_divide)),
        operator.mod,
        forward.tensor_modulo(np.remainder),
        (ANYWHERE, DIVISOR),
        "remainder needs a nonzero divisor",
        symbol="%",
        joint=_off_jumps(zero_jumps=True),
        formulas=("∂(a mod b)/∂a = 1", "∂(a mod b)/∂b = −floor(a/b)"),
        flat_pieces=True,
        adds_up=True,
    ),
)
