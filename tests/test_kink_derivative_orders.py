"""softsign, i0e and i1e at their kink x = ±0, derivatives of orders 1-8 on both engines against mpmath: where
the two sides' derivatives share a limit, that limit; where they jump, 0 (their mean). The sides' mean was a
Taylor series stopped at x⁴ or x⁵, so softsign⁽⁷⁾(0) (5040), i1e⁽⁷⁾(0) (23.46) and i0e⁽⁸⁾(0) (50.27) came out 0.
Both engines run the op table's one rule: every order on Values (cheap), on Tensors orders 7 and 8 only in the
slow run (nested Tensor graphs grow with the order: i1e's eighth takes seconds)."""

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
CASES = [(name, order) for name in REFERENCES for order in range(1, 9)]
TENSOR_CASES = [pytest.param(*case, marks=pytest.mark.slow) if case[1] >= 7 else case for case in CASES]


def _sides_mean(name, order):
    """The mean of the one-sided nth derivatives at 0."""
    f = REFERENCES[name]
    return float((mp.diff(f, 0, order, direction=1) + mp.diff(f, 0, order, direction=-1)) / 2)


@pytest.mark.parametrize(("name", "order"), CASES)
@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_every_order_at_the_kink_is_the_sides_mean_on_values(name, order, zero):
    got = float(nth(getattr(autograd, name), order)(zero))
    assert got == pytest.approx(_sides_mean(name, order), rel=1e-13, abs=1e-13)


@pytest.mark.parametrize(("name", "order"), TENSOR_CASES)
def test_every_order_at_the_kink_is_the_sides_mean_on_tensors(name, order):
    derivative = getattr(autograd, name)
    for _ in range(order):
        derivative = autograd.elementwise_grad(derivative)
    got = derivative(Tensor(np.array([0.0, -0.0, 0.5])))
    expected = _sides_mean(name, order)
    assert [float(got[0]), float(got[1])] == pytest.approx([expected, expected], rel=1e-13, abs=1e-13)
    assert float(got[2]) == pytest.approx(float(mp.diff(REFERENCES[name], 0.5, order)), rel=1e-10)


@pytest.mark.parametrize("name", REFERENCES)
@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_the_gradient_at_the_kink_is_linear_in_the_gradient_from_above(name, zero):
    """d/db of d/dx [op(x)·b] at x = ±0 is op'(0), as d/dx of d/db is: the slope at the kink was counted twice
    in the gradient arriving from above (softsign: 2, i1e: 1, where 1 and 1/2), so every mixed second derivative
    through the kink was off (atan2(i1e(x), y)'s Hessian was not symmetric: −4.64 against −2.32)."""
    slope = _sides_mean(name, 1)
    op = getattr(autograd, name)
    for x, b in (
        (autograd.Value(zero), autograd.Value(1.7)),
        (Tensor(np.array([zero]), requires_grad=True), Tensor(np.array([1.7]), requires_grad=True)),
    ):
        gx, gb = autograd.gradients(op(x) * b, [x, b], create_graph=True)
        (dgx_db,) = autograd.gradients(gx.sum() if isinstance(gx, Tensor) else gx, [b])
        (dgb_dx,) = autograd.gradients(gb.sum() if isinstance(gb, Tensor) else gb, [x])
        assert [float(np.ravel(dgx_db)[0]), float(np.ravel(dgb_dx)[0])] == pytest.approx([slope, slope], abs=1e-15)
