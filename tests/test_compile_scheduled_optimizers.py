"""An optimizer a compiled step calls, whose lr a scheduler sets between calls (stepped per batch outside the
step), replays: its `@replayed` step reads the lr anew on each replay. Guarded by all its settings, as other
objects a step reads through are, it recorded again on every call, then ran eagerly with a CompileWarning."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import count_replays

import autograd
import nn
from autograd import Tensor
from nn import functional as F


class Trainer:
    def __init__(self, kind):
        self.model = nn.Linear(3, 2, seed=0, dtype=np.float64)
        self.opt = kind(self.model.parameters(), lr=0.1)

    def step(self, x, y):
        self.opt.zero_grad()
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss.item()


def in_a_closure(kind):
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    opt = kind(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step, opt


def in_a_method(kind):
    trainer = Trainer(kind)
    return trainer.step, trainer.opt


@pytest.mark.parametrize("kind", [nn.SGD, nn.Adam])
@pytest.mark.parametrize("make", [in_a_closure, in_a_method])
def test_a_scheduler_stepped_between_calls_replays_with_eagers_numbers(monkeypatch, make, kind):
    def train(compiled):
        step, opt = make(kind)
        scheduler = nn.schedulers.StepLR(opt, 1, 0.5)
        step = autograd.compile(step) if compiled else step
        rng, losses = np.random.default_rng(0), []
        for _ in range(16):
            losses.append(step(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4)))
            scheduler.step()
        return losses

    eager = train(False)
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert train(True) == eager
    assert len(replays) == 14  # all but the two recorded calls
