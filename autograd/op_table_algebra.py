"""The op table's small algebraic functions on both engines, PyTorch's names: square, reciprocal, rsqrt,
deg2rad, rad2deg and frac. Entries as in `op_table` (read there)."""

from __future__ import annotations

import math

import numpy as np

from .op_def import NONZERO, POSITIVE, Domain, OpDef, function

sqrt = function("sqrt")

DEGREE = math.pi / 180  # PyTorch's factors, π/180 and 180/π as float64 rounds them
RADIAN = 180 / math.pi


def _rsqrt_vjp(g, out, x):
    # −0.5·r³, r = 1/√x taken again (not the output, rounded in float16): each factor of r³ and of its chain is 0
    # together at +inf and inf together at 0, so every higher derivative is a limit there (rsqrt'' was NaN from the
    # chain of −0.5/((√x)·(√x)·(√x)), 0 · inf), and its terms have one sign, so a zero where they underflow is
    # signed as the true derivative (rsqrt''' at 1e300 was +0; −0 now). As cheap as that (a power was 5 times
    # its cost). Taken as ((−0.5·r)·r)·r: each partial product lies between r's and the slope's size, so none
    # overflows (nor underflows) before the slope does (r³ alone was inf from 3.2e-206, rsqrt'(2.5e-206) −inf
    # for −1.26e308). Quietly: the slope is inf below 2e-206 and at 0 (r at 0 too), and 0 beyond 3e205, the answers
    with np.errstate(over="ignore", divide="ignore"):
        r = 1 / sqrt(x)
        return (g * (-0.5 * r * r * r),)


def _scalar_frac(x: float) -> float:
    if not math.isfinite(x):  # inf − inf: no real part after the point, which a Value refuses (a Tensor: NaN)
        raise ValueError("frac needs a finite input")
    return x - math.copysign(math.trunc(x), x)  # trunc(-0.5) is -0.0, so frac(-0.0) is +0.0 (numpy and PyTorch)


ALGEBRA: tuple[OpDef, ...] = (
    OpDef(
        "square",
        lambda g, out, x: (g * (2 * x),),
        lambda x: x * x,
        np.square,
        formulas=("∂x²/∂x = 2x",),
    ),
    # its derivative −1/x² from the output, −out², as PyTorch's: inf at 0 on Tensors (a Value refuses 1/0)
    OpDef(
        "reciprocal",
        lambda g, out, x: (g * -(out * out),),
        lambda x: 1.0 / x,
        np.reciprocal,
        (NONZERO,),
        "division by zero",
        formulas=("∂(1/x)/∂x = −1/x²",),
    ),
    # 1/√x, one division of the square root (PyTorch's on CPU); its derivative −1/(2(√x)³) from x: PyTorch's
    # −out³/2 reads a float16 output rounded (3 ulps off at 3000). 1/√x keeps the sign of a zero: +inf at
    # -0.0, whose forward is -inf (PyTorch's)
    OpDef(
        "rsqrt",
        _rsqrt_vjp,
        lambda x: 1.0 / math.sqrt(x),
        lambda x: 1 / np.sqrt(x),
        (POSITIVE,),
        "rsqrt needs a positive input",
        formulas=("∂(1/√x)/∂x = −1/(2x√x)",),
    ),
    OpDef(
        "deg2rad",
        lambda g, out, x: (g * DEGREE,),
        lambda x: x * DEGREE,
        lambda x: x * DEGREE,
        formulas=("∂(x·π/180)/∂x = π/180",),
    ),
    OpDef(
        "rad2deg",
        lambda g, out, x: (g * RADIAN,),
        lambda x: x * RADIAN,
        lambda x: x * RADIAN,
        formulas=("∂(x·180/π)/∂x = 180/π",),
    ),
    # x − trunc(x), the sign of x; jumps at the integers, and its derivative 1 everywhere, there too
    # (PyTorch's: the slope of each piece)
    OpDef(
        "frac",
        lambda g, out, x: (g * 1.0,),
        _scalar_frac,
        lambda x: x - np.trunc(x),
        (Domain(avoid=tuple(float(k) for k in range(-4, 4))),),
        "frac needs a finite input",
        formulas=("∂frac(x)/∂x = 1 (jumps at the integers)",),
    ),
)
