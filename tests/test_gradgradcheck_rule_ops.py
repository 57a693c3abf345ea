"""gradgradcheck where a rule of one's own computes with another op of one's own: the second derivative runs that
op's rule, and a wrong one there failed gradgradcheck with the error naming only the ops f's graph holds and blaming
a rule that reads raw data (softplus, its rule g * sig(x) with sig an op whose rule has the wrong sign: 'f reaches
an op of your own 'softplus': the likely cause is a rule that reads raw data'), which it does not. The op the rules
use is checked alone, and the error names it and its table."""

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Op, Tensor, raw


def _sig(x):
    return 1 / (1 + np.exp(-x))


def sig_op(sign: float) -> Op:
    """The logistic sigmoid, its rule sign * g * s * (1 - s) (1 is right)."""
    return Op("sig", _sig, lambda g, out, x: (sign * g * out * (1 - out),))


def softplus_through(sig: Op) -> Op:
    """softplus, its rule g * sig(x): right, its own derivative sig's rule."""
    return Op("softplus", lambda x: np.logaddexp(0, x), lambda g, out, x: (g * sig(x),))


X = np.array([0.3, -2.0, 1.5])


@pytest.mark.parametrize("point", [X, 0.3], ids=["tensor", "value"])
def test_a_wrong_rule_of_an_op_a_rule_uses_is_named_with_its_own_table(point):
    op = softplus_through(sig_op(-1.0))
    assert ag.gradcheck(op, [point])  # its first derivative is right
    with pytest.raises(GradcheckError) as info:
        ag.gradgradcheck(op, [point])
    message = str(info.value)
    assert message.startswith("gradgradcheck: the second derivative of f fails")
    named = "The rule of 'softplus' computes with 'sig', an op of your own whose own rule fails gradcheck alone"
    assert named in message
    assert "reads raw data" not in message
    alone = message[message.index("fails gradcheck alone") :]
    assert "disagree with finite differences" in alone and "<- fails" in alone


def test_a_right_op_inside_a_rule_passes_and_a_raw_reading_rule_is_still_blamed_as_before():
    assert ag.gradgradcheck(softplus_through(sig_op(1.0)), [X])
    raw_rule = Op("raw_softplus", lambda x: np.logaddexp(0, x), lambda g, out, x: (g * sig_op(1.0)(raw(x)),))
    with pytest.raises(GradcheckError) as info:
        ag.gradgradcheck(raw_rule, [Tensor(X, requires_grad=True)])
    assert "reads raw data" in str(info.value) and "fails gradcheck alone" not in str(info.value)


def test_an_inner_op_at_numbers_gradcheck_refuses_leaves_the_second_derivatives_failure_as_it_is():
    # cube's rule reads raw(x) (its second derivative is 0) beside an op of one's own given x * 1e12: that op's check
    # alone, at 3e11, raised gradcheck's ValueError ("input 0[0] = 300000000000.0 ...") in place of the failure
    inner = Op("inner", lambda u: 3e-24 * u * u, lambda g, out, u: (g * 6e-24 * u,))
    cube = Op("cube", lambda x: x**3, lambda g, out, x: (g * 3 * ag.raw(x) ** 2 + 0 * inner(x * 1e12),))
    with pytest.raises(GradcheckError) as info:
        ag.gradgradcheck(cube, [np.array([0.3, 0.5])])
    assert not info.value.undecided and "the likely cause is a rule that reads raw data" in str(info.value)
