"""draw(check=True) measures each leaf's slope with a step that follows the value's size, shrinks it
near a domain's edge or a pole, tells a kink by its two one-sided slopes, judges relative to the
numbers with a floor of the measurement's own error, and says in grey what it cannot judge."""

import html
import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import viz
from autograd import Op, Tensor, Value
from autograd.testing import expressions, tensor_expressions
from tests.test_viz import svg, texts
from viz.graph import all_gradients, read_graph
from viz.numeric import AGREE, DISAGREE, KINK, KINK_DISAGREE, TOO_SMALL, UNDEFINED, UNMEASURED, Check
from viz.numeric_leaves import finite_difference_checks as checks_of

GREEN, RED, GREY = "#d4efd4", "#f6c4c4", "#e6e6e6"
WRONG = (DISAGREE, KINK_DISAGREE)


def checks(root) -> dict[str, Check]:
    """Each labelled leaf's check, as draw(check=True) makes it."""
    graph = read_graph(root, None, None)
    found = checks_of(root, graph.order, graph.consts, all_gradients(root, graph.order))
    return {n.label: found[id(n)] for n in graph.order if id(n) in found}


def fills(drawing) -> dict[str, str]:
    return dict(re.findall(r'label="\{ ([\w#]+) \|[^]]*fillcolor="?([^" \]]+)', drawing.source))


def labelled(y, name: str = "y"):
    y.label = name
    return y


def square_with_half_its_rule() -> Op:
    return Op("badsq", lambda x: x * x, lambda g, out, x: (g * x,))  # wrong: d x²/dx is 2x


@pytest.mark.parametrize("x", [1e20, 1e10, 3.0, 1e-6, 1e-20, 1e-150])
def test_the_step_follows_the_size_of_the_value(x):
    leaf = Value(x, label="x")
    found = checks(labelled(leaf * leaf))["x"]  # a fixed step of 1e-6 gave 0 at 1e20, 3.3e10 at 1e10
    assert found.verdict == AGREE and found.numeric == pytest.approx(2 * x, rel=1e-6)


def test_near_the_edge_of_a_domain_and_beside_a_pole_the_step_shrinks():
    x = Value(1e-7, label="x")
    assert checks(labelled(x.log()))["x"].numeric == pytest.approx(1e7, rel=1e-6)  # log(1e-7 - 1e-6) undefined
    x = Value(1e-14, label="x")
    assert checks(labelled(x.sqrt()))["x"].numeric == pytest.approx(5e6, rel=1e-6)
    x, y = Value(1e-300, label="x"), Value(1e-300, label="y")
    found = checks(labelled(x / y, "q"))  # y ± 1e-6 crosses the pole at 0
    assert found["y"].verdict == AGREE and found["y"].numeric == pytest.approx(-1e300, rel=1e-6)
    a = Tensor(np.array([1e-7, 1.0, 1e20]), requires_grad=True, label="a")
    assert checks(labelled(a.log().sum()))["a"].verdict == AGREE  # each element's step follows its size


def test_what_cannot_be_measured_is_grey_and_says_why():
    x, y = Value(1.0, label="x"), Value(1e-300, label="y")
    quotient = labelled(x / y, "q")  # d q / d y = -1e600: no float holds it
    quotient.backward()
    found = checks(quotient)["y"]
    assert found.verdict == UNMEASURED and found.numeric is None and "too large for a float" in found.detail
    drawing = viz.draw(quotient, check=True)
    assert "numeric: cannot judge here (the slope is too large for a float)" in texts(svg(drawing))
    assert fills(drawing)["y"] == "#ff9c9c"  # the first infinity (of backward) is drawn red, over the check
    x = Value(0.0, label="x")
    power = labelled(x**1.5, "p")  # (0 - h) ** 1.5 has no real value: nothing left of x to measure with
    found = checks(power)["x"]
    assert found.verdict == UNDEFINED and found.numeric is None and "a negative base" in found.detail
    assert "numeric: cannot judge here (the root is undefined beside x: " in texts(svg(viz.draw(power, check=True)))


def test_a_factor_of_two_is_red_however_small_the_gradients():
    bad = square_with_half_its_rule()
    for x in (3.0, 1e-3, 1e-6, 1e-150):
        leaf = Value(x, label="x")
        y = labelled(bad(leaf))
        y.backward()  # grad x: a tolerance of 1e-5 took 1e-6 for 2e-6
        found = checks(y)["x"]
        assert found.verdict == DISAGREE and found.numeric == pytest.approx(2 * x, rel=1e-6), x
        drawing = viz.draw(y, check=True)
        assert f"numeric {2 * x:.4g} ✗ backward {x:.4g}" in texts(svg(drawing)) and fills(drawing)["x"] == RED


@settings(max_examples=80)
@given(st.floats(-300, 150), st.sampled_from([1.0, -1.0]))  # x² overflows past 1e154
def test_a_rule_off_by_a_factor_of_two_is_never_a_tick(exponent, sign):
    bad = square_with_half_its_rule()
    x = sign * 10.0**exponent
    found = checks(labelled(bad(Value(x, label="x"))))["x"]
    assert found.verdict in (DISAGREE, TOO_SMALL), found  # too small: x² underflows, or 2x does


