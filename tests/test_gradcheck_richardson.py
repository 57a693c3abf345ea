"""gradcheck where f is smooth but curves within eps: sin(1e5 x) at x = 0.3 was 'cannot judge' (its difference at
eps 0.17% off), and sin(3e6 x)'s right rule failed outright (its difference at eps 0.047 of its slope); 1 / x at
1e-5 passed a rule 1% off (its difference at eps is 1% off). Where f's ops are the op table's, the slope
extrapolated from smaller steps judges them (check_richardson). An op of one's own may round to a grid coarser
than eps inside, which no smaller step shows and which a slope curving that fast hides from the probe at 256 eps
(check_scales): there the extrapolation only keeps a right rule from failing ('cannot judge', try a smaller eps)."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, Tensor, Value, gradcheck, gradcheck_params, tensor_ops


def _sin(w: float, times: float = 1.0) -> Op:
    """sin(w x) as an op of one's own, its rule `times` the right one."""
    return Op("fast_sin", lambda x: np.sin(w * x), lambda g, out, x: (g * times * w * np.cos(w * x),))


def _table_sin(times: float) -> Op:
    """The op table's sin forward with a rule `times` the right one: an op as one adds it to the table, whose
    inside the check sees (no grid hides in it)."""
    return Op("sin", tensor_ops.OPS["sin"].forward, lambda g, out, x: (g * times * np.cos(x),))


POINTS = [np.array([0.3, 0.05, -1.1])]


@pytest.mark.parametrize("w", [5e4, 1e5, 1e6, 3e6])
def test_right_rules_of_fast_smooth_ops_pass(w):
    assert gradcheck(lambda x: autograd.sin(x * w), POINTS)
    assert gradcheck(lambda x: _table_sin(1.0)(x * w), POINTS)
    assert gradcheck(_sin(w), POINTS, eps=1e-9)  # an op of one's own: where a smaller eps sees it straight


@pytest.mark.parametrize("w", [5e4, 1e5, 1e6, 3e6])
@pytest.mark.parametrize("times", [1.003, 0.9])
def test_wrong_rules_of_fast_smooth_ops_fail(w, times):
    with pytest.raises(GradcheckError, match="<- fails") as caught:
        gradcheck(lambda x: _table_sin(times)(x * w), POINTS)
    assert not caught.value.undecided
    with pytest.raises(GradcheckError):  # of one's own: never passes
        gradcheck(_sin(w, times), POINTS)


@pytest.mark.parametrize("w", [5e4, 1e5, 1e6, 3e6])
def test_a_right_rule_of_ones_own_fast_op_is_not_blamed(w):
    for f, points in [(_sin(w), POINTS), (lambda x: _sin(w)(x), [Value(0.3)])]:
        with pytest.raises(GradcheckError, match="cannot judge") as caught:
            gradcheck(f, points)
        assert caught.value.undecided


def _rounded_fast(times: float) -> Op:
    """((x + 1e12) - 1e12) + sin(1e5 x) / 1e5 of one's own: x kept to steps of 1.2e-4 (122 eps), below which f
    is the sine's alone; its rule `times` the first term's slope, 1, plus the sine's."""
    forward = lambda x: ((x + 1e12) - 1e12) + np.sin(1e5 * x) / 1e5  # noqa: E731
    return Op("rounded_fast", forward, lambda g, out, x: (g * (times + np.cos(1e5 * x)),))


def test_a_grid_inside_an_op_of_ones_own_behind_a_fast_slope_is_not_judged():
    # at 0.05 the slope extrapolated from smaller steps passed a rule without the first term's slope
    with pytest.raises(GradcheckError, match="cannot judge") as caught:
        gradcheck(_rounded_fast(0.0), [np.array([0.05])])
    assert caught.value.undecided


@pytest.mark.parametrize("times", [0.0, 1.0])
def test_the_probe_for_a_grid_starts_at_eps(times):
    # from a baseline at eps / 2, which sin(1e5 x)'s slope already leaves, the grid at 256 eps was not seen: the
    # right rule (1) failed at 0.3, and one lacking it passed where the extrapolation judged it
    with pytest.raises(GradcheckError, match="cannot judge") as caught:
        gradcheck(_rounded_fast(times), [np.array([0.3])])
    assert caught.value.undecided


