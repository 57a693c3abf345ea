"""chainrule's reductions (sum, mean, max, min, logsumexp) and softmax family against PyTorch:
forward, gradient and second derivative, float64 and float32, over drawn shapes, axes (None, an
int, a negative int, a tuple) and keepdims. Ties in max and min are drawn often (values repeat),
and both share the gradient evenly, as torch.amax/amin. Comparison: tests/torch_reference.py."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import DTYPES, EXAMPLES, check, torch  # without torch: skipped

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