def test_too_small_to_judge_is_grey():
    x = Value(1.0, label="x")
    y = labelled(x * 1e-20 + 1.0)  # 1 + 1e-20 (x ± h) is 1: the change is below float64's grain
    drawing = viz.draw(y, check=True)
    assert checks(y)["x"].verdict == TOO_SMALL and fills(drawing)["x"] == GREY
    words = html.unescape(texts(svg(drawing)))
    assert "numeric 0, backward 1e-20: too small to judge against the finite difference's error, ±5.867e-09" in words
    assert "finite differences are too small to judge against their error at the only leaf: x" in words
    z = Value(1.0, label="z")
    assert checks(labelled((z + 1e10) - 1e10))["z"].verdict == TOO_SMALL  # z ± h is rounded to 2e-6 first


@pytest.mark.parametrize("name", ["relu", "abs"])
def test_at_a_kink_both_slopes_are_shown_and_backward_takes_one(name):
    x = Value(0.0, label="x")
    y = labelled(getattr(x, name)())
    y.backward()
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    getattr(torch, name)(t).backward()
    assert x.grad == t.grad.item() == 0.0  # PyTorch's choice at the kink, and ours
    found = checks(y)["x"]
    assert found.verdict == KINK and found.agrees and found.slopes == (-1.0 if name == "abs" else 0.0, 1.0)
    drawing = viz.draw(y, check=True)
    left = "-1" if name == "abs" else "0"
    between = "between them" if name == "abs" else "one of them"
    words = texts(svg(drawing))
    assert f"a kink: slope {left} from the left, 1 from the right; backward takes 0, {between} ✓" in words
    assert "finite differences find a kink at the only leaf" in words and "disagree" not in words
    assert fills(drawing)["x"] == GREY  # grey: a kink is no wrong rule
    near = Value(1e-10, label="x")
    assert checks(labelled(near.relu()))["x"].verdict == AGREE  # beside the kink: a smaller step is smooth


def test_a_rule_outside_both_slopes_at_a_kink_is_red():
    steep = Op("steep_relu", lambda x: max(x, 0.0), lambda g, out, x: (g * 2.0,))  # 2 is no slope of relu
    y = labelled(steep(Value(0.0, label="x")))
    found = checks(y)["x"]
    assert found.verdict == KINK_DISAGREE and not found.agrees
    drawing = viz.draw(y, check=True)
    assert "a kink: slope 0 from the left, 1 from the right ✗ backward 2" in texts(svg(drawing))
    assert fills(drawing)["x"] == RED


def test_the_summary_counts_each_kind_apart():
    bad = square_with_half_its_rule()
    k, s, w, good = (Value(v, label=n) for v, n in ((0.0, "k"), (1.0, "s"), (2.0, "w"), (0.5, "g")))
    y = labelled(k.relu() + s * 1e-20 + bad(w) + good.tanh())
    words = texts(svg(viz.draw(y, check=True)))
    assert (
        "finite differences disagree with backward at 1 of 4 leaves: w; agree with backward at 1 of 4 leaves; "
        "find a kink at 1 of 4 leaves, where backward may take either one-sided slope or one between: k; "
        "are too small to judge against their error at 1 of 4 leaves: s"
    ) in words


def test_a_nan_root_is_not_measured_and_not_called_a_disagreement():
    x, w = Value(1e200, label="x"), Value(2.0, label="w")
    big = x * x  # inf
    y = labelled((big - big) * w)  # nan
    y.backward()
    drawing = viz.draw(y, check=True)
    words = texts(svg(drawing))
    assert words.count("numeric: cannot judge here (the root is nan here)") == 2
    assert "✗" not in words and "disagree" not in words
    assert "finite differences cannot judge backward at both leaves: w, x" in words
    assert fills(drawing)["w"] == GREY


@settings(max_examples=60)
@given(expressions(max_ops=10))
def test_no_correct_rule_is_red_on_random_graphs(expr):
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(expr.inputs)]
    root = expr(*inputs)
    if not isinstance(root, Value) or root.op is None:
        return
    found = checks(root)
    assert not [c for c in found.values() if c.verdict in WRONG], found
    assert all(c.verdict != AGREE or math.isclose(c.numeric, c.analytic, rel_tol=1e-3, abs_tol=c.resolution)
               for c in found.values())  # fmt: skip


@settings(max_examples=25)
@given(tensor_expressions(max_ops=5))
def test_no_correct_rule_is_red_on_random_tensor_graphs(expr):
    inputs = [Tensor(x, requires_grad=True, label=f"x{i}") for i, x in enumerate(expr.inputs)]
    root = expr(*inputs)
    if root.op is None:
        return
    found = checks(root.sum() if root.size != 1 else root)
    assert not [c for c in found.values() if c.verdict in WRONG], found
