"""gradcheck where f's numbers round more coarsely than their dtype says, out of its graph's sight: inside
an op of the user's own ((x + 1e12) - 1e12 keeps x to steps of 1.2e-4; sin computed in float32 and given
back as float64), or in an entry of f's output summed in a row with entries that moved (x + 1e12 beside
2 x). The difference measures that rounding, and the row said a right rule fails, or passed a wrong one;
it says it cannot judge. Step functions (floor at 5.3, sign, clip at a bound) pass as before."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, Tensor, Value, gradcheck, gradcheck_params, stack


def _rounding(times: float) -> Op:
    """x rounded to steps of 2**-13 inside the op (the spacing of 1e12), its rule `times` the slope 1."""
    return Op("rounding", lambda x: (x + 1e12) - 1e12, lambda g, out, x: (g * times,))


def _float32(times: float) -> Op:
    """sin computed in float32 and given back as float64, its rule `times` cos."""
    return Op("sin32", lambda x: np.sin(np.float32(x)).astype(np.float64), lambda g, out, x: (g * times * np.cos(x),))


def _cannot_judge(f, x, says: str) -> None:
    with pytest.raises(GradcheckError, match=says) as caught:
        gradcheck(f, [x])
    assert caught.value.undecided and "<- fails" not in str(caught.value)
    headline = str(caught.value).splitlines()[0]
    assert headline.endswith("cannot be judged by finite differences (none is seen to disagree)")


@pytest.mark.parametrize("times", [1.0, 1.5, 0.0])  # right, off by half, 0: the right one failed, 0 passed
@pytest.mark.parametrize("x", [Value(0.3), np.array([0.3, 0.7])], ids=["value", "tensor"])
def test_rounding_inside_an_op_of_ones_own_cannot_be_judged(times, x):
    _cannot_judge(_rounding(times), x, "grid far coarser than its dtype's(.|\n)*keeps x to steps of 1.2e-4")


@pytest.mark.parametrize("times", [1.0, 1.01])  # right (it failed: 4% off at 0.9), and off by 1% (it failed too)
def test_a_computation_in_float32_inside_an_op_cannot_be_judged_at_eps_1e_6(times):
    _cannot_judge(_float32(times), np.array([0.3, 0.9]), "grid far coarser than its dtype's")
    assert gradcheck(_float32(1.0), [np.array([0.3, 0.9])], eps=1e-2, rtol=1e-2)  # its steps well below 2 eps


def test_a_rule_far_off_beside_such_rounding_still_fails():
    with pytest.raises(GradcheckError, match="<- fails") as caught:
        gradcheck(_float32(2.0), [np.array([0.3, 0.9])])
    assert not caught.value.undecided


def test_a_loss_rounding_inside_cannot_be_judged_in_its_parameters():
    w = Tensor(np.array([0.3, 0.7]), requires_grad=True)
    with pytest.raises(GradcheckError, match="grid far coarser") as caught:
        gradcheck_params(lambda: _rounding(0.0)(w).sum(), {"w": w})
    assert caught.value.undecided


@pytest.mark.parametrize(
    "f, x, eps",
    [
        (autograd.floor, np.array([5.3, 2.7]), 1e-6),  # 5.0 keeps 3 bits, but floor is flat for 0.3 around
        (autograd.sign, np.array([0.3, -2.7]), 1e-6),
        (lambda t: t.clip(0.0, 1.0), np.array([0.3, 2.0, -1.0]), 1e-6),
        (lambda t: autograd.floor(t) * t, np.array([5.3, 2.7]), 1e-6),
        (lambda t: 3 * t, np.array([0.5, 0.25]), 2.0**-20),  # x +- eps keeps 21 bits, and so does 3 x: exact
        (lambda t: 3 * t, 0.5, 2.0**-20),
    ],
)
def test_step_functions_and_exact_values_on_a_coarse_grid_still_pass(f, x, eps):
    assert gradcheck(f, [x], eps=eps)


def _plus(times: float) -> Op:
    return Op("plus", lambda x: x + 1e12, lambda g, out, x: (g * times,))


@pytest.mark.parametrize("times", [-1.0, 0.0, 2.0])  # every one passed: 2 x's entries carried the row
def test_a_rule_wrong_in_an_entry_too_large_for_eps_beside_one_that_moves_cannot_pass(times):
    x = np.array([0.3, 0.7, -0.2])
    _cannot_judge(lambda t: stack([_plus(times)(t), 2 * t]), x, "an entry of f's output .*this row cannot vouch")


def test_a_rule_wrong_in_the_entry_that_moves_beside_it_still_fails():
    twice = Op("twice", lambda x: 2 * x, lambda g, out, x: (g * 2.2,))
    with pytest.raises(GradcheckError, match="<- fails") as caught:
        gradcheck(lambda t: stack([t + 1e12, twice(t)]), [np.array([0.3, 0.7, -0.2])])
    assert not caught.value.undecided


def test_a_large_constant_entry_or_one_another_element_moves_is_not_blamed():
    # exp(20) beside exp(-5): x[0] leaves exp(20) as it is (at eps and at 256 eps): the row judges exp(-5)
    assert gradcheck(autograd.exp, [np.array([-5.0, 20.0])])
    assert gradcheck(lambda t: autograd.concatenate([2 * t, t[:1] * 0 - 1e9]), [np.array([0.3, 0.7])])


def test_a_smooth_f_flat_at_a_simple_value_is_no_grid():
    """sum(softmax(x) * [1, 2, 3]) at 0 is 2.0 (1 bit), flat in x[1] (2 is the weights' mean): at eps it does
    not move, at 256 eps it moves by 1e-8, to a number on no coarse grid. The row said f lies on a grid of 2."""
    assert gradcheck(lambda t: (t.softmax(axis=0) * np.array([1.0, 2.0, 3.0])).sum(), [np.zeros(3)])


@pytest.mark.parametrize(
    "f, x, eps",
    [
        (lambda t: t - 2.0, np.array([2.0, 3.0]), 2.0**-20),  # (2 + 2**-20) - 2 is 2**-20: 1 bit, exactly
        (lambda t: t.cumsum(0), np.array([2.0, -3.0, 1.0, 4.0]), 2.0**-20),  # its third entry is 0 +- eps
        (lambda t: t - 1e7, np.array([1e7, 2e7]), 1e-6),  # 1e7 + 1e-6 - 1e7 keeps 24 bits, exactly
        (lambda t: t.cumsum(0), np.array([1e7, -1e7, 3.0]), 1e-6),
        (lambda t: (t - 2.0) ** 2, np.array([2.0, 3.0]), 2.0**-20),  # 2**-40 at 2 +- eps: its second difference
    ],
)
def test_cancellation_is_no_rounding_inside_f(f, x, eps):
    """x - c at x = c leaves few bits, exactly what x +- eps minus c is: no grid of f's own. Each said "f's
    output lies on a grid far coarser than its dtype's ... cannot judge" (moving the slope by 1 to 94)."""
    assert gradcheck(f, [x], eps=eps)


@pytest.mark.parametrize("x", [np.array([2.0, -3.0]), np.array([64.0, 0.5])])
def test_rounding_inside_is_still_seen_at_whole_numbers(x):
    # (x + 1e12) - 1e12 puts 2 + 1e-6 on a grid of 1.2e-4, far coarser than x - 2 would leave it
    _cannot_judge(_rounding(0.0), x, "grid far coarser")


@pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy's "invalid value in subtract" leaked from the check
def test_an_element_at_infinity_is_judged_as_before():
    # x +- eps at inf has no lowest bit: the exact grid is none there (not numpy's "zero-size array" ValueError)
    with pytest.raises(GradcheckError, match="f is not finite at x"):
        gradcheck(lambda t: t.clip(0.0, 2.0) * 0 + 1, [np.array([np.inf, 1.0])])


def _counting(f):
    """f, and the list whose one number counts its calls."""
    calls = [0]

    def counted(*args):
        calls[0] += 1
        return f(*args)

    return counted, calls


@pytest.mark.parametrize(
    "f, rows",
    [(lambda v: v * 2.0, 200), (lambda v: v.relu(), 100), (lambda v: v.tanh(), 200)],
    ids=["times_2", "relu", "tanh"],
)
def test_a_short_value_its_own_element_moves_finely_costs_no_probe(f, rows):
    """v * 2.0 over linspace(-1, 1, 200) gives -2.0 and 2.0 (1 bit) at its ends, relu 1.0: every other
    element's row read them as a possible coarse grid and called f twice more at 256 eps (801 and 785
    calls of f, not 401 before the calls below). Their own element moves them to 2 +- 2e-6, which keeps every
    bit: the point's value, no grid of f's own. A row's slope to x + eps / 2 vouches for its difference: one call
    more per row (relu's 100 elements below 0 move no entry and have a rule of 0: no row); and every element leaves
    199 entries still at x +- eps, which a grain inside f would move at x + 256 eps: one call more per element
    (`tread_entries`), none at x - 256 eps, where none moved."""
    counted, calls = _counting(f)
    assert gradcheck(counted, [np.linspace(-1, 1, 200)])
    assert calls[0] == 1 + 3 * 200 + rows


MANY = np.linspace(0.3, 0.9, 40)


@pytest.mark.parametrize(
    "f, x, says",
    [
        (_rounding(0.0), np.where(np.arange(40) == 5, 2.0, MANY), "grid far coarser"),
        (lambda t: stack([_rounding(0.0)(t), 2 * t]), MANY, "grid far coarser"),
        (lambda t: stack([2 * t, _rounding(0.0)(t)]), np.linspace(-1, 1, 40), "grid far coarser"),
        (_float32(1.0), MANY, "grid far coarser"),
    ],
    ids=["rounding", "rounding_then_2x", "2x_at_short_values_then_rounding", "float32"],
)
def test_rounding_inside_f_among_many_outputs_still_cannot_be_judged(f, x, says):
    # an entry on a grid of f's own keeps few bits wherever any element moves it: still looked for at 256 eps
    _cannot_judge(f, x, says)


def _table_sin(times: float) -> Op:
    """The op table's sin with its rule `times` the slope: in f's graph, where its rounding is read off backward's
    gradients (check_rounding), which a rule giving 0 makes 0."""
    sin = autograd.tensor_ops.OPS["sin"]
    return Op("sin", sin.forward, lambda g, out, x: tuple(times * r for r in sin.vjp(g, out, x)))


@pytest.mark.parametrize("times", [0.0, 1.0])
@pytest.mark.parametrize("shift", [1e10, 1e11, 1e12])  # x + shift keeps x to steps of 1.9, 15 and 122 eps
def test_a_rule_giving_0_where_the_grain_inside_f_is_eps_or_coarser_cannot_pass(shift, times):
    """sin(3e3 (x + 1e10)) is still on one side at eps and moves at 2 eps: read as relu's flat side, its stillness
    at smaller steps passed a rule giving 0 at 7 of 8 points; sin(3e3 (x + 1e11)), still at x +- eps and moving
    on both sides within 256 eps, passed it at 8 of 8. Neither can be judged; the right rule does not fail."""
    sin = _table_sin(times)
    for x in np.random.default_rng(2).uniform(-1, 1, 6):
        with pytest.raises(GradcheckError) as caught:
            gradcheck(lambda t: sin((t + shift) * 3e3), [np.array([x])])
        assert caught.value.undecided, str(caught.value)


@pytest.mark.parametrize("times", [0.0, 1.0])
def test_such_a_grain_is_looked_for_in_an_output_of_several_blocks(times):
    """Over 40 elements (two blocks of f's output), an element that moves no entry at x +- eps had no row: a rule
    giving 0 of sin(3e3 (x + 1e12)) left no row at all, and gradcheck said the inputs had no elements."""
    sin = _table_sin(times)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda t: sin((t + 1e12) * 3e3), [np.random.default_rng(2).uniform(-1, 1, 40)])
    assert caught.value.undecided, str(caught.value)


