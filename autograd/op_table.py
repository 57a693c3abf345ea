"""The table of ops, each once: the elementwise ops both engines share (here) and, marked by
`scalar=None`, the tensor-only ones (matmul: `op_table_matmul`; reductions, shapes: `op_table_tensor`); `TABLE` is both.

An elementwise entry holds the op's name, its forward for each engine (`math` for Value's hot path, numpy for
Tensor), ONE derivative rule, its domain message, and the operands at which finite differences are valid (the
strategies and the coverage test read these). `scalar_ops` and `tensor_ops` build their `Op`s from it; Value's
and Tensor's methods, the `autograd.exp`-style functions, the strategies and the tests' op lists derive from it.
Adding an op is one entry here and its name in the README's API table: docs/adding-an-op.md.

A rule is `vjp(g, out, *inputs) -> one gradient per input`, written with arithmetic and the
generic helpers below, so the same line runs on floats (a Value's plain backward), on arrays
(a Tensor's), and on nodes (`create_graph`, higher derivatives). Rules never mention shapes:
the tensor engine sums each gradient back to its input's shape itself, and drops the gradients
of inputs that need none. A rule for which forming an unneeded gradient costs or misleads
(power: the log of a negative base) says `skips=True` and is given `needs`, one bool per input;
the scalar engine never passes it. A comment marks each choice made at a kink or a boundary.
At a NaN input a gradient that depends on the input is NaN (a piecewise rule's comparison picks no
piece there: `unknown_at_nan`); docs/edge-points.md holds that policy, the signed zeros, and where
the rules differ from PyTorch's on purpose.
A rule orders its products so that none rounds to 0 or inf where the gradient is a normal float, and
a g of 0 gives 0: mostly the local derivative first, times g last (g * (b * power)), since g may be of
any size (g · out underflows at 1e-300 · 1e-50); where the derivative itself can overflow, a bounded
factor of g first (div's -(g / b) · out: a/b² overflows in float16 at b = 0.002).
"""

from __future__ import annotations

import math
import operator
from decimal import Decimal
from types import MappingProxyType

import numpy as np

from . import elementwise_forwards as forward
from .graph import raw
from .op_def import (  # noqa: F401 (re-exported: the table's module is where readers look for them)
    ANYWHERE,
    BOTH,
    NONZERO,
    OFF_KINK,
    OPERATORS,
    POSITIVE,
    Domain,
    OpDef,
)
from .op_functions import _ENGINES, cos, engine_of, function, log, sigmoid, sin, tensor_op  # noqa: F401 (as above)
from .op_table_activations import ACTIVATIONS
from .op_table_algebra import ALGEBRA
from .op_table_bessel import BESSEL
from .op_table_bessel_jyk import BESSEL_JYK
from .op_table_binary import BINARY
from .op_table_conv import CONV
from .op_table_fold import FOLD
from .op_table_gamma import GAMMA
from .op_table_incomplete_gamma import INCOMPLETE_GAMMA
from .op_table_margins import MARGINS
from .op_table_math import MATH
from .op_table_matmul import MATMUL
from .op_table_normal import NORMAL
from .op_table_order import ORDER
from .op_table_pieces import PIECES
from .op_table_pool import POOL
from .op_table_reductions import REDUCTIONS
from .op_table_scans import SCANS
from .op_table_shapes import SHAPES
from .op_table_softmax import SOFTMAX
from .op_table_special import SPECIAL
from .op_table_tensor import TENSOR_ONLY
from .parameter_checks import require_meaningful
from .rule_functions import gated, gated_off_nan, nowhere_zero, sign, unknown_at_nan, where  # noqa: F401 (re-exported, as above)
from .rule_powers import div_vjp, power_vjp
from .sigmoid_tanh_slopes import sigmoid_gradient, tanh_slope

# ---- rules written once ----


def _linear(x: float, beta: float, threshold: float | None) -> bool:
    return threshold is not None and beta * x > threshold


def _tensor_softplus(x: np.ndarray, *, beta: float, threshold: float | None) -> np.ndarray:
    y = forward.tensor_softplus(x) if beta == 1 else forward.tensor_softplus_scaled(x, beta)
    return y if threshold is None else np.where(beta * x > threshold, x, y)


def _softplus_vjp(g, out, x, *, beta, threshold):
    slope = sigmoid(x if beta == 1 else beta * x)
    return (g * (slope if threshold is None else where(1.0, slope, cond=raw(x) * beta > threshold)),)


