"""Numbers a compiled step reads from objects its global names and closure cells hold (a config object's
attribute, a class attribute, a dict's or a list's item) are guarded: changed between calls, the step
records again and replays the new number. A replay runs none of the step's Python, so it baked the
number it read when recorded: after `Config.scale = 5.0` the replays went on with 2.0, without a warning."""

import dataclasses
import types
import warnings

import numpy as np
import pytest
from compile_faithful_cases import Runs

import autograd
import nn
from autograd import Tensor


class Config:
    scale = 2.0


@dataclasses.dataclass(slots=True)
class SlotsConfig:
    scale: float = 2.0


class Slotted:
    __slots__ = ("scale", "__weakref__")

    def __init__(self):
        self.scale = 2.0


SETTINGS = {"scale": 2.0}
ARGS = types.SimpleNamespace(scale=2.0)
NESTED = types.SimpleNamespace(optim=types.SimpleNamespace(scale=2.0))
MIXED = {"scale": 2.0, "model": object(), 0: "a key of another type"}
SMALL = np.array([2.0, 1.0])
SLOTS = SlotsConfig()  # no __dict__: its fields are slots
NESTED_SLOTS = types.SimpleNamespace(optim=SlotsConfig())
SLOTTED = Slotted()
CONFIG = types.ModuleType("config")  # a config module: `import config`
CONFIG.SCALE = 2.0
CASES = {  # how the step reads the number, how the caller changes it
    "class attribute": (lambda: Config.scale, lambda v: setattr(Config, "scale", v)),
    "global dict": (lambda: SETTINGS["scale"], lambda v: SETTINGS.__setitem__("scale", v)),
    "object's attribute": (lambda: ARGS.scale, lambda v: setattr(ARGS, "scale", v)),
    "nested object's attribute": (lambda: NESTED.optim.scale, lambda v: setattr(NESTED.optim, "scale", v)),
    "dict holding other objects": (lambda: MIXED["scale"], lambda v: MIXED.__setitem__("scale", v)),
    "array read in Python": (lambda: float(SMALL[0]), lambda v: SMALL.__setitem__(0, v)),
    "module's attribute": (lambda: CONFIG.SCALE, lambda v: setattr(CONFIG, "SCALE", v)),
    "slots dataclass's field": (lambda: SLOTS.scale, lambda v: setattr(SLOTS, "scale", v)),
    "nested slots dataclass's field": (
        lambda: NESTED_SLOTS.optim.scale,
        lambda v: setattr(NESTED_SLOTS.optim, "scale", v),
    ),
    "slots object's attribute": (lambda: SLOTTED.scale, lambda v: setattr(SLOTTED, "scale", v)),
}


def _losses(compiled, read, change, model=None):
    """The losses of 8 SGD steps of `model` (a Linear) on (model(x) * read()).sum(), the number `read`
    gives set to 2.0 by `change` before the first and to 5.0 before the fifth."""
    model = model or nn.Linear(3, 2, seed=0).double()
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
    scale = [2.0]
    read, change = (lambda: scale[0]), (lambda v: scale.__setitem__(0, v))
    assert _losses(True, read, change) == _losses(False, read, change)


def test_a_guarded_number_replays_again_once_recorded_anew():
    scale, calls = {"value": 2.0}, Runs()

    def read():
        calls.append(1)  # runs on recorded calls only
        return scale["value"]

    _losses(True, read, lambda v: scale.__setitem__("value", v))
    assert len(calls) == 4, "two recordings for each number, replays after them"


class _Tempered(nn.Module):
    temperature = 1.0  # a class attribute, read as self.temperature

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2, seed=0).double()

    def forward(self, x):
        return self.fc(x) * self.temperature


def test_a_class_attribute_of_your_module_is_one_of_its_settings():
    def change(v):
        _Tempered.temperature = v

    try:
        assert _losses(True, lambda: 1.0, change, _Tempered()) == _losses(False, lambda: 1.0, change, _Tempered())
    finally:
        _Tempered.temperature = 1.0


