"""viz at its edges, from an audit of its pictures as a learner reads them: empty tensors, unnamed
values a note names, a value a hair from a whole number, check=True where finite differences cannot
see the slope (too steep) or cannot rerun an op (a node built by hand), one-element tensors checked
as Values are, a sum over paths that overflows, and bad max_nodes."""

import math

import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor, Value
from tests.test_viz import svg, texts
from viz.number_text import figures


def test_a_graph_with_an_empty_tensor_draws():
    e = Tensor(np.zeros((0, 3)), requires_grad=True, label="e")
    y = (e * 2).sum()
    for options in ({}, {"backward": True}, {"check": True}):
        assert "empty" in texts(svg(viz.draw(y, **options)))
    assert "empty" in str(viz.explain(y, e))


def test_a_note_that_names_an_unnamed_value_numbers_its_record():
    x = Tensor(np.array([1.0, -1.0, 2.0]), requires_grad=True, label="x")
    with np.errstate(invalid="ignore"):
        y = (x.log() * 2).sum()
    words = texts(svg(viz.draw(y)))
    assert "the first NaN or infinity of the forward pass: #3" in words and "#3 (3,) float64" in words


def test_a_value_a_hair_from_a_whole_number_shows_its_digits():
    """tanh(10) drawn as 1 beside its gradient 8.2e-09 reads as 1 - 1² = 0."""
    assert figures(math.tanh(10), 4) == "0.999999996" and figures(math.tanh(-6), 4) == "-0.99999"
    assert figures(0.9999999999999998, 4) == "1"  # rounding noise stays hidden
    x = Value(10.0, label="x")
    y = x.tanh()
    y.label = "y"
    y.backward()
    assert "y data 0.999999996 grad 1" in texts(svg(viz.draw(y)))


def test_check_does_not_call_a_slope_too_steep_to_measure_wrong():
    """sin(exp(40)) oscillates with a period of 3e-17 there, below x's float step: grey, not red."""
    for expression, at in (("sin(exp(x))", 40.0), ("cos(sinh(x))", 50.0)):
        words = texts(svg(viz.draw(viz.evaluate(expression, {"x": at}), check=True)))
        assert "too steep to measure" in words and "✗" not in words


def test_check_of_a_node_built_by_hand_says_why_it_cannot():
    a, b = Value(0.5, "a"), Value(-1.0, "b")
    out = Value(a.data * b.data, (a, b), "*")
    with pytest.raises(ValueError, match="a node built by hand .* keeps no forward: draw without check=True"):
        viz.draw(out.tanh(), check=True)


def test_a_one_element_tensor_is_checked_as_a_value():
    """Its derivative itself beside its grad, not a sum along a random direction scaled by |x|."""
    a = Tensor(np.array(2.0), requires_grad=True, label="a")
    y = (a * a * 3.0).sum()
    y.backward()
    words = texts(svg(viz.draw(y, check=True)))
    assert "a () float64 data 2 grad 12 numeric 12 ✓" in words and "random direction" not in words


def test_a_sum_over_paths_that_overflows_says_so():
    x = Value(3.0, label="x")
    s = x
    for i in range(40):
        s = s * s * 0.5 if i % 2 else s + s * 0.9
    story = str(viz.explain(s, x))
    assert "not told apart, as the paths' sums are too large for a float" in story and "nan" not in story


@pytest.mark.parametrize("bad, error", [("10", TypeError), (True, TypeError), (-1, ValueError), (0, ValueError)])
def test_bad_max_nodes(bad, error):
    with pytest.raises(error, match="max_nodes must be"):
        viz.draw(Value(1.0) * 2, max_nodes=bad)


def test_a_value_computed_under_no_grad_draws_as_a_leaf():
    """Its backward is refused (no graph was recorded), and drawing it raised that refusal."""
    a = Value(2.0)
    with autograd.no_grad():
        b = a * a
    (b * a).backward()
    for kwargs in ({}, {"backward": True}, {"check": True}):
        assert "4" in viz.draw(b, **kwargs).source
    assert viz.player(b) is not None
