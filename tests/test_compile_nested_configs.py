"""A config held in a config (`CONFIGS[0].inner.scale`, a module's `self.cfg.inner.scale`) is guarded by its
fields too, and a module's config object (`self.cfg.scale`) is one of its settings: set between calls, the step
records again and gives eager's numbers. Before, the inner config (and any config a module held) was kept by
identity alone, and the replays went on with the recorded scale without a word. A config too deep or too large
to compare on every replay runs the step eagerly, saying so."""

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from compile_faithful_cases import Runs, count_replays

import autograd
import nn
from autograd import Tensor
from autograd.compile_guards import CONFIG_DEPTH, SETTING_COST, settled


@dataclass
class Inner:
    scale: float = 1.0


@dataclass
class Outer:
    inner: Inner
    name: str = "run"
    sizes: tuple = (3, 2)


class Scaled(nn.Module):
    """A Linear whose output its forward scales by a number it reads from its config, `read(self.cfg)`."""

    def __init__(self, cfg, read):
        super().__init__()
        self.lin, self.cfg, self.read = nn.Linear(3, 2, seed=0).double(), cfg, read

    def forward(self, x):
        return self.lin(x) * self.read(self.cfg)


def _inner_scale(cfg):
    return cfg.inner.scale


def _scale(cfg):
    return cfg.scale


def in_a_list():
    configs = [Outer(Inner())]
    return nn.Linear(3, 2, seed=0).double(), lambda: configs[0].inner.scale, configs[0].inner


def in_a_dict():
    configs = {"a": Outer(Inner())}
    return nn.Linear(3, 2, seed=0).double(), lambda: configs["a"].inner.scale, configs["a"].inner


def a_modules_nested_config():
    model = Scaled(Outer(Inner()), _inner_scale)
    return model, lambda: 1.0, model.cfg.inner


def a_modules_config():
    model = Scaled(Inner(), _scale)
    return model, lambda: 1.0, model.cfg


HOLDERS = [in_a_list, in_a_dict, a_modules_nested_config, a_modules_config]


def _train(compiled, make, change_at=4, calls=8):
    """The losses of `calls` SGD steps of the model `make` gives on (model(x) * read()).sum(), the config's
    scale set from 1.0 to 3.0 before call `change_at`, and how many calls ran the step's Python."""
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
def test_a_nested_configs_field_set_between_calls_records_again_with_eagers_numbers(make):
    (compiled, ran), (eager, _) = _train(True, make), _train(False, make)
    assert compiled == eager
    assert compiled[4] == pytest.approx(-9.82539, abs=1e-5)  # 3x: the stale replay gave -3.27513
    assert ran == 4  # recorded on calls 0-1, again on 4-5; replayed on the other four


@pytest.mark.parametrize("make", HOLDERS, ids=[m.__name__ for m in HOLDERS])
def test_an_unchanged_nested_config_replays_without_recording_again(make, monkeypatch):
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled, ran = _train(True, make, change_at=None)
    assert ran == 2 and len(replays) == 6
    assert compiled == _train(False, make, change_at=None)[0]


def _chain(depth):
    """Configs nested `depth` deep, the innermost holding `scale`."""
    config = Inner()
    for _ in range(depth - 1):
        config = Outer(config)
    return config


def _innermost(config):
    while not hasattr(config, "scale"):
        config = config.inner
    return config


class Wide:
    def __init__(self, fields):
        self.__dict__.update({f"f{i}": 0 for i in range(fields - 1)}, scale=1.0)


TOO_LARGE = {
    "nested too deep": lambda: _chain(CONFIG_DEPTH + 1),
    "too many fields in all": lambda: Outer(Wide(SETTING_COST)),  # Outer's own 3 fields on top
}


@pytest.mark.parametrize("make", TOO_LARGE)
def test_a_config_too_large_to_compare_runs_the_step_eagerly_saying_so(make):
    """Kept by identity alone, as before, its scale set between calls would replay the recorded number."""
    configs = [TOO_LARGE[make]()]
    model = nn.Linear(3, 2, seed=0).double()
    x = Tensor(np.ones((4, 3)))

    def step(x):
        return (model(x) * _innermost(configs[0]).scale).sum().item()

    with pytest.raises(autograd.CompileError, match="config whose fields a replay could not compare"):
        autograd.compile(step, strict=True)(x)
    compiled, got = autograd.compile(step), []
    with pytest.warns(autograd.CompileWarning, match="more than 4 deep, or more than 32 fields"):
        for i in range(4):
            _innermost(configs[0]).scale = float(i)
            got.append(compiled(x))
    assert got == [(model(x) * float(i)).sum().item() for i in range(4)]


def test_a_config_as_deep_as_the_bound_is_guarded_by_value():
    config = _chain(CONFIG_DEPTH)
    snapshot = settled([config])
    _innermost(config).scale = 2.0
    assert settled([config]) != snapshot
    _innermost(config).scale = 1.0
    assert settled([config]) == snapshot


def test_a_count_the_caller_keeps_on_a_config_in_a_list_records_again_then_runs_eagerly_saying_so():
    """Pinned (README): a config a dict or list holds is compared by all its fields, so a count the caller
    keeps there records the step on every call, then runs it eagerly with a warning: never a stale replay."""

    @dataclass
    class Counted:
        scale: float = 2.0
        calls: int = 0

    configs = [Counted()]
    model = nn.Linear(3, 2, seed=0).double()
    compiled = autograd.compile(lambda x: (model(x) * configs[0].scale).sum().item())
    x = Tensor(np.ones((4, 3)))
    with pytest.warns(autograd.CompileWarning, match="recorded 12 times without a replay"):
        for _ in range(14):
            assert compiled(x) == (model(x) * 2.0).sum().item()
            configs[0].calls += 1


@dataclass
class Counting:
    scale: float = 1.0
    calls: int = 0


class CountingModule(nn.Module):
    """Its forward keeps a count on its config: its own state, which the replays do not keep (as a module's
    `self.calls`), while the config's other fields stay its settings."""

    def __init__(self):
        super().__init__()
        self.lin, self.cfg = nn.Linear(3, 2, seed=0).double(), Counting()

    def forward(self, x):
        self.cfg.calls += 1
        return self.lin(x) * self.cfg.scale


def test_a_config_whose_count_the_forward_changes_keeps_its_other_fields_guarded():
    """The count changed by the call dropped the guard of the whole config: `scale` set between calls replayed
    the recorded 1.0 (-3.27513 on call 4, where eager gives -9.82539), without a warning."""

    def counting():
        model = CountingModule()
        return model, lambda: 1.0, model.cfg

    (compiled, ran), (eager, _) = _train(True, counting), _train(False, counting)
    assert compiled == eager
    assert compiled[4] == pytest.approx(-9.82539, abs=1e-5)
    assert ran == 4
