"""Class labels given as a column, (N, 1), as read from a CSV, beside a model's (N, C) class scores: fit refuses
them before training, naming y's shape and np.ravel(y); before, cross_entropy refused the first batch in its own
words (the batch's shapes, no fit: and no fix) after fit's checks had passed them."""

import numpy as np
import pytest

import nn
from autograd import ShapeError
from nn import functional as F

X, Y = nn.data.spirals(90, n_classes=3, seed=0)


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss, F.multi_margin_loss])
def test_a_column_of_class_labels_is_refused_before_training_naming_ravel(loss) -> None:
    model = _model()
    before = model.state_dict()
    with pytest.raises(
        ShapeError,
        match=r"^fit: the loss refused data \(X of shape \(90, 2\), y of shape \(90, 1\)\)"
        r".*as a column: give them as a vector, y of shape \(90,\), np\.ravel\(y\)",
    ):
        nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, Y.reshape(-1, 1)), verbose=False)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())  # nothing trained


def test_a_column_of_validation_labels_is_told_the_same() -> None:
    model = _model()
    with pytest.raises(ShapeError, match=r"validation data .* y of shape \(90, 1\).*np\.ravel\(y\)"):
        nn.fit(
            model,
            F.cross_entropy,
            nn.SGD(model.parameters(), lr=0.1),
            (X, Y),
            val_data=(X, Y.reshape(-1, 1)),
            verbose=False,
        )


def test_the_fix_as_written_trains() -> None:
    model = _model()
    history = nn.fit(
        model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, np.ravel(Y.reshape(-1, 1))), verbose=False
    )
    assert len(history.loss) == 1


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss, F.multi_margin_loss])
def test_a_float_column_of_class_labels_is_refused_before_training_naming_the_fix(loss) -> None:
    """np.loadtxt reads a CSV's labels as floats: a column of them, (90, 1) float64, passed fit's checks and
    was refused by the loss at the first batch in its words only ("of shape (32,)", the batch's; no fit:)."""
    model = _model()
    before = model.state_dict()
    with pytest.raises(TypeError, match="needs integer class labels") as refused:
        nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, Y.reshape(-1, 1).astype(float)), verbose=False)
    (note,) = refused.value.__notes__
    assert note.startswith("fit: the loss raised, run on data's examples") and "nothing was trained" in note
    assert "class labels as a column of float64" in note and "y of shape (90,), np.ravel(y).astype(int)" in note
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


@pytest.mark.parametrize("loss", [F.mse_loss, F.l1_loss, F.poisson_nll_loss])
def test_a_column_of_whole_targets_for_a_regression_loss_is_not_called_class_labels(loss) -> None:
    """Counts as a column, (90, 1) int64, beside a model of 3 outputs given a regression loss: fit's refusal
    said "y holds class labels as a column ... np.ravel(y)", which the loss refuses as well ((90,) beside
    (N, 3)); only a loss that takes class labels is told that."""
    model = _model()
    with pytest.raises(ShapeError, match=r"^fit: the loss refused data") as refused:
        nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, Y.reshape(-1, 1)), verbose=False, metric=None)
    assert "class labels" not in str(refused.value) and "np.ravel" not in str(refused.value)
