"""Accuracy's refusal of one-hot rows, fit's and evaluate's default metric on a classification given class
probabilities (which their cross_entropy takes, as PyTorch's), is told the classes' fix, not a regression's."""

import numpy as np
import pytest

import nn
from nn import functional as F

RNG = np.random.default_rng(1)
X = RNG.standard_normal((60, 2))
ONE_HOT = np.eye(3)[RNG.integers(0, 3, 60)]


def test_fit_on_one_hot_rows_with_accuracy_names_their_argmax_not_a_regression():
    """It said "accuracy, fit's default metric, scores classes: for a regression's targets pass metric=None"."""
    model = nn.Linear(2, 3, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"^fit: the metric refused data .*; y holds one-hot rows") as e:
        nn.fit(model, F.cross_entropy, opt, (X, ONE_HOT), verbose=False)
    assert "y.argmax(axis=1)" in str(e.value).split("accuracy:")[0]
    assert "regression" not in str(e.value)
    with_indices = nn.fit(model, F.cross_entropy, opt, (X, ONE_HOT.argmax(axis=1)), verbose=False)
    assert 0 <= with_indices.accuracy[0] <= 1  # the fix named works


def test_evaluate_on_one_hot_rows_names_their_argmax():
    model = nn.Linear(2, 3, seed=0)
    with pytest.raises(ValueError, match=r"^evaluate: the metric refused y of shape \(60, 3\); y holds one-hot rows"):
        nn.evaluate(model, F.cross_entropy, X, ONE_HOT)


def test_a_regression_of_three_targets_is_still_told_metric_none():
    model = nn.Linear(2, 3, seed=0)
    y = RNG.standard_normal((60, 3))
    with pytest.raises(ValueError, match=r"for a regression's targets pass metric=None"):
        nn.fit(model, F.mse_loss, nn.SGD(model.parameters(), lr=0.1), (X, y), verbose=False)
