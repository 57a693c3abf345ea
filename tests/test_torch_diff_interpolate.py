"""interpolate against PyTorch 2.13 over random option combinations (mode, size or scale_factor per axis or
one for all, recompute_scale_factor, align_corners, antialias; 1-d to 3-d): forward, gradient and second
derivative in float64 and float32 (a few in the default run, 150 under -m slow). And the two places where
torch's numbers are not the derivative of its own forward or not the resampling it states, where chainrule
is judged against the truth instead:

- mode="nearest" with a scale_factor whose output keeps the input's size, or doubles it, in 1-d and 3-d:
  torch's forward reads pixel floor(i / scale) (chainrule's too), but its backward sends output i's gradient
  to pixel i (or i // 2), a pixel that output never read (2 pixels at 1.3: both outputs read pixel 0; torch's
  gradient of their sum is [1, 1], the derivative's [2, 0]).
- antialias=True with an output one pixel wide while the height changes: torch's output is the first pixel
  everywhere; the truth is the height resampled alone (torch's own, with the width kept), which is
  chainrule's.
"""

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

from autograd import Tensor
from nn import functional as F

TF = torch.nn.functional
MODES = {
    1: ["nearest", "nearest-exact", "linear", "area"],
    2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
    3: ["nearest", "nearest-exact", "trilinear", "area"],
}
FACTORS = [0.5, 0.7, 1.0, 1.5, 2.0, 2.5, 3.0, 2 / 3, 4.2]


def _case(seed):
    """A random (input shape, options) whose every output axis has a pixel, avoiding torch's two departures."""
    rng = np.random.default_rng(seed)
    while True:
        dims = int(rng.integers(1, 4))
        mode = str(rng.choice(MODES[dims]))
        shape = (int(rng.integers(1, 3)), 2, *(int(v) for v in rng.integers(1, 7, dims)))
        options = {"mode": mode}
        if rng.integers(2):
            sizes = tuple(int(v) for v in rng.integers(1, 10, dims))
            options["size"] = sizes if rng.integers(2) else sizes[0]
        else:
            factors = tuple(float(rng.choice(FACTORS)) for _ in range(dims))
            options["scale_factor"] = factors if rng.integers(2) else factors[0]
            if rng.integers(3):
                options["recompute_scale_factor"] = bool(rng.integers(2))
        if mode[1:] in ("inear", "ilinear", "icubic", "rilinear"):
            options["align_corners"] = bool(rng.integers(2))
        if mode in ("bilinear", "bicubic") and rng.integers(3) == 0:
            options["antialias"] = True
        out = _output_shape(shape, options)
        if min(out) > 0 and not _torchs_departure(shape, out, options):
            return shape, options


def _output_shape(shape, options):
    spatial = shape[2:]
    if "size" in options:
        size = options["size"]
        return size if isinstance(size, tuple) else (size,) * len(spatial)
    factors = options["scale_factor"]
    factors = factors if isinstance(factors, tuple) else (factors,) * len(spatial)
    return tuple(int(np.floor(n * f)) for n, f in zip(spatial, factors))


def _torchs_departure(shape, out, options):
    """The cases the module's docstring names, where torch is compared with the truth below instead."""
    if options.get("antialias") and out[-1] == 1 and out[0] != shape[2]:
        return True
    if options["mode"] != "nearest" or len(out) == 2 or "scale_factor" not in options:
        return False
    return any(o in (n, 2 * n) and f != o / n for n, o, f in _factors(shape, out, options))


def _factors(shape, out, options):
    factors = options["scale_factor"]
    factors = factors if isinstance(factors, tuple) else (factors,) * len(out)
    if options.get("recompute_scale_factor"):
        factors = tuple(o / n for n, o in zip(shape[2:], out))
    return zip(shape[2:], out, factors)


def _run(seed, dtype):
    shape, options = _case(seed)
    x = np.random.default_rng(seed).uniform(-2, 2, shape)
    check(lambda x: F.interpolate(x, **options), lambda x: TF.interpolate(x, **options), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(6))
def test_random_options_match_torch(seed, dtype):
    _run(seed, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(6, 156))
def test_more_random_options_match_torch(seed, dtype):
    _run(seed, dtype)


@pytest.mark.parametrize(
    "shape, factor", [((1, 1, 2), 1.3), ((1, 1, 3), 1.2), ((1, 1, 5), 2.1), ((1, 1, 2, 2, 2), 1.3), ((2, 2, 4), 1.1)]
)
def test_nearest_gradient_is_its_forwards_derivative_where_torchs_is_not(shape, factor):
    """Distinct inputs show which pixel each output read; each pixel's gradient is the sum of the upstream
    weights of the outputs that read it. The forward is torch's."""
    x = np.arange(1.0, np.prod(shape) + 1).reshape(shape)
    w = np.random.default_rng(0).uniform(0.5, 1.5, F.interpolate(Tensor(x), scale_factor=factor).shape)
    leaf = Tensor(x, requires_grad=True)
    out = F.interpolate(leaf, scale_factor=factor)
    (out * Tensor(w)).sum().backward()
    np.testing.assert_array_equal(out.data, TF.interpolate(torch.tensor(x), scale_factor=factor).numpy())
    read = out.data.reshape(out.shape[:2] + (-1,))
    flat_w = w.reshape(read.shape)
    truth = np.zeros(x.shape[:2] + (x[0, 0].size,))
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            np.add.at(truth[n, c], np.searchsorted(x[n, c].ravel(), read[n, c]), flat_w[n, c])
    np.testing.assert_array_equal(np.asarray(leaf.grad), truth.reshape(x.shape))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(15, 1), (3, 1), (9, 1)])
def test_antialias_to_one_column_resamples_the_height_where_torchs_does_not(size, mode, align_corners, dtype):
    """The truth: torch's resampling of the height alone, the width (1 and 3 columns) kept, then narrowed
    to one column by torch's own antialiased filter."""
    x = np.random.default_rng(size[0]).uniform(-1, 1, (2, 2, 6, 3)).astype(dtype)
    options = dict(mode=mode, align_corners=align_corners, antialias=True)
    height = TF.interpolate(torch.tensor(x), size=(size[0], 3), **options)
    truth = TF.interpolate(height, size=size, **options).numpy()
    tolerance = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(F.interpolate(Tensor(x), size=size, **options).data, truth, **tolerance)
    column = x[..., :1]
    height_alone = TF.interpolate(torch.tensor(column).expand(-1, -1, -1, 3), size=(size[0], 3), **options)
    np.testing.assert_allclose(
        F.interpolate(Tensor(column), size=size, **options).data, height_alone.numpy()[..., :1], **tolerance
    )
