"""check=True with floor, ceil, round, trunc, % or fmod downstream measures again with them held on their stairs (as
their rules say: floor's 0, a remainder's 1) where it did not find a disagreement: dbl(x) + floor(x), dbl's rule 1
for 2, was drawn grey at 2601 (a stair: the one-sided slopes never settle) and at 6327.02 (its error under half the
stairs' slope); 13 of a 150-point sweep so. A right rule there stays grey."""

import numpy as np
import pytest

import viz
from autograd import Op, Tensor, Value
from viz.graph import all_gradients, read_graph
from viz.numeric import DISAGREE, UNMEASURED
from viz.numeric_leaves import finite_difference_checks

dbl = Op("dbl", lambda a: 2 * a, lambda g, out, a: (g,))  # rule 1, slope 2


def check_of(root, leaf):
    root.backward()
    graph = read_graph(root, None, None)
    return finite_difference_checks(root, graph.order, graph.consts, all_gradients(root, graph.order))[id(leaf)]


@pytest.mark.parametrize(
    "op, at", [("floor", 2601.0), ("ceil", 1.0), ("round", 165.5), ("trunc", 13229.0), ("floor", 6327.024837983994)]
)
def test_a_wrong_rule_beside_stairs_is_red(op, at):
    x = Value(at, label="x")
    y = dbl(x) + getattr(x, op)()
    check = check_of(y, x)
    assert check.verdict == DISAGREE and check.analytic == 1.0 and abs(check.numeric - 2.0) < 1e-6
    assert f"{op}'s stairs held still" in check.detail


def test_the_drawing_says_the_stairs_were_held():
    x = Value(2601.0, label="x")
    y = dbl(x) + x.floor()
    y.label = "y"
    drawn = viz.draw(y, backward=True, check=True).source
    assert "numeric 2 ✗ backward 1 (measured with floor's stairs held still" in drawn


@pytest.mark.parametrize("op, at", [("floor", 2601.0), ("round", 165.5), ("floor", 6327.024837983994)])
def test_a_right_rule_beside_stairs_is_not_red(op, at):
    x = Value(at, label="x")
    y = x * 2.0 + getattr(x, op)()
    assert check_of(y, x).verdict != DISAGREE
    z = Value(2601.0, label="z")
    assert check_of(z * 2.0 + z.floor(), z).verdict == UNMEASURED  # at a stair: the root jumps, grey as before


def test_a_tensors_wrong_rule_at_a_stair_is_red():
    x = Tensor(np.array([2601.0, 7.0]), requires_grad=True, label="x")
    y = (dbl(x) + x.floor()).sum()
    check = check_of(y, x)
    assert check.verdict == DISAGREE and "stairs held still" in check.detail


@pytest.mark.parametrize("at, b", [(1e15 + 0.5, 3.0), (207371497954.16196, 1.0), (955312290443.0, 0.7)])
def test_a_wrong_rule_beside_a_remainder_is_red_not_green(at, b):
    """dbl(x) + x % b at large x was drawn green, "numeric 2 ✓": steps across thousands of %'s stairs measure its
    average slope, 0, where its rule says 1, and that cancelled dbl's error (58 of 150 random points so)."""
    x = Value(at, label="x")
    check = check_of(dbl(x) + x % b, x)
    assert check.verdict == DISAGREE and abs(check.numeric - 3.0) < 1e-6 and check.analytic == 2.0
    assert "%'s stairs held still" in check.detail
    z = Value(at, label="z")
    assert check_of(z * 2.0 + z % b, z).verdict != DISAGREE  # the right rule: not red


@pytest.mark.parametrize("at", [2601.0, 1e13 + 0.5, 1e15 + 0.5])
def test_a_right_rule_that_cannot_be_measured_says_the_rest_agrees(at):
    """Grey at a stair, or where the stairs are what the check measured: it says too that with them held still the
    rest of the root agrees with backward's, which a right rule's learner wants to know."""
    x = Value(at, label="x")
    check = check_of(x * 2.0 + x.floor(), x)
    assert check.verdict == UNMEASURED
    assert check.detail.endswith("; with floor's stairs held still, as the rules say, it measures 2, as backward's")


def test_a_right_rule_whose_slope_rounding_swamps_at_the_best_step_says_the_rest_agrees():
    """tanh(x·x) + ceil(x) at 3, a stair: held still, a slope of 3.7e-7 on a root of 4 was too small to judge at the
    best step (cbrt(eps)·3), and the note said only "the one-sided slopes never settle"; wider steps judge it."""
    x = Value(3.0, label="x")
    check = check_of((x * x).tanh() + x.ceil(), x)
    assert check.verdict == UNMEASURED
    assert check.detail.endswith(
        "; with ceil's stairs held still, as the rules say, it measures 3.655e-07, as backward's"
    )


@pytest.mark.parametrize("slope, written", [(0.99999, "0.99999"), (12345.0, "12345")])
def test_the_held_measure_is_written_as_the_label_writes_numbers(slope, written):
    """The note wrote its number with :.4g: "it measures 1, as backward's" beside a grad drawn 0.99999, and
    "1.235e+04" beside 12345."""
    x = Value(2.0, label="x")
    check = check_of(x * slope + x.ceil(), x)
    assert check.detail.endswith(f"it measures {written}, as backward's")
