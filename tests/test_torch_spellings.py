"""PyTorch's names for Tensor's numpy-named operations (autograd/tensor_torch.py, autograd.cat)
against PyTorch's own: forward, gradient and second derivative, float64 and float32."""

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
from autograd import Tensor

X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
CASES = {
    "clamp(min=)": (lambda t: t.clamp(min=0.0), lambda t: t.clamp(min=0.0)),
    "clamp(a, b)": (lambda t: t.clamp(-0.8, 1.0), lambda t: t.clamp(-0.8, 1.0)),
    "pow": (lambda t: t.pow(3), lambda t: t.pow(3)),
    "matmul": (lambda t: t.matmul(t.T), lambda t: t.matmul(t.T)),
    "clone": (lambda t: t.clone() * t, lambda t: t.clone() * t),
    "cat": (lambda t: autograd.cat([t, t * 2], dim=1), lambda t: torch.cat([t, t * 2], dim=1)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_each_spelling_is_torch_s(name, dtype):
    ours, theirs = CASES[name]
    check(ours, theirs, [X], dtype)


def test_the_plain_ones():
    t = Tensor(np.array(X), requires_grad=True)
    reference = torch.tensor(X)
    assert (t.dim(), t.numel(), t.tolist()) == (reference.dim(), reference.numel(), reference.tolist())
    assert (t.float().dtype, t.double().dtype) == (np.float32, np.float64)
    t.float().sum().backward()
    assert t.grad.dtype == np.float64 and t.grad.tolist() == [[1.0] * 3] * 2
