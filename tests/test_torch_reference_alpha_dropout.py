"""AlphaDropout, FeatureAlphaDropout (alpha_dropout, feature_alpha_dropout) against PyTorch: each entry (channel)
kept as a·x + S·a·p or dropped to S·a·(p - 1), torch's two values in float64 and float32; a standard input keeps
mean 0 and variance 1 as torch's; the gradient is a where kept, 0 where dropped; eval mode and the functions'
default training=False pass x; a compiled step draws new masks and gives eager's numbers; refusals."""

import numpy as np
import pytest
from compile_cases import OPTIMIZERS, assert_same, batches, replays, train
from torch_reference import torch  # without torch: skipped

import autograd
import nn
from autograd import ShapeError, Tensor
from nn import functional as F

S = 1.7580993408473766


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_takes_torchs_values(dtype, p, feature):
    x = np.random.default_rng(0).standard_normal((40, 30, 5)).astype(dtype)
    name = "feature_alpha_dropout" if feature else "alpha_dropout"
    theirs = getattr(torch.nn.functional, name)(torch.tensor(x), p, True).numpy()
    a = 1 / np.sqrt((S * S * p + 1) * (1 - p))
    autograd.manual_seed(0)
    t = Tensor(x, requires_grad=True)
    ours = getattr(F, name)(t, p, True)
    ours.sum().backward()
    drops = []
    for out in (ours.data, theirs):
        assert out.dtype == dtype
        dropped = np.isclose(out, S * a * (p - 1), rtol=0, atol=4 * np.finfo(dtype).eps)
        np.testing.assert_allclose(out[dropped], S * a * (p - 1), rtol=8 * np.finfo(dtype).eps)
        kept = out[~dropped]
        np.testing.assert_allclose(
            kept, x[~dropped] * a + S * a * p, rtol=8 * np.finfo(dtype).eps, atol=8 * np.finfo(dtype).eps
        )
        if feature:  # whole channels
            assert np.all(dropped == dropped[:, :, :1])
        assert abs(dropped.mean() - p) < 0.07
        drops.append(dropped)
    np.testing.assert_allclose(t.grad, np.where(drops[0], 0, np.asarray(a, dtype)), rtol=np.finfo(dtype).eps)


def test_a_standard_input_keeps_mean_0_and_variance_1_as_torchs():
    x = np.random.default_rng(1).standard_normal(400000)
    autograd.manual_seed(1)
    for p in (0.05, 0.3, 0.6):
        ours = F.alpha_dropout(Tensor(x), p, True).data
        theirs = torch.nn.functional.alpha_dropout(torch.tensor(x), p, True).numpy()
        for out in (ours, theirs):
            assert abs(out.mean()) < 0.01 and abs(out.var() - 1) < 0.01


def test_eval_mode_and_the_functions_default_pass_x():
    x = Tensor(np.ones((2, 3, 4)))
    assert F.alpha_dropout(x, 0.5) is x and F.feature_alpha_dropout(x, 0.5) is x  # training=False, as torch's
    assert nn.AlphaDropout(0.5).eval()(x) is x and nn.FeatureAlphaDropout(0.5).eval()(x) is x
    assert repr(nn.AlphaDropout(0.2)) == "AlphaDropout(p=0.2)"  # as nn.Dropout's: inplace changes nothing here


@pytest.mark.parametrize("layer", [nn.AlphaDropout, nn.FeatureAlphaDropout])
def test_a_compiled_step_with_alpha_dropout_gives_eagers_numbers(layer):
    def make():
        return nn.Sequential(
            nn.Linear(4, 6, seed=0, dtype=np.float64),
            nn.SELU(),
            layer(0.3, seed=2),
            nn.Linear(6, 3, seed=1, dtype=np.float64),
        )

    (eager, _), (compiled, run) = (
        train(make, OPTIMIZERS["sgd"], batches((5, 4), 3, 5), compiled=c) for c in (False, True)
    )
    assert_same(eager, compiled)
    assert replays(run) == 1


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.alpha_dropout(Tensor(np.ones(3)), 1.0, True), ValueError, "p must be"),
        (lambda: F.alpha_dropout(Tensor(np.ones(3)), -0.1, True), ValueError, "p must be"),
        (lambda: F.alpha_dropout(Tensor(np.ones(3)), 0.5, "yes"), TypeError, "training must be True or False"),
        (lambda: F.alpha_dropout(Tensor(np.ones(3, int)), 0.5, True), TypeError, "floating-point"),
        (lambda: F.feature_alpha_dropout(Tensor(np.ones(3)), 0.5, True), ShapeError, r"\(N, C, ...\), at least 2-d"),
        (lambda: nn.FeatureAlphaDropout(0.5)(Tensor(np.ones(3))), ShapeError, "FeatureAlphaDropout drops channels"),
        (lambda: nn.AlphaDropout(1.5), ValueError, "p must be"),
    ],
)
def test_alpha_dropout_refuses(call, error, message):
    with pytest.raises(error, match=message):
        call()
