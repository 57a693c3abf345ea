"""Errors against mpmath in units in the last place, the nth derivative by grad, and mpmath's precision held for
one module's tests: what the special functions' accuracy tests (test_elementwise_bessel_normal,
test_elementwise_bessel_jyk) measure with."""

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


def held_precision(*, dps: int | None = None, bits: int | None = None):
    """An autouse fixture holding mpmath at `dps` digits (or `bits` bits) while the tests of the module that assigns
    it run, and restoring it after. A module's import-time `mp.mp.dps = …` held for every test collected after it:
    test_extreme_magnitudes' 500 bits ran every test_elementwise_* module's mpmath at ~150 digits in the default
    run (test_elementwise_bessel_jyk's 3 s of CPU took 18)."""

    @pytest.fixture(autouse=True, scope="module")
    def held():
        with mp.workdps(dps) if bits is None else mp.workprec(bits):
            yield

    return held


def nth(f, n: int):
    """The nth derivative of f, grad taken n times."""
    for _ in range(n):
        f = grad(f)
    return f
