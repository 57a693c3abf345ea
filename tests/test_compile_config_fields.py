"""A config may hold more than numbers and configs: a list or dict (`layers = [64, 64]`), an enum member, a
small array, a function or a class, and a list of configs. Such a config was kept by identity alone, in a dict
or list and as a module's `self.cfg`, so its `scale` set between calls replayed the recorded number without a
word (-3.27513 on call 4, where eager gives -9.82539). Now each field is compared as a setting is; an object
that holds a Tensor or a generator is still no config."""

import enum
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest
from compile_faithful_cases import Runs, count_replays
from test_compile_nested_configs import Scaled, _scale

import autograd
import nn
from autograd import Tensor
from autograd.compile_guards import Same, settled


class Mode(enum.Enum):
    SUM = 1
    MEAN = 2


@dataclass
class Part:
    scale: float = 1.0


@dataclass
class Config:
    scale: float = 1.0
    clip: float | None = None
    layers: list = field(default_factory=lambda: [64, 64])
    options: dict = field(default_factory=lambda: {"decay": 0.1, "names": ("a", "b")})
    mode: Mode = Mode.SUM
    weights: np.ndarray = field(default_factory=lambda: np.ones(3))
    activation: object = autograd.relu
    optimizer: type = nn.SGD
    parts: list = field(default_factory=lambda: [Part(), Part(2.0)])


def in_a_dict():
    configs = {"a": Config()}
    return nn.Linear(3, 2, seed=0).double(), lambda: configs["a"].scale, configs["a"]


def a_modules_config():
    model = Scaled(Config(), _scale)
    return model, lambda: 1.0, model.cfg


def a_config_in_a_configs_list():
    configs = [Config()]
    return nn.Linear(3, 2, seed=0).double(), lambda: configs[0].parts[0].scale, configs[0].parts[0]


HOLDERS = [in_a_dict, a_modules_config, a_config_in_a_configs_list]


def _train(compiled, make, change_at=4, calls=8):
    """As test_compile_nested_configs' `_train`, the step defined here: a compiled step reads through the
    closures of its own module's functions only (README: not what a function given as an argument reads), and
    `read` is this module's."""
    model, read, config = make()
    opt = nn.SGD(model.parameters(), lr=0.01)
    ran = Runs()

    def step(x):
        ran.append(1)  # recorded or eager, not replayed
        opt.zero_grad()
        loss = (model(x) * read()).sum()
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step, strict=True) if compiled else step
    losses = []
    for i in range(calls):
        if i == change_at:
            config.scale = 3.0
        losses.append(run(Tensor(np.ones((4, 3)))))
    return losses, len(ran)


@pytest.mark.parametrize("make", HOLDERS, ids=[m.__name__ for m in HOLDERS])
def test_a_config_holding_lists_enums_arrays_and_functions_set_between_calls_records_again(make):
    (compiled, ran), (eager, _) = _train(True, make), _train(False, make)
    assert compiled == eager
    assert compiled[4] == pytest.approx(-9.82539, abs=1e-5)  # 3x: the stale replay gave -3.27513
    assert ran == 4  # recorded on calls 0-1, again on 4-5; replayed on the other four


@pytest.mark.parametrize("make", HOLDERS, ids=[m.__name__ for m in HOLDERS])
def test_such_a_config_unchanged_replays_without_recording_again(make, monkeypatch):
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled, ran = _train(True, make, change_at=None)
    assert ran == 2 and len(replays) == 6
    assert compiled == _train(False, make, change_at=None)[0]


