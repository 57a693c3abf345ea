"""∂²/∂b² of a function of a^b at a = 0, b = 0, where d/db is held at 0 (PyTorch's) and its limit is −inf: the chain
rule g'(u)·u_bb + g''(u)·u_b² takes both, so a limit given for u_bb alone (+inf) summed with the hold's 0 came out
with g'(1)'s sign, whatever g''(1): 1/a^b's −inf and sin(a^b)'s +inf for limits +inf and −inf, log(a^b) = b·ln a's
+inf for 0. No value of u_bb is right for every g there: it is NaN, not a number."""

import math

import numpy as np
import pytest

import autograd
from autograd import Tensor

COMPOSITES = [
    lambda u: u,
    lambda u: 1 / u,  # limit +inf
    lambda u: u.sin(),  # limit -inf
    lambda u: u.log(),  # b·ln a: 0
    lambda u: u**-2.0,  # limit +inf
    lambda u: u - u * u,  # limit -inf
]


def _second_in_b(g, engine):
    def f(x, y):
        out = g(x**y)
        return out.sum() if engine == "tensor" else out

    def d_db(x, y):  # summed over a Tensor's entries, for the next grad
        slope = autograd.grad(f, (0, 1))(x, y)[1]
        return slope.sum() if engine == "tensor" else slope

    point = (0.0, 0.0) if engine == "value" else (Tensor(np.array([0.0, 2.0])), Tensor(np.array([0.0, 1.5])))
    with np.errstate(all="ignore"):
        return autograd.grad(d_db, (0, 1))(*point)[1]


@pytest.mark.parametrize("engine", ["value", "tensor"])
@pytest.mark.parametrize("g", COMPOSITES)
def test_the_second_derivative_in_b_through_the_held_slope_is_nan(engine, g):
    got = _second_in_b(g, engine)
    if engine == "value":
        assert math.isnan(got)
    else:  # beside an ordinary point, which keeps its value
        assert math.isnan(got[0]) and math.isfinite(got[1])
