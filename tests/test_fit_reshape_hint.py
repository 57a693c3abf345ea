"""fit's reshape for labels of another rank than the model's outputs names the data's shape, through np.reshape,
which takes y as the learner gave it (an array, a list, or the y of their Batches)."""

import numpy as np
import pytest

import nn
from autograd import ShapeError
from nn import functional as F

X = np.random.default_rng(2).standard_normal((60, 2))


@pytest.mark.parametrize("given", ["array", "list", "Batches"])
def test_the_reshape_fit_names_works_on_the_labels_as_given(given):
    """It said "give y.reshape(-1, 1)", which a list (or a pandas Series) has no method for: np.reshape takes all."""
    y = X @ np.array([1.0, -2.0])
    data = {"array": (X, y), "list": (X.tolist(), y.tolist()), "Batches": nn.data.Batches(X, y)}[given]
    model = nn.Linear(2, 1, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.01)
    with pytest.raises(ShapeError, match=r"as a column: give y of shape \(60, 1\), np\.reshape\(y, \(-1, 1\)\): mse"):
        nn.fit(model, F.mse_loss, opt, data, metric=None, verbose=False)
    fixed = np.reshape(y if given == "array" else y.tolist(), (-1, 1))  # the fix as written, on y as given
    data = nn.data.Batches(X, fixed) if given == "Batches" else (data[0], fixed)
    assert len(nn.fit(model, F.mse_loss, opt, data, metric=None, verbose=False).loss) == 1


def test_labels_of_another_rank_but_the_outputs_size_are_told_the_outputs_shape():
    """(N, 1, 1) labels beside (N, 1) outputs were told no fix in fit's words, then the loss's batch's reshape."""
    y = (X @ np.array([1.0, -2.0])).reshape(-1, 1, 1)
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(ShapeError, match=r"give y of shape \(60, 1\), np\.reshape\(y, \(-1, 1\)\): mse"):
        nn.fit(model, F.mse_loss, nn.SGD(model.parameters(), lr=0.01), (X, y), metric=None, verbose=False)
