"""Accuracy's refusal, fit's and evaluate's default metric, of the targets of a loss that takes several labels
per example (multilabel_margin_loss's rows of class indices ended by -1, multilabel_soft_margin_loss's rows of
0/1) is told that accuracy does not score label sets, not that -1 is an ignore_index or the targets a regression's."""

import numpy as np
import pytest

import nn
from nn import functional as F

RNG = np.random.default_rng(2)
X = RNG.standard_normal((40, 3))
ENDED = RNG.integers(-1, 4, (40, 4))  # -1 ends a row's targets
FULL = RNG.integers(0, 4, (40, 4))  # no -1: every slot a target
BITS = RNG.integers(0, 2, (40, 4)).astype(np.float64)

CASES = [
    (F.multilabel_margin_loss, ENDED),
    (nn.MultiLabelMarginLoss(), FULL),
    (F.multilabel_soft_margin_loss, BITS),
    (nn.MultiLabelSoftMarginLoss(), BITS),
]


def _said(error: pytest.ExceptionInfo) -> str:
    """The words before accuracy's own."""
    return str(error.value).split(": accuracy:")[0]


@pytest.mark.parametrize(("loss", "y"), CASES, ids=["margin, ended by -1", "margin module", "soft", "soft module"])
def test_fit_and_evaluate_name_the_label_sets_and_metric_none(loss, y):
    """fit said "the labels hold -1, outside the model's 4 classes, which the loss took: an ignore_index", or
    "for a regression's targets pass metric=None" ("give one class index per row" after it, in accuracy's words)."""
    model = nn.Linear(3, 4, seed=0, dtype=np.float64)
    with pytest.raises(ValueError, match=r"^fit: the metric refused data") as fitted:
        nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, y), verbose=False)
    with pytest.raises(ValueError, match=r"^evaluate: the metric refused y of shape \(40, 4\)") as evaluated:
        nn.evaluate(model, loss, X, y)
    for error in (fitted, evaluated):
        said = _said(error)
        assert "several labels per example" in said and "metric=None" in said, said
        assert "ignore_index" not in said and "regression" not in said and "argmax" not in said, said
    trained = nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, y), metric=None, verbose=False)
    assert np.isfinite(trained.loss[0])  # the fix named works
