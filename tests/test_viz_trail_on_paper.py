"""The red path's story says where backward's first infinity came from a float's overflow, with its value on paper,
as the forward pass's story ("it overflowed, 2.726e+347 on paper") and the explanation's product do: a gradient
of 1e200 arriving times a local derivative of 1e200 read "the gradient of x, inf, from the rule of * at y", as
though the rule gave an infinity on paper."""

import numpy as np
import pytest
from drawn_notes import unwrapped

import viz
from autograd import Tensor, Value
from viz.lost_masks import WIDER

pytestmark = pytest.mark.skipif(not WIDER, reason="a long double no wider than a float: 1e+400 not worked out")


def story(root, backward: bool = True) -> str:
    return next(line for line in unwrapped(viz.draw(root, backward=backward)).splitlines() if "first NaN" in line)


def test_a_rule_that_overflowed_says_so_with_its_value_on_paper():
    x = Value(1e-300, "x")
    y = x * 1e200
    y.label = "y"
    z = y * 1e200
    z.label = "z"
    z.backward()
    assert x.grad == np.inf
    for backward in (True, False):  # its edge's value on paper read, or (no edges drawn) worked out
        told = story(z, backward)
        assert (
            "the gradient of x, inf, from the rule of * at y; overflowed: on paper 1e+400, beyond the largest" in told
        )


def test_a_tensors_overflowed_entries_are_counted():
    x = Tensor(np.array([1e-300, 1e-300]), requires_grad=True, label="x")
    y = x * Tensor(np.array([1e200, 1.0]))
    y.label = "y"
    z = (y * 1e200).sum()
    z.label = "z"
    with np.errstate(over="ignore"):
        z.backward()
        told = story(z)
    assert "from the rule of * at y; 1 of 2 overflowed to an infinity: beyond the largest float" in told
