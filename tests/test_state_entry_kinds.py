"""A state's entry of the wrong dtype is named for what it is: an optimizer's lr was called a parameter
("lr has dtype int64; parameters are floating point"), and so was a BatchNorm's running_var (a buffer)."""

import numpy as np
import pytest

import nn


def _refused(target, state):
    with pytest.raises(ValueError) as info:
        target.load_state_dict(state)
    return str(info.value)


def test_an_optimizer_setting_is_named_so():
    model = nn.Linear(2, 2, seed=0)
    adam = nn.Adam(model.parameters(), lr=0.1)
    state = adam.state_dict() | {"lr": np.array(1)}
    assert "lr has dtype int64; it is an optimizer setting, of floating point" in _refused(adam, state)
    state = adam.state_dict() | {"amsgrad": np.array(1.0)}
    assert "amsgrad has dtype float64; it is an optimizer setting, of integers" in _refused(adam, state)


def test_a_parameters_optimizer_state_is_named_so():
    model = nn.Linear(2, 2, seed=0)
    adam = nn.Adam(model.parameters(), lr=0.1)
    model(np.ones((1, 2))).sum().backward()
    adam.step()
    state = adam.state_dict()
    state["state.0.m"] = state["state.0.m"].astype(np.int64)
    assert "it is the optimizer's state of a parameter, of floating point" in _refused(adam, state)


def test_a_buffer_and_a_parameter_are_named_so():
    norm = nn.BatchNorm1d(2)
    assert "running_var has dtype int64; it is a buffer, of floating point" in _refused(
        norm, norm.state_dict() | {"running_var": np.array([1, 2])}
    )
    assert "weight has dtype int64; it is a parameter, of floating point" in _refused(
        norm, norm.state_dict() | {"weight": np.array([1, 2])}
    )


def test_a_file_names_the_optimizer_setting(tmp_path):
    model = nn.Linear(2, 2, seed=0)
    adam = nn.Adam(model.parameters(), lr=0.1)
    path = tmp_path / "m.npz"
    np.savez(
        path,
        **model.state_dict(),
        **{"_optimizer." + k: v for k, v in adam.state_dict().items()} | {"_optimizer.lr": np.array(1)},
    )
    with pytest.raises(ValueError, match=r"_optimizer\.lr has dtype int64; it is an optimizer setting"):
        nn.load(model, path, optimizer=adam)
