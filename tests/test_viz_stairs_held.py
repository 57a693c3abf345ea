"""check=True with floor, ceil, round, trunc, % or fmod downstream measures again with them held on their stairs (as
their rules say: floor's 0, a remainder's 1) where it did not find a disagreement: dbl(x) + floor(x), dbl's rule 1
for 2, was drawn grey at 2601 (a stair: the one-sided slopes never settle) and at 6327.02 (its error under half the
stairs' slope); 13 of a 150-point sweep so. A right rule there stays grey."""

import numpy as np
import pytest
from drawn_notes import unwrapped

import viz
from autograd import Op, Tensor, Value
from viz.graph import all_gradients, read_graph
from viz.labels import numeric_text
from viz.number_text import summary
from viz.numeric import AGREE, DISAGREE, UNMEASURED
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
    drawn = unwrapped(viz.draw(y, backward=True, check=True))
    assert "numeric 2 ✗ backward 1 (measured with floor's stairs held still" in drawn


@pytest.mark.parametrize("op, at", [("floor", 2601.0), ("round", 165.5), ("floor", 6327.024837983994)])
def test_a_right_rule_beside_stairs_is_not_red(op, at):
    x = Value(at, label="x")
    y = x * 2.0 + getattr(x, op)()
    assert check_of(y, x).verdict != DISAGREE
    z = Value(2601.0, label="z")
    assert check_of(z * 2.0 + z.floor(), z).verdict == AGREE  # at a stair: judged with floor held still (was grey)


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


def test_stairs_the_check_cannot_tell_from_rounding_stay_grey():
    """At 1e15 + 0.5 a step within one of floor's stairs changes the root by less than its rounding (whole_floats):
    the held measure does not decide there."""
    x = Value(1e15 + 0.5, label="x")
    assert check_of(x * 2.0 + x.floor(), x).verdict == UNMEASURED


@pytest.mark.parametrize("at", [2601.0, 1e13 + 0.5])
def test_a_right_rule_that_cannot_be_measured_is_judged_with_the_stairs_held_still(at):
    """At a stair, or where the stairs are what the check measured, the root with them held still is the root as the
    rules have it: it measures 2, backward's, so green (it was grey, the note saying the rest agrees)."""
    x = Value(at, label="x")
    check = check_of(x * 2.0 + x.floor(), x)
    assert check.verdict == AGREE and check.numeric == pytest.approx(2.0)
    assert check.detail == "measured with floor's stairs held still, as the rules say"
    w = Value(at, label="w")
    assert check_of(dbl(w) + w.floor(), w).verdict == DISAGREE  # a wrong rule there: red


def test_a_right_rule_whose_slope_rounding_swamps_at_the_best_step_is_judged_with_the_stairs_held():
    """tanh(x·x) + ceil(x) at 3, a stair: held still, a slope of 3.7e-7 on a root of 4 was too small to judge at the
    best step (cbrt(eps)·3); wider steps judge it: 3.655e-07, backward's, green (it was grey saying so), and a rule
    1.5 times tanh's red."""
    x = Value(3.0, label="x")
    check = check_of((x * x).tanh() + x.ceil(), x)
    assert check.verdict == AGREE and numeric_text(check) == "3.655e-07"
    wide = Op("wide_tanh", np.tanh, lambda g, out, a: (g * 1.5 * (1 - np.tanh(a) ** 2),))
    w = Value(3.0, label="w")
    assert check_of(wide(w * w) + w.ceil(), w).verdict == DISAGREE


@pytest.mark.parametrize("slope, written", [(0.99999, "0.99999"), (12345.0, "12345")])
def test_the_held_measure_is_written_as_the_label_writes_numbers(slope, written):
    """The note wrote its number with :.4g: "it measures 1, as backward's" beside a grad drawn 0.99999, and
    "1.235e+04" beside 12345; now the held measure is the check, written as the label writes it."""
    x = Value(2.0, label="x")
    check = check_of(x * slope + x.ceil(), x)
    assert check.verdict == AGREE and numeric_text(check) == written


def test_the_stairs_notes_write_sizes_as_the_drawing_writes_numbers():
    """whole_floats' notes wrote sizes with :.3g, "of size 9.01e+15" beside x drawn 9.007e+15; now with summary,
    the one way the drawing writes a number."""
    x = Value(2.0**53, label="x")
    check = check_of(x * 2.0 + x.floor(), x)
    assert f"of size {summary(2.0**53)} here" in check.detail and "9.01e+15" not in check.detail
