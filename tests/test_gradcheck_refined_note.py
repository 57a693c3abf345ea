"""The note under a failed gradcheck's table where a row's numeric slope was taken at steps below eps: it said "f
curves within eps at input 0[0] ... where they shrank as a smooth f's do" of abs at 0.2 (a rule of one's own whose
sign flips at 0.5, not 0), where f is straight and the smaller steps only confirmed the difference at eps: a user
hunting a bug was sent looking for a bend. It now says what was done, true of either case."""

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Op, tensor_ops


def test_a_straight_f_is_not_said_to_curve():
    op = Op("abs_flipped_at_half", np.abs, lambda g, out, x: (g * np.sign(x - 0.5),))
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(op, [np.array([0.2, 1.0])])
    message = str(info.value)
    assert "<- fails" in message
    assert "curves within eps" not in message and "shrank as a smooth f's do" not in message
    assert "input 0[0]: the numeric slope is extrapolated from central differences at eps / 2, eps / 4, ..." in message


def test_a_curving_f_is_said_to_be_extrapolated():
    """sin's own forward (the table's, whose rounding gradcheck trusts) with a rule 3% off, at 3e6 x: it turns 3 rad
    over eps, and the slope is extrapolated from smaller steps (the difference at eps is -133876, the slope -2.85e6)."""
    op = Op("sin_3pc", tensor_ops.OPS["sin"].forward, lambda g, out, x: (1.03 * g * ag.cos(x),))
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(lambda x: op(3e6 * x), [np.array([0.3])])
    message = str(info.value)
    assert "<- fails" in message
    assert "(Richardson's) where they shrink as a smooth f's do, f curving within eps" in message


def test_a_forward_that_does_not_move_is_named_beside_the_rule():
    """A forward keeping a cache by shape (its value at x + eps is the one at x): every row's difference is 0 where
    the rule gives 2 x, and the fix line blamed the rule alone."""
    cache = {}

    def cached_square(x):
        if x.shape not in cache:
            cache[x.shape] = x * x
        return cache[x.shape]

    op = Op("cached_square", cached_square, lambda g, out, x: (2 * g * x,))
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(op, [np.array([0.3, 0.2])])
    message = str(info.value)
    assert "f took the same value at x + eps and x - eps where the rule gives a slope (input 0[0], input 0[1])" in (
        message
    )
    assert "or a forward that does not compute from the numbers it is given" in message


def test_a_turning_point_is_not_said_to_be_where_f_did_not_move():
    """x * x at 0 with the rule 2 g (x + 1): f moves by eps**2 on both sides, its difference is 0, and the fix line
    said "f did not move at x +- eps", sending the reader to look for a cache."""
    op = Op("sq", lambda x: x * x, lambda g, out, x: (2 * g * (x + 1),))
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(lambda x: op(x).sum(), [np.array([0.0, 0.0])])
    message = str(info.value)
    assert "did not move" not in message
    assert "f took the same value at x + eps and x - eps where the rule gives a slope (input 0[0], input 0[1])" in (
        message
    )
    assert "a rule giving a slope where f is flat or turns (x * x at 0)" in message
