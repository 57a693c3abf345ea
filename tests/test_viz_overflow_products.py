"""A product of finite numbers that overflows to inf cannot work out on paper as floats give it, as one that
underflows to 0 cannot: viz writes the product on paper and the float's beside it, with why, never
"1e+200 × 1e+200 = inf"."""

import math

import numpy as np
import pytest

import viz
from autograd import Op, Value
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


def test_a_rule_whose_own_steps_overflow_is_not_told_as_the_product():
    """A user's rule that works out what it sends in steps of its own, (g·x)/(x·y), overflows at x = y = 1e300: it
    sends NaN for an arriving 1e300 and a local derivative 0. The caption read "1e+300 × 0 = nan", an equation that
    does not hold; an infinity of a product a float holds is no overflow of that product either."""
    ratio = Op("ratio", lambda x, y: x / y, lambda g, out, x, y: ((g * x) / (x * y), -g * x / (y * y)))
    x, y = Value(1e300, label="x"), Value(1e300, label="y")
    with np.errstate(all="ignore"):
        r = ratio(x, y)
        r.label = "r"
        loss = r * Value(1e300, label="c")
        told = "\n".join(step.caption for step in viz.backward_steps(loss))
    on_the_way = "(a step of its float computation underflowed or overflowed, though a float holds the value on paper)"
    assert f"∂#1/∂x = ∂#1/∂r · ∂r/∂x = 1e+300 × 0 = 0 on paper; as a float, nan {on_the_way}" in told
    assert "= nan " not in told.replace("as a float, nan", "")
    assert product_equation([1e300, 1e-300], math.inf) == f"1e+300 × 1e-300 = 1 on paper; as a float, inf {on_the_way}"
    # 1.35e154² = 1.8225e+308, beyond the largest float: an overflow of the product itself
    assert "beyond the largest float" in product_equation([1.35e154, 1.35e154], math.inf)
    assert "a step of its float computation" not in product_equation([1.35e154, 1.35e154], math.inf)


def test_a_nan_from_a_rule_whose_product_is_beyond_the_largest_float_does_not_say_a_float_holds_it():
    """A user's rule for sqrt that works out g·0.5/√x three times, (a - a + a), sends NaN (inf - inf) where
    1e+200 arrives at x = 1e-300, whose local derivative is 5e+149: the caption read "1e+200 × 5e+149 = 5e+349 on
    paper; as a float, nan (..., though a float holds the value on paper)", but no float holds 5e+349."""
    root = Op("root", math.sqrt, lambda g, out, x: (g * 0.5 / out - g * 0.5 / out + g * 0.5 / out,))
    x = Value(1e-300, label="x")
    with np.errstate(all="ignore"):
        loss = root(x) * Value(1e200, label="c")
        told = "\n".join(step.caption for step in viz.backward_steps(loss))
    assert "= 1e+200 × 5e+149 = 5e+349 on paper; as a float, nan (beyond the largest float, 1.798e+308: " in told
    assert "holds the value on paper" not in told


def test_a_nan_from_a_rule_whose_product_is_below_the_least_float_is_not_told_as_0_on_paper():
    """A user's rule that works out (g·1e-150)²·(1e100/g) sends NaN (0 × inf) where 1e-250 arrives, whose local
    derivative is 1e-200: the caption read "1e-250 × 1e-200 = 0 on paper; as a float, nan (..., though a float holds
    the value on paper)", but the product on paper is 1e-450, nearer 0 than any float."""
    square = Op("square", lambda x: x, lambda g, out, x: ((g * 1e-150) ** 2 * (1e100 / g),))
    with np.errstate(all="ignore"):
        loss = square(Value(1.0, label="x")) * Value(1e-250, label="c")
        told = "\n".join(step.caption for step in viz.backward_steps(loss))
    assert (
        "= 1e-250 × 1e-200 = 1e-450 on paper; as a float, nan (nearer 0 than half the least float, 4.941e-324: a step "
        "of its float computation gave nan)"
    ) in told
    assert "holds the value on paper" not in told