CHANGES = {
    "None set to a number": lambda c: setattr(c, "clip", 1.0),
    "a list's item": lambda c: c.layers.__setitem__(0, 32),
    "a dict's item": lambda c: c.options.__setitem__("decay", 0.2),
    "an enum member": lambda c: setattr(c, "mode", Mode.MEAN),
    "an array in place": lambda c: c.weights.__setitem__(0, 2.0),
    "a function": lambda c: setattr(c, "activation", autograd.tanh),
    "a class": lambda c: setattr(c, "optimizer", nn.Adam),
    "a config in a list": lambda c: setattr(c.parts[1], "scale", 3.0),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_kind_of_field_changed_is_a_changed_snapshot(change):
    config = Config()
    snapshot = settled([config])
    assert settled([config]) == snapshot
    CHANGES[change](config)
    assert settled([config]) != snapshot


class Looped:
    def __init__(self):
        self.scale, self.children = 1.0, []
        self.children.append(self)  # a cycle through a list: never looked into without end


class HoldsLooped:
    """A Looped one level down: its list met at depth 1, whose items were looked into below 0, without end
    (RecursionError while recording)."""

    def __init__(self):
        self.scale, self.inner = 1.0, Looped()


@pytest.mark.parametrize("kind", [Looped, HoldsLooped])
def test_a_config_that_holds_itself_through_a_list_runs_the_step_eagerly_saying_so(kind):
    configs = [kind()]
    model = nn.Linear(3, 2, seed=0).double()
    x = Tensor(np.ones((4, 3)))
    compiled, got = autograd.compile(lambda x: (model(x) * configs[0].scale).sum().item()), []
    with pytest.warns(autograd.CompileWarning, match="config whose fields a replay could not compare"):
        for i in range(4):
            configs[0].scale = float(i)
            got.append(compiled(x))
    assert got == [(model(x) * float(i)).sum().item() for i in range(4)]


def test_a_tensor_or_an_object_holding_a_generator_is_no_config():
    """A Tensor keeps an array (`_data`): taken for a config, it would be compared by its numbers on every replay."""
    t = Tensor(np.ones(3))
    holder = Part()
    holder.rng = np.random.default_rng(0)
    assert isinstance(settled(t), Same) and isinstance(settled(holder), Same)


@dataclass
class CountingConfig:
    weights: list = field(default_factory=lambda: [1.0, 1.0])
    calls: int = 0


class CountingModule(nn.Module):
    """Its forward counts on its config: the config's other fields are guarded one by one then."""

    def __init__(self):
        super().__init__()
        self.lin, self.cfg = nn.Linear(3, 2, seed=0).double(), CountingConfig()

    def forward(self, x):
        self.cfg.calls += 1
        return self.lin(x) * self.cfg.weights[0]


def test_a_list_field_of_a_config_the_forward_counts_on_is_guarded_on_its_own():
    """The field's snapshot taken with the config's must equal the one a guard takes of the field alone, or the
    guard of `weights` was never kept and its item set between calls replayed the recorded number."""

    class Weights:  # _train sets `scale` on what make returns: here the list's first item
        def __init__(self, cfg):
            self.cfg = cfg

        scale = property(lambda self: self.cfg.weights[0], lambda self, v: self.cfg.weights.__setitem__(0, v))

    def counting():
        model = CountingModule()
        return model, lambda: 1.0, Weights(model.cfg)

    (compiled, ran), (eager, _) = _train(True, counting), _train(False, counting)
    assert compiled == eager
    assert compiled[4] == pytest.approx(-9.82539, abs=1e-5)
    assert ran == 4


def test_a_table_of_configs_runs_the_step_eagerly_saying_so():
    """A list of more than 32 configs is a table, kept by its items' identity: `parts[0].scale` set in place
    replayed the recorded 1.0 (-3.27513 on call 4, where eager gives -9.82539) without a warning."""
    parts = [Part() for _ in range(40)]
    model = nn.Linear(3, 2, seed=0).double()
    x = Tensor(np.ones((4, 3)))

    def step(x):
        return (model(x) * parts[0].scale).sum().item()

    with pytest.raises(autograd.CompileError, match="table of more than 32 items holding configs"):
        autograd.compile(step, strict=True)(x)
    compiled, got = autograd.compile(step), []
    with pytest.warns(autograd.CompileWarning, match=r"reads a (\w+\.)*Part config"):
        for i in range(4):
            parts[0].scale = float(i)
            got.append(compiled(x))
    assert got == [(model(x) * float(i)).sum().item() for i in range(4)]


def test_a_table_of_numbers_beside_no_config_still_replays(monkeypatch):
    replays, table = count_replays(monkeypatch), [float(i) for i in range(40)]
    model = nn.Linear(3, 2, seed=0).double()
    compiled = autograd.compile(lambda x: (model(x) * table[1]).sum().item(), strict=True)
    for _ in range(5):
        compiled(Tensor(np.ones((4, 3))))
    assert len(replays) == 3
