"""chainrule's losses against PyTorch: autograd.cross_entropy and nn.functional's mse_loss,
l1_loss, binary_cross_entropy and hinge_loss, on Tensors (float64 and float32) and on lists of
Values, forward, gradient and second derivative. Targets are differentiable inputs too where
torch's loss takes a gradient for them (mse, l1, bce); hinge labels are classes, -1 or +1.
Comparison: tests/torch_reference.py."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import DTYPES, EXAMPLES, F, check, check_scalar, torch  # without torch: skipped

import autograd
import nn.functional as nnf
from autograd.testing import arrays, floats, shapes


@st.composite
def logits_and_labels(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    return draw(arrays((n, c), -5.0, 5.0)), np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("api", ["autograd", "nn.functional"])
@EXAMPLES
@given(case=logits_and_labels())
def test_cross_entropy(api, dtype, case):
    logits, labels = case
    fn = {"autograd": autograd.cross_entropy, "nn.functional": nnf.cross_entropy}[api]
    check(lambda t: fn(t, labels), lambda t: F.cross_entropy(t, torch.from_numpy(labels)), [logits], dtype)


def hinge(scores, labels):
    """micrograd's max-margin loss, as nn.functional.hinge_loss defines it: mean of relu(1 - label * score).
    (torch has no such loss: this composes it of torch's ops, relu's derivative at 0 being 0.)"""
    return torch.relu(1 - scores * labels).mean()


def bce(probs, targets):
    """binary_cross_entropy composed of torch's exact ops, logs held at -100 or above as torch's
    does: the reference for second derivatives, since F.binary_cross_entropy's double backward
    adds 1e-12 to p and 1 - p (relative error 2e-12 / p; see test_torch_bce_second_derivative_is_approximate)."""
    return -(targets * probs.log().clamp_min(-100) + (1 - targets) * (1 - probs).log().clamp_min(-100)).mean()


def test_torch_bce_second_derivative_is_approximate():
    p = torch.tensor(0.01, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(F.binary_cross_entropy(p, torch.tensor(0.0, dtype=torch.float64)), p, create_graph=True)
    (h,) = torch.autograd.grad(g, p)
    exact = 1 / (1 - 0.01) ** 2  # d2/dp2 of -log(1 - p)
    assert abs(h.item() / exact - 1) > 1e-10
    (h,) = torch.autograd.grad(
        torch.autograd.grad(bce(p, torch.tensor(0.0, dtype=torch.float64)), p, create_graph=True)[0], p
    )
    assert abs(h.item() / exact - 1) < 1e-15


# name: (chainrule loss, torch loss, prediction range, target strategy (elements), target differentiable)
# binary_cross_entropy's second derivative is compared with `bce` instead (see there)
LOSSES = {
    "mse_loss": (nnf.mse_loss, F.mse_loss, (-3.0, 3.0), floats(-3.0, 3.0), True),
    "l1_loss": (nnf.l1_loss, F.l1_loss, (-3.0, 3.0), floats(-3.0, 3.0), True),
    "binary_cross_entropy": (nnf.binary_cross_entropy, F.binary_cross_entropy, (0.01, 0.99), floats(0.0, 1.0), True),
    "hinge_loss": (nnf.hinge_loss, hinge, (-3.0, 3.0), st.sampled_from([-1.0, 1.0]), False),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", LOSSES)
@EXAMPLES
@given(data=st.data(), shape=shapes(0, 2, 4))
def test_loss_on_tensors(name, dtype, data, shape):
    chain_loss, torch_loss, (lo, hi), target_elements, learnable = LOSSES[name]
    pred = data.draw(arrays(shape, lo, hi), label="pred")
    target = data.draw(st.lists(target_elements, min_size=pred.size, max_size=pred.size), label="target")
    target = np.array(target, dtype=float)
    target = target.reshape(shape)
    if learnable:
        check(chain_loss, torch_loss, [pred, target], dtype, second=name != "binary_cross_entropy")
        if name == "binary_cross_entropy":
            check(chain_loss, bce, [pred, target], dtype)
    else:
        fixed = target.astype(dtype)
        check(lambda p: chain_loss(p, fixed), lambda p: torch_loss(p, torch.from_numpy(fixed)), [pred], dtype)


@pytest.mark.parametrize(
    "name, targets",
    [
        (name, targets)
        for name in LOSSES
        for targets in ("constant", "Values")
        if LOSSES[name][4] or targets == "constant"
    ],
)
@EXAMPLES
@given(data=st.data(), n=st.integers(1, 4))
def test_loss_on_values(name, targets, data, n):
    """The scalar engine's form: a list of Values against a list of targets (numbers, or Values to
    differentiate in too where torch's loss has a target gradient)."""
    chain_loss, torch_loss, (lo, hi), target_elements, _ = LOSSES[name]
    preds = data.draw(st.lists(floats(lo, hi), min_size=n, max_size=n), label="preds")
    goal = data.draw(st.lists(target_elements, min_size=n, max_size=n), label="targets")
    references = [(torch_loss, True)] if name != "binary_cross_entropy" else [(torch_loss, False), (bce, True)]
    fixed = torch.tensor(goal, dtype=torch.float64)
    for reference, second in references:
        if targets == "Values":
            check_scalar(
                lambda *vs: chain_loss(list(vs[:n]), list(vs[n:])),
                lambda *xs, reference=reference: reference(torch.stack(xs[:n]), torch.stack(xs[n:])),
                preds + goal,
                second=second,
            )
        else:
            check_scalar(
                lambda *vs: chain_loss(list(vs), goal),
                lambda *xs, reference=reference: reference(torch.stack(xs), fixed),
                preds,
                second=second,
            )


