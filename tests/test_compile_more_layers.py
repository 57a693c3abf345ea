"""The layers added from PyTorch under autograd.compile: a training step using each replays with eager's
numbers, bit for bit, strictly (no eager fallback, no warning), over several calls; PReLU's learned
slopes and a model of nn.Parameters are trained through the replays."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed

import autograd
import nn
from autograd import Tensor
from nn import functional as F

CALLS = 6
_RNG = np.random.default_rng(11)
BATCHES = [(_RNG.standard_normal((3, 4, 4, 4)), _RNG.integers(0, 3, 3)) for _ in range(CALLS)]


class _ChannelDistances(nn.Module):
    """pdist of each image's 4 channels (as rows of 16): 6 distances an image. (A p other than 0, 1, 2 or inf
    scales by each row's largest entry, a constant a compiled step runs eagerly, as cdist's.)"""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        return autograd.stack([F.pdist(x[n].reshape(4, 16), self.p) for n in range(x.shape[0])])


class _PooledWithIndices(nn.Module):
    """F.max_pool2d_with_indices's output, then its indices unpooled (the maxima back in place)."""

    def forward(self, x):
        out, indices = F.max_pool2d_with_indices(x, 2)
        return F.max_unpool2d(out, indices, 2) + F.adaptive_max_pool2d_with_indices(x, 3)[0].mean()


# each maps (N, 4, 4, 4) images to a Tensor the head flattens; with parameters or without
BODIES = {
    "PReLU per channel": lambda: nn.PReLU(4, 0.1),
    "PReLU shared": lambda: nn.PReLU(),
    "GLU": lambda: nn.GLU(1),
    "LogSoftmax": lambda: nn.LogSoftmax(1),
    "Softmin": lambda: nn.Softmin(1),
    "Threshold": lambda: nn.Threshold(0.1, -1.0),
    "Hardshrink": lambda: nn.Hardshrink(),
    "Softshrink": lambda: nn.Softshrink(0.2),
    "Tanhshrink": lambda: nn.Tanhshrink(),
    "ReflectionPad2d": lambda: nn.ReflectionPad2d((1, 2, 0, 1)),
    "CircularPad2d": lambda: nn.CircularPad2d(1),
    "ConstantPad2d": lambda: nn.ConstantPad2d(1, 0.5),
    "PixelShuffle": lambda: nn.PixelShuffle(2),
    "PixelUnshuffle": lambda: nn.PixelUnshuffle(2),
    "Unflatten": lambda: nn.Unflatten(1, (2, 2)),
    "Upsample nearest": lambda: nn.Upsample(scale_factor=1.5),
    "Upsample bilinear": lambda: nn.Upsample(size=(5, 7), mode="bilinear"),
    "Upsample bicubic": lambda: nn.Upsample(size=(5, 7), mode="bicubic", align_corners=True),
    "Upsample area": lambda: nn.Upsample(size=(3, 5), mode="area"),
    # the 3-d layers on the channels read as depth: (N, 1, 4, 4, 4)
    "3-d layers": lambda: nn.Sequential(
        nn.Unflatten(1, (1, 4)),
        nn.Conv3d(1, 2, 3, padding=1, padding_mode="reflect", seed=2),
        # in eval: normalising by the batch reads its numbers in training (BatchNorm2d and InstanceNorm2d too),
        # a step compile runs eagerly and says so
        nn.BatchNorm3d(2).eval(),
        nn.MaxPool3d(2, 1),
        nn.ConvTranspose3d(2, 2, 2, stride=2, seed=3),
        nn.AvgPool3d(2, ceil_mode=True, count_include_pad=False, padding=1),
        nn.AdaptiveAvgPool3d((3, 2, 3)),
        nn.Upsample(scale_factor=1.5, mode="trilinear"),
    ),
    # the 3-d pads and LPPool3d, on the channels read as depth too: (N, 1, 4, 4, 4)
    "3-d pads and LPPool3d": lambda: nn.Sequential(
        nn.Unflatten(1, (1, 4)),
        nn.ReflectionPad3d((1, 2, 0, 1, 2, 1)),
        nn.ReplicationPad3d(1),
        nn.CircularPad3d((0, 1, 1, 0, 1, 1)),
        nn.ConstantPad3d((1, -1, 0, 1, -1, 0), 0.5),
        nn.ZeroPad3d(1),
        nn.LPPool3d(2, 2, 1),
        nn.LPPool3d(1.5, (2, 3, 2), ceil_mode=True),
    ),
    "LocalResponseNorm": lambda: nn.LocalResponseNorm(3, 0.5, 0.75, 2.0),
    "LocalResponseNorm, even size": lambda: nn.LocalResponseNorm(2, 1.0, 1.5),
    "Softmax2d": lambda: nn.Softmax2d(),
    "ChannelShuffle": lambda: nn.Sequential(nn.ChannelShuffle(2), nn.Conv2d(4, 4, 1, seed=4, dtype=np.float64)),
    "UpsamplingNearest2d": lambda: nn.UpsamplingNearest2d(scale_factor=2),
    "UpsamplingBilinear2d": lambda: nn.UpsamplingBilinear2d((5, 7)),
    "pdist": lambda: _ChannelDistances(2.0),
    "pdist, p inf": lambda: _ChannelDistances(float("inf")),
    "LayerNorm": lambda: nn.LayerNorm((4, 4)),
    "GroupNorm": lambda: nn.GroupNorm(2, 4),
}


