"""max_pool1d/2d's return_indices and max_unpool1d/2d (F and nn) against PyTorch: the indices bit for bit
(ties, NaN, padding, dilation, ceil_mode, overlapping windows), the unpooled values, their gradients and
second derivatives in float64 and float32, output_size, one example without a batch axis, and the
arguments both refuse."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor, max_pool1d, max_pool2d, max_unpool1d, max_unpool2d


def _options(rng: np.random.Generator, dims: int) -> tuple[tuple[int, ...], dict]:
    """A random input shape and max pool options that PyTorch accepts (padding at most half the kernel)."""
    k = int(rng.integers(1, 4))
    kw = {
        "kernel_size": k,
        "stride": int(rng.integers(1, 4)),
        "padding": int(rng.integers(0, k // 2 + 1)),
        "dilation": int(rng.integers(1, 3)),
        "ceil_mode": bool(rng.integers(2)),
    }
    span = kw["dilation"] * (k - 1) + 1
    size = tuple(int(rng.integers(span, span + 5)) for _ in range(dims))
    return (int(rng.integers(1, 3)), int(rng.integers(1, 3)), *size), kw


@pytest.mark.parametrize("dims", [1, 2])
def test_indices_match_torch_on_random_shapes_ties_and_nan(dims):
    """Ties (entries drawn from a few integers) keep the first maximum, a window with NaN its last NaN."""
    rng = np.random.default_rng(dims)
    ours, theirs = (max_pool1d, F.max_pool1d) if dims == 1 else (max_pool2d, F.max_pool2d)
    for trial in range(60):
        shape, kw = _options(rng, dims)
        x = rng.integers(-2, 3, shape).astype(np.float64)
        if trial % 3 == 0:
            x[rng.random(shape) < 0.2] = np.nan
        try:
            expected_values, expected = theirs(torch.tensor(x), **kw, return_indices=True)
        except RuntimeError:  # a window wholly in the padding (dilation): chainrule refuses it too
            with pytest.raises(ValueError, match="wholly in the padding"):
                ours(x, **kw, return_indices=True)
            continue
        values, indices = ours(Tensor(x), **kw, return_indices=True)
        assert indices.dtype == np.int64 and not indices.requires_grad
        np.testing.assert_array_equal(indices.data, expected.numpy(), err_msg=f"{shape} {kw}")
        np.testing.assert_array_equal(values.data, expected_values.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dims", [1, 2])
def test_unpool_matches_torch_forward_gradient_second(dims, dtype):
    """Unpooling the pool's own output and indices, overlapping windows (repeated indices) included."""
    rng = np.random.default_rng(10 + dims)
    pool, unpool = (F.max_pool1d, max_unpool1d) if dims == 1 else (F.max_pool2d, max_unpool2d)
    torch_unpool = F.max_unpool1d if dims == 1 else F.max_unpool2d
    for _ in range(12):
        shape, kw = _options(rng, dims)
        kw = {"kernel_size": kw["kernel_size"], "stride": kw["stride"], "padding": kw["padding"]}
        x = rng.uniform(-1, 1, shape)
        values, indices = pool(torch.tensor(x), **kw, return_indices=True)
        for size in (None, shape[2:], shape):
            args = {**kw, "output_size": size}
            try:
                empty = torch_unpool(values, indices, **args).numel() == 0
            except RuntimeError:  # the default size is less than the pooled input's: an index lies past it
                with pytest.raises(IndexError, match="lies outside an output plane"):
                    unpool(values.numpy(), indices.numpy(), **args)
                continue
            if empty:  # PyTorch makes an output of size 0, and fails in its backward; chainrule refuses it
                with pytest.raises(ValueError, match="the output would be of size 0"):
                    unpool(values.numpy(), indices.numpy(), **args)
                continue
            check(
                lambda v, i=indices, a=args: unpool(v, i.numpy(), **a),
                lambda v, i=indices, a=args: torch_unpool(v, i, **a),
                [values.numpy()],
                dtype,
                second=dims == 2,  # PyTorch's max_unpool1d has no double backward (an IndexError of its own)
            )


