"""A compiled step that draws from Python's random module or numpy's global generator outside
autograd.drawn runs eagerly, saying so: a replay runs none of its Python, so a branch on
`random.random()` went as it went when recorded (an augmentation taken on every call or never),
silently. Draws made by autograd.drawn, and draws the caller makes between calls, replay."""

import random
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


def _losses(compiled, scaled, between=lambda: None):
    global RNG
    random.seed(0)
    np.random.seed(0)
    RNG = np.random.default_rng(0)
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.01)
    x = Tensor(np.ones((4, 3)))

    def step(x):
        opt.zero_grad()
        loss = scaled(model(x)).sum()
        loss.backward()
        opt.step()
        return loss

    run = autograd.compile(step) if compiled else step
    losses = []
    for _ in range(8):
        losses.append(run(x).item())
        between()
    return losses


RNG = np.random.default_rng(0)  # a generator the step's module holds
DRAWN_OUTSIDE = {
    "a branch on random.random()": lambda out: out * (2.0 if random.random() < 0.5 else 1.0),
    "a branch on a held generator": lambda out: out * (2.0 if RNG.random() < 0.5 else 1.0),
    "a branch on np.random.rand()": lambda out: out * (2.0 if np.random.rand() < 0.5 else 1.0),
    "np.random.rand as data": lambda out: out * Tensor(np.random.rand(2)),
}


@pytest.mark.parametrize("case", DRAWN_OUTSIDE)
def test_a_draw_from_a_global_generator_in_the_step_runs_it_eagerly(case):
    with pytest.warns(autograd.CompileWarning, match="random module, numpy's global generator or a generator"):
        compiled = _losses(True, DRAWN_OUTSIDE[case])
    assert compiled == _losses(False, DRAWN_OUTSIDE[case])


@pytest.mark.parametrize("draw", [lambda: np.random.rand(2), lambda: RNG.random(2)], ids=["global", "held"])
def test_a_generators_draw_inside_autograd_drawn_replays(draw):
    def noisy(out):
        return out * autograd.drawn(draw)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = _losses(True, noisy)
    assert compiled == _losses(False, noisy)


def test_draws_the_caller_makes_between_calls_replay():
    def between():
        random.random(), np.random.rand(), RNG.random()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = _losses(True, lambda out: out * 2.0, between)
    assert compiled == _losses(False, lambda out: out * 2.0, between)


class _Lazy(nn.Module):
    """Its weights drawn from numpy's global generator on its first call, then kept."""

    def __init__(self):
        super().__init__()
        self.W = None

    def forward(self, x):
        if self.W is None:
            self.W = Tensor(np.random.rand(x.shape[1], 2), requires_grad=True)
        return x @ self.W


def test_a_layer_made_on_the_first_call_may_draw_its_weights_from_a_global_generator():
    """The first recording, thrown away for the layer it made, is the only one that draws: the step records
    again and replays (it ran eagerly for good, 'drew from numpy's global generator', though no later call
    draws), as it did before draws outside autograd.drawn were checked."""
    np.random.seed(0)
    lazy = _Lazy()

    def step(x):
        out = lazy(x).sum()
        out.backward()
        return out

    compiled = autograd.compile(step)
    x = Tensor(np.ones((4, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses = [compiled(x).item() for _ in range(4)]
    assert any(r.program is not None for r in compiled.recordings.values())
    assert losses == [step(x).item()] * 4


class _Augmenting:
    def __init__(self):
        self.rng = np.random.default_rng(1)  # its first two draws below 0.5, its third above

    def step(self, x):
        return (x * (2.0 if self.rng.random() < 0.5 else 1.0)).sum()


def test_a_branch_on_a_generator_of_a_compiled_methods_object_runs_it_eagerly():
    """compile(trainer.step) reading self.rng: the recordings' branches agreed, and the replays kept them."""
    x = Tensor(np.ones((2, 2)))
    compiled = autograd.compile(_Augmenting().step)
    with pytest.warns(autograd.CompileWarning, match="random module, numpy's global generator or a generator"):
        got = [compiled(x).item() for _ in range(4)]
    eager = _Augmenting()
    assert got == [eager.step(x).item() for _ in range(4)]
