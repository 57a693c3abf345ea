"""pairwise_distance where x1 - x2 overflows (its distance is inf, its gradient the direction of x1 - x2) and
where |x1 - x2|**p would (p other than 1, 2, inf: the distance fits, and was inf); a 2-norm past the range
sends its direction, not 0."""

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor

F = nn.functional


def _distance_and_gradients(a, b, p):
    x1, x2 = Tensor(np.array([a]), requires_grad=True), Tensor(np.array([b]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # x1 - x2 and the distance overflow: inf is the answer
        d = F.pairwise_distance(x1, x2, p=p, eps=0.0)
        d.sum().backward()
    return d.data, x1.grad[0], x2.grad[0]


@pytest.mark.parametrize("p", [1.0, 2.0, np.inf])
def test_a_difference_past_the_range_sends_its_direction(p):
    """[1e308] - [-1e308] is 2e308: the distance inf (as PyTorch's), the gradient ±1, the limit of d|x|/dx
    (PyTorch's: NaN for p = 2)."""
    d, g1, g2 = _distance_and_gradients([1e308], [-1e308], p)
    assert np.isinf(d).all()
    np.testing.assert_array_equal(g1, [1.0])
    np.testing.assert_array_equal(g2, [-1.0])
    d, g1, _ = _distance_and_gradients([1e308, 1e308, 1e308, 1e308], [-1e308, -1e308, -1e308, -1e308], p)
    np.testing.assert_array_equal(g1, {1.0: [1.0] * 4, 2.0: [0.5] * 4, np.inf: [0.25] * 4}[p])


def test_rows_beside_a_difference_past_the_range_keep_their_own():
    """[5e-324] - [0] beside [1e308] - [-1e308] is 5e-324 with gradient 1, as alone (halving every row gave 0, 0)."""
    x1 = Tensor(np.array([[1e308, 0.0], [5e-324, 0.0], [3.0, 4.0]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d = F.pairwise_distance(x1, Tensor(np.array([[-1e308, 0.0], [0.0, 0.0], [0.0, 0.0]])), eps=0.0)
        d.sum().backward()
    assert np.isinf(d.data[0]) and d.data[1:].tolist() == [5e-324, 5.0]
    np.testing.assert_array_equal(x1.grad, [[1.0, 0.0], [1.0, 0.0], [0.6, 0.8]])


def test_a_2_norm_past_the_range_sends_its_direction():
    """norm of four entries of 1e308 is inf; its gradient x/‖x‖ is 0.5 each (was x/inf: 0)."""
    x = Tensor(np.array([[1e308] * 4, [3.0, 4.0, 0.0, 0.0]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x.norm(2, dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.5] * 4, [0.6, 0.8, 0.0, 0.0]])
    beside_inf = Tensor(np.array([[1e308] * 4, [np.inf, 1.0, 0.0, 0.0]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        beside_inf.norm(2, dim=1).sum().backward()
    np.testing.assert_array_equal(beside_inf.grad[0], [0.5] * 4)  # was 0: a row holding inf turned the check off
    assert np.isnan(beside_inf.grad[1, 0]) and (beside_inf.grad[1, 1:] == 0).all()


@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_other_orders_of_large_and_small_differences(scale):
    """p = 3: |1e200|**3 overflowed (distance inf, PyTorch's too; gradient NaN), |1e-200|**3 underflowed (0)."""
    d, g1, _ = _distance_and_gradients([scale, scale], [0.0, 0.0], 3.0)
    np.testing.assert_allclose(d, [2 ** (1 / 3) * scale], rtol=1e-15)
    np.testing.assert_allclose(g1, [2 ** (-2 / 3)] * 2, rtol=1e-15)
