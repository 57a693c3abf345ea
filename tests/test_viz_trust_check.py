"""check=True calls a rule wrong only where the finite difference measures the slope: a staircase whose
stairs are narrower than the steps tried looks like a line, and is said to be unmeasurable, grey."""

import pytest

import viz
from autograd import Value
from viz.graph import all_gradients
from viz.numeric import DISAGREE, UNMEASURED, finite_difference_checks


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
