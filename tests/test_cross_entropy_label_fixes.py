"""Class labels of a float dtype given to autograd's and nn.functional's losses of class scores: one rule
(autograd.label_fix) names each fix, and the fix it names works. autograd.cross_entropy takes class indices only
(its fused op); one-hot rows are told labels.argmax(axis=1), and probabilities nn.functional.cross_entropy,
which reads them as PyTorch 2.13's does."""

import re

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

LOGITS = np.random.default_rng(0).normal(size=(4, 3))
LABELS = np.array([0, 2, 1, 1])
ONE_HOT = np.eye(3)[LABELS]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_hot_rows_are_told_argmax_and_the_fix_gives_nn_functionals_loss(dtype):
    # it said "convert them with labels.astype(int)", which then failed: "ShapeError ... got (4, 3)"
    with pytest.raises(TypeError, match=r"labels\.argmax\(axis=1\).*nn\.functional\.cross_entropy") as caught:
        autograd.cross_entropy(Tensor(LOGITS), ONE_HOT.astype(dtype))
    assert "astype" not in str(caught.value)
    fixed = autograd.cross_entropy(Tensor(LOGITS), ONE_HOT.argmax(axis=1)).item()
    assert fixed == pytest.approx(F.cross_entropy(Tensor(LOGITS), ONE_HOT).item(), rel=1e-15)
    torch = pytest.importorskip("torch")
    truth = torch.nn.functional.cross_entropy(torch.tensor(LOGITS), torch.tensor(ONE_HOT)).item()
    assert fixed == pytest.approx(truth, rel=1e-15)


@pytest.mark.parametrize("loss", [autograd.nll_loss, F.nll_loss])
def test_nll_loss_of_one_hot_rows_names_argmax_and_the_loss_that_takes_probabilities(loss):
    with pytest.raises(TypeError, match=r"argmax\(axis=1\).*no class probabilities.*nn\.functional\.cross_entropy"):
        loss(Tensor(LOGITS), ONE_HOT)
    assert np.isfinite(loss(Tensor(LOGITS), ONE_HOT.argmax(axis=1)).item())


@pytest.mark.parametrize(
    "loss, more",
    [(autograd.cross_entropy, ""), (F.cross_entropy, ", or class probabilities of the scores' shape (4, 3)")],
)
def test_float_labels_of_another_shape_are_told_the_shape_not_astype(loss, more):
    # astype(int) of (4, 2) rows keeps a shape no loss takes
    with pytest.raises(TypeError, match=re.escape(f"pass class indices 0, 1, ..., classes - 1, of shape (4,){more}")):
        loss(Tensor(LOGITS), ONE_HOT[:, :2])


@pytest.mark.parametrize("loss", [autograd.cross_entropy, F.cross_entropy, autograd.nll_loss, F.nll_loss])
def test_whole_float_labels_of_the_right_shape_are_still_told_astype_int(loss):
    with pytest.raises(TypeError, match=r"convert them with labels\.astype\(int\)$"):
        loss(Tensor(LOGITS), LABELS.astype(float))
    assert np.isfinite(loss(Tensor(LOGITS), LABELS.astype(float).astype(int)).item())


@pytest.mark.parametrize(
    "loss",
    [autograd.cross_entropy, F.cross_entropy, autograd.nll_loss, F.nll_loss]
    + [autograd.multi_margin_loss, F.multi_margin_loss],
)
def test_integer_one_hot_rows_are_told_argmax_in_the_shape_error(loss):
    # what astype(int) of one-hot rows led to: "ShapeError ... labels of shape (4,), got (4, 3)", and no way on
    with pytest.raises(autograd.ShapeError, match=re.escape("got (4, 3) (for one-hot rows, labels.argmax(axis=1))")):
        loss(Tensor(LOGITS), ONE_HOT.astype(int))
    assert np.isfinite(loss(Tensor(LOGITS), ONE_HOT.astype(int).argmax(axis=1)).item())
