"""The 3-d padding layers (ZeroPad3d, ConstantPad3d, ReflectionPad3d, ReplicationPad3d, CircularPad3d) and
lp_pool3d / LPPool3d against torch's: forward and gradients in float64 and float32 (second derivatives of
lp_pool3d), batched, unbatched and an empty batch where torch takes one, negative widths that crop, every
option (stride, ceil_mode, p = ±inf, a window summing to 0); signatures and reprs; the mistakes refused."""

import inspect

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn import functional as ours

RNG = np.random.default_rng(43)
X5 = RNG.standard_normal((2, 3, 4, 5, 6))
X4 = X5[0]  # one example, without its batch axis
EMPTY = np.zeros((0, 3, 4, 5, 6))
T = torch.nn

# (ours, torch's, the input)
PADS = [
    (nn.ZeroPad3d(1), T.ZeroPad3d(1), X5),
    (nn.ZeroPad3d((1, 0, 2, 1, 0, 3)), T.ZeroPad3d((1, 0, 2, 1, 0, 3)), X4),
    (nn.ConstantPad3d(2, 3.5), T.ConstantPad3d(2, 3.5), X5),
    (nn.ConstantPad3d((1, -2, 0, 1, -1, 2), -1.0), T.ConstantPad3d((1, -2, 0, 1, -1, 2), -1.0), X5),
    (nn.ReflectionPad3d((1, 2, 3, 1, 2, 0)), T.ReflectionPad3d((1, 2, 3, 1, 2, 0)), X5),
    (nn.ReflectionPad3d(2), T.ReflectionPad3d(2), X4),
    (nn.ReflectionPad3d((-1, 2, 1, 0, 0, 1)), T.ReflectionPad3d((-1, 2, 1, 0, 0, 1)), X5),
    (nn.ReplicationPad3d(3), T.ReplicationPad3d(3), X5),
    (nn.ReplicationPad3d((0, 2, 1, 3, 4, 0)), T.ReplicationPad3d((0, 2, 1, 3, 4, 0)), X4),
    (nn.CircularPad3d(1), T.CircularPad3d(1), X5),
    (nn.CircularPad3d((2, 0, 1, 3, 0, 2)), T.CircularPad3d((2, 0, 1, 3, 0, 2)), X4),
    (nn.ZeroPad3d(1), T.ZeroPad3d(1), EMPTY),
    (nn.ConstantPad3d((1, 0, 0, 1, 1, 1), 2.0), T.ConstantPad3d((1, 0, 0, 1, 1, 1), 2.0), EMPTY),
    (nn.CircularPad3d(1), T.CircularPad3d(1), EMPTY),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("ours_layer", "theirs", "x"), PADS, ids=[f"{c[0]!r} {c[2].shape}" for c in PADS]
)  # fmt: skip
def test_each_3d_pad_is_torch_s(ours_layer, theirs, x, dtype):
    check(ours_layer, theirs, [x], dtype, second=False)  # linear in x: no second derivative to compare


