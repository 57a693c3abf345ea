"""gradcheck divides each difference by the step as it rounds, (x + eps) - (x - eps), not by 2 eps: at
x = 3e7 with eps = 1e-6 that step is 0.16% short of 2e-6 (float64's spacing there is 3.7e-9), about rtol,
so a right rule failed ("cannot judge") and one 0.25% wrong passed. Where x + eps or x - eps rounds to x the
difference measured half a step (or none): that is refused, naming the element."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, Tensor, Value, gradcheck, gradcheck_params, gradgradcheck

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


def _cube(small_wrong: bool = False) -> Op:
    """x**3, whose rule is doubled on elements below 1e4 where `small_wrong`."""

    def rule(g, out, x):
        slope = 3 * x * x
        return (g * (np.where(np.abs(x) < 1e4, 2 * slope, slope) if small_wrong else slope),)

    return Op("cube", lambda x: x**3, rule)


def test_a_step_that_rounds_away_is_refused_naming_an_eps_that_steps_it():
    """It said "give a larger eps" without saying how large: above half its spacing, and well above where f's values
    round at its size too (x ** 3 here): eps times |x| (1.5e6 at 1.5e12), where a right rule passes and a doubled one
    fails."""
    x = np.array([1e12, 1.5e12])
    with pytest.raises(
        ValueError, match=r"input 0\[1\] = 1500000000000.0, .* give an eps above 0.000122, .* eps times \|x\|, 1.5e\+06"
    ):
        gradcheck(_cube(), [x])
    assert gradcheck(_cube(), [x], eps=1.5e6)
    doubled = Op("cube", lambda x: x**3, lambda g, out, x: (g * 6 * x * x,))
    with pytest.raises(GradcheckError, match="<- fails"):
        gradcheck(doubled, [x], eps=1.5e6)


def test_elements_too_far_apart_in_size_for_one_eps_are_refused_saying_to_check_them_apart():
    """[1, 1.5, 1e16, 1.5e16]: eps 1e-6 rounds away at 1e16, and an eps that steps 1e16 (1.5e10) moves 1.0 by 1.5e10:
    at it a rule doubled on the small elements alone cannot be judged (torch 2.13's gradcheck fails the right rule at
    either eps). It said "give a larger eps"; now it says how large, and, where f bends at such a step, to check them
    apart, which tells. gradgradcheck's grad_outputs, near 1 beside 1e16, are judged at such an eps: f is linear in
    them."""
    x = np.array([1.0, 1.5, 1e16, 1.5e16])
    apart = r"give an eps above 1, .* the size of input 0\[0\] = 1.0, 1.5e\+16 times smaller, .* check them apart"
    with pytest.raises(ValueError, match=apart):
        gradcheck(_cube(), [x])
    with pytest.raises(GradcheckError) as e:
        gradcheck(_cube(small_wrong=True), [x], eps=1.5e10)
    assert e.value.undecided
    big = Tensor(x[2:])
    with pytest.raises(GradcheckError, match="<- fails"):  # the small ones apart, the large held fixed
        gradcheck(lambda small: _cube(small_wrong=True)(autograd.concatenate([small, big])), [x[:2]])
    small = Tensor(x[:2])
    assert gradcheck(lambda big: _cube()(autograd.concatenate([small, big])), [x[2:]], eps=1.5e10)
    assert gradgradcheck(lambda t: t**3, [x[2:]], eps=1.5e10)
    w, b = Tensor(np.array([1e15, 2e15]), requires_grad=True), Tensor(np.array([0.5]), requires_grad=True)
    with pytest.raises(
        ValueError, match=r"gradcheck_params: w\[1\] = 2000000000000000.0, .* b\[0\] = 0.5, 2e\+15 times"
    ):
        gradcheck_params(lambda: (w * w).sum() + (b * w).sum(), {"w": w, "b": b})


def _doubled_beside_large_entries() -> tuple[Op, np.ndarray]:
    """sum(c * tanh(x)), c 1 and 1e9 in turn, the rule doubled at x[4] (c = 1: 1.96 for 0.98)."""
    x, c = np.linspace(-1, 1, 8), np.where(np.arange(8) % 2 == 0, 1.0, 1e9)

    def rule(g, out, x):
        slope = c * (1 - np.tanh(x) ** 2)
        return (g * np.where(np.arange(8) == 4, 2 * slope, slope),)

    return Op("scaled_tanh", lambda x: c * np.tanh(x), rule), x


def test_a_wrong_rule_its_rounding_hides_at_eps_fails_at_a_larger_eps():
    """Beside entries of 1e9, f's rounding moves each slope by up to 6.2 at eps 1e-6, and x[4]'s row, off by 1.01,
    could not be judged: the check was undecided, and judged_gradcheck rejected the point, a wrong rule never failing
    there (torch 2.13's gradcheck fails the right rule at eps 1e-6: 0.41723 for 0.41997). The rounding's share shrinks
    as 1 / eps: the check is taken again at 32 eps, where the rounding is below that error, and fails; only a
    failure there is told (a right rule stays undecided: a larger step is taken to fail, never to pass)."""
    doubled, x = _doubled_beside_large_entries()
    with pytest.raises(GradcheckError, match=r"(?s)at eps=1e-06 .* at eps=3.2e-05, .*input 0\[4\] .* <- fails") as e:
        gradcheck(lambda t: doubled(t).sum(), [x])
    assert not e.value.undecided
    c = np.where(np.arange(8) % 2 == 0, 1.0, 1e9)
    right = Op("scaled_tanh", lambda x: c * np.tanh(x), lambda g, out, x: (g * c * (1 - np.tanh(x) ** 2),))
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda t: right(t).sum(), [x])
    assert e.value.undecided


def test_a_row_its_rounding_hides_says_a_larger_eps_tells():
    """The right rule of sum(c * tanh(x)), c 1 and 1e9 in turn, at eps 1e-6: f's rounding moves each slope by up to
    6.2, and the rows of c = 1 cannot be judged. The note said to check at a smaller magnitude or in float64; the
    rounding's share shrinks as 1 / eps, and at eps 1e-4 the right rule passes, the doubled one fails."""
    c = np.where(np.arange(8) % 2 == 0, 1.0, 1e9)
    right = Op("scaled_tanh", lambda x: c * np.tanh(x), lambda g, out, x: (g * c * (1 - np.tanh(x) ** 2),))
    doubled, x = _doubled_beside_large_entries()
    with pytest.raises(GradcheckError, match=r"or with a larger eps, where f is smooth over it") as e:
        gradcheck(lambda t: right(t).sum(), [x])
    assert e.value.undecided
    assert gradcheck(lambda t: right(t).sum(), [x], eps=1e-4)
    with pytest.raises(GradcheckError, match=r"input 0\[4\] .* <- fails") as e:
        gradcheck(lambda t: doubled(t).sum(), [x], eps=1e-4)
    assert not e.value.undecided


def test_a_wrong_parameter_rule_its_rounding_hides_fails_at_a_larger_eps():
    """gradcheck_params of sum(c * tanh(p)) over 64 elements, c 1 and 1e8 in turn, the rule doubled at p[5]: at eps
    1e-6 the block p[0:32]·d, off by 0.2, was within its rounding (2.8), and the check undecided; at 64 eps it fails."""
    c = np.where(np.arange(64) % 2 == 0, 1.0, 1e8)

    def rule(g, out, x):
        slope = c * (1 - np.tanh(x) ** 2)
        return (g * np.where(np.arange(64) == 5, 2 * slope, slope),)

    doubled = Op("scaled_tanh", lambda x: c * np.tanh(x), rule)
    p = Tensor(np.linspace(-1, 1, 64), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"(?s)taken again at eps=6.4e-05, .*p\[0:32\]·d .* <- fails") as e:
        gradcheck_params(lambda: doubled(p).sum(), {"p": p}, max_per_param=1)
    assert not e.value.undecided
    assert list(p.data) == list(np.linspace(-1, 1, 64))  # put back


def test_a_row_whose_rounding_is_infinite_is_not_taken_again():
    """sqrt(x + 1) at [0.5, -1], its rule doubled at x[0]: sqrt's slope at 0 is inf, so f's rounding moves x[0]'s
    slope by up to inf; no larger eps brings that down, and the check taken again at one raised OverflowError (an
    eps of 2 ** inf) where it was undecided."""
    root = Op("root", np.sqrt, lambda g, out, x: (g * np.where(np.arange(x.size) == 0, 1.0, 0.5) / out,))
    with pytest.raises(GradcheckError, match=r"input 0\[0\] .* f's rounding moves this slope by up to inf") as e:
        gradcheck(lambda t: root(t + 1).sum(), [np.array([0.5, -1.0])])
    assert e.value.undecided


def test_a_row_judged_at_eps_failing_where_f_bends_within_the_larger_eps_is_not_told():
    """x * |x| (its own rules, right) at [1.054, 0, 0, 0.625, 0, 0], c 1 and 1e9 in turn: at eps 1e-6 x[0]'s row
    could not be judged for f's rounding, and the check, taken again at 4096 eps, failed the right rule at x[2] = 0,
    where x * |x| bends within the step (its difference there is eps, 0.0041) and which f's rounding hid not: a
    property test (judged_gradcheck) failed where it rejected the point. Only a row f's rounding hid is told."""
    c = Tensor(np.where(np.arange(6) % 2 == 0, 1.0, 1e9))
    with pytest.raises(GradcheckError, match=r"input 0\[0\] .* f's rounding moves this slope") as e:
        gradcheck(lambda t: (c * (t * t.abs())).sum(), [np.array([1.0544744370141428, 0, 0, 0.625, 0, 0])])
    assert e.value.undecided