def test_one_example_without_a_batch_axis():
    x = np.random.default_rng(3).uniform(-1, 1, (2, 5, 6))
    values, indices = max_pool2d(x, 2, return_indices=True)
    expected_values, expected = F.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(indices.data, expected.numpy())
    np.testing.assert_array_equal(max_unpool2d(values, indices, 2).data, F.max_unpool2d(expected_values, expected, 2))
    values, indices = max_pool1d(x[0], 2, return_indices=True)
    expected_values, expected = F.max_pool1d(torch.tensor(x[0]), 2, return_indices=True)
    np.testing.assert_array_equal(indices.data, expected.numpy())
    unpooled = max_unpool1d(values, indices, 2, output_size=(6,))
    np.testing.assert_array_equal(unpooled.data, F.max_unpool1d(expected_values, expected, 2, output_size=(6,)))


def test_layers_pool_and_unpool_as_torch():
    x = np.random.default_rng(4).uniform(-1, 1, (2, 3, 7, 5))
    values, indices = nn.MaxPool2d(3, stride=2, padding=1, return_indices=True)(Tensor(x))
    unpooled = nn.MaxUnpool2d(3, stride=2, padding=1)(values, indices, output_size=x.shape)
    theirs = torch.nn.MaxUnpool2d(3, stride=2, padding=1)(
        *torch.nn.MaxPool2d(3, stride=2, padding=1, return_indices=True)(torch.tensor(x)), output_size=x.shape
    )
    np.testing.assert_array_equal(unpooled.data, theirs.numpy())
    assert repr(nn.MaxUnpool1d(2)) == "MaxUnpool1d(kernel_size=2, stride=2, padding=0)"
    values, indices = nn.MaxPool1d(2, return_indices=True)(Tensor(x[0, 0]))
    assert nn.MaxUnpool1d(2)(values, indices).shape == (7, 4)


V = np.arange(8.0).reshape(1, 2, 2, 2)
IDX = np.array([[[[0, 1], [4, 5]], [[2, 3], [6, 7]]]])  # a 2x2 pool's indices into 4x4 planes

BAD = [
    # (our call, torch's call, our error, the words of ours)
    (
        lambda: max_unpool2d(V, IDX, 2, output_size=(6, 4)),
        lambda t, i: F.max_unpool2d(t, i, 2, output_size=(6, 4)),
        ValueError,
        "within a stride of",
    ),
    (lambda: max_unpool2d(V, IDX + 12, 2), lambda t, i: F.max_unpool2d(t, i + 12, 2), IndexError, "outside an output"),
    (lambda: max_unpool2d(V, IDX - 1, 2), lambda t, i: F.max_unpool2d(t, i - 1, 2), IndexError, "index -1"),
    (
        lambda: max_unpool2d(V, IDX[..., :1], 2),
        lambda t, i: F.max_unpool2d(t, i[..., :1], 2),
        ShapeError,
        "indices must have the input's shape",
    ),
    (
        lambda: max_unpool2d(V, IDX * 1.0, 2),
        lambda t, i: F.max_unpool2d(t, i * 1.0, 2),
        TypeError,
        "indices must be integers",
    ),
    (
        lambda: max_unpool2d(V[0, 0, 0], IDX[0, 0, 0], 2),
        lambda t, i: F.max_unpool2d(t[0, 0, 0], i[0, 0, 0], 2),
        ShapeError,
        "max_unpool2d needs input of shape",
    ),
    (
        lambda: max_unpool2d(V, IDX, 2, output_size=(4,)),
        lambda t, i: F.max_unpool2d(t, i, 2, output_size=(4,)),
        TypeError,
        "output_size must be 2 ints",
    ),
]


@pytest.mark.parametrize("ours, theirs, error, words", BAD)
def test_bad_arguments_are_refused_as_torch_refuses_them(ours, theirs, error, words):
    with pytest.raises((RuntimeError, ValueError, IndexError, TypeError)):
        theirs(torch.tensor(V), torch.tensor(IDX))
    with pytest.raises(error, match=words):
        ours()


def test_values_that_differ_at_one_index_are_refused():
    """PyTorch keeps one of them, which is undefined; a max pool's repeated indices carry equal values."""
    with pytest.raises(ValueError, match="two values \\(0.0 and 1.0\\) have the same index"):
        max_unpool2d(V, np.zeros_like(IDX), 2)
    same = max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 2), np.int64), 2)
    assert np.asarray(same).sum() == 1.0


def test_a_kernel_of_zero_is_refused():
    """PyTorch unpools with it into an output of length 0 (stride 0 too); chainrule refuses it."""
    assert F.max_unpool1d(torch.tensor(V[0, :, 0]), torch.tensor(IDX[0, :, 0]), 0).numel() == 0
    with pytest.raises(ValueError, match="max_unpool1d: kernel_size must be at least 1"):
        max_unpool1d(V[0, :, 0], IDX[0, :, 0], 0)
