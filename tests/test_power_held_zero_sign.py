"""d/db of a ** b where a = 0 and b >= 0 is held at 0 (PyTorch's): +0 on a plain pass, and now under create_graph too,
where g · 0 made it −0 under a negative gradient from above (`0 ** x` at x = 2 under g = −1: −0.0 against +0.0 on a
plain pass and on a float64 Tensor). The second derivatives there are as before."""

import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value


@pytest.mark.parametrize("b", [0.0, -0.0, 0.5, 2.0, math.inf])
@pytest.mark.parametrize("g", [1.0, -1.0, -0.0])
@pytest.mark.parametrize("base", [0.0, -0.0])
def test_the_held_zero_of_d_db_is_plus_zero_on_every_path(base, b, g):
    def value_paths():
        for create_graph in (False, True):
            x = Value(b)
            (d,) = autograd.gradients((base**x) * g, [x], create_graph=create_graph)
            yield float(getattr(d, "data", d))
        for create_graph in (False, True):
            t = Tensor(np.array(b), requires_grad=True)
            (d,) = autograd.gradients((base**t) * g, [t], create_graph=create_graph)
            yield float(np.asarray(getattr(d, "data", d)))

    got = list(value_paths())
    assert all(d == 0.0 and math.copysign(1.0, d) == 1.0 for d in got), got
