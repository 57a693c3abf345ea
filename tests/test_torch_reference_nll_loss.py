"""autograd.nll_loss (the op nn.functional.nll_loss runs) against torch.nn.functional.nll_loss: forward,
gradient and second derivative (tests/torch_reference.py compares) in float64 and float32, for scores of
shape (N, C), (C,) and (N, C, d1, d2), with some, no and all rows ignored, a class of weight 0, and every
reduction; the NaN mean of nothing and of labels weighing nothing, as torch's; a second derivative that is
not 0 (the loss squared: the rule is linear in its upstream gradient) and one through log_softmax."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import autograd
from autograd import Tensor

RNG = np.random.default_rng(11)
WEIGHT = np.array([0.5, 2.0, 0.0, 1.5])  # class 2 counts for nothing
SHAPES = [(5, 4), (4,), (2, 4, 2, 3)]
REDUCTIONS = ["mean", "sum", "none"]


def _labels(shape, ignored):
    """Labels of scores of `shape` (-100 ignored): none, some (every third), or all ignored; the kept ones of
    classes 0, 1 and 3, and one of class 2 (weight 0) where there are several (weight 0 for all of them is
    a case of its own)."""
    labels = RNG.choice([0, 1, 3], shape[:1] + shape[2:] if len(shape) > 1 else ())
    if labels.size > 2:
        labels.flat[1] = 2
    if ignored == "some":
        labels.flat[::3] = -100
    elif ignored == "all":
        labels[...] = -100
    return labels


def _losses(labels, reduction, weighted, dtype):
    w = WEIGHT.astype(dtype) if weighted else None
    tw = None if w is None else torch.from_numpy(w)
    ty = torch.from_numpy(np.asarray(labels))
    ours = lambda x: autograd.nll_loss(x, labels, ignore_index=-100, weight=w, reduction=reduction)  # noqa: E731
    theirs = lambda x: F.nll_loss(x, ty, weight=tw, reduction=reduction)  # noqa: E731
    return ours, theirs


CASES = [
    pytest.param(shape, ignored, reduction, id=f"{shape}-{ignored}-{reduction}")
    for shape in SHAPES
    for ignored in ("none", "some", "all")
    for reduction in REDUCTIONS
    if not (ignored == "all" and reduction == "mean")  # NaN: test_a_mean_of_nothing_or_of_weightless_labels_is_nan
    if not (shape == (4,) and ignored == "some")  # one example: none or all
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("shape", "ignored", "reduction"), CASES)
def test_nll_loss_matches_torch(shape, ignored, reduction, weighted, dtype):
    """The loss squared (each entry for "none"): its gradient's upstream gradient depends on the scores, so
    the second derivative is not 0 and goes through the rule as a node (create_graph)."""
    ours, theirs = _losses(_labels(shape, ignored), reduction, weighted, dtype)
    log_probs = np.log(RNG.uniform(0.05, 1.0, shape))
    check(lambda x: ours(x) ** 2, lambda x: theirs(x) ** 2, [log_probs], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_nll_loss_of_log_softmax_matches_torch_to_the_second_derivative(shape, reduction, dtype):
    """Double backward through the op: its rule's output, a constant in the scores, is log_softmax's
    upstream gradient, whose rule depends on the logits."""
    ours, theirs = _losses(_labels(shape, "some" if len(shape) > 1 else "none"), reduction, True, dtype)
    axis = 1 if len(shape) > 1 else 0
    logits = RNG.standard_normal(shape) * 2
    check(lambda x: ours(x.log_softmax(axis=axis)), lambda x: theirs(F.log_softmax(x, axis)), [logits], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_a_mean_of_nothing_or_of_weightless_labels_is_nan_as_torch(weighted, dtype):
    """Every row ignored: NaN, with a gradient of 0 (torch's); kept labels weighing 0 in all (class 2): NaN,
    with a gradient of NaN at those labels alone (each one's share is 0 / 0), 0 everywhere else."""
    log_probs = np.log(RNG.uniform(0.05, 1.0, (5, 4))).astype(dtype)
    for labels in ([-100] * 5, [2, -100, 2, 2, -100]):
        if labels[0] == 2 and not weighted:
            continue  # without weights, kept labels weigh 1 each
        labels = np.array(labels)
        ours, theirs = _losses(labels, "mean", weighted, dtype)
        x, tx = Tensor(log_probs.copy(), requires_grad=True), torch.tensor(log_probs, requires_grad=True)
        with np.errstate(all="ignore"):
            loss = ours(x)
            loss.backward()
        expected = theirs(tx)
        expected.backward()
        assert np.isnan(loss.item()) and np.isnan(expected.item()) and loss.dtype == dtype
        np.testing.assert_array_equal(np.isnan(x.grad), np.isnan(tx.grad.numpy()))
        np.testing.assert_array_equal(np.nan_to_num(x.grad), np.nan_to_num(tx.grad.numpy()))
        assert np.isnan(x.grad).sum() == (labels == 2).sum()


def test_the_gradient_is_minus_the_weight_over_the_kept_weights_at_each_label():
    """The rule itself, by hand: at each kept row's label -w_y / (sum of the kept labels' weights), else 0;
    an ignored row's -inf counts for nothing."""
    log_probs = Tensor(np.array([[-0.5, -1.0, -2.0, -3.0], [-np.inf, 0.0, -1.0, -1.0], [-1.0, -2.0, -0.1, -4.0]]))
    log_probs.requires_grad = True
    loss = autograd.nll_loss(log_probs, np.array([1, -100, 3]), ignore_index=-100, weight=WEIGHT)
    loss.backward()
    assert loss.item() == (2.0 * 1.0 + 1.5 * 4.0) / 3.5
    expected = np.zeros((3, 4))
    expected[0, 1], expected[2, 3] = -2.0 / 3.5, -1.5 / 3.5
    np.testing.assert_array_equal(log_probs.grad, expected)


def test_nll_loss_refuses_what_it_cannot_take_under_its_own_name():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"nll_loss: label 3 \(row 1\) is not a class of these log-probabilities"):
        autograd.nll_loss(x, np.array([0, 3]))
    with pytest.raises(TypeError, match="nll_loss needs integer class labels"):
        autograd.nll_loss(x, np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="nll_loss: reduction must be one of mean, sum, none"):
        autograd.nll_loss(x, np.array([0, 1]), reduction="average")
    with pytest.raises(autograd.ShapeError, match=r"nll_loss: weight of shape \(2,\): give one per class"):
        autograd.nll_loss(x, np.array([0, 1]), weight=np.ones(2))
