"""max and min of a Tensor where NaNs are among the entries, against PyTorch 2.13, float64 and float32. chainrule's
max()/min() over all entries or over axis= are PyTorch's amax and amin: every entry of a slice holding a NaN gets
NaN (which entry NaN beats is unknown: the NaN policy, docs/edge-points.md), ties share; max(dim=) and min(dim=)
send the gradient to the index they return, the first NaN, as PyTorch's. PyTorch's own max() over all entries
differs on purpose: it splits the gradient between the NaNs ([0, 0.5, 0, 0.5] for [1, nan, 3, nan])."""

import numpy as np
import pytest

from autograd import Tensor

torch = pytest.importorskip("torch")
NAN = float("nan")
CASES = [[1.0, NAN, 3.0, NAN], [NAN, 2.0], [3.0, NAN, 3.0], [[1.0, NAN], [2.0, 5.0]], [[3.0, 3.0], [1.0, 3.0]]]
DTYPES = [(np.float64, torch.float64), (np.float32, torch.float32)]


def _torch_grad(values, dtype, reduce):
    x = torch.tensor(values, dtype=dtype, requires_grad=True)
    reduce(x).sum().backward()
    return x.grad.numpy()


def _grad(values, dtype, reduce):
    t = Tensor(np.array(values, dtype), requires_grad=True)
    reduce(t).sum().backward()
    return np.asarray(t.grad)


@pytest.mark.parametrize("values", CASES)
@pytest.mark.parametrize(("dtype", "torch_dtype"), DTYPES)
@pytest.mark.parametrize("name", ["max", "min"])
def test_every_entry_and_axis_is_torch_amax_amin(values, dtype, torch_dtype, name):
    every = tuple(range(np.ndim(values)))
    expected = _torch_grad(values, torch_dtype, lambda x: getattr(torch, "a" + name)(x, dim=every))
    got = _grad(values, dtype, lambda t: getattr(t, name)())
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == dtype
    expected = _torch_grad(values, torch_dtype, lambda x: getattr(torch, "a" + name)(x, dim=0))
    np.testing.assert_array_equal(_grad(values, dtype, lambda t: getattr(t, name)(axis=0)), expected)


@pytest.mark.parametrize("values", CASES)
@pytest.mark.parametrize(("dtype", "torch_dtype"), DTYPES)
@pytest.mark.parametrize("name", ["max", "min"])
def test_dim_sends_the_gradient_to_the_index_as_torch(values, dtype, torch_dtype, name):
    expected = _torch_grad(values, torch_dtype, lambda x: getattr(x, name)(dim=0).values)
    np.testing.assert_array_equal(_grad(values, dtype, lambda t: getattr(t, name)(dim=0).values), expected)


def test_torch_max_of_every_entry_splits_between_the_nans_where_chainrule_sends_nan():
    values = [1.0, NAN, 3.0, NAN]
    np.testing.assert_array_equal(_torch_grad(values, torch.float64, lambda x: x.max()), [0.0, 0.5, 0.0, 0.5])
    assert np.isnan(_grad(values, np.float64, lambda t: t.max())).all()


@pytest.mark.parametrize(("dtype", "torch_dtype"), DTYPES)
def test_torch_inf_norm_gives_every_entry_0_where_chainrule_sends_nan(dtype, torch_dtype):
    """docs/edge-points.md cites this file for it: PyTorch 2.13's inf-norm of a vector holding a NaN gives every
    entry 0 (its max of |x| routes nothing to the NaN), chainrule's NaN, as its max."""
    values = [1.0, NAN, -3.0, NAN]
    expected = _torch_grad(values, torch_dtype, lambda x: torch.linalg.vector_norm(x, float("inf")))
    np.testing.assert_array_equal(expected, np.zeros(4))
    assert np.isnan(_grad(values, dtype, lambda t: t.norm(ord=np.inf))).all()
