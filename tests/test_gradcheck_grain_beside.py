"""gradcheck where a coarse grain inside f sits beside entries that move finely, mixed into them, read through
another path, or above a rule giving 0: it cannot pass; right rules and flat functions still do."""

import numpy as np
import pytest
from test_gradcheck_grain import _beside_2x, _table_sin

from autograd import GradcheckError, gradcheck


@pytest.mark.parametrize("times", [0.0, 2.0])
def test_an_entry_that_stops_at_smaller_steps_beside_entries_that_move_cannot_pass(times):
    """sin(3e3 (x + 1e10)) keeps x to steps of 1.9 eps: beside 2 x it moves on one side at eps, not at eps / 2, and
    the refinement at smaller steps read the row's slope off 2 x alone: a rule giving 0 in the sin passed (the
    stillness of one entry now stops it, as the whole row's did)."""
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_beside_2x(times, 1e10), [np.linspace(-0.9, 0.8, 10)])
    assert caught.value.undecided, str(caught.value)


@pytest.mark.parametrize("x", [np.array(0.3), np.linspace(-1, 1, 40)], ids=["scalar", "40"])
@pytest.mark.parametrize(
    "inner",
    [lambda t: t + 1e12, lambda t: ((t * 1e-12 + 1.0) - 1.0) * 1e12, lambda t: (((t + 1e3) + 1e6) + 1e9) + 1e12],
    ids=["plus", "cancel", "chain"],
)
def test_a_grain_mixed_into_an_entry_that_moves_finely_cannot_pass(inner, x):
    """2 x + sin(3e3 (x + 1e12)): no entry is still, and x + 1e12's rounding (41 bits coarser than x's) is read
    through the gradient after it, which a rule giving 0 in the sin makes 0: that rule passed, alone or over 40
    elements; so did ((1e-12 x + 1) - 1) * 1e12, where 1e-12 x + 1 keeps 1e-12 x to 43 bits fewer. An element that
    reaches such a node is looked at 256 eps out, as one reaching an op of one's own; so is one reaching a sin of
    (((x + 1e3) + 1e6) + 1e9) + 1e12, which loses 10 or 11 bits at each node, and passed (the grid is x's in f's
    graph, carried up by the rules, not a node's in its input's)."""
    sin = _table_sin(0.0)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda t: 2 * t + sin(inner(t) * 3e3), [x])
    assert caught.value.undecided, str(caught.value)


@pytest.mark.parametrize("x", [np.array(0.3), np.linspace(-1, 1, 5)], ids=["scalar", "5"])
@pytest.mark.parametrize(
    "beside", [lambda g: g.log(), lambda g: g.sqrt(), lambda g: 1 / g], ids=["log", "sqrt", "inverse"]
)
def test_a_grain_read_through_another_path_too_small_to_show_it_cannot_pass(beside, x):
    """2 x + sin(3e3 g) + log(g), g = x + 1e12: g's rounding is read through its gradient, which a rule giving 0
    in the sin leaves at log's 1e-12 (sqrt's 5e-7, 1 / g's 1e-24): not 0, so g was not looked at as the mixed grain
    above, and that rule passed at every point. A node keeping an input to a grid 12 bits coarser than its own,
    and eps / 8192 wide or more, is looked at 256 eps out whatever its gradient."""
    sin = _table_sin(0.0)

    def f(t):
        g = t + 1e12
        return 2 * t + sin(g * 3e3) + beside(g)

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [x])
    assert caught.value.undecided, str(caught.value)
    # its words name the node, not an op of one's own alone (that of g, a table op's, is not the user's)
    assert "or a node of f's graph that keeps x to a grid" in str(caught.value)


@pytest.mark.parametrize("x", [np.array(0.3), np.linspace(-1, 1, 5)], ids=["scalar", "5"])
def test_a_grain_above_a_rule_giving_0_cannot_pass(x):
    """2 x + sin(3e3 (sin(x) + 1e12)), both sins one op of the table's forward whose rule gives 0: carried up from x
    by the rules, sin(x) + 1e12 has no slope in x to read its grid by (the inner sin's 0), and that rule passed at
    every point; its own step, 41 bits coarser than sin(x)'s, shows it."""
    sin = _table_sin(0.0)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda t: 2 * t + sin((sin(t) + 1e12) * 3e3), [x])
    assert caught.value.undecided, str(caught.value)


@pytest.mark.parametrize("d", [0.25, 1.0])
def test_a_rule_giving_0_beside_a_jump_below_its_node_still_fails(d):
    """floor(x - 0.37) + sin(3 x), the sin's rule giving 0, d eps past the jump: floor's 0 leaves the sum no slope
    in x, and its own step read against floor's 0 (spacing 5e-324) took it for a coarse grid: looked at 256 eps
    out, the rule 'cannot be judged' where it failed. The step counts only beyond the finest leaf's grid too."""
    sin = _table_sin(0.0)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda t: (t - 0.37).floor() + sin(3 * t), [np.array([0.37 + d * 1e-6])])
    assert not caught.value.undecided, str(caught.value)


@pytest.mark.parametrize("shift", [1e6, 1e12])
def test_a_right_rule_beside_a_grain_read_through_a_small_gradient_still_passes(shift):
    """2 x + log(x + shift): x + shift keeps x to a grid 1e-10 or 1.2e-4 wide, but log reads it at a slope of 1 /
    shift, which no step of it moves beyond the tolerance: looked at 256 eps out, it passes."""
    assert gradcheck(lambda t: 2 * t + (t + shift).log(), [np.linspace(-1, 1, 5)])


def test_a_flat_f_of_several_blocks_passes():
    """relu(x - 10) over 40 elements: every block agrees, 0 beside 0, and has no row; it said the inputs had no
    elements (a ValueError)."""
    assert gradcheck(lambda t: (t - 10.0).relu(), [np.zeros(40)])
    assert gradcheck(lambda t: t.floor() * 2.0, [np.linspace(0.1, 0.9, 40)])


def test_a_grain_inside_f_whose_numbers_are_all_fine_is_looked_for_among_several_blocks():
    """(1e-12 x + 1 - 1) * 1e12 keeps x to steps of 2.2e-4 (222 eps), yet no number in f's graph is spaced
    eps / 4 or more: over 40 elements, each still at x +- eps, a rule giving 0 of sin(3e3 ...) left no row and
    passed (before rows were looked for there, gradcheck said the inputs had no elements)."""
    sin = _table_sin(0.0)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda t: sin(((t * 1e-12 + 1.0) - 1.0) * 3e15), [np.random.default_rng(2).uniform(-1, 1, 40)])
    assert caught.value.undecided, str(caught.value)


def test_a_step_function_of_narrow_treads_says_a_smaller_eps_tells():
    """floor(1e4 x) / 1e4 steps every 100 eps: still at x +- eps and moving on both sides within 256 eps, as a grain
    inside f would, its right rule, 0, cannot be judged; the row said to check with a larger eps, which tells
    nothing (1e-5 to 1e-3: cannot judge), where a smaller one does (1e-7: passes)."""
    f = lambda t: (t * 1e4).floor() / 1e4  # noqa: E731
    with pytest.raises(GradcheckError, match=r"moves on both sides within 256 eps .* a smaller eps tells") as caught:
        gradcheck(f, [np.array([0.30005])])
    assert caught.value.undecided
    assert gradcheck(f, [np.array([0.30005])], eps=1e-7)
