"""A node's own output changed in place after its op made it: backward refuses, as PyTorch does where
the op's rule reads its output (exp, sqrt, tanh, sigmoid, softmax, log_softmax), instead of
differentiating with the changed numbers. Here every op's output counts (see
test_a_change_to_an_output_no_rule_reads_is_refused_too)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

CHANGED = "was changed in place"
X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])

# ops whose derivative rule reads their output: PyTorch saves it, and refuses a backward once it changed
READ_OUT = {
    "exp": (lambda t: t.exp(), lambda torch, t: t.exp()),
    "sqrt": (lambda t: (t * t).sqrt(), lambda torch, t: (t * t).sqrt()),
    "tanh": (lambda t: t.tanh(), lambda torch, t: t.tanh()),
    "sigmoid": (lambda t: t.sigmoid(), lambda torch, t: t.sigmoid()),
    "softmax": (lambda t: t.softmax(axis=1), lambda torch, t: t.softmax(dim=1)),
    "log_softmax": (lambda t: t.log_softmax(axis=1), lambda torch, t: t.log_softmax(dim=1)),
}


def _change_through_detach(y):
    total = y.detach()
    total += 1.0


def _change_under_no_grad(y):
    with autograd.no_grad():
        y += 1.0


def _change_data(y):
    y.data += 1.0


def _change_an_entry(y):
    with autograd.no_grad():
        y[0] = 7.0


CHANGES = [_change_through_detach, _change_under_no_grad, _change_data, _change_an_entry]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", READ_OUT)
def test_a_changed_output_is_refused_as_torch_refuses_it(name, change):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference here")
    ours, theirs = READ_OUT[name]
    x = Tensor(X, requires_grad=True)
    y = ours(x)
    change(y)
    with pytest.raises(RuntimeError, match=f"{CHANGED} after {y.op.name} made it"):
        y.sum().backward()
    assert x.grad is None
    tx = torch.tensor(X, requires_grad=True)
    ty = theirs(torch, tx)
    ty.detach().add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.sum().backward()


def test_the_reviewed_cases_are_refused():
    x = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    loss = ((x * x).mean()).sqrt()
    total = loss.detach()
    total += 1.0  # detach shares the count: the loss itself changed
    with pytest.raises(RuntimeError, match=f"{CHANGED} after sqrt made it"):
        loss.backward()
    total_exp = x.sum().exp()
    with autograd.no_grad():
        total_exp += 1
    with pytest.raises(RuntimeError, match=f"{CHANGED} after exp made it"):
        total_exp.backward()
    assert x.grad is None


def test_an_intermediate_changed_before_its_consumer_was_made_is_refused():
    """The consumer records the changed count, so only the intermediate's own count sees the change."""
    torch = pytest.importorskip("torch", reason="PyTorch is the reference here")
    x = Tensor(X, requires_grad=True)
    y = x.exp()
    with autograd.no_grad():
        y += 1.0
    z = (y * 2).sum()
    with pytest.raises(RuntimeError, match=f"{CHANGED} after exp made it"):
        z.backward()
    tx = torch.tensor(X, requires_grad=True)
    ty = tx.exp()
    with torch.no_grad():
        ty += 1.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (ty * 2).sum().backward()


def test_a_change_to_an_output_no_rule_reads_is_refused_too():
    """PyTorch lets this one through (an add's rule saves nothing); here every rule, a user's Op's
    among them, is given the output, so a change to any output is refused rather than guessed safe."""
    x = Tensor(X, requires_grad=True)
    y = x + 1.0
    _change_through_detach(y)
    with pytest.raises(RuntimeError, match=f"{CHANGED} after \\+ made it"):
        y.sum().backward()


@pytest.mark.parametrize("op", [autograd.elu, autograd.celu], ids=["elu", "celu"])
def test_our_rules_that_read_the_output_where_torchs_read_the_input_are_protected(op):
    """PyTorch's elu and celu rules read their input, so it lets this change through; ours read the output."""
    x = Tensor(X, requires_grad=True)
    y = op(x)
    _change_under_no_grad(y)
    with pytest.raises(RuntimeError, match=f"{CHANGED} after {y.op.name} made it"):
        y.sum().backward()


def test_a_users_op_reading_its_output_is_protected():
    double_exp = autograd.Op("double_exp", lambda a: 2 * np.exp(a), lambda g, out, a: (g * out,))
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = double_exp(x)
    _change_data(y)
    with pytest.raises(RuntimeError, match=f"{CHANGED} after double_exp made it"):
        y.sum().backward()


def test_a_view_made_after_its_base_changed_records_that_count():
    """A view's output shares its base's count, which need not be 0 when the view is made."""
    torch = pytest.importorskip("torch", reason="PyTorch is the reference here")
    x = Tensor(X.copy(), requires_grad=True)
    with autograd.no_grad():
        x -= 0.5  # x's count is 1 now; x.T and x[1:] share it
    v = x.T[1:]
    assert v._counter is x._counter and x._version == 1
    (v.exp() * x.T[1:]).sum().backward()
    tx = torch.tensor(X - 0.5, requires_grad=True)
    (tx.T[1:].exp() * tx.T[1:]).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    y = v.exp().sum()
    with autograd.no_grad():
        v[0, 0] = 3.0  # a change through the view is a change of x
    with pytest.raises(RuntimeError, match=CHANGED):
        y.backward()


def test_unchanged_graphs_backward_as_before():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference here")
    x = Tensor(X, requires_grad=True)
    y = (x.exp() * x.tanh()).softmax(axis=1).sqrt().sum()
    y.backward()
    y.backward()  # the graph stays: a second pass adds the same gradient
    tx = torch.tensor(X, requires_grad=True)
    (tx.exp() * tx.tanh()).softmax(dim=1).sqrt().sum().backward()
    np.testing.assert_allclose(x.grad, 2 * tx.grad.numpy(), rtol=1e-12)
    (g,) = autograd.gradients(x.exp().sum(), [x], create_graph=True)  # second derivatives too
    (gg,) = autograd.gradients(g.sum(), [x])
    np.testing.assert_allclose(gg, np.exp(X), rtol=1e-12)


def test_a_new_output_after_the_backward_is_free_to_change():
    x = Tensor(X, requires_grad=True)
    y = x.exp()
    y.sum().backward()
    _change_data(y)  # after the pass: nothing reads it any more
    z = x.exp()
    z.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * np.exp(X), rtol=1e-12)
