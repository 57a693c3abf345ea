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


@pytest.mark.parametrize("at", [0.3, 5.0, 1e3])
def test_a_wrong_rule_beside_stairs_it_does_not_cross_stays_red(at):
    """triple(x)·1e15 + floor(x) at 0.3, triple's rule 2 where 3 is right: "numeric 3e+15 ✗ backward 2e+15" was drawn
    grey, "a step within one of its stairs changes the root by less than the check allows": the root's 1e15 made
    floor's stairs count as lost, though no step tried crosses one (floor(0.3 ± 6e-6) is 0) and they explain
    none of the 1e15 the slopes differ by. Only a disagreement the stairs' own slope explains is grey."""
    from autograd import Op

    triple = Op("triple", lambda a: 3 * a, lambda g, out, a: (2 * g,))
    x = Value(at, label="x")
    y = triple(x) * 1e15 + x.floor()
    y.backward()
    assert check_of_all(y, x).verdict == DISAGREE
    assert "✗" in viz.draw(y, check=True).source


def test_a_wrong_rule_beside_a_floor_of_a_number_past_two_to_the_52_that_does_not_move_stays_red():
    """floor(x·0 + 2**53) rounds a whole float that moving x leaves as it is: it was reason enough to draw a rule off
    by a third (3e16 beside 2e16) grey ("every float is a whole number"), though its stairs add nothing to the slope."""
    from autograd import Op

    triple = Op("triple", lambda a: 3 * a, lambda g, out, a: (2 * g,))
    x = Value(0.3, label="x")
    y = triple(x) * 1e16 + (x * 0.0 + 2.0**53).floor()
    y.backward()
    assert check_of_all(y, x).verdict == DISAGREE


def test_a_tensors_wrong_rule_beside_stairs_it_does_not_cross_stays_red():
    from autograd import Op

    triple = Op("triple", lambda a: 3 * a, lambda g, out, a: (2 * g,))
    t = Tensor(np.array([0.3, 0.4, 0.7]), requires_grad=True, label="t")
    loss = (triple(t) * 1e15).sum() + autograd.floor(t).sum()
    loss.backward()
    assert "✗" in viz.draw(loss, check=True).source


def check_of_all(root: Value, leaf: Value):
    graph = read_graph(root, None, None)
    return finite_difference_checks(root, graph.order, graph.consts, all_gradients(root, graph.order))[id(leaf)]


@pytest.mark.parametrize("at", [1e15, 4e15 + 0.5, 2.0**53, 1e17])
def test_a_wrong_rule_beside_stairs_it_does_cross_stays_red_where_they_explain_only_part(at):
    """double(x) + floor(x), double's rule 1 where 2 is right: the check measures 3 (floor's stairs as a slope of 1),
    backward says 1. floor's stairs explain 1 of the 2 they differ by, not the rest: it was drawn grey, red now."""
    from autograd import Op

    double = Op("double", lambda a: 2 * a, lambda g, out, a: (g,))
    x = Value(at, label="x")
    y = double(x) + x.floor()
    y.backward()
    assert check_of_all(y, x).verdict == DISAGREE
    right = Value(at, label="x")
    z = 2.0 * right + right.floor()
    z.backward()
    assert check_of_all(z, right).verdict == UNMEASURED


@pytest.mark.parametrize("op", ["floor", "ceil", "round", "trunc"])
@pytest.mark.parametrize("at", [1e10, 1e10 + 0.5, 1e12 + 0.3])
def test_a_wrong_rule_beside_stairs_a_finer_step_sees_through_stays_red(op, at):
    """double(x) + floor(x), double's rule 1: wider steps measure 3 (the stairs a slope of 1), finer ones 2, backward
    says 1. The finer step's leaving 3 was taken for stairs alone, and the rule drawn grey ("the measured slope
    depends on the step"); the slope it reached is still not backward's: red, as it was before. With 2·x, right, the
    finer step reaches backward's 2: grey."""
    from autograd import Op

    double = Op("double", lambda a: 2 * a, lambda g, out, a: (g,))
    x = Value(at, label="x")
    y = double(x) + getattr(x, op)()
    y.backward()
    assert check_of_all(y, x).verdict == DISAGREE
    right = Value(at, label="x")
    z = 2.0 * right + getattr(right, op)()
    z.backward()
    assert check_of_all(z, right).verdict != DISAGREE


