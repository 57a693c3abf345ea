"""autograd.pad's edges as PyTorch's F.pad: a negative width crops its side (every mode: a reflection
or replication of the whole axis, then cropped; a circle of what the crops leave), and the modes
besides 'constant' take PyTorch's ranks only. Forward, gradient and second derivative against
torch, gradients against central finite differences in float64."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import autograd
from autograd import ShapeError, gradcheck

MODES = ["constant", "reflect", "replicate", "circular"]
CROPS = [
    ((2, 5), (-1, 2)),
    ((2, 5), (2, -1)),
    ((2, 5), (-1, -1)),
    ((2, 5), (-1, 4)),  # a reflection of the whole axis: 4 < 5, though 4 entries are left
    ((2, 5), (-6, 4)),  # cropped past the end of the reflection's start
    ((2, 5), (-4, 1)),
    ((2, 3, 4), (-1, 2, -1, 2)),
    ((2, 3, 4), (1, 1, -1, -1)),
    ((1, 2, 3, 4), (-1, 1, 1, -1)),
    ((1, 2, 3, 3, 4), (1, -2, -1, 0, 1, 1)),
]


def _allowed_by_torch(x, widths, mode):
    try:
        F.pad(torch.tensor(x), widths, mode)
    except (RuntimeError, NotImplementedError):
        return False
    return True


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, widths", CROPS)
def test_a_negative_width_crops_as_pytorch(shape, widths, mode, dtype):
    x = np.random.default_rng(0).uniform(-1, 1, shape)
    if not _allowed_by_torch(x, widths, mode):  # (-6, 4): a constant pad or a circle crops more than 5
        with pytest.raises(ShapeError, match="crop 6 entries from axis 1 of length 5"):
            autograd.pad(x, widths, mode)
        return
    check(lambda x: autograd.pad(x, widths, mode), lambda x: F.pad(x, widths, mode), [x], dtype)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, widths", CROPS[:4] + CROPS[6:])
def test_a_cropping_pad_s_gradient_is_its_finite_differences(shape, widths, mode):
    x = np.random.default_rng(1).uniform(-1, 1, shape)
    assert gradcheck(lambda t: autograd.pad(t, widths, mode), [x])


def test_a_crop_to_nothing_is_empty_where_pytorch_s_is():
    """A constant pad and a circle may crop an axis to no entries; a reflection and a replication keep one."""
    x = np.arange(10.0).reshape(2, 5)
    for mode in ("constant", "circular"):
        assert autograd.pad(x, (-2, -3), mode).shape == tuple(F.pad(torch.tensor(x), (-2, -3), mode).shape) == (2, 0)
    for mode in ("reflect", "replicate"):
        with pytest.raises(ShapeError, match=f"mode='{mode}' with widths \\(-2, -3\\) leaves 0 entries .* at least 1"):
            autograd.pad(x, (-2, -3), mode)


def test_a_circle_pads_at_most_what_its_crops_leave():
    """PyTorch's circle wraps the cropped axis: (-1, 4) of 5 wraps 4 entries by 4; (-1, 5) is refused there
    (an overlap error), while (-5, 1), and (2, -2) of 3 beside another dim's pad, return uninitialised
    entries; each is refused here, naming the limit."""
    x = np.arange(10.0).reshape(2, 5)
    np.testing.assert_array_equal(autograd.pad(x, (-1, 4), "circular").data[0], [1, 2, 3, 4, 1, 2, 3, 4])
    with pytest.raises(ShapeError, match=r"axis 1 of length 5 \(4 left after cropping\) by 5, more than its 4"):
        autograd.pad(x, (-1, 5), "circular")
    with pytest.raises(ShapeError, match=r"\(0 left after cropping\) by 1, more than its 0"):
        autograd.pad(x, (-5, 1), "circular")
    with pytest.raises(ShapeError, match=r"axis 2 of length 3 \(1 left after cropping\) by 2, more than its 1"):
        autograd.pad(np.ones((1, 2, 3, 4)), (-1, 1, 2, -2), "circular")  # PyTorch's: uninitialised rows


def test_a_reflection_pads_less_than_its_axis():
    x = np.arange(10.0).reshape(2, 5)
    with pytest.raises(ShapeError, match="axis 1 of length 5 by 5, more than its 4 allow"):
        autograd.pad(x, (-1, 5), "reflect")


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "ndim, pairs", [(n, k) for n in range(1, 7) for k in range(1, 5) if k <= n]
)  # more pairs than dims: a ValueError of its own (test_shapes_breadth)
def test_a_mode_pads_the_ranks_pytorch_s_does(mode, ndim, pairs):
    """A flat pad of k pairs (k of 1 to 3) fits an input of k + 1 or k + 2 dims, as PyTorch's; elsewhere
    PyTorch raises, and so does pad, naming what fits."""
    x = np.random.default_rng(2).uniform(-1, 1, (2,) * ndim)
    widths = (1, 1) * pairs
    if _allowed_by_torch(x, widths, mode):
        check(lambda x: autograd.pad(x, widths, mode), lambda x: F.pad(x, widths, mode), [x], np.float64)
        return
    with pytest.raises(ShapeError, match=f"mode='{mode}' pads the last 1, 2 or 3 dims .* of a {ndim}-d input"):
        autograd.pad(x, widths, mode)


@pytest.mark.parametrize(
    "shape, widths, fits",
    [
        ((3, 5), ((0, 0), (1, 2)), True),  # one example's channels, then one padded dim
        ((2, 3, 4, 5), ((0, 0), (0, 0), (0, 0), (1, 1)), True),  # PyTorch's (1, 1, 0, 0)
        ((2, 3, 4, 5), ((0, 0), (1, 0), (1, 1), (1, 1)), True),
        ((2, 3, 4, 5), ((1, 0), (0, 0), (1, 1), (1, 1)), False),  # the batch padded
        ((5,), ((1, 1),), False),
        ((1, 1, 2, 2, 2, 2), ((0, 0),) * 5 + ((1, 1),), False),  # 6 dims: no flat pad fits
    ],
)
def test_numpy_s_pad_width_fits_where_a_flat_pad_of_pytorch_s_would(shape, widths, fits):
    x = np.random.default_rng(3).uniform(-1, 1, shape)
    if fits:
        flat = [w for pair in widths[::-1] for w in pair][: 2 * min(len(shape) - 1, 3)]
        np.testing.assert_array_equal(
            autograd.pad(x, widths, "reflect").data, F.pad(torch.tensor(x), flat, "reflect").numpy()
        )
    else:
        with pytest.raises(ShapeError, match="mode='reflect' pads the last 1, 2 or 3 dims .* name as many dims"):
            autograd.pad(x, widths, "reflect")


def test_numpy_s_pad_width_does_not_crop():
    """numpy's np.pad refuses a negative width; a crop is PyTorch's flat pad's, and the error says so."""
    with pytest.raises(ValueError, match=r"numpy's pad_width is non-negative, got -1; to crop, give PyTorch's"):
        autograd.pad(np.ones((2, 3)), -1)
