"""gradcheck where kinks or jumps on both sides of the point, within eps, keep the one-sided slopes at eps
together: the central difference at eps is then not f's slope, nothing looked closer, and a rule agreeing
with it passed (x - relu(x - b) + relu(a - x), a and b eps / 2 either side: slope 1, difference 0.5, and a
rule of 0.5 passed). The slope from x to x + eps / 2 now vouches for the difference (one more call of f):
wrong rules fail, right ones pass."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, gradcheck, tensor_ops

EPS = 1e-6
X = 0.3


def _sin(extra: float = 0.0) -> Op:
    """The op table's sin forward (its inside seen) with a rule off by `extra`."""
    return Op("sin", tensor_ops.OPS["sin"].forward, lambda g, out, x: (g * (np.cos(x) + extra),))


def _ramp(distance: float, sin: Op):
    """sin(x) plus x's slope 1 between X -+ distance eps and none beyond: kinks straddled by the difference at
    eps, whose slope there is cos(X) - (1 - distance) (its one-sided slopes alike)."""
    a, b = X - distance * EPS, X + distance * EPS
    return lambda t: sin(t) - (t - b).relu() + (a - t).relu()


def _steps(distance: float, sin: Op, size: float = 0.1 * EPS):
    """sin(x) stepping up by `size` at X + distance eps and at X - distance eps (both reached there: >=, <=)."""
    a, b = X - distance * EPS, X + distance * EPS
    return lambda t: sin(t) + autograd.where(t.data >= b, size, 0.0) - autograd.where(t.data <= a, size, 0.0)


@pytest.mark.parametrize("distance", [0.5, 0.25, 0.7, 0.9, 0.1])
def test_a_rule_agreeing_with_a_difference_straddling_kinks_on_both_sides_fails(distance):
    # the rule the difference at eps gives, cos(X) - (1 - distance), passed
    with pytest.raises(GradcheckError, match="1 of 1 gradients disagree") as caught:
        gradcheck(_ramp(distance, _sin(-(1 - distance))), [np.array([X])])
    assert not caught.value.undecided
    assert gradcheck(_ramp(distance, _sin()), [np.array([X])])


@pytest.mark.parametrize("distance", [1.0, 0.75, 0.5])
def test_a_rule_agreeing_with_a_difference_straddling_steps_on_both_sides_fails(distance):
    # steps of 0.1 eps each, both within reach of x +- eps, move the difference at eps by 0.2 eps / 2 eps = 0.1
    # wherever they are: that rule passed (a rule off by 0.1 / distance, 0.2 at eps / 2, disagreed with it anyway)
    with pytest.raises(GradcheckError, match="1 of 1 gradients disagree") as caught:
        gradcheck(_steps(distance, _sin(0.1)), [np.array([X])])
    assert not caught.value.undecided
    assert gradcheck(_steps(distance, _sin()), [np.array([X])])


def test_a_smooth_f_agreeing_at_eps_costs_one_call_more_per_element():
    calls = [0]

    def f(t):
        calls[0] += 1
        return autograd.sin(t)

    assert gradcheck(f, [np.linspace(-1, 1, 20)[:1]])  # one entry: x +- eps, x + eps / 2
    assert calls[0] == 1 + 3
    calls[0] = 0
    assert gradcheck(f, [np.linspace(-1, 1, 20)])  # and x + 256 eps, for the 19 entries left still (tread_entries)
    assert calls[0] == 1 + 4 * 20


@pytest.mark.parametrize("distance", [0.1, 0.15, 0.2, 0.25])
def test_steps_on_both_sides_a_tenth_to_a_quarter_eps_away_are_stepped_past(distance):
    # their difference is the slope plus 0.1 down to eps / 4: read as a jump at the point, "not continuous here"
    # of a right rule; the differences below eps / 8 (six more calls) go past them, and judge the rules there
    assert gradcheck(_steps(distance, _sin()), [np.array([X])])
    for extra in (0.1, -0.1, -1.0):
        with pytest.raises(GradcheckError, match="1 of 1 gradients disagree") as caught:
            gradcheck(_steps(distance, _sin(extra)), [np.array([X])])
        assert not caught.value.undecided
    one_step = lambda t: _sin()(t) + autograd.where(t.data > X + distance * EPS, 0.5, 0.0)  # noqa: E731
    assert gradcheck(one_step, [np.array([X])])
