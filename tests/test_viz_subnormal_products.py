"""A product whose factors or result are subnormal (below 2.2e-308 a float keeps fewer digits) or underflow to 0
cannot work out on paper as floats give it: viz writes the product on paper and the float's beside it, with why,
never an equation that does not add up."""

import math
import re
from decimal import Decimal

import numpy as np
import pytest

import viz
from autograd import Value
from viz.paper import product_equation


@pytest.mark.parametrize(
    ("factors", "written"),
    [
        ([1.5e-323, 0.7], "1.482e-323 × 0.7 = 1.037e-323 on paper; as a float, 9.881e-324 (a float below 2.225e-308 "
         "is subnormal: a multiple of 4.941e-324, with fewer digits)"),
        ([5e-324, 0.6], "4.941e-324 × 0.6 = 2.965e-324 on paper; as a float, 4.941e-324 (a float below 2.225e-308 "
         "is subnormal: a multiple of 4.941e-324, with fewer digits)"),
        ([1e-320, 1e-5], "1e-320 × 1e-05 = 1e-325 on paper; as a float, 0 (nearer 0 than half the least float, "
         "4.941e-324: it underflows to 0)"),
        ([0.41997, 2.0], "0.41997 × 2 = 0.8399"),
        ([3e-320, 0.1234567], "3e-320 × 0.1235 = 3.705e-321"),  # works out: written as ever
    ],
)  # fmt: skip
def test_a_product_that_floats_cannot_give_as_written_says_both(factors, written):
    """Before: "1.482e-323 × 0.7 = 9.881e-324", "5e-324 × 0.6 = 4.941e-324", "1e-320 × 1e-05 = 0"."""
    assert product_equation(factors, math.prod(factors)) == written


def test_every_product_line_works_out_on_paper_or_says_it_does_not():
    rng = np.random.default_rng(0)
    for _ in range(400):
        factors = [float(x) for x in 10.0 ** rng.uniform(-325, 0, size=2) * rng.choice([-1, 1], size=2)]
        result = math.prod(factors)
        line = product_equation(factors, result)
        if "on paper" in line:
            assert re.search(r"subnormal|underflows", line), line
            continue
        left, right = line.split(" = ")
        on_paper = math.prod(Decimal(t.strip("()")) for t in left.split(" × "))
        shown = Decimal(right)
        half = Decimal(5).scaleb(shown.adjusted() - len(shown.normalize().as_tuple().digits)) if shown else 0
        assert abs(on_paper - shown) <= half, line


def test_explain_and_the_steps_say_a_path_underflowed():
    x, k, m = Value(2.0, label="x"), Value(1e-200, label="k"), Value(1e-200, label="m")
    y = (x * k) * m
    y.label = "y"
    told = str(viz.explain(y, x))
    assert "product: 1e-200 × 1e-200 = 1e-400 on paper; as a float, 0 (nearer 0 than half the least float" in told
    captions = "\n".join(step.caption for step in viz.backward_steps(y))
    assert "∂y/∂x = ∂y/∂#3 · ∂#3/∂x = 1e-200 × 1e-200 = 1e-400 on paper; as a float, 0" in captions
    assert "1e-200 × 1e-200 = 1e-400 on paper" in viz.draw(y, backward=True).source
