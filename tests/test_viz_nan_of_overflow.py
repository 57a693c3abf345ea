"""Where an inf or a NaN came from in the forward pass is said, as for other overflows. `python -m viz expr
"mul(1e300, 1e300) * x"` drew inf silently, its constant "inf (a constant given so)": numbers alone were worked out
as floats, whose product overflows without raising (10.0 ** 400 raises, and was refused). And a NaN made of an
overflow read a bare "nan": x·x - x·x at 1e300 (0 on paper), inf - x·x (inf on paper), x·x - y·y (-3e+600)."""

import re

import numpy as np
import pytest

from autograd import Tensor
from viz import ExpressionError, draw, evaluate
from viz.captions import forward_caption
from viz.lost_masks import WIDER
from viz.steps import backward_pass


@pytest.mark.parametrize(
    "text, part, result",
    [
        ("mul(1e300, 1e300) * x", "mul(1e300, 1e300)", "inf"),
        ("1e300*1e300 - x*x", "1e300*1e300", "inf"),
        ("(1e308 + 1e308) * x", "1e308 + 1e308", "inf"),
        ("square(-1e308) - x", "square(-1e308)", "inf"),
        ("mul(1e300, -1e300) * x", "mul(1e300, -1e300)", "-inf"),
    ],
)
def test_numbers_alone_that_overflow_have_no_value(text, part, result):
    message = f"'{part}' has no value: the result is too large for a float (it comes out {result}); to draw"
    with pytest.raises(ExpressionError, match=re.escape(message)):
        evaluate(text, {"x": 2.0})


def _lines(root) -> list[str]:
    return forward_caption(backward_pass(root)).splitlines()[1:]


@pytest.mark.skipif(not WIDER, reason="this platform's long double is no wider than a float")
def test_a_nan_made_of_an_overflow_says_so_with_its_value_on_paper():
    with np.errstate(all="ignore"):
        same = evaluate("a*a - a*a", {"a": 1e300})
        given = evaluate("c - a*a", {"a": 1e300, "c": float("inf")})
        apart = evaluate("a*a - b*b", {"a": 1e300, "b": 2e300})
        way = "a step of its float computation underflowed or overflowed, though a float holds the value on paper"
        assert _lines(same)[-1] == f"a*a - a*a = a*a#3 - a*a#2 = nan (came out nan: on paper 0, {way})"
        assert _lines(given)[-1] == f"c - a*a = nan (came out nan: on paper inf, {way})"
        assert _lines(apart)[-1] == (
            "a*a - b*b = nan (came out nan: on paper -3e+600, beyond a float's range, where a step of its float "
            "computation made NaN (inf - inf, 0 × inf))"
        )
        assert "data nan (lost on the way)" in draw(given).source
        assert "data nan (out of range)" in draw(apart).source
        c = Tensor(np.array([np.inf, 1.0]), label="c")
        x = Tensor(np.array([1e300, 1e300]), requires_grad=True, label="x")
        r = c - x * x
        r.label = "r"
        told = _lines(r.sum())[-2]
    assert "1 of 2 overflowed to an infinity" in told and "1 of 2 came out 0, infinite or NaN" in told


@pytest.mark.skipif(not WIDER, reason="this platform's long double is no wider than a float")
def test_a_nan_of_an_infinity_given_with_nothing_lost_says_nothing():
    """inf - inf of infinities given, and inf · 2: the float is the value on paper."""
    with np.errstate(all="ignore"):
        assert _lines(evaluate("c - c", {"c": float("inf")})) == ["c - c = nan"]
        assert _lines(evaluate("c * x", {"c": float("inf"), "x": 2.0})) == ["c * x = inf"]
