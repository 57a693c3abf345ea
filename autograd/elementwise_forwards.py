"""Forwards of elementwise ops that take more than one library call, on floats (`scalar_*`,
the Value hot path: `math`) and on arrays (`tensor_*`: numpy). Entries of the op table in
different files share them (silu is x · sigmoid)."""

from __future__ import annotations

import math

import numpy as np


def scalar_pow(a: float, b: float) -> float:
    out = a**b
    if out.__class__ is complex:
        raise ValueError("a negative base to a fractional power has no real value")
    return out


def scalar_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # never overflows for x < 0
    return e / (1.0 + e)


def tensor_sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def scalar_softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))  # never overflows


def scalar_relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # NaN passes through, as in PyTorch


def tensor_softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, x)  # never overflows