def test_a_jump_within_eps_beside_a_slope_is_not_blamed_on_the_rule():
    # x + 1e-6 (x > 0.3 + 4e-7) at 0.3: the slope 1.5 at eps, 2 at eps / 2 and 1.25 at 2 eps (moves halving, a
    # jump's) read as no step from a baseline at eps / 2, and the right rule, 1, failed outright
    jump = Op("jump", lambda x: x + (x > 0.3 + 4e-7) * 1e-6, lambda g, out, x: (g * np.ones_like(x),))
    with pytest.raises(GradcheckError, match="cannot judge") as caught:
        gradcheck(jump, [np.array([0.3])])
    assert caught.value.undecided


def test_a_rule_off_by_the_difference_truncation_fails():
    # log and 1 / x at 1e-5: the central difference at eps is 0.3% and 1% off, and agreed with rules as far off
    log_off = Op("log", tensor_ops.OPS["log"].forward, lambda g, out, x: (g * 1.003 / x,))
    with pytest.raises(GradcheckError, match=r"<- fails(.|\n)*extrapolated from central differences") as caught:
        gradcheck(log_off, [np.array(1e-5)])
    assert not caught.value.undecided
    off = Op("inverse", lambda x: 1 / x, lambda g, out, x: (g * -1.01 / x**2,))
    with pytest.raises(GradcheckError, match="cannot judge: f bends within eps") as caught:
        gradcheck(off, [np.array(1e-5)])  # of one's own: not judged, and no longer passes
    assert caught.value.undecided


def test_a_loss_parameter_is_refined_too():
    w = Tensor(np.array([0.3, 0.7]), requires_grad=True)
    assert gradcheck_params(lambda: _table_sin(1.0)(w * 1e6).sum(), {"w": w})
    with pytest.raises(GradcheckError, match="<- fails"):
        gradcheck_params(lambda: _table_sin(1.01)(w * 1e6).sum(), {"w": w})
    with pytest.raises(GradcheckError, match="cannot judge"):  # of one's own
        gradcheck_params(lambda: _sin(1e6)(w).sum(), {"w": w})


def test_a_kink_within_eps_is_still_a_kink():
    # abs(x) + x**3 at 0: its central differences shrink as a smooth f's, but its one-sided slopes stay apart
    with pytest.raises(GradcheckError, match="not differentiable here"):
        gradcheck(lambda x: x.abs() + x**3, [np.array([0.0])])


def test_a_row_agreeing_at_eps_is_refined_only_where_its_truncation_may_matter():
    # sin(1e3 x) near a zero of its slope (-0.1 at x = (pi / 2 + 1e-4) / 1e3): its one-sided slopes part by far
    # more than it, which asked for the extrapolation: 12 halvings (24 calls of f) for nothing, 31 calls in all;
    # the move at eps / 2 (a truncation of 1.7e-7 of the slope) settles it: 1 + 2 for the row, 4 for the kink
    # screen at 2 and 4 eps, 2 at eps / 2
    calls = [0]

    def f(x):
        calls[0] += 1
        return autograd.sin(x * 1e3)

    assert gradcheck(f, [np.array([(np.pi / 2 + 1e-4) / 1e3])])
    assert calls[0] == 1 + 2 + 4 + 2


@pytest.mark.parametrize("x", [-0.9, 0.1, 0.375, 0.6, 0.8, 0.9])
def test_a_rule_giving_zero_where_f_rounds_its_input_inside_never_passes(x):
    # sin(3e3 (x + 1e8)) keeps x to steps of 1.5e-8 (eps / 67) inside: moving on both sides at eps, it stops at
    # eps / 128, where the smaller steps read it as flat (slope 0), as relu beside its kink, and a rule giving 0
    # passed (14 of 40 points drawn from [-1, 1]); the right rule cannot be judged here (the rounding of x + 1e8)
    zero, right = _table_sin(0.0), _table_sin(1.0)
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: zero((t + 1e8) * 3e3), [np.array([x])])
    with pytest.raises(GradcheckError, match="cannot judge") as caught:
        gradcheck(lambda t: right((t + 1e8) * 3e3), [np.array([x])])
    assert caught.value.undecided


@pytest.mark.parametrize("x", [-0.6e-6, -0.3e-6])
def test_relu_flat_on_one_side_at_eps_is_still_read_flat_at_smaller_steps(x):
    # relu beside its kink moves on one side at eps and on neither below: its slope there, 0, passes its rule
    assert gradcheck(lambda t: t.relu(), [np.array([x])])
