"""A param group's keys take one set of rules (nn.optim_group_keys) whichever way they come: in a group given to
the constructor or to add_param_group, or set later, `opt.param_groups[k][key] = value` (or `opt.key = value`).
Where the two ways disagreed: Adagrad's initial_accumulator_value set later was taken and started the sums of
parameters no step had reached (torch 2.13 starts every sum at the constructor's value), and a group's
"param_names" key was dropped without a word (torch 2.13 names the group's parameters by it)."""

import re

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import nn
from autograd import Tensor


def _w(x=1.0):
    return Tensor(np.full(2, x), requires_grad=True)


@pytest.mark.parametrize("how", ["group", "attribute", "many"])
def test_adagrad_initial_accumulator_value_set_later_is_refused_as_given_to_a_group(how):
    # was taken: the sum of a parameter no step had reached started at 0.2, where torch's starts at the constructor's
    # 0.0 (its state is made at construction, and a group added reads optimizer.defaults): a step of 0.1 * 1/sqrt(1.2)
    # = 0.0913 for torch's 0.1
    a, b = _w(), _w()
    opt = nn.Adagrad([{"params": [a]}, {"params": [b]}] if how == "many" else [a], lr=0.1)
    with pytest.raises(ValueError, match="initial_accumulator_value would be 0.2, the constructor's is 0.0"):
        if how == "attribute":
            opt.initial_accumulator_value = 0.2
        else:
            opt.param_groups[-1]["initial_accumulator_value"] = 0.2
    opt.param_groups[0]["initial_accumulator_value"] = 0.0  # the value it has: taken, as the constructor takes it
    ta = torch.ones(2, dtype=torch.float64, requires_grad=True)
    theirs = torch.optim.Adagrad([ta], lr=0.1)
    theirs.param_groups[0]["initial_accumulator_value"] = 0.2  # taken and ignored by torch
    a.grad, ta.grad = np.ones(2), torch.ones(2, dtype=torch.float64)
    opt.step()
    theirs.step()
    assert a.data.tolist() == ta.detach().numpy().tolist()


def test_a_groups_param_names_key_names_its_parameters_as_torchs():
    a, b = _w(), _w()
    opt = nn.SGD([{"params": [a, b], "param_names": ["wa", "wb"]}], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["wa", "wb"]
    assert opt.param_names == ["wa", "wb"]
    with pytest.raises(ValueError, match="gives 1 names for its 2 parameters"):
        nn.SGD([{"params": [a, b], "param_names": ["wa"]}], lr=0.1)
    # the message said the groups before were as this one ("are named and the groups' before it are", group 0 unnamed)
    with pytest.raises(ValueError, match="parameters are named, the groups' before it are not: give"):
        nn.SGD([{"params": [a]}, {"params": [b], "param_names": ["wb"]}], lr=0.1)
    with pytest.raises(ValueError, match="parameters are not named, the groups' before it are: give"):
        nn.SGD([{"params": [a], "param_names": ["wa"]}, {"params": [b]}], lr=0.1)
    with pytest.raises(TypeError, match="'param_names' is int, not a list of names"):
        nn.SGD([{"params": [a], "param_names": 1}], lr=0.1)
    with pytest.raises(ValueError, match="other names"):
        nn.SGD([{"params": [("x", a)], "param_names": ["y"]}], lr=0.1)


KEYS = {"lr": 0.5, "LR": 0.5, "momentum": 0.5, "weight_deacy": 0.1, "foreach": True, "fused": None, "name": "head"}


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("kind", ["SGD", "Adam", "Adagrad"])
def test_every_key_meets_the_same_rule_given_or_set(kind, key):
    def outcome(f):
        try:
            f()
        except (KeyError, ValueError, TypeError) as e:
            return type(e)
        return None

    def given():
        getattr(nn, kind)([{"params": [_w()]}, {"params": [_w()], key: KEYS[key]}])

    def added():
        getattr(nn, kind)([_w()]).add_param_group({"params": [_w()], key: KEYS[key]})

    def set_later():
        getattr(nn, kind)([{"params": [_w()]}, {"params": [_w()]}]).param_groups[1][key] = KEYS[key]

    assert outcome(given) == outcome(added) == outcome(set_later)


@pytest.mark.parametrize("key", [1, (1, 2)])
def test_a_key_that_is_no_str_is_the_users_own_as_torchs_and_refused_when_saved(key):
    # was an AttributeError ('int' object has no attribute 'startswith') from both entries
    a, b = _w(), _w()
    opt = nn.SGD([{"params": [a], key: "x"}], lr=0.1)
    assert opt.param_groups[0][key] == "x"
    other = nn.SGD([b], lr=0.1)
    other.param_groups[0][key] = "y"
    assert other.param_groups[0][key] == "y"
    with pytest.raises(TypeError, match=re.escape(f"param group 0's key {key!r} is a {type(key).__name__}")):
        opt.state_dict()
    del opt.param_groups[0][key]  # the way out the message gives: a key of one's own may be deleted, as torch's
    assert key not in opt.param_groups[0] and "own.0." not in "".join(opt.state_dict())
    with pytest.raises(TypeError, match="cannot be deleted \\('lr'\\), but for keys of your own"):
        del opt.param_groups[0]["lr"]
