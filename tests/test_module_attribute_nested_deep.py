"""A module given a list nested deeper than Python's recursion limit as an option (nn.AdaptiveAvgPool1d(x),
nn.Upsample(size=x)) raised RecursionError from Module.__setattr__'s walk for parameters, before the option's
own check; a list holding itself did too. The option's own refusal now answers, naming the module."""

from __future__ import annotations

import pytest

import nn


def nested(depth: int = 3000) -> list:
    x: list = [1]
    for _ in range(depth):
        x = [x]
    return x


@pytest.mark.parametrize(
    "make", [lambda x: nn.AdaptiveAvgPool1d(x), lambda x: nn.AdaptiveMaxPool2d(x), lambda x: nn.Upsample(size=x)]
)
def test_an_option_nested_too_deep_is_the_modules_own_refusal(make) -> None:
    with pytest.raises((TypeError, ValueError), match=r"Adaptive|Upsample|upsample|interpolate|output_size|size"):
        make(nested())


def test_an_attribute_holding_itself_is_kept() -> None:
    m = nn.Identity()
    loop: list = []
    loop.append(loop)
    m.loop = loop
    assert m.loop is loop
