"""Every loss on Values gives what it gives on float64 Tensors at extreme inputs (±1e300, ±1e308, 710 and 745
where e^x overflows, -745 where it underflows, subnormals, 0): the loss and both gradients, inf and NaN alike.
Before, kl_div(log_target=True) on Values raised OverflowError at a target of 710 (math.exp), where a Tensor's
loss is inf, as PyTorch's; the log-target term's e^t now gives inf on both engines."""

import itertools
import math
import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, Value, elementwise_grad, grad, gradients

EXTREME = [1e300, -1e300, 1e308, -1e308, 710.0, -710.0, 745.0, -745.0, 5e-324, -5e-324, 1e-310, 0.0, 0.5]
UNIT = [0.0, 1.0, 5e-324, 1e-310, 1 - 2**-53, 0.5, 1e-50]
LOSSES = {  # name: (the loss, its predictions, its targets)
    "mse_loss": (F.mse_loss, EXTREME, EXTREME),
    "l1_loss": (F.l1_loss, EXTREME, EXTREME),
    "huber_loss": (F.huber_loss, EXTREME, EXTREME),
    "smooth_l1_loss": (F.smooth_l1_loss, EXTREME, EXTREME),
    "hinge_loss": (F.hinge_loss, EXTREME, [-1.0, 1.0]),
    "binary_cross_entropy": (F.binary_cross_entropy, UNIT, UNIT),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits, EXTREME, UNIT),
    "kl_div": (F.kl_div, EXTREME, [0.0, 1.0, 1e300, 5e-324, 710.0, 1e-310]),
    "kl_div log_target": (lambda x, t, **kw: F.kl_div(x, t, log_target=True, **kw), EXTREME, EXTREME),
}


def _on_values(loss, p, t):
    pred, target = Value(p), Value(t)
    out = loss([pred], [target], reduction="sum")
    out.backward()
    return out.data, pred.grad, target.grad


def _on_tensors(loss, p, t):
    pred, target = (Tensor(np.array([x]), requires_grad=True) for x in (p, t))
    out = loss(pred, target, reduction="sum")
    out.backward()
    return out.item(), float(pred.grad[0]), float(target.grad[0])


def _same(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("name", LOSSES)
def test_a_loss_on_values_is_the_loss_on_tensors_at_extreme_inputs(name):
    loss, preds, targets = LOSSES[name]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's overflow warnings, the Tensors' inf
        for p, t in itertools.product(preds, targets):
            values, tensors = _on_values(loss, p, t), _on_tensors(loss, p, t)
            assert all(map(_same, values, tensors)), f"{name} at ({p}, {t}): Values {values}, Tensors {tensors}"


def test_kl_div_log_target_of_710_on_values_is_inf_not_an_overflow_error():
    """e^710 (710 - 0) overflows, and so does its gradient in x, -e^710 / 2 (a mean over 2): -inf."""
    x, t = [Value(0.0), Value(0.0)], [Value(710.0), Value(0.0)]
    loss = F.kl_div(x, t, log_target=True)
    loss.backward()
    assert loss.data == math.inf
    assert x[0].grad == -math.inf and x[1].grad == -0.5 and t[1].grad == 0.5


def test_kl_div_log_target_second_derivative_on_values_past_exp_overflow():
    """Under create_graph the rule's e^t is a node of the same op: d²/dt² e^t (t - x) = e^t (t - x + 2)."""
    x, t = Value(0.0), Value(710.0)
    (gt,) = gradients(F.kl_div([x], [t], log_target=True, reduction="sum"), [t], create_graph=True)
    (second,) = gradients(gt, [t])
    assert gt.data == second == math.inf


@pytest.mark.parametrize("width", [0.1, 0.3, 0.7])
@pytest.mark.parametrize("name, option", [("huber_loss", "delta"), ("smooth_l1_loss", "beta")])
def test_huber_on_values_is_huber_on_tensors_bit_for_bit(name, option, width):
    """Outside the square a Value's piece m was d - (|d| - delta), an ulp off delta where d - delta rounds
    (huber_loss(1.0, 0.0, delta=0.1): 0.095 on Values, 0.09500000000000001 on Tensors, whose clip is delta
    exactly); now delta itself. Loss, both gradients and the second derivative, inside, at and outside the edge."""
    points = [0.0, -0.0, 0.05, -0.2, 0.3, -0.3, 0.7, 1.0, -1.0, 2.5, -7.3, math.inf, -math.inf, math.nan]
    loss = lambda p, t, **kw: getattr(F, name)(p, t, **{option: width}, **kw)  # noqa: E731
    curvature = grad(grad(lambda p: loss([p], [0.0], reduction="sum")))
    for p in points:
        values, tensors = _on_values(loss, p, 0.0), _on_tensors(loss, p, 0.0)
        assert all(map(_same, values, tensors)), f"{name} at {p}: Values {values}, Tensors {tensors}"
        on_tensor = elementwise_grad(elementwise_grad(lambda x: loss(x, Tensor(np.zeros(1)), reduction="none")))
        assert _same(curvature(p), float(np.asarray(on_tensor(Tensor(np.array([p]))))[0])), (name, p)
