"""interpolate's mode "nearest-exact" and antialias=True (bilinear and bicubic) against torch 2.13: forward,
gradient and second derivative in float64 and float32, by size and by scale_factor, upsampling and
downsampling, align_corners both ways; finite differences; the refusals. Without torch these are skipped."""

import itertools

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import nn
from autograd import Tensor, gradcheck
from nn import functional as F

TF = torch.nn.functional

NEAREST_EXACT = [
    ((2, 3, 7), dict(size=12)),
    ((2, 3, 2), dict(size=25)),  # output 12's centre 12.5 * (2 / 25) rounds to 1 in float32: pixel 1 (torch's)
    ((2, 3, 10), dict(scale_factor=0.3)),
    ((2, 2, 5, 7), dict(scale_factor=(1.7, 0.6))),
    ((2, 2, 5, 7), dict(size=(9, 3))),
    ((1, 2, 3, 4, 5), dict(scale_factor=(2.5, 1.3, 0.5))),
]
ANTIALIAS = [
    ((2, 2, 17, 23), dict(size=(5, 7))),  # shrunk by 3.4 and 3.3: the filters span 7 and 9 pixels
    ((1, 2, 40, 30), dict(scale_factor=0.23)),
    ((1, 2, 33, 20), dict(scale_factor=(0.5, 0.3), recompute_scale_factor=True)),
    ((1, 1, 9, 8), dict(size=(12, 20))),  # upsampled: the filters unstretched (bicubic with PIL's a = -0.5)
    ((1, 2, 12, 9), dict(size=(5, 9))),  # the width kept
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, options", NEAREST_EXACT)
def test_nearest_exact_matches_torch(shape, options, dtype):
    x = np.random.default_rng(50).normal(size=shape)
    options = {**options, "mode": "nearest-exact"}
    check(lambda x: F.interpolate(x, **options), lambda x: TF.interpolate(x, **options), [x], dtype)


def test_nearest_exact_is_torch_s_for_every_pair_of_small_sizes():
    for n_in, n_out in itertools.product(range(1, 20), range(1, 30)):
        x = np.arange(n_in, dtype=np.float32).reshape(1, 1, n_in)
        want = TF.interpolate(torch.tensor(x), size=n_out, mode="nearest-exact").numpy()
        np.testing.assert_array_equal(F.interpolate(Tensor(x), size=n_out, mode="nearest-exact").data, want)


def test_upsample_takes_nearest_exact():
    x = np.random.default_rng(51).normal(size=(1, 2, 3, 5))
    layer = nn.Upsample(scale_factor=1.5, mode="nearest-exact")
    want = torch.nn.Upsample(scale_factor=1.5, mode="nearest-exact")(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(layer(Tensor(x)).data, want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("shape, options", ANTIALIAS)
def test_antialias_matches_torch(shape, options, mode, align_corners, dtype):
    x = np.random.default_rng(52).normal(size=shape)
    options = {**options, "mode": mode, "align_corners": align_corners, "antialias": True}
    check(lambda x: F.interpolate(x, **options), lambda x: TF.interpolate(x, **options), [x], dtype)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_antialias_passes_gradcheck(mode):
    x = np.random.default_rng(53).normal(size=(1, 2, 11, 9))
    assert gradcheck(lambda x: F.interpolate(x, size=(4, 3), mode=mode, antialias=True), [x])


def test_antialias_averages_what_plain_bilinear_skips():
    """A stripe one pixel wide every 4 pixels, shrunk 4 times: antialiasing sees it in every output pixel
    (its mean, 1/4); plain bilinear reads two neighbours between stripes and misses it."""
    x = np.zeros((1, 1, 1, 64))
    x[..., ::4] = 1.0
    smoothed = F.interpolate(Tensor(x), size=(1, 16), mode="bilinear", antialias=True).data
    np.testing.assert_allclose(smoothed[..., 1:-1], 0.25, rtol=1e-12)
    assert np.all(F.interpolate(Tensor(x), size=(1, 16), mode="bilinear").data == 0)


def test_antialias_to_one_column_is_the_transposed_case():
    """torch 2.13's forward copies the first output row into every row where the output is one pixel wide
    (its gradient is right): chainrule's output is the transposed input's, transposed."""
    x = np.arange(6.0).reshape(1, 1, 6, 1)
    ours = F.interpolate(Tensor(x), size=(3, 1), mode="bilinear", antialias=True).data.ravel()
    transposed = TF.interpolate(torch.tensor(x.reshape(1, 1, 1, 6)), size=(1, 3), mode="bilinear", antialias=True)
    np.testing.assert_allclose(ours, transposed.numpy().ravel(), rtol=1e-15)
    theirs = TF.interpolate(torch.tensor(x), size=(3, 1), mode="bilinear", antialias=True).numpy().ravel()
    assert theirs[0] == theirs[1] == theirs[2]  # the defect this departs from: remove when torch fixes it


@pytest.mark.parametrize(
    "shape, mode",
    [((1, 1, 4, 4), "nearest"), ((1, 1, 4, 4), "area"), ((1, 1, 4), "linear"), ((1, 1, 2, 4, 4), "trilinear")],
)
def test_antialias_is_refused_where_torch_has_none(shape, mode):
    with pytest.raises(ValueError, match="antialias=True is for the modes bilinear and bicubic of input"):
        F.interpolate(Tensor(np.ones(shape)), scale_factor=0.5, mode=mode, antialias=True)


def test_nearest_exact_takes_no_align_corners():
    with pytest.raises(ValueError, match="align_corners is for the modes linear"):
        F.interpolate(Tensor(np.ones((1, 1, 4))), size=2, mode="nearest-exact", align_corners=True)


def test_antialias_memory_is_checked_before_any_work():
    with pytest.raises(MemoryError, match="interpolate: size \\(1000000, 1000000\\)"):
        F.interpolate(Tensor(np.ones((1, 1, 4, 4))), size=(10**6, 10**6), mode="bilinear", antialias=True)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("scale_factor", [(1.1, 0.5), (0.5, 1.1), (1.04, 1.0)])
def test_antialias_copies_an_axis_that_keeps_its_size_whatever_the_scale_factor(mode, scale_factor):
    """scale_factor 1.1 of 9 pixels keeps 9: torch 2.13's forward copies that axis (its filter stepped by 1/1.1
    moved every pixel, up to 2.2 off). Its gradient there is the filter's, not its forward's: chainrule's is
    the adjoint of torch's forward (its Jacobian, column by column, transposed)."""
    x = np.random.default_rng(54).normal(size=(1, 1, 7, 9))
    options = dict(scale_factor=scale_factor, mode=mode, antialias=True)
    theirs = TF.interpolate(torch.tensor(x), **options).numpy()
    given = Tensor(x, requires_grad=True)
    ours = F.interpolate(given, **options)
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-13, atol=1e-14)
    weights = np.random.default_rng(55).normal(size=theirs.shape)
    jacobian = np.stack(
        [TF.interpolate(torch.tensor(e.reshape(x.shape)), **options).numpy().ravel() for e in np.eye(x.size)], axis=1
    )
    (ours * Tensor(weights)).sum().backward()
    np.testing.assert_allclose(given.grad, (jacobian.T @ weights.ravel()).reshape(x.shape), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("n_in", "n_out"), [(257, 1), (257, 3), (100, 12), (9, 20), (4000, 1000)])
def test_bilinear_antialias_weights_are_torchs_bit_for_bit(n_in, n_out, dtype):
    """Each row's taps added in their order, as PyTorch adds them (numpy's pairwise sum of a row of 257 taps
    differed from it by 1.35e-8 in float32): torch's weights read off its output for each one-hot input."""
    basis = np.eye(n_in, dtype=dtype).reshape(n_in, 1, 1, n_in)
    options = dict(size=(1, n_out), mode="bilinear", antialias=True)
    theirs = TF.interpolate(torch.tensor(basis), **options).numpy()
    np.testing.assert_array_equal(F.interpolate(Tensor(basis), **options).data, theirs)


@pytest.mark.parametrize(("n_in", "n_out", "align_corners"), [(121, 12, False), (92, 21, False), (114, 45, True)])
def test_bilinear_antialias_float32_weights_are_torchs_bit_for_bit_where_it_shrinks(n_in, n_out, align_corners):
    """PyTorch adds its 0.5s in float64 before casting the filter's argument to float32: added in float32,
    these rows were 3 to 33 ulp off (7 of 150 random float32 sizes), where the docs said bit for bit."""
    basis = np.eye(n_in, dtype=np.float32).reshape(n_in, 1, 1, n_in)
    options = dict(size=(1, n_out), mode="bilinear", antialias=True, align_corners=align_corners)
    theirs = TF.interpolate(torch.tensor(basis), **options).numpy()
    np.testing.assert_array_equal(F.interpolate(Tensor(basis), **options).data, theirs)
