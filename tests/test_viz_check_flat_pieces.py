"""check=True where an op flat in pieces is exactly flat: max's other elements, clip past a bound, hardtanh at 2,
maximum's smaller input, a max pool's elements no window picks. Their rules' 0 there were drawn grey ("stays put as
its input moves, as rounding can"), as a saturated tanh's, which in floats is as flat: the op table's flat_pieces
tells them apart. A rule that is not 0 where rounding holds the op still (hardsigmoid's 1/6) stays grey, a wrong
rule where the op is flat red, and an op of one's own, of which nothing is known, grey as before."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Op, Tensor, Value
from autograd.tensor_ops import OPS
from viz.check_verdicts import AGREE, DISAGREE, UNMEASURED
from viz.graph import all_gradients, read_graph
from viz.numeric_leaves import finite_difference_checks


def check_of(root, leaf):
    root.backward()
    graph = read_graph(root, None, None)
    return finite_difference_checks(root, graph.order, graph.consts, all_gradients(root, graph.order))[id(leaf)]


def tensor(*xs):
    return Tensor(np.array(xs, dtype=np.float64), requires_grad=True)


FLAT = {
    "max's other elements": lambda: (x := tensor(1.0, 3.0, 2.0), x.max() * 2.0),
    "max over rows, 5 beside another row's max of 5": lambda: (
        x := Tensor(np.array([[1.0, 5.0], [5.0, 7.0]]), requires_grad=True),
        x.max(axis=1).sum(),
    ),
    "clip past both bounds": lambda: (x := tensor(1.0, 5.0, -2.0), x.clip(0.0, 2.0).sum()),
    "clamp past its bound": lambda: (x := tensor(3.0), x.clamp(0.0, 2.0).sum()),
    "hardtanh at 2": lambda: (x := tensor(2.0), autograd.hardtanh(x).sum()),
    "hardtanh of a Value at 2": lambda: (x := Value(2.0), x.hardtanh() + 1.0),
    "hardsigmoid at 5": lambda: (x := tensor(5.0), autograd.hardsigmoid(x).sum()),
    "threshold's value": lambda: (x := tensor(-1.0, 2.0), autograd.threshold(x, threshold=0.5, value=3.0).sum()),
    "median's other elements": lambda: (x := tensor(4.0, 1.0, 2.0), x.median() * 3.0),
    "sign away from 0": lambda: (x := tensor(2.5), autograd.sign(x).sum() * 2.0),
    "a max pool's input": lambda: (
        x := Tensor(np.random.default_rng(0).standard_normal((1, 1, 4, 4)), requires_grad=True),
        nn.MaxPool2d(2)(x).sum(),
    ),
}


@pytest.mark.parametrize("case", FLAT)
def test_a_right_rule_where_the_op_is_exactly_flat_is_green(case):
    x, root = FLAT[case]()
    assert check_of(root, x).verdict == AGREE


@pytest.mark.parametrize("case", ["smaller a", "smaller b"])
def test_maximums_smaller_input_is_green(case):
    a, b = (Value(1.0), Value(3.0)) if case == "smaller a" else (Value(3.0), Value(1.0))
    leaf = a if case == "smaller a" else b
    assert check_of(autograd.maximum(a, b) + 0.0, leaf).verdict == AGREE


WRONG = {  # a rule passing g where the op is flat too: the root stays put, the rule says 1
    "clip past its bound": ("clip", lambda g, out, x, *, lo, hi: (g,), lambda x: x.clip(0.0, 2.0).sum(), 3.0),
    "relu below 0": ("relu", lambda g, out, x: (g,), lambda x: x.relu().sum() + 1.0, -3.0),
    "max's other elements": ("max", lambda g, out, x, *, axis, keepdims: (g + 0 * x,), lambda x: x.max() * 2.0, None),
}


@pytest.mark.parametrize("case", WRONG)
def test_a_wrong_rule_where_the_op_is_flat_is_red(case, monkeypatch):
    name, rule, f, at = WRONG[case]
    monkeypatch.setattr(OPS[name], "vjp", rule)
    x = tensor(at) if at is not None else tensor(1.0, 3.0, 2.0)
    assert check_of(f(x), x).verdict == DISAGREE


def test_a_rule_not_zero_where_rounding_holds_the_op_still_is_not_green():
    """hardsigmoid at 1e-20 of a leaf at 1: its move of 1e-26 is lost in 0.5, but its rule is 1/6 there: no flat
    piece, so the stillness is rounding's and a rule of 0 agreeing with it tells nothing."""
    zero = Op("z", lambda a: a * 1e-20, lambda g, out, a: (g * 0.0,))
    x = tensor(1.0)
    assert check_of(autograd.hardsigmoid(zero(x)).sum(), x).verdict != AGREE


