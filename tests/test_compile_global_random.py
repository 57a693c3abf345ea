"""A compiled step that draws from Python's random module or numpy's global generator outside
autograd.drawn runs eagerly, saying so: a replay runs none of its Python, so a branch on
`random.random()` went as it went when recorded (an augmentation taken on every call or never),
silently. Draws made by autograd.drawn, and draws the caller makes between calls, replay."""

import random
import warnings

import numpy as np
import pytest
from compile_faithful_cases import count_replays

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


class _Noisy(nn.Module):
    """A layer whose forward draws from its own generator: a branch on it, or its numbers as data."""

    def __init__(self, as_data=False, drawn=False):
        super().__init__()
        self.lin, self.as_data, self.drawn = nn.Linear(3, 2, seed=0).double(), as_data, drawn
        self.rng = np.random.default_rng(1)  # its first two draws below 0.5, its third above

    def forward(self, x):
        if self.drawn:
            return self.lin(x) * autograd.drawn(lambda: self.rng.random(2))
        if self.as_data:
            return self.lin(x) * Tensor(self.rng.random(2))
        return self.lin(x) * (2.0 if self.rng.random() < 0.5 else 1.0)


def _module_losses(compiled, model, as_argument=False, rng=None):
    """8 SGD steps of `model` (called as a submodule, given as an argument, or read from a global name),
    a generator `rng` given as an argument too, branched on."""
    opt = nn.SGD(model.parameters(), lr=0.01)
    outer = nn.Sequential(model)

    def step(x, m=None, rng=None):
        opt.zero_grad()
        loss = (m or outer)(x).sum() * (2.0 if rng is not None and rng.random() < 0.5 else 1.0)
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step) if compiled else step
    x = Tensor(np.ones((4, 3)))
    return [run(x, model if as_argument else None, rng) for _ in range(8)]


@pytest.mark.parametrize("as_argument", [False, True], ids=["a submodule", "an argument"])
@pytest.mark.parametrize("as_data", [False, True], ids=["branch", "data"])
def test_a_draw_from_a_modules_own_generator_in_its_forward_runs_the_step_eagerly(as_data, as_argument):
    """A replay kept the recorded branch (x2 on every call, where eager's third call takes x1)."""
    with pytest.warns(autograd.CompileWarning, match="a module it calls hold"):
        compiled = _module_losses(True, _Noisy(as_data), as_argument)
    assert compiled == _module_losses(False, _Noisy(as_data), as_argument)


def test_a_modules_own_generator_drawn_by_autograd_drawn_replays(monkeypatch):
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = _module_losses(True, _Noisy(drawn=True))
    assert len(replays) == 6  # every call after the two recorded ones
    assert compiled == _module_losses(False, _Noisy(drawn=True))


def test_a_branch_on_a_generator_given_as_an_argument_runs_the_step_eagerly():
    with pytest.warns(autograd.CompileWarning, match="its arguments"):
        compiled = _module_losses(True, _Noisy(drawn=True), rng=np.random.default_rng(1))
    assert compiled == _module_losses(False, _Noisy(drawn=True), rng=np.random.default_rng(1))
