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
    "half()": (lambda t: t.half().double() * t, lambda t: t.half().double() * t),
    "expand_as": (lambda t: t[:1].expand_as(t) * t, lambda t: t[:1].expand_as(t) * t),
    "flip(dims=)": (lambda t: t.flip(dims=(0, 1)) * t, lambda t: t.flip(dims=(0, 1)) * t),
    "flip(dims=[])": (lambda t: t.flip(dims=[]) * t, lambda t: t.flip(dims=[]) * t),
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


@pytest.mark.parametrize("name", ["long", "int", "bool"])
def test_integer_and_bool_casts_are_torch_s_and_constants(name):
    t = Tensor(np.array(X) * 2, requires_grad=True)
    ours, theirs = getattr(t, name)(), getattr(torch.tensor(X) * 2, name)()
    assert ours.tolist() == theirs.tolist() and str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert not ours.requires_grad


def test_flip_takes_dims_one_way():
    with pytest.raises(TypeError, match="dims both by position and as dims="):
        Tensor(np.array(X)).flip(0, dims=1)
