"""Warnings numpy raised inside the library on the way to a right result (a warning is right only where the
result overflows or is undefined): lp_pool over a window of zeros (0 and gradient 0, PyTorch's) warned four
times; a mean over an empty axis (NaN, undefined, PyTorch's) warned four times for one NaN, and its backward
"divide by zero" for an empty gradient."""

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("p", [1, 2, 3, 2.5])
@pytest.mark.parametrize("dims", [1, 2])
def test_lp_pool_over_zeros_is_0_with_gradient_0_and_quiet(p, dims):
    data = np.array([[[0.0, 0.0, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0]]])
    if dims == 2:
        data = data.reshape(1, 1, 2, 4)
    ours, theirs = (
        (F.lp_pool1d, torch.nn.functional.lp_pool1d) if dims == 1 else (F.lp_pool2d, torch.nn.functional.lp_pool2d)
    )
    x, t = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ours(x, p, 2)
        y.sum().backward()
    theirs(t, p, 2).sum().backward()
    np.testing.assert_allclose(y.data, theirs(t, p, 2).detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-15)
    assert (y.data == 0).any() and (x.grad == 0).any()


@pytest.mark.parametrize("shape, axis", [((2, 0), 1), ((0,), None), ((3, 0, 2), 1)])
def test_a_mean_of_nothing_is_nan_with_one_warning_and_an_empty_gradient(shape, axis):
    x = Tensor(np.zeros(shape), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = x.mean(axis=axis)
        y.sum().backward()
    assert [str(w.message) for w in caught] == ["Mean of empty slice"]
    assert np.isnan(y.data).all() and y.data.shape == torch.zeros(shape).mean(axis if axis is not None else ()).shape
    assert x.grad.shape == shape
