"""celu with an alpha that float32 cannot hold (0.1, 0.3): its float64 value, gradient and second derivative
against mpmath, within the error that rounding x / alpha once brings (exp's condition number is |x / alpha|: so
(2 + |x / alpha|) epsilons relative, 12 ulps at x / alpha = -30). PyTorch 2.13's gradient and second derivative
there are a float32 rounding off (4.3e-7 relative at x = -3, growing with |x / alpha|: as if alpha were rounded to
float32 in one place), so its numbers are not the reference here (docs/edge-points.md). Found by a sweep of the
activations' options against torch."""

import numpy as np
import pytest
from mpmath_ulps import held_precision, mp
from torch_reference import torch  # without torch: skipped

from autograd import Tensor, gradients

held = held_precision(dps=40)
X = [-3.0, -1.607, -1.0, -0.316, -1e-3]


def _celu_derivatives(alpha):
    """chainrule's celu(x), celu'(x), celu''(x) at X, float64."""
    x = Tensor(np.array(X), requires_grad=True)
    y = x.celu(alpha)
    (slope,) = gradients(y.sum(), [x], create_graph=True)
    (curve,) = gradients(slope.sum(), [x])
    return [np.asarray(y.data), np.asarray(slope.data), np.asarray(curve)]


def _exact(alpha):
    a = mp.mpf(alpha)
    return [
        [a * mp.expm1(mp.mpf(x) / a) for x in X],
        [mp.exp(mp.mpf(x) / a) for x in X],
        [mp.exp(mp.mpf(x) / a) / a for x in X],
    ]


@pytest.mark.parametrize("alpha", [0.1, 0.3, 2.5])
def test_celu_and_its_derivatives_are_mpmath_s(alpha):
    bound = [(2 + abs(x / alpha)) * np.finfo(np.float64).eps for x in X]
    for order, (ours, exact) in enumerate(zip(_celu_derivatives(alpha), _exact(alpha))):
        relative = [float(abs((mp.mpf(float(y)) - r) / r)) for y, r in zip(ours, exact)]
        assert all(np.less_equal(relative, bound)), f"derivative {order} of celu(alpha={alpha}): {relative}"


@pytest.mark.parametrize("alpha", [0.1, 0.3])
def test_torch_s_celu_gradient_is_float32_rounded_where_alpha_is_not_a_float32(alpha):
    """What the doc says of PyTorch 2.13, checked so that the note goes when PyTorch changes: its gradient is off by
    alpha's float32 rounding times |1 + x / alpha|, relative (4.3e-7 at x = -3 for alpha 0.1), growing without bound."""
    x = torch.tensor(X + [-30.0], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.celu(x, alpha=alpha).sum().backward()
    rounding = abs(float(np.float32(alpha)) - alpha) / alpha
    for point, g in zip(x.detach().tolist(), x.grad.tolist()):
        exact = mp.exp(mp.mpf(point) / mp.mpf(alpha))
        relative = float(abs((mp.mpf(g) - exact) / exact))
        assert relative == pytest.approx(rounding * abs(1 + point / alpha), rel=0.01), (point, relative)
