"""gradcheck where f is not smooth within eps of the point, or turns too fast for eps, though f and the rule
are right at the point: a jump 0.3 to 0.9 eps away beside a slope failed a right rule (slope 1.5 at eps for
1); sin(3e5 x)**2 cos(1.5e5 x) was read as a kink; sin(1e8 x) extrapolated from its differences on the
halving's ladder (16 periods over eps) to 140934 where its slope is -2.65e7, and failed; sin(3e6 x) computed
in float32 failed outright, where no eps can judge it. Each is judged at smaller steps where f is smooth there
(and wrong rules fail), or said to be beyond judging, never failed nor passed by chance."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, gradcheck, tensor_ops

EPS = 1e-6


def _sin(times: float = 1.0, only_at: float | None = None) -> Op:
    """The op table's sin forward (its inside seen, as an op added to the table) with a rule `times` the right
    one: everywhere, or only at the point `only_at` (a rule wrong at one point)."""

    def rule(g, out, x):
        factor = times if only_at is None else np.where(x == only_at, times, 1.0)
        return (g * factor * np.cos(x),)

    return Op("sin", tensor_ops.OPS["sin"].forward, rule)


RIGHT = _sin()
# off by a factor, of the wrong sign, missing its term (0), wrong at the point alone
MUTANTS = {"factor": _sin(1.1), "sign": _sin(-1.0), "missing": _sin(0.0), "at_the_point": _sin(1.1, only_at=0.3)}


def _jump(distance: float, size: float, sin: Op):
    """2 x + sin(x), jumping by size eps at distance eps from 0.3 (beyond it, or before it where negative)."""
    edge = 0.3 + distance * EPS
    return lambda t: autograd.where(t.data > edge, t * 2.0 + sin(t) + size * EPS, t * 2.0 + sin(t))


def _kink(distance: float, sin: Op):
    """|x - c| + sin(x), its kink at distance eps from 0.3."""
    return lambda t: (t - (0.3 + distance * EPS)).abs() + sin(t)


DISTANCES = [0.3, 0.5, 0.7, 0.9, -0.4, -0.8]


@pytest.mark.parametrize("distance", DISTANCES)
def test_a_jump_or_kink_less_than_eps_away_is_stepped_past(distance):
    for size in (0.5, 2.0):
        assert gradcheck(_jump(distance, size, RIGHT), [np.array([0.3])])
    assert gradcheck(_kink(distance, RIGHT), [np.array([0.3])])


@pytest.mark.parametrize("mutant", MUTANTS.values(), ids=MUTANTS.keys())
@pytest.mark.parametrize("distance", DISTANCES)
def test_wrong_rules_beside_a_jump_or_kink_less_than_eps_away_fail(distance, mutant):
    for f in (_jump(distance, 1.0, mutant), _kink(distance, mutant)):
        with pytest.raises(GradcheckError, match="<- fails") as caught:
            gradcheck(f, [np.array([0.3])])
        assert not caught.value.undecided


def test_a_jump_or_kink_at_the_point_is_never_passed_nor_blamed_on_the_rule():
    with pytest.raises(GradcheckError, match="not differentiable here"):
        gradcheck(_kink(0.0, RIGHT), [np.array([0.3])])
    # a jump of eps beside a slope of 3 read as no jump (its slope at 2 eps 0.71 of the one at eps, where a jump
    # alone halves it), and its right rule failed; its slope at h is read as s + J / 2h
    for size in (1.0, 8.0):
        with pytest.raises(GradcheckError, match="not continuous here"):
            gradcheck(_jump(0.0, size, RIGHT), [np.array([0.3])])


W = 3e5
WAVY_POINTS = [0.3, -1.1, 0.2739233746429086, -0.4604265724722594, -0.9180529521276106, -0.9669447289429418]


def _wavy(sin: Op):
    """sin(w x)**2 cos(w x / 2) at w = 3e5: 0.3 rad over eps, its one-sided slopes parting at 2 and 4 eps as a
    kink's do."""
    return lambda x: sin(x * W) ** 2 * autograd.cos(x * (W / 2))


def test_a_smooth_f_turning_fast_is_not_read_as_a_kink():
    assert gradcheck(_wavy(RIGHT), [np.array(WAVY_POINTS)])
    for name in ("factor", "sign", "missing"):
        with pytest.raises(GradcheckError, match="<- fails") as caught:
            gradcheck(_wavy(MUTANTS[name]), [np.array(WAVY_POINTS)])
        assert not caught.value.undecided and "not differentiable" not in str(caught.value)


FAST = 1e8


def _fast_own(times: float) -> Op:
    """sin(1e8 x) as an op of one's own, its rule `times` the right one."""
    return Op("fast_sin", lambda x: np.sin(FAST * x), lambda g, out, x: (g * times * FAST * np.cos(FAST * x),))


def _float32_own(times: float) -> Op:
    """sin(3e6 x) computed in float32 inside an op of one's own, its rule `times` the right one."""
    forward = lambda x: np.sin(np.float32(3e6 * x)).astype(np.float64)  # noqa: E731
    return Op("sin32", forward, lambda g, out, x: (g * times * 3e6 * np.cos(3e6 * x),))


def _float32_seen(sin: Op):
    """sin(3e6 x) with its argument cast to float32 in f's graph."""
    return lambda x: sin((x * 3e6).astype(np.float32)).astype(np.float64)


POINTS = [np.array([0.3, 0.05])]