POSITIVE5 = np.abs(X5) + 0.2
# windows of 2 x 2 x 2 wholly zero: their sum is 0, where torch's gradient is 0
ZEROS5 = np.where(np.arange(6) < 4, 0.0, X5)
LP = {
    "p 2": (lambda x: ours.lp_pool3d(x, 2, 2), lambda x: F.lp_pool3d(x, 2, 2), [X5]),
    "p 1.5, (2, 3, 2), stride 1": (
        lambda x: ours.lp_pool3d(x, 1.5, (2, 3, 2), 1),
        lambda x: F.lp_pool3d(x, 1.5, (2, 3, 2), 1),
        [POSITIVE5],
    ),
    "p 3, stride (1, 2, 3), ceil": (
        lambda x: ours.lp_pool3d(x, 3.0, 2, (1, 2, 3), ceil_mode=True),
        lambda x: F.lp_pool3d(x, 3.0, 2, (1, 2, 3), ceil_mode=True),
        [POSITIVE5],
    ),
    "p 1, signs kept": (lambda x: ours.lp_pool3d(x, 1, 2), lambda x: F.lp_pool3d(x, 1, 2), [X5]),
    "p 2, zero windows": (lambda x: ours.lp_pool3d(x, 2, 2), lambda x: F.lp_pool3d(x, 2, 2), [ZEROS5]),
    "p 2, unbatched": (lambda x: ours.lp_pool3d(x, 2, 2), lambda x: F.lp_pool3d(x, 2, 2), [X4]),
    "p inf": (lambda x: ours.lp_pool3d(x, float("inf"), 2), lambda x: F.lp_pool3d(x, float("inf"), 2), [X5]),
    "p -inf": (
        lambda x: ours.lp_pool3d(x, -float("inf"), 3, 2),
        lambda x: F.lp_pool3d(x, -float("inf"), 3, 2),
        [X5],
    ),
    "layer, p 2, ceil": (
        lambda x: nn.LPPool3d(2, 3, 2, True)(x),
        lambda x: T.LPPool3d(2, 3, 2, True)(x),
        [X5],
    ),
}
# torch records no second derivative through max_pool's selection (linear in x: all 0)
FIRST_ONLY = {"p inf", "p -inf"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", LP)
def test_lp_pool3d_is_torch_s(name, dtype):
    mine, theirs, inputs = LP[name]
    check(mine, theirs, inputs, dtype, second=name not in FIRST_ONLY)


def test_an_empty_batch_pools_to_an_empty_batch():
    x = np.zeros((0, 2, 4, 4, 4))
    expected = F.lp_pool3d(torch.from_numpy(x), 2, 2)
    assert ours.lp_pool3d(Tensor(x), 2, 2).shape == tuple(expected.shape) == (0, 2, 2, 2, 2)


def test_layers_take_torch_s_arguments_and_show_as_torch_s():
    names = [f"{kind}Pad3d" for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")]
    for name in [*names, "LPPool3d"]:
        theirs = inspect.signature(getattr(T, name).__init__).parameters
        assert list(inspect.signature(getattr(nn, name).__init__).parameters) == list(theirs), name
        assert name in nn.__all__
    assert list(inspect.signature(ours.lp_pool3d).parameters) == list(inspect.signature(F.lp_pool3d).parameters)
    assert "lp_pool3d" in ours.__all__
    for layer, theirs in [
        (nn.ZeroPad3d(1), T.ZeroPad3d(1)),
        (nn.ConstantPad3d((1, 2, 3, 4, 5, 6), 0.5), T.ConstantPad3d((1, 2, 3, 4, 5, 6), 0.5)),
        (nn.ReflectionPad3d(2), T.ReflectionPad3d(2)),
        (nn.LPPool3d(2, 3), T.LPPool3d(2, 3)),
        (nn.LPPool3d(1.5, (1, 2, 3), 2, True), T.LPPool3d(1.5, (1, 2, 3), 2, True)),
    ]:
        assert repr(layer) == repr(theirs)


def test_mistakes_are_refused_naming_the_fix():
    with pytest.raises(TypeError, match=r"ZeroPad3d: padding must be an int or a tuple of 6 ints"):
        nn.ZeroPad3d((1, 2, 3, 4))
    with pytest.raises(TypeError, match=r"ConstantPad3d: value must be a number"):
        nn.ConstantPad3d(1, "a")
    with pytest.raises(ShapeError, match=r"mode='reflect' pads the last 1, 2 or 3 dims"):
        nn.ReflectionPad3d(1)(Tensor(np.ones((4, 5, 6))))  # 3-d: no channels before the padded dims
    with pytest.raises(ValueError, match="lp_pool3d: norm_type must be a nonzero number"):
        ours.lp_pool3d(Tensor(X5), 0, 2)
    with pytest.raises(ValueError, match="LPPool3d: norm_type must be a nonzero number"):
        nn.LPPool3d(0, 2)
    with pytest.raises(ValueError, match="kernel"):
        nn.LPPool3d(2, 0)
    with pytest.raises(TypeError, match=r"kernel_size must be an int or a tuple of 3 ints, got \(2, 2\)"):
        nn.LPPool3d(2, (2, 2))
