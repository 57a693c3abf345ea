"""Right rules gradcheck failed at a user's eps: x * |x| at 0 beside entries of 1e9 (its differences shrink as h, not
h**2, read as a smooth f's through the rounding) and sin(1e5 x) at 0.3 with eps 0.01 (its halvings turn whole periods
at the one step off their ladder the extrapolation was checked at). Neither may fail; a wrong rule still does."""

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Op, Tensor, gradcheck

C = Tensor(np.where(np.arange(6) % 2 == 0, 1.0, 1e9))
X = np.array([1.0544744370141428, 0, 0, 0.625, 0, 0])


def x_abs_x(slope: float) -> Op:
    """x * |x|, its rule `slope` * |x| (2 is right)."""
    return Op("xabsx", lambda x: x * np.abs(x), lambda g, out, x: (g * slope * ag.abs(x),))


def test_x_abs_x_at_0_beside_1e9_at_eps_0_004_is_not_failed():
    """x[2] = 0: its difference at eps is eps (0.0040), its move to 2 eps 0.003997 over one from eps / 2 2.009 times
    as large (within a rounding of 0.001 of 2), read as a smooth f's whose truncation that move bounds: it failed."""
    with pytest.raises(GradcheckError, match=r"input 0\[2\] .* cannot judge: f bends within eps") as e:
        gradcheck(lambda t: (C * (t * t.abs())).sum(), [X], eps=0.004)
    assert e.value.undecided


def test_x_abs_x_wrong_rule_beside_1e9_at_eps_0_004_still_fails():
    with pytest.raises(GradcheckError, match=r"input 0\[0\] .* <- fails") as e:
        gradcheck(lambda t: (C * x_abs_x(2.02)(t)).sum(), [X], eps=0.004)
    assert not e.value.undecided


def sin_1e5(slope: float) -> Op:
    """sin(1e5 x), its rule `slope` * 1e5 cos(1e5 x) (1 is right)."""
    return Op("sin1e5", lambda x: np.sin(1e5 * x), lambda g, out, x: (g * slope * 1e5 * ag.cos(1e5 * x),))


def test_sin_1e5_x_at_a_large_eps_is_not_failed():
    """Extrapolated to 316.7 from eps / 32, checked at 0.6 of it only (3 periods less 0.1 rad): its slope is -59643."""
    with pytest.raises(GradcheckError, match="cannot judge") as e:
        gradcheck(sin_1e5(1.0), [np.array([0.3])], eps=0.01)
    assert e.value.undecided


def test_sin_1e5_x_doubled_at_a_large_eps_still_fails():
    with pytest.raises(GradcheckError, match="<- fails") as e:
        gradcheck(sin_1e5(2.0), [np.array([0.3])], eps=0.01)
    assert not e.value.undecided


def test_the_op_tables_sin_1e5_x_at_a_large_eps_is_decided_at_a_smaller_step():
    """The halvings go on to eps / 65536, past eps / 4096, where sin(1e5 x) with eps 0.01 turns 0.24 rad: its slope is
    extrapolated there (the op's own rule vouched for by the op table, not excused as an op of one's own's)."""
    assert gradcheck(lambda x: (1e5 * x).sin(), [np.array([0.3, -0.7, 1.3])], eps=0.01)
