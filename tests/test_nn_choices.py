"""One rule for an argument that names a choice (nn.arguments.check_choice): what is no name (a list,
an array, a number) is a TypeError, a name not among the choices a ValueError, each listing them."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import functional as F

X, Y = Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 3)))


def optimizer():
    return nn.SGD([Tensor(np.zeros(2), requires_grad=True)], lr=0.1)


CALLS = {  # name: (a call taking the choice, a valid choice, a word of the listed choices)
    "calculate_gain": (lambda c: nn.init.calculate_gain(c), "relu", "'tanh'"),
    "kaiming mode": (lambda c: nn.init.kaiming_normal_(Tensor(np.zeros((3, 3))), mode=c), "fan_out", "'fan_in'"),
    "Linear init": (lambda c: nn.Linear(2, 2, init=c), "he", "'xavier'"),
    "MLP nonlin": (lambda c: nn.MLP(2, [1], nonlin=c), "tanh", "'relu'"),
    "mse_loss reduction": (lambda c: F.mse_loss(X, Y, reduction=c), "sum", "'none'"),
    "kl_div reduction": (lambda c: F.kl_div(X, Y, reduction=c), "batchmean", "'batchmean'"),
    "plateau mode": (lambda c: nn.schedulers.ReduceLROnPlateau(optimizer(), mode=c), "max", "'min'"),
    "plateau threshold_mode": (
        lambda c: nn.schedulers.ReduceLROnPlateau(optimizer(), threshold_mode=c),
        "abs",
        "'rel'",
    ),
}


@pytest.mark.parametrize("name", CALLS)
def test_a_choice_is_taken_by_name(name):
    call, valid, _ = CALLS[name]
    call(valid)


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("bad", [["x"], np.array(["x"]), 1.5], ids=["list", "array", "number"])
def test_what_is_no_name_is_a_type_error_listing_the_choices(name, bad):
    call, _, word = CALLS[name]
    with pytest.raises(TypeError, match=f"must be a name, one of .*{word}"):
        call(bad)


@pytest.mark.parametrize("name", CALLS)
def test_a_name_not_among_the_choices_is_a_value_error_listing_them(name):
    call, _, word = CALLS[name]
    with pytest.raises(ValueError, match=f"must be one of .*{word}.*, got 'nonsense'"):
        call("nonsense")
