"""Convolution and pooling against torch.nn.functional: forward, gradient and second derivative,
float64 and float32, at drawn shapes, strides, paddings, dilations and groups; max pooling at
drawn ties (integer values), where PyTorch gives each window's gradient to its first maximum."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import DTYPES, EXAMPLES, F, check  # without torch: skipped

from autograd.conv import adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d, conv_transpose2d, max_pool2d


def _values(draw, shape, ties=False):
    """Values in [-1, 1] (few terms per output, so float32 stays within its tolerance); with
    `ties`, integers from {-1, 0, 1}: windows with several maxima."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.integers(-1, 2, shape).astype(float) if ties else rng.uniform(-1, 1, shape)


@st.composite
def conv_cases(draw, transposed=False):
    """(x, weight, bias, keyword arguments) that fit each other."""
    groups = draw(st.sampled_from([1, 2]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    size = [d * (k - 1) + 1 + draw(st.integers(0, 3)) for d, k in zip(dilation, kernel)]  # fits unpadded
    x = _values(draw, (draw(st.integers(1, 2)), cin, *size))
    kw = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    if transposed:
        kw["output_padding"] = tuple(draw(st.integers(0, s - 1)) for s in stride)
        kw["padding"] = tuple(
            min(p, (n - 1) * s + d * (k - 1)) // 2 for p, n, s, d, k in zip(padding, size, stride, dilation, kernel)
        )
        return x, _values(draw, (cin, cout // groups, *kernel)), _values(draw, (cout,)), kw
    return x, _values(draw, (cout, cin // groups, *kernel)), _values(draw, (cout,)), kw


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=conv_cases())
def test_conv2d(case, dtype):
    x, w, b, kw = case
    check(lambda x, w, b: conv2d(x, w, b, **kw), lambda x, w, b: F.conv2d(x, w, b, **kw), [x, w, b], dtype)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")  # torch's own copy: its concern
@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=conv_cases(), same=st.booleans())
def test_conv2d_same_and_valid(case, same, dtype):
    x, w, b, kw = case
    kw = {**kw, "stride": 1, "padding": "same" if same else "valid"}
    check(lambda x, w, b: conv2d(x, w, b, **kw), lambda x, w, b: F.conv2d(x, w, b, **kw), [x, w, b], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=conv_cases())
def test_conv1d(case, dtype):
    x, w, b, kw = case
    kw = {name: value[1] if isinstance(value, tuple) else value for name, value in kw.items()}
    x, w = x[:, :, 0], w[:, :, 0]  # the width axis of a 2-d case
    check(lambda x, w, b: conv1d(x, w, b, **kw), lambda x, w, b: F.conv1d(x, w, b, **kw), [x, w, b], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=conv_cases(transposed=True))
def test_conv_transpose2d(case, dtype):
    x, w, b, kw = case
    check(
        lambda x, w, b: conv_transpose2d(x, w, b, **kw),
        lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
        [x, w, b],
        dtype,
    )


@st.composite
def pool_cases(draw, ties=True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = [k + draw(st.integers(0, 3)) for k in kernel]
    x = _values(draw, (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *size), ties=ties)
    return x, {"kernel_size": kernel, "stride": stride, "padding": padding}


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=pool_cases(), dilation=st.integers(1, 2))
def test_max_pool2d_with_ties(case, dilation, dtype):
    x, kw = case
    kw = {**kw, "kernel_size": kw["kernel_size"], "dilation": dilation}
    if any(dilation * (k - 1) + 1 > n + 2 * p for k, n, p in zip(kw["kernel_size"], x.shape[2:], kw["padding"])):
        kw["dilation"] = 1
    check(lambda x: max_pool2d(x, **kw), lambda x: F.max_pool2d(x, **kw), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=pool_cases(ties=False))
def test_avg_pool2d(case, dtype):
    x, kw = case
    check(lambda x: avg_pool2d(x, **kw), lambda x: F.avg_pool2d(x, **kw), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [1, (1, 1), (2, 3), (4, 1), (3, 4), (3, 5), (5, 9)])
def test_adaptive_avg_pool2d(size, dtype):
    """Sizes that divide the input's (4, 6), and sizes that do not: windows of unequal length that
    overlap, and more outputs than inputs."""
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 4, 6))
    check(lambda x: adaptive_avg_pool2d(x, size), lambda x: F.adaptive_avg_pool2d(x, size), [x], dtype)
