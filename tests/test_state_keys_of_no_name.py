"""A state holding a key that is no str (1, a tuple) beside its names is refused with the one KeyError that names
it unexpected, and nothing changes. An optimizer's load_state_dict raised AttributeError ("'int' object has no
attribute 'startswith'"), Module's a TypeError ("'<' not supported between instances of 'str' and 'int'") where the
unexpected keys mixed names and numbers, from_torch_state_dict "argument of type 'int' is not iterable" and a
scheduler's "'<' not supported between instances of 'int' and 'str'"."""

import pickle

import numpy as np
import pytest

import nn
from nn import schedulers
from nn.export import from_torch_state_dict, to_torch_state_dict

EXTRA = {1: np.ones(1), "x": np.ones(1), ("a",): np.ones(1)}


def _model():
    return nn.Sequential(nn.Linear(3, 2, seed=0), nn.BatchNorm1d(2))


def _refused(load, *holders):
    before = pickle.dumps([h.state_dict() for h in holders])
    with pytest.raises(KeyError) as caught:
        load()
    assert pickle.dumps([h.state_dict() for h in holders]) == before
    return caught.value.args[0]


def test_module_names_them_unexpected():
    model = _model()
    said = _refused(lambda: model.load_state_dict(model.state_dict() | EXTRA), model)
    assert said.endswith("missing nothing, unexpected [('a',), 1, 'x']")


@pytest.mark.parametrize("kind", ["SGD", "Adam", "LBFGS"])
def test_an_optimizer_names_them_unexpected(kind):
    model = _model()
    optimizer = getattr(nn, kind)(model.parameters(), lr=0.1)
    said = _refused(lambda: optimizer.load_state_dict(optimizer.state_dict() | EXTRA), optimizer)
    assert said == f"cannot load this state into {kind}: missing nothing, unexpected [('a',), 1, 'x']"


def test_from_torch_state_dict_names_them_unexpected():
    model = _model()
    with pytest.raises(ValueError, match=r"unexpected \[\('a',\), 1, 'x'\]$"):
        from_torch_state_dict(model, to_torch_state_dict(model) | EXTRA)


def test_a_scheduler_names_them():
    optimizer = nn.SGD(_model().parameters(), lr=0.1)
    scheduler = schedulers.StepLR(optimizer, 2)
    said = _refused(lambda: scheduler.load_state_dict(scheduler.state_dict() | EXTRA), scheduler, optimizer)
    assert said.startswith("StepLR.load_state_dict: needs the keys") and "got [('a',), 1, 'base_lr'" in said
