"""nn.Bilinear and F.bilinear against PyTorch: forward, the gradients of both inputs, the weight and the bias, and
second derivatives, in float64 and float32, on batched, unbatched and many-axis inputs; the layer's parameters in
torch's layout, names and init bounds; the shapes torch refuses, refused naming what fits."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn import functional as nnF


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lead", [(3,), (), (2, 3), (0,)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_bilinear_matches_torch(dtype, lead, with_bias):
    rng = np.random.default_rng(len(lead) + 7 * with_bias)
    x1, x2 = rng.uniform(-1, 1, (*lead, 4)), rng.uniform(-1, 1, (*lead, 5))
    w, b = rng.uniform(-1, 1, (3, 4, 5)), rng.uniform(-1, 1, 3)
    inputs = [x1, x2, w] + [b] * with_bias
    check(nnF.bilinear, F.bilinear, inputs, dtype)


def test_bilinear_layer_is_torchs():
    ours, theirs = nn.Bilinear(4, 5, 3, seed=0), torch.nn.Bilinear(4, 5, 3)
    assert repr(ours) == repr(theirs)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()
    ]
    assert ours.weight.dtype == np.float32 and abs(ours.weight.data).max() <= 0.5  # uniform in ±1/sqrt(4)
    assert abs(ours.bias.data).max() <= 0.5 and abs(ours.weight.data).max() > 0.4  # not a narrower draw
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        theirs.bias.copy_(torch.tensor(ours.bias.data))
    x1, x2 = np.random.default_rng(1).uniform(-1, 1, (2, 6, 4)).astype(np.float32), np.ones((2, 6, 5), np.float32)
    np.testing.assert_allclose(ours(x1, x2).data, theirs(torch.tensor(x1), torch.tensor(x2)).detach(), 1e-6, 1e-6)
    plain = nn.Bilinear(2, 2, 1, bias=False, dtype=np.float64)
    assert plain.bias is None and plain.weight.dtype == np.float64 and len(list(plain.parameters())) == 1


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((1, 4), (3, 5), (3, 4, 5), None), r"must share their leading dims, got shapes \(1, 4\) and \(3, 5\)"),
        (((2, 4), (2, 6), (3, 4, 5), None), r"inputs of 4 and 6 features .* takes 4 and 5"),
        (((2, 4), (2, 5), (3, 4, 5), (4,)), r"bias must be of shape \(3,\)"),
        (((2, 4), (2, 5), (3, 4), None), r"weight must be 3-d"),
        (((), (), (3, 4, 5), None), r"must share their leading dims"),
    ],
)
def test_bilinear_refuses_torchs_bad_shapes(shapes, message):
    args = [None if s is None else Tensor(np.ones(s)) for s in shapes]
    with pytest.raises(ShapeError, match=message):
        nnF.bilinear(*args)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((0, 2, 3), ValueError),
        ((2, 2.0, 3), TypeError),
        ((2, 2, 3, "yes"), TypeError),
        ((2, 2, 3, True, "cuda"), ValueError),
    ],
)
def test_bilinear_layer_refuses_bad_arguments(args, error):
    with pytest.raises(error):
        nn.Bilinear(*args)


@pytest.mark.parametrize(("x1", "x2", "weight"), [((4, 3), (4, 2), (0, 3, 2)), ((0, 3), (0, 2), (5, 3, 2))])
def test_empty_outputs_and_batches_are_torchs(x1, x2, weight):
    """A weight of no outputs gave a ShapeError naming reshape (torch: shape (4, 0), as F.linear's here)."""
    rng = np.random.default_rng(0)
    x1, x2, weight = (rng.standard_normal(s) for s in (x1, x2, weight))
    check(nnF.bilinear, torch.nn.functional.bilinear, [x1, x2, weight], np.float64)
