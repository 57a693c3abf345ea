"""gradcheck divides each difference by the step as it rounds, (x + eps) - (x - eps), not by 2 eps: at
x = 3e7 with eps = 1e-6 that step is 0.16% short of 2e-6 (float64's spacing there is 3.7e-9), about rtol,
so a right rule failed ("cannot judge") and one 0.25% wrong passed. Where x + eps or x - eps rounds to x the
difference measured half a step (or none): that is refused, naming the element."""

import numpy as np
import pytest

from autograd import GradcheckError, Op, Tensor, Value, gradcheck, gradcheck_params

LARGE = 3e7  # (LARGE + 1e-6) - (LARGE - 1e-6) is 1.9968e-6
WRONG = 0.9975  # a rule this much off (0.25%) is beyond rtol = 1e-3, yet within it of the short step's slope


def _sin(factor: float) -> Op:
    return Op("sin_scaled", np.sin, lambda g, out, x: (g * np.cos(x) * factor,))


def test_the_step_at_a_large_value_is_not_two_eps():
    assert abs(((LARGE + 1e-6) - (LARGE - 1e-6)) / 2e-6 - 1) > 1.5e-3


@pytest.mark.parametrize("point", [Value(LARGE), np.array([LARGE, LARGE + 0.5, 1.1e8])])
def test_a_right_rule_at_large_values_passes(point):
    f = (lambda v: v.sin()) if isinstance(point, Value) else (lambda t: t.sin().sum())
    assert gradcheck(f, [point])
    assert gradcheck(lambda x: _sin(1.0)(x) if isinstance(x, Value) else _sin(1.0)(x).sum(), [point])


@pytest.mark.parametrize("point", [Value(LARGE), np.array([LARGE, LARGE + 0.5])])
def test_a_rule_a_quarter_percent_wrong_at_large_values_fails(point):
    wrong = _sin(WRONG)
    with pytest.raises(GradcheckError, match="<- fails") as e:
        gradcheck(lambda x: wrong(x) if isinstance(x, Value) else wrong(x).sum(), [point])
    assert not e.value.undecided


def test_gradcheck_params_divides_by_the_step_too():
    v, t = Value(LARGE, label="v"), Tensor(np.array([LARGE, LARGE + 0.5]), requires_grad=True)
    assert gradcheck_params(lambda: v.sin(), {"v": v})
    assert gradcheck_params(lambda: t.sin().sum(), {"t": t})
    wrong = _sin(WRONG)
    for loss, params in ((lambda: wrong(v), {"v": v}), (lambda: wrong(t).sum(), {"t": t})):
        with pytest.raises(GradcheckError, match="<- fails") as e:
            gradcheck_params(loss, params)
        assert not e.value.undecided
    assert v.data == LARGE and list(t.data) == [LARGE, LARGE + 0.5]  # put back


def test_a_step_that_rounds_away_on_one_side_is_refused():
    """At 2**30 the spacing above is 2.4e-7 and below 1.2e-7: x + 1e-7 rounds to x, x - 1e-7 does not, and
    the difference measured half a step."""
    x = float(2**30)
    assert x + 1e-7 == x and x - 1e-7 != x
    with pytest.raises(ValueError, match=r"input 0\[1\] = 1073741824.0, where x \+ eps or x - eps rounds to x"):
        gradcheck(lambda t: t.sin().sum(), [np.array([1.0, x])], eps=1e-7)
    p = Tensor(np.array([1.0, x]), requires_grad=True)
    with pytest.raises(ValueError, match=r"gradcheck_params: p\[1\] = 1073741824.0, where x \+ eps"):
        gradcheck_params(lambda: p.sin().sum(), {"p": p}, eps=1e-7)
    assert list(p.data) == [1.0, x]
    assert gradcheck(lambda t: t.sin().sum(), [np.array([1.0, x])], eps=1e-6)
