"""from_torch_state_dict with loss class weights that share memory with the model, or that the user gave as a Tensor:
a weight viewing a parameter (`weight=self.lin.b.data[:]`) given other values than the parameter's key loaded the
last write silently (lin.b [7, 7, 7] where lin.bias said [1, 2, 3]); a Tensor weight was replaced by an array, the
user's Tensor keeping its old values; one loss (or one layer) under two names took +0 and -0 as equal, loading -0
where one key said +0. Now one bitwise check covers the model's entries and the losses' weights together."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict, to_torch_state_dict

B = np.array([1, 2, 3], np.float32)


class Viewed(nn.Module):
    """A loss whose class weights view some of the model's memory, as `weight` is given."""

    def __init__(self, weight):
        self.lin = nn.Linear(3, 3, seed=0)
        self.register_buffer("cw", np.ones(3, np.float32))
        self.loss = nn.CrossEntropyLoss(weight=weight(self))


VIEWS = {
    "param-view": lambda m: m.lin.b.data[:],
    "weight-row": lambda m: m.lin.W.data[0],  # a column of torch's lin.weight
    "buffer-view": lambda m: m.cw[:],
    "tensor-over-param": lambda m: Tensor(m.lin.b.data[:]),
}
HELD = {"param-view": "lin.bias", "weight-row": "lin.weight", "buffer-view": "cw", "tensor-over-param": "lin.bias"}


def numbers(weight) -> np.ndarray:
    return weight.data if isinstance(weight, Tensor) else weight


def snapshot(model: nn.Module) -> list[np.ndarray]:
    return [np.array(v) for v in model.state_dict().values()] + [np.array(numbers(model.loss.weight))]


@pytest.mark.parametrize("view", VIEWS)
def test_a_loss_weight_viewing_the_models_memory_given_other_values_is_refused_naming_both_keys(view):
    model = Viewed(VIEWS[view])
    state = to_torch_state_dict(model)
    state["lin.bias"], state["cw"], state["loss.weight"] = B, B, np.full(3, 7, np.float32)
    state["lin.weight"] = np.ones((3, 3), np.float32)
    before = snapshot(model)
    with pytest.raises(ValueError, match=rf"{HELD[view]!r} and 'loss.weight' share memory .* differ where they meet"):
        from_torch_state_dict(model, state)
    assert all(np.array_equal(a, b) for a, b in zip(before, snapshot(model), strict=True))


@pytest.mark.parametrize("view", VIEWS)
def test_a_loss_weight_viewing_the_models_memory_given_the_same_values_loads_and_still_views_it(view):
    model = Viewed(VIEWS[view])
    state = to_torch_state_dict(model)
    state["lin.bias"], state["cw"], state["loss.weight"] = B, B, B
    state["lin.weight"] = np.tile(B[:, None], (1, 3))  # its column 0, W's row 0, is B
    from_torch_state_dict(model, state)
    weight = numbers(model.loss.weight)
    assert np.array_equal(weight, B)
    model.lin.b.data[...] = 0.0
    model.lin.W.data[...] = 0.0
    model.cw[...] = 0.0
    assert not np.any(weight)  # still a view of the model's array


def test_a_loss_weight_given_as_a_tensor_keeps_the_tensor_and_its_array_and_takes_the_values():
    w = Tensor(B.copy())
    array = w.data
    loss = nn.CrossEntropyLoss(weight=w)
    from_torch_state_dict(loss, {"weight": np.full(3, 5, np.float32)})
    assert loss.weight is w and w.data is array and np.array_equal(array, np.full(3, 5, np.float32))


def test_one_tensor_weighing_two_losses_given_two_values_is_refused_naming_both_keys():
    class Two(nn.Module):
        def __init__(self, w):
            self.a, self.b = nn.CrossEntropyLoss(weight=w), nn.NLLLoss(weight=w)

    w = Tensor(B.copy())
    model = Two(w)
    with pytest.raises(ValueError, match=r"'a.weight' and 'b.weight' are one array in the model"):
        from_torch_state_dict(model, {"a.weight": np.full(3, 5, np.float32), "b.weight": np.full(3, 6, np.float32)})
    assert np.array_equal(w.data, B) and model.a.weight is w is model.b.weight


class SharedLoss(nn.Module):
    def __init__(self):
        self.lin = nn.Linear(2, 3, seed=0)
        self.a = nn.CrossEntropyLoss(weight=np.ones(3, np.float32))
        self.b = self.a  # one loss, two names


class SharedLayer(nn.Module):
    def __init__(self, layer):
        self.a = layer
        self.b = layer  # one layer, two names


@pytest.mark.parametrize(
    "model, key",
    [
        (SharedLoss, "weight"),
        (lambda: SharedLayer(nn.Linear(2, 3, seed=0)), "bias"),
        (lambda: SharedLayer(nn.Layer(2, 3)), "bias"),
    ],
    ids=["loss", "Linear", "Layer"],
)
def test_two_names_of_one_tensor_given_plus_and_minus_zero_are_refused_bitwise(model, key):
    m = model()
    state = to_torch_state_dict(m)
    state[f"a.{key}"], state[f"b.{key}"] = (np.array([sign * 0.0, 1, 1], state[f"a.{key}"].dtype) for sign in (1, -1))
    before = [np.array(v) for v in to_torch_state_dict(m).values()]
    with pytest.raises(ValueError, match=rf"'a.{key}' and 'b.{key}'"):
        from_torch_state_dict(m, state)
    after = [np.array(v) for v in to_torch_state_dict(m).values()]
    assert all(np.array_equal(x.view(np.uint8), y.view(np.uint8)) for x, y in zip(before, after, strict=True))
