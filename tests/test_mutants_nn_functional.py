"""Gaps a mutation run over nn/functional.py found (docs/mutation-testing.md): the losses' and
accuracy's messages name the function and the fix, the documented thresholds and dtypes hold."""

import re

import numpy as np
import pytest

from autograd import ShapeError, Tensor, Value
from nn import functional as F

LOSSES = {"mse_loss": F.mse_loss, "l1_loss": F.l1_loss, "hinge_loss": F.hinge_loss}
LOSSES["binary_cross_entropy"] = F.binary_cross_entropy


def test_softmax_and_log_softmax_follow_their_axis():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 5.0]]))
    along_rows = F.softmax(x, axis=0).data
    assert np.allclose(along_rows.sum(axis=0), 1.0) and not np.allclose(along_rows.sum(axis=1), 1.0)
    assert np.allclose(along_rows[:, 0], np.exp([1, 3]) / np.exp([1, 3]).sum())
    assert np.allclose(np.exp(F.log_softmax(x, axis=0).data), along_rows)
    assert np.allclose(F.softmax(x).data.sum(axis=1), 1.0)
    assert np.allclose(F.log_softmax(x).data[1], [3 - np.log(np.exp(3) + np.exp(5)), 5 - np.log(np.exp(3) + np.exp(5))])


@pytest.mark.parametrize("name", LOSSES)
def test_every_loss_names_itself_in_its_errors(name):
    loss = LOSSES[name]
    with pytest.raises(ShapeError, match=rf"^{name}: predictions of shape \(2, 1\) and targets of shape \(2,\) differ"):
        loss(Tensor(np.full((2, 1), 0.5), requires_grad=True), np.ones(2))
    values = [Value(0.5), Value(0.5)]
    with pytest.raises(TypeError, match=rf"^{name}: targets must be numbers or Values, got str 'a'$"):
        loss(values, [1, "a"])  # the odd one named, not the first number turned into text
    with pytest.raises(TypeError, match=rf"^{name}: predictions must be a Tensor, .* got str 'x'$"):
        loss([Value(0.5), "x"], [1, 1])
    with pytest.raises(TypeError, match=rf"^{name}: targets must be numbers, an array or a Tensor, got str$"):
        loss(Tensor(np.full(2, 0.5), requires_grad=True), "ab")


def test_value_predictions_against_a_tensor_that_requires_grad_say_what_to_do():
    target = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(
        TypeError, match="^mse_loss: Value predictions .* give Values as targets, or predict with Tensors$"
    ):
        F.mse_loss([Value(1.0), Value(2.0)], target)


def test_constant_targets_take_the_predictions_dtype():
    pred = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    loss = F.mse_loss(pred, np.array([1.0, 3.0]))  # float64 targets
    assert loss.dtype == np.float32 and loss.data == pytest.approx(0.5)
    assert F.l1_loss(pred, [1, 3]).dtype == np.float32


def test_binary_cross_entropy_at_zero_and_one_raises_no_floating_point_error():
    p = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with np.errstate(all="raise"):  # log(0) is held at -100 without a divide-by-zero warning
        loss = F.binary_cross_entropy(p, [0.0, 1.0])
        loss.backward()
        wrong = F.binary_cross_entropy(Tensor(np.array([0.0])), [1.0])
    assert loss.data == 0.0 and np.array_equal(p.grad, [0.0, 0.0]) and wrong.data == pytest.approx(100.0)


def test_class_accuracy_refuses_labels_that_are_not_class_indices():
    scores = np.array([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])
    with pytest.raises(ValueError, match=re.escape("class labels must be integers in [0, 3), got 1.5")):
        F.accuracy(scores, [1.5, 0])  # not an integer, though within range
    with pytest.raises(ValueError, match=re.escape("class labels must be integers in [0, 3), got -1")):
        F.accuracy(scores, [1, -1])  # an integer, but negative
    assert F.accuracy(scores, [1, 2]) == 0.5


def test_class_accuracy_messages_say_what_to_give_instead():
    scores = np.array([[0.1, 0.9], [0.8, 0.2]])
    message = "accuracy: threshold is for one score per example; class scores (N, C) take the arg max"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        F.accuracy(scores, [1, 0], threshold=0.5)
    with pytest.raises(ShapeError, match=re.escape("per row (for one-hot labels, labels.argmax(axis=1))") + "$"):
        F.accuracy(scores, np.eye(2))


def test_one_score_accuracy_refuses_mixed_label_conventions_by_name():
    tail = "; for more classes give scores of shape (N, C)"
    with pytest.raises(ValueError, match=re.escape("labels 0/1 or -1/+1, got both -1 and 0" + tail)):
        F.accuracy([0.3, 0.6, 0.2], [-1, 0, 1])
    with pytest.raises(ValueError, match=re.escape("got 2" + tail)):
        F.accuracy([0.3, 0.6, 0.2], [2, 0, 1])


def test_one_score_accuracy_thresholds():
    assert F.accuracy([0.7, 0.4], [1, 0]) == 1.0  # probabilities: 0.5 by default
    assert F.accuracy([0.5, 0.0], [0, 0]) == 1.0  # a score at the threshold is negative
    assert F.accuracy([0.0, 0.1], [-1, 1]) == 1.0  # signs: 0 by default, and 0 itself is negative
    assert F.accuracy([0.6, 0.8], [0, 1], threshold=0.7) == 1.0  # a given threshold is used
    assert F.accuracy([0.6, 0.8], [0, 1]) == 0.5


def test_accuracy_reads_rows_of_values_and_reports_missing_predictions():
    rows = [[Value(0.1), Value(0.9)], [Value(0.8), Value(0.2)], (Value(0.3), Value(0.7))]
    assert F.accuracy(rows, [1, 0, 0]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"^accuracy: 1 of 2 predictions are NaN"):
        F.accuracy([0.9, None], [1, 0])
    with pytest.raises(ValueError, match="^accuracy: no predictions$"):
        F.accuracy([], [])
