"""interpolate's modes "trilinear", "bicubic" (align_corners both ways) and "area" against torch 2.13:
forward, gradient and second derivative in float64 and float32, by size and by scale_factor (with
recompute_scale_factor too), an axis whose size is kept among them; nn.Upsample in these modes; the
inputs and options both refuse."""

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn import functional as F

TF = torch.nn.functional

CASES = [
    ((2, 2, 4, 5), dict(mode="bicubic", size=(7, 3))),
    ((2, 2, 4, 5), dict(mode="bicubic", scale_factor=(1.7, 2.5))),
    ((2, 2, 4, 5), dict(mode="bicubic", scale_factor=(0.6, 1.3), recompute_scale_factor=True)),
    ((1, 2, 3, 4), dict(mode="bicubic", scale_factor=1.3)),  # 3 rows kept, and mixed at 1 / 1.3 (torch's)
    ((1, 2, 3, 4, 3), dict(mode="trilinear", scale_factor=1.3)),  # 3 kept: copied (torch's linear kernels)
    ((2, 2, 1, 5), dict(mode="bicubic", size=(3, 1))),
    ((2, 2, 3, 4, 3), dict(mode="trilinear", size=(5, 3, 4))),
    ((2, 2, 3, 4, 3), dict(mode="trilinear", scale_factor=(1.5, 0.7, 2.0))),
]
AREA = [
    ((2, 2, 7), dict(mode="area", size=3)),
    ((2, 2, 7, 5), dict(mode="area", scale_factor=(0.5, 1.7))),
    ((2, 2, 7, 5, 4), dict(mode="area", size=(3, 5, 2))),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("shape, options", CASES)
def test_trilinear_and_bicubic_match_torch(shape, options, align_corners, dtype):
    x = np.random.default_rng(40).uniform(-2, 2, shape)
    options = {**options, "align_corners": align_corners}
    check(lambda x: F.interpolate(x, **options), lambda x: TF.interpolate(x, **options), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, options", AREA)
def test_area_is_torch_s_adaptive_average(shape, options, dtype):
    x = np.random.default_rng(41).uniform(-2, 2, shape)
    check(lambda x: F.interpolate(x, **options), lambda x: TF.interpolate(x, **options), [x], dtype)


def test_bicubic_overshoots_as_torch_s_unclamped():
    """A step's cubic interpolation rings past its two levels: torch's CPU kernel keeps that, so does chainrule."""
    x = np.zeros((1, 1, 1, 6))
    x[..., 3:] = 1.0
    out = F.interpolate(Tensor(x), size=(1, 12), mode="bicubic").data
    want = TF.interpolate(torch.tensor(x), size=(1, 12), mode="bicubic").numpy()
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-15)
    assert out.min() < 0 and out.max() > 1


@pytest.mark.parametrize(
    "mode, shape", [("trilinear", (1, 2, 3, 3, 3)), ("bicubic", (1, 2, 3, 3)), ("area", (1, 2, 4, 4))]
)
def test_upsample_layer_in_the_new_modes(mode, shape):
    options = {"scale_factor": 2, "mode": mode} | ({} if mode == "area" else {"align_corners": True})
    ours, theirs = nn.Upsample(**options), torch.nn.Upsample(**options)
    x = np.random.default_rng(42).uniform(-1, 1, shape)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-13, atol=1e-14)
    assert repr(ours) == repr(theirs)


BAD = {
    "trilinear of images": (
        lambda: F.interpolate(Tensor(np.ones((1, 1, 2, 2))), scale_factor=2, mode="trilinear"),
        ShapeError,
        r"interpolate with mode 'trilinear' takes input \(N, C, D, H, W\), got shape \(1, 1, 2, 2\)",
    ),
    "bicubic of volumes": (
        lambda: F.interpolate(Tensor(np.ones((1, 1, 2, 2, 2))), scale_factor=2, mode="bicubic"),
        ShapeError,
        r"interpolate with mode 'bicubic' takes input \(N, C, H, W\)",
    ),
    "area of 4 spatial axes": (
        lambda: F.interpolate(Tensor(np.ones((1, 1, 2, 2, 2, 2))), scale_factor=2, mode="area"),
        ShapeError,
        r"mode 'area' takes input \(N, C, L\) or \(N, C, H, W\) or \(N, C, D, H, W\)",
    ),
    "area with align_corners": (
        lambda: nn.Upsample(scale_factor=2, mode="area", align_corners=False),
        ValueError,
        r"interpolate: align_corners is for the modes linear, bilinear, bicubic, trilinear, not area",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_clear_error(case):
    call, kind, message = BAD[case]
    with pytest.raises(kind, match=message):
        call()
