"""Module.load_state_dict and from_torch_state_dict take chainrule's own Tensors (and Values) as values, their numbers
read detached, as torch's load_state_dict takes its own tensors (`dict(model.named_parameters())`): a Tensor that
requires grad raised numpy's TypeError naming no key. What holds no numbers at all (a str, None) is named by its
type and key, where it was reported as "W has shape (), needs (3, 2)"."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict, to_torch_state_dict


def test_a_models_own_parameters_load_into_it_and_into_another_as_copies():
    source, model = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
    assert source.W.requires_grad
    model.load_state_dict(dict(source.named_parameters()))
    assert np.array_equal(model.W.data, source.W.data) and not np.shares_memory(model.W.data, source.W.data)
    held = model.W.data
    model.load_state_dict(dict(model.named_parameters()))
    assert model.W.data is held and np.array_equal(held, source.W.data)


def test_values_of_a_scalar_model_load_as_their_numbers():
    source, model = nn.Neuron(3), nn.Neuron(3)
    model.load_state_dict(dict(source.named_parameters()))
    assert [v.data for v in model.parameters()] == [v.data for v in source.parameters()]


def test_tensors_load_through_from_torch_state_dict_too():
    source, model = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
    state = {k: Tensor(v, requires_grad=True) for k, v in to_torch_state_dict(source).items()}
    from_torch_state_dict(model, state)
    assert np.array_equal(model.W.data, source.W.data)


@pytest.mark.parametrize("load", ["load_state_dict", "from_torch_state_dict"])
def test_a_tensor_that_cannot_load_is_refused_naming_its_key(load):
    model = nn.Linear(3, 2, seed=0)
    key = "W" if load == "load_state_dict" else "weight"
    state = dict(model.named_parameters()) if load == "load_state_dict" else to_torch_state_dict(model)
    state[key] = Tensor(np.full(state[key].shape, np.nan, np.float32), requires_grad=True)
    loads = model.load_state_dict if load == "load_state_dict" else lambda s: from_torch_state_dict(model, s)
    with pytest.raises(ValueError, match=f"{key} holds 6 NaN or infinite"):
        loads(state)


@pytest.mark.parametrize("value, name", [("abc", "str"), (None, "NoneType"), ({"a": 1}, "dict")])
def test_a_value_holding_no_numbers_is_refused_naming_its_type_and_key(value, name):
    model = nn.Linear(3, 2, seed=0)
    before = model.W.data.copy()
    with pytest.raises(TypeError, match=f"cannot load this state into Linear: W is a {name} holding no numbers"):
        model.load_state_dict({"W": value, "b": model.b.data})
    assert np.array_equal(model.W.data, before)


def trained_adam() -> tuple[nn.Linear, nn.Adam]:
    model = nn.Linear(3, 2, seed=0)
    opt = nn.Adam(model.parameters())
    model(Tensor(np.ones((2, 3)))).sum().backward()
    opt.step()
    return model, opt


def test_an_optimizers_state_given_as_tensors_loads_as_its_arrays():
    model, opt = trained_adam()
    state = opt.state_dict()
    given = {k: Tensor(v, requires_grad=True) if v.dtype.kind == "f" and v.ndim else v for k, v in state.items()}
    _, fresh = trained_adam()
    fresh.load_state_dict(given)
    assert all(np.array_equal(a, b) for a, b in zip(fresh.state_dict().values(), state.values(), strict=True))


@pytest.mark.parametrize("value, name", [("abc", "str"), (None, "NoneType")])
def test_an_optimizers_entry_holding_no_numbers_is_refused_naming_its_type_and_key(value, name):
    _, opt = trained_adam()
    state = opt.state_dict()
    key = next(k for k in state if k.startswith("state."))
    with pytest.raises(TypeError, match=f"cannot load this state into Adam: {key} is a {name} holding no numbers"):
        opt.load_state_dict({**state, key: value})
