"""ConvTranspose1d/2d/3d's forward(x, output_size=...) against PyTorch 2.13: a stride above 1 leaves the
output's size open (a Conv2d of stride 2 maps 7 and 8 pixels both to 4), and output_size picks it, as a
decoder mirroring an encoder does. Every size PyTorch takes, given as the spatial sizes or as the whole
shape (with and without the batch axis), gives torch's output and gradients (copied weights, float64 and
float32); a size out of range, of the wrong length or no ints is one clear error, the layer unchanged."""

import itertools

import numpy as np
import pytest
from module_reference import TORCH_DTYPE, compare
from torch_reference import DTYPES, torch  # without torch: skipped

import nn

# (dims, in, out, kernel, stride, padding, dilation, groups, spatial input size)
GEOMETRIES = [
    (1, 2, 3, 3, 2, 1, 1, 1, 4),
    (2, 2, 2, 3, 3, 1, 2, 2, 3),
    (2, 1, 2, 2, 2, 0, 1, 1, 2),
    (3, 2, 2, 2, 2, 0, 1, 2, 2),
]


def _layers(dims, c_in, c_out, k, s, p, d, g, dtype, output_padding=0):
    name = f"ConvTranspose{dims}d"
    options = dict(stride=s, padding=p, dilation=d, groups=g, output_padding=output_padding)
    ours = getattr(nn, name)(c_in, c_out, k, dtype=dtype, **options)
    return ours, getattr(torch.nn, name)(c_in, c_out, k, dtype=TORCH_DTYPE[np.dtype(dtype)], **options)


def _sizes(geometry):
    """Every size each axis may take (the smallest the geometry gives, up to stride - 1 more)."""
    dims, _, _, k, s, p, d, _, n = geometry
    smallest = (n - 1) * s - 2 * p + d * (k - 1) + 1
    return smallest, [tuple(v) for v in itertools.product(range(smallest, smallest + s), repeat=dims)][::3]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_output_size_gives_torchs_output_and_gradients(geometry, dtype):
    dims, c_in, *_, n = geometry
    x = np.random.default_rng(dims).uniform(-1, 1, (2, c_in, *(n,) * dims)).astype(dtype)
    for size in _sizes(geometry)[1]:
        ours, theirs = _layers(*geometry[:-1], dtype, output_padding=1 if geometry[4] > 1 else 0)  # overridden
        for whole in (size, (2, ours.out_channels, *size), list(size)):
            call = lambda m, x, whole=whole: m(x, output_size=whole)  # noqa: E731
            compare(ours, theirs, [x], call, dtype, f"{geometry} output_size={whole}")
            assert ours(x, output_size=whole).shape[2:] == size


def test_output_size_of_an_example_without_its_batch_axis():
    ours, theirs = _layers(2, 2, 2, 3, 2, 1, 1, 1, np.float64)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 3))
    for whole in ((6, 5), (2, 6, 5)):
        compare(ours, theirs, [x], lambda m, x, w=whole: m(x, output_size=w), np.float64, f"unbatched {whole}")


def test_output_size_none_is_the_layers_own_output_padding():
    ours, _ = _layers(2, 2, 2, 3, 2, 1, 1, 1, np.float64, output_padding=1)
    x = np.ones((1, 2, 3, 3))
    assert ours(x, output_size=None).shape == ours(x).shape == (1, 2, 6, 6)


BAD = [
    ((7, 5), ValueError, "output_size 7 along spatial axis 0 is out of range: an input of 3 gives 5 to 6"),
    ((4, 5), ValueError, "output_size 4 along spatial axis 0 is out of range: an input of 3 gives 5 to 6"),
    ((5,), ValueError, "output_size must have 2 sizes (or 4, the whole shape), got 1"),
    ((1, 2, 5, 6, 1), ValueError, "output_size must have 2 sizes (or 4, the whole shape), got 5"),
    (6, TypeError, "output_size must be a sequence of ints (the output's spatial sizes)"),
    ((5.0, 6), TypeError, "output_size must hold ints, got (5.0, 6)"),
    ("56", TypeError, "output_size must be a sequence of ints"),
]


@pytest.mark.parametrize("size, error, message", BAD, ids=str)
def test_a_bad_output_size_is_one_clear_error(size, error, message):
    layer = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    before = layer.weight.data.copy()
    with pytest.raises(error, match="^ConvTranspose2d: " + message.replace("(", r"\(").replace(")", r"\)")):
        layer(np.ones((1, 2, 3, 3)), output_size=size)
    np.testing.assert_array_equal(layer.weight.data, before)
    assert layer.output_padding == 0
