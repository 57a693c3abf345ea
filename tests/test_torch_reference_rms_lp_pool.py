"""rms_norm and RMSNorm, lp_pool1d/2d and LPPool1d/2d against torch's: forward, gradients and second
derivatives in float64 and float32 (tests/torch_reference.py), every tensor argument differentiable;
eps None as torch's (the machine epsilon of the dtype computed in), a window that sums to 0, ceil_mode's
partial window, p = ±inf; the layers' signatures, defaults and reprs; the mistakes each refuses."""

import inspect

import numpy as np
import pytest
from torch_reference import DTYPES, F, assert_close, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn import functional as ours

RNG = np.random.default_rng(5)
X3 = RNG.standard_normal((2, 3, 7))
X4 = RNG.standard_normal((2, 3, 5, 6))
POSITIVE4 = np.abs(X4) + 0.2
W = RNG.standard_normal((5, 6))
# windows of 2 (and 2 x 2) wholly zero: their sum is 0, where torch's gradient is 0 (sign · relu, flat)
ZEROS3 = np.where(np.arange(7) < 4, 0.0, X3)

CASES = {
    "rms_norm": (lambda x, w: ours.rms_norm(x, (5, 6), w), lambda x, w: F.rms_norm(x, (5, 6), w), [X4, W]),
    "rms_norm, no weight": (lambda x: ours.rms_norm(x, 6), lambda x: F.rms_norm(x, (6,)), [X4]),
    "rms_norm, eps": (lambda x: ours.rms_norm(x, 7, eps=0.5), lambda x: F.rms_norm(x, (7,), eps=0.5), [X3]),
    "rms_norm, near zero": (lambda x: ours.rms_norm(x, 7), lambda x: F.rms_norm(x, (7,)), [X3 * 1e-5]),
    "lp_pool1d, p 2": (lambda x: ours.lp_pool1d(x, 2, 3), lambda x: F.lp_pool1d(x, 2, 3), [X3]),
    "lp_pool1d, p 3, stride, ceil": (
        lambda x: ours.lp_pool1d(x, 3.0, 3, 2, ceil_mode=True),
        lambda x: F.lp_pool1d(x, 3.0, 3, 2, ceil_mode=True),
        [np.abs(X3) + 0.1],
    ),
    "lp_pool1d, p 1, signs kept": (lambda x: ours.lp_pool1d(x, 1, 2), lambda x: F.lp_pool1d(x, 1, 2), [X3]),
    "lp_pool1d, p 2, zero windows": (lambda x: ours.lp_pool1d(x, 2, 2), lambda x: F.lp_pool1d(x, 2, 2), [ZEROS3]),
    "lp_pool1d, p inf": (
        lambda x: ours.lp_pool1d(x, float("inf"), 2),
        lambda x: F.lp_pool1d(x, float("inf"), 2),
        [X3],
    ),
    "lp_pool1d, p -inf": (
        lambda x: ours.lp_pool1d(x, -float("inf"), 3, 2),
        lambda x: F.lp_pool1d(x, -float("inf"), 3, 2),
        [X3],
    ),
    "lp_pool2d, p 2": (lambda x: ours.lp_pool2d(x, 2, 2), lambda x: F.lp_pool2d(x, 2, 2), [X4]),
    "lp_pool2d, p 1.5, (2, 3), stride 1": (
        lambda x: ours.lp_pool2d(x, 1.5, (2, 3), 1),
        lambda x: F.lp_pool2d(x, 1.5, (2, 3), 1),
        [POSITIVE4],
    ),
    "lp_pool2d, p 2, ceil": (
        lambda x: ours.lp_pool2d(x, 2, 2, ceil_mode=True),
        lambda x: F.lp_pool2d(x, 2, 2, ceil_mode=True),
        [X4],
    ),
    "lp_pool2d, p 3, unbatched": (lambda x: ours.lp_pool2d(x, 3, 2), lambda x: F.lp_pool2d(x, 3, 2), [POSITIVE4[0]]),
}
# torch records no second derivative through max_pool's selection (linear in x: all 0)
FIRST_ONLY = {"lp_pool1d, p inf", "lp_pool1d, p -inf"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_each_function_is_torch_s(name, dtype):
    mine, theirs, inputs = CASES[name]
    check(mine, theirs, inputs, dtype, second=name not in FIRST_ONLY)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_rms_norm_eps_none_is_torch_s(dtype):
    """Inputs of 1e-4 whose mean square, 1e-8, is of the size of float32's epsilon (1.2e-7): the output
    shows which epsilon was added. float16 is computed in float32, with float32's (torch's opmath)."""
    x = np.full((2, 4), 1e-4, dtype)
    expected = F.rms_norm(torch.from_numpy(x), (4,)).numpy()
    actual = ours.rms_norm(Tensor(x, dtype=dtype), 4).data
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=1e-3 if dtype == np.float16 else 1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_rms_norm_layer_is_torch_s(dtype):
    theirs = torch.nn.RMSNorm((3, 4)).to(torch.float64 if dtype == np.float64 else torch.float32)
    mine = nn.RMSNorm((3, 4), dtype=dtype)
    weight = RNG.normal(1.0, 0.5, (3, 4)).astype(dtype)
    mine.weight.data = weight.copy()
    theirs.weight.data = torch.from_numpy(weight.copy())
    x = RNG.standard_normal((2, 3, 4)).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    theirs(xt).pow(2).sum().backward()
    xm = Tensor(x, requires_grad=True)
    (mine(xm) ** 2).sum().backward()
    assert_close("gradient in x", xm.grad, xt.grad.numpy(), dtype, "RMSNorm")
    assert_close("gradient in weight", mine.weight.grad, theirs.weight.grad.numpy(), dtype, "RMSNorm")
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["weight"]


def test_layers_take_torch_s_arguments_and_show_as_torch_s():
    for name in ("RMSNorm", "LPPool1d", "LPPool2d"):
        theirs = inspect.signature(getattr(torch.nn, name).__init__).parameters
        assert list(inspect.signature(getattr(nn, name).__init__).parameters) == list(theirs), name
        assert all(p.default == theirs[k].default for k, p in inspect.signature(getattr(nn, name)).parameters.items())
    for name in ("rms_norm", "lp_pool1d", "lp_pool2d"):
        theirs = inspect.signature(getattr(F, name)).parameters
        assert list(inspect.signature(getattr(ours, name)).parameters) == list(theirs), name
    assert repr(nn.RMSNorm(4)) == repr(torch.nn.RMSNorm(4)) == "RMSNorm((4,), eps=None, elementwise_affine=True)"
    assert repr(nn.RMSNorm([3, 4], 1e-3, False)) == repr(torch.nn.RMSNorm([3, 4], 1e-3, False))
    assert nn.RMSNorm(4, elementwise_affine=False).parameters() == []
    assert repr(nn.LPPool2d(2, 3)) == repr(torch.nn.LPPool2d(2, 3))
    assert repr(nn.LPPool1d(1.5, 3, 2)) == repr(torch.nn.LPPool1d(1.5, 3, 2))
    x = RNG.standard_normal((1, 2, 6, 6))
    np.testing.assert_allclose(
        nn.LPPool2d(2, 3, 2, True)(Tensor(x)).data, torch.nn.LPPool2d(2, 3, 2, True)(torch.from_numpy(x)).numpy()
    )


def test_mistakes_are_refused_naming_the_fix():
    with pytest.raises(ShapeError, match=r"rms_norm: normalized_shape \(4,\) must be the last axes"):
        ours.rms_norm(Tensor(np.ones((2, 3))), 4)
    with pytest.raises(ShapeError, match=r"RMSNorm\(\(4,\)\) normalises the last axes.*make normalized_shape"):
        nn.RMSNorm(4)(Tensor(np.ones((2, 3))))
    with pytest.raises(ShapeError, match=r"rms_norm: weight must be of shape \(3,\)"):
        ours.rms_norm(Tensor(np.ones((2, 3))), 3, Tensor(np.ones(2)))
    with pytest.raises(ValueError, match="rms_norm: eps must be"):
        ours.rms_norm(Tensor(np.ones((2, 3))), 3, eps=-1.0)
    with pytest.raises(ValueError, match="RMSNorm: eps must be"):
        nn.RMSNorm(3, eps=float("nan"))
    with (
        np.errstate(over="ignore"),
        pytest.raises(ValueError, match="rms_norm: the 2-norm of the values of its input over"),
    ):
        ours.rms_norm(Tensor(np.full((1, 3), 3e38, np.float32)), 3)
    with pytest.raises(ValueError, match="lp_pool2d: norm_type must be a nonzero number"):
        ours.lp_pool2d(Tensor(X4), 0, 2)
    with pytest.raises(TypeError, match="LPPool1d: norm_type must be a nonzero number"):
        nn.LPPool1d("2", 2)
    with pytest.raises(ValueError, match="LPPool1d: norm_type must be a nonzero number"):
        nn.LPPool1d(0, 2)
    with pytest.raises(ValueError, match="kernel"):
        nn.LPPool2d(2, 0)