@pytest.mark.parametrize("at", [1e17, 3e17, 7e17])
def test_a_wrong_rule_of_a_smooth_op_whose_rounding_grows_at_fine_steps_stays_red(at):
    """exp(x·1e-15) at 1e17 (exp(100) = 2.7e43), its rule 10% high: the finest steps' one-sided slopes scatter by
    more than the check's rounding allowance (exp multiplies the rounding of its argument by 100), and that scatter
    was taken for stairs: grey, "the measured slope depends on the step (2.688e+28 with larger steps, 2.688e+28 at
    6.1e+03)". Red, as before: no finer step reached backward's 2.957e+28."""
    from autograd import Op

    grown = Op("grown", lambda a: np.exp(a * 1e-15), lambda g, out, a: (g * 1.1e-15 * np.exp(a * 1e-15),))
    x = Value(at, label="x")
    y = grown(x)
    y.backward()
    assert check_of_all(y, x).verdict == DISAGREE


@pytest.mark.parametrize("at", [1e10, 1e13, 1e15, 1e17])
@pytest.mark.parametrize("n", [5, 100])
def test_a_tensors_wrong_rule_beside_stairs_it_crosses_stays_red(at, n):
    """floor(t).sum() + triple(t).sum(), triple's rule 2: grey at every size from 1e10 to 1e17, element by element
    (5) and in blocks (100), as the stairs were taken to explain any disagreement; with 2·t, right, grey still."""
    from autograd import Op

    triple = Op("triple", lambda a: 3 * a, lambda g, out, a: (2 * g,))
    rng = np.random.default_rng(0)
    data = at + rng.integers(0, 1000, n) + rng.choice([0.0, 0.25, 0.5], n)
    t = Tensor(data, requires_grad=True, label="t")
    wrong = autograd.floor(t).sum() + triple(t).sum()
    wrong.backward()
    assert "✗" in viz.draw(wrong, check=True).source
    s = Tensor(data, requires_grad=True, label="t")
    right = autograd.floor(s).sum() + (2.0 * s).sum()
    right.backward()
    assert "✗" not in viz.draw(right, check=True).source


@pytest.mark.parametrize("at", [1e10 + 0.3, 1e15, 1e17])
@pytest.mark.parametrize("op", ["%", "fmod"])
def test_a_wrong_rule_beside_a_remainder_it_crosses_stays_red(at, op):
    """x % 7 + double(x), double's rule 3: the check measures 2 (the remainder's sawtooth, crossed, as slope 0),
    backward says 4; the sawtooth accounts for 1 of the 2 they differ by. Grey on main from 1e10 on, red now."""
    from autograd import Op

    double = Op("double", lambda a: 2 * a, lambda g, out, a: (3 * g,))
    x = Value(at, label="x")
    rem = x % 7.0 if op == "%" else autograd.fmod(x, 7.0)
    y = rem + double(x)
    y.backward()
    assert check_of_all(y, x).verdict == DISAGREE


@pytest.mark.parametrize("x", [4.4e7, 3e8])
def test_a_rule_off_by_less_than_the_differences_error_is_not_ticked(x):
    """exp(1e-15 x) at 4.4e7: its finite difference is good to ±13%, so a rule 10% high read "numeric 1e-15 ✓" beside
    a grad of 1.1e-15 (any rule within a quarter was ticked). A ✓ now says a rule 1% off would have shown; coarser
    differences judge nothing, for a wrong rule and for the right one alike."""
    from autograd import Op

    for k in (1.1, 1.0):
        ex = Op("ex", lambda a: np.exp(a * 1e-15), lambda g, out, a, k=k: (g * k * 1e-15 * np.exp(a * 1e-15),))
        v = Value(x, label="x")
        checked = check_of(ex(v), v)
        assert checked.verdict in (TOO_SMALL, DISAGREE)
        assert "✓" not in viz.draw(ex(v), check=True).source
