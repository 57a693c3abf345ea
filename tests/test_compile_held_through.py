"""Objects a compiled step reaches other than by its names and their named attributes: the arguments a
functools.partial binds (the compiled one's, or one the step calls), a bound method's object, an object
a small dict holds that also keeps a module, an object's class (`Defaults.scale = 3.0`, read as `cfg.scale`),
and a module's submodule (`package.settings.scale`). Code the step calls reads their settings (`helpers.scaled(out,
cfg)`), so each is guarded; before, a setting changed between calls replayed the recorded number without a
warning (-0.82 where eager gives -4.08), and a draw from a partial's generator kept the recorded branch."""

import functools
import operator
import random
import types
import warnings

import numpy as np
import pytest
from compile_faithful_cases import count_replays

import autograd
import nn
from autograd import Tensor
from nn import functional as F

SCALE_OF = operator.attrgetter("scale")  # reads `.scale` as code of another module would: the step never names it


class Config:
    def __init__(self):
        self.scale = 1.0


class Scaler:
    def __init__(self):
        self.scale = 1.0

    def apply(self, out):
        return out * SCALE_OF(self)


def _model():
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    return model, nn.SGD(model.parameters(), lr=0.1)


def compiled_partial():
    model, opt = _model()
    cfg = Config()

    def train(x, y, cfg):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) * SCALE_OF(cfg)
        loss.backward()
        opt.step()
        return loss.item()

    return functools.partial(train, cfg=cfg), cfg


def _step_calling(scaled):
    model, opt = _model()

    def step(x, y):
        opt.zero_grad()
        loss = scaled(F.cross_entropy(model(x), y))
        loss.backward()
        opt.step()
        return loss.item()

    return step


def a_partial_it_calls():
    cfg = Config()
    return _step_calling(functools.partial(lambda out, cfg: out * SCALE_OF(cfg), cfg=cfg)), cfg


def a_bound_method_it_calls():
    scaler = Scaler()
    return _step_calling(scaler.apply), scaler


def a_holder_in_a_dict():
    model, opt = _model()
    held = {"a": Scaler()}
    held["a"].model = model  # a module beside the setting: no config, compared by identity in the dict

    def step(x, y):
        opt.zero_grad()
        loss = held["a"].apply(F.cross_entropy(model(x), y))
        loss.backward()
        opt.step()
        return loss.item()

    return step, held["a"]


class Defaults:
    scale = 1.0  # a class attribute, read as `cfg.scale` by an instance without one of its own


def a_class_attribute():
    cfg = Defaults()
    Defaults.scale = 1.0
    return _step_calling(lambda out: out * SCALE_OF(cfg)), Defaults


def a_class_attribute_the_step_names():
    model, opt = _model()
    cfg = Defaults()
    Defaults.scale = 1.0

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) * cfg.scale
        loss.backward()
        opt.step()
        return loss.item()

    return step, Defaults


def a_submodules_setting():
    model, opt = _model()
    package = types.ModuleType("package")
    package.settings = types.ModuleType("package.settings")
    package.settings.scale = 1.0

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) * package.settings.scale
        loss.backward()
        opt.step()
        return loss.item()

    return step, package.settings


HOLDERS = [
    compiled_partial,
    a_partial_it_calls,
    a_bound_method_it_calls,
    a_holder_in_a_dict,
    a_class_attribute,
    a_class_attribute_the_step_names,
    a_submodules_setting,
]


def _losses(make, compiled, calls=6):
    step, holder = make()
    step = autograd.compile(step, strict=True) if compiled else step
    rng, losses = np.random.default_rng(0), []
    for i in range(calls):
        if i in (2, 4):
            holder.scale = 3.0 + i
        losses.append(step(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4)))
    return losses


@pytest.mark.parametrize("make", HOLDERS)
def test_a_setting_read_through_a_partial_a_method_a_dict_a_class_or_a_submodule_records_again(make):
    eager = _losses(make, False)
    assert _losses(make, True) == eager
    assert eager[2] > 3.0 * eager[1]  # the changed scale shows in eager's numbers


def test_a_draw_from_a_compiled_partials_generator_runs_the_step_eagerly_saying_so():
    model, opt = _model()

    def train(x, rng):
        opt.zero_grad()
        loss = model(x).sum() * (2.0 if rng.random() < 0.5 else 1.0)
        loss.backward()
        opt.step()
        return loss.item()

    step = autograd.compile(functools.partial(train, rng=random.Random(0)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            step(Tensor(np.ones((2, 3))))
    assert any("drew from" in str(w.message) for w in caught)


class EqualOnlyMeta(type):
    def __eq__(cls, other):  # without __hash__: its classes cannot be hashed
        return cls is other


class Unhashable(metaclass=EqualOnlyMeta):
    def __init__(self):
        self.scale = 1.0


def test_an_object_whose_class_cannot_be_hashed_is_read_through_and_guarded():
    """A TypeError (unhashable type) while recording, from the caches of a class's slots and of whether it has
    replayed methods, and from the test of a dict's items for numbers, where a plain object could not be read."""

    def make():
        held = {"a": Unhashable()}
        return _step_calling(lambda out: out * SCALE_OF(held["a"])), held["a"]

    eager = _losses(make, False)
    assert _losses(make, True) == eager
    assert eager[2] > 3.0 * eager[1]


class WideTrainer:
    """A trainer keeping 41 options (an argparse Namespace, say) that only a helper of another module reads."""

    def __init__(self):
        self.model, self.opt = _model()
        self.options = types.SimpleNamespace(**{f"option{i}": i for i in range(40)}, scale=1.0)

    def step(self, x, y):
        self.opt.zero_grad()
        loss = F.cross_entropy(self.model(x), y) * SCALE_OF(vars(self)["opt" + "ions"])  # never named
        loss.backward()
        self.opt.step()
        return loss.item()


def test_a_config_too_large_to_compare_whole_on_the_steps_object_is_read_through_and_replays(monkeypatch):
    """Taken as one setting of the trainer, 41 fields ran the step eagerly with a CompileWarning though none
    changed; each guarded on the config, a replay compares them one by one, and a changed scale records again."""

    def make():
        trainer = WideTrainer()
        return trainer.step, trainer.options

    eager = _losses(make, False, calls=8)
    replays = count_replays(monkeypatch)
    assert _losses(make, True, calls=8) == eager  # strict: no step runs eagerly
    assert len(replays) == 2  # calls 6 and 7: the first two, and each change, are recorded twice
