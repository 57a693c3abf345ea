"""Ops under no_grad inside a compiled step (an evaluation's loss, a target network's output) made constants of the
graph's numbers that a replay could not compute again, so such steps ran eagerly; and a compiled step called under
no_grad was never recorded. Each replay now makes them again as ops that need no gradient, bit for bit with eager,
and what it cannot replay faithfully (an op under no_grad after opt.step(), numbers read by numpy) still runs
eagerly with eager's numbers."""

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed

import autograd
import nn
from autograd import Tensor
from nn import functional as F

_RNG = np.random.default_rng(7)
_BATCHES = [(_RNG.standard_normal((5, 4)), _RNG.integers(0, 3, 5)) for _ in range(6)]


def _trained(step_of, dtype):
    """A scenario: six calls of step_of(model, target, opt) compiled or not; what each returned and the parameters."""

    def scenario(compile):
        model, target = nn.Linear(4, 3, seed=0, dtype=dtype), nn.Linear(4, 3, seed=1, dtype=dtype)
        opt = nn.SGD(model.parameters(), lr=0.1)
        run = compile(step_of(model, target, opt))
        out = [run(x.astype(dtype), y) for x, y in _BATCHES]
        return out, [p.data for p in (*model.parameters(), *target.parameters())]

    return scenario


def _with_target(model, target, opt):
    def step(x, y):
        with autograd.no_grad():  # a target network's output: data for the loss, no gradient
            goal = F.softmax(target(Tensor(x)), axis=-1)
        opt.zero_grad()
        loss = ((F.softmax(model(Tensor(x)), axis=-1) - goal) ** 2).sum()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def _evaluated_before_stepping(model, target, opt):
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(Tensor(x)), y)
        with autograd.no_grad():
            seen = F.cross_entropy(model(Tensor(x)) * 2.0, y)
        loss.backward()
        opt.step()
        return loss.item(), seen.item()

    return step


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("step_of", [_with_target, _evaluated_before_stepping])
def test_ops_under_no_grad_in_a_training_step_replay(step_of, dtype, monkeypatch):
    check_replayed(_trained(step_of, dtype), monkeypatch, replays_at_least=4)


def _evaluated_after_stepping(model, target, opt):
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(Tensor(x)), y)
        loss.backward()
        opt.step()
        with autograd.no_grad():  # reads the stepped model: a replay runs every op before the optimizer calls
            after = F.cross_entropy(model(Tensor(x)), y)
        return loss.item(), after.item()

    return step


def _read_by_numpy(model, target, opt):
    def step(x, y):
        opt.zero_grad()
        with autograd.no_grad():
            scale = np.abs(target(Tensor(x)).numpy()).mean()  # its numbers taken into Python
        loss = F.cross_entropy(model(Tensor(x)) * scale, y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


@pytest.mark.parametrize(
    ("step_of", "why"),
    [
        (_evaluated_after_stepping, r"read by ops after opt\.step\(\)"),
        (_read_by_numpy, r"took a tensor's numbers into Python"),
    ],
)
def test_what_cannot_replay_under_no_grad_runs_eagerly_saying_why(step_of, why, monkeypatch):
    assert check_refused(_trained(step_of, np.float64), why, monkeypatch) == 0


def test_a_step_called_under_no_grad_that_calls_backward_raises_as_eagerly():
    model = nn.Linear(4, 3, seed=0)

    def step(x, y):
        loss = F.cross_entropy(model(Tensor(x)), y)
        loss.backward()
        return loss.item()

    run = autograd.compile(step)
    x, y = _BATCHES[0]
    with autograd.no_grad():
        with pytest.raises(RuntimeError) as eager:
            step(x, y)
        for _ in range(3):
            with pytest.raises(RuntimeError) as compiled:
                run(x, y)
            assert str(compiled.value) == str(eager.value)
    assert all(p.grad is None for p in model.parameters())
