"""viz follows the order backward takes the nodes in (autograd.backward_order): steps, the sums of a
value's shares and explain's total add as backward adds, so they round as it does."""

import re

import numpy as np

import viz
from autograd import Value, backward_order, sqrt


def cancelling() -> tuple[Value, Value]:
    """x's three shares cancel or not depending on the order they are added in: 1e16 - 1e16 + 1."""
    x = Value(3.0, label="x")
    a, b, c = Value(1e16, label="a"), Value(-1e16, label="b"), Value(1.0, label="c")
    root = x * a + x * b + x * c
    root.label = "L"
    return root, x


def test_the_last_step_sums_the_shares_as_backward_does():
    root, x = cancelling()
    root.backward()
    captions = [frame.caption for frame in viz.backward_steps(root)]
    assert x.grad == 0.0
    assert "x.grad = 1 + (-1e+16) + 1e+16 = 0 (on paper 1: " in captions[-3]  # floats dropped the 1
    assert captions[-3].split("\n")[-2].endswith("added)    (x is used 3 times: all 3 shares added)")
    assert captions[-1].startswith("step 9 of 9: x has its gradient, 0;")


def test_steps_come_in_the_order_backward_takes_the_nodes():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    root = a * b + c.tanh()
    root.label = "L"
    heads = [re.match(r"step \d of 6: (?:backward starts at )?(\S+)", f.caption)[1] for f in viz.backward_steps(root)]
    taken = [n.label or n.op.name for n in backward_order(root)]
    assert taken == ["L", "tanh", "c", "*", "b", "a"]  # not the topological order L * b a tanh c
    assert heads == ["L", "#2", "c", "#4", "b", "a"]


def test_the_explanation_adds_the_paths_as_backward_does():
    root, x = cancelling()
    assert str(viz.explain(root, x)).splitlines()[-1] == (
        "total: 1 + (-1e+16) + 1e+16 = 0 (on paper 1: a float keeps about 16 significant digits, so a term much "
        "smaller than the sum so far is rounded away as it is added) = ∂L/∂x, the gradient backward gives"
    )


def test_a_sum_backward_rounds_otherwise_is_said_so():
    x = Value(1.0, label="x")
    u = x * Value(1.0)
    v = u * Value(1.0)
    root = v * Value(1e16) + v * Value(-1e16) + u * Value(1.0)  # v's two shares are summed before u's
    root.label = "L"
    told = str(viz.explain(root, x)).splitlines()[-1]
    assert told.startswith("total: 1 + (-1e+16) + 1e+16 = 0 (on paper 1: a float keeps")
    assert "is added), which backward" in told
    assert told.endswith("rounds to 1 = ∂L/∂x, the gradient it gives")


def test_a_graph_whose_backward_fails_is_still_drawn_and_its_steps_raise_backwards_error():
    x = Value(0.0, label="x")
    root = sqrt(x) * Value(2.0)
    assert "sqrt" in viz.draw(root).source
    try:
        list(viz.backward_steps(root))
    except ZeroDivisionError as e:
        assert "derivative is infinite" in str(e)
    else:
        raise AssertionError("backward_steps drew a pass backward cannot run")
    assert np.isfinite(x.data)
