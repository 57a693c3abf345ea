"""A generator a helper object holds (a module's `self.noise.rng`, `self.augs[0].rng`, a compiled method's
`self.aug.rng`, a global helper's `AUG.rng`) is watched as a module's own `self.rng` is: a draw from it outside
autograd.drawn runs the step eagerly with a CompileWarning; drawn inside it, the step replays. Before, such a
generator was not watched, and the replays kept the recorded branch (x1 on every call, where eager's third
call takes x2), without a word."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import count_replays

import autograd
import nn
from autograd import Tensor


class Noise:
    """A helper holding a generator: its first two draws take one branch below, its third the other."""

    def __init__(self):
        self.rng = np.random.default_rng(1)

    def factor(self):
        return 2.0 if self.rng.random() < 0.5 else 1.0


class HelperModule(nn.Module):
    def __init__(self, drawn=False):
        super().__init__()
        self.lin, self.noise, self.drawn = nn.Linear(3, 2, seed=0).double(), Noise(), drawn

    def forward(self, x):
        if self.drawn:
            return self.lin(x) * autograd.drawn(lambda: self.noise.rng.random(2))
        return self.lin(x) * self.noise.factor()


class HelperListModule(HelperModule):
    def __init__(self):
        super().__init__()
        self.augs = [Noise()]

    def forward(self, x):
        return self.lin(x) * self.augs[0].factor()


class Trainer:
    def __init__(self):
        self.lin, self.aug = nn.Linear(3, 2, seed=0).double(), Noise()

    def step(self, x):
        return (self.lin(x) * self.aug.factor()).sum().item()


AUG = Noise()
LIN = nn.Linear(3, 2, seed=0).double()


def global_helper_step(x):
    return (LIN(x) * AUG.factor()).sum().item()


def _module_step(model):
    return lambda x: model(x).sum().item()


def _global_step():
    global AUG
    AUG = Noise()
    return global_helper_step


HELD = {
    "a module's helper": lambda: _module_step(HelperModule()),
    "a module's list of helpers": lambda: _module_step(HelperListModule()),
    "a compiled method's helper": lambda: Trainer().step,
    "a global helper": _global_step,
}


def _losses(step, compiled, calls=5):
    run = autograd.compile(step) if compiled else step
    return [run(Tensor(np.ones((4, 3)))) for _ in range(calls)]


@pytest.mark.parametrize("held", HELD)
def test_a_draw_from_a_helpers_generator_runs_the_step_eagerly_saying_so(held):
    eager = _losses(HELD[held](), False)
    assert eager[2] != eager[0]  # the third draw takes the other branch
    with pytest.warns(autograd.CompileWarning, match="or an object those hold"):
        compiled = _losses(HELD[held](), True)
    assert compiled == eager


def test_a_helpers_generator_drawn_by_autograd_drawn_replays(monkeypatch):
    model = HelperModule(drawn=True)
    opt = nn.SGD(model.parameters(), lr=0.01)

    def step(x):
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
        return loss.item()

    def train(run):
        model.lin.W.data[...], model.lin.b.data[...], model.noise.rng = 0.5, 0.0, np.random.default_rng(1)
        return [run(Tensor(np.ones((4, 3)))) for _ in range(8)]

    eager = train(step)
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert train(autograd.compile(step)) == eager
    assert len(replays) == 6  # every call after the two recorded ones
