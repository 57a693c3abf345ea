"""A replay is refused as stale when a process-wide count moved since the recording: SWITCHES (a requires_grad
switched, a gradient hook registered) or nn's STRUCTURE.version (a model's layers or parameters changed). The
collector may free an unrelated program's models, hooked tensors, hook handles, parameters and optimizers at any
moment inside a compiled step's call: nothing freed may move those counts, or a long program would record again
at random (and a test counting replays would flake)."""

import gc
import sys
import types
import weakref

import numpy as np
from compile_faithful_cases import count_replays, linear, stepped_on, training_step

import autograd
import nn
from autograd import Tensor
from autograd.compile_recording import SWITCHES
from autograd.compile_replay import Program
from nn import functional as F
from nn.structure import STRUCTURE


class _Cycle:
    """Garbage only the collector frees (it refers to itself), holding what moves the counts when it is made."""

    def __init__(self):
        self.me = self
        self.model = nn.Sequential(nn.Linear(3, 2, seed=0), nn.Tanh())
        self.listed = nn.ModuleList([nn.Linear(2, 2, seed=1)])
        self.hooked = Tensor(np.ones(3), requires_grad=True)
        self.handle = self.hooked.register_hook(lambda g: g)
        self.parameter = nn.Parameter(np.ones(2))
        self.opt = nn.SGD(self.model.parameters(), lr=0.1)


def _loss_of(model, x, y):
    out = model(x)
    gc.collect()  # frees a batch of cycles inside a recorded call, between the forward pass and the loss
    return F.cross_entropy(out, y)


def _collecting(run):
    def collected(program, inputs):
        gc.collect()
        return run(program, inputs)

    return collected


def _run(compile, batches):
    model, opt = linear()
    run, losses, moved, freed = compile(training_step(model, opt, _loss_of)), [], [], []
    for _ in range(5):
        dying = [weakref.ref(cycle) for cycle in batches.pop()]  # the cycles of one batch become garbage
        counts = SWITCHES.count, STRUCTURE.version
        losses.append(run(Tensor(np.ones((4, 3))), np.array([0, 1, 2, 1])))
        moved.append((SWITCHES.count, STRUCTURE.version) != counts)
        freed.append(all(ref() is None for ref in dying))
    return losses, moved, freed


def test_models_hooks_and_parameters_collected_inside_a_call_move_no_count(monkeypatch):
    def garbage():
        return [[_Cycle(), _Cycle()] for _ in range(5)]

    enabled = gc.isenabled()
    gc.disable()  # the cycles are freed by the step's collections alone
    gc.freeze()  # which look at what the test makes only: cheap
    try:
        eager = _run(lambda f: f, garbage())
        monkeypatch.setattr(Program, "run", _collecting(Program.run))  # a collection inside each replay too
        replays = count_replays(monkeypatch)
        compiled = _run(lambda f: autograd.compile(f, strict=True), garbage())
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
    assert compiled == eager
    assert compiled[1:] == ([False] * 5, [True] * 5)  # freed inside each call, moving no count
    assert len(replays) == 3  # recorded, recorded again to confirm, then replayed


FACTOR = 2.0


class _Scaling(nn.Module):
    """A module of the user's inside nn's Sequential: its forward is found by seeing it run, and what it reads (the
    global FACTOR) guarded from then on."""

    def forward(self, out):
        return out * FACTOR


def test_a_collection_as_the_recording_marks_where_collections_start_leaves_the_step_seen(monkeypatch):
    """compile marks a collection's start and end with two gc callbacks, put in as each recording starts. Making
    the second (a bound method) may start a collection; one there, with the first mark in and the last not, left
    the recording taken for that collection's code until the next collection: the user's code that ran meanwhile
    went unseen. Unseen in one recording, the next saw it and recorded once more (3 replays of 6 calls for 4, in
    long CI workers, at random); unseen in both, what it read was never guarded, and a replay after FACTOR
    changed gave the old factor's numbers."""
    from autograd import compile_outside

    made = compile_outside.Outside._stopped

    class CollectingAsBound:  # a collection as `self._stopped` is first bound in each recording: in watching()
        def __get__(self, outside, kind):
            if outside is not None and not outside.__dict__.get("collected"):
                outside.__dict__["collected"] = True
                gc.collect()
            return made.__get__(outside, kind)

    monkeypatch.setattr(compile_outside.Outside, "_stopped", CollectingAsBound())
    _check_scaled_steps_seen(monkeypatch)


def _scaled_steps(compile, monkeypatch):
    """Six calls of a step through _Scaling, FACTOR 2.0 for the first four, 3.0 for the last two."""
    layer, opt = linear(np.float32, nout=2)
    model = nn.Sequential(layer, _Scaling())
    run, losses = compile(lambda x: stepped_on(opt, model(Tensor(x)).sum()).item()), []
    for i in range(6):
        monkeypatch.setattr(sys.modules[__name__], "FACTOR", 3.0 if i >= 4 else 2.0)
        losses.append(run(np.ones((2, 3))))
    return losses


def _check_scaled_steps_seen(monkeypatch):
    """_scaled_steps compiled gives eager's numbers, replayed on the third and fourth calls alone (FACTOR changed
    after), with no collection in the calls but the ones the test forces."""
    eager = _scaled_steps(lambda f: f, monkeypatch)
    replays, thresholds = count_replays(monkeypatch), gc.get_threshold()
    gc.set_threshold(10**6)  # no other collection in the call, to end the one that began with the first mark
    try:
        compiled = _scaled_steps(lambda f: autograd.compile(f, strict=True), monkeypatch)
    finally:
        gc.set_threshold(*thresholds)
    assert compiled == eager
    assert len(replays) == 2  # the third and fourth calls; FACTOR changed, the last two are recorded again


class _FirstMarkCollects:
    """gc.callbacks as compile_outside sees it, where a collection runs as soon as the first of a recording's two
    marks goes in: as on Python 3.12 and later, where gc runs a collection made due by an allocation (binding the
    marks) at the end of the next call (`gc.callbacks.insert(...)`), not inside the allocation as 3.11 does."""

    def __init__(self):
        self.armed = True

    def _collect_once(self):
        if self.armed:
            self.armed = False
            gc.collect()

    def insert(self, i, callback):
        gc.callbacks.insert(i, callback)
        self._collect_once()

    def append(self, callback):
        gc.callbacks.append(callback)
        self._collect_once()

    def remove(self, callback):
        gc.callbacks.remove(callback)
        self.armed = True  # the next recording's first mark

    def __contains__(self, callback):
        return callback in gc.callbacks

    def __iter__(self):
        return iter(gc.callbacks)

    def __getitem__(self, i):
        return gc.callbacks[i]


def test_a_collection_between_the_two_marks_going_in_leaves_the_step_seen(monkeypatch):
    """Binding both marks before either goes in closes the window on 3.11 alone: 3.12's collector runs a
    collection the binding made due after the first `gc.callbacks` call, with the start mark in and the end mark
    not, and the step's code went unseen (FACTOR's change replayed with the old factor). The end mark goes in
    first: a collection between the two finds it alone, which ends no collection that has not started."""
    from autograd import compile_outside

    monkeypatch.setattr(compile_outside, "gc", types.SimpleNamespace(callbacks=_FirstMarkCollects()))
    _check_scaled_steps_seen(monkeypatch)
