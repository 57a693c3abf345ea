"""What a compiled step reads through `self` is guarded as its globals are: the attributes of a compiled
bound method's object (`compile(trainer.step)`) or of a compiled callable object, and a module's attribute
that holds a function (its activation). Changed between calls, the step records again and gives eager's
numbers, where a replay used the recorded ones (a helper's differential test of compile against eager)."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import count_replays, sgd_step

import autograd
import nn
from autograd import Tensor
from nn import functional as F


class _Steps:
    __slots__ = ()

    def __init__(self):
        self.model = nn.Linear(3, 2, seed=0, dtype=np.float64)
        self.opt = nn.SGD(self.model.parameters(), lr=0.1)
        self.scale = 1.0

    def step(self, x, y):
        self.opt.zero_grad()
        loss = F.cross_entropy(self.model(x), y) * self.scale
        loss.backward()
        self.opt.step()
        return loss.item()

    __call__ = step


class Trainer(_Steps):
    """Its attributes in its __dict__."""


class SlotsTrainer(_Steps):
    """Its attributes in slots, without a __dict__ (a `@dataclass(slots=True)`'s are so)."""

    __slots__ = ("model", "opt", "scale")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2 = nn.Linear(3, 4, seed=0, dtype=np.float64), nn.Linear(4, 2, seed=1, dtype=np.float64)
        self.act = autograd.relu

    def forward(self, x):
        return self.l2(self.act(self.l1(x)))


def _losses(step, change, calls=6):
    rng, losses = np.random.default_rng(0), []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these steps may fall back to eager
        for i in range(calls):
            if i == 3:
                change()
            losses.append(step(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4)))
    return losses


@pytest.mark.parametrize("kind", [Trainer, SlotsTrainer])
def test_a_bound_methods_object_is_guarded(kind):
    eager, compiled = kind(), kind()
    step = autograd.compile(compiled.step)
    assert _losses(eager.step, lambda: setattr(eager, "scale", 3.0)) == _losses(
        step, lambda: setattr(compiled, "scale", 3.0)
    )


def test_a_callable_objects_optimizer_made_anew_is_the_one_stepped():
    def faster(t):
        return lambda: setattr(t, "opt", nn.SGD(t.model.parameters(), lr=1.0))

    eager, compiled = Trainer(), Trainer()
    step = autograd.compile(compiled)
    assert _losses(eager, faster(eager)) == _losses(step, faster(compiled))
    assert np.array_equal(eager.model.W.data, compiled.model.W.data)


def test_a_modules_function_attribute_is_a_setting():
    def run(compiled):
        model = Net()
        step = sgd_step(model, nn.SGD(model.parameters(), lr=0.1))
        return _losses(autograd.compile(step) if compiled else step, lambda: setattr(model, "act", autograd.tanh))

    assert run(True) == run(False)


def test_a_table_the_caller_keeps_on_the_object_is_not_guarded(monkeypatch):
    """A table (a large array, a list of data) on the object is no setting: a replay need not record again
    when the caller appends to it."""
    replays, trainer = count_replays(monkeypatch), Trainer()
    trainer.data = (np.zeros((20_000, 3)), [])
    step = autograd.compile(trainer.step)
    _losses(step, lambda: trainer.data[1].append(1.0))
    for _ in range(3):
        step(Tensor(np.ones((4, 3))), np.array([0, 1, 0, 1]))
        trainer.data[1].append(1.0)
    assert len(replays) == 7  # every call after the two recorded ones: nothing the step reads changed


def test_a_count_the_caller_keeps_on_the_object_records_again(monkeypatch):
    """A number on the object is a setting, named by the step's code or not (code of another module may read
    it): one the caller changes records the step again, where leaving it unguarded could replay stale."""
    replays, trainer = count_replays(monkeypatch), Trainer()
    trainer.seen = 0
    step = autograd.compile(trainer.step)
    _losses(step, lambda: None)
    trainer.seen += 4
    step(Tensor(np.ones((4, 3))), np.array([0, 1, 0, 1]))
    assert len(replays) == 4  # the call after the change records again


def test_a_large_array_is_compared_by_value_wherever_it_is_until_it_is_too_large():
    """An array of more than 10,000 numbers was kept by identity (a dataset in a tuple on the trainer, copied on
    every replay, was 23x slower): one changed in place replayed the numbers read from it when recorded. It is
    compared by its bytes, in C, up to TABLE_NUMBERS; past them it is TooLarge, which runs a step reading it
    eagerly (tests/test_compile_large_tables.py)."""
    from autograd.compile_containers import GUARDED_ENTRIES, TABLE_NUMBERS, TooLarge
    from autograd.compile_guards import settled

    big = np.zeros(GUARDED_ENTRIES + 1)
    assert settled((big, 1.0)) == settled((big.copy(), 1.0))
    assert settled({"table": big}) == settled({"table": big.copy()})
    snapshot = settled({"table": big})
    big[7] = 1.0
    assert settled((big, 1.0)) != settled((np.zeros(GUARDED_ENTRIES + 1), 1.0)) and settled({"table": big}) != snapshot
    assert isinstance(settled(np.zeros(TABLE_NUMBERS + 1)), TooLarge)
