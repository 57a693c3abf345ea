"""normalize and cosine_similarity where a row's norm is beyond the float range (scaled by 2**-k first) and
where it is subnormal (not scaled: its last bits count)."""

import numpy as np
import pytest

import nn
from autograd import Tensor

F = nn.functional


@pytest.mark.parametrize("p", [1, 2])
def test_normalize_of_rows_whose_norm_overflows_is_that_of_the_rows_scaled_down(p):
    rows, weights = np.array([[1.7e308, -1.7e308, 1e308], [3.0, -3.0, 3 / 1.7]]), np.array([1.0, 2.0, -1.0])
    x = Tensor(rows, requires_grad=True)
    out = F.normalize(x, p=p)
    (out * weights).sum().backward()  # was [0, 0, 0] and a zero gradient
    assert np.all(np.isfinite(x.grad)) and np.all(x.grad[0] != 0)
    small = Tensor(rows * [[2.0**-1000], [1.0]], requires_grad=True)
    (F.normalize(small, p=p) * weights).sum().backward()
    np.testing.assert_allclose(out.data, F.normalize(small, p=p).data, rtol=1e-15)
    np.testing.assert_allclose(x.grad * [[2.0**1000], [1.0]], small.grad, rtol=1e-14)


def test_subnormal_rows_keep_their_bits_with_eps_0():
    tiny, one = Tensor(np.array([[5e-324, 0.0]])), Tensor(np.array([[1.0, 0.0]]))
    np.testing.assert_array_equal(F.cosine_similarity(tiny, one, eps=0).data, [1.0])  # was NaN
    np.testing.assert_array_equal(F.normalize(tiny, eps=0).data, [[1.0, 0.0]])
    huge = Tensor(np.array([[1.7e308, 1.7e308]]))
    np.testing.assert_allclose(F.cosine_similarity(huge, huge).data, [1.0], rtol=1e-15)


@pytest.mark.parametrize(("label", "loss"), [(1.0, 0.0), (-1.0, 1.0)])
def test_cosine_embedding_loss_of_rows_whose_norm_overflows(label, loss):
    rows = Tensor(np.array([[1.7e308, 1.7e308]]), requires_grad=True)
    out = F.cosine_embedding_loss(rows, Tensor(np.array([[1.7e308, 1.7e308]])), np.array([label]))
    out.backward()
    np.testing.assert_allclose(out.data, loss, atol=1e-15)  # was 1 - loss: the rows' norms overflowed
    np.testing.assert_array_equal(rows.grad, [[0.0, 0.0]])


def test_a_row_holding_one_infinity_is_its_limit_and_two_are_nan():
    """x/‖x‖ as one entry grows is ±1 there, 0 elsewhere, with every derivative falling as 1/‖x‖: [inf, 1]
    gives [1, 0] and gradient 0 (was [NaN, NaN]; PyTorch's [NaN, 0], NaN gradient). Two infinities: the
    direction depends on how they grew, NaN with a NaN gradient; a NaN entry: NaN. Cosines agree."""
    x = Tensor(np.array([[np.inf, 1.0], [-1e308, -np.inf], [np.inf, np.inf], [np.inf, np.nan], [3.0, 4.0]]))
    x.requires_grad = True
    for p in (1, 2, np.inf):
        x.grad = None
        out = F.normalize(x, p=p)
        (out * Tensor(np.array([1.0, 2.0]))).sum().backward()
        np.testing.assert_array_equal(out.data[:2], [[1.0, 0.0], [0.0, -1.0]])
        assert np.isnan(out.data[2:4]).all() and np.isnan(x.grad[2:4]).all()
        np.testing.assert_array_equal(x.grad[:2], 0.0)
        assert np.isfinite(x.grad[4]).all() and np.all(x.grad[4] != 0)
    one = Tensor(np.array([[1.0, 0.0]]))
    np.testing.assert_array_equal(F.cosine_similarity(Tensor(np.array([[np.inf, 1.0]])), one).data, [1.0])
    loss = F.cosine_embedding_loss(Tensor(np.array([[np.inf, 1.0]])), one, np.array([1.0]))
    near = F.cosine_embedding_loss(Tensor(np.array([[1e300, 1.0]])), one, np.array([1.0]))
    assert loss.item() == near.item()  # eps's 5e-13 in [1, 0]'s norm, as from a row on its way to the limit


def test_a_compiled_step_recorded_on_ordinary_rows_runs_huge_ones_eagerly():
    """normalize takes one division where norms fit: a replay whose norms do not runs the step eagerly."""
    import autograd

    step = autograd.compile(lambda x: F.normalize(x))
    ordinary = np.array([[3.0, 4.0], [1.0, 0.0]])
    for _ in range(3):
        np.testing.assert_allclose(step(Tensor(ordinary)).data, [[0.6, 0.8], [1.0, 0.0]])
    huge = step(Tensor(np.array([[1.7e308, 1.7e308], [np.inf, 1.0]]))).data
    np.testing.assert_allclose(huge, [[2**-0.5, 2**-0.5], [1.0, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(step(Tensor(ordinary)).data, [[0.6, 0.8], [1.0, 0.0]])


def test_rows_beside_a_row_whose_norm_overflows_keep_their_own():
    """With eps 0, [5e-324, 0] beside [1.7e308, 1.7e308] is [1, 0], as alone (its norm taken on the scaled row,
    5e-324·2⁻², was 0: [inf, NaN]); its cosine with [1, 0] is 1, not NaN."""
    rows = np.array([[1.7e308, 1.7e308], [5e-324, 0.0], [3.0, 4.0]])
    x = Tensor(rows, requires_grad=True)
    out = F.normalize(x, eps=0.0)
    (out * Tensor(np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 2.0]]))).sum().backward()
    np.testing.assert_array_equal(out.data[1:], [[1.0, 0.0], [0.6, 0.8]])
    np.testing.assert_allclose(out.data[0], [2**-0.5] * 2, rtol=1e-15)
    np.testing.assert_allclose(x.grad[2], [-0.064, 0.048], rtol=1e-14)  # (w - u(u·w)) / 5, u = (0.6, 0.8), w = (1, 2)
    cosine = F.cosine_similarity(Tensor(rows[:2]), Tensor(np.array([[1.0, 1.0], [1.0, 0.0]])), eps=0.0)
    np.testing.assert_allclose(cosine.data, [1.0, 1.0], rtol=1e-15)
