"""The p < 1 norms' second derivatives take plain floats on rows whose steps stay inside the range and
mantissa_exponent's steps only on the others: every row took those (cdist's grad of grad 2x the time in float64,
3.3x in float32), and a row past the range beside ordinary ones gives what it gives alone."""

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor, mantissa_exponent


def _hvp(a, b, v, p):
    x = Tensor(a, requires_grad=True)
    (g,) = autograd.gradients(F.cdist(x, Tensor(b), p).sum(), [x], create_graph=True)
    (g * Tensor(v)).sum().backward()
    return x.grad


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ordinary_rows_take_no_mantissa_steps(dtype, monkeypatch):
    rng = np.random.default_rng(0)
    a, b, v = (rng.standard_normal((6, 4)).astype(dtype) for _ in range(3))
    calls = []
    steps = mantissa_exponent.normalized
    monkeypatch.setattr(mantissa_exponent, "normalized", lambda m, e: calls.append(1) or steps(m, e))
    _hvp(a, b, v, 0.5)
    assert not calls


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_rows_past_the_range_beside_ordinary_ones_give_what_they_give_alone(p):
    """pairwise_distance's Hessian-vector products of a batch mixing rows of 1e308 (N past the range), 1e-310 (N
    subnormal, under a weight of 1e-10), an ordinary row under a weight of 1e-300 and one under 1: each row's what
    it is alone, bit for bit."""
    rows = np.array([[1e308, 1e308, 1e308], [1.0, -2.0, 3.0], [1e-310, 2e-310, 0.0], [0.5, 0.25, 4.0]])
    weights = np.array([1.0, 1.0, 1e-10, 1e-300])
    direction = np.array([[0.5, 1.0, 1.5], [1.0, 0.0, -1.0], [2.0, 1.0, 1.0], [1.0, 1.0, 1.0]])

    def hvp(at):
        x = Tensor(rows[at], requires_grad=True)
        loss = (F.pairwise_distance(x, Tensor(np.zeros_like(rows[at])), p, eps=0.0) * Tensor(weights[at])).sum()
        (g,) = autograd.gradients(loss, [x], create_graph=True)
        (g * Tensor(direction[at])).sum().backward()
        return x.grad

    together = hvp(slice(None))
    for i in range(len(rows)):
        np.testing.assert_array_equal(together[i], hvp(slice(i, i + 1))[0])
    assert np.isfinite(together).all() and (together[0] != 0).any()