# ---- reductions, and the losses of nn.losses and nn.losses_classes (issue #14) ----

REDUCTIONS = ["mean", "sum", "none"]
# torch's kl_div warns that its "mean" (over every element) differs from "batchmean"; chainrule's "mean" is the same
no_kl_mean_warning = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss:UserWarning")


def _data(seed, shape, lo=-3.0, hi=3.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


# name: (chainrule loss, torch loss, prediction range, target range, keywords of both)
PAIR_LOSSES = {
    "mse_loss": (nnf.mse_loss, F.mse_loss, (-3, 3), (-3, 3), {}),
    "l1_loss": (nnf.l1_loss, F.l1_loss, (-3, 3), (-3, 3), {}),
    "binary_cross_entropy": (nnf.binary_cross_entropy, F.binary_cross_entropy, (0.01, 0.99), (0, 1), {}),
    "bce_with_logits": (
        nnf.binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits,
        (-8, 8),
        (0, 1),
        {},
    ),
    "huber_loss": (nnf.huber_loss, F.huber_loss, (-3, 3), (-3, 3), {}),
    "huber_loss delta 0.3": (nnf.huber_loss, F.huber_loss, (-3, 3), (-3, 3), {"delta": 0.3}),
    "smooth_l1_loss": (nnf.smooth_l1_loss, F.smooth_l1_loss, (-3, 3), (-3, 3), {}),
    "smooth_l1_loss beta 2.5": (nnf.smooth_l1_loss, F.smooth_l1_loss, (-3, 3), (-3, 3), {"beta": 2.5}),
    "smooth_l1_loss beta 0": (nnf.smooth_l1_loss, F.smooth_l1_loss, (-3, 3), (-3, 3), {"beta": 0.0}),
    "kl_div": (nnf.kl_div, F.kl_div, (-4, 0), (0.05, 1), {}),
    "kl_div log_target": (nnf.kl_div, F.kl_div, (-4, 0), (-4, 0), {"log_target": True}),
}


@no_kl_mean_warning
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", PAIR_LOSSES)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_pair_losses_every_reduction(name, reduction, dtype, shape):
    """Forward, gradient in the prediction and in the target (a differentiable input), and second
    derivative, of every pair loss under every reduction."""
    chain_loss, torch_loss, (lo, hi), (tlo, thi), kw = PAIR_LOSSES[name]
    pred, target = _data(1, shape, lo, hi), _data(2, shape, tlo, thi)
    second = name != "binary_cross_entropy"  # torch's double backward of it is approximate: see above
    check(
        lambda p, t: chain_loss(p, t, reduction=reduction, **kw),
        lambda p, t: torch_loss(p, t, reduction=reduction, **kw),
        [pred, target],
        dtype,
        second=second,
    )


@no_kl_mean_warning
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", [*REDUCTIONS, "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_of_softmax_outputs_every_reduction(reduction, log_target, dtype):
    """The usual use: log_softmax of scores against a distribution (with zeros: 0 log 0 is 0), as a constant."""
    scores, goal = _data(3, (4, 5)), _data(4, (4, 5), 0, 1)
    goal[0, :2] = 0.0
    goal /= goal.sum(axis=1, keepdims=True)
    target = np.log(goal + 1e-3) if log_target else goal
    fixed = target.astype(dtype)
    check(
        lambda s: nnf.kl_div(s.log_softmax(axis=1), fixed, reduction=reduction, log_target=log_target),
        lambda s: F.kl_div(s.log_softmax(dim=1), torch.from_numpy(fixed), reduction=reduction, log_target=log_target),
        [scores],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_pos_weight(reduction, dtype):
    logits, target, weight = _data(5, (6, 3), -5, 5), _data(6, (6, 3), 0, 1), np.array([0.5, 2.0, 3.0])
    w = weight.astype(dtype)
    check(
        lambda x, t: nnf.binary_cross_entropy_with_logits(x, t, reduction=reduction, pos_weight=w),
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction, pos_weight=torch.from_numpy(w)),
        [logits, target],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_finite_for_huge_logits(dtype):
    """PyTorch's formula: (1 - t) x - logsigmoid(x) neither overflows nor saturates at +-1e4."""
    logits, target = np.array([-1e4, -50.0, 0.0, 50.0, 1e4]), np.array([1.0, 0.0, 0.5, 1.0, 0.0])
    check(nnf.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, [logits, target], dtype)


# cross_entropy: (logits shape, how the target is made)
CE_SHAPES = [(4, 5), (5,), (3, 4, 2), (2, 3, 2, 2)]


def _class_target(shape, seed, ignore=False):
    labels_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    labels = np.random.default_rng(seed).integers(0, shape[1 if len(shape) > 1 else 0], labels_shape)
    if ignore and labels.ndim:
        labels.flat[::3] = -100 if ignore == "default" else 1  # the first and every third
    return labels


def _class_weights(shape, dtype, weighted, kept=()):
    """One weight per class of scores of `shape`, one of them 0 (a class that counts for nothing), but
    never every class of the labels `kept` (their mean would be 0/0, test_a_mean_over_labels_that_weigh_
    nothing_is_nan_as_torch's case); or None."""
    if not weighted:
        return None, None
    classes = shape[1 if len(shape) > 1 else 0]
    w = _data(20, classes, 0.2, 3.0).astype(dtype)
    present = set(np.ravel(kept).tolist())
    w[next(c for c in range(classes) if present - {c} or not present)] = 0.0
    return w, torch.from_numpy(w)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [False, "default", "index 1"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_class_indices(shape, reduction, smoothing, ignore, weighted, dtype):
    """Every reduction, N-d logits, label smoothing, labels ignored (ignore_index -100 by default, or a
    class), and class weights (the mean divides by the weights of the labels kept)."""
    logits, labels = _data(7, shape), _class_target(shape, 8, ignore)
    kw = {"reduction": reduction, "label_smoothing": smoothing, "ignore_index": 1 if ignore == "index 1" else -100}
    w, tw = _class_weights(shape, dtype, weighted, labels[labels != kw["ignore_index"]])
    check(
        lambda x: nnf.cross_entropy(x, labels, weight=w, **kw),
        lambda x: F.cross_entropy(x, torch.from_numpy(labels), weight=tw, **kw),
        [logits],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_class_probabilities(shape, reduction, smoothing, weighted, dtype):
    """Targets of the logits' shape are class probabilities; they are differentiable inputs too. With
    class weights (one of them 0), each class's term is weighed and the mean stays over examples."""
    logits, raw_target = _data(9, shape), _data(10, shape, 0, 1)
    target = raw_target / raw_target.sum(axis=1 if len(shape) > 1 else 0, keepdims=True)
    w, tw = _class_weights(shape, dtype, weighted)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    check(
        lambda x, t: nnf.cross_entropy(x, t, weight=w, **kw),
        lambda x, t: F.cross_entropy(x, t, weight=tw, **kw),
        [logits, target],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
@pytest.mark.parametrize("ignore", [False, "default"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(shape, reduction, ignore, weighted, dtype):
    log_probs, labels = np.log(_data(11, shape, 0.05, 1)), _class_target(shape, 12, ignore)
    w, tw = _class_weights(shape, dtype, weighted, labels[labels != -100])
    check(
        lambda x: nnf.nll_loss(x, labels, weight=w, reduction=reduction),
        lambda x: F.nll_loss(x, torch.from_numpy(labels), weight=tw, reduction=reduction),
        [log_probs],
        dtype,
    )


def test_cross_entropy_with_every_label_ignored_is_nan_as_torch():
    logits, labels = _data(13, (2, 3)), np.array([-100, -100])
    ours = nnf.cross_entropy(autograd.Tensor(logits), labels).item()
    theirs = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels)).item()
    assert np.isnan(ours) and np.isnan(theirs)


@no_kl_mean_warning
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", [n for n in PAIR_LOSSES if not n.startswith("kl_div log")])
def test_pair_losses_on_values_every_reduction(name, reduction):
    """The scalar engine's form, a list of Values against a list of Values, under every reduction
    ("none": a list of Values, compared one by one)."""
    chain_loss, torch_loss, (lo, hi), (tlo, thi), kw = PAIR_LOSSES[name]
    n = 3
    preds, goal = _data(14, n, lo, hi).tolist(), _data(15, n, tlo, thi).tolist()
    second = name != "binary_cross_entropy"
    for k in range(n if reduction == "none" else 1):

        def ours(*vs, k=k):
            out = chain_loss(list(vs[:n]), list(vs[n:]), reduction=reduction, **kw)
            return out[k] if reduction == "none" else out

        def theirs(*xs, k=k):
            out = torch_loss(torch.stack(xs[:n]), torch.stack(xs[n:]), reduction=reduction, **kw)
            return out[k] if reduction == "none" else out

        check_scalar(ours, theirs, preds + goal, second=second)
