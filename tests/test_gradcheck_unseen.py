"""gradcheck where finite differences see nothing or cannot be taken: a step that rounds away, f not finite
at the point, a kink, a jump, a pole or a domain's edge within eps, in one entry of one or of a thousand
outputs. Each raises or fails, naming why; none passes."""

import warnings

import numpy as np
import pytest

from autograd import GradcheckError, Op, Tensor, concatenate, gradcheck, gradcheck_params


def _wrong(name: str, forward) -> Op:
    """An op whose rule gives 0 whatever its slope."""
    return Op(name, forward, lambda g, out, x: (g * 0,))


@pytest.mark.parametrize(
    "op, x",
    [
        (_wrong("plus_1e12", lambda x: x + 1e12), np.array([0.5, 0.25])),  # f's step is below its spacing
        (_wrong("plus_1e12", lambda x: x + 1e12), 0.5),
    ],
)
def test_a_rule_giving_0_where_the_output_does_not_move_cannot_pass(op, x):
    """Both slopes were 0, and the rule giving 0 where the slope is 1 passed."""
    with pytest.raises(GradcheckError, match="no entry of f's output moved at x") as caught:
        gradcheck(op, [x])
    assert caught.value.undecided  # finite differences cannot tell: not blamed on the rule either
    # its first line read "1 of 1 gradients disagree", of an analytic 0 beside a numeric 0
    assert (
        str(caught.value).splitlines()[0].endswith("cannot be judged by finite differences (none is seen to disagree)")
    )


@pytest.mark.parametrize(
    "op, x, where",
    [
        (_wrong("times_1", lambda x: x * 1.0), np.array([1e12, 3e12]), r"input 0\[1\] = 3000000000000.0"),  # largest
        (_wrong("times_1e-12", lambda x: x * 1e-12), 1e12, r"input 0 = 1000000000000.0"),  # ... and f is small
    ],
)
def test_a_rule_giving_0_where_the_step_rounds_away_is_refused(op, x, where):
    """x + eps is x: both slopes were 0, and the rule giving 0 where the slope is 1 passed; the difference
    measures nothing there, so the point is refused, naming the element (test_gradcheck_steps: one side)."""
    with pytest.raises(ValueError, match=where + ", where x \\+ eps or x - eps rounds to x"):
        gradcheck(op, [x])


def test_a_parameter_whose_step_rounds_away_is_refused():
    w = Tensor(np.array([1e12, 2.0]), requires_grad=True)
    with pytest.raises(ValueError, match=r"gradcheck_params: w\[0\] = 1000000000000.0, where x \+ eps"):
        gradcheck_params(lambda: _wrong("times_1e-12", lambda x: x * 1e-12)(w).sum(), {"w": w})
    assert list(w.data) == [1e12, 2.0]


def test_a_parameter_whose_loss_does_not_move_cannot_pass():
    w = Tensor(np.array([0.5, 2.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"2 of 2 gradients(.|\n)*w\[0\] .*no entry of f's output moved") as e:
        gradcheck_params(lambda: _wrong("plus_1e12", lambda x: x + 1e12)(w).sum(), {"w": w})
    assert e.value.undecided


def test_a_right_rule_where_the_output_resolves_the_step_still_passes():
    assert gradcheck(lambda x: x + 1e4, [np.array([0.5, 0.25])]) and gradcheck(lambda x: x * 1e-12, [np.array([2.0])])


BIG = np.linspace(0.5, 1.5, 1000)


def _with_many(g):
    """f: 1000 smooth entries, then g(x)'s (a kink, a jump, a pole...): g's entry in a block of its own."""
    return lambda x: concatenate([x * BIG, g(x)])


@pytest.mark.parametrize("many", [False, True])
@pytest.mark.parametrize(
    "g, x, error, message",
    [
        (lambda x: (x * 0 - 1).sqrt(), 0.7, ValueError, "output is nan at the point"),
        (lambda x: 1 / x, 0.0, ValueError, "output is inf at the point"),
        (lambda x: x.abs(), 0.0, GradcheckError, "not differentiable here"),
        # a kink nearer than the smallest step looked at (eps / 4096); 4e-7 away, f is judged below it (richardson)
        (lambda x: (x - 1e-11).abs(), 0.0, GradcheckError, "not differentiable here"),
        (lambda x: x.relu(), 0.0, GradcheckError, "not differentiable here"),
        (lambda x: x.sqrt(), 5e-7, (ValueError, GradcheckError), "undefined at|not finite at x"),  # an edge within eps
        (lambda x: x.log(), 5e-7, (ValueError, GradcheckError), "undefined at|not finite at x"),
        (lambda x: x.floor(), 1.0, GradcheckError, "fails|not continuous"),  # a jump
        (lambda x: x.sign(), 0.0, GradcheckError, "fails|not continuous"),
    ],
)
def test_where_no_derivative_can_be_checked_gradcheck_raises(g, x, error, message, many):
    with warnings.catch_warnings(), pytest.raises(error, match=message):
        warnings.simplefilter("ignore")
        gradcheck(_with_many(g) if many else g, [np.array([x])])


@pytest.mark.parametrize("many", [False, True])
def test_a_pole_within_eps_is_stepped_past(many):
    # 1 / x at 3e-7: x +- eps straddles the pole, and a right rule failed; the difference at eps / 4 and below
    # does not, and the slope extrapolated from there (check_richardson) keeps -1 / x**2 from being blamed
    # (an op of one's own: 'cannot judge', as a grid may hide in it), and a rule 1% off fails
    for times in (1.0, 1.01):
        op = Op("reciprocal", lambda x: 1 / x, lambda g, out, x, times=times: (g * times * -1 / x**2,))
        f = _with_many(op) if many else op
        with pytest.raises(GradcheckError, match="cannot judge" if times == 1.0 else "<- fails") as caught:
            gradcheck(f, [np.array([3e-7])])
        assert caught.value.undecided == (times == 1.0)


def _times_1_with_rule_at_40(rule_40: float):
    """x * 1 over 64 elements, element 40 at 1e5 (moved by eps itself: its spacing is 1.5e-11), its rule
    giving rule_40 there and 1 elsewhere; max_per_param=1 draws another element, so 40's block alone sees it."""
    x = np.linspace(0.5, 1.5, 64)
    x[40] = 1e5
    w = Tensor(x, requires_grad=True)
    rule = np.where(np.arange(64) == 40, rule_40, 1.0)
    op = Op("times_1", lambda x: x * 1.0, lambda g, out, x: (g * rule,))
    return lambda: gradcheck_params(lambda: op(w).sum(), {"w": w}, max_per_param=1)


def test_an_element_of_a_block_whose_step_rounds_away_is_not_vouched_for():
    """A rule of 1e6 where f's slope is 1 sets element 40's share of its block's direction to 1e-6: eps * d
    = 1e-12 rounds away at 1e5, it is moved by none, and the row of the other 31 (3 beside 3.000001) passed.
    The same rule right passes."""
    with pytest.raises(GradcheckError, match=r"1 of 3 (.|\n)*w\[32:64\]·d .*no entry of f's output moved") as e:
        _times_1_with_rule_at_40(1e6)()
    assert e.value.undecided and "w[40]" not in str(e.value)
    assert _times_1_with_rule_at_40(1.0)()
