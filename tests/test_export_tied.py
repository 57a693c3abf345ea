"""from_torch_state_dict into a model with a module shared under two names (tied weights, which
PyTorch's state dict names twice): two entries that differ are refused naming both keys, where the
last one used to win silently; equal entries load."""

import numpy as np
import pytest

import nn
from nn.export import from_torch_state_dict, to_torch_state_dict


class Tied(nn.Module):
    def __init__(self, layer: nn.Module) -> None:
        self.a = layer
        self.b = layer  # one layer, two names


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: np.array(value) for name, value in model.state_dict().items()}


@pytest.mark.parametrize("layer", [lambda: nn.Linear(2, 3, seed=0), lambda: nn.Layer(2, 3)], ids=["Linear", "Layer"])
def test_two_names_of_a_shared_layer_that_differ_are_refused_naming_both_keys(layer):
    state = to_torch_state_dict(Tied(layer()))
    state["b.weight"] = state["b.weight"] + 1.0
    model = Tied(layer())
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"'a\.weight' and 'b\.weight' differ, but are one shared tensor here"):
        from_torch_state_dict(model, state)
    assert all(np.array_equal(before[name], value) for name, value in snapshot(model).items())


def test_two_names_of_a_shared_layer_that_agree_load():
    saved = Tied(nn.Linear(2, 3, seed=0))
    model = Tied(nn.Linear(2, 3, seed=1))
    from_torch_state_dict(model, to_torch_state_dict(saved))
    assert np.array_equal(model.a.W.data, saved.a.W.data) and model.b is model.a
