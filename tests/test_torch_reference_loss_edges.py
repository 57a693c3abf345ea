"""nn's losses against PyTorch at edge points where they differed: binary_cross_entropy_with_logits's gradient in
its target at small logits (softplus(-x) - softplus(x) cancelled to 0 where it is -x), mse_loss's mean gradient
where 2 d overflows but 2 d / n does not, and cross_entropy with class probabilities: label smoothing beside a
-inf logit (NaN where torch's loss is inf) and class weights beside a log-probability near -1e308 (log p · w
overflowed first). Each against torch in float64 and float32, and against central differences in float64."""

import numpy as np
import pytest
from torch_reference import F as TF
from torch_reference import torch  # without torch: skipped

import autograd
import nn.functional as F
from autograd import Tensor, Value

DTYPES = [np.float64, np.float32]
REDUCTIONS = ["none", "sum", "mean"]
RTOL = {np.float64: 1e-14, np.float32: 1e-6}  # relative, no atol: gradients of 1e-30 are compared too


def _backward(loss, reduction):
    (loss.sum() if reduction == "none" else loss).backward()


def _assert_close(ours, theirs, dtype, rtol=None):
    np.testing.assert_allclose(ours, theirs, rtol=rtol or RTOL[dtype], atol=0)


SMALL_LOGITS = np.array([1e-30, -1e-30, 3e-17, -1e-8, 0.0, 0.5, -20.0, 40.0])
SOFT_TARGETS = np.array([0.5, 0.3, 0.9, 0.0, 1.0, 0.25, 0.75, 0.5])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": 2.5}, {"pos_weight": 3.0}, {"pos_weight": 0.5, "weight": 2.0}])
def test_bce_with_logits_gradient_in_the_target_matches_torch_at_small_logits(dtype, reduction, options):
    """d/dt is -x without pos_weight (it was 0 for |x| below 1e-16: two softplus terms of ln 2 cancelled, where
    torch's is -x), pos_weight softplus(-x) - softplus(x) with it, as torch's; the loss and d/dx as before."""
    x = Tensor(SMALL_LOGITS.astype(dtype), requires_grad=True)
    t = Tensor(SOFT_TARGETS.astype(dtype), requires_grad=True)
    ours = {k: np.asarray(v, dtype) for k, v in options.items()}
    _backward(F.binary_cross_entropy_with_logits(x, t, reduction=reduction, **ours), reduction)
    tx = torch.tensor(SMALL_LOGITS.astype(dtype), requires_grad=True)
    tt = torch.tensor(SOFT_TARGETS.astype(dtype), requires_grad=True)
    theirs = {k: torch.tensor(v, dtype=tx.dtype) for k, v in options.items()}
    _backward(TF.binary_cross_entropy_with_logits(tx, tt, reduction=reduction, **theirs), reduction)
    _assert_close(t.grad, tt.grad.numpy(), dtype)
    # d/dx = (1 - t) σ(x) - t σ(-x) cancels near x = 0 (0.7 · 0.5 - 0.3 · 0.5), in torch's rounding and in ours
    _assert_close(x.grad, tx.grad.numpy(), dtype, rtol=1e-14 if dtype == np.float64 else 1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_gradient_in_the_target_is_exactly_minus_the_logit(dtype):
    x = Tensor(SMALL_LOGITS.astype(dtype), requires_grad=True)
    t = Tensor(SOFT_TARGETS.astype(dtype), requires_grad=True)
    F.binary_cross_entropy_with_logits(x, t, reduction="sum").backward()
    np.testing.assert_array_equal(t.grad, -SMALL_LOGITS.astype(dtype))


def test_bce_with_logits_gradient_in_the_target_on_values():
    logits = [Value(float(v)) for v in SMALL_LOGITS]
    targets = [Value(float(v)) for v in SOFT_TARGETS]
    F.binary_cross_entropy_with_logits(logits, targets, reduction="sum").backward()
    assert [t.grad for t in targets] == (-SMALL_LOGITS).tolist()


@pytest.mark.parametrize(
    "options", [{}, {"weight": np.array([2.0, 0.5, 1.0])}, {"pos_weight": np.array([3.0, 0.5, 1.0])}]
)
def test_bce_with_logits_gradients_against_central_differences(options):
    x = np.array([[0.3, -2.0, 5.0], [-0.7, 1e-3, 12.0]])
    t = np.array([[0.5, 0.01, 0.99], [0.2, 0.9, 0.6]])  # inside [0, 1] by more than the differences' step
    loss = lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="sum", **options)  # noqa: E731
    assert autograd.gradcheck(loss, [Tensor(x, requires_grad=True), Tensor(t, requires_grad=True)], atol=1e-8)


HALF = {np.float64: 8.98e307, np.float32: 1.7e38}  # 2 d overflows, where d = 2 · HALF does not


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_gradient_is_torchs_where_the_loss_is_inf(dtype, reduction):
    """The loss of d = 1.8e308 is inf; its mean's gradient, (2 / n) d, is 6e307 of 6 elements in torch, and was inf
    here ((p - t) ** 2's rule takes 2 d first). The sum's and each element's, 2 d, are inf in both."""
    pred = np.array([HALF[dtype], -HALF[dtype], 1e30, 3.0, np.inf, 0.0], dtype)
    target = np.array([-HALF[dtype], HALF[dtype], 0.0, 1.0, 0.0, -0.0], dtype)
    x, t = Tensor(pred, requires_grad=True), Tensor(target, requires_grad=True)
    with np.errstate(over="ignore"):  # the loss is inf, and so is 2 d where no mean divides it: meant
        loss = F.mse_loss(x, t, reduction=reduction)
        _backward(loss, reduction)
    tx, tt = torch.tensor(pred, requires_grad=True), torch.tensor(target, requires_grad=True)
    expected = TF.mse_loss(tx, tt, reduction=reduction)
    _backward(expected, reduction)
    np.testing.assert_array_equal(loss.data, expected.detach().numpy())
    _assert_close(x.grad, tx.grad.numpy(), dtype)
    _assert_close(t.grad, tt.grad.numpy(), dtype)
    if reduction == "mean":
        assert np.isfinite(x.grad[:2]).all()


