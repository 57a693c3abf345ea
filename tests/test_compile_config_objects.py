"""A config object a compiled step reads through a dict or a list (`CONFIGS["a"].scale`): its attributes
(all numbers, text or None: a dataclass's fields, slots too) are guarded as the container's items are, so
that one set between calls records the step again, where its identity alone replayed the recorded number."""

import operator
from dataclasses import dataclass

import numpy as np
import pytest
from compile_faithful_cases import Runs, count_replays

import autograd
import nn
from autograd import Tensor


@dataclass
class Config:
    scale: float
    name: str = "a"


@dataclass(slots=True)
class SlotsConfig:
    scale: float


class Plain:
    def __init__(self, scale):
        self.scale = scale


HOLDERS = {
    "dict of a dataclass": lambda: {"a": Config(1.0)},
    "dict of a slots dataclass": lambda: {"a": SlotsConfig(1.0)},
    "list of a plain object": lambda: [Plain(1.0)],
}


@pytest.mark.parametrize("holder", HOLDERS)
def test_a_config_set_between_calls_records_again_and_gives_eagers_numbers(holder):
    held = HOLDERS[holder]()
    key = "a" if isinstance(held, dict) else 0
    lin = nn.Linear(3, 1, seed=0, dtype=np.float64)
    opt = nn.SGD(lin.parameters(), lr=0.1)
    calls = Runs()

    def step(x):
        calls.append(1)  # runs when recorded or eager, not when replayed
        opt.zero_grad()
        loss = (lin(x) * held[key].scale).sum()
        loss.backward()
        opt.step()
        return loss.item()

    def train(run):
        lin.W.data[...], lin.b.data[...] = 0.5, 0.0
        held[key].scale = 1.0
        losses = []
        for i in range(8):
            if i == 4:
                held[key].scale = 2.0
            losses.append(run(Tensor(np.ones((2, 3)))))
        return losses

    eager = train(step)
    calls.clear()
    assert train(autograd.compile(step)) == eager
    assert len(calls) == 4  # recorded on calls 0-1 and again on 4-5; replayed on the other four


class LooseConfig:
    """Slots, and a __getattr__ that answers a missing name with KeyError (a dict-like config)."""

    __slots__ = ("scale", "unset")

    def __init__(self, scale):
        self.scale = scale

    def __getattr__(self, name):
        raise KeyError(name)


