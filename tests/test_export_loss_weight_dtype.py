"""A loss's class weights of integers keep their dtype through nn.export, as torch's buffer does (its copy_ casts
into the buffer): from_torch_state_dict made a Tensor of int64 weights a float64 one and put a float64 array in
place of the user's int array, and to_torch_state_dict gave them as float64. Values an integer weight cannot hold
exactly are refused, as every load refuses them (a float dtype; an integer out of its range), nothing changed."""

import numpy as np
import pytest
from torch_reference import torch

import autograd
import nn
from nn.export import from_torch_state_dict, to_torch_state_dict


def test_a_tensor_of_int_weights_stays_that_tensor_of_ints():
    weights = autograd.Tensor(np.array([1, 2, 3]))
    loss = nn.CrossEntropyLoss(weight=weights)
    assert to_torch_state_dict(loss)["weight"].dtype == np.int64
    torch_loss = torch.nn.CrossEntropyLoss(weight=torch.tensor([1, 2, 3]))
    torch_loss.load_state_dict({"weight": torch.tensor([4, 5, 6])})
    from_torch_state_dict(loss, {"weight": torch.tensor([4, 5, 6])})
    assert loss.weight is weights and weights.dtype == np.int64
    np.testing.assert_array_equal(weights.data, torch_loss.weight.numpy())
    assert torch_loss.weight.dtype == torch.int64


def test_an_int32_array_takes_the_values_in_place():
    weights = np.array([1, 2, 3], np.int32)
    loss = nn.CrossEntropyLoss(weight=weights)
    from_torch_state_dict(loss, {"weight": torch.tensor([4, 5, 6])})
    assert loss.weight is weights and weights.dtype == np.int32
    np.testing.assert_array_equal(weights, [4, 5, 6])


@pytest.mark.parametrize(
    "given, said",
    [
        (torch.tensor([4.0, 5.0, 6.0]), "weight has dtype float32; it is a loss's class weights, of integers"),
        (torch.tensor([4, 5, 2**40]), "weight holds values that int32 cannot hold"),
    ],
    ids=["floats", "too-big"],
)
def test_values_an_int_weight_cannot_hold_are_refused_changing_nothing(given, said):
    weights = np.array([1, 2, 3], np.int32)
    loss = nn.CrossEntropyLoss(weight=weights)
    with pytest.raises(ValueError, match=said):
        from_torch_state_dict(loss, {"weight": given})
    assert loss.weight is weights and weights.dtype == np.int32
    np.testing.assert_array_equal(weights, [1, 2, 3])


def test_a_list_of_ints_holds_no_dtype_and_takes_torchs_float_weights():
    """A list holds no array a load writes into (it is replaced), so no dtype to keep: its ints are float weights,
    as torch's class weights are (its losses refuse int ones). The dtype kept for a Tensor's or an array's made a
    list [1, 2, 3] refuse torch's float32 [0.5, 1, 2] ("it is a loss's class weights, of integers"), which it took."""
    loss = nn.CrossEntropyLoss(weight=[1, 2, 3])
    assert to_torch_state_dict(loss)["weight"].dtype == np.float64
    from_torch_state_dict(loss, {"weight": torch.tensor([0.5, 1.0, 2.0])})
    np.testing.assert_array_equal(loss.weight, [0.5, 1.0, 2.0])
