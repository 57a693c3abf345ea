"""Convolution and pooling at their edges, against torch.nn.functional where PyTorch is defined there:
max pooling of -inf and NaN (the gradient goes where PyTorch's indices point: the first entry inside
the input equal to the maximum, never the padding; a window holding NaN sends it to its last NaN), a
window lying wholly in the padding (refused: PyTorch's backward corrupts memory there), batches of
0, integer and float16 inputs, and PyTorch's spellings of the arguments."""

import numpy as np
import pytest
from torch_reference import F, torch  # without torch: skipped

import autograd
from autograd import ShapeError, Tensor
from autograd.conv import adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d, conv_transpose2d, max_pool2d
from nn.conv import Flatten


def _max_pool_against_torch(x, **kw):
    """Forward and gradient (upstream weights 1..n) of max_pool2d, ours and torch's."""
    t = Tensor(x, requires_grad=True)
    out = max_pool2d(t, **kw)
    g = np.arange(1.0, out.size + 1).reshape(out.shape)
    out.backward(g)
    xt = torch.tensor(x, requires_grad=True)
    out_t = F.max_pool2d(xt, **kw)
    out_t.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(out.data, out_t.detach().numpy())
    np.testing.assert_array_equal(t.grad, xt.grad.numpy())


def test_max_pool_of_minus_inf_never_sends_the_gradient_to_the_padding():
    """A row of -inf (a mask) beside padding: each window's -inf maximum is its first entry inside the
    input. The padding's -inf once matched first, and its index fell on another channel's element."""
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    x[:, :, 0, :] = -np.inf
    _max_pool_against_torch(x, kernel_size=2, padding=1)
    _max_pool_against_torch(x, kernel_size=3, stride=1, padding=1)  # overlapping windows: added up
    _max_pool_against_torch(np.full((2, 3, 3, 5), -np.inf), kernel_size=(3, 2), stride=2, padding=1)


@pytest.mark.parametrize(
    "row, kw",
    [
        ([1.0, np.nan, 3.0, 2.0], {"kernel_size": (1, 4)}),
        ([np.nan, 1.0, 3.0, 2.0], {"kernel_size": (1, 2), "stride": 1, "padding": (0, 1)}),
        ([np.nan, 5.0, np.nan, 2.0, np.nan], {"kernel_size": (1, 3), "stride": 1, "padding": (0, 1)}),
        ([-np.inf, np.nan, -np.inf], {"kernel_size": (1, 2), "stride": 1, "padding": (0, 1), "dilation": (1, 2)}),
    ],
)
def test_max_pool_sends_a_nan_windows_gradient_to_its_last_nan_as_torch(row, kw):
    _max_pool_against_torch(np.array(row).reshape(1, 1, 1, -1), **kw)


@pytest.mark.parametrize(
    ("pool", "shape", "kw"),
    [
        (max_pool2d, (1, 1, 2, 3), {"kernel_size": (2, 1), "stride": 1, "padding": (1, 0), "dilation": (3, 1)}),
        (autograd.max_pool1d, (1, 1, 2), {"kernel_size": 2, "stride": 1, "padding": 1, "dilation": 3}),
    ],
)
def test_a_max_pool_window_wholly_in_the_padding_is_refused(pool, shape, kw):
    """The message names the function called (max_pool1d's said max_pool2d)."""
    x = Tensor(np.arange(float(np.prod(shape))).reshape(shape), requires_grad=True)
    said = f"^{pool.__name__}: a window along the .* lies wholly in the padding 1 of an input of 2: use less padding"
    with pytest.raises(ValueError, match=said):
        pool(x, **kw)


def test_integer_max_pooling_with_padding_as_torch():
    x = np.arange(16).reshape(1, 1, 4, 4)
    ours = max_pool2d(x, 2, padding=1)
    theirs = F.max_pool2d(torch.from_numpy(x), 2, padding=1).numpy()
    assert ours.dtype == np.int64 and np.array_equal(ours, theirs)


