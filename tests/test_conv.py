"""Convolution and pooling against finite differences in float64 (first and second derivatives),
over strides, paddings, dilations and groups; PyTorch's choices at ties; and the errors of bad input."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, grad, gradcheck, gradients, tensor_ops, topological_order
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
from autograd.tensor_ops import ShapeError


def _draw(shape, seed, distinct=False):
    """Values in [-1, 1]; `distinct`: a permutation of evenly spaced values, so no window ties."""
    rng = np.random.default_rng(seed)
    if distinct:
        return (rng.permutation(int(np.prod(shape))) / np.prod(shape) * 2 - 1).reshape(shape)
    return rng.uniform(-1, 1, shape)


def _check_twice(f, inputs):
    """gradcheck of sum(f(...)² · w) (w fixed weights: a permuted gradient shows) and of its gradient."""
    out_shape = f(*inputs).shape
    w = _draw(out_shape, 99)
    loss = lambda *xs: (f(*xs) ** 2 * w).sum()  # noqa: E731 (squared: the second derivative is not zero)
    assert gradcheck(loss, inputs)
    first = grad(loss, argnums=tuple(range(len(inputs))))
    vs = [_draw(np.shape(x), 7 + i) for i, x in enumerate(inputs)]
    assert gradcheck(lambda *xs: sum((g * v).sum() for g, v in zip(first(*xs), vs)), inputs)


CONV2D = {  # x shape, weight shape, keyword arguments
    "plain": ((2, 3, 5, 4), (4, 3, 2, 3), {}),
    "stride, padding, groups": ((1, 4, 6, 5), (6, 2, 3, 2), {"stride": 2, "padding": 1, "groups": 2}),
    "pairs, dilation": ((2, 2, 7, 6), (3, 2, 3, 3), {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1)}),
    "same, even kernel (asymmetric)": ((1, 2, 5, 5), (2, 2, 2, 2), {"padding": "same", "dilation": 2}),
    "depthwise": ((1, 3, 4, 4), (3, 1, 3, 3), {"padding": "same", "groups": 3}),
    "valid, 1x1": ((2, 3, 2, 3), (2, 3, 1, 1), {"padding": "valid"}),
}


@pytest.mark.parametrize("case", CONV2D)
def test_conv2d_with_bias_first_and_second_derivatives(case):
    xs, ws, kw = CONV2D[case]
    inputs = [_draw(xs, 0), _draw(ws, 1), _draw(ws[:1], 2)]
    _check_twice(lambda x, w, b: conv2d(x, w, b, **kw), inputs)


CONV_TRANSPOSE2D = {
    "plain": ((2, 3, 3, 2), (3, 2, 2, 3), {}),
    "stride, padding, output padding": ((1, 2, 3, 3), (2, 3, 3, 2), {"stride": 2, "padding": 1, "output_padding": 1}),
    "groups, dilation": ((1, 4, 2, 3), (4, 1, 2, 2), {"stride": (1, 2), "groups": 2, "dilation": 2}),
}


@pytest.mark.parametrize("case", CONV_TRANSPOSE2D)
def test_conv_transpose2d_first_and_second_derivatives(case):
    xs, ws, kw = CONV_TRANSPOSE2D[case]
    groups = kw.get("groups", 1)
    inputs = [_draw(xs, 0), _draw(ws, 1), _draw((ws[1] * groups,), 2)]
    _check_twice(lambda x, w, b: conv_transpose2d(x, w, b, **kw), inputs)


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 2, "dilation": 2}, {"padding": "same", "groups": 2}])
def test_conv1d_first_and_second_derivatives(kw):
    inputs = [_draw((2, 4, 7), 0), _draw((2, 4 // kw.get("groups", 1), 3), 1), _draw((2,), 2)]
    _check_twice(lambda x, w, b: conv1d(x, w, b, **kw), inputs)


POOLS = {
    "max 2x2": lambda x: max_pool2d(x, 2),
    "max overlapping, padded": lambda x: max_pool2d(x, 3, stride=1, padding=1),
    "max dilated, strided": lambda x: max_pool2d(x, (2, 3), stride=(1, 2), dilation=(2, 1)),
    "avg 2x2": lambda x: avg_pool2d(x, 2),
    "avg overlapping, padded": lambda x: avg_pool2d(x, 3, stride=(2, 1), padding=1),
    "adaptive to 1": lambda x: adaptive_avg_pool2d(x, 1),
    "adaptive to (2, 3)": lambda x: adaptive_avg_pool2d(x, (2, 3)),
}


@pytest.mark.parametrize("case", POOLS)
def test_pooling_first_and_second_derivatives(case):
    # the windows' geometry (4 x 6) is the point; two planes of each of batch and channels (3 channels cost a
    # third more finite differences and checked nothing a pool does per plane)
    _check_twice(POOLS[case], [_draw((2, 2, 4, 6), 0, distinct=True)])


def test_max_pool2d_gives_a_tie_s_gradient_to_the_first_maximum_as_pytorch():
    x = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    assert x.grad[0, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]  # not shared, as max() shares it
    x = Tensor(np.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]]]), requires_grad=True)
    max_pool2d(x, 2, stride=1).sum().backward()  # four windows of ones (and zeros): each its first one
    assert x.grad[0, 0].tolist() == [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]


def test_the_ops_compute_on_arrays_and_record_on_tensors():
    x, w = _draw((1, 2, 4, 4), 0), _draw((3, 2, 3, 3), 1)
    plain = conv2d(x, w, padding=1)
    assert isinstance(plain, np.ndarray) and plain.shape == (1, 3, 4, 4)
    recorded = conv2d(Tensor(x), Tensor(w, requires_grad=True), padding=1)
    assert np.allclose(recorded.data, plain)
    assert tensor_ops.conv2d in {node.op for node in topological_order(recorded)}


def test_a_constant_input_gets_no_gradient_formed():
    w = Tensor(_draw((3, 2, 3, 3), 1), requires_grad=True)
    (gw,) = gradients((conv2d(Tensor(_draw((1, 2, 4, 4), 0)), w) ** 2).sum(), [w], create_graph=True)
    recorded = {node.op.name for node in topological_order(gw) if node.op is not None}
    assert "conv2d_weight" in recorded and "conv_transpose2d" not in recorded


X, W = np.zeros((1, 2, 5, 5)), np.zeros((1, 2, 3, 3))  # fit each other
BAD = [  # the call, the error, what its message says
    (lambda: conv2d(X[0, 0], W), ShapeError, r"\(batch, channels, height, width\), or one example's without"),
    (lambda: conv2d(np.zeros((1, 3, 5, 5)), W), ShapeError, "the input has 3 channels.*takes 2"),
    (lambda: conv2d(X[..., :2, :2], W), ShapeError, "kernel .* larger than the padded input"),
    (lambda: conv2d(X, W, dilation=3), ShapeError, "covering \\(7, 7\\)"),
    (lambda: conv2d(np.zeros((1, 4, 5, 5)), np.zeros((3, 2, 3, 3)), groups=2), ShapeError, "groups=2 must divide"),
    (lambda: conv2d(X, W, stride=2, padding="same"), ValueError, "needs stride 1"),
    (lambda: conv2d(X, W, padding="full"), ValueError, "'valid' or 'same'"),
    (lambda: conv2d(X, W, stride=0), ValueError, "stride must be at least 1"),
    (lambda: conv2d(X, W, stride=1.5), TypeError, "stride must be an int"),
    (lambda: conv2d(X, W, padding=(1, 2, 3)), TypeError, "a pair of ints"),
    (lambda: conv2d(X, W, np.zeros(3)), ShapeError, r"bias must have shape \(1,\)"),
    (lambda: conv1d(X, W[0]), ShapeError, r"\(batch, channels, length\)"),
    (lambda: conv1d(X[0], W[0], stride=(1, 2)), TypeError, "stride must be an int"),
    (lambda: conv_transpose2d(np.zeros((1, 3, 4, 4)), W), ShapeError, "has 3 channels.*takes 1"),
    (lambda: conv_transpose2d(X, np.zeros((2, 1, 3, 3)), output_padding=1), ValueError, "smaller than the stride"),
    (lambda: conv_transpose2d(X[..., :1, :1], np.zeros((2, 1, 1, 1)), padding=1), ShapeError, "use less padding"),
    (
        lambda: conv_transpose1d(X, W[0]),
        ShapeError,
        r"conv_transpose1d needs input of shape \(batch, channels, length\)",
    ),
    (
        lambda: conv_transpose1d(X[0], np.zeros((3, 1, 3))),
        ShapeError,
        r"has 5 channels, .* \(3, 1, 3\) takes 3: .*, \(in, out / groups, k\)$",
    ),
    (
        lambda: conv_transpose1d(X[:, :, 0], np.zeros((2, 1, 3)), stride=(1, 2)),
        TypeError,
        "conv_transpose1d: stride must be an int or",
    ),
    (  # the bounds on a transposed output name the function called (conv_transpose1d's said 2d)
        lambda: conv_transpose1d(X[:, :1, 0], np.ones((1, 1, 3)), stride=10**12),
        MemoryError,
        "^conv_transpose1d: an output of shape",
    ),
    (
        lambda: conv_transpose1d(X[:, :1, 0], np.ones((1, 1, 3)), padding=10**8, dilation=10**8),
        MemoryError,
        "^conv_transpose1d: padding",
    ),
    (lambda: max_pool2d(X, 2, padding=2), ValueError, "at most half the kernel size"),
    (lambda: max_pool2d(X[..., :1, :], 2), ShapeError, "larger than the padded input"),
    (lambda: avg_pool2d(X[0, 0], 2), ShapeError, "got shape \\(5, 5\\)"),
    (lambda: max_pool2d(X, 2, return_indices=1), TypeError, "return_indices takes True or False, got int 1"),
    (lambda: max_pool2d(X, 2, ceil_mode=1), TypeError, "ceil_mode takes True or False, got int 1"),
    (lambda: avg_pool2d(X, 2, divisor_override=0), ValueError, "divisor_override must not be 0"),
    (lambda: avg_pool2d(X, 2, divisor_override=1.5), TypeError, "divisor_override must be an int or None"),
    (lambda: avg_pool2d(X, 2, count_include_pad=None), TypeError, "count_include_pad takes True or False"),
    (lambda: adaptive_avg_pool2d(X, (2, 0)), ValueError, "output_size must be at least 1"),
    (lambda: max_pool1d(X, 2), ShapeError, r"max_pool1d needs input of shape \(batch, channels, length\)"),
    (
        lambda: avg_pool1d(X[0], 3, padding=2),
        ValueError,
        "avg_pool1d: padding 2 must be at most half the kernel size 3",
    ),
    (lambda: adaptive_avg_pool1d(X[0], (2, 3)), TypeError, "output_size must be an int or a tuple of one int"),
    (lambda: adaptive_avg_pool2d(X, None), TypeError, r"pair of ints or Nones, got None: write \(None, None\)"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_is_one_clear_error_naming_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_same_padding_is_the_split_conv2d_pads_with_for_same():
    """PyTorch's split of each axis's total, the dilated kernel's reach less one: the odd entry after
    (nn's padding_mode extends its input by it, and conv2d pads by it)."""
    assert autograd.same_padding((3, 4), (1, 3)) == ((1, 1), (4, 5))
    x, w = np.random.default_rng(0).standard_normal((1, 1, 6, 7)), np.ones((1, 1, 3, 4))
    padded = np.pad(x, ((0, 0), (0, 0), *autograd.same_padding((3, 4), (1, 3))))
    np.testing.assert_array_equal(
        autograd.conv2d(x, w, padding="same", dilation=(1, 3)), autograd.conv2d(padded, w, dilation=(1, 3))
    )


@pytest.mark.parametrize(
    "kernel_size, dilation, error, message",
    [
        # each was an answer: one pair for two axes, a negative width, floats, a bool as 0
        ((3, 3), (1,), TypeError, r"dilation must be an int or 2 ints, one per axis of kernel_size, got \(1,\)"),
        ((0, 3), (1, 1), ValueError, "kernel_size must be at least 1, got 0"),
        ((3.0,), (1,), TypeError, "kernel_size must be an int, got 3.0"),
        ((True, 3), (1, 1), TypeError, "kernel_size must be an int, got True"),
        ((3,), (0,), ValueError, "dilation must be at least 1, got 0"),
        ((), 1, TypeError, r"kernel_size must be one or more ints, got \(\)"),
    ],
)
def test_same_padding_refuses_what_is_no_kernel_or_dilation(kernel_size, dilation, error, message):
    with pytest.raises(error, match="same_padding: " + message):
        autograd.same_padding(kernel_size, dilation)


def test_same_padding_takes_an_int_for_every_axis():
    assert autograd.same_padding(4) == ((1, 2),)
    assert autograd.same_padding((3, 4), 2) == ((2, 2), (3, 3))
