"""nn's losses against PyTorch and the exact values where a step overflowed or underflowed: mse_loss's mean,
whose gradient 2 d / N was formed as 2 d first (inf from d = 9e307, where the loss is inf but its gradient is
a number), on Tensors and on Values (whose ** raised an OverflowError where PyTorch's loss is inf); and
smooth_l1_loss's square m * m / beta, 0 for a small beta in float32 (1e-60) and inf for a large one; and
binary_cross_entropy's gradient in a subnormal probability, g (p - t) formed first, 0 under the mean's g = 1/N."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, torch  # without torch: skipped

import autograd
import nn.functional as nnf
from autograd import Tensor, Value

LARGEST = {np.float64: 1.7e308, np.float32: 3.4e38}


def _both(ours, theirs, preds, targets, reduction):
    """(loss, prediction gradient, target gradient) of ours and of PyTorch's, targets differentiable too."""
    p, t = Tensor(preds, requires_grad=True), Tensor(targets, requires_grad=True)
    with np.errstate(over="ignore"):  # the losses and the sum's gradients overflow, as PyTorch's (compared)
        loss = ours(p, t, reduction=reduction)
        (loss.sum() if reduction == "none" else loss).backward()
    tp, tt = torch.tensor(preds, requires_grad=True), torch.tensor(targets, requires_grad=True)
    expected = theirs(tp, tt, reduction=reduction)
    (expected.sum() if reduction == "none" else expected).backward()
    return (loss.data, p.grad, t.grad), (expected.detach().numpy(), tp.grad.numpy(), tt.grad.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_gradient_is_torch_where_the_loss_overflows(dtype, reduction):
    """The mean's gradient of d = 1.7e308 over 3 elements is 1.1e308 (it was inf); the sum's 2 d is inf in both."""
    big = LARGEST[dtype]
    preds = np.array([big, -big / 2, 1.5], dtype)
    targets = np.array([0.0, big / 4, -2.0], dtype)
    ours, theirs = _both(nnf.mse_loss, F.mse_loss, preds, targets, reduction)
    for a, e in zip(ours, theirs):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, e)
    if reduction == "mean":
        assert np.isinf(ours[0]) and np.isfinite(ours[1]).all() and np.isfinite(ours[2]).all()


def test_mse_loss_on_values_is_inf_with_torch_gradients_where_the_square_overflows():
    preds, targets = [Value(1e200), Value(-3.0)], [Value(-1e200), Value(1.0)]
    loss = nnf.mse_loss(preds, targets)
    loss.backward()
    tp = torch.tensor([1e200, -3.0], dtype=torch.float64, requires_grad=True)
    tt = torch.tensor([-1e200, 1.0], dtype=torch.float64, requires_grad=True)
    expected = F.mse_loss(tp, tt)
    expected.backward()
    assert loss.data == expected.item() == np.inf
    assert [v.grad for v in preds] == tp.grad.tolist()
    assert [v.grad for v in targets] == tt.grad.tolist()


def test_mse_loss_and_its_second_derivative_match_finite_differences():
    preds, targets = np.array([0.3, -1.2, 2.0]), np.array([1.0, -1.0, 0.5])

    def slopes(p, t):
        gp, gt = autograd.grad(nnf.mse_loss, argnums=(0, 1))(p, t)
        return gp * 1.5 + gt

    assert autograd.gradcheck(nnf.mse_loss, [preds, targets])
    assert autograd.gradcheck(slopes, [preds, targets])


def _smooth_l1(diffs, beta):
    x = Tensor(diffs, requires_grad=True)
    loss = nnf.smooth_l1_loss(x, np.zeros_like(diffs), beta=beta, reduction="none")
    loss.sum().backward()
    return loss.data, x.grad


@pytest.mark.parametrize("beta", [1e-30, 1e20])
def test_smooth_l1_loss_square_neither_underflows_nor_overflows_in_float32(beta):
    """At d = beta = 1e-30 the loss was 0 (PyTorch's 5e-31: it takes the linear piece there), at 2e-30 1e-30
    (1.5e-30); below beta PyTorch's square underflows too (0 at 5e-31) and overflows for beta = 1e20 (inf at
    d = 9e19): there the reference is the loss in float64, rounded once."""
    diffs = np.array([1.0, 2.0, 0.5, 0.3, 0.9], np.float32) * np.float32(beta)
    loss, slope = _smooth_l1(diffs, beta)
    b, d = float(np.float32(beta)), diffs.astype(np.float64)
    exact = np.where(d < b, 0.5 * d * d / b, d - 0.5 * b).astype(np.float32)
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss, exact, rtol=4 * np.finfo(np.float32).eps, atol=0)
    np.testing.assert_allclose(slope, np.minimum(d / b, 1), rtol=4 * np.finfo(np.float32).eps, atol=0)
    tx = torch.tensor(diffs, requires_grad=True)
    expected = F.smooth_l1_loss(tx, torch.zeros(5), beta=beta, reduction="none")
    expected.sum().backward()
    np.testing.assert_allclose(slope, tx.grad.numpy(), rtol=4 * np.finfo(np.float32).eps, atol=0)
    if beta < 1:  # where PyTorch takes the linear piece, equal
        np.testing.assert_array_equal(loss[:2], expected.detach().numpy()[:2])


def test_smooth_l1_loss_and_its_second_derivative_match_finite_differences():
    preds, targets = np.array([0.1, -1.2, 2.0, 0.25]), np.array([0.0, -1.0, 0.5, 0.3])

    def loss(p, t):
        return nnf.smooth_l1_loss(p, t, beta=0.3)

    def slopes(p, t):
        gp, gt = autograd.grad(loss, argnums=(0, 1))(p, t)
        return gp * 1.5 + gt

    assert autograd.gradcheck(loss, [preds, targets])
    assert autograd.gradcheck(slopes, [preds, targets])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_gradient_at_a_subnormal_probability_is_torch(dtype, reduction):
    """p = the least subnormal, t = 0: the gradient is p / 1e-12 over the count, 2.3e-34 in float32 for the mean
    of 6 (it was 0: (1/6) p underflowed before the division), 8.2e-313 in float64."""
    tiny = float(np.finfo(dtype).smallest_subnormal)
    probs = np.array([tiny, tiny, 0.3, 1e-8, 0.999, 0.5], dtype)
    targets = np.array([0.0, 0.25, 0.5, 0.0, 1.0, 0.5], dtype)
    p = Tensor(probs, requires_grad=True)
    loss = nnf.binary_cross_entropy(p, targets, reduction=reduction)
    (loss.sum() if reduction == "none" else loss).backward()
    tp = torch.tensor(probs, requires_grad=True)
    expected = F.binary_cross_entropy(tp, torch.tensor(targets), reduction=reduction)
    (expected.sum() if reduction == "none" else expected).backward()
    assert p.grad[0] > 0
    np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=4 * np.finfo(dtype).eps, atol=0)


@pytest.mark.parametrize("log_target", [710.0, 745.0, 1e300, -745.0])
def test_kl_div_log_target_past_exp_overflow_on_values_is_torchs(log_target):
    """e^t (t - x) on Values: math.exp raised an OverflowError at t = 710, where PyTorch's loss is inf."""
    x, t = Value(0.5), Value(log_target)
    loss = nnf.kl_div([x], [t], log_target=True, reduction="sum")
    loss.backward()
    tx, tt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.5, log_target))
    expected = F.kl_div(tx, tt, log_target=True, reduction="sum")
    expected.backward()
    np.testing.assert_array_equal([loss.data, x.grad, t.grad], [expected.item(), tx.grad.item(), tt.grad.item()])
