"""gradcheck of a float32 input where a rule of one's own overflows in float32 alone: softplus with the rule
g * exp(x) / (1 + exp(x)) at x = 100 has a float32 forward of 100.0, a float64 gradient of 1.0, and a float32
gradient of NaN (inf / inf): training in float32 gets NaN there. The entry was not judged ("float32 overflows
sooner") and the check passed; PyTorch's gradcheck given float32 inputs fails it (its Jacobian has NaN). Where f's
float32 run is finite at every node and the float64 gradient fits float32, a gradient that is not finite there fails,
naming the rule's overflow; where a node of f overflows in float32 alone, it still cannot be judged."""

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Op, Tensor


def _softplus(x):
    return np.logaddexp(0, x)


naive = Op("naive_softplus", _softplus, lambda g, out, x: (g * np.exp(x) / (1 + np.exp(x)),))
stable = Op("softplus", _softplus, lambda g, out, x: (g * ag.sigmoid(x),))
X = np.array([100.0, 1.0], dtype=np.float32)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the float64 note, numpy's overflow in the naive rule
        yield


def test_a_rule_overflowing_in_float32_where_its_gradient_fits_fails():
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(naive, [X])
    message = str(info.value)
    assert not info.value.undecided
    assert "the gradient of input 0[0] is nan when f is given it in its own dtype (float32)" in message
    assert "a rule overflows in float32" in message
    assert ag.gradcheck(naive, [X.astype(np.float64)])  # right in float64
    assert ag.gradcheck(stable, [X])


def test_gradcheck_params_fails_it_too():
    p = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(GradcheckError, match="nan when loss\\(\\) runs with it in its own dtype"):
        ag.gradcheck_params(lambda: naive(p).sum(), [p])


def test_a_gradient_beyond_float32_or_a_forward_overflowing_there_still_is_not_judged():
    """exp(x) at 100: its float64 gradient, 2.7e43, does not fit float32 (inf there is right); x**3 * x**3 at 3e6
    overflows in f's float32 forward: neither says anything of the rules."""
    exp = Op("exp", np.exp, lambda g, out, x: (g * out,))
    assert ag.gradcheck(exp, [np.array([100.0], dtype=np.float32)])
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(lambda t: ((t**3) * (t**3) + 1.0).sqrt().sum(), [np.array([3e6, 4e6], dtype=np.float32)])
    assert info.value.undecided


@pytest.mark.parametrize(
    "f, at",
    [
        # x * x underflows to 0 in float32 (1e-60 in float64): sqrt's slope there is inf
        (lambda x: (x * x).sqrt().sum(), [1e-30]),
        # x * 1e-30 is subnormal in float32 (1.4e-45 for 1e-45): log's slope 1 / it, 7e44, is beyond float32
        (lambda x: (x * 1e-30).log().sum(), [1e-15]),
        # y * y is 1e-40 there, and the quotient's slope in it, -1e50 in float64 too, is beyond float32
        (lambda x, y: (x / (y * y)).sum(), [1e-30, 1e-20]),
        # polygamma's rule, g * polygamma(2, x), overflows in float32 at 1e-15 (-2e45) where the gradient is -2e15:
        # the table's rule, as PyTorch's, not the user's
        (lambda x: ag.FUNCTIONS["acosh"](ag.FUNCTIONS["polygamma"](x) * 0.5).sum(), [1e-15]),
    ],
)
def test_the_tables_right_rules_are_not_said_to_overflow_where_float32_cannot_hold_what_f_computes(f, at):
    # they failed "a rule overflows in float32 (exp of a large number inside it ...)", where the float64 rows cannot
    # be judged and no rule is wrong: float32 lost a number f computes, or holds no gradient of one of its nodes, or
    # a rule of the table's overflows there (f reaches no op of one's own)
    inputs = [np.array([a], dtype=np.float32) for a in at]
    try:
        ag.gradcheck(f, inputs)
    except GradcheckError as e:
        assert e.undecided, str(e)
        assert "a rule overflows" not in str(e)
