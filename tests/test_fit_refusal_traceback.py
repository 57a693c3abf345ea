"""fit's words before a refusal found on its check run (the model's, the loss's, the metric's) keep the
traceback into the code that raised: a learner's own forward or loss is where the bug is to be found."""

import traceback

import numpy as np
import pytest

import nn
from nn import functional as F


class RaisingModel(nn.Module):
    def __init__(self):
        self.lin = nn.Linear(2, 1, seed=0)

    def forward(self, x):
        return self.my_faulty_step(x)

    def my_faulty_step(self, x):
        raise ValueError("operands could not be broadcast together")


def raising_loss(out, y):
    raise ValueError("my_faulty_loss: shapes differ")


@pytest.mark.parametrize(
    "model, loss, frame",
    [(RaisingModel(), F.mse_loss, "my_faulty_step"), (nn.Linear(2, 1, seed=0), raising_loss, "raising_loss")],
)
def test_the_refusal_in_fit_s_words_still_shows_where_it_was_raised(model, loss, frame):
    """fit raised its own ValueError `from None`: the traceback ended in check_examples, the user's frames gone."""
    X, y = np.ones((10, 2)), np.ones(10)  # y (10,) beside outputs (N, 1): the loss runs on the check too
    with pytest.raises(ValueError, match=r"^fit: the (model|loss) refused data") as e:
        nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, y), metric=None, verbose=False)
    assert frame in [f.name for f in traceback.extract_tb(e.value.__traceback__)]


def test_evaluate_s_words_before_accuracy_s_refusal_keep_its_traceback():
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(ValueError, match=r"^evaluate: the metric refused y of shape \(10, 1\)") as e:
        nn.evaluate(model, F.mse_loss, np.ones((10, 2)), np.full((10, 1), 3.5))
    assert "accuracy" in [f.name for f in traceback.extract_tb(e.value.__traceback__)]