def test_averages_keep_float16():
    x = np.random.default_rng(0).uniform(-1, 1, (1, 2, 6, 6)).astype(np.float16)
    for out in (avg_pool2d(x, 2), adaptive_avg_pool2d(x, 3), adaptive_avg_pool2d(x, 4), max_pool2d(x, 2)):
        assert out.dtype == np.float16


CALLS = {
    "conv2d": lambda x: conv2d(x, np.ones((4, 3, 3, 3)), np.ones(4), padding=1),
    "conv1d": lambda x: conv1d(x.reshape(0, 3, 25), np.ones((4, 3, 3))),
    "conv_transpose2d": lambda x: conv_transpose2d(x, np.ones((3, 2, 3, 3)), stride=2),
    "max_pool2d": lambda x: max_pool2d(x, 2),
    "avg_pool2d": lambda x: avg_pool2d(x, 2),
    "adaptive_avg_pool2d": lambda x: adaptive_avg_pool2d(x, (2, 3)),
    "Flatten": lambda x: Flatten()(x),
}


@pytest.mark.parametrize("name", CALLS)
def test_a_batch_of_zero_gives_empty_outputs_and_gradients(name):
    x = Tensor(np.zeros((0, 3, 5, 5)), requires_grad=True)
    out = CALLS[name](x)
    out.sum().backward()
    assert out.shape[0] == 0 and x.grad.shape == x.shape


def test_pytorchs_spellings_of_the_arguments():
    x, w = np.ones((1, 2, 6)), np.ones((3, 2, 3))
    np.testing.assert_array_equal(
        conv1d(x, w, padding=(1,), stride=(2,), dilation=(1,)), conv1d(x, w, padding=1, stride=2)
    )
    x2 = np.ones((1, 2, 5, 5))
    np.testing.assert_array_equal(conv2d(x2, np.ones((3, 2, 3, 3)), padding=np.array([1, 1])).shape, (1, 3, 5, 5))
    # output_padding below the dilation, with stride 1: PyTorch's rule is "smaller than the stride or the dilation"
    u = np.random.default_rng(1).normal(size=(1, 2, 4, 4))
    k = np.random.default_rng(2).normal(size=(2, 3, 3, 3))
    ours = conv_transpose2d(u, k, output_padding=1, dilation=2)
    theirs = F.conv_transpose2d(torch.from_numpy(u), torch.from_numpy(k), output_padding=1, dilation=2)
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-12)


def test_clear_errors_at_the_edges():
    with pytest.raises(ShapeError, match="the input has 4 channels \\(axis 1\\).*give input of 3 channels"):
        conv2d(np.ones((1, 4, 5, 5)), np.ones((6, 3, 3, 3)))
    with pytest.raises(ShapeError, match="start_dim 1 is not an axis of input of shape \\(\\)"):
        Flatten()(Tensor(1.0))
    with pytest.raises(ShapeError, match="start_dim 1 is not an axis of input of shape \\(3,\\)"):
        Flatten()(Tensor(np.ones(3)))
    with pytest.raises(TypeError, match="stride must be an int or a tuple of one int"):
        conv1d(np.ones((1, 2, 6)), np.ones((3, 2, 3)), stride=(1, 1))
    with pytest.raises(ValueError, match="smaller than the stride \\(1, 1\\) or the dilation \\(1, 1\\)"):
        conv_transpose2d(np.ones((1, 2, 4, 4)), np.ones((2, 3, 3, 3)), output_padding=1)


