"""nn's refusals printed their argument with repr(): a list nested deeper than Python's recursion limit raised
RecursionError ("maximum recursion depth exceeded while getting the repr of an object") in place of the refusal,
naming neither the function nor the argument. Each shows it with autograd.repr_of now."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor


def nested(depth: int = 3000) -> list:
    x: list = [1.0]
    for _ in range(depth):
        x = [x]
    return x


def sgd() -> nn.SGD:
    return nn.SGD([nn.Parameter(np.ones(2))], lr=0.1)


@pytest.mark.parametrize(
    "call, named",
    [
        (lambda d: nn.init.kaiming_normal_(Tensor(np.zeros((3, 3))), generator=d), "generator|seed"),
        (lambda d: nn.schedulers.StepLR(d, 2), "StepLR"),
        (lambda d: nn.schedulers.StepLR(sgd(), 2, last_epoch=d), "StepLR"),
        (lambda d: nn.schedulers.LambdaLR(sgd(), d), "LambdaLR"),
        (lambda d: nn.schedulers.ReduceLROnPlateau(d), "ReduceLROnPlateau"),
        (lambda d: nn.SGD([d], lr=0.1), "SGD"),
        (lambda d: nn.Conv1d(2, 3, 2, padding_mode=d), "Conv1d"),
        (lambda d: nn.BatchNorm1d(3, momentum=d), "BatchNorm1d"),
        (lambda d: nn.Conv2d(2, 3, d), "Conv2d"),
        (lambda d: nn.Embedding(5, 3, padding_idx=d), "Embedding"),
        (lambda d: nn.init.constant_(Tensor(np.zeros(3)), d), "constant_"),
        (lambda d: nn.LSTM(3, 4, proj_size=d), "LSTM"),
        (lambda d: nn.clip_grad_norm_([d], 1.0), "clip_grad_norm_"),
        (lambda d: nn.functional.multi_margin_loss(Tensor(np.ones((2, 3))), Tensor(np.array([0, 1])), p=d), "p"),
    ],
)
def test_a_list_nested_too_deep_is_the_refusal_not_a_recursion_error(call, named) -> None:
    with pytest.raises((TypeError, ValueError), match=named):
        call(nested())
