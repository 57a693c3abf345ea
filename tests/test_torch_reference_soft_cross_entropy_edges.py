"""cross_entropy of class probabilities where a log-probability is -inf (a score of -inf, or one that overflowed):
the target's share of that class was t log p = 0 · -inf = NaN where t is 0, which made the loss NaN where PyTorch's
is inf (with label_smoothing, whose target has no 0; with class weights, log p · w overflowing first). A class the
target gives 0 now adds 0, so the loss is inf where PyTorch's is, and finite where PyTorch's is NaN (0 · -inf in
its form too): there the reference is PyTorch's loss of the same row with -inf replaced by -1e4, whose softmax is
the same to the last bit."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, torch  # without torch: skipped

import nn.functional as nnf
from autograd import Tensor

TARGETS = np.array([[0.0, 0.0, 1.0], [0.2, 0.3, 0.5]])


def _ours(logits, targets, **options):
    x, t = Tensor(logits, requires_grad=True), Tensor(targets, requires_grad=True)
    loss = nnf.cross_entropy(x, t, reduction="sum", **options)
    loss.backward()
    return loss.data, x.grad, t.grad


def _torch(logits, targets, **options):
    x, t = torch.tensor(logits, requires_grad=True), torch.tensor(targets, requires_grad=True)
    extra = {k: torch.tensor(np.asarray(v, logits.dtype)) if k == "weight" else v for k, v in options.items()}
    loss = F.cross_entropy(x, t, reduction="sum", **extra)
    loss.backward()
    return loss.detach().numpy(), x.grad.numpy(), t.grad.numpy()


def _assert_same(ours, theirs, dtype):
    """Equal within 16 units in the last place of each result's largest finite entry (normwise: an entry that
    cancels, p - t near 0, rounds at the size of its terms), infinities equal."""
    for a, e in zip(ours, theirs):
        assert a.dtype == dtype
        scale = np.max(np.abs(e), where=np.isfinite(e), initial=0.0)
        np.testing.assert_allclose(a, e, rtol=0, atol=16 * np.finfo(dtype).eps * scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_label_smoothing_at_a_minus_inf_score_is_inf_as_torch(dtype, weighted):
    """With smoothing every class has a share, so the loss is inf (it was NaN); the gradients are PyTorch's."""
    logits = np.array([[-np.inf, 0.0, 1.0], [1.0, 2.0, 3.0]], dtype)
    options = {"label_smoothing": 0.1} | ({"weight": [0.5, 2.0, 1.0]} if weighted else {})
    ours = _ours(logits, TARGETS.astype(dtype), **options)
    assert ours[0] == np.inf
    _assert_same(ours, _torch(logits, TARGETS.astype(dtype), **options), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_weighted_log_probability_overflowing_where_the_target_is_0_adds_0(dtype):
    """log p of the middle class is -max, times its weight 2: -inf, at a target of 0 (it was 0 · -inf = NaN).
    The last class's log p is -inf, at a target of 1: the loss is inf, as PyTorch's."""
    big = np.finfo(dtype).max
    logits = np.array([[big, 0.0, -big], [1.0, 2.0, 3.0]], dtype)
    with np.errstate(over="ignore"):  # log p · w, meant
        ours = _ours(logits, TARGETS.astype(dtype), weight=np.array([0.5, 2.0, 1.0], dtype))
    theirs = _torch(logits, TARGETS.astype(dtype), weight=[0.5, 2.0, 1.0])
    assert ours[0] == theirs[0] == np.inf
    _assert_same(ours[1:2], theirs[1:2], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_class_of_target_0_at_a_minus_inf_score_adds_nothing(dtype):
    """PyTorch's loss is NaN here (0 · -inf); ours is the loss of the other classes, as with a score of -1e4."""
    logits = np.array([[-np.inf, 0.0, 1.0], [1.0, 2.0, 3.0]], dtype)
    targets = np.array([[0.0, 0.25, 0.75], [0.2, 0.3, 0.5]], dtype)
    assert np.isnan(_torch(logits, targets)[0])
    finite = np.where(np.isinf(logits), -1e4, logits).astype(dtype)
    ours = _ours(logits, targets)
    assert np.isfinite(ours[0]) and np.isfinite(ours[1]).all()
    expected = _torch(finite, targets)
    _assert_same(ours[:2], expected[:2], dtype)
    _assert_same([ours[2][1]], [expected[2][1]], dtype)
    assert ours[2][0, 0] == np.inf  # -log p of that class: the loss's slope in its share