BUFFER = np.zeros((4, 3))  # the next batch, which the caller writes in place before each call
TRAIN_STATE = types.ModuleType("train_state")  # a module of the caller's counters: `import train_state`
TRAIN_STATE.step, TRAIN_STATE.scale = 0, 2.0


def _runs(compiled, loss_of, before_call, calls=8):
    """How many of `calls` SGD steps on loss_of(model) ran the step's Python, and their losses."""
    ran = Runs()
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.01)

    def step():
        ran.append(1)
        opt.zero_grad()
        loss = loss_of(model)
        loss.backward()
        opt.step()  # `step` taken off `opt`, a name: no attribute of another object the step reads
        return loss

    run = autograd.compile(step, strict=True) if compiled else step
    losses = []
    for i in range(calls):
        before_call(i)
        losses.append(run().item())
    return len(ran), losses


def _assert_annealed_scale_records_again(loss_of):
    """TRAIN_STATE.scale set to 5.0 before the fifth call: the step records twice for each scale, and its
    losses are eager's."""

    def anneal(i):
        TRAIN_STATE.scale = 2.0 if i < 4 else 5.0

    try:
        runs, losses = _runs(True, loss_of, anneal)
        assert runs == 4 and losses == _runs(False, loss_of, anneal)[1]
    finally:
        TRAIN_STATE.scale = 2.0


BUFFERS = {"x": np.zeros((4, 3)), "scale": 2.0}  # a buffer beside a setting
HOLDER = types.SimpleNamespace(x=np.zeros((4, 3)))
HELD_BUFFERS = {  # where the step finds its buffer
    "a name": lambda: BUFFER,
    "a dict": lambda: BUFFERS["x"],
    "an object's attribute": lambda: HOLDER.x,
}


@pytest.mark.parametrize("held", HELD_BUFFERS)
def test_an_array_the_step_takes_as_data_is_read_as_it_is_not_guarded_by_value(held):
    """A batch buffer the caller fills before each call (`BUFFER[:] = batch`; the step reads Tensor(BUFFER)),
    held by a name, in a dict or by an object: a replay reads its numbers as they are then. Guarded by value,
    the step recorded on every call (in a dict or an object, until compile_buffers)."""
    batches, buffer = np.random.default_rng(0).normal(size=(8, 4, 3)), HELD_BUFFERS[held]

    def loss_of(model):
        return (model(Tensor(buffer())) ** 2).sum() * BUFFERS["scale"]

    def fill(i):
        buffer()[:] = batches[i]

    runs, losses = _runs(True, loss_of, fill)
    assert runs == 2
    assert losses == _runs(False, loss_of, fill)[1]


def test_a_buffer_replaced_or_its_settings_changed_records_again():
    """A dict's buffer replaced by another array (of the recorded numbers, while the old one is filled anew)
    and a number beside it changed: the step records again each time, with eager's numbers."""
    batches = np.random.default_rng(0).normal(size=(8, 4, 3))
    first = BUFFERS["x"]

    def loss_of(model):
        return (model(Tensor(BUFFERS["x"])) ** 2).sum() * BUFFERS["scale"]

    def change(i):
        BUFFERS["x"] = first
        first[:] = batches[0 if i < 4 else i]
        if i == 4:
            BUFFERS["x"] = batches[0].copy()  # the recorded numbers, in another array: the step reads this one
        BUFFERS["scale"] = 2.0 if i < 6 else 3.0

    runs, losses = _runs(True, loss_of, change)
    BUFFERS["x"], BUFFERS["scale"] = first, 2.0
    assert runs == 6
    assert losses == _runs(False, loss_of, change)[1]
    BUFFERS["scale"] = 2.0


def test_a_modules_counter_the_step_does_not_read_is_not_guarded():
    """`opt.step()` names an attribute `step`: of the optimizer, not of the caller's module the step reads
    `train_state.scale` from, whose `train_state.step` the caller counts calls with."""

    def loss_of(model):
        return (model(Tensor(np.ones((4, 3)))) * TRAIN_STATE.scale).sum()

    def count(i):
        TRAIN_STATE.step += 1

    assert _runs(True, loss_of, count)[0] == 2

    _assert_annealed_scale_records_again(loss_of)  # read by the step: guarded still


