"""gradcheck where f is smooth but curves within eps: Op(sin(5e4 x)) with its right rule was 'cannot judge' at
x = 0.3 (its slope at 2 eps moves by 0.125%, over rtol, which the probe of ops of one's own read as a sudden
step), sin(1e5 x) too (its difference at eps 0.17% off), a rule 10% off beside them too, and sin(3e6 x)'s
right rule failed outright (its difference at eps 0.047 of its slope); 1 / x at 1e-5 passed a rule 1% off
(its difference at eps is 1% off). The slope extrapolated from smaller steps judges them (check_richardson)."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, Tensor, Value, gradcheck, gradcheck_params


def _sin(w: float, times: float = 1.0) -> Op:
    """sin(w x) as an op of one's own, its rule `times` the right one."""
    return Op("fast_sin", lambda x: np.sin(w * x), lambda g, out, x: (g * times * w * np.cos(w * x),))


POINTS = [np.array([0.3, 0.05, -1.1])]


@pytest.mark.parametrize("w", [5e4, 1e5, 1e6, 3e6])
def test_right_rules_of_fast_smooth_ops_pass(w):
    assert gradcheck(_sin(w), POINTS)
    assert gradcheck(lambda x: autograd.sin(x * w), POINTS)
    assert gradcheck(lambda x: _sin(w)(x), [Value(0.3)])


@pytest.mark.parametrize("w", [5e4, 1e5, 1e6, 3e6])
@pytest.mark.parametrize("times", [1.003, 0.9])
def test_wrong_rules_of_fast_smooth_ops_fail(w, times):
    with pytest.raises(GradcheckError, match="<- fails") as caught:
        gradcheck(_sin(w, times), POINTS)
    assert not caught.value.undecided


def test_a_rule_off_by_the_difference_truncation_fails():
    # 1 / x at 1e-5: the central difference at eps is -1.0101e10, 1% off, and agreed with a rule 1% off
    off = Op("inverse", lambda x: 1 / x, lambda g, out, x: (g * -1.01 / x**2,))
    with pytest.raises(GradcheckError, match=r"-1.01e\+10 +-9.999999e\+09 .*<- fails(.|\n)*extrapolated"):
        gradcheck(off, [np.array(1e-5)])


def test_a_loss_parameter_is_refined_too():
    w = Tensor(np.array([0.3, 0.7]), requires_grad=True)
    assert gradcheck_params(lambda: _sin(1e6)(w).sum(), {"w": w})
    with pytest.raises(GradcheckError, match="<- fails"):
        gradcheck_params(lambda: _sin(1e6, 1.01)(w).sum(), {"w": w})


def test_a_kink_within_eps_is_still_a_kink():
    # abs(x) + x**3 at 0: its central differences shrink as a smooth f's, but its one-sided slopes stay apart
    with pytest.raises(GradcheckError, match="not differentiable here"):
        gradcheck(lambda x: x.abs() + x**3, [np.array([0.0])])
