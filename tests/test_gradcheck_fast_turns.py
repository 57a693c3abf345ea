"""gradcheck of sin(x**2) at large x, which turns 2 x eps radians over eps (0.64 at 3.2e5, 244 at 1.2e8) and
whose rounding grows as x**2 (3 of its range of 2 at 1.2e8): no step judges it within the tolerance there,
and its right rule must not fail. It failed: at 3.2e5 read as a kink (its one-sided slopes parting alike at 2
and 4 eps), at 5.7e6 to 1.2e8 (12 of 30 points) judged by differences that moved as a smooth f's by chance or
within rounding; and a rule 1% off at 1.27e5 passed, agreeing at eps where the smaller steps said the
difference there was 2718 off. Right rules now pass or cannot be judged; wrong ones never pass."""

import numpy as np
import pytest

from autograd import GradcheckError, Op, gradcheck, tensor_ops

# a kink by chance, aliasing on the halvings' ladder (5.7e6: 0.91 of a period every eps / 2; 1.3e7: 4 periods
# and 1 rad every eps), moves within rounding (3e7, 1.2e8)
POINTS = [321300.0, 400300.0, 5724151.601122428, 7139000.0, 13079668.748547388, 3e7, 122178248.28569064]


def _sin(times: float) -> Op:
    """The op table's sin (its inside seen) with a rule `times` the right one."""
    op = tensor_ops.OPS["sin"]
    return Op("sin", op.forward, lambda g, out, x: tuple(times * r for r in op.vjp(g, out, x)))


def _verdict(times: float, x: float) -> str:
    sin = _sin(times)
    try:
        gradcheck(lambda t: sin(t * t), [np.array([x])])
    except GradcheckError as e:
        return "undecided" if e.undecided else str(e)
    return "passed"


@pytest.mark.parametrize("x", POINTS)
def test_a_right_rule_of_an_f_turning_fast_never_fails_and_wrong_ones_never_pass(x):
    assert _verdict(1.0, x) in ("passed", "undecided")
    for times in (1.1, -1.0, 0.0):
        assert _verdict(times, x) != "passed"


def test_a_smooth_f_turning_fast_is_not_called_a_kink():
    with pytest.raises(GradcheckError, match="cannot judge: f bends within eps") as caught:
        gradcheck(lambda t: _sin(1.0)(t * t), [np.array([321300.0])])
    assert "not differentiable" not in str(caught.value)


@pytest.mark.parametrize("x", [127212.59418800814, 128396.56692187628])
def test_a_rule_agreeing_at_eps_where_smaller_steps_say_it_is_off_fails(x):
    # refined to 252231 within 461 (the tolerance 250), its difference at eps 2718 off: the slope was dropped,
    # and a rule 1% off, agreeing with the difference at eps, passed
    with pytest.raises(GradcheckError, match="<- fails") as caught:
        gradcheck(lambda t: _sin(0.99)(t * t), [np.array([x])])
    assert not caught.value.undecided


@pytest.mark.parametrize("x", [12744.121791351976, 35380.90618120115, 49068.59668295696])
def test_a_rule_giving_zero_fails_where_the_right_rule_passes(x):
    # sin(x**2) turns 0.03 to 0.1 rad over eps here. A rule giving 0 hides the rounding of x * x from the check
    # (read off backward's gradients: 2.5e-9 where the right rule's is 3.2), so f's moves within 2 eps missed a
    # polynomial by more than that (1.8e-7, a slope of 0.18 beside a difference of -72632): 'cannot judge'
    assert _verdict(1.0, x) == "passed"
    assert _verdict(0.0, x) not in ("passed", "undecided")


@pytest.mark.parametrize("x", [59472.57151860291, 74868.5572804319, 80383.52633891236])
def test_a_slope_refined_to_within_more_than_itself_fails_no_right_rule(x):
    # sin(x**3) turns 1.1e4 to 1.9e4 rad over eps: its differences at eps / 8 are any numbers below 8 / eps, and
    # were read as a slope of 4.6e6 within 1.4e7, which failed the right rule, 1.05e10, as off by more than that
    sin = _sin(1.0)
    try:
        gradcheck(lambda t: sin(t * t * t), [np.array([x])])
    except GradcheckError as e:
        assert e.undecided, str(e)
    for wrong in (_sin(1.1), _sin(-1.0), _sin(0.0)):
        with pytest.raises(GradcheckError):
            gradcheck(lambda t, wrong=wrong: wrong(t * t * t), [np.array([x])])
