"""A compiled step records again after the code it runs was swapped between calls: a module's function
(`helpers.scaled = other`), a class's method (`Helper.apply`, `Scaler.__call__`, `Net.forward`), a keyword a
functools.partial binds set in its dict (`p.keywords["k"] = 20.0`). Each was kept by nothing but the object that
holds it, so the replays went on with the graph the old code made, silently (eager's losses -967.7, -3434.9 from
the swap on; the replays' -96.8, -121.4). Each against eager, bit for bit."""

import functools
import types

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import autograd
import nn
from autograd import Tensor

helpers = types.ModuleType("helpers")  # a module of the user's, as the step's global name holds it


class Scaler:
    def __call__(self, t):
        return t * 2.0


class Helper:
    def apply(self, t):
        return t * 2.0


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(3, 2, seed=0, dtype=np.float64)

    def forward(self, x):
        return self.layer(x) * 2.0


def _times(k):
    return lambda *args: args[-1] * k  # a method's (self, t) or a function's (t)


def _scaled(t, k):
    return t * k


SWAPS = {  # (what the step calls on the model's output, how the caller swaps it before call 4, then puts it back)
    "a module's function": (
        lambda: lambda t: helpers.scaled(t),
        lambda: setattr(helpers, "scaled", _times(20.0)),
        None,
    ),
    "a class's __call__": (lambda: Scaler(), lambda: setattr(Scaler, "__call__", _times(20.0)), Scaler.__call__),
    "a class's method": (
        lambda: (lambda h: lambda t: h.apply(t))(Helper()),
        lambda: setattr(Helper, "apply", _times(20.0)),
        Helper.apply,
    ),
    "a partial's keyword": (lambda: functools.partial(_scaled, k=2.0), None, None),
}


@pytest.mark.parametrize("swap", SWAPS)
def test_code_swapped_between_calls_records_again(swap, monkeypatch):
    make, change, original = SWAPS[swap]

    def scenario(compile):
        helpers.scaled = _times(2.0)
        model = nn.Linear(3, 2, seed=0, dtype=np.float64)
        opt = nn.SGD(model.parameters(), lr=0.1)
        call = make()

        def step(x):
            opt.zero_grad()
            loss = call(model(Tensor(x))).sum()
            loss.backward()
            opt.step()
            return loss.item()

        run, out = compile(step), []
        try:
            for i in range(6):
                out.append(run(np.arange(12.0).reshape(4, 3) / 10))
                if i == 3:
                    change() if change else call.keywords.__setitem__("k", 20.0)
        finally:
            if original is not None:
                setattr(Scaler if swap == "a class's __call__" else Helper, original.__name__, original)
        return out

    check_replayed(scenario, monkeypatch)


def test_a_module_class_forward_swapped_between_calls_records_again(monkeypatch):
    forward = Net.forward

    def scenario(compile):
        model = Net()
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = model(Tensor(x)).sum()
            loss.backward()
            opt.step()
            return loss.item()

        run, out = compile(step), []
        try:
            for i in range(6):
                out.append(run(np.arange(12.0).reshape(4, 3) / 10))
                if i == 3:
                    Net.forward = lambda self, x: self.layer(x) * 20.0
        finally:
            Net.forward = forward
        return out

    check_replayed(scenario, monkeypatch)


def test_a_librarys_methods_are_not_guarded(monkeypatch):
    """Only the user's methods are: a step naming `Tensor` guarded its 150 methods, on every replay."""
    from autograd.compile_replay import Program

    programs, run = [], Program.run
    monkeypatch.setattr(Program, "run", lambda self, inputs: programs.append(self) or run(self, inputs))
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    helper = Helper()

    def step(x):
        loss = helper.apply(model(Tensor(x))).sum()
        loss.backward()
        return loss.item()

    compiled = autograd.compile(step)
    [compiled(np.ones((4, 3))) for _ in range(3)]
    owners = [owner for owner, _, _ in programs[0].guards]
    assert Helper in owners and not any(owner in (Tensor, nn.Linear) for owner in owners)


def test_a_methods_guard_is_the_function_itself(monkeypatch):
    """A replay tells an unswapped method by `is` at once: kept as Same, each cost a call to kept() on every replay
    (about 4,000 instructions; 30,000 a replay for a step reading a Net, a Trainer, a config and a helper module)."""
    from autograd.compile_replay import Program

    programs, run = [], Program.run
    monkeypatch.setattr(Program, "run", lambda self, inputs: programs.append(self) or run(self, inputs))
    model, helper = Net(), Helper()

    def step(x):
        loss = helper.apply(model(Tensor(x))).sum()
        loss.backward()
        return loss.item()

    compiled = autograd.compile(step)
    [compiled(np.ones((4, 3))) for _ in range(3)]
    methods = [(owner, name, s) for owner, name, s in programs[0].guards if owner in (Helper, Net)]
    assert {name for _, name, _ in methods} >= {"apply", "forward"}
    assert all(s is vars(owner)[name] for owner, name, s in methods)