def test_a_table_of_data_a_name_holds_is_compared_by_a_copy_not_item_by_item_on_every_call():
    """A list of images, or a vocabulary, the step reads is no setting: a snapshot of its items would be
    made in Python on each replay (a dict of 1,000 entries cost about 1 ms). It is compared as a copy, in C
    (a vocabulary of 1,001 words was kept by identity alone: a word's index changed replayed the old one)."""
    from autograd.compile_guards import SETTING_COST, Items, settled

    images = [np.zeros(784)] * (SETTING_COST + 1)
    vocabulary = {f"word{i}": i for i in range(1_001)}
    for table in (images, {"images": images}, vocabulary, list(range(SETTING_COST + 1))):
        assert isinstance(settled(table), Items)
    assert settled([1.0, 2.0]) == settled([1.0, 2.0]) != settled([1.0, 3.0])
    assert settled({"weights": np.ones(5000)}) != settled({"weights": np.zeros(5000)})  # an array is cheap to compare


def test_a_table_a_name_holds_changed_in_place_records_again():
    """A list of more than SETTING_COST items the caller appends to (or shuffles) between calls, whose last
    item the step reads: kept by identity alone, the replays went on with the item read when recorded."""
    from autograd.compile_guards import SETTING_COST

    rewards = [1.0] * (SETTING_COST + 8)
    changes = {4: lambda: rewards.append(3.0), 8: lambda: rewards.__setitem__(-1, 5.0)}

    def loss_of(model):
        return (model(Tensor(np.ones((4, 3)))) * rewards[-1]).sum()

    def change(i):
        changes.get(i, lambda: None)()

    runs, losses = _runs(True, loss_of, change, calls=12)
    del rewards[SETTING_COST + 8 :]
    rewards[-1] = 1.0
    assert runs == 6 and losses == _runs(False, loss_of, change, calls=12)[1]


def test_a_modules_setting_read_through_a_local_is_guarded():
    """`c = config` and then `c.SCALE` in a lambda: `c` is a cell of the step's own, not one of its
    closure's, so SCALE is an attribute of what it may hold: guarded still."""

    def loss_of(model):
        c = TRAIN_STATE
        scale = (lambda: c.scale)()
        return (model(Tensor(np.ones((4, 3)))) * scale).sum()

    _assert_annealed_scale_records_again(loss_of)


def test_a_config_of_numbers_unchanged_is_told_at_once_and_a_change_still_seen():
    """A list or dict of numbers a step's name holds is told unchanged by its items' identity (a config of
    30 floats cost a replay 25 us, settled item by item); a change, -0.0 for 0.0 too, still counts."""
    from autograd.compile_guards import kept, settled

    config = {"lr": 0.1, "scale": 0.0, "name": "run"}
    snapshot = settled(config)
    assert kept(config, snapshot)
    config["scale"] = -0.0
    assert not kept(config, snapshot) and settled(config) != snapshot
    config["scale"] = 0.0 + 0.0  # an equal number, another object: the slow comparison says equal
    assert settled(config) == snapshot
    nested = {"sizes": [1, 2]}
    held = settled(nested)
    nested["sizes"][0] = 5  # the same inner list, changed in place: never told unchanged by identity
    assert not kept(nested, held) and settled(nested) != held


def test_a_dict_is_compared_whole_so_a_count_kept_in_it_records_again():
    """Pinned (README: a dict is compared whole): `COUNTED["seen"]` changed on each call, never read by the
    step, records it every time, with eager's numbers. Guarding only the keys the step's code names would
    miss the reads of the step's methods and of other modules' code, which compile does not see."""
    counted = {"scale": 2.0, "seen": 0}

    def loss_of(model):
        return (model(Tensor(np.ones((4, 3)))) * counted["scale"]).sum()

    def count(i):
        counted["seen"] = i

    runs, losses = _runs(True, loss_of, count)
    assert runs == 8 and losses == _runs(False, loss_of, count)[1]
