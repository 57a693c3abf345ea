"""The op table's piecewise activations with flat pieces and jumps: hardshrink, softshrink and
threshold, PyTorch's definitions. Entries as in `op_table` (read there).

PyTorch's choice, followed here: each is flat (derivative 0) exactly at its bounds (x = ±lambd, x =
threshold). At a NaN input, whose output is NaN (the forwards test "inside the flat piece", which NaN
never is), the derivative is NaN, where PyTorch's passes the gradient (the NaN policy, rule_functions).
Their second derivatives are 0 everywhere."""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import raw
from .op_def import Domain, OpDef
from .parameter_checks import require_meaningful
from .rule_functions import gated, unknown_at_nan


def _flat(x: Any, lo: float, hi: float) -> Any:
    """Where x lies in [lo, hi] (False at NaN): the flat piece, bounds included."""
    return (x >= lo) & (x <= hi)


def _sloped(x: Any, lo: float, hi: float) -> Any:
    """Where the gradient passes, on floats and arrays: 1 where x is outside [lo, hi], NaN where x is NaN."""
    return unknown_at_nan((x < lo) | (x > hi), x)


def _hardshrink_check(lambd: float) -> None:
    # PyTorch's takes any lambd: a negative one leaves x as it is, an infinite one makes all 0
    require_meaningful("hardshrink", {"lambd": lambd}, bounds=("lambd",))


def _softshrink_check(lambd: float) -> None:
    require_meaningful("softshrink", {"lambd": lambd})
    if lambd < 0:  # PyTorch's refuses it too: the pieces x ∓ lambd would overlap
        raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}; it is the half-width of the flat piece")


def _threshold_check(threshold: float, value: float) -> None:
    require_meaningful("threshold", {"threshold": threshold, "value": value}, bounds=("threshold",))


def _scalar_softshrink(x: float, *, lambd: float) -> float:
    # the flat piece's 0 is +0, NaN stays (PyTorch's keeps x's sign there: -0.0 at x = -0.3)
    return x - lambd if x > lambd else x + lambd if x < -lambd else abs(x) * 0.0


PIECES: tuple[OpDef, ...] = (
    # x outside [-lambd, lambd], else 0; at ±lambd the flat piece's derivative 0 (PyTorch's)
    OpDef(
        "hardshrink",
        lambda g, out, x, *, lambd: (gated(g, _sloped(raw(x), -lambd, lambd)),),
        lambda x, *, lambd: 0.0 if -lambd <= x <= lambd else x,
        lambda x, *, lambd: np.where(_flat(x, -lambd, lambd), 0, x),
        (Domain(avoid=(-0.5, 0.5)),),  # jumps at ±lambd
        params={"lambd": 0.5},
        check=_hardshrink_check,
        formulas=("∂hardshrink(x)/∂x = 1 where |x| > lambd, else 0",),
        flat_pieces=True,
    ),
    # x ∓ lambd outside [-lambd, lambd], else 0; at ±lambd the flat piece's derivative 0 (PyTorch's)
    OpDef(
        "softshrink",
        lambda g, out, x, *, lambd: (gated(g, _sloped(raw(x), -lambd, lambd)),),
        _scalar_softshrink,
        lambda x, *, lambd: np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, np.abs(x) * 0)),
        (Domain(avoid=(-0.5, 0.5)),),  # kinks at ±lambd
        params={"lambd": 0.5},
        check=_softshrink_check,
        formulas=("∂softshrink(x)/∂x = 1 where |x| > lambd, else 0",),
        flat_pieces=True,
    ),
    # x above threshold, else value; at x = threshold the flat piece's derivative 0 (PyTorch's). PyTorch's
    # F.threshold has no defaults (nn.functional's and nn.Threshold require both); autograd's are relu's
    OpDef(
        "threshold",
        lambda g, out, x, *, threshold, value: (gated(g, _sloped(raw(x), -np.inf, threshold)),),
        lambda x, *, threshold, value: value if x <= threshold else x,
        lambda x, *, threshold, value: np.where(x <= threshold, value, x),
        (Domain(avoid=(0.0,)),),  # a jump (from value to x) at threshold
        params={"threshold": 0.0, "value": 0.0},
        check=_threshold_check,
        formulas=("∂threshold(x)/∂x = 1 where x > threshold, else 0",),
        flat_pieces=True,
    ),
)