def test_a_config_whose_getattr_raises_keyerror_is_read_as_it_keeps_its_slots():
    """Recording read its attributes through getattr and hasattr, which called __getattr__ for the unset
    slot and for __dict__: the KeyError stopped the step (a review's find)."""
    cfg = LooseConfig(1.0)
    lin = nn.Linear(3, 1, seed=0, dtype=np.float64)
    opt = nn.SGD(lin.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (lin(x) * cfg.scale).sum()
        loss.backward()
        opt.step()
        return loss.item()

    def train(run):
        lin.W.data[...], lin.b.data[...] = 0.5, 0.0
        cfg.scale = 1.0
        losses = []
        for i in range(6):
            if i == 3:
                cfg.scale = 2.0
            losses.append(run(Tensor(np.ones((2, 3)))))
        return losses

    assert train(autograd.compile(step)) == train(step)


class Counted:
    def __init__(self):
        self.scale, self.calls = 1.0, 0


class Trainer:
    def __init__(self):
        self.lin = nn.Linear(3, 1, seed=0, dtype=np.float64)
        self.opt = nn.SGD(self.lin.parameters(), lr=0.1)
        self.cfg = Counted()
        self.ran = 0

    def step(self, x):
        self.ran += 1  # runs when recorded or eager, not when replayed
        self.opt.zero_grad()
        loss = (self.lin(x) * self.cfg.scale).sum()
        loss.backward()
        self.opt.step()
        return loss.item()


def test_a_config_an_attribute_holds_is_guarded_by_all_its_fields():
    """`self.cfg` is guarded by all its fields, not only those the step's own code names: code of another
    module reads others (test_a_setting_read_by_another_modules_code_records_again). Its `scale` set between
    calls records again and gives eager's numbers."""

    def train(compiled):
        t = Trainer()
        run = autograd.compile(t.step, strict=True) if compiled else t.step
        losses = []
        for i in range(20):
            if i == 10:
                t.cfg.scale = 2.0
            losses.append(run(Tensor(np.ones((2, 3)))))
        return losses, t.ran

    (compiled, ran), (eager, _) = train(True), train(False)
    assert compiled == eager
    assert compiled[9:11] == pytest.approx([-13.3646039382, -29.9292078765])  # scale 2 from call 10
    assert ran == 4  # recorded on calls 0-1 and again on 10-11


def test_a_count_the_caller_keeps_on_a_config_the_step_reads_is_named_when_it_stops_the_replays():
    """A count the caller keeps on `self.cfg` records the step on every call (the step may read it, in code of
    another module); strict, the 13th recording is a CompileError naming that count; not strict, the step
    runs eagerly with a CompileWarning and gives eager's numbers."""
    t = Trainer()
    run = autograd.compile(t.step, strict=True)
    with pytest.raises(autograd.CompileError, match=r"the last setting seen to change: `Counted\.calls`"):
        for _ in range(20):
            run(Tensor(np.ones((2, 3))))
            t.cfg.calls += 1

    def train(compiled):
        t = Trainer()
        run = autograd.compile(t.step) if compiled else t.step
        losses = []
        for _ in range(20):
            losses.append(run(Tensor(np.ones((2, 3)))))
            t.cfg.calls += 1
        return losses

    with pytest.warns(autograd.CompileWarning, match="Counted.calls"):
        compiled = train(True)
    assert compiled == train(False)


def test_a_config_holding_numpy_scalars_set_between_calls_records_again():
    """An attribute holding np.float64 (a number read out of an array) made the object no config: kept by
    identity, a replay went on with the recorded scale (a review's find)."""
    held = {"a": Plain(np.float64(1.0))}
    lin = nn.Linear(3, 1, seed=0, dtype=np.float64)
    opt = nn.SGD(lin.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (lin(x) * held["a"].scale).sum()
        loss.backward()
        opt.step()
        return loss.item()

    def train(run):
        lin.W.data[...], lin.b.data[...] = 0.5, 0.0
        held["a"].scale = np.float64(1.0)
        losses = []
        for i in range(8):
            if i == 4:
                held["a"].scale = np.float64(2.0)
            losses.append(run(Tensor(np.ones((2, 3)))))
        return losses

    eager = train(step)
    assert train(autograd.compile(step)) == eager
    assert eager[4] == pytest.approx(-6.8)


SCALE_OF = operator.attrgetter("scale")  # reads `.scale` as code of another module would: the step never names it


class ReadElsewhere:
    def __init__(self):
        self.lin = nn.Linear(3, 1, seed=0, dtype=np.float64)
        self.cfg = Config(1.0)
        self.temperature = 1.0

    def step(self, x):
        out = self.lin(x).sum()
        return (out * SCALE_OF(self.cfg) + out / getattr(self, "temper" + "ature")).item()


def test_a_setting_read_by_another_modules_code_records_again():
    """Settings of the compiled method's object and of its config that only code elsewhere reads (a helper
    in another module given `self.cfg` or `self`): set between calls, each records the step again, where
    a replay went on with the recorded number and no warning (-1.94 where eager gave -3.88)."""

    def run(compiled):
        t = ReadElsewhere()
        step = autograd.compile(t.step, strict=True) if compiled else t.step
        out = []
        for i in range(8):
            if i == 3:
                t.cfg.scale = 3.0
            if i == 5:
                t.temperature = 0.5
            out.append(step(Tensor(np.ones((2, 3)))))
        return out

    compiled, eager = run(True), run(False)
    assert compiled == eager
    assert len(set(eager)) == 3  # both changes show in the numbers


@autograd.unguarded
class Position:
    def __init__(self):
        self.batch = 0


@pytest.mark.parametrize(("kind", "replayed"), [(Position, 6), (Counted, 0)])
def test_an_unguarded_objects_count_replays(monkeypatch, kind, replayed):
    """An object of an @unguarded class (a batch count the step reads for its messages) is neither guarded nor
    looked into: the caller's count changing on every call still replays, where a plain object's records again."""
    replays = count_replays(monkeypatch)
    at, lin = kind(), nn.Linear(3, 1, seed=0, dtype=np.float64)
    at.batch = 0

    def step(x):
        return (lin(x) * (1.0 + 0 * len(str(at.batch)))).sum()

    compiled = autograd.compile(step)
    for _ in range(8):
        compiled(Tensor(np.ones((2, 3))))
        at.batch += 1
    assert len(replays) == replayed
