"""A Value whose `.data` the user set to a numpy scalar (`p.data = np.float64(2.5)`, a number read from an
array) makes numpy floats in the backward pass's sums. The pass that writes each `.grad` as it takes its node
took such a sum (np.float64 is a subclass of float) for its own start, "no gradient arrived", and wrote 0.0:
`v * v` at 2.5 gave v.grad 0.0, not 5.0. Every pass must write the sum, as a plain float."""

from __future__ import annotations

import math

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


@pytest.mark.parametrize("kind", [np.float32, np.float16, np.float64])
def test_gradients_and_hooks_of_numpy_data_get_plain_floats(kind: type) -> None:
    # `gradients` handed back its sums as they were (np.float32(1.5) for u below) and a hook was given them so,
    # where `.grad` holds a plain float: json.dumps of a gradient failed on float32, `type(g) is float` was False
    v, u = Value(1.0), Value(2.0)
    v.data = kind(1.5)  # a weight read from an array
    seen: list[object] = []
    u.register_hook(seen.append)
    gv, gu = autograd.gradients(v * u, [v, u])
    assert (gv, gu) == (2.0, 1.5)
    assert gv.__class__ is float and gu.__class__ is float
    assert seen == [1.5] and seen[0].__class__ is float
    w, x = Value(1.0), Value(3.0)
    w.data = kind(-0.0)
    (gx,) = autograd.gradients(w * x, [x])  # `gradients` keeps a -0.0 sum's sign, a numpy one's too
    assert gx.__class__ is float and math.copysign(1.0, gx) == -1.0
