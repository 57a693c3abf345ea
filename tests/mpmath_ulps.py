"""Errors against mpmath in units in the last place, and the nth derivative by grad: what the special functions'
accuracy tests (test_elementwise_bessel_normal, test_elementwise_bessel_jyk) measure with."""

import math

import numpy as np
import pytest

from autograd import grad

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")


def ulps(ours, exact, bits: int, smallest: int) -> np.ndarray:
    """|ours − exact| in units of exact's last place (a subnormal's: 2^smallest)."""
    errors = []
    for y, r in zip(ours, exact):
        if r == 0:
            errors.append(0.0 if y == 0 else math.inf)
            continue
        unit = mp.mpf(2) ** max(int(mp.floor(mp.log(abs(r), 2))) - bits, smallest)
        errors.append(float(abs(mp.mpf(float(y)) - r) / unit))
    return np.array(errors)


def nth(f, n: int):
    """The nth derivative of f, grad taken n times."""
    for _ in range(n):
        f = grad(f)
    return f
