"""The op table's activation functions without parameters, on both engines (PyTorch's
definitions and its choices at the kinks). Entries as in `op_table` (read there)."""

from __future__ import annotations

import math

import numpy as np

from . import elementwise_forwards as forward
from .graph import raw
from .op_def import OFF_KINK, Domain, OpDef, function, where
from .op_table_math import exp

sigmoid, tanh, softplus = function("sigmoid"), function("tanh"), function("softplus")
# SELU's constants (Klambauer et al. 2017), to the digits PyTorch uses
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _mish_vjp(g, out, x):
    t = tanh(softplus(x))
    return (g * (t + x * (1 - t * t) * sigmoid(x)),)


def _scalar_selu(x: float) -> float:
    return SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))


def _clamp(x: float, lo: float, hi: float) -> float:
    return x if x != x else min(max(x, lo), hi)  # NaN passes through


ACTIVATIONS: tuple[OpDef, ...] = (
    OpDef(
        "silu",
        lambda g, out, x: (g * sigmoid(x) * (1 + x * (1 - sigmoid(x))),),
        lambda x: x * forward.scalar_sigmoid(x),
        lambda x: x * forward.tensor_sigmoid(x),
        reference="nn.functional.silu",
        formulas=("∂(x·σ(x))/∂x = σ(x)·(1 + x·(1 − σ(x)))",),
    ),
    OpDef(
        "softsign",
        lambda g, out, x: (g / ((1 + abs(x)) * (1 + abs(x))),),
        lambda x: x / (1 + abs(x)),
        lambda x: x / (1 + np.abs(x)),
        (OFF_KINK,),  # its derivative has a kink at 0: second derivatives jump there
        reference="nn.functional.softsign",
        formulas=("∂(x/(1 + |x|))/∂x = 1/(1 + |x|)²",),
    ),
    # log σ(x) = -softplus(-x): stable for inputs of any size
    OpDef(
        "logsigmoid",
        lambda g, out, x: (g * sigmoid(-x),),
        lambda x: -forward.scalar_softplus(-x),
        lambda x: -forward.tensor_softplus(-x),
        reference="nn.functional.logsigmoid",
        formulas=("∂log σ(x)/∂x = σ(−x)",),
    ),
    OpDef(
        "mish",
        _mish_vjp,
        lambda x: x * math.tanh(forward.scalar_softplus(x)),
        lambda x: x * np.tanh(forward.tensor_softplus(x)),
        reference="nn.functional.mish",
        formulas=("∂(x·tanh(softplus x))/∂x = t + x·(1 − t²)·σ(x)",),
    ),
    # kinks at 0 and 6: derivative 0 at both (PyTorch's hardtanh rule: 1 strictly inside)
    OpDef(
        "relu6",
        lambda g, out, x: (g * ((raw(x) > 0) & (raw(x) < 6)),),
        lambda x: _clamp(x, 0.0, 6.0),
        lambda x: np.clip(x, 0, 6),
        (Domain(lo=-2, hi=8, avoid=(0.0, 6.0)),),
        reference="nn.functional.relu6",
        formulas=("∂relu6(x)/∂x = 1 where 0 < x < 6, else 0",),
    ),
    # at -3 PyTorch takes the middle piece (x/3 + 1/2 = -1/2); at 3, also the middle piece (3/2)
    OpDef(
        "hardswish",
        lambda g, out, x: (g * where(0.0, where(x / 3 + 0.5, 1.0, cond=raw(x) <= 3), cond=raw(x) < -3),),
        lambda x: x * _clamp(x / 6 + 0.5, 0.0, 1.0),
        lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
        (Domain(lo=-5, hi=5, avoid=(-3.0, 3.0)),),
        reference="nn.functional.hardswish",
        formulas=("∂hardswish(x)/∂x = 0 below −3, x/3 + 1/2 up to 3, 1 above",),
    ),
    # kink at 0: the left piece's derivative there, scale·alpha (PyTorch's)
    OpDef(
        "selu",
        lambda g, out, x: (g * where(SELU_SCALE, SELU_SCALE * SELU_ALPHA * exp(x), cond=raw(x) > 0),),
        _scalar_selu,
        lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))),
        (Domain(avoid=(0.0,)),),
        "the result is too large for a float",
        reference="nn.functional.selu",
        formulas=("∂selu(x)/∂x = scale where x > 0, else scale·α·exp(x)",),
    ),
)
