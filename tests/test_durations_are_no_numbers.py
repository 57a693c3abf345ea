"""numpy's timedelta64 is a subclass of np.integer, and so a numbers.Integral: every int or real-number check
took a duration as its count of units (`t.sum(axis=np.timedelta64(1))` summed axis 1, `nn.SGD(lr=
np.timedelta64(1))` trained at 1.0). A duration is no number: each is now the TypeError of any other
non-number, naming the function, as Tensor(np.timedelta64(1)) and `t * np.timedelta64(1)` already were."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value

DURATION = np.timedelta64(1)  # no unit: int() and float() of it are 1, so nothing downstream refused it


def matrix() -> Tensor:
    return Tensor(np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize(
    "call, named",
    [
        (lambda: matrix().sum(axis=DURATION), "sum"),
        (lambda: matrix().softmax(dim=DURATION), "softmax"),
        (lambda: matrix().roll(DURATION), "roll"),
        (lambda: matrix().reshape(DURATION * 6), "reshape"),
        (lambda: matrix().chunk(DURATION, 1), "chunk"),
        (lambda: matrix().std(ddof=DURATION), "std"),
        (lambda: autograd.ones(DURATION * 3), "ones"),
        (lambda: autograd.full((2,), DURATION * 5), "full"),
        (lambda: autograd.arange(DURATION * 3), "arange"),
        (lambda: autograd.hardtanh(matrix(), DURATION * 0, 3.0), "hardtanh"),
        (lambda: autograd.leaky_relu(matrix(), DURATION), "leaky_relu"),
        (lambda: autograd.exp(DURATION), "exp"),
        (lambda: Value(1.0) + DURATION, r"\+|add"),
        (lambda: Value(DURATION), "Value"),
        (lambda: nn.Linear(DURATION * 3, 2), "Linear"),
        (lambda: nn.SGD([nn.Parameter(np.ones(2))], lr=DURATION), "SGD"),
        (lambda: nn.Dropout(DURATION * 0), "Dropout"),
        (lambda: autograd.polygamma(DURATION, matrix()), "polygamma"),
        (lambda: autograd.special.multigammaln(matrix() + 2, DURATION), "multigammaln"),
        (lambda: autograd.special.round(matrix(), decimals=DURATION), "round"),
    ],
)
def test_a_numpy_duration_is_refused_where_a_number_goes(call, named) -> None:
    with pytest.raises(TypeError, match=named):
        call()


def test_multi_margin_loss_p_of_a_duration_is_refused_as_any_other_p() -> None:
    """p=np.timedelta64(1) was taken as p=1 (`in (1, 2)` compares equal); any p but 1 or 2 is its ValueError."""
    with pytest.raises(ValueError, match="multi_margin_loss: p must be 1 or 2"):
        autograd.multi_margin_loss(matrix(), Tensor(np.array([0, 1])), p=DURATION)
