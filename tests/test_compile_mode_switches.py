"""A step that switches its model to eval for a no-grad look and back (model.eval(), model.train()) beside a
replayed `model.zero_grad()`: the module's `training`, the class's True until train() sets it on the object, was
taken for a setting changed during the step ("a setting of Sequential (its lr?) changed"), and the step ran
eagerly, blaming an lr. The same mode is no change: the step replays, with eager's numbers; a setting that does
change is named."""

import warnings

import numpy as np

import autograd
import nn
from autograd import Tensor
from nn import functional as F


def _run(compiled, step_of, calls=6):
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Dropout(0.5, seed=1), nn.Linear(4, 2, seed=2)).double()
    opt = nn.SGD(model.parameters(), lr=0.1)
    step = step_of(model, opt)
    run = autograd.compile(step) if compiled else step
    rng = np.random.default_rng(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = [run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4)) for _ in range(calls)]
    return out, [str(w.message) for w in caught if issubclass(w.category, autograd.CompileWarning)], run


def _looks_first(model, opt):
    def step(x, y):
        model.zero_grad()
        model.eval()
        with autograd.no_grad():
            seen = F.cross_entropy(model(x), y).item()
        model.train()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item(), seen

    return step


def test_a_model_switched_to_eval_and_back_inside_the_step_replays():
    eager, _, _ = _run(False, _looks_first)
    compiled, said, run = _run(True, _looks_first)
    assert compiled == eager
    assert not said
    assert [r.program is not None for r in run.recordings.values()] == [True]


def _sets_a_field(model, opt):
    def step(x, y):
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        model.steps_taken = getattr(model, "steps_taken", 0) + 1  # a count kept on the model by the step
        return loss.item()

    return step


def test_a_setting_changed_during_the_step_is_named():
    eager, _, _ = _run(False, _sets_a_field)
    compiled, said, _ = _run(True, _sets_a_field)
    assert compiled == eager
    assert said and "(steps_taken)" in said[0] and "its lr?" not in said[0]


def _keeps_a_nan(model, opt):
    model.best_loss = float("nan")  # a note kept on the model (no loss seen yet), never changed by the step
    opt.best_loss = float("nan")
    return _looks_first(model, opt)


def test_a_nan_setting_the_step_leaves_alone_is_no_change():
    """Each setting was compared with `!=` alone, and NaN != NaN: a model or optimizer holding a NaN (the very
    same float, untouched) ran the step eagerly, its warning naming that setting as changed during the step."""
    eager, _, _ = _run(False, _keeps_a_nan)
    compiled, said, run = _run(True, _keeps_a_nan)
    assert compiled == eager
    assert not said
    assert [r.program is not None for r in run.recordings.values()] == [True]
