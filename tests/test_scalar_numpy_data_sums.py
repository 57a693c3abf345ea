"""A Value whose `.data` the user set to a numpy scalar (`p.data = np.float64(2.5)`, a number read from an
array) makes numpy floats in the backward pass's sums. The pass that writes each `.grad` as it takes its node
took such a sum (np.float64 is a subclass of float) for its own start, "no gradient arrived", and wrote 0.0:
`v * v` at 2.5 gave v.grad 0.0, not 5.0. Every pass must write the sum, as a plain float."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Value


@pytest.mark.parametrize("kind", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("hooked", [False, True])
def test_a_numpy_sum_is_written_as_the_gradient(kind: type, hooked: bool) -> None:
    v, u = Value(1.0), Value(3.0)
    v.data = kind(2.5)
    if hooked:  # the pass that writes only once it is done: the same result
        v.register_hook(lambda g: g)
    loss = v * v + v * u  # two consumers: a sum of two numpy shares
    loss.backward()
    assert v.grad == 2 * 2.5 + 3.0 and v.grad.__class__ is float
    assert u.grad == 2.5 and u.grad.__class__ is float
    assert v.grad_computed and u.grad_computed


@pytest.mark.parametrize("kind", [np.float64, np.float32])
def test_a_numpy_sum_adds_into_a_gradient_held(kind: type) -> None:
    v = Value(1.0)
    v.data = kind(2.5)
    v.grad = 1.0  # micrograd's zeroing, then a second step's sum added to it
    (v * v).backward()
    assert v.grad == 6.0 and v.grad.__class__ is float


def test_gradients_of_numpy_data_are_the_sums() -> None:
    v = Value(1.0)
    v.data = np.float64(2.5)
    (g,) = autograd.gradients(v * v, [v])
    assert g == 5.0
