"""adaptive_max_pool1d/2d (F and nn.AdaptiveMaxPool1d/2d) against PyTorch: values and indices bit for bit
on random shapes and output sizes (windows unequal and overlapping, larger outputs than inputs), ties and
NaN chosen as PyTorch chooses (the first maximum, a window's last NaN), gradients and second derivatives
in float64 and float32, one example without a batch axis, and the arguments both refuse."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor, adaptive_max_pool1d, adaptive_max_pool2d, max_unpool2d


@pytest.mark.parametrize("dims", [1, 2])
def test_values_and_indices_match_torch_with_ties_and_nan(dims):
    rng = np.random.default_rng(20 + dims)
    ours, theirs = (
        (adaptive_max_pool1d, F.adaptive_max_pool1d) if dims == 1 else (adaptive_max_pool2d, F.adaptive_max_pool2d)
    )
    for trial in range(100):
        shape = tuple(int(rng.integers(1, 3)) for _ in range(2)) + tuple(int(rng.integers(1, 9)) for _ in range(dims))
        size = int(rng.integers(1, 9)) if dims == 1 else tuple(int(rng.integers(1, 9)) for _ in range(2))
        x = rng.integers(-2, 3, shape).astype(np.float64)  # a few values: many ties
        if trial % 2:
            x[rng.random(shape) < 0.2] = np.nan
        values, indices = ours(Tensor(x), size, return_indices=True)
        expected_values, expected = theirs(torch.tensor(x), size, return_indices=True)
        assert indices.dtype == np.int64
        np.testing.assert_array_equal(indices.data, expected.numpy(), err_msg=f"{shape} {size}")
        np.testing.assert_array_equal(values.data, expected_values.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradients_and_second_derivatives_match_torch(dtype):
    """Distinct entries (no ties: a gradient at a tie is a choice, checked above by the indices); sizes that
    divide, that do not (overlapping windows: one entry the maximum of two), and that exceed the input."""
    rng = np.random.default_rng(30)
    for shape, size in [
        ((2, 3, 6, 6), (3, 2)),
        ((1, 2, 5, 7), (3, 4)),
        ((2, 1, 3, 4), (5, 6)),
        ((1, 1, 4, 4), (None, 3)),
    ]:
        x = rng.permutation(np.prod(shape)).reshape(shape) / 7.0
        check(lambda t, s=size: adaptive_max_pool2d(t, s), lambda t, s=size: F.adaptive_max_pool2d(t, s), [x], dtype)
        check(
            lambda t, s=size[1]: adaptive_max_pool1d(t[:, :, 0], s),
            lambda t, s=size[1]: F.adaptive_max_pool1d(t[:, :, 0], s),
            [x],
            dtype,
        )


def test_one_example_and_the_layers():
    x = np.random.default_rng(5).uniform(-1, 1, (3, 5, 7))
    values, indices = adaptive_max_pool2d(x, 3, return_indices=True)
    expected_values, expected = F.adaptive_max_pool2d(torch.tensor(x), 3, return_indices=True)
    np.testing.assert_array_equal(indices, expected.numpy())
    np.testing.assert_array_equal(values, expected_values.numpy())
    layer, theirs = nn.AdaptiveMaxPool1d(4, return_indices=True), torch.nn.AdaptiveMaxPool1d(4, return_indices=True)
    for ours_part, their_part in zip(layer(Tensor(x)), theirs(torch.tensor(x))):
        np.testing.assert_array_equal(ours_part.data, their_part.numpy())
    assert repr(nn.AdaptiveMaxPool2d((2, None))) == "AdaptiveMaxPool2d(output_size=(2, None))"
    # its indices undo through max_unpool2d where the windows tile the input (a kernel of 2)
    values, indices = nn.AdaptiveMaxPool2d(2, return_indices=True)(Tensor(x[:, :4, :4]))
    theirs = F.max_unpool2d(*F.adaptive_max_pool2d(torch.tensor(x[:, :4, :4]), 2, return_indices=True), 2)
    np.testing.assert_array_equal(max_unpool2d(values, indices, 2).data, theirs.numpy())


X = np.zeros((1, 2, 3, 4))
# PyTorch pools to an empty output at a size of 0 and reads None as False, where chainrule refuses both
# (adaptive_avg_pool2d's rule, and every flag's): those two are checked on chainrule alone
TORCH_TAKES = [
    (lambda f: f(X, (2, 0)), ValueError, "output_size must be at least 1"),
    (lambda f: f(X, 2, return_indices=None), TypeError, "return_indices takes True or False"),
]
BAD = [
    (lambda f: f(X, None), TypeError, "output_size must be an int or a pair"),
    (lambda f: f(X[0, 0, 0], 2), ShapeError, "needs input of shape"),
    (lambda f: f(X[..., :0], 2), ShapeError, "height and width at least 1"),
]


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_arguments_are_refused_as_torch_refuses_them(call, error, words):
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        call(lambda x, *a, **k: F.adaptive_max_pool2d(torch.tensor(x), *a, **k))
    with pytest.raises(error, match=f"adaptive_max_pool2d.*{words}"):
        call(adaptive_max_pool2d)


@pytest.mark.parametrize("call, error, words", TORCH_TAKES)
def test_what_torch_takes_and_chainrule_refuses(call, error, words):
    call(lambda x, *a, **k: F.adaptive_max_pool2d(torch.tensor(x), *a, **k))
    with pytest.raises(error, match=f"adaptive_max_pool2d.*{words}"):
        call(adaptive_max_pool2d)


def test_bad_arguments_of_the_1d_form():
    with pytest.raises(TypeError, match="adaptive_max_pool1d: output_size must be an int or a tuple of one int"):
        adaptive_max_pool1d(X[0], (2, 3))
    with pytest.raises(ShapeError, match="adaptive_max_pool1d needs an input of length at least 1"):
        adaptive_max_pool1d(X[0, :, :, :0], 2)
    with pytest.raises(ValueError, match="output_size must be at least 1"):
        nn.AdaptiveMaxPool1d(0)
