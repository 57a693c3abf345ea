"""check=True and a rule of 0 where the root's move is small: x³ + 1 at -8.95e-5 moves 2.4e-8 per unit, a curve that
term_bends took for wiggles at the steps that see it (its central slope moving 1.5e-3 of itself, Taylor's h², beside
a gap a hundred times that), and the finer steps scaled by |x| never move the root, where 0 == 0 was drawn green. A
smooth bend judges again, and an equal 0 where nothing moved agrees only where nothing else could: not where a wider
step saw the root move, nor where an op's rounding may have kept it still (tanh at 37: every rule giving 0 agrees)."""

import math

import numpy as np
import pytest

from autograd import Op, Tensor, Value
from viz.check_verdicts import AGREE, DISAGREE, UNMEASURED
from viz.graph import all_gradients, read_graph
from viz.numeric_leaves import finite_difference_checks


def check_of(root, leaf):
    root.backward()
    graph = read_graph(root, None, None)
    return finite_difference_checks(root, graph.order, graph.consts, all_gradients(root, graph.order))[id(leaf)]


def cube(times):
    """x³ with a rule `times` the right one's; times None: a rule of -1."""
    rule = (lambda g, out, a: (g * -1.0,)) if times is None else (lambda g, out, a: (g * times * 3 * a * a,))
    return Op("p3", lambda a: a**3, rule)


@pytest.mark.parametrize("times", [0.0, None, 1.5, 2.0, -1.0])
def test_a_wrong_rule_of_x_cubed_beside_one_is_red(times):
    x = Value(-8.95e-5, label="x")
    assert check_of(cube(times)(x) + 1.0, x).verdict == DISAGREE


def test_the_right_rule_of_x_cubed_beside_one_is_not_red():
    x = Value(-8.95e-5, label="x")
    assert check_of(cube(1.0)(x) + 1.0, x).verdict != DISAGREE


@pytest.mark.parametrize(
    "f, at",
    [
        (lambda x: cube(0.0)(x) + 1.0, 7.792136235998167e-12),  # x³'s move, 2e-16, rounds away in the sum
        (lambda x: Op("e", np.exp, lambda g, out, a: (g * 0.0,))(x) + 1.0, -74.31598022548779),  # exp's, 7e-33
    ],
)
def test_a_rule_of_zero_where_rounding_keeps_the_root_still_is_not_green(f, at):
    x = Value(at, label="x")
    assert check_of(f(x), x).verdict != AGREE


@pytest.mark.parametrize("times", [1.0, 2.0, 1.5, -1.0])
def test_saturated_tanh_cannot_tell_its_rules_apart(times):
    """1 − tanh² is exactly 0 at 37, and so is 2(1 − tanh²): the same 0, the same grey, saying why."""
    tanh = Op("utanh", np.tanh, lambda g, out, a: (g * times * (1 - np.tanh(a) ** 2),))
    x = Value(37.38720601958683, label="x")
    check = check_of(tanh(x) + 1.0, x)
    assert check.verdict == UNMEASURED and "cannot tell the rules apart" in check.detail


@pytest.mark.parametrize(
    "f, at",
    [
        (lambda x: (x - 5.0).relu() + 1.0, 3.0),  # relu's 0 below 0 is a slope of 0, exactly
        (lambda x: x * 0.0 + 2.0, 1.5),  # a product with 0
    ],
)
def test_a_zero_where_the_move_stops_exactly_stays_green(f, at):
    x = Value(at, label="x")
    assert check_of(f(x), x).verdict == AGREE


def test_an_own_op_complex_beside_x_is_outside_its_domain_not_a_crash():
    """x ** 2.5 of a Python float is complex below 0: at 5.3e-12 the step x − h was, and check=True raised a
    TypeError ("float() argument must be ... not 'complex'"); the root is undefined there, as where an op refuses."""
    p25 = Op("p25", lambda a: a**2.5, lambda g, out, a: (g * 2.5 * a**1.5,))
    x = Value(5.276649658316458e-12, label="x")
    assert check_of(p25(x) + 1.0, x).verdict != DISAGREE


@pytest.mark.parametrize("at", [1.5, 0.3, 3.5e-6])
def test_a_saturated_tanh_reads_alike_for_a_leaf_below_one(at):
    """tanh(b + 1e6) stays 1 as b moves: at b = 1.5 every rule giving 0 agrees and the note says so; below 1 the finer
    steps, scaled by |b|, never move b + 1e6 at all, and their "too small to judge, ±88" outranked that note (the
    micrograd neuron's b of 3.5e-6 beside w1 = -1e6 read so, its x1, x2, w1 and w2 "cannot tell the rules apart")."""
    b = Value(at, label="b")
    check = check_of((b + 1e6).tanh(), b)
    assert check.verdict == UNMEASURED and "cannot tell the rules apart" in check.detail


