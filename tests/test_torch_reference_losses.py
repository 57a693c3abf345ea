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
