"""check=True calls a rule wrong only where the finite difference measures the slope: a staircase whose
stairs are narrower than the steps tried looks like a line, and is said to be unmeasurable, grey."""

import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor, Value
from viz.graph import all_gradients, read_graph
from viz.numeric import DISAGREE, TOO_SMALL, UNMEASURED
from viz.numeric_leaves import finite_difference_checks


def check_of(root: Value, leaf: Value):
    order = [root, leaf]
    return finite_difference_checks(root, order, set(), all_gradients(root, order))[id(leaf)]


@pytest.mark.parametrize("op", ["floor", "ceil", "round", "trunc"])
def test_stairs_narrower_than_the_step_are_not_called_a_wrong_rule(op):
    x = Value(1e12 + 0.3, label="x")
    checked = check_of(getattr(x, op)(), x)
    assert checked.verdict == UNMEASURED and "depends on the step" in checked.detail
    assert "✗" not in viz.draw(getattr(x, op)(), check=True).source


def test_a_wrong_rule_at_a_large_x_is_still_red():
    from autograd import Op

    wrong = Op("twice", lambda a: 2 * a, lambda g, out, a: (3 * g,))  # the derivative of 2x is 2, not 3
    x = Value(1e12 + 0.3, label="x")
    assert check_of(wrong(x), x).verdict == DISAGREE


def test_too_small_to_judge_tells_the_smaller_of_the_errors_measured():
    """A gradient of 1e-12 on a root of 8 cannot be judged; of the two steps measured (scaled by 1, then by
    |x| = 1e-12) the finer's error bound is 1e12 times the first's, and it was told: "±46935.7"."""
    t = Value(1e-12, label="t")
    z = t * 1e-12 + 8.0
    z.backward()
    graph = read_graph(z, None, None)
    check = finite_difference_checks(z, graph.order, graph.consts, all_gradients(z, graph.order))[id(t)]
    assert check.verdict == TOO_SMALL and 1e-9 < check.resolution < 1e-6
    assert "±4.694e-08" in viz.draw(z, check=True).source


@pytest.mark.parametrize("op", ["floor", "ceil", "round", "trunc"])
@pytest.mark.parametrize("at", [1e10, 1e13 + 0.5, 1e15, 1e15 + 0.25, 4e15, 3e15 + 0.5])
def test_stairs_no_step_fits_in_are_not_called_a_wrong_rule(op, at):
    """floor at 1e15 (below 2**52: floats 0.125 apart) was drawn red, "numeric 1 ✗ backward 0": every step the
    check could take straddles a stair, or within one is lost in its allowance for rounding numbers that large; at
    1e13 + 0.5 and at a whole 1e10 the finer steps that leave the slope of 1 did not overturn it. Grey now."""
    x = Value(at, label="x")
    checked = check_of(getattr(x, op)(), x)
    assert checked.verdict == UNMEASURED
    assert "✗" not in viz.draw(getattr(x, op)() * 1.0, check=True).source


@pytest.mark.parametrize("at", [1e14, 1e15])
def test_a_tensors_stairs_no_step_fits_in_are_not_called_a_wrong_rule(at):
    """floor of [1e14, 1e14 + 0.5, 1e14 + 0.3], summed: the sum, 3e14, sets the check's allowance for rounding."""
    t = Tensor(np.array([at, at + 0.5, at + 0.3]), requires_grad=True, label="t")
    loss = autograd.floor(t).sum()
    loss.backward()
    assert "✗" not in viz.draw(loss, check=True).source
