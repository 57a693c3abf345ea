"""lp_pool at p < 0: one entry far from 1 (1e-200) took every window of the call through the scaled passes; now
only the windows holding it, the others giving bit for bit what they give in a call without it."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize("p", [-1.0, -2.5])
@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1)])
def test_windows_without_a_far_entry_take_the_plain_path(p, kernel, stride):
    rng = np.random.default_rng(0)
    x = np.abs(rng.standard_normal((1, 2, 8, 8))) + 0.1
    far = x.copy()
    far[0, 0, 0, 0] = 1e-200

    def run(data):
        t = Tensor(data, requires_grad=True)
        y = F.lp_pool2d(t, p, kernel, stride)
        (y * y).sum().backward()
        return y.data, t.grad

    (plain, plain_grad), (mixed, mixed_grad) = run(x), run(far)
    np.testing.assert_array_equal(mixed[0, 1], plain[0, 1])  # the other channel
    np.testing.assert_array_equal(mixed_grad[0, 1], plain_grad[0, 1])
    np.testing.assert_array_equal(mixed[0, 0, 3:, 3:], plain[0, 0, 3:, 3:])  # windows away from the entry
    np.testing.assert_array_equal(mixed_grad[0, 0, 4:, 4:], plain_grad[0, 0, 4:, 4:])
    np.testing.assert_allclose(mixed[0, 0, 0, 0], (1e-200) * (1 + (x[0, 0, 0, 1] / 1e-200) ** p) ** (1 / p), rtol=1e-15)
