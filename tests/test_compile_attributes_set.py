"""An attribute a compiled step's own code sets on its objects (`self.last = loss`, `self.phase = "b"`, a flag
toggled, `HOLDER.last = loss` on a global object): a replay runs none of the step's Python, so the attribute kept
what the second recorded call left there, silently (a stored loss Tensor read 0.0798 after every replay, where eager
gave 0.0534, 0.2577, 0.0877, 0.1968; a phase meant to alternate stayed "a"). Such a step now runs eagerly, naming
the attribute; one set on the first call alone (`self.ready = True`) records again once and then replays, and a
count the step only advances replays, as documented."""

from __future__ import annotations

import types
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import CompileWarning, Tensor
from nn import functional as F

HOLDER = types.SimpleNamespace(last=None, inner=types.SimpleNamespace(last=None))


class Trainer:
    """A linear layer under SGD whose step does `change(self, loss)` after its optimizer's step."""

    def __init__(self, change) -> None:
        self.model = nn.Linear(3, 2, seed=0)
        self.opt = nn.SGD(self.model.parameters(), lr=0.1)
        self.change, self.phase, self.flag, self.last, self.ready, self.calls = change, "a", False, None, False, 0

    def step(self, x):
        self.opt.zero_grad()
        loss = F.mse_loss(self.model(Tensor(x)), Tensor(np.zeros((4, 2))))
        loss.backward()
        self.opt.step()
        self.change(self, loss)
        return loss.item()


def _store(t, loss):
    t.last = loss


def _toggle_phase(t, loss):
    t.phase = "b" if t.phase == "a" else "a"


def _toggle_flag(t, loss):
    t.flag = not t.flag


def _store_on_a_global(t, loss):
    HOLDER.last = loss


class _Slotted:
    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = None


SLOTTED = _Slotted()


def _store_in_a_slot(t, loss):
    SLOTTED.last = loss


def _store_on_the_class(t, loss):
    type(t).last = loss


def _store_by_setattr(t, loss):
    setattr(HOLDER, "last", loss)  # noqa: B010 (by name, as a helper taking the name would)


def _store_in_its_dict(t, loss):
    vars(HOLDER).update(last=loss)


NAME = "last"  # an attribute name the step's code holds nowhere as text


def _store_by_a_name_in_a_global(t, loss):
    setattr(HOLDER, NAME, loss)


def _store_by_a_built_name(t, loss):
    setattr(HOLDER, f"{'la'}{'st'}", loss)


def _store_in_its_dict_by_a_built_name(t, loss):
    vars(HOLDER)[NAME] = loss


MODULE = types.ModuleType("scratch")  # a module the user keeps state on (`import logbook; logbook.last = loss`)
MODULE.last = None


def _store_on_an_attribute_got_by_name(t, loss):
    setattr(getattr(HOLDER, "inner"), NAME, loss)  # noqa: B009 (by name, as a helper taking the name would)


def _store_on_a_module(t, loss):
    MODULE.last = loss


def _eval_and_back(t, loss):
    was = t.model.training
    t.model.eval()
    t.opt.zero_grad()  # replayed code between: the mode is looked at there
    t.model.train(was)


def _ready_once(t, loss):
    t.ready = True


def _equal_values(t, loss):
    # made anew on each call, equal each time: a replay leaving the recorded ones is eager's (they replayed before)
    t.keys, t.size, t.shape = frozenset(["x", "y"]), np.int64(4), tuple([4, 3])


def _count(t, loss):
    t.calls += 1


def _seen(t):
    last = {
        _store_on_a_global: HOLDER.last,
        _store_by_setattr: HOLDER.last,
        _store_in_its_dict: HOLDER.last,
        _store_by_a_name_in_a_global: HOLDER.last,
        _store_by_a_built_name: HOLDER.last,
        _store_in_its_dict_by_a_built_name: HOLDER.last,
        _store_on_a_module: MODULE.last,
        _store_on_an_attribute_got_by_name: HOLDER.inner.last,
        _store_in_a_slot: SLOTTED.last,
        _store_on_the_class: Trainer.last,
    }.get(t.change, t.last)
    return (None if last is None else last.item(), t.phase, t.flag, t.ready)


def _run(change, compiled: bool):
    HOLDER.last = HOLDER.inner.last = SLOTTED.last = Trainer.last = MODULE.last = None
    t = Trainer(change)
    f = autograd.compile(t.step) if compiled else t.step
    rng = np.random.default_rng(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        seen = [(f(rng.standard_normal((4, 3))), _seen(t)) for _ in range(6)]
    said = [str(w.message) for w in caught if w.category is CompileWarning]
    return seen, said, f


@pytest.mark.parametrize(
    "change, named",
    [
        (_store, "`Trainer.last` (to Tensor)"),
        (_toggle_phase, "`Trainer.phase` (to str)"),
        (_toggle_flag, "`Trainer.flag` (to bool)"),
        (_store_on_a_global, "`SimpleNamespace.last` (to Tensor)"),
        (_store_in_a_slot, "`_Slotted.last` (to Tensor)"),
        (_store_on_the_class, "`Trainer.last` (to Tensor)"),
        (_store_by_setattr, "`SimpleNamespace.last` (to Tensor)"),
        (_store_in_its_dict, "`SimpleNamespace.last` (to Tensor)"),
        (_store_by_a_name_in_a_global, "`SimpleNamespace.last` (to Tensor)"),
        (_store_by_a_built_name, "`SimpleNamespace.last` (to Tensor)"),
        (_store_in_its_dict_by_a_built_name, "`SimpleNamespace.last` (to Tensor)"),
        (_store_on_a_module, "`scratch.last` (to Tensor)"),
        (_store_on_an_attribute_got_by_name, "`SimpleNamespace.last` (to Tensor)"),
    ],
    ids=[
        "stored-loss",
        "phase",
        "flag",
        "global-object",
        "slot",
        "class",
        "setattr",
        "vars",
        "setattr-global-name",
        "setattr-f-string",
        "vars-global-name",
        "module",
        "getattr-then-setattr",
    ],
)
def test_an_attribute_the_step_sets_on_each_call_runs_it_eagerly(change, named) -> None:
    eager, _, _ = _run(change, compiled=False)
    compiled, said, _ = _run(change, compiled=True)
    assert compiled == eager
    assert said and all(f"the step sets {named} on each call" in s for s in said)


@pytest.mark.parametrize(
    "change",
    [_ready_once, _count, _eval_and_back, _equal_values],
    ids=["set-once", "count", "mode-restored", "equal-values"],
)
def test_an_attribute_set_once_or_a_count_still_replays(change) -> None:
    eager, _, _ = _run(change, compiled=False)
    compiled, said, f = _run(change, compiled=True)
    assert said == [] and any(rec.program is not None for rec in f.recordings.values())
    if change is not _count:
        assert compiled == eager
