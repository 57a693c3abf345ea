"""Numbers a compiled step reads from objects its global names and closure cells hold (a config object's
attribute, a class attribute, a dict's or a list's item) are guarded: changed between calls, the step
records again and replays the new number. A replay runs none of the step's Python, so it baked the
number it read when recorded: after `Config.scale = 5.0` the replays went on with 2.0, without a warning."""

import types
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


class Config:
    scale = 2.0


SETTINGS = {"scale": 2.0}
ARGS = types.SimpleNamespace(scale=2.0)
CASES = {  # how the step reads the number, how the caller changes it
    "class attribute": (lambda: Config.scale, lambda v: setattr(Config, "scale", v)),
    "global dict": (lambda: SETTINGS["scale"], lambda v: SETTINGS.__setitem__("scale", v)),
    "object's attribute": (lambda: ARGS.scale, lambda v: setattr(ARGS, "scale", v)),
}


def _losses(compiled, read, change, kept=None):
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.01)
    x = Tensor(np.ones((4, 3)))

    def step(x):
        opt.zero_grad()
        loss = (model(x) * read()).sum()
        loss.backward()
        opt.step()
        return loss

    run = autograd.compile(step, strict=True) if compiled else step
    change(2.0)
    losses = [run(x).item() for _ in range(4)]  # recorded twice, then replayed
    change(5.0)
    return losses + [run(x).item() for _ in range(4)]


@pytest.mark.parametrize("case", CASES)
def test_a_number_read_from_a_global_object_is_guarded(case):
    read, change = CASES[case]
    # read() is a function of the step's module: its global names are checked as the step's own
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _losses(True, read, change) == _losses(False, read, change)


def test_a_number_in_a_closures_list_is_guarded():
    def losses(compiled):
        scale = [2.0]
        model = nn.Linear(3, 2, seed=0).double()
        opt = nn.SGD(model.parameters(), lr=0.01)

        def step(x):
            opt.zero_grad()
            loss = (model(x) * scale[0]).sum()
            loss.backward()
            opt.step()
            return loss

        run = autograd.compile(step, strict=True) if compiled else step
        x = Tensor(np.ones((4, 3)))
        out = [run(x).item() for _ in range(4)]
        scale[0] = 5.0
        return out + [run(x).item() for _ in range(4)]

    assert losses(True) == losses(False)


def test_a_guarded_number_replays_again_once_recorded_anew():
    scale = {"value": 2.0}
    calls = []
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.01)

    def step(x):
        calls.append(1)  # runs on recorded calls only
        opt.zero_grad()
        loss = (model(x) * scale["value"]).sum()
        loss.backward()
        opt.step()
        return loss

    run = autograd.compile(step, strict=True)
    x = Tensor(np.ones((4, 3)))
    for _ in range(4):
        run(x)
    scale["value"] = 5.0
    for _ in range(4):
        run(x)
    assert len(calls) == 4, "two recordings for each number, replays after them"


class _Tempered(nn.Module):
    temperature = 1.0  # a class attribute, read as self.temperature

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2, seed=0).double()

    def forward(self, x):
        return self.fc(x) * self.temperature


def test_a_class_attribute_of_your_module_is_one_of_its_settings():
    def losses(compiled):
        _Tempered.temperature = 1.0
        model = _Tempered()
        opt = nn.SGD(model.parameters(), lr=0.01)

        def step(x):
            opt.zero_grad()
            loss = model(x).sum()
            loss.backward()
            opt.step()
            return loss

        run = autograd.compile(step, strict=True) if compiled else step
        x = Tensor(np.ones((2, 3)))
        out = [run(x).item() for _ in range(4)]
        _Tempered.temperature = 3.0
        return out + [run(x).item() for _ in range(4)]

    try:
        assert losses(True) == losses(False)
    finally:
        _Tempered.temperature = 1.0


def test_a_table_of_data_a_name_holds_is_guarded_by_identity_not_copied_on_every_call():
    """A list of images the step reads (a dataset) is no setting: a snapshot of its numbers would cost a
    copy on each recording and a comparison on each replay."""
    from autograd.compile_guards import GUARDED_ENTRIES, Same, settled

    images = [np.zeros(784)] * (GUARDED_ENTRIES // 784 + 1)
    assert isinstance(settled(images), Same) and isinstance(settled({"images": images}), Same)
    assert settled([1.0, 2.0]) == settled([1.0, 2.0]) != settled([1.0, 3.0])


def test_a_replay_checks_a_table_kept_by_identity_without_counting_its_entries(monkeypatch):
    """settled counts a container's entries to choose identity over value: a replay ran that count, a pass over
    10,001 numbers, on every call (4 ms a replay of a 60 µs step); a table kept by identity is checked by it."""
    from autograd import compile_guards
    from autograd.compile_guards import GUARDED_ENTRIES

    table = [0.5] * (GUARDED_ENTRIES + 1)
    model = nn.Linear(3, 2, seed=0).double()

    @autograd.compile
    def step(x):
        return (model(x) * table[0]).sum()

    x = Tensor(np.ones((4, 3)))
    step(x), step(x)
    counted = []
    monkeypatch.setattr(compile_guards, "_entries", lambda *a: counted.append(a) or GUARDED_ENTRIES + 1)
    step(x)
    assert [r.program is not None for r in step.recordings.values()] == [True] and not counted


def test_a_number_changed_on_every_call_names_itself_among_the_causes_of_giving_up():
    """A running baseline the caller updates each call records every time; the warning said only 'a model's
    layers or statistics ... a layer made on each call', none of which the step has."""
    model = nn.Linear(3, 1, seed=0).double()
    baseline = [0.0]

    @autograd.compile
    def step(x):
        return ((model(x) - baseline[0]) ** 2).mean()

    x = Tensor(np.ones((4, 3)))
    with pytest.warns(autograd.CompileWarning, match=r"reads through its names.*baseline\[0\].*array argument"):
        for i in range(20):
            step(x)
            baseline[0] = i + 0.5
