"""F.normalize with a p the norm op lacks (p=3, 0.5, 1.5: its orders are 1, 2 and inf) was a ValueError where
torch.nn.functional.normalize computes it; now the p-norm as pairwise_distance takes it (scaled by each row's
largest entry), against torch 2.13 in float64: values and gradients along every dim, a row of zeros, rows near
overflow and underflow."""

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def _both(x, p, dim, w):
    t = Tensor(x, requires_grad=True)
    y = nn.functional.normalize(t, p=p, dim=dim)
    (y * Tensor(w)).sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    yy = torch.nn.functional.normalize(tt, p=p, dim=dim)
    (yy * torch.tensor(w)).sum().backward()
    return (y.data, t.grad), (yy.detach().numpy(), tt.grad.numpy())


@pytest.mark.parametrize("p", [3, 0.5, 1.5, 7.25])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_normalize_with_any_p_matches_torch(p, dim):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 5))
    w = rng.normal(size=x.shape)
    (ours, ours_grad), (theirs, theirs_grad) = _both(x, p, dim, w)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-12, atol=1e-14)


def test_a_row_of_zeros_and_rows_at_the_range_edges():
    x = np.array([[0.0, 0.0, 0.0], [1e200, -2e200, 3e199], [1e-200, 3e-201, -2e-200]])
    w = np.array([[1.0, -1.0, 0.5], [0.25, 2.0, -1.0], [1.0, 1.0, 1.0]])
    (ours, ours_grad), _ = _both(x[:1], 3, 1, w[:1])
    _, (theirs, theirs_grad) = _both(x[:1], 3, 1, w[:1])
    np.testing.assert_array_equal(ours, theirs)  # 0 / eps
    np.testing.assert_array_equal(ours_grad, theirs_grad)  # 1 / eps, the norm's gradient 0 below eps
    t = Tensor(x[1:], requires_grad=True)  # eps 0: the tiny row is not held at eps
    y = nn.functional.normalize(t, p=3, dim=1, eps=0.0)
    (y * Tensor(w[1:])).sum().backward()
    scale = np.array([[1e-200], [1e200]])  # the same rows scaled into the middle of the range: the same answer
    u = Tensor(x[1:] * scale, requires_grad=True)
    z = nn.functional.normalize(u, p=3, dim=1, eps=0.0)
    (z * Tensor(w[1:])).sum().backward()
    np.testing.assert_allclose(y.data, z.data, rtol=1e-14)
    np.testing.assert_allclose(t.grad * np.array([[1e200], [1e-200]]), u.grad, rtol=1e-13)
    assert np.isfinite(y.data).all() and np.isfinite(t.grad).all()
