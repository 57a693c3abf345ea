"""nn.losses and nn.losses_classes without PyTorch: gradients by finite differences (autograd.gradcheck),
what each reduction gives on Values, numbers worked by hand, stability at huge logits, and bad input
(one error of the right type naming the problem and the fix). The comparisons with PyTorch are in
tests/test_torch_reference_losses.py."""

import math

import numpy as np
import pytest

import nn.functional as F
from autograd import ShapeError, Tensor, Value, gradcheck

RNG = np.random.default_rng(0)
X, T = RNG.normal(size=(3, 4)), RNG.uniform(0.05, 0.95, (3, 4))
LOGITS = RNG.normal(size=(2, 3, 4))
LABELS = np.array([[0, 2, -100, 1], [1, 1, 0, 2]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "loss",
    [
        lambda x, t, r: F.mse_loss(x, t, reduction=r),
        lambda x, t, r: F.l1_loss(x, t, reduction=r),
        lambda x, t, r: F.huber_loss(x, t, reduction=r, delta=0.7),
        lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.4),
        lambda x, t, r: F.binary_cross_entropy(x.sigmoid(), t, reduction=r),
        lambda x, t, r: F.binary_cross_entropy_with_logits(x, t, reduction=r, pos_weight=np.array([1, 2, 3, 4.0])),
        lambda x, t, r: F.kl_div(x.log_softmax(axis=1), t, reduction=r),
        lambda x, t, r: F.kl_div(x.log_softmax(axis=1), t.log(), reduction=r, log_target=True),
    ],
    ids=["mse", "l1", "huber", "smooth_l1", "bce", "bce_with_logits", "kl_div", "kl_div_log_target"],
)
def test_pair_losses_gradcheck_in_prediction_and_target(loss, reduction):
    weights = RNG.normal(size=X.shape)
    scalar = (lambda out: out * weights) if reduction == "none" else (lambda out: out)
    assert gradcheck(lambda x, t: scalar(loss(x, t, reduction)).sum(), [X, T])


@pytest.mark.parametrize(
    "loss",
    [
        lambda x: F.cross_entropy(x, LABELS, reduction="sum", label_smoothing=0.1),
        lambda x: F.cross_entropy(x, LABELS, ignore_index=-100),
        lambda x: F.cross_entropy(x, np.abs(LOGITS) / np.abs(LOGITS).sum(axis=1, keepdims=True)),
        lambda x: (F.cross_entropy(x, LABELS, reduction="none") * np.arange(8.0).reshape(2, 4)).sum(),
        lambda x: F.nll_loss(x.log_softmax(axis=1), LABELS),
    ],
    ids=["smoothed sum", "ignored mean", "probabilities", "none, 3-d", "nll_loss"],
)
def test_class_losses_gradcheck(loss):
    assert gradcheck(loss, [LOGITS])


def test_cross_entropy_by_hand():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    per_row = -log_p[[0, 1], [2, 1]]
    out = F.cross_entropy(Tensor(logits), np.array([2, 1]), reduction="none")
    assert np.allclose(out.data, per_row)
    smoothed = F.cross_entropy(Tensor(logits), np.array([2, -100]), label_smoothing=0.3)
    assert smoothed.item() == pytest.approx(0.7 * per_row[0] + 0.3 / 3 * -log_p[0].sum())


@pytest.mark.parametrize(
    ("labels", "ignore_index"),
    [
        ([2, 1], -100),  # ordinary training
        ([2, 1], 0),  # an ignore_index among the classes that no label is
        ([2, 0], 0),  # ... and one that a label is: left out of the mean
        ([2, -100], -100),
        ([2, 5], 5),  # above the classes
    ],
)
def test_cross_entropy_is_fused_whatever_the_labels(labels, ignore_index):
    """The fused op takes ignore_index, so the graph is the same whichever labels are ignored (a
    compiled step recorded on batches without padding replays those with it)."""
    logits = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]])
    loss = F.cross_entropy(Tensor(logits, requires_grad=True), np.array(labels), ignore_index=ignore_index)
    assert loss.op.name == "cross_entropy"
    kept = [i for i, label in enumerate(labels) if label != ignore_index]
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert loss.item() == pytest.approx(-np.mean([log_p[i, labels[i]] for i in kept]))


def test_values_reductions():
    preds, targets = [Value(1.0), Value(-2.0)], [0.0, 1.0]
    none = F.mse_loss(preds, targets, reduction="none")
    assert isinstance(none, list) and [v.data for v in none] == [1.0, 9.0]
    assert F.mse_loss(preds, targets, reduction="sum").data == 10.0
    assert F.mse_loss(preds, targets).data == 5.0
    assert F.kl_div([Value(-1.0), Value(-2.0)], [0.5, 0.0], reduction="batchmean").data == pytest.approx(
        (0.5 * (math.log(0.5) + 1)) / 2
    )


