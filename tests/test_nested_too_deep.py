"""A list nested deeper than Python's repr can go (a list in 3000 lists) given where a number, a shape, a dtype or
a flag goes: every refusal printed the argument with repr(), which raised RecursionError ("maximum recursion
depth exceeded while getting the repr of an object") in place of the refusal, naming neither the function nor
the argument. The refusal is now raised, showing the argument by its type and how deep it goes."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value


def nested(depth: int = 3000) -> list:
    x: list = [1.0]
    for _ in range(depth):
        x = [x]
    return x


def matrix() -> Tensor:
    return Tensor(np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize(
    "call, named",
    [
        (lambda d: matrix().sum(axis=d), "sum"),  # modes.short
        (lambda d: matrix().roll(d), "roll"),
        (lambda d: autograd.compile(d), "compile"),
        (lambda d: autograd.where(matrix() > 1, matrix(), d), "where"),  # tensor_class.operand_of
        (lambda d: autograd.celu(matrix(), d), "celu"),  # op_def's parameters
        (lambda d: Value(1.0) + d, r"\+|add"),  # value._lift
        (lambda d: Value(d), "Value"),
        (lambda d: Tensor([1.0], requires_grad=d), "requires_grad"),
        (lambda d: Tensor([1.0], dtype=d), "Tensor"),  # dtypes.numpy_dtype's str()
        (lambda d: autograd.zeros(d), "zeros"),  # creation_args
        (lambda d: autograd.arange(d), "arange"),
        (lambda d: autograd.eye(d), "eye"),
        (lambda d: nn.Linear(d, 2), "Linear"),  # nn.arguments.shown
        (lambda d: nn.Linear(3, 2, dtype=d), "Linear"),  # nn.arguments_factory
        (lambda d: nn.functional.accuracy_for(d, [0]), "accuracy_for"),
        (lambda d: nn.init.uniform_(Tensor(np.zeros(3)), a=d), "uniform_"),
        (lambda d: autograd.elementwise_grad(autograd.exp, argnums=d), "elementwise_grad"),
        (lambda d: autograd.manual_seed(d), "manual_seed"),
        (lambda d: autograd.randint(d, 3, (2,)), "randint"),
        (lambda d: autograd.special.round(matrix(), decimals=d), "round"),
        (lambda d: matrix().add_(matrix(), alpha=d), "add_"),
        (lambda d: matrix().addmm(matrix(), matrix().T, beta=d), "addmm"),
        (lambda d: matrix().to(d), "to"),
        (lambda d: autograd.multi_margin_loss(matrix(), Tensor(np.array([0, 1])), margin=d), "multi_margin_loss"),
        (lambda d: autograd.gradcheck(lambda x: x.sum(), (matrix(),), eps=d), "gradcheck"),
    ],
)
def test_a_list_nested_too_deep_to_repr_is_refused_naming_the_function(call, named) -> None:
    with pytest.raises((TypeError, ValueError), match=named) as caught:
        call(nested())
    assert "nested" in str(caught.value) or "list" in str(caught.value)


def test_a_shallow_list_is_still_shown_as_it_is() -> None:
    with pytest.raises(TypeError, match=r"\[\[1.0\]\]"):
        Value([[1.0]])
