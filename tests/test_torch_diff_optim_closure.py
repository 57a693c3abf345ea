"""optimizer.step(closure) against torch.optim 2.13's: the closure (gradients cleared, loss, backward) called
first and its loss returned, the parameters torch's; a closure that is no function or fails moves nothing; one
called under no_grad still records its backward, as PyTorch's under enable_grad; and a compiled step with a
closure runs eagerly, warning, naming the closure. Without torch these tests are skipped."""

import numpy as np
import pytest
from torch_reference import torch
from torch_reference_optim import float64_default

import nn
from autograd import Tensor

float64_scalars = pytest.fixture(autouse=True)(float64_default)  # as the optimizer tests run everywhere


def _least_squares(name, x, y, start, lr):
    """Our optimizer `name` and torch's over a weight each starting at `start`, each with PyTorch's closure:
    gradients cleared, the mean squared error of x @ w against y, backward, the loss."""
    w, v = Tensor(start.copy(), requires_grad=True), torch.tensor(start.copy(), requires_grad=True)
    ours, theirs = getattr(nn, name)([w], lr=lr), getattr(torch.optim, name)([v], lr=lr)

    def ours_closure():
        ours.zero_grad()
        loss = ((Tensor(x) @ w - Tensor(y)) ** 2).mean()
        loss.backward()
        return loss

    def theirs_closure():
        theirs.zero_grad()
        loss = ((torch.from_numpy(x) @ v - torch.from_numpy(y)) ** 2).mean()
        loss.backward()
        return loss

    return (w, ours, ours_closure), (v, theirs, theirs_closure)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Rprop"])
def test_step_takes_a_closure_as_torchs(name):
    """optimizer.step(closure): the closure (gradients cleared, loss, backward) is called first and its loss
    returned, then the step: the parameters and losses are torch's."""
    rng = np.random.default_rng(5)
    x, y, start = rng.normal(size=(6, 3)), rng.normal(size=6), rng.normal(size=3)
    (w, ours, ours_closure), (v, theirs, theirs_closure) = _least_squares(name, x, y, start, lr=0.05)
    for _ in range(5):
        assert float(ours.step(ours_closure).data) == pytest.approx(theirs.step(theirs_closure).item(), rel=1e-13)
        np.testing.assert_allclose(w.data, v.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert ours.step() is None


def test_a_closure_that_is_no_function_or_fails_moves_nothing():
    w = Tensor(np.ones(2), requires_grad=True)
    w.grad = np.ones(2)
    optimizer = nn.SGD([w], lr=0.1)
    with pytest.raises(TypeError, match="SGD.step: closure must be a function"):
        optimizer.step(1.0)

    def failing():
        raise ZeroDivisionError("in the closure")

    with pytest.raises(ZeroDivisionError, match="in the closure"):
        optimizer.step(failing)
    np.testing.assert_array_equal(w.data, np.ones(2))


def test_a_compiled_step_with_a_closure_gives_the_eager_numbers():
    """The closure writes the gradients inside the replayed step, which a replay cannot redo: compile runs the
    step eagerly, warning, and the losses and parameters are eager's."""
    import autograd

    rng = np.random.default_rng(0)
    x, y = Tensor(rng.normal(size=(8, 3))), Tensor(rng.normal(size=8))

    def run(compiled):
        w = Tensor(np.ones(3), requires_grad=True)
        optimizer = nn.SGD([w], lr=0.1)

        def train_step(x, y):
            def closure():
                optimizer.zero_grad()
                loss = ((x @ w - y) ** 2).mean()
                loss.backward()
                return loss

            return optimizer.step(closure)

        step = autograd.compile(train_step) if compiled else train_step
        return [float(step(x, y).data) for _ in range(4)], w.data

    with pytest.warns(autograd.CompileWarning, match="runs eagerly"):
        compiled = run(True)
    eager = run(False)
    assert compiled[0] == eager[0]
    np.testing.assert_array_equal(compiled[1], eager[1])


def test_a_closure_records_its_gradients_under_no_grad_as_torchs():
    """PyTorch calls the closure under enable_grad: a step(closure) made inside no_grad (an evaluation loop's
    block) still takes the closure's backward. It was a RuntimeError (backward on a tensor that does not
    require grad)."""
    import autograd

    x, y = np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0, 2.0])
    (w, ours, ours_closure), (v, theirs, theirs_closure) = _least_squares("SGD", x, y, np.ones(2), lr=0.01)
    with autograd.no_grad(), torch.no_grad():
        losses = float(ours.step(ours_closure).data), theirs.step(theirs_closure).item()
        assert not autograd.is_grad_enabled()  # the mode is the caller's again after the step
    assert losses[0] == pytest.approx(losses[1], rel=1e-15)
    np.testing.assert_allclose(w.data, v.detach().numpy(), rtol=1e-15)


def test_a_compiled_step_with_a_closure_says_the_closure_is_why_it_runs_eagerly():
    """The warning names the closure and the way to compile the step, not a .grad changed outside recorded ops
    (what it said: the closure's zero_grad and backward run inside the replayed step)."""
    import autograd

    w = Tensor(np.ones(2), requires_grad=True)
    optimizer = nn.Adam([w], lr=0.1)

    def train_step(x):
        def closure():
            optimizer.zero_grad()
            loss = (x * w).sum()
            loss.backward()
            return loss

        return optimizer.step(closure)

    with pytest.warns(autograd.CompileWarning, match=r"Adam\.step\(closure\).*optimizer\.step\(\)") as caught:
        autograd.compile(train_step)(Tensor(np.ones(2)))
    assert ".grad was changed" not in str(caught[0].message)
    with pytest.raises(autograd.CompileError, match=r"Adam\.step\(closure\)"):
        autograd.compile(train_step, strict=True)(Tensor(np.ones(2)))
