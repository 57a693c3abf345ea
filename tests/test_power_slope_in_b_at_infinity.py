"""d/db a ** b at a = +inf where a^b is 0 (b < 0): a^b·ln a → 0, the limit (the power beats the log), where the
product was 0 · inf = NaN on both engines (PyTorch 2.13's NaN too), on a plain pass and under create_graph."""

import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value


@pytest.mark.parametrize("b", [-0.5, -2.0, -1e300, -math.inf])
@pytest.mark.parametrize("g", [1.0, -1.0])
def test_the_slope_in_b_at_an_infinite_base_under_a_negative_exponent_is_zero(b, g):
    for create_graph in (False, True):
        for x in (Value(b), Tensor(np.array(b), requires_grad=True)):
            (d,) = autograd.gradients((math.inf**x) * g, [x], create_graph=create_graph)
            d = float(np.asarray(getattr(d, "data", d)))
            assert d == 0.0 and math.copysign(1.0, d) == g, (create_graph, type(x).__name__, d)