def test_an_f_turning_whole_periods_over_the_halvings_is_judged_below_them():
    assert gradcheck(lambda x: RIGHT(x * FAST), POINTS)
    for name in ("factor", "sign", "missing"):
        with pytest.raises(GradcheckError, match="<- fails") as caught:
            gradcheck(lambda x, name=name: MUTANTS[name](x * FAST), POINTS)
        assert not caught.value.undecided


def test_an_op_of_ones_own_turning_whole_periods_over_eps_cannot_be_judged_at_eps():
    with pytest.raises(GradcheckError, match="cannot judge: f bends within eps") as caught:
        gradcheck(_fast_own(1.0), POINTS)
    assert caught.value.undecided and "check with a smaller eps" in str(caught.value)
    assert gradcheck(_fast_own(1.0), POINTS, eps=1e-10)  # as the table says
    for times in (1.1, -1.0, 0.0):
        with pytest.raises(GradcheckError):  # never passes at eps 1e-6; fails at 1e-10
            gradcheck(_fast_own(times), POINTS)
        with pytest.raises(GradcheckError, match="<- fails"):
            gradcheck(_fast_own(times), POINTS, eps=1e-10)


@pytest.mark.parametrize("own", [False, True])
def test_a_fast_f_computed_in_float32_cannot_be_judged_and_never_passes(own):
    # at eps 1e-6 its truncation is 95% of its slope, at smaller steps its rounding swamps the difference
    for times in (1.0, 1.1, -1.0, 0.0):
        f = _float32_own(times) if own else _float32_seen(_sin(times))
        with pytest.raises(GradcheckError) as caught:
            gradcheck(f, [np.array([0.3])])
        if times == 1.0:
            assert caught.value.undecided and "compute f in float64" in str(caught.value)


def test_a_kink_at_the_point_costs_four_calls_more():
    # abs at 0: the kink screen at 2 and 4 eps, and now eps / 2 and eps / 4, where the one-sided slopes stay apart
    calls = [0]

    def f(x):
        calls[0] += 1
        return x.abs()

    with pytest.raises(GradcheckError, match="not differentiable here"):
        gradcheck(f, [np.array([0.0])])
    assert calls[0] == 1 + 2 + 4 + 4


def test_an_easy_check_costs_four_calls_per_element():
    # x +- eps for the difference, x + eps / 2 for the slope that vouches for it (check_bends.straddled), and x +
    # 256 eps, where a grain inside f would move the entries the element leaves still (check_grain.tread_entries)
    calls = [0]

    def f(v):
        calls[0] += 1
        return v * 2.0

    assert gradcheck(f, [np.linspace(-1, 1, 200)])
    assert calls[0] == 1 + 4 * 200


def _table_op(name: str, times: float) -> Op:
    """The op table's `name` (its forward, so its inside is seen) with a rule `times` the right one."""
    op = tensor_ops.OPS[name]
    return Op(name, op.forward, lambda g, out, x: tuple(times * r for r in op.vjp(g, out, x)))


@pytest.mark.parametrize(("name", "x", "w"), [("lgamma", 1.55e-8, 1e8), ("sinc", 7.5e-9, 1e8)])
def test_one_sided_slopes_parting_alike_at_two_later_halvings_do_not_stop_the_refinement(name, x, w):
    # f(1e8 x) reaches poles or kinks down to eps / 128 or so: its one-sided slopes grow, then part alike at two
    # halvings in a row (lgamma's at eps / 16 and eps / 32), which was read as a kink at the point, smaller steps
    # were not looked at, and every rule, 0 and of the wrong sign too, "cannot judge" (they failed before)
    for times in (1.1, -1.0, 0.0):
        op = _table_op(name, times)
        with pytest.raises(GradcheckError, match="<- fails") as caught:
            gradcheck(lambda t, op=op: op(t * w), [np.array([x])])
        assert not caught.value.undecided


@pytest.mark.parametrize(("name", "distance"), [("hardsigmoid", 0.8), ("hardsigmoid", 0.95), ("hardswish", 0.95)])
def test_a_table_op_beside_its_kink_rounding_inside_more_than_estimated_is_judged_below_it(name, distance):
    # x / 6 + 0.5 at -3 + 0.8 eps rounds at 0.5's scale: its differences below eps move by 1e-10, 1e5 times
    # the rounding gradcheck estimates for an output of 1e-7, so they were never read as straight; no smaller
    # step refined the row, and a rule off by 10%, of the wrong sign or 0 "cannot judge" (they failed before)
    point = [np.array([-3.0 + distance * EPS])]
    assert gradcheck(_table_op(name, 1.0), point)
    for times in (1.1, -1.0, 0.0):
        with pytest.raises(GradcheckError, match="<- fails") as caught:
            gradcheck(_table_op(name, times), point)
        assert not caught.value.undecided


def test_a_slope_refined_within_the_tolerance_it_was_refined_to_is_kept():
    # i0e(1e8 x) at 7.5e-9 (its kink at 0, 0.0075 eps away): refined to -35127704 within 1152, below the
    # tolerance of 3.5e4 the halving stopped at, the slope was dropped for not being within the tolerance of
    # the difference at eps (-150, 0.15), and right and wrong rules alike "cannot judge" (the wrong failed before)
    point = [np.array([7.5e-9])]
    assert gradcheck(lambda t: _table_op("i0e", 1.0)(t * 1e8), point)
    for times in (1.1, -1.0, 0.0):
        with pytest.raises(GradcheckError, match="<- fails") as caught:
            gradcheck(lambda t, times=times: _table_op("i0e", times)(t * 1e8), point)
        assert not caught.value.undecided
