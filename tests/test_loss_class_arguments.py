"""The class weights and class labels of nn's losses of class scores (cross_entropy, nll_loss,
multi_margin_loss), checked by one rule each: the same refusals, in the same words."""

import numpy as np
import pytest

import nn.functional as F
from autograd import ShapeError, Tensor

SCORES = Tensor(np.ones((2, 3)))
LOSSES = [F.cross_entropy, F.nll_loss, F.multi_margin_loss]


@pytest.mark.parametrize("loss", LOSSES)
def test_a_weight_per_class_is_asked_for_naming_the_scores(loss):
    # multi_margin_loss's said "weight of shape (2,): give one weight per class", without the scores' shape
    with pytest.raises(ShapeError, match=r": weight of shape \(2,\) for scores of shape \(2, 3\): give one weight"):
        loss(SCORES, np.array([0, 1]), weight=[1.0, 2.0])


@pytest.mark.parametrize("loss", LOSSES)
def test_fractional_labels_are_not_told_to_be_cast(loss):
    # multi_margin_loss's said "pass labels.astype(int)", which turns 0.5 into class 0 without a word
    with pytest.raises(TypeError, match=r"needs integer class labels, .*: pass class indices 0, 1") as e:
        loss(SCORES, np.array([0.5, 1.0]))
    assert "astype" not in str(e.value)


@pytest.mark.parametrize("loss", LOSSES)
def test_whole_float_labels_are_told_to_be_cast(loss):
    with pytest.raises(TypeError, match=r"needs integer class labels, got labels of dtype float64: convert them"):
        loss(SCORES, np.array([0.0, 1.0]))


@pytest.mark.parametrize("loss", LOSSES)
def test_whole_numbers_in_an_object_array_are_told_to_be_cast(loss):
    # class indices in an object array (a pandas column of objects' .values) were told "pass class indices 0, 1,
    # ..., classes - 1", which they are (multi_margin_loss's own check had said astype(int), right for them)
    labels = np.array([0, 2.0], dtype=object)
    with pytest.raises(TypeError, match=r"got labels of dtype object: convert them with labels.astype\(int\)"):
        loss(SCORES, labels)
    assert np.isfinite(loss(SCORES, labels.astype(int)).item())
    with pytest.raises(TypeError, match=r"got labels of dtype object: pass class indices 0, 1"):
        loss(SCORES, np.array([0, 0.5], dtype=object))
    with pytest.raises(TypeError, match=r"got labels of dtype object: pass class indices 0, 1"):
        loss(SCORES, np.array([0, None], dtype=object))