class _Net(nn.Module):
    def __init__(self, body):
        self.stem = nn.Conv2d(4, 4, 1, seed=0, dtype=np.float64)
        self.body = body.double() if body.parameters() else body
        features = self.body(Tensor(np.zeros((1, 4, 4, 4)))).size
        self.head = nn.Linear(features, 3, seed=1, dtype=np.float64)

    def forward(self, x):
        y = self.body(self.stem(x))
        return self.head(y.reshape(y.shape[0], -1))


def _trained(compile, make_body):
    model = _Net(make_body())
    opt = nn.Adam(model.parameters(), lr=0.05)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    run = compile(step)
    return [(run(Tensor(x), y), [p.data.copy() for p in model.parameters()]) for x, y in BATCHES]


@pytest.mark.parametrize("name", BODIES)
def test_a_step_through_each_layer_replays_eager_s_numbers(name, monkeypatch):
    check_replayed(lambda compile: _trained(compile, BODIES[name]), monkeypatch, replays_at_least=CALLS - 2)


def test_prelu_s_slopes_are_trained_by_the_replays(monkeypatch):
    slopes = []

    def scenario(compile):
        out = _trained(compile, BODIES["PReLU per channel"])
        slopes.append(out[-1][1][2])  # stem's weight and bias, then PReLU's weight
        return out

    check_replayed(scenario, monkeypatch, replays_at_least=CALLS - 2)
    assert not np.allclose(slopes[-1], 0.1)


def test_fit_compiled_trains_a_prelu_glu_model_as_eagerly():
    """nn.fit(compile=True): no CompileWarning (every step after the recorded ones replays), eager's numbers."""
    x = np.random.default_rng(0).standard_normal((48, 6)).astype(np.float32)
    labels = np.random.default_rng(1).integers(0, 3, 48)

    def fit(compiled):
        model = nn.Sequential(nn.Linear(6, 16, seed=0), nn.PReLU(), nn.GLU(), nn.Linear(8, 3, seed=1))
        opt = nn.Adam(model.parameters(), lr=0.01)
        history = nn.fit(model, F.cross_entropy, opt, (x, labels), epochs=2, verbose=False, compile=compiled)
        return history.loss, [p.data.copy() for p in model.parameters()]

    eager = fit(False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = fit(True)
    assert eager[0] == compiled[0]
    for a, b in zip(eager[1], compiled[1]):
        np.testing.assert_array_equal(a, b)


def test_a_step_through_the_pools_with_indices_runs_eagerly_and_says_why(monkeypatch):
    """F.max_pool2d_with_indices and adaptive_max_pool2d_with_indices are max_pool2d(return_indices=True) and
    its adaptive form: indices found in the step's numbers, which a replay cannot find again; eager's numbers
    with a CompileWarning (strict: a CompileError), as the pools' return_indices=True."""
    replays = check_refused(
        lambda compile: _trained(compile, _PooledWithIndices), r"max_pool2d\(return_indices=True\)", monkeypatch
    )
    assert replays == 0
