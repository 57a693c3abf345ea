"""fit's refusals in the learner's terms (a walk through the lesson found each misleading): they name the data the
learner gave, not the few rows fit checks before training, the layer that refused, and the way out."""

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor
from nn import functional as F

RNG = np.random.default_rng(0)
X = RNG.standard_normal((100, 2)).astype(np.float32)
LABELS = (RNG.random(100) > 0.5).astype(np.int64)


def _fit(model, loss, data, **given):
    return nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), data, verbose=False, **given)


@pytest.mark.parametrize("outputs", [1, 3])
def test_a_regression_with_the_default_metric_is_told_to_pass_metric_none_first(outputs):
    """It said "accuracy: one score per example needs labels 0/1 or -1/+1" (one output) or "for one-hot labels,
    labels.argmax(axis=1)" (three), advice that would turn regression targets into classes."""
    y = RNG.standard_normal((100, outputs))
    model = nn.Linear(2, outputs, seed=0)
    with pytest.raises(ValueError, match=r"^fit: the metric refused data \(X of shape \(100, 2\), y of shape") as e:
        _fit(model, F.mse_loss, (X, y))
    assert str(e.value).index("pass metric=None") < str(e.value).index("accuracy:")  # fit's words before accuracy's
    assert len(_fit(model, F.mse_loss, (X, y), metric=None).loss) == 1


def test_a_column_of_outputs_against_a_vector_of_labels_names_the_data_s_reshape():
    """It said "e.g. targets.reshape(32, 1)", a batch's shape, which fails on the 100-row y."""
    y = LABELS.astype(np.float32)
    with pytest.raises(
        ShapeError,
        match=r"data \(X of shape \(100, 2\), y of shape \(100,\)\).*"
        r"give y of shape \(100, 1\), np\.reshape\(y, \(-1, 1\)\)",
    ):
        _fit(nn.Linear(2, 1, seed=0), F.binary_cross_entropy_with_logits, (X, y))
    assert len(_fit(nn.Linear(2, 1, seed=0), F.binary_cross_entropy_with_logits, (X, y.reshape(-1, 1))).loss) == 1


def test_a_wrong_input_width_names_the_layer_and_in_fit_the_data():
    """It said "@: shapes (100, 3) and (4, 8) do not fit" (no @ written), and in fit (2, 3), rows fit checked."""
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    X3 = RNG.standard_normal((100, 3)).astype(np.float32)
    words = r"Linear\(4, 8\) takes inputs of 4 features \(the last axis\), got an input of shape \(100, 3\)"
    with pytest.raises(ShapeError, match=words + r" \(3 features: make the layer Linear\(3, 8\), or give"):
        model(Tensor(X3))
    with pytest.raises(
        ShapeError, match=r"^fit: the model refused data \(X of shape \(100, 3\), y of shape \(100,\)\)"
    ):
        _fit(model, F.cross_entropy, (X3, LABELS))


def test_labels_out_of_range_in_val_data_say_validation_data():
    model = nn.Linear(2, 2, seed=0)
    with pytest.raises(ValueError, match=r"^fit: the loss refused validation data \(val_data: X of shape \(100, 2\)"):
        _fit(model, F.cross_entropy, (X, LABELS), val_data=(X, LABELS + 5))


def test_x_and_y_given_apart_or_x_alone_are_told_to_give_the_pair():
    model = nn.Linear(2, 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    for call in (lambda: nn.fit(model, F.cross_entropy, opt, X, LABELS, epochs=3),
                 lambda: nn.fit(model, F.cross_entropy, opt, X, LABELS)):  # fmt: skip
        with pytest.raises(TypeError, match=r"X and y were given as two arguments.*\(X, y\)"):
            call()
    with pytest.raises(TypeError, match=r"got a tuple of 1 item \(X alone\? give its labels too, \(X, y\)\)"):
        nn.fit(model, F.cross_entropy, opt, (X,))
    assert len(nn.fit(model, F.cross_entropy, opt, (X, LABELS), 2, verbose=False).loss) == 2  # epochs by position


def test_evaluate_on_a_regression_with_the_default_metric_is_told_to_pass_metric_none():
    """It said accuracy's "one score per example needs labels 0/1 or -1/+1" alone."""
    y = RNG.standard_normal((100, 1))
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(ValueError, match=r"^evaluate: the metric refused y of shape \(100, 1\); accuracy, evaluate's"):
        nn.evaluate(model, F.mse_loss, X, y)
    assert nn.evaluate(model, F.mse_loss, X, y, metric=None)[1] is None