def _beside_2x(times: float, shift: float):
    """2 x beside sin(3e3 (sin(x) + 1e3 + 1e6 + 1e9 + shift)), added in that order, both sins of the table's forward
    with their rules `times` the slope: where they give 0, f's graph shows no slope in x to read the grain by, and
    each sum loses 12 bits or fewer of its input's (check_scales); only f's numbers can show it."""
    sin = _table_sin(times)

    def f(t):
        inner = sin(t)
        for c in (1e3, 1e6, 1e9, shift):
            inner = inner + c
        return autograd.concatenate([2 * t, sin(inner * 3e3)])

    return f


@pytest.mark.parametrize("times", [0.0, 1.0])
@pytest.mark.parametrize("n", [10, 20], ids=["one_block", "two_blocks"])
@pytest.mark.parametrize("shift", [1e11, 1e12])
def test_such_a_grain_beside_entries_that_move_cannot_pass(shift, n, times):
    """Each element moves its 2 x entry, and its sin entry, x kept to steps of 15 or 122 eps, only within 256 eps:
    the row (or the block of 2 x) moved by 2 x alone, the sin's block had no row, and a rule giving 0 in the sin
    passed at 3 of 4 checks. Each entry still at x +- eps is now looked at x +- 256 eps."""
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_beside_2x(times, shift), [np.linspace(-0.9, 0.8, n)])
    assert caught.value.undecided, str(caught.value)
    assert times or "an entry of f's output did not move at x +- eps, but moves on both sides" in str(caught.value)
