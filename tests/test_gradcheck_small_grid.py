"""gradcheck's judgment of slopes below atol (a row of another sign or off by more than half fails, where the
numeric slope can be trusted) counts the grid f's numbers lie on inside an op of one's own, as its other verdicts
do: 1 - cos(x) in an op of one's own, its rule sin(x) right, failed at x = 1e-12 ('fails: below atol, but of
another sign or size than the numeric slope': analytic 1e-12, numeric 0), its output 5e-13 computed as 1 minus a
number near 1 and kept to steps of 1.1e-16, which the difference over 2 eps reads only beyond 8.9e-10. The README's
property test of such ops drew x = 1.15e-18 and failed them; torch.autograd.gradcheck passes them."""

import numpy as np
import pytest
from hypothesis import given, settings

import autograd as ag
from autograd import GradcheckError, Op
from autograd.testing import judged_gradcheck, tensors

versine = Op("versine", lambda x: 1 - np.cos(x), lambda g, out, x: (g * ag.sin(x),))
cosh_less_1 = Op("cosh_less_1", lambda x: np.cosh(x) - 1, lambda g, out, x: (g * ag.sinh(x),))


@pytest.mark.parametrize("op", [versine, cosh_less_1], ids=lambda op: op.name)
@pytest.mark.parametrize("x", [1e-18, 1.15e-18, 1e-15, 4.78e-14, 1e-12, -1e-12])
def test_a_right_rule_below_the_grid_inside_its_op_passes(op, x):
    assert ag.gradcheck(op, [x])
    assert ag.gradcheck(op, [np.array([x])])


@pytest.mark.parametrize("x", [1e-12, 1e-9])
def test_a_rule_of_the_wrong_sign_where_the_grid_shows_the_slope_still_fails(x):
    """At 1e-9 the difference reads the slope (the grid's 8.9e-10 beside 1e-9 of it): a wrong sign fails there;
    at 1e-12 it cannot tell and passes, as PyTorch's gradcheck (atol) passes both."""
    wrong = Op("versine_wrong", lambda x: 1 - np.cos(x), lambda g, out, x: (-g * ag.sin(x),))
    if x < 1e-10:
        assert ag.gradcheck(wrong, [x])
    else:
        with pytest.raises(GradcheckError, match="below atol, but of another sign"):
            ag.gradcheck(wrong, [x])


def test_a_loss_scaled_small_with_a_wrong_sign_still_fails():
    """The check's purpose, kept: a table op's graph shows no grid there, and a slope of the wrong sign fails."""
    with pytest.raises(GradcheckError, match="below atol, but of another sign"):
        ag.gradcheck(Op("tiny", lambda x: 1e-8 * np.sin(x), lambda g, out, x: (-1e-8 * g * ag.cos(x),)), [0.3])


def test_the_readme_property_test_of_such_ops_passes():
    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(tensors())
    def test(x):
        assert judged_gradcheck(versine, [x])
        assert judged_gradcheck(cosh_less_1, [x])

    test()
