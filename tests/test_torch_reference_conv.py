"""Convolution and pooling against torch.nn.functional: forward, gradient and second derivative,
float64 and float32, at drawn shapes, strides, paddings, dilations and groups; max pooling at
drawn ties (integer values), where PyTorch gives each window's gradient to its first maximum."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import DTYPES, EXAMPLES, F, check, torch  # without torch: skipped

import autograd
from autograd.conv import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    max_pool1d,
    max_pool2d,
)
from autograd.conv_columns import correlation_padding


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


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=conv_cases(transposed=True))
def test_conv_transpose1d(case, dtype):
    x, w, b, kw = case
    kw = {name: value[1] if isinstance(value, tuple) else value for name, value in kw.items()}
    x, w = x[:, :, 0], w[:, :, 0]  # the width axis of a 2-d case
    check(
        lambda x, w, b: conv_transpose1d(x, w, b, **kw),
        lambda x, w, b: F.conv_transpose1d(x, w, b, **kw),
        [x, w, b],
        dtype,
    )


@st.composite
def adjoint_as_correlation_cases(draw):
    """A conv2d of stride 1 whose input gradient (and a conv_transpose2d of stride 1) is computed as a
    correlation of g with the flipped kernel (conv_columns.correlation_padding): no more output
    channels than input channels, and a padding within the dilated kernel's reach that keeps the output
    no smaller than the input."""
    x, w, b, kw = draw(conv_cases())
    groups, (cout, cin_g, kh, kw_) = kw["groups"], w.shape
    keep = min(cout, cin_g * groups) // groups  # output channels a group keeps: no more than its inputs
    w = w.reshape(groups, cout // groups, cin_g, kh, kw_)[:, :keep].reshape(groups * keep, cin_g, kh, kw_)
    b = b.reshape(groups, -1)[:, :keep].ravel()
    # between half the dilated kernel's reach and all of it: an output no smaller than the input
    padding = tuple(d * (k - 1) - min(p, d * (k - 1) // 2) for p, d, k in zip(kw["padding"], kw["dilation"], (kh, kw_)))
    return x, w, b, {**kw, "stride": 1, "padding": padding}


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=adjoint_as_correlation_cases())
def test_conv2d_input_gradient_as_a_correlation(case, dtype):
    x, w, b, kw = case
    pad = tuple((p, p) for p in kw["padding"])
    out = [n + 2 * p - d * (k - 1) for n, p, d, k in zip(x.shape[2:], kw["padding"], kw["dilation"], w.shape[2:])]
    g = np.zeros((1, w.shape[0], *out))
    assert correlation_padding(g, w, (1, 1), pad, kw["dilation"], kw["groups"], x.shape[2:]) is not None
    check(lambda x, w, b: conv2d(x, w, b, **kw), lambda x, w, b: F.conv2d(x, w, b, **kw), [x, w, b], dtype)


@st.composite
def pool_cases(draw, ties=True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))  # past the kernel too
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = [k + draw(st.integers(0, 3)) for k in kernel]
    x = _values(draw, (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *size), ties=ties)
    return x, {"kernel_size": kernel, "stride": stride, "padding": padding}


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=pool_cases(), dilation=st.integers(1, 2), ceil_mode=st.booleans())
def test_max_pool2d_with_ties(case, dilation, ceil_mode, dtype):
    x, kw = case
    kw = {**kw, "dilation": dilation, "ceil_mode": ceil_mode}
    if any(dilation * (k - 1) + 1 > n + 2 * p for k, n, p in zip(kw["kernel_size"], x.shape[2:], kw["padding"])):
        kw["dilation"] = 1
    check(lambda x: max_pool2d(x, **kw), lambda x: F.max_pool2d(x, **kw), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(
    case=pool_cases(ties=False),
    ceil_mode=st.booleans(),
    count_include_pad=st.booleans(),
    divisor_override=st.sampled_from([None, 1, 3, -2]),
)
def test_avg_pool2d(case, ceil_mode, count_include_pad, divisor_override, dtype):
    """ceil_mode's last window (its rows past the padding never counted), the count with and without
    the padding, and a divisor of the caller's."""
    x, kw = case
    kw = {**kw, "ceil_mode": ceil_mode, "count_include_pad": count_include_pad, "divisor_override": divisor_override}
    check(lambda x: avg_pool2d(x, **kw), lambda x: F.avg_pool2d(x, **kw), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(case=pool_cases(), dilation=st.integers(1, 2), ceil_mode=st.booleans(), count_include_pad=st.booleans())
def test_pool1d(case, dilation, ceil_mode, count_include_pad, dtype):
    """max_pool1d and avg_pool1d: the width axis of a 2-d case (ties in the maximum)."""
    x, kw = case
    kw = {name: value[1] if isinstance(value, tuple) else value for name, value in kw.items()}
    x = x[:, :, 0]
    if dilation * (kw["kernel_size"] - 1) + 1 <= x.shape[2] + 2 * kw["padding"]:
        most = {**kw, "dilation": dilation, "ceil_mode": ceil_mode}
        check(lambda x: max_pool1d(x, **most), lambda x: F.max_pool1d(x, **most), [x], dtype)
    mean = {**kw, "ceil_mode": ceil_mode, "count_include_pad": count_include_pad}
    check(lambda x: avg_pool1d(x, **mean), lambda x: F.avg_pool1d(x, **mean), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [1, 2, 3, 4, 6, (5,), 9])
def test_adaptive_avg_pool1d(size, dtype):
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 6))
    check(lambda x: adaptive_avg_pool1d(x, size), lambda x: F.adaptive_avg_pool1d(x, size), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "size", [1, (1, 1), (2, 3), (4, 1), (3, 4), (3, 5), (5, 9), (None, 3), (3, None), [None, 4], (None, None)]
)
def test_adaptive_avg_pool2d(size, dtype):
    """Sizes that divide the input's (4, 6), and sizes that do not: windows of unequal length that
    overlap, and more outputs than inputs; None keeps the input's size along its axis."""
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 4, 6))
    check(lambda x: adaptive_avg_pool2d(x, size), lambda x: F.adaptive_avg_pool2d(x, size), [x], dtype)


