"""kl_div at the edges of its targets: the second derivative at a target of 0 is NaN, as torch's (the
first derivative log t + 1 has no slope there; 1 / t would say inf), and a target below 0 is refused
on Tensors and Values alike (torch's kl_div gives NaN for it without a word)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from nn import functional as F

LOG_P = np.array([-1.0, -2.0, -0.5])
TARGET = np.array([0.0, 0.5, 0.25])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_second_derivatives_of_kl_div_match_torch_at_a_target_of_zero(dtype):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference here")
    x, t = Tensor(LOG_P.astype(dtype), requires_grad=True), Tensor(TARGET.astype(dtype), requires_grad=True)
    gx, gt = autograd.gradients(F.kl_div(x, t, reduction="sum"), [x, t], create_graph=True)
    gt_t, gt_x = autograd.gradients(gt.sum(), [t, x])
    (gx_t,) = autograd.gradients(gx.sum(), [t])
    tx = torch.tensor(LOG_P.astype(dtype), requires_grad=True)
    tt = torch.tensor(TARGET.astype(dtype), requires_grad=True)
    tgx, tgt = torch.autograd.grad(torch.nn.functional.kl_div(tx, tt, reduction="sum"), (tx, tt), create_graph=True)
    expected_t, expected_x = torch.autograd.grad(tgt.sum(), (tt, tx), retain_graph=True)
    (expected_gx_t,) = torch.autograd.grad(tgx.sum(), (tt,))
    assert np.isnan(gt_t[0]) and np.isnan(expected_t[0].item())  # NaN, not inf
    np.testing.assert_allclose(gt_t, expected_t.numpy(), rtol=1e-6)  # NaN where torch's is, equal elsewhere
    np.testing.assert_allclose(gt_x, expected_x.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gx_t, expected_gx_t.numpy(), rtol=1e-6)
    assert gt_t.dtype == dtype


def test_second_derivative_at_a_target_of_zero_is_nan_on_values():
    xs, ts = [Value(v) for v in LOG_P], [Value(v) for v in TARGET]
    grads = autograd.gradients(F.kl_div(xs, ts, reduction="sum"), ts, create_graph=True)
    second = [autograd.gradients(g, [t])[0] for g, t in zip(grads, ts)]
    assert np.isnan(second[0]) and second[1:] == pytest.approx([2.0, 4.0])  # d(log t + 1)/dt = 1 / t


@pytest.mark.parametrize(
    "target",
    [
        lambda: np.array([-0.5, 0.5, 0.5]),
        lambda: [-0.5, 0.5, 0.5],
        lambda: Tensor(np.array([-0.5, 0.5, 0.5])),
        lambda: Tensor(np.array([-0.5, 0.5, 0.5]), requires_grad=True),
    ],
    ids=["array", "list", "constant Tensor", "Tensor that requires grad"],
)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
def test_a_negative_target_is_refused_on_tensors(target, reduction):
    x = Tensor(LOG_P, requires_grad=True)
    with pytest.raises(ValueError, match="kl_div: targets must be probabilities .* got -0.5; .*log_target=True"):
        F.kl_div(x, target(), reduction=reduction)


@pytest.mark.parametrize("target", [[Value(-0.5), Value(0.5)], [-0.5, 0.5]], ids=["Values", "numbers"])
def test_a_negative_target_is_refused_on_values_in_the_same_words(target):
    with pytest.raises(ValueError, match="kl_div: targets must be probabilities .* got -0.5; .*log_target=True"):
        F.kl_div([Value(-1.0), Value(-2.0)], target, reduction="sum")


def test_negative_log_targets_are_fine_and_match_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference here")
    log_t = np.array([-0.5, -1.5, -3.0])
    x = Tensor(LOG_P, requires_grad=True)
    loss = F.kl_div(x, log_t, reduction="sum", log_target=True)
    loss.backward()
    tx = torch.tensor(LOG_P, requires_grad=True)
    expected = torch.nn.functional.kl_div(tx, torch.tensor(log_t), reduction="sum", log_target=True)
    expected.backward()
    np.testing.assert_allclose(loss.data, expected.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