def test_mse_loss_gradient_where_the_loss_is_inf_on_values():
    preds = [Value(8.98e307), Value(3.0)]
    loss = F.mse_loss(preds, [-8.98e307, 1.0])
    loss.backward()
    tx = torch.tensor([8.98e307, 3.0], dtype=torch.float64, requires_grad=True)
    TF.mse_loss(tx, torch.tensor([-8.98e307, 1.0], dtype=torch.float64)).backward()
    assert loss.data == np.inf
    assert [p.grad for p in preds] == tx.grad.tolist()


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_gradients_against_central_differences(reduction):
    pred, target = np.array([[0.3, -2.0], [5.0, 1e-3]]), np.array([[1.0, 0.5], [-4.0, 0.0]])
    loss = lambda a, b: F.mse_loss(a, b, reduction=reduction)  # noqa: E731
    assert autograd.gradcheck(loss, [Tensor(pred, requires_grad=True), Tensor(target, requires_grad=True)])


def _soft_cross_entropy(dtype, logits, probs, reduction, **options):
    """chainrule's and torch's cross_entropy of class probabilities: (loss, d/dlogits, d/dtarget) of each."""
    x, t = Tensor(logits.astype(dtype), requires_grad=True), Tensor(probs.astype(dtype), requires_grad=True)
    ours = {k: np.asarray(v, dtype) if k == "weight" else v for k, v in options.items()}
    with np.errstate(all="ignore"):  # infinities, compared
        loss = F.cross_entropy(x, t, reduction=reduction, **ours)
        _backward(loss, reduction)
    tx = torch.tensor(logits.astype(dtype), requires_grad=True)
    tt = torch.tensor(probs.astype(dtype), requires_grad=True)
    theirs = {k: torch.tensor(np.asarray(v, dtype)) if k == "weight" else v for k, v in options.items()}
    expected = TF.cross_entropy(tx, tt, reduction=reduction, **theirs)
    _backward(expected, reduction)
    return (loss.data, x.grad, t.grad), (expected.detach().numpy(), tx.grad.numpy(), tt.grad.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, [1.0, 2.0, 0.5]])
def test_soft_cross_entropy_with_label_smoothing_of_a_minus_inf_logit_is_inf_as_torch(dtype, reduction, weight):
    """The smoothed target gives every class e / classes, so a -inf logit's term is -inf · 0.1 / 3 and the loss inf,
    as torch's. It was NaN: the target's part, -inf · 0, taken apart from the uniform one."""
    logits = np.array([[-np.inf, 0.0, 1.0], [0.5, -1.0, 2.0]])
    probs = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
    options = {"label_smoothing": 0.1} if weight is None else {"label_smoothing": 0.1, "weight": weight}
    (loss, gx, gt), (t_loss, t_gx, t_gt) = _soft_cross_entropy(dtype, logits, probs, reduction, **options)
    assert np.isinf(loss).any()
    np.testing.assert_array_equal(np.isnan(loss), np.isnan(t_loss))
    _assert_close(loss, t_loss, dtype)
    _assert_close(gx, t_gx, dtype)
    _assert_close(gt, t_gt, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_soft_cross_entropy_weighs_after_the_target_as_torch(dtype, smoothing):
    """A log-probability of -big (a logit of big beside 0) times its target 0.3, then its weight 2: finite; the weight
    was taken first, -big · 2 = -inf, and the gradient in the target was inf where torch's is big / 4."""
    big = float(np.finfo(dtype).max)
    logits = np.array([[big, 0.0, 1.0], [0.5, -1.0, 2.0]])
    probs = np.array([[0.7, 0.3, 0.0], [0.2, 0.3, 0.5]])
    options = {"weight": [1.0, 2.0, 0.5], "label_smoothing": smoothing}
    (loss, gx, gt), (t_loss, t_gx, t_gt) = _soft_cross_entropy(dtype, logits, probs, "mean", **options)
    assert np.isfinite(gt).all()
    _assert_close(loss, t_loss, dtype)
    _assert_close(gx, t_gx, dtype)
    _assert_close(gt, t_gt, dtype)


@pytest.mark.parametrize(
    "options", [{"label_smoothing": 0.2}, {"label_smoothing": 0.2, "weight": np.array([1, 2.0, 0.5])}]
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_cross_entropy_gradients_against_central_differences(options, reduction):
    logits = np.array([[0.3, -2.0, 5.0], [-0.7, 1e-3, 1.2]])
    probs = np.array([[0.5, 0.01, 0.5], [0.2, 0.7, 0.1]])  # above 0 by more than the differences' step
    loss = lambda a, b: F.cross_entropy(a, b, reduction=reduction, **options)  # noqa: E731
    assert autograd.gradcheck(loss, [Tensor(logits, requires_grad=True), Tensor(probs, requires_grad=True)])
