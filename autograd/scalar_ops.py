"""The scalar ops: one entry per op, its forward beside its derivative rule.

Each rule is `vjp(g, out, *inputs) -> one gradient per input`. Rules use only arithmetic,
comparisons and other Ops, so the same line runs on floats (a plain backward) and on Values
(`create_graph`, higher derivatives). Choices at kinks and boundaries are noted beside the rule.
"""

from __future__ import annotations

import math
import operator

from .graph import Op, raw


def _pow(a: float, b: float) -> float:
    out = a**b
    if out.__class__ is complex:
        raise ValueError("a negative base to a fractional power has no real value")
    return out


def _relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # NaN passes through, as in PyTorch


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # never overflows for x < 0
    return e / (1.0 + e)


def _d_base(g, a, b):
    """d(a**b)/da = b * a**(b-1); 0 at a == b == 0 (x**0 is the constant 1, as PyTorch), where the
    formula would form 0**-1. Elsewhere the formula, so its own derivatives stay right."""
    return 0.0 if raw(b) == 0 and raw(a) == 0 else g * b * a ** (b - 1)


def _log_base(a):
    """d(a**b)/db = a**b * log(a): 0 at a == 0 (its limit for b > 0, as PyTorch); NaN for a < 0."""
    if a > 0:
        return log(a)
    return math.nan if a < 0 else 0.0


add = Op("+", operator.add, lambda g, o, a, b: (g, g))
sub = Op("-", operator.sub, lambda g, o, a, b: (g, -g))
mul = Op("*", operator.mul, lambda g, o, a, b: (g * b, g * a))
div = Op("/", operator.truediv, lambda g, o, a, b: (g / b, -g * o / b), "division by zero")
power = Op("**", _pow, lambda g, o, a, b: (_d_base(g, a, b), g * o * _log_base(a)))
# `x ** 2`: the exponent is a constant, so no gradient flows to it (and a negative base is fine).
power_const = Op("**", _pow, lambda g, o, a, c: (_d_base(g, a, c), None))
# `2 ** x`: the base is a constant, so its derivative (infinite for 0 ** 0.5) is never formed.
power_base_const = Op("**", _pow, lambda g, o, c, b: (None, g * o * _log_base(c)))
neg = Op("neg", operator.neg, lambda g, o, a: (-g,))
exp = Op("exp", math.exp, lambda g, o, a: (g * o,), "the result is too large for a float")
log = Op("log", math.log, lambda g, o, a: (g / a,), "log needs a positive input")
sqrt = Op("sqrt", math.sqrt, lambda g, o, a: (g * 0.5 / o,), "sqrt needs a non-negative input")
tanh = Op("tanh", math.tanh, lambda g, o, a: (g * (1 - o * o),))
sigmoid = Op("sigmoid", _sigmoid, lambda g, o, a: (g * o * (1 - o),))
# Kink at 0: derivative 0 there (PyTorch's choice); a finite difference across it gives 0.5.
relu = Op("relu", _relu, lambda g, o, a: (g * (a > 0),))
# Kink at 0: derivative 0 there (the subgradient PyTorch picks).
absolute = Op("abs", abs, lambda g, o, a: (g * ((a > 0) - (a < 0)),))
sin = Op("sin", math.sin, lambda g, o, a: (g * cos(a),), "sin needs a finite input")
cos = Op("cos", math.cos, lambda g, o, a: (-g * sin(a),), "cos needs a finite input")