def test_max_pooling_keeps_its_compiled_step_faithful_with_minus_inf():
    """Masked max pooling in a compiled step gives eager's numbers (the rule finds each call's maxima)."""
    import nn

    def run(compiled):
        conv = nn.Conv2d(1, 2, 3, padding=1, seed=0, dtype=np.float64)
        opt = nn.SGD(conv.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            h = autograd.where(mask, conv(x), -np.inf)  # a masked row of -inf beside the padding
            y = max_pool2d(h, 2, padding=1)
            loss = autograd.where(np.isfinite(y.data), y, 0.0).sum()
            loss.backward()
            opt.step()
            return loss.item()

        mask = np.ones((2, 2, 4, 4), bool)
        mask[:, :, 0] = False
        f = autograd.compile(step) if compiled else step
        rng = np.random.default_rng(0)
        out = []
        for _ in range(4):
            out.append(f(Tensor(rng.normal(size=(2, 1, 4, 4)))))
        return out, conv.weight.data.copy()

    with pytest.warns(autograd.CompileWarning, match="took a tensor's numbers into Python"):  # y.data: eager
        compiled = run(True)
    eager = run(False)
    assert compiled[0] == eager[0] and np.array_equal(compiled[1], eager[1])


@pytest.mark.parametrize(
    "stride, dilation, output_padding, padding",
    [(1, 2, 1, 0), (1, 3, 2, 1), ((2, 1), (1, 3), (1, 2), (0, 1)), (2, 3, 2, 2)],
)
def test_conv_transpose2d_with_output_padding_of_a_stride_or_more_differentiates_as_torch(
    stride, dilation, output_padding, padding
):
    """PyTorch allows output_padding < max(stride, dilation): past a stride, the output has windows no
    input position reached. The input's gradient came out a row and column too large (stored as .grad
    unchecked) and the weight's raised a matmul mismatch; both now match torch, second derivatives too."""
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 2, 3, 4)), rng.standard_normal((2, 3, 2, 3))
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    xs, ws = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    out, out_t = conv_transpose2d(xs, ws, **kw), F.conv_transpose2d(xt, wt, **kw)
    up = rng.standard_normal(out_t.shape)
    gx, gw = autograd.gradients((out * up).sum(), [xs, ws], create_graph=True)
    gx_t, gw_t = torch.autograd.grad((out_t * torch.from_numpy(up)).sum(), [xt, wt], create_graph=True)
    ((gx * gx).sum() + (gw * gw).sum()).backward()
    ((gx_t * gx_t).sum() + (gw_t * gw_t).sum()).backward()
    for ours, theirs in [(out, out_t), (gx, gx_t), (gw, gw_t), (xs.grad, xt.grad), (ws.grad, wt.grad)]:
        np.testing.assert_allclose(np.asarray(autograd.raw(ours)), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # the forward's inf * 0 at the border, as numpy's
@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_a_non_finite_kernel_sends_the_input_gradient_as_torch(bad):
    """A conv2d's input gradient at stride 1 is a correlation of g padded with zeros, unless the kernel
    holds an inf or NaN: its entries times those zeros would make NaN at the border, where only the
    outputs a kernel entry meets count (as PyTorch's gradient, finite there)."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 2, 3, 3))
    w[0, 0, 0, 0] = bad
    t = Tensor(x, requires_grad=True)
    conv2d(t, w, padding=1).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    F.conv2d(xt, torch.from_numpy(w), padding=1).sum().backward()
    np.testing.assert_array_equal(np.isfinite(t.grad), np.isfinite(xt.grad.numpy()))
    np.testing.assert_allclose(t.grad, xt.grad.numpy(), rtol=1e-12)
    assert np.isfinite(t.grad).any()


def test_the_input_gradient_of_many_output_channels_and_a_wide_dilation_stays_small():
    """289 output channels of one input pixel, dilation 64, padding 72 (a review's case): g padded to
    reach the output would be 289 planes of 129 x 129, 38 MB, for one number; the col2im path takes
    well under a megabyte, and the correlation is taken only where it holds no more than col2im."""
    import tracemalloc

    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((289, 1, 3, 3)), rng.standard_normal((1, 1, 1, 1))
    t = Tensor(x, requires_grad=True)
    tracemalloc.start()
    conv2d(t, w, padding=72, dilation=64).sum().backward()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    xt = torch.tensor(x, requires_grad=True)
    F.conv2d(xt, torch.from_numpy(w), padding=72, dilation=64).sum().backward()
    np.testing.assert_allclose(t.grad, xt.grad.numpy(), rtol=1e-12)
    assert peak < 4e6, f"{peak / 1e6:.1f} MB"
