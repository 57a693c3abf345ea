"""The slopes of σ and tanh, 1 − σ(x) and 1 − tanh(x)², kept to their digits where written from the output
they cancel, and σ's gradient, whose own derivative would cancel near 0: the rules of sigmoid and tanh (op_table)
and of the activations built on them (op_table_activations: mish) read them here."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import elementwise_forwards as forward
from .graph import Node, raw
from .op_def import function
from .op_table_math import exp
from .rule_functions import where
from .rule_pieces import is_near

tanh = function("tanh")


def sigmoid_complement(x: Any, s: Any) -> Any:
    """1 − σ(x), given s = σ(x). Written from the output it cancels as σ rounds toward 1 (σ'(30) came out
    0.1% off in float64, and 0 from x = 37, where it is 1e-16; PyTorch's too): where it falls below
    forward.CANCELS (x above 4.1) it is e/(1 + e), e = exp(−x), from x. On arrays in place (forward's)."""
    if isinstance(x, np.ndarray):
        return forward.sigmoid_complement_array(x, s)
    near = 1 - s
    if not isinstance(x, Node):  # a number: the tail only where it is taken
        return forward.sigmoid_tail(x) if near < forward.CANCELS else near
    far = raw(near) < forward.CANCELS
    e = exp(-where(x, 1.0, cond=far))  # 1 where unused: exp(-x) overflows far left
    return where(e / (1 + e), near, cond=far)


# below it σ·(1 − σ)'s derivative loses digits to 1 − 2σ (27 ulps at 0.1); beyond, the tanh form gains nothing
SIGMOID_NEAR = 2.0


def sigmoid_gradient(g: Any, out: Any, x: Any) -> Any:
    """g·σ(x)·(1 − σ(x)), the gradient of σ's rule (op_table). Its own derivative through that product,
    σ'·(1 − σ) − σ·σ', cancels where σ is near 1/2 (σ''(1e-300) was 0 for −1.25e-301; 6e-9 relative off at 1e-8,
    2e-14 at 0.01, 6e-15 at 0.1; softplus's third the same): under create_graph, for 4e-323 <= |x| < SIGMOID_NEAR,
    the value is kept (a constant of x, times g) and the derivatives are those of (1 − tanh²(x/2))/4, products that
    do not cancel. Below 4e-323 σ'' rounds to ∓0: the product's +0 there, PyTorch's (the other piece's zeros would
    flip a sign on Tensors). Plain passes untouched."""
    slope = g * out * sigmoid_complement(x, out)
    if not isinstance(x, Node):
        return slope
    near = is_near(x, lambda a: (np.abs(a) < SIGMOID_NEAR) & (np.abs(a) >= 4e-323))
    if not np.any(near):
        return slope
    at = where(x, 0.0, cond=near)  # a stand-in where not taken (its derivatives sent there are 0)
    t = tanh(at * 0.5)
    t0 = raw(t)
    shift = g * (0.25 * (1 - t * t) - 0.25 * (1 - t0 * t0))  # 0, with those derivatives in x (and none in g)
    kept = g * raw(out) * raw(sigmoid_complement(x, out)) - (raw(shift) - shift)
    return where(kept, slope, cond=near)


def tanh_slope(x: Any, t: Any) -> Any:
    """1 − tanh(x)², given t = tanh(x): so written (the lesson's formula, bit for bit micrograd's) until it
    falls below forward.CANCELS (|x| above 2.4), where it cancels as tanh rounds toward ±1 (0 from |x| = 19
    in float64, where it is 1e-16; 3e-5 off at 4.4 in float32); there 4e/(1 + e)², e = exp(−2|x|), from x."""
    if isinstance(x, np.ndarray):
        return forward.tanh_slope_array(x, t)
    near = 1 - t * t
    if not isinstance(x, Node):  # a number (also the scalar engine's written-out rule): as above
        return forward.tanh_tail(x) if near < forward.CANCELS else near
    with np.errstate(over="ignore"):  # as forward.tanh_slope_array
        e = exp(-2 * abs(x))
    return where(4 * e / ((1 + e) * (1 + e)), near, cond=raw(near) < forward.CANCELS)
