"""softsign, i0e and i1e at their kink x = ±0, derivatives of orders 1-8 on both engines against mpmath: where
the two sides' derivatives share a limit, that limit; where they jump, 0 (their mean). The sides' mean was a
Taylor series stopped at x⁴ or x⁵, so softsign⁽⁷⁾(0) (5040), i1e⁽⁷⁾(0) (23.46) and i0e⁽⁸⁾(0) (50.27) came out 0."""

import numpy as np
import pytest
from mpmath_ulps import nth

import autograd
from autograd import Tensor

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
mp.mp.dps = 40

REFERENCES = {
    "softsign": lambda x: x / (1 + abs(x)),
    "i0e": lambda x: mp.exp(-abs(x)) * mp.besseli(0, x),
    "i1e": lambda x: mp.exp(-abs(x)) * mp.besseli(1, x),
}


def _sides_mean(name, order):
    """The mean of the one-sided nth derivatives at 0."""
    f = REFERENCES[name]
    return float((mp.diff(f, 0, order, direction=1) + mp.diff(f, 0, order, direction=-1)) / 2)


# i1e's eighth (a jump: 0) would take 25 s of the default run; its seventh, 23.46, was 0
CASES = [(name, order) for name in REFERENCES for order in range(1, 9) if (name, order) != ("i1e", 8)]


@pytest.mark.parametrize(("name", "order"), CASES)
@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_every_order_at_the_kink_is_the_sides_mean(name, order, zero):
    expected = _sides_mean(name, order)
    f = getattr(autograd, name)
    on_value = float(nth(f, order)(zero))
    on_tensor = f
    for _ in range(order):
        on_tensor = autograd.elementwise_grad(on_tensor)
    on_tensor = on_tensor(Tensor(np.array([zero, 0.5])))
    assert on_value == pytest.approx(expected, rel=1e-13, abs=1e-13)
    assert float(on_tensor[0]) == pytest.approx(expected, rel=1e-13, abs=1e-13)
    right = float(mp.diff(REFERENCES[name], 0.5, order))
    assert float(on_tensor[1]) == pytest.approx(right, rel=1e-10)