def test_huber_and_smooth_l1_on_values_by_hand():
    preds = [Value(0.5), Value(3.0), Value(-3.0)]
    assert [v.data for v in F.huber_loss(preds, [0, 0, 0], reduction="none", delta=2.0)] == [0.125, 4.0, 4.0]
    assert [v.data for v in F.smooth_l1_loss(preds, [0, 0, 0], reduction="none", beta=2.0)] == [0.0625, 2.0, 2.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_is_finite_and_exact_at_huge_logits(dtype):
    x = Tensor(np.array([-1e4, 1e4, 80.0], dtype), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0, 1.0]), reduction="none")
    loss.sum().backward()
    assert loss.dtype == dtype and np.allclose(loss.data, [1e4, 1e4, 0.0]) and np.allclose(x.grad, [-1, 1, 0])
    on_values = F.binary_cross_entropy_with_logits([Value(-1e4), Value(1e4)], [1.0, 0.0], reduction="sum")
    assert on_values.data == pytest.approx(2e4)


def test_empty_and_nan_mean_when_every_label_is_ignored():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    loss = F.cross_entropy(x, np.array([-100, -100]))
    loss.backward()
    assert math.isnan(loss.item()) and np.array_equal(x.grad, np.zeros((2, 3)))  # as torch


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: F.mse_loss(Tensor(X), T, reduction="avg"),
            ValueError,
            "reduction must be one of 'mean', 'sum', 'none'",
        ),
        (lambda: F.kl_div(Tensor(X), T, reduction="batch"), ValueError, "or 'batchmean', got 'batch'"),
        (lambda: F.huber_loss(Tensor(X), T, delta=0), ValueError, "huber_loss: delta must be a finite number > 0"),
        (  # it said "of at least 0" for -1, and refused 0 after
            lambda: F.huber_loss(Tensor(X), T, delta=-1.0),
            ValueError,
            r"huber_loss: delta must be a finite number > 0 \(for the absolute error use l1_loss\), got -1.0",
        ),
        (  # it named l1_loss, which smooth_l1_loss with beta 0 computes
            lambda: F.smooth_l1_loss(Tensor(np.zeros(0)), Tensor(np.zeros(0)), beta=0.0),
            ValueError,
            r"^smooth_l1_loss: no predictions",
        ),
        (lambda: F.smooth_l1_loss(Tensor(X), T, beta=-1), ValueError, "beta must be a finite number of at least 0"),
        (
            lambda: F.huber_loss(Tensor(X), T.reshape(4, 3)),
            ShapeError,
            r"reshape one to the other \(e.g. targets.reshape\(3, 4\)\)",
        ),
        (lambda: F.huber_loss(Tensor(X), T[:, :2]), ShapeError, "hold 12 and 6 numbers, so no reshape makes them fit"),
        (
            lambda: F.binary_cross_entropy_with_logits(Tensor(X), T * 3),
            ValueError,
            "targets must lie in \\[0, 1\\]",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(Tensor(X), T, pos_weight=np.ones(3)),
            ShapeError,
            "one per class \\(the last axis\\)",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(Tensor(X[0]), T[0], pos_weight=np.ones((2, 4))),
            ShapeError,
            "does not broadcast to logits of shape \\(4,\\)",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(Tensor(X), T, pos_weight=np.nan),
            ValueError,
            "pos_weight must hold finite numbers, got nan",
        ),
        (lambda: F.cross_entropy(Tensor(LOGITS), LABELS[:, :2]), ShapeError, "need labels of shape \\(2, 4\\)"),
        (lambda: F.cross_entropy(Tensor(LOGITS), LABELS * 1.0), TypeError, "labels.astype\\(int\\)"),
        (lambda: F.cross_entropy(Tensor(LOGITS), LABELS + 3), ValueError, "is not a class of these scores"),
        (lambda: F.cross_entropy(Tensor(LOGITS), LABELS, label_smoothing=1.5), ValueError, "between 0 and 1"),
        (
            lambda: F.cross_entropy(Tensor(LOGITS), LOGITS, ignore_index=0),
            ValueError,
            "ignore_index is for class-index",
        ),
        (lambda: F.cross_entropy([Value(1.0)], [0]), TypeError, "must be a Tensor"),
        (lambda: F.cross_entropy(Tensor(LOGITS), LABELS, weight=np.ones(2)), ShapeError, "one weight per class"),
        (lambda: F.nll_loss(Tensor(LOGITS), LABELS, weight=[1.0, -np.inf, 1]), ValueError, "finite numbers, got -inf"),
        (lambda: F.cross_entropy(Tensor(LOGITS), LABELS, weight="balanced"), TypeError, "weight must hold numbers"),
        (
            lambda: F.cross_entropy(Tensor(LOGITS), LABELS, weight=Tensor(np.ones(3), requires_grad=True)),
            TypeError,
            "class weights are constants here",
        ),
        (
            lambda: F.binary_cross_entropy(Tensor(X).sigmoid(), T, weight=np.ones(3)),
            ShapeError,
            "weight of shape \\(3,\\) does not broadcast to probabilities",
        ),
        (lambda: F.binary_cross_entropy([Value(0.5)] * 2, [0, 1], weight=[1.0] * 3), ShapeError, "one per prediction"),
        (
            lambda: F.binary_cross_entropy_with_logits(Tensor(X), T, weight=np.inf),
            ValueError,
            "weight must hold finite numbers, got inf",
        ),
        (lambda: F.nll_loss(Tensor(np.float64(1.0)), 0), ShapeError, "give \\(classes,\\), \\(batch, classes\\)"),
        (
            lambda: F.nll_loss(Tensor(X), np.zeros(3, int), ignore_index=0.5),
            TypeError,
            "ignore_index must be an integer",
        ),
    ],
)
def test_bad_input_gets_one_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
