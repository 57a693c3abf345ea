"""unfold and fold (autograd, F, nn.Unfold, nn.Fold) against PyTorch on random shapes and options (kernel,
dilation, padding, stride; overlapping windows), forward, gradients and second derivatives in float64 and
float32; one example without a batch axis; the arguments both refuse."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor, fold, unfold


def _options(rng):
    kw = {
        "kernel_size": (int(rng.integers(1, 4)), int(rng.integers(1, 4))),
        "dilation": (int(rng.integers(1, 3)), int(rng.integers(1, 3))),
        "padding": (int(rng.integers(0, 3)), int(rng.integers(0, 2))),
        "stride": (int(rng.integers(1, 3)), int(rng.integers(1, 4))),
    }
    span = [d * (k - 1) + 1 for d, k in zip(kw["dilation"], kw["kernel_size"])]
    size = tuple(max(1, s - 2 * p + int(rng.integers(0, 4))) for s, p in zip(span, kw["padding"]))
    return size, kw


@pytest.mark.parametrize("dtype", DTYPES)
def test_unfold_and_fold_match_torch_on_random_options(dtype):
    rng = np.random.default_rng(40)
    for _ in range(15):
        size, kw = _options(rng)
        n, c = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        x = rng.uniform(-1, 1, (n, c, *size))
        check(lambda t, k=kw: unfold(t, **k), lambda t, k=kw: F.unfold(t, **k), [x], dtype)
        columns = F.unfold(torch.tensor(x), **kw).numpy()
        cols = rng.uniform(-1, 1, columns.shape)
        check(lambda t, s=size, k=kw: fold(t, s, **k), lambda t, s=size, k=kw: F.fold(t, s, **k), [cols], dtype)


def test_each_is_the_others_gradient():
    """<unfold(x), c> = <x, fold(c)>: the adjoint identity, with overlapping windows and padding."""
    rng = np.random.default_rng(41)
    kw = {"kernel_size": 3, "padding": 1, "stride": 1, "dilation": 1}
    x = Tensor(rng.uniform(-1, 1, (2, 3, 5, 4)), requires_grad=True)
    c = rng.uniform(-1, 1, (2, 27, 20))
    (unfold(x, **kw) * Tensor(c)).sum().backward()
    np.testing.assert_allclose(x.grad, fold(c, (5, 4), **kw).data, rtol=1e-12)


def test_one_example_and_the_layers():
    x = np.random.default_rng(42).uniform(-1, 1, (3, 5, 6))
    theirs = F.unfold(torch.tensor(x), 2, stride=(1, 2))
    np.testing.assert_allclose(nn.Unfold(2, stride=(1, 2))(Tensor(x)).data, theirs.numpy(), rtol=1e-12)
    back = nn.Fold((5, 6), 2, stride=(1, 2))(Tensor(theirs.numpy()))
    np.testing.assert_allclose(back.data, F.fold(theirs, (5, 6), 2, stride=(1, 2)).numpy(), rtol=1e-12)
    assert repr(nn.Unfold(2)) == "Unfold(kernel_size=2, dilation=1, padding=0, stride=1)"
    assert repr(nn.Fold(4, 2)) == "Fold(output_size=4, kernel_size=2, dilation=1, padding=0, stride=1)"


X, COLS = np.zeros((1, 2, 3, 4)), np.zeros((1, 8, 6))
BAD = [
    (lambda: unfold(X, 4), lambda: F.unfold(torch.tensor(X), 4), ShapeError, "unfold: the kernel"),
    (lambda: unfold(X, 0), lambda: F.unfold(torch.tensor(X), 0), ValueError, "kernel_size must be at least 1"),
    (lambda: unfold(X, 2, stride=0), lambda: F.unfold(torch.tensor(X), 2, stride=0), ValueError, "stride"),
    (lambda: unfold(X, 2, padding=-1), lambda: F.unfold(torch.tensor(X), 2, padding=-1), ValueError, "padding"),
    (lambda: unfold(X[0, 0, 0], 1), lambda: F.unfold(torch.tensor(X[0, 0, 0]), 1), ShapeError, "unfold needs input"),
    (lambda: fold(COLS, (3, 4), 3), lambda: F.fold(torch.tensor(COLS), (3, 4), 3), ShapeError, "not a multiple"),
    (lambda: fold(COLS, (4, 4), 2), lambda: F.fold(torch.tensor(COLS), (4, 4), 2), ShapeError, "has 6 windows"),
    (lambda: fold(COLS, (1, 4), 2), lambda: F.fold(torch.tensor(COLS), (1, 4), 2), ShapeError, "fold: the kernel"),
    (lambda: fold(COLS[0, 0], 2, 1), lambda: F.fold(torch.tensor(COLS[0, 0]), 2, 1), ShapeError, "fold needs input"),
    (lambda: fold(COLS, 2.5, 2), lambda: F.fold(torch.tensor(COLS), 2.5, 2), TypeError, "output_size must be an int"),
]


@pytest.mark.parametrize("ours, theirs, error, words", BAD)
def test_bad_arguments_are_refused_as_torch_refuses_them(ours, theirs, error, words):
    with pytest.raises((RuntimeError, ValueError, TypeError, IndexError)):  # 1-d to fold: an IndexError
        theirs()
    with pytest.raises(error, match=words):
        ours()