def test_an_element_a_pick_leaves_out_is_not_taken_for_rounding():
    """X[0]·2 leaves X[1] and X[2] out exactly, as an embedding leaves out the rows it does not look up: the move of
    X[1] stops at getitem, whose output holds X[0] (nonzero), and that was taken for rounding keeping it still: X
    drew grey, "getitem stays put ... as rounding can" (green before); so did nn.Embedding's weight."""
    x = Tensor(np.array([1.0, 5.0, 3.0]), label="X", requires_grad=True)
    assert check_of(x[0] * 2.0, x).verdict == AGREE
    table = Tensor(np.array([[0.5, -0.3], [0.8, 0.1], [0.2, 0.7]]), label="W", requires_grad=True)
    assert check_of((table[np.array([0, 2])].tanh() * 1.0).sum(), table).verdict == AGREE


def square(rule):
    return Op("sq", lambda a: a * a, lambda g, out, a: (g * rule(a),))


def sine(rule):
    return Op("s", math.sin, lambda g, out, a: (g * rule(a),))


LEVEL = {  # where the root moves and its central slope is 0 within rounding, beside the right rule's tiny slope
    "x² at 1e-200 (x² underflows)": (lambda r: square(r), 1e-200, lambda a: 2 * a),
    "x² + 1 at 7.7e-12 (x² lost in the 1)": (lambda r: lambda x: square(r)(x) + 1.0, 7.7e-12, lambda a: 2 * a),
    "sin at the float nearest π/2": (lambda r: sine(r), math.pi / 2, math.cos),
    "sin at the float nearest 5π/2": (lambda r: sine(r), math.pi / 2 + 2 * math.pi, math.cos),
}


@pytest.mark.parametrize("case", LEVEL)
def test_a_rule_of_zero_where_the_slope_is_zero_within_rounding_cannot_tell_the_rules_apart(case):
    """A rule of 0 read '✓ numeric 0' beside cos(π/2) = 6e-17 and 2x = 2e-200, which no step could tell from 0."""
    f, at, _ = LEVEL[case]
    x = Value(at, label="x")
    check = check_of(f(lambda a: 0.0)(x), x)
    assert check.verdict == UNMEASURED and "cannot tell the rules apart" in check.detail


@pytest.mark.parametrize("case", LEVEL)
def test_the_right_rule_where_the_slope_is_zero_within_rounding_is_not_red(case):
    f, at, right = LEVEL[case]
    x = Value(at, label="x")
    assert check_of(f(right)(x), x).verdict != DISAGREE


def test_a_rule_of_zero_beside_a_slope_a_finer_step_measures_is_red():
    """x² at 1e-28: steps of 6e-6 lose x in x ± h and measure 0 (± 3e-21); steps of |x| measure 2e-28."""
    x = Value(1e-28, label="x")
    assert check_of(square(lambda a: 0.0)(x), x).verdict == DISAGREE


@pytest.mark.parametrize("at", [1e-120, -1e-150])
def test_a_rule_of_zero_where_the_op_underflows_to_zero_is_not_green(at):
    """x³ at 1e-120 is 0 in floats, and so is (x ± h)³ at steps of |x|: its 0 stayed put by underflow, not exactly,
    and a rule of 0 read '✓ numeric 0' beside the right 3x² = 3e-240."""
    cube_of_zero = Op("c", lambda a: a * a * a, lambda g, out, a: (g * 0.0,))
    x = Value(at, label="x")
    check = check_of(cube_of_zero(x), x)
    assert check.verdict == UNMEASURED and "cannot tell the rules apart" in check.detail


@pytest.mark.parametrize(
    "f, at",
    [
        (lambda x: Op("r", lambda a: max(a, 0.0), lambda g, out, a: (g * (a > 0),))(x) + 1.0, -3.0),  # own relu
        (lambda x: (Tensor(np.array([[0.0, 2.0]])) @ x).sum(), np.array([[1.5], [-0.5]])),  # a weight of a feature 0
    ],
)
def test_a_zero_the_op_ignores_the_move_at_stays_green(f, at):
    x = Value(at, label="x") if np.ndim(at) == 0 else Tensor(at, requires_grad=True)
    assert check_of(f(x), x).verdict == AGREE
