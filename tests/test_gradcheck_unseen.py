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
        (_wrong("times_1", lambda x: x * 1.0), np.array([1e12, 3e12])),  # x + eps rounds to x
        (_wrong("times_1e-12", lambda x: x * 1e-12), 1e12),  # ... and f is small
    ],
)
def test_a_rule_giving_0_where_the_step_rounds_away_cannot_pass(op, x):
    """Both slopes were 0, and the rule giving 0 where the slope is 1 passed."""
    with pytest.raises(GradcheckError, match="no entry of f's output moved at x") as caught:
        gradcheck(op, [x])
    assert caught.value.undecided  # finite differences cannot tell: not blamed on the rule either
    # its first line read "1 of 1 gradients disagree", of an analytic 0 beside a numeric 0
    assert (
        str(caught.value).splitlines()[0].endswith("cannot be judged by finite differences (none is seen to disagree)")
    )


def test_a_parameter_whose_step_rounds_away_cannot_pass():
    w = Tensor(np.array([1e12, 2.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"1 of 2 gradients(.|\n)*w\[0\] .*no entry of f's output moved"):
        gradcheck_params(lambda: _wrong("times_1e-12", lambda x: x * 1e-12)(w).sum(), {"w": w})


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
        (lambda x: (x - 4e-7).abs(), 0.0, GradcheckError, "not differentiable here"),  # a kink within eps
        (lambda x: x.relu(), 0.0, GradcheckError, "not differentiable here"),
        (lambda x: x.sqrt(), 5e-7, (ValueError, GradcheckError), "undefined at|not finite at x"),  # an edge within eps
        (lambda x: x.log(), 5e-7, (ValueError, GradcheckError), "undefined at|not finite at x"),
        (lambda x: 1 / x, 3e-7, GradcheckError, "fails"),  # a pole within eps
        (lambda x: x.floor(), 1.0, GradcheckError, "fails|not continuous"),  # a jump
        (lambda x: x.sign(), 0.0, GradcheckError, "fails|not continuous"),
    ],
)
def test_where_no_derivative_can_be_checked_gradcheck_raises(g, x, error, message, many):
    with warnings.catch_warnings(), pytest.raises(error, match=message):
        warnings.simplefilter("ignore")
        gradcheck(_with_many(g) if many else g, [np.array([x])])


def test_an_element_of_a_block_whose_step_rounds_away_is_not_vouched_for():
    """Element 40 at 1e12 moved by none in its block's direction, and its rule's error never showed."""
    x = np.linspace(0.5, 1.5, 64)
    x[40] = 1e12
    w = Tensor(x, requires_grad=True)
    op = Op("times_off", lambda x: x * 1e-12, lambda g, out, x: (g * 1e-12 * (np.arange(64) != 40),))
    with pytest.raises(GradcheckError, match=r"w\[32:64\]·d .*no entry of f's output moved") as caught:
        gradcheck_params(lambda: op(w).sum(), {"w": w}, max_per_param=1)
    assert caught.value.undecided