MAX_POOLS = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 1, "padding": 1},  # overlapping windows: a maximum of several
    {"kernel_size": (2, 3), "stride": (1, 2), "dilation": (2, 1), "ceil_mode": True},
]


@pytest.mark.parametrize("kw", MAX_POOLS)
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool2d_double_backward_of_a_constant_upstream_gradient_as_torch(kw, ties):
    """Max pooling's gradient of a constant upstream gradient differentiated again, float64, as
    torch.autograd.grad with create_graph=True: in the input zero (the routing is constant: hvp and
    hessian give the zeros; `gradients` of that constant names it), in the upstream gradient v gathered
    at each window's first maximum."""
    rng = np.random.default_rng(3)
    x = rng.integers(-1, 2, (2, 2, 5, 6)).astype(float) if ties else rng.uniform(-1, 1, (2, 2, 5, 6))
    v = rng.uniform(-1, 1, x.shape)
    u = rng.uniform(-1, 1, max_pool2d(x, **kw).shape)

    xt, ut = torch.tensor(x, requires_grad=True), torch.tensor(u, requires_grad=True)
    (g,) = torch.autograd.grad(F.max_pool2d(xt, **kw), xt, ut, create_graph=True)
    in_x, in_u = torch.autograd.grad((g * torch.from_numpy(v)).sum(), [xt, ut], allow_unused=True)
    in_x = np.zeros_like(x) if in_x is None else in_x.numpy()

    np.testing.assert_array_equal(autograd.hvp(lambda t: max_pool2d(t, **kw).sum(), x, v), in_x)
    np.testing.assert_array_equal(autograd.hessian(lambda t: max_pool2d(t, **kw).sum())(x), 0.0)
    t = autograd.Tensor(x, requires_grad=True)
    (constant,) = autograd.gradients(max_pool2d(t, **kw).sum(), [t], create_graph=True)
    with pytest.raises(RuntimeError, match="does not depend on the inputs .* its derivative is 0"):
        autograd.gradients((constant * v).sum(), [t])  # recorded as a constant: the error says so
    routed = autograd.grad(lambda w: (autograd.vjp(lambda t: max_pool2d(t, **kw), x)[1](w)[0] * v).sum())(u)
    np.testing.assert_allclose(routed, in_u.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "shape, widths",
    [
        ((2, 3, 5), (2, 1)),
        ((1, 2, 4, 5), (1, 3, 2, 0)),
        ((1, 1, 3, 3), (2, 2, 2, 2)),
        ((2, 1, 2, 3, 4), (1, 1, 0, 2, 1, 1)),
    ],
)
def test_pad_modes(shape, widths, mode, dtype):
    """pad's modes besides 'constant' (Conv1d's and Conv2d's padding_mode): up to the bounds PyTorch
    allows (a reflection n - 1, a circle n); each copy's gradient adds back to its entry."""
    x = np.random.default_rng(0).uniform(-1, 1, shape)
    check(lambda x: autograd.pad(x, widths, mode), lambda x: F.pad(x, widths, mode), [x], dtype)
