"""More of torch.nn's names against torch 2.13's: Softmax2d, ChannelShuffle and channel_shuffle,
UpsamplingNearest2d and UpsamplingBilinear2d, and the deprecated upsample, upsample_nearest and
upsample_bilinear (warning as torch's). Forward and gradients in float64 and float32 (second derivatives of
the smooth ones), batched, unbatched and empty inputs where torch takes them; signatures and reprs; each
mistake refused naming it."""

import inspect
import warnings

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn import functional as ours

RNG = np.random.default_rng(43)
X3 = RNG.standard_normal((6, 3, 4))
X4 = RNG.standard_normal((2, 6, 3, 4))
X5 = RNG.standard_normal((2, 6, 2, 3, 2))
T = torch.nn


def _quiet(fn):
    """fn with torch's and ours' deprecation warnings silenced (they are tested on their own below)."""

    def run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(*args)

    return run


# (ours, torch's, the input, second derivatives compared)
CASES = {
    "Softmax2d": (nn.Softmax2d(), T.Softmax2d(), X4, True),
    "Softmax2d, unbatched": (nn.Softmax2d(), T.Softmax2d(), X3, True),
    "ChannelShuffle(2)": (nn.ChannelShuffle(2), T.ChannelShuffle(2), X4, False),
    "ChannelShuffle(3), 5-d": (nn.ChannelShuffle(3), T.ChannelShuffle(3), X5, False),
    "channel_shuffle, 3-d, 6 groups": (
        lambda x: ours.channel_shuffle(x, 6),
        lambda x: F.channel_shuffle(x, 6),
        X4[:, :, 0],
        False,
    ),
    "channel_shuffle, 1 group": (lambda x: ours.channel_shuffle(x, 1), lambda x: F.channel_shuffle(x, 1), X4, False),
    "UpsamplingNearest2d scale 2": (
        nn.UpsamplingNearest2d(scale_factor=2),
        T.UpsamplingNearest2d(scale_factor=2),
        X4,
        False,
    ),
    "UpsamplingNearest2d size": (nn.UpsamplingNearest2d((5, 7)), T.UpsamplingNearest2d((5, 7)), X4, False),
    "UpsamplingBilinear2d scale 1.5": (
        nn.UpsamplingBilinear2d(scale_factor=1.5),
        T.UpsamplingBilinear2d(scale_factor=1.5),
        X4,
        True,
    ),
    "UpsamplingBilinear2d size": (nn.UpsamplingBilinear2d(size=(5, 3)), T.UpsamplingBilinear2d(size=(5, 3)), X4, True),
    "upsample linear": (
        _quiet(lambda x: ours.upsample(x, scale_factor=2, mode="linear")),
        _quiet(lambda x: F.upsample(x, scale_factor=2, mode="linear")),
        X4[0],
        True,
    ),
    "upsample bicubic, corners": (
        _quiet(lambda x: ours.upsample(x, (4, 6), None, "bicubic", True)),
        _quiet(lambda x: F.upsample(x, (4, 6), None, "bicubic", True)),
        X4,
        True,
    ),
    "upsample nearest default": (
        _quiet(lambda x: ours.upsample(x, 5)),
        _quiet(lambda x: F.upsample(x, 5)),
        X4,
        False,
    ),
    "upsample_nearest": (
        _quiet(lambda x: ours.upsample_nearest(x, scale_factor=3)),
        _quiet(lambda x: F.upsample_nearest(x, scale_factor=3)),
        X5,
        False,
    ),
    "upsample_bilinear": (
        _quiet(lambda x: ours.upsample_bilinear(x, (7, 5))),
        _quiet(lambda x: F.upsample_bilinear(x, (7, 5))),
        X4,
        True,
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_each_is_torch_s(name, dtype):
    mine, theirs, x, second = CASES[name]
    check(mine, theirs, [x], dtype, second=second)


@pytest.mark.parametrize(
    ("mine", "theirs", "shape"),
    [
        (nn.Softmax2d(), T.Softmax2d(), (0, 3, 2, 2)),
        (nn.ChannelShuffle(2), T.ChannelShuffle(2), (0, 4, 3)),
        (nn.ChannelShuffle(2), T.ChannelShuffle(2), (2, 0, 3)),
        (nn.UpsamplingBilinear2d(scale_factor=2), T.UpsamplingBilinear2d(scale_factor=2), (0, 2, 3, 3)),
    ],
    ids=repr,
)
def test_empty_inputs_are_torch_s(mine, theirs, shape):
    x = np.zeros(shape)
    assert mine(Tensor(x)).shape == tuple(theirs(torch.from_numpy(x)).shape)


def test_the_deprecated_functions_warn_as_torch_s_pointing_at_the_caller():
    x = Tensor(X4)
    for name, args in [("upsample", (None, 2)), ("upsample_nearest", (None, 2)), ("upsample_bilinear", (None, 2))]:
        with pytest.warns(UserWarning, match=f"nn.functional.{name} is deprecated") as seen:
            getattr(ours, name)(x, *args)
        assert [w.filename for w in seen] == [__file__]
        with pytest.warns(UserWarning, match="deprecated"):
            getattr(F, name)(torch.from_numpy(X4), *args)


def test_signatures_and_reprs_are_torch_s():
    for name in ("Softmax2d", "ChannelShuffle", "UpsamplingNearest2d", "UpsamplingBilinear2d"):
        assert name in nn.__all__
        if name != "Softmax2d":  # torch's takes Module's (*args, **kwargs); ours nothing
            theirs = inspect.signature(getattr(T, name).__init__).parameters
            mine = inspect.signature(getattr(nn, name).__init__).parameters
            assert [(p.name, p.default) for p in mine.values()] == [(p.name, p.default) for p in theirs.values()]
    assert list(inspect.signature(ours.channel_shuffle).parameters) == ["input", "groups"]  # torch's: a builtin
    assert F.channel_shuffle.__doc__.startswith("\nchannel_shuffle(input, groups)")
    for name in ("channel_shuffle", "upsample", "upsample_nearest", "upsample_bilinear"):
        assert name in ours.__all__
    for name in ("upsample", "upsample_nearest", "upsample_bilinear"):
        theirs = list(inspect.signature(getattr(F, name)).parameters)
        assert list(inspect.signature(getattr(ours, name)).parameters) == theirs, name
    for mine, theirs in [
        (nn.Softmax2d(), T.Softmax2d()),
        (nn.ChannelShuffle(3), T.ChannelShuffle(3)),
        (nn.UpsamplingNearest2d(scale_factor=2), T.UpsamplingNearest2d(scale_factor=2)),
        (nn.UpsamplingNearest2d((3, 4)), T.UpsamplingNearest2d((3, 4))),
        (nn.UpsamplingBilinear2d(scale_factor=(1.5, 2)), T.UpsamplingBilinear2d(scale_factor=(1.5, 2))),
    ]:
        assert repr(mine) == repr(theirs)
    assert nn.UpsamplingBilinear2d(4).align_corners is True


def test_mistakes_are_refused_naming_the_fix():
    with pytest.raises(ShapeError, match=r"Softmax2d takes input \(N, C, H, W\) or \(C, H, W\), got shape \(2, 3\)"):
        nn.Softmax2d()(Tensor(np.ones((2, 3))))
    with pytest.raises(ShapeError, match=r"Softmax2d takes .* got shape \(1, 2, 3, 4, 5\)"):
        nn.Softmax2d()(Tensor(np.ones((1, 2, 3, 4, 5))))
    with pytest.raises(
        ShapeError,
        match=r"channel_shuffle takes input \(N, C, \*\) .* divisible by groups \(4\), got shape \(2, 6, 3, 4\)",
    ):
        ours.channel_shuffle(Tensor(X4), 4)
    with pytest.raises(ShapeError, match=r"at least 3 dims.*got shape \(2, 6\)"):
        nn.ChannelShuffle(2)(Tensor(np.ones((2, 6))))
    with pytest.raises(ValueError, match="channel_shuffle: groups must be"):
        ours.channel_shuffle(Tensor(X4), 0)
    with pytest.raises(TypeError, match="ChannelShuffle: groups must be"):
        nn.ChannelShuffle(2.0)
    layer = nn.ChannelShuffle(2)
    with pytest.raises(ValueError, match="ChannelShuffle: groups must be"):
        layer.groups = -1
    assert layer.groups == 2
    with pytest.raises(ValueError, match="size"):
        nn.UpsamplingNearest2d()  # neither size nor scale_factor, as torch's interpolate refuses
    with pytest.raises(ShapeError, match="bilinear"):
        nn.UpsamplingBilinear2d(scale_factor=2)(Tensor(X5))


ROWS = RNG.standard_normal((6, 4))
TWINS = np.concatenate([ROWS[:3], ROWS[1:2], np.zeros((2, 4))])  # a row repeated, two rows of zeros: distances 0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("x", [ROWS, TWINS], ids=["rows", "twins"])
def test_pdist_is_torch_s(x, p, dtype):
    check(lambda t: ours.pdist(t, p), lambda t: F.pdist(t, p), [x], dtype, second=False)  # torch's has no second


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [1.5, 2.0, 3.0])
def test_pdist_s_second_derivatives_are_the_norm_s(p, dtype):
    """torch's pdist has no second derivative: compared with torch's norm of the same differences."""
    i, j = np.triu_indices(len(ROWS), 1)
    check(lambda t: ours.pdist(t, p), lambda t: (t[i] - t[j]).norm(p, dim=-1), [ROWS], dtype)


def test_pdist_s_edges_and_refusals_are_torch_s():
    for shape in [(0, 3), (1, 3), (3, 0)]:
        x = np.zeros(shape)
        assert ours.pdist(Tensor(x)).shape == tuple(F.pdist(torch.from_numpy(x)).shape), shape
    assert "pdist" in ours.__all__
    assert list(inspect.signature(ours.pdist).parameters) == ["input", "p"]  # torch's: a builtin, pdist(input, p=2)
    with pytest.raises(
        ShapeError, match=r"pdist takes one set of row vectors \(N, M\) of floats, got float64 of shape \(2, 3, 4\)"
    ):
        ours.pdist(Tensor(np.ones((2, 3, 4))))
    with pytest.raises(TypeError, match=r"pdist takes .* of floats, got int64"):
        ours.pdist(Tensor(np.ones((2, 3), np.int64)))
    with pytest.raises(ValueError, match=r"pdist: p must be a number >= 0, or inf, got -1"):
        ours.pdist(Tensor(ROWS), -1)


# (name, input, the arguments after it): each torch's alias with return_indices=True
WITH_INDICES = [
    ("max_pool1d_with_indices", X4[0], (2,)),
    ("max_pool2d_with_indices", X4, (2, 1, 1, 1, True)),
    ("max_pool3d_with_indices", X5, ((2, 2, 1), None, 0, 1, True)),
    ("adaptive_max_pool1d_with_indices", X4[0], (3,)),
    ("adaptive_max_pool2d_with_indices", X4, ((2, 3),)),
    ("adaptive_max_pool3d_with_indices", X5, (2,)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "x", "args"), WITH_INDICES, ids=[c[0] for c in WITH_INDICES])
def test_the_pools_with_indices_are_torch_s(name, x, args, dtype):
    mine, theirs = getattr(ours, name), getattr(F, name)
    check(lambda t: mine(t, *args)[0], lambda t: theirs(t, *args)[0], [x], dtype, second=False)
    for return_indices in (False, True):  # ignored, as torch's
        _, indices = mine(Tensor(x), *args, return_indices=return_indices)
        expected = theirs(torch.from_numpy(x), *args, return_indices=return_indices)[1].numpy()
        np.testing.assert_array_equal(np.asarray(indices.data), expected)
    assert name in ours.__all__
    assert list(inspect.signature(mine).parameters) == list(inspect.signature(theirs).parameters)
    with pytest.raises(TypeError, match=f"{name}: return_indices must be"):
        mine(Tensor(x), *args, return_indices="yes")
