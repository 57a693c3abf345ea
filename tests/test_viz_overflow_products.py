"""A product of finite numbers that overflows to inf cannot work out on paper as floats give it, as one that
underflows to 0 cannot: viz writes the product on paper and the float's beside it, with why, never
"1e+200 × 1e+200 = inf"."""

import math

import numpy as np
import pytest

import viz
from autograd import Value
from viz.paper import forward_value, product_equation


@pytest.mark.parametrize(
    ("factors", "written"),
    [
        ([1e200, 1e200], "1e+200 × 1e+200 = 1e+400 on paper; as a float, inf (beyond the largest float, 1.798e+308: "
         "it overflows to inf)"),
        ([-1.5e200, 2e200], "(-1.5e+200) × 2e+200 = -3e+400 on paper; as a float, -inf (beyond the largest float, "
         "1.798e+308: it overflows to -inf)"),
        ([np.float16(300), np.float16(300)], "300 × 300 = 90000 on paper; as a float16, inf (beyond the largest "
         "float16, 65504: it overflows to inf)"),
        ([math.inf, 2.0], "inf × 2 = inf"),  # an infinite factor: inf on paper too
    ],
)  # fmt: skip
def test_a_product_that_overflows_says_so(factors, written):
    """Before: "1e+200 × 1e+200 = inf", "(-1.5e+200) × 2e+200 = -inf", "300 × 300 = inf"."""
    with np.errstate(over="ignore"):
        result = factors[0] * factors[1]
    assert product_equation(factors, result) == written


def test_explain_the_steps_the_edges_and_the_forward_say_a_path_overflowed():
    x, k, m = Value(1e-200, label="x"), Value(1e200, label="k"), Value(1e200, label="m")
    xk = x * k
    xk.label = "xk"
    y = xk * m
    y.label = "y"
    y.backward()
    told = str(viz.explain(y, x))
    assert "product: 1e+200 × 1e+200 = 1e+400 on paper; as a float, inf (beyond the largest float" in told
    captions = "\n".join(step.caption for step in viz.backward_steps(y))
    assert "∂y/∂x = ∂y/∂xk · ∂xk/∂x = 1e+200 × 1e+200 = 1e+400 on paper; as a float, inf" in captions
    assert "1e+200 × 1e+200 = 1e+400 on paper" in viz.draw(y, backward=True).source
    assert forward_value("*", [1e200, 1e200], math.inf).startswith("1e+200 × 1e+200 = 1e+400 on paper")
