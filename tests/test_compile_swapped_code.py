"""A compiled step records again after the code it runs was swapped between calls: a module's function
(`helpers.scaled = other`), a class's method (`Helper.apply`, `Scaler.__call__`, `Net.forward`), a keyword a
functools.partial binds set in its dict (`p.keywords["k"] = 20.0`). Each was kept by nothing but the object that
holds it, so the replays went on with the graph the old code made, silently (eager's losses -967.7, -3434.9 from
the swap on; the replays' -96.8, -121.4). Each against eager, bit for bit."""

import functools
import types

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, count_replays, run_changing, scaled_step, stepped_on

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

    @staticmethod
    def scaled(t):
        return t * 2.0

    @classmethod
    def rescaled(cls, t):
        return t * 2.0

    @property
    def factor(self):
        return 2.0


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


helpers.scaled = _times(2.0)


SWAPS = {  # (what the step calls on the model's output, the class and name the caller sets before call 4, to what)
    "a module's function": (lambda: lambda t: helpers.scaled(t), helpers, "scaled", _times(20.0)),
    "a class's __call__": (lambda: Scaler(), Scaler, "__call__", _times(20.0)),
    "a class's method": (lambda: (lambda h: lambda t: h.apply(t))(Helper()), Helper, "apply", _times(20.0)),
    "a partial's keyword": (lambda: functools.partial(_scaled, k=2.0), None, "k", 20.0),
}


@pytest.mark.parametrize("swap", SWAPS)
def test_code_swapped_between_calls_records_again(swap, monkeypatch):
    make, owner, name, other = SWAPS[swap]
    had = vars(owner)[name] if owner is not None else None

    def scenario(compile):
        call = make()
        step, _ = scaled_step(call)
        change = (
            (lambda i: setattr(owner, name, other)) if owner else (lambda i: call.keywords.__setitem__(name, other))
        )
        try:
            return run_changing(compile(step), change)
        finally:
            if owner is not None:
                setattr(owner, name, had)

    check_replayed(scenario, monkeypatch)


def test_a_module_class_forward_swapped_between_calls_records_again(monkeypatch):
    forward = Net.forward

    def scenario(compile):
        model = Net()
        opt = nn.SGD(model.parameters(), lr=0.1)
        try:
            return run_changing(
                compile(lambda x: stepped_on(opt, model(Tensor(x)).sum()).item()),
                lambda i: setattr(Net, "forward", lambda self, x: self.layer(x) * 20.0),
            )
        finally:
            Net.forward = forward

    check_replayed(scenario, monkeypatch)


def _program(model, helper, monkeypatch):
    """The Program replaying a step that applies `helper` to `model`'s outputs (after two recordings)."""
    programs = count_replays(monkeypatch)

    def step(x):
        loss = helper.apply(model(Tensor(x))).sum()
        loss.backward()
        return loss.item()

    compiled = autograd.compile(step)
    [compiled(np.ones((4, 3))) for _ in range(3)]
    return programs[0]


def test_a_librarys_methods_are_not_guarded_as_settings(monkeypatch):
    """Only the user's methods are, one by one: a step naming `Tensor` guarded its 150 methods, on every replay. A
    library's are the methods the recording ran, compared at once (tests/test_compile_library_methods.py)."""
    program = _program(nn.Linear(3, 2, seed=0, dtype=np.float64), Helper(), monkeypatch)
    owners = [owner for owner, _, _ in program.guards]
    assert Helper in owners and not any(owner in (Tensor, nn.Linear) for owner in owners)


def test_a_methods_guard_is_the_function_itself(monkeypatch):
    """A replay tells an unswapped method by `is` at once: kept as Same, each cost a call to kept() on every replay
    (about 4,000 instructions; 30,000 a replay for a step reading a Net, a Trainer, a config and a helper module)."""
    program = _program(Net(), Helper(), monkeypatch)
    methods = [(owner, name, s) for owner, name, s in program.guards if owner in (Helper, Net)]
    assert {name for _, name, _ in methods} >= {"apply", "forward"}
    # a staticmethod's is its function, a property's itself, as getattr gives them; a classmethod's is bound anew
    assert all(s is getattr(owner, name) or s == getattr(owner, name) for owner, name, s in methods)
    assert all(s is vars(owner)[name] for owner, name, s in methods if name in ("apply", "forward"))


@pytest.mark.parametrize("name", ["scaled", "rescaled", "factor"])
def test_a_helpers_staticmethod_classmethod_or_property_swapped_records_again(name, monkeypatch):
    """Read off an object the step's closure holds, each was guarded as its raw descriptor, which the class's lookup
    never gives (a staticmethod's function, a classmethod bound anew: the step ran eagerly on every call), or not
    at all where the step's code did not name it (a property: eager's losses -967.7, -3434.9, the replays' -96.8,
    -121.4)."""
    had = vars(Helper)[name]
    other = {"scaled": staticmethod(_times(20.0)), "rescaled": classmethod(_times(20.0))}.get(name)

    def scenario(compile):
        h = Helper()
        use = {"scaled": lambda o: h.scaled(o), "rescaled": lambda o: h.rescaled(o)}.get(name, lambda o: o * h.factor)
        step, _ = scaled_step(use)
        try:
            return run_changing(compile(step), lambda i: setattr(Helper, name, other or property(lambda s: 20.0)))
        finally:
            setattr(Helper, name, had)

    check_replayed(scenario, monkeypatch)
