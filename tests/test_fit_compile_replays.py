"""nn.fit(compile=True) replays models and losses with Python numbers in their graphs (LayerNorm,
x / 2.0, Huber): fit's look at the loss, to stop on a NaN before a step, read it as a number the
step computes with, and the step ran eagerly with a warning that blamed the model."""

import warnings

import numpy as np
import pytest

import nn
from nn import functional as F

X = np.random.default_rng(0).standard_normal((64, 5)).astype(np.float32)
LABELS = np.random.default_rng(1).integers(0, 3, 64)


def _fit(compiled, loss, y):
    model = nn.Sequential(nn.Linear(5, 16, seed=0), nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, 3, seed=1))
    history = nn.fit(
        model, loss, nn.Adam(model.parameters()), (X, y), epochs=2, verbose=False, compile=compiled, metric=None
    )
    return history.loss, [p.data for p in model.parameters()]


@pytest.mark.parametrize(
    ("loss", "y"), [(F.cross_entropy, LABELS), (nn.HuberLoss(), X[:, :3]), (nn.SmoothL1Loss(beta=0.5), X[:, :3])]
)
def test_a_layernorm_model_replays_with_eagers_numbers(loss, y):
    eager = _fit(False, loss, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CompileWarning: every step after the recorded ones replays
        compiled = _fit(True, loss, y)
    assert eager[0] == compiled[0]
    for a, b in zip(eager[1], compiled[1]):
        np.testing.assert_array_equal(a, b)
