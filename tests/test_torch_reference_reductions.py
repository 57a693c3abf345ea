"""chainrule's reductions (sum, mean, max, min, logsumexp) and softmax family against PyTorch:
forward, gradient and second derivative, float64 and float32, over drawn shapes, axes (None, an
int, a negative int, a tuple) and keepdims. Ties in max and min are drawn often (values repeat),
and both share the gradient evenly, as torch.amax/amin. Then cumsum and cumprod of float32 and float16 along a
long axis and past float32's range, and the softmax family along a long axis that is not the last: summed in
float64 and rounded once. Comparison: tests/torch_reference.py."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import DTYPES, EXAMPLES, check, torch, weights  # without torch: skipped

from autograd import Tensor
from autograd.testing import arrays, shapes

# name: (chainrule method, torch function taking dim and keepdim)
REDUCTIONS = {
    "sum": ("sum", torch.sum),
    "mean": ("mean", torch.mean),
    "max": ("max", torch.amax),
    "min": ("min", torch.amin),
    "logsumexp": ("logsumexp", torch.logsumexp),
}


@st.composite
def shape_and_axis(draw):
    shape = draw(shapes(0, 3, 4))
    n = len(shape)
    if n == 0:
        return shape, None  # a 0-d tensor with an axis: tests/test_torch_reference_edges.py
    single = st.integers(-n, n - 1)
    several = st.lists(single, min_size=1, max_size=n, unique_by=lambda a: a % n).map(tuple)
    return shape, draw(st.one_of(st.none(), single, several))


def torch_reduction(fn, axis, keepdims):
    def reduce(x):
        if axis is not None:
            return fn(x, dim=axis, keepdim=keepdims)
        out = fn(x.reshape(-1), dim=0)  # over everything
        return out.reshape((1,) * x.dim()) if keepdims else out

    return reduce


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", REDUCTIONS)
@EXAMPLES
@given(data=st.data(), shape_axis=shape_and_axis(), keepdims=st.booleans())
def test_reduction(name, dtype, data, shape_axis, keepdims):
    shape, axis = shape_axis
    method, torch_fn = REDUCTIONS[name]
    x = data.draw(arrays(shape), label="x")
    check(
        lambda t: getattr(t, method)(axis=axis, keepdims=keepdims),
        torch_reduction(torch_fn, axis, keepdims),
        [x],
        dtype,
    )


@st.composite
def shape_and_one_axis(draw):
    shape = draw(shapes(1, 3, 4))
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@EXAMPLES
@given(data=st.data(), shape_axis=shape_and_one_axis())
def test_softmax_family(name, dtype, data, shape_axis):
    shape, axis = shape_axis
    x = data.draw(arrays(shape, -5.0, 5.0), label="x")
    torch_fn = {"softmax": torch.softmax, "log_softmax": torch.log_softmax}[name]
    check(lambda t: getattr(t, name)(axis=axis), lambda t: torch_fn(t, dim=axis), [x], dtype)


RUNNING = np.random.default_rng(3).uniform(0.995, 1.005, 100_000)  # near 1: the running product stays normal too


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_running_sum_and_product_along_a_long_axis_are_torch_s(name, dtype):
    """PyTorch runs them in double and rounds each entry once; numpy in the dtype, so chainrule's float32
    running sum of 1e5 numbers was 5e-6 off (90 roundings) and its gradient's too. The forward within a rounding
    of torch's; the gradient, a running sum of terms of either sign (the weights'), normwise: each entry within a
    rounding of the largest, the scale its rounding is bounded by (float16's products are rounded before they
    are summed, where torch's are float32)."""
    x = RUNNING[:2000].astype(dtype) if dtype == np.float16 else RUNNING.astype(dtype)  # float16: a sum it holds
    w = weights(x.shape, dtype, 0)
    ours = Tensor(x, requires_grad=True, dtype=dtype)
    out = getattr(ours, name)(axis=0)
    out.backward(w)
    theirs = torch.tensor(x, requires_grad=True)
    expected = getattr(theirs, name)(dim=0)
    expected.backward(torch.tensor(w))
    rounding = {"rtol": 2 * np.finfo(dtype).eps, "atol": 0}
    assert out.dtype == ours.grad.dtype == dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **rounding)
    expected_grad = theirs.grad.numpy()
    np.testing.assert_allclose(ours.grad, expected_grad, rtol=0, atol=rounding["rtol"] * np.abs(expected_grad).max())


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", ["logsumexp", "softmax", "log_softmax"])
def test_softmax_family_along_a_long_axis_that_is_not_the_last(name, dtype):
    """Their exps are summed in float64 and rounded once there: numpy adds along an axis that is not the last
    row by row in the dtype, which put a float32 logsumexp over 1e5 rows 47 units in the last place off
    (PyTorch's within one) and a float16 softmax over 3000 rows 78 (PyTorch's, in float32, within one).
    Against the truth, normwise: each entry within two roundings of the largest (a softmax entry carries exp's
    rounding of its shifted logit, PyTorch's too; PyTorch's float32 softmax here is 67 roundings off)."""
    rows = 3000 if dtype == np.float16 else 100_000
    x = (np.random.default_rng(4).standard_normal((rows, 3)) * 5).astype(dtype)
    out = getattr(Tensor(x, dtype=dtype), name)(axis=0)
    truth = getattr(torch.tensor(x.astype(np.float64)), name)(0).numpy()
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, truth, rtol=0, atol=2 * np.finfo(dtype).eps * np.abs(truth).max())


@pytest.mark.parametrize(
    "name, x, last",
    [("cumsum", [1e30, 1e30, 3e38, -3e38], 2e30), ("cumprod", [1e20, 1.0, -1e20, 1e-20], -1e20)],
    ids=["cumsum", "cumprod"],
)
def test_running_sum_and_product_leaving_float32_s_range_on_the_way_are_torch_s(name, x, last):
    """A float32 running sum that loses 2e30 into 3e38 and back (0 in float32) and a running product that
    overflows before it comes back (-inf in float32) end where float64 does, as PyTorch's."""
    data = np.array(x, np.float32)
    with np.errstate(over="ignore"):  # the product's third entry is -inf, meant
        out = getattr(Tensor(data), name)(axis=0)
    expected = getattr(torch.tensor(data), name)(dim=0).numpy()
    np.testing.assert_array_equal(out.data, expected)
    assert out.data[-1] == np.float32(last)