def _softplus_check(beta: float, threshold: float | None) -> None:
    require_meaningful("softplus", {"beta": beta, "threshold": threshold})
    if beta == 0:
        raise ValueError("softplus: beta 0 divides by zero (softplus is log(1 + exp(beta·x)) / beta); pass beta != 0")


ELEMENTWISE: tuple[OpDef, ...] = (
    OpDef(
        "add",
        lambda g, out, a, b: (g, g),
        operator.add,
        np.add,
        (ANYWHERE,) * 2,
        symbol="+",
        decimal=operator.add,
        formulas=("∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1"),
        adds_up=True,
        shape_only=(0, 1),
    ),
    OpDef(
        "sub",
        lambda g, out, a, b: (g, -g),
        operator.sub,
        np.subtract,
        (ANYWHERE,) * 2,
        symbol="-",
        decimal=operator.sub,
        formulas=("∂(a−b)/∂a = 1", "∂(a−b)/∂b = −1"),
        adds_up=True,
        shape_only=(0, 1),
    ),
    # a constant operand's gradient is never formed (`skips`): g · a at a pole made inf · 0 and warned, for
    # nothing (bessel_y0''(0): y1'(0) is inf, times the 0 of the constant's g)
    OpDef(
        "mul",
        lambda g, out, a, b, needs=BOTH: (g * b if needs[0] else None, g * a if needs[1] else None),
        operator.mul,
        np.multiply,
        (ANYWHERE,) * 2,
        symbol="*",
        decimal=operator.mul,
        formulas=("∂(a·b)/∂a = b", "∂(a·b)/∂b = a"),
        skips=True,
        reads_for=((1,), (0,)),
    ),
    OpDef(
        "div",
        div_vjp,
        operator.truediv,
        np.true_divide,
        (ANYWHERE, NONZERO),
        "division by zero",
        symbol="/",
        decimal=operator.truediv,
        formulas=("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²"),
        skips=True,
        reads_for=((1,), (0, 1)),  # b's reads out, a / b
    ),
    # a constant exponent's log-base term is never formed (it is NaN for a negative base): `skips`. A Python
    # float exponent (t ** c, tensor_ops.power_const) is the double it is on float32 data, as PyTorch's, not
    # numpy's float32 rounding of it: (-6) ** 2.00000001 is NaN (tensor_power_const); float16 rounds it. Mixed second
    # derivatives: 1/a at b = 0 in either order for a > 0, NaN in either order for a < 0 (log a has no real value;
    # PyTorch's 1/a d/db first); at a = 0 d/db is held at 0 for b >= 0 (PyTorch's) and the mixed ones are their
    # limits as a -> 0+ in either order (+inf at b = 0, -inf at b = 1, -0 beyond; -inf for 0 < b < 1, where d/da is
    # +inf); every derivative from the second on is its closed form a^(b-n)·Q(ln a) (power_partials; at a = 0 its
    # limit), where the rule's products differentiated again underflowed beside overflows: docs/edge-points.md
    OpDef(
        "power",
        power_vjp,
        forward.scalar_pow,
        np.power,
        (POSITIVE, ANYWHERE),
        symbol="**",
        decimal=operator.pow,  # a negative number to a fraction: refused (InvalidOperation)
        reference="pow",
        skips=True,
        formulas=("∂(a**b)/∂a = b·a**(b−1)", "∂(a**b)/∂b = a**b·ln a"),
    ),
    OpDef(
        "neg",
        lambda g, out, x: (-g,),
        operator.neg,
        np.negative,
        formulas=("∂(−x)/∂x = −1",),
        decimal=operator.neg,
        shape_only=(0,),
    ),
    OpDef(
        "exp",
        lambda g, out, x: (g * out,),
        math.exp,
        np.exp,
        domain="the result is too large for a float",
        formulas=("∂exp(x)/∂x = exp(x)",),
        decimal=Decimal.exp,
    ),
    OpDef(
        "log",
        lambda g, out, x: (g / x,),
        math.log,
        np.log,
        (POSITIVE,),
        "log needs a positive input",
        formulas=("∂ln(x)/∂x = 1/x",),
        decimal=Decimal.ln,
    ),
    OpDef(
        "sqrt",
        lambda g, out, x: (g * (0.5 / out),),
        math.sqrt,
        np.sqrt,
        (POSITIVE,),
        "sqrt needs a non-negative input",
        formulas=("∂√x/∂x = 1/(2√x)",),
        decimal=Decimal.sqrt,
    ),
    # each slope computed from x where it would cancel from the output (sigmoid_tanh_slopes)
    OpDef(
        "tanh",
        lambda g, out, x: (g * tanh_slope(x, out),),
        math.tanh,
        np.tanh,
        formulas=("∂tanh(x)/∂x = 1 − tanh(x)²",),
    ),
    OpDef(
        "sigmoid",
        lambda g, out, x: (sigmoid_gradient(g, out, x),),  # its derivatives taken otherwise near 0
        forward.scalar_sigmoid,
        forward.tensor_sigmoid,
        formulas=("∂σ(x)/∂x = σ(x)·(1 − σ(x))",),
    ),
    # kink at 0: derivative 0 there (PyTorch's choice); a finite difference across it gives 0.5. NaN at
    # a NaN input (PyTorch's 1 is a piece picked for it): the NaN policy, rule_functions
    OpDef(
        "relu",
        lambda g, out, x: (gated_off_nan(g, raw(x) > 0, x),),
        forward.scalar_relu,
        forward.tensor_relu,
        (OFF_KINK,),
        formulas=("∂relu(x)/∂x = 1 where x > 0, else 0",),
        flat_pieces=True,
    ),
    # kink at 0: derivative 0 there (the subgradient PyTorch picks); NaN at NaN (sign's; PyTorch's 0)
    OpDef("abs", lambda g, out, x: (g * sign(x),), abs, np.abs, (OFF_KINK,), formulas=("∂|x|/∂x = sign(x)",)),
    OpDef(
        "log1p",
        lambda g, out, x: (g / (1 + x),),
        math.log1p,
        np.log1p,
        (Domain(lo=-0.9),),
        "log1p needs an input above -1",
        formulas=("∂ln(1+x)/∂x = 1/(1+x)",),
    ),
    # log(1 + exp(βx)) / β, and x itself where βx > threshold, as PyTorch's; by default exact
    # everywhere (threshold None: PyTorch's 20 gives x above 20, which differs by less than 2e-9)
    OpDef(
        "softplus",
        _softplus_vjp,
        lambda x, *, beta, threshold: x if _linear(x, beta, threshold) else forward.scalar_softplus_scaled(x, beta),
        _tensor_softplus,
        params={"beta": 1.0, "threshold": None},
        check=_softplus_check,
        formulas=("∂softplus(x)/∂x = σ(βx) (1 where βx > threshold)",),
    ),
    OpDef(
        "sin",
        lambda g, out, x: (g * cos(x),),
        math.sin,
        np.sin,
        domain="sin needs a finite input",
        formulas=("∂sin(x)/∂x = cos(x)",),
    ),
    OpDef(
        "cos",
        lambda g, out, x: (-g * sin(x),),
        math.cos,
        np.cos,
        domain="cos needs a finite input",
        formulas=("∂cos(x)/∂x = −sin(x)",),
    ),
)
ELEMENTWISE += BINARY + MATH + ACTIVATIONS + PIECES + ALGEBRA + SPECIAL + GAMMA + BESSEL + BESSEL_JYK + NORMAL
ELEMENTWISE += INCOMPLETE_GAMMA
TABLE = (
    ELEMENTWISE + MATMUL + TENSOR_ONLY + SOFTMAX + MARGINS + REDUCTIONS + SCANS + ORDER + SHAPES + CONV + POOL + FOLD
)  # every op, once
# by the name its nodes' op has ("+", "exp"): each op's forward on Decimals, where it has one (OpDef.decimal);
# read-only, as are FLAT_PIECES and SLOW_PIECES: what viz reads to judge a rule and write a sum
DECIMAL_FORWARDS = MappingProxyType({d.symbol or d.name: d.decimal for d in TABLE if d.decimal is not None})
BY_NAME = {d.name: d for d in TABLE}
# by the name its nodes' op has: the ops flat in pieces (OpDef.flat_pieces), exactly flat where their rule gives 0
FLAT_PIECES = frozenset(d.symbol or d.name for d in TABLE if d.flat_pieces)
# by the name its nodes' op has: where a piece of a flat-in-pieces op that is not flat rises slowly (OpDef.slow_between)
SLOW_PIECES = MappingProxyType({d.symbol or d.name: d.slow_between for d in TABLE if d.slow_between is not None})
