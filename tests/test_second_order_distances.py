"""pairwise_distance of p other than 1, 2 and inf (its m·‖d/m‖_p, nn/p_norm_rows.py) where x1 - x2 has zeros: a zero
row, and a 0 entry under p < 1, whose slopes are infinite in the formula's pieces; its gradient and second derivative
elsewhere against torch 2.13's, float64."""

import numpy as np
import pytest
from torch_reference import F as TF  # without torch: skipped
from torch_reference import torch

import autograd
import nn
from autograd import Tensor

F = nn.functional


@pytest.mark.parametrize("p", [0.5, 1.5, 3.0, 7.0])
def test_a_zero_difference_sends_no_nan(p):
    """eps=0: x1 = x2 (distance 0) gave a NaN gradient (0 · inf through the p-th root), and a 0 entry beside others
    gave NaN for p < 1 (0 · |0|^(p-1)); PyTorch's is 0 in both, as the norm op's is for p 1, 2 and inf. The distance
    and the gradient of the other entries stay as they were."""
    x1 = Tensor(np.array([[1.0, 2.0, 3.0], [0.3, 0.1, 0.5]]), requires_grad=True)
    d = F.pairwise_distance(x1, np.array([[1.0, 2.0, 3.0], [0.3, 0.2, 0.5]]), p=p, eps=0.0)
    d.sum().backward()
    np.testing.assert_allclose(d.data, [0.0, 0.1], rtol=1e-15)
    np.testing.assert_allclose(x1.grad, [[0.0, 0.0, 0.0], [0.0, -1.0, 0.0]], rtol=1e-15, atol=0)


@pytest.mark.parametrize("p", [0.5, 1.5, 3.0])
def test_second_derivatives_beside_a_zero_row_are_torch_s(p):
    """A zero row beside rows without zeros: the penalty ‖∂ sum(w · d)/∂x1‖², differentiated again, is torch's in
    the other rows and 0 in the zero row (where torch's is NaN for p < 2: |0|^(p-2))."""
    rng = np.random.default_rng(0)
    a, w = rng.standard_normal((3, 4)), rng.standard_normal(3)
    b = a + rng.standard_normal((3, 4))
    b[1] = a[1]
    x = Tensor(a, requires_grad=True)
    (g,) = autograd.gradients((F.pairwise_distance(x, b, p=p, eps=0.0) * w).sum(), [x], create_graph=True)
    (h,) = autograd.gradients((g**2).sum(), [x])
    t = torch.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad(
        (TF.pairwise_distance(t, torch.tensor(b), p=p, eps=0.0) * torch.tensor(w)).sum(), t, create_graph=True
    )
    (th,) = torch.autograd.grad((tg**2).sum(), t)
    rows = [0, 2]
    np.testing.assert_allclose(np.asarray(autograd.raw(g))[rows], tg.detach().numpy()[rows], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(autograd.raw(h))[rows], th.numpy()[rows], rtol=1e-10)
    assert (np.asarray(autograd.raw(g))[1] == 0).all() and (np.asarray(autograd.raw(h))[1] == 0).all()
