"""x ** ±0.0 in a Value's plain backward (scalar_backward's written-out power_const) gives the table's gradient,
b·a^(b−1) signed as the product (docs/edge-points.md, "exponent ±0"), as gradients(create_graph=True) and a float64
Tensor give it: the fast path sent g · (+0.0), so x ** -0.0 under g = 1 was +0.0 where both give -0.0."""

import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value


@pytest.mark.parametrize("a", [2.0, -2.0, 0.0, -0.0, math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("c", [0.0, -0.0])
@pytest.mark.parametrize("g", [1.0, -1.0, math.inf, math.nan])
def test_a_zero_exponents_gradient_is_the_tables_on_every_path(a, c, g):
    def grads(x):
        return (x**c) * g

    x = Value(a)
    plain = autograd.gradients(grads(x), [x])[0]
    x = Value(a)
    recorded = autograd.gradients(grads(x), [x], create_graph=True)[0].data
    t = Tensor(np.array(a), requires_grad=True)
    tensor = float(autograd.gradients(grads(t), [t])[0])
    assert repr(plain) == repr(recorded) == repr(tensor)
