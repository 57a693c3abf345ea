"""Dropout1d and Dropout3d (dropout1d, dropout3d) against PyTorch: torch's shapes taken (with and without the
batch axis), each channel of each sample kept whole and scaled by 1 / (1 - p) or zeroed, the gradient the mask,
eval mode x itself; a compiled step draws new masks on each replay and gives eager's numbers; bad input refused."""

import numpy as np
import pytest
from compile_cases import OPTIMIZERS, assert_same, batches, replays, train
from torch_reference import torch  # without torch: skipped

import autograd
import nn
from autograd import ShapeError, Tensor
from nn import functional as F

CASES = [("1d", (4, 6, 5)), ("1d", (6, 5)), ("3d", (3, 4, 2, 3, 2)), ("3d", (4, 2, 3, 2)), ("2d", (3, 4, 2, 3))]


@pytest.mark.parametrize(("kind", "shape"), CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_channel_dropout_drops_torchs_channels(kind, shape, dtype):
    spatial = {"1d": 1, "2d": 2, "3d": 3}[kind]
    p = 0.4
    x = np.random.default_rng(0).uniform(0.5, 1.5, shape).astype(dtype)
    theirs = getattr(torch.nn.functional, f"dropout{kind}")(torch.tensor(x), p).numpy()
    autograd.manual_seed(1)
    scaled = x * np.asarray(1 / (1 - p), dtype)
    assert np.array_equal(theirs[theirs != 0], scaled[theirs != 0])  # torch's scale, to the last bit
    for call in (lambda t: getattr(F, f"dropout{kind}")(t, p), getattr(nn, f"Dropout{kind}")(p)):
        t = Tensor(x, requires_grad=True)
        out = call(t)
        out.sum().backward()
        for ours, whole in ((out.data, scaled), (t.grad, np.full_like(x, 1 / (1 - p)))):
            assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
            kept = (ours != 0).reshape(*shape[: len(shape) - spatial], -1)
            assert np.all(kept == kept[..., :1])  # every channel whole: all of it zeroed, or all of it kept
            assert np.array_equal(ours[ours != 0], whole[ours != 0])
        assert 0 < np.count_nonzero(kept[..., 0]) < kept[..., 0].size  # some channels of each kind (24 or more)


@pytest.mark.parametrize("kind", ["1d", "3d"])
def test_eval_mode_and_training_false_pass_x(kind):
    x = Tensor(np.ones((2, 3, 4, 4, 4) if kind == "3d" else (2, 3, 4)))
    assert getattr(nn, f"Dropout{kind}")(0.5).eval()(x) is x
    assert getattr(F, f"dropout{kind}")(x, 0.5, training=False) is x


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: F.dropout1d(Tensor(np.ones((2, 3, 4, 5)))), r"dropout1d takes input of shape \(N, C, L\) or \(C, L\)"),
        (lambda: nn.Dropout1d()(Tensor(np.ones(3))), r"Dropout1d takes input of shape"),
        (lambda: F.dropout3d(Tensor(np.ones((2, 3, 4)))), r"or \(C, D, H, W\), got shape \(2, 3, 4\)"),
        (lambda: nn.Dropout3d(0.5)(Tensor(np.ones((1, 2, 3, 4, 5, 6)))), r"Dropout3d takes input"),
    ],
)
def test_channel_dropout_refuses_other_dims(call, message):
    with pytest.raises(ShapeError, match=message):
        call()


def test_channel_dropout_refuses_torchs_bad_p_and_integer_input():
    with pytest.raises(ValueError, match="p"):
        F.dropout1d(Tensor(np.ones((2, 3))), 1.5)
    with pytest.raises(TypeError, match="floating-point"):
        nn.Dropout3d()(Tensor(np.ones((2, 2, 2, 2), dtype=np.int64)))


@pytest.mark.parametrize("kind", ["1d", "3d"])
def test_a_compiled_step_with_channel_dropout_gives_eagers_numbers(kind):
    shape = (3, 2, 4) if kind == "1d" else (3, 2, 2, 2, 2)
    features = int(np.prod(shape[1:]))

    def make():
        layer = getattr(nn, f"Dropout{kind}")(0.5, seed=1)
        return nn.Sequential(layer, nn.Flatten(), nn.Linear(features, 3, seed=0, dtype=np.float64))

    runs = [train(make, OPTIMIZERS["sgd"], batches(shape, 3, 5), compiled=c) for c in (False, True)]
    (eager, _), (compiled, run) = runs
    assert_same(eager, compiled)
    assert replays(run) == 1
