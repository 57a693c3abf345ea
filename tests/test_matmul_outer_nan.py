"""A matrix product's gradient through numpy's np.dot where one factor is a single number (a layer of one output at
a batch of one: x.T (k, 1) @ g (1, 1), g (1, 1) @ W.T (1, k)): np.dot took OpenBLAS's scal there, which sets every
entry to 0 when the number is 0, so inf * 0 and NaN * 0 came out 0 where IEEE (and PyTorch) give NaN: a NaN gradient
the optimizer would refuse passed as 0, silently. Eager's rule and a compiled step's kernel alike."""

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor


def _grads(x, W, g, compiled):
    xt, Wt = Tensor(x.copy(), requires_grad=True), Tensor(W.copy(), requires_grad=True)

    def step(xt, Wt):
        (xt @ Wt).backward(g)
        return xt.grad, Wt.grad

    if not compiled:
        return step(xt, Wt)
    run = autograd.compile(lambda: (xt @ Wt).backward(g))
    for _ in range(3):  # recorded twice, then replayed
        xt.grad = Wt.grad = None
        run()
    return xt.grad, Wt.grad


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shapes", [((1, 3), (3, 1)), ((1, 1), (1, 4)), ((5, 1), (1, 1)), ((1, 1), (1, 1))])
def test_a_zero_times_inf_or_nan_through_one_number_is_nan(compiled, dtype, shapes):
    (m, k), (_, n) = shapes
    x = np.arange(1, m * k + 1, dtype=dtype).reshape(m, k)
    W = np.arange(1, k * n + 1, dtype=dtype).reshape(k, n)
    x.flat[0], W.flat[-1] = np.inf, np.nan
    g = np.zeros((m, n), dtype)
    gx, gW = _grads(x, W, g, compiled)
    tx, tW = torch.tensor(x, requires_grad=True), torch.tensor(W, requires_grad=True)
    (tx @ tW).backward(torch.tensor(g))
    np.testing.assert_array_equal(gx, tx.grad.numpy())  # NaN where NaN, 0 where 0
    np.testing.assert_array_equal(gW, tW.grad.numpy())
