"""A step that calls globals() had every global of its module checked, its containers by their contents: one the
caller appends to between calls (a history of losses) recorded the step again on every call, 12 times, before it
ran eagerly with a CompileWarning naming "Contents.held". Where each call takes a constant key
(`globals()["SCALE"]`, `globals().get("SCALE")`), those names alone are checked now, read through as the names the
code takes; where a key is computed, every global still is, and the warning names the container (`HISTORY`)."""

import types

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, run_changing, scaled_step

import autograd
import nn
from autograd import Tensor

HISTORY = []
SCALE = 1.0
KEY = "SCALE"

READS = {
    "a subscript": lambda: globals()["SCALE"],
    "get": lambda: globals().get("SCALE", 2.0),
    "in a comprehension": lambda: [globals()["SCALE"] for _ in range(1)][0],
}


def _scenario(read, calls=8):
    def scenario(compile):
        global SCALE
        SCALE = 1.0
        HISTORY.clear()
        model = nn.Linear(3, 1, seed=0).double()
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = (model(Tensor(x)) ** 2).sum() * read()
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        for i in range(calls):
            HISTORY.append(run(np.full((2, 3), (i + 1) / 10)))
            if i == 4:
                SCALE = 0.5  # read again: the step records again
        return list(HISTORY)

    return scenario


@pytest.mark.parametrize("read", READS)
def test_a_step_reading_globals_by_constant_keys_replays_while_the_caller_appends_to_a_global(read, monkeypatch):
    check_replayed(_scenario(READS[read]), monkeypatch, replays_at_least=4)


def test_a_computed_key_checks_every_global_and_names_the_one_that_changes():
    with pytest.warns(autograd.CompileWarning, match="the last setting seen to change: `HISTORY`"):
        _scenario(lambda: globals()[KEY], calls=14)(autograd.compile)


SHOWN = {"scale": 2.0}
VIEW = types.MappingProxyType(SHOWN)  # a read-only view of a dict the caller changes


@pytest.mark.parametrize("others", [0, 40])
def test_a_mapping_proxys_dict_changed_between_calls_records_again(others, monkeypatch):
    """A global `MappingProxyType(settings)` was no container compile read through: `settings["scale"] = 5.0`
    between calls replayed the recorded 2.0 (eager's losses -241.9, -396.1 from call 5; the replays' -96.8, -121.4).
    A view of more than 32 entries, a table's snapshot, was of `dict(view)`, made anew on each call: never equal, the
    step ran eagerly on every call, "the step changed `VIEW` in place"."""

    def scenario(compile):
        SHOWN.clear()
        SHOWN.update({f"option{k}": float(k) for k in range(others)}, scale=2.0)
        step, _ = scaled_step(lambda out: out * VIEW["scale"])
        return run_changing(compile(step), lambda i: SHOWN.__setitem__("scale", 5.0))

    check_replayed(scenario, monkeypatch, replays_at_least=2)