def test_an_own_op_flat_past_a_bound_stays_grey():
    """Nothing is known of a user's op: its stillness may be rounding's, as a saturated tanh's."""
    clip = Op("uclip", lambda a: np.clip(a, 0.0, 2.0), lambda g, out, a: (g * ((a >= 0) & (a <= 2)),))
    x = tensor(3.0)
    check = check_of(clip(x).sum(), x)
    assert check.verdict == UNMEASURED and "cannot tell the rules apart" in check.detail


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("values", [(2.0, 2.0, 2.0), (1.0, 2.0, 2.0, 2.0, 5.0), (2.0, 2.0, 2.0, 3.0)])
def test_a_median_tied_at_its_pick_is_grey_with_a_note_saying_so(values, dtype):
    """A tie of three at the median stays put as any one of them moves, both ways: flat in each place, yet its rule
    (PyTorch's too) shares 1/3 among them, a choice where the median has no derivative, not a wrong rule. It was drawn
    red ("1 ≠ numeric 0"), as a rule of 1 past clip's bound is (float32's always; float64's "too steep to measure")."""
    x = Tensor(np.array(values, dtype=dtype), requires_grad=True)
    check = check_of(x.median() * 3.0, x)
    assert check.verdict == UNMEASURED and "tie" in check.detail


def test_a_wrong_rule_beside_another_rows_equal_pick_is_red(monkeypatch):
    """X[1, 0] = 5 is no pick of its row (7 is), though row 0's max is 5 too: a rule of 1 there is wrong, not a tie's
    share."""
    right = OPS["max"].vjp

    def one_too_many(g, out, x, *, axis, keepdims):
        bump = np.zeros(np.shape(x))
        bump[1, 0] = 1.0
        return (right(g, out, x, axis=axis, keepdims=keepdims)[0] + bump,)

    monkeypatch.setattr(OPS["max"], "vjp", one_too_many)
    x = Tensor(np.array([[1.0, 5.0], [5.0, 7.0]]), requires_grad=True)
    assert check_of(x.max(axis=1).sum(), x).verdict == DISAGREE


@pytest.mark.parametrize("at", [1e-6, 1e-9])
def test_a_rule_of_0_near_hardswishs_vertex_is_not_green(at, monkeypatch):
    """hardswish(x·1e-8 − 1.5) at x = 1e-6: the middle piece's slope, x/3 + 1/2, is 0 at −1.5, so the measure's moves
    (6e-14 there) and the short move that tells a flat piece (64 eps) leave it as still as a flat piece; read as one,
    a rule of 0 was drawn green where the slope is 3.3e-23 (the right rule's 3.3e-23 is "too small to judge")."""
    monkeypatch.setattr(OPS["hardswish"], "vjp", lambda g, out, x: (g * 0.0,))
    x = tensor(at)
    check = check_of(autograd.hardswish(x * 1e-8 - 1.5).sum(), x)
    assert check.verdict == UNMEASURED and "stays put as its input moves, as rounding can" in check.detail


def test_a_wrong_rule_on_hardswishs_flat_piece_beside_an_element_near_its_vertex_is_red(monkeypatch):
    """hardswish of [-5, -1.9], its rule 1 at -5 where it is exactly flat: red, as beside 0.3. Only the places moved
    tell whether a move lies where hardswish rises slowly; -1.9, not moved, made -5's flat piece unread ("too steep
    to measure", grey)."""
    right = OPS["hardswish"].vjp
    monkeypatch.setattr(OPS["hardswish"], "vjp", lambda g, out, x: (right(g, out, x)[0] + g * (x < -3),))
    x = tensor(-5.0, -1.9)
    check = check_of(autograd.hardswish(x).sum(), x)
    assert check.verdict == DISAGREE and check.part == "element [0]"


def test_float32_hardswish_just_below_its_vertex_is_green():
    """At -1.5 - 8 ulps in float32 the rule's x/3 + 1/2 cancelled to -2.98e-7 where the slope is -3.179e-7: red, by
    the rule's own rounding; (x + 1.5)/3 keeps the digits."""
    x = Tensor(np.array([np.float32(-1.5) - 8 * np.spacing(np.float32(1.5))]), requires_grad=True)
    assert check_of(autograd.hardswish(x).sum(), x).verdict == AGREE
