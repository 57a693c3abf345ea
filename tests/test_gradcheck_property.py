"""judged_gradcheck, the README's property test of one's own ops: `assert gradcheck(op, [x])` under
`@given(tensors())` failed right rules of ops with a kink in their slope (x * |x|, a squared relu: 109 of 409
drawn points of x * |x|, [0.0, 1.0] among them, raised an undecided GradcheckError); a point gradcheck cannot
judge is rejected, a wrong rule still fails."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

import autograd as ag
from autograd import GradcheckError, Op
from autograd.testing import judged_gradcheck, tensors

SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.filter_too_much]
)


def squared_relu(slope: float) -> Op:
    """max(x, 0)**2, its rule `slope` * relu(x) (2 is right)."""
    return Op("relu2", lambda x: np.maximum(x, 0) ** 2, lambda g, out, x: (g * slope * ag.relu(x),))


def x_abs_x(slope: float) -> Op:
    """x * |x|, its rule `slope` * |x| (2 is right)."""
    return Op("xabsx", lambda x: x * np.abs(x), lambda g, out, x: (g * slope * ag.abs(x),))


def test_a_point_gradcheck_cannot_judge_is_rejected():
    x = np.array([0.0, 1.0])
    with pytest.raises(GradcheckError) as caught:
        ag.gradcheck(squared_relu(2.0), [x])
    assert caught.value.undecided

    @settings(max_examples=5, database=None)
    @given(st.just(x))
    def only_there(x):  # hypothesis' reject() at every draw: no point it can judge
        judged_gradcheck(squared_relu(2.0), [x])

    with pytest.raises(Unsatisfiable):
        only_there()


@pytest.mark.parametrize("op", [squared_relu, x_abs_x])
def test_the_readme_recipe_passes_right_rules_and_fails_wrong_ones(op):
    @SETTINGS
    @given(tensors())
    def test(x):
        assert judged_gradcheck(op(slope), [x])

    slope = 2.0
    test()
    slope = 2.1
    with pytest.raises(GradcheckError):
        test()


def test_outside_a_property_test_a_point_it_cannot_judge_raises_the_table():
    """Called in a plain test, judged_gradcheck raised hypothesis' UnsatisfiedAssumption ('reject() in
    judged_gradcheck', with a HypothesisDeprecationWarning), the table saying why lost: it raises gradcheck's."""
    with pytest.raises(GradcheckError, match="cannot be judged") as caught:
        judged_gradcheck(squared_relu(2.0), [np.array([0.0, 1.0])])
    assert caught.value.undecided
