"""Negative loss weights, which torch 2.13 takes (a weighted sum is well defined) and chainrule refused ("must hold
finite numbers >= 0"): each loss's weight= (and pos_weight=) of mixed signs against PyTorch's forward, gradients
and second derivatives. Where the weights add up to exactly 0, mse_loss's and l1_loss's mean is PyTorch's
quotient by 0 (±inf; NaN was given for any total)."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn.functional as nnf
from autograd import Tensor, Value

RNG = np.random.default_rng(36)
PRED, TARGET = RNG.uniform(0.1, 0.9, (4, 3)), RNG.uniform(0, 1, (4, 3))
SIGNED = RNG.uniform(0.5, 1.5, (4, 3)) * np.array([1.0, -1.0, 1.0])  # a negative weight in each row
LABELS = np.array([0, 1, 2, 1])
CLASS_WEIGHT = np.array([1.5, -0.5, 0.75])
REDUCTIONS = ["mean", "sum", "none"]


def _same_shape(name):
    return (
        lambda p, t, w, r: getattr(nnf, name)(p, t, weight=w, reduction=r),
        lambda p, t, w, r: getattr(F, name)(p, t, weight=w, reduction=r),
    )


LOSSES = {
    "mse_loss": _same_shape("mse_loss"),
    "l1_loss": _same_shape("l1_loss"),
    "huber_loss": _same_shape("huber_loss"),
    "binary_cross_entropy": _same_shape("binary_cross_entropy"),
    "binary_cross_entropy_with_logits": _same_shape("binary_cross_entropy_with_logits"),
    "pos_weight": (
        lambda p, t, w, r: nnf.binary_cross_entropy_with_logits(p, t, pos_weight=w[0], reduction=r),
        lambda p, t, w, r: F.binary_cross_entropy_with_logits(p, t, pos_weight=w[0], reduction=r),
    ),
}
CLASS_LOSSES = {  # and whether torch has the second derivative (multi_margin_loss's it does not)
    "cross_entropy": (nnf.cross_entropy, F.cross_entropy, True),
    "nll_loss": (nnf.nll_loss, F.nll_loss, True),
    "multi_margin_loss": (nnf.multi_margin_loss, F.multi_margin_loss, False),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", LOSSES)
def test_negative_weights_as_torch(name, reduction, dtype):
    ours, theirs = LOSSES[name]
    w = SIGNED.astype(dtype)
    check(
        lambda p: ours(p, TARGET.astype(dtype), w, reduction),
        lambda p: theirs(p, torch.from_numpy(TARGET.astype(dtype)), torch.from_numpy(w), reduction),
        [PRED],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_negative_class_weights_as_torch(name, reduction, dtype):
    ours, theirs, second = CLASS_LOSSES[name]
    w = CLASS_WEIGHT.astype(dtype)
    check(
        lambda s: ours(s, LABELS, weight=w, reduction=reduction),
        lambda s: theirs(s, torch.from_numpy(LABELS), weight=torch.from_numpy(w), reduction=reduction),
        [PRED],
        dtype,
        second=second,
    )


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_weights_adding_up_to_0_give_torchs_quotient_by_0(name):
    cancelling = np.array([[1.0, -1.0, 2.0], [-2.0, 0.5, -0.5], [3.0, -3.0, 0.0], [1.0, 1.0, -2.0]])
    theirs = getattr(F, name)(torch.from_numpy(PRED), torch.from_numpy(TARGET), weight=torch.from_numpy(cancelling))
    ours = getattr(nnf, name)(Tensor(PRED), TARGET, weight=cancelling)
    assert np.isinf(theirs.item()) and ours.item() == theirs.item()
    values = getattr(nnf, name)([Value(float(p)) for p in PRED.flat], TARGET.ravel(), weight=cancelling.ravel())
    assert values.data == theirs.item()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "smoothing"), [("cross_entropy", 0.0), ("cross_entropy", 0.2), ("nll_loss", 0.0)])
def test_class_weights_of_the_labels_adding_up_to_0_give_torchs_quotient_by_0(name, smoothing, dtype):
    """The labels' weights 1 - 1 + 1 - 1 add up to 0 with a nonzero total: PyTorch's mean is ±inf (NaN was given)."""
    cancelling, smooth = np.array([1.0, -1.0, 1.0], dtype), {"label_smoothing": smoothing} if smoothing else {}
    expected = getattr(F, name)(
        torch.from_numpy(PRED.astype(dtype)), torch.from_numpy(LABELS), weight=torch.from_numpy(cancelling), **smooth
    )
    ours = getattr(nnf, name)(Tensor(PRED.astype(dtype)), LABELS, weight=cancelling, **smooth)
    assert ours.dtype == dtype and np.isinf(expected.item())
    assert ours.item() == expected.item()
