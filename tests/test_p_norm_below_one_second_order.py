"""Second derivatives of the p-norm distances for p < 1 (`nn.p_norm_rows.row_p_norm`) at rows of large or small
differences, against mpmath's. Taken unscaled (for the first derivative beside a difference of 1e300), the terms'
|d|^(p-2) left the range: [1e290, 1e290, 1e290] at p=0.5 had the Hessian-vector product [7.5e-291] x 3 for
[3.75e-291, 0, -3.75e-291], and [1e-290] x 3 had -inf for +-3.75e289. Left: rows whose largest difference is
above 2^990 (1e298) or below 2^-990 (scaled by it, a weight above 2^33 would send the first derivative past the
range, or g · m would lose bits), where the second derivative at the largest entries stays off."""

import mpmath
import numpy as np
import pytest

from autograd import Tensor, gradients, raw
from nn.functional import pairwise_distance

mpmath.mp.dps = 50
V = [0.5, 1.0, 1.5]


def _exact(row, p, weight):
    d, p = [mpmath.mpf(x) for x in row], mpmath.mpf(p)
    norm = mpmath.fsum(abs(x) ** p for x in d) ** (1 / p)
    u, s = [abs(x) / norm for x in d], [mpmath.sign(x) for x in d]
    grad = [weight * s[i] * u[i] ** (p - 1) for i in range(3)]

    def hessian(i, j):
        return (u[i] ** (p - 2) if i == j else 0) - s[i] * s[j] * (u[i] * u[j]) ** (p - 1)

    hv = [weight * (p - 1) / norm * mpmath.fsum(hessian(i, j) * V[j] for j in range(3)) for i in range(3)]
    return float(norm), [float(g) for g in grad], [float(h) for h in hv]


@pytest.mark.parametrize("p", [0.3, 0.5, 0.8])
@pytest.mark.parametrize(
    "row",
    [
        [1e290, 1e290, 1e290],
        [1e-290, 1e-290, 1e-290],
        [1e-300, 1e-290, 3e-300],
        [-2e250, 1e250, 3e249],
        [1e300, 1.0, -2.0],
        [1e300, 0.03, 1.0],
        [2.0, -1.0, 0.5],
    ],
)
def test_second_derivatives_below_one(row, p):
    """Distance, gradient of 0.5 x it, and the Hessian-vector product are mpmath's (the product to 1e-9, or to
    1e-12 of its largest entry where it cancels)."""
    x = Tensor(np.array(row), requires_grad=True)
    out = pairwise_distance(x[None], Tensor(np.zeros((1, 3))), p, eps=0.0)
    (grad,) = gradients((out * 0.5).sum(), [x], create_graph=True)
    (hv,) = gradients((grad * Tensor(np.array(V))).sum(), [x])
    norm, e_grad, e_hv = _exact(row, p, 0.5)
    np.testing.assert_allclose(raw(out), [norm], rtol=1e-13)
    np.testing.assert_allclose(raw(grad), e_grad, rtol=1e-12)
    np.testing.assert_allclose(raw(hv), e_hv, rtol=1e-9, atol=1e-12 * max(abs(h) for h in e_hv))
