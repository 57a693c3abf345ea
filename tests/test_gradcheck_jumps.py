"""gradcheck at a point where f itself jumps (a step, floor, sign, round, a branch on x's value): the
row said "<- fails", as of a wrong rule, where no gradient can be checked at all. f(x+eps) - f(x-eps)
stays about the size of the jump at eps / 4, 2 and 4 eps, where a slope's grows with the step, so the row
says f is not continuous there, the table names the entry and says to move the point, and the check
still fails, undecided (no rule is seen to be wrong). A wrong rule where f is smooth is blamed as ever."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, Tensor, gradcheck, gradcheck_params

JUMPS = [
    ("floor at 1", lambda t: autograd.floor(t).sum(), np.array([0.5, 1.0]), "input 0[1]"),
    ("ceil at -2", lambda t: (autograd.ceil(t) * t).sum(), np.array([-2.0, 0.5]), "input 0[0]"),
    ("sign at 0", lambda t: autograd.sign(t).sum(), np.array([0.3, 0.0]), "input 0[1]"),
    ("round at 0.5", lambda t: autograd.round(t).sum(), np.array([0.5, 0.2]), "input 0[0]"),
    ("a step", lambda t: autograd.where(t.data > 0, t + 1.0, t).sum(), np.array([0.0, 0.5]), "input 0[0]"),
    ("a step 0.05 eps away", lambda v: v + 1.0 if v.data > 5e-8 else v, 0.0, "input 0"),  # 0.1 eps: stepped past
]


@pytest.mark.parametrize("f, x, entry", [case[1:] for case in JUMPS], ids=[case[0] for case in JUMPS])
def test_a_jump_of_f_is_named_as_such_not_blamed_on_the_rule(f, x, entry):
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [x])
    message = str(caught.value)
    assert (
        f"\n{entry} " in message
        and "<- not continuous here: f(x+eps) - f(x-eps), less a slope's part, is about as large at eps / 4" in message
    )
    assert f"f jumps at {entry}: " in message and "the rule is not to blame; check at a point away" in message
    assert "<- fails" not in message and caught.value.undecided  # nothing told of the rule: a property test rejects it
    assert gradcheck(f, [np.asarray(x) + 0.25])  # away from the jump, the same rule passes


def test_a_jump_in_a_parameter_of_a_loss_is_named_too():
    w = Tensor(np.array([1.0, 0.3]), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"\nw\[0\] .*<- not continuous here(.|\n)*f jumps at w\[0\]"):
        gradcheck_params(lambda: (autograd.floor(w) * w).sum(), {"w": w})


@pytest.mark.parametrize(
    "f, x",
    [
        (Op("sin", np.sin, lambda g, out, x: (1.1 * g * np.cos(x),)), 0.4),  # off by 10%
        (Op("steep", lambda x: 1e6 * x, lambda g, out, x: (0 * g,)), 0.4),  # a steep slope, the rule 0
        (Op("flat", lambda x: 0 * x, lambda g, out, x: (g,)), 0.4),  # f flat, the rule 1
        (Op("cube", lambda x: x**3, lambda g, out, x: (g * x * x,)), 1e-3),  # 3 x**2 as x**2, near 0
    ],
)
def test_a_wrong_rule_where_f_is_smooth_is_still_blamed_on_the_rule(f, x):
    with pytest.raises(GradcheckError, match=r"<- fails") as caught:
        gradcheck(f, [x])
    assert "not continuous" not in str(caught.value) and "f jumps" not in str(caught.value)


def test_a_kink_is_still_a_kink_and_one_within_eps_is_stepped_past():
    with pytest.raises(GradcheckError, match="not differentiable here: one-sided slopes -1 and 1") as caught:
        gradcheck(autograd.abs, [0.0])
    assert "f jumps" not in str(caught.value)
    assert gradcheck(lambda v: v.relu(), [9e-7])  # 'cannot judge: f bends within eps': judged at eps / 2


_HALF_RULE_TANH = Op("tanh_1e6", lambda x: np.tanh(1e6 * x), lambda g, out, x: (0.5 * g * 1e6 * (1 - out**2),))


@pytest.mark.parametrize("x", [0.0, 1e-7])
def test_a_continuous_change_about_eps_wide_is_no_jump_and_a_wrong_rule_there_is_not_excused(x):
    """tanh(1e6 x) near 0, eps 1e-6, its rule half the slope: f changes over about eps, so f(x+eps) - f(x-eps)
    is about as large at 2 and 4 eps, as at a jump, but shrinks at eps / 4 (0.32 of it), where a jump's stays.
    The row said f is not continuous there and the table that the rule is not to blame; with eps 1e-8 the
    same rule fails as wrong."""
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_HALF_RULE_TANH, [x], eps=1e-6)
    assert "not continuous" not in str(caught.value) and "not to blame" not in str(caught.value)
    with pytest.raises(GradcheckError, match="<- fails"):
        gradcheck(_HALF_RULE_TANH, [x], eps=1e-8)


@pytest.mark.parametrize("smooth", [1, 7, 40])
def test_a_jump_in_one_entry_among_smooth_ones_is_named_as_such(smooth):
    """floor(x) + x beside `smooth` entries c * x moving with the same element: weighed in with their slopes,
    the row's difference neither halved at 2 eps nor stayed at eps / 4, and it read "<- fails" (it said not
    continuous only alone). Each entry is looked at alone: the one that jumps is named."""
    c = np.linspace(1.0, 3.0, smooth)

    def f(t):
        return autograd.concatenate([t[0] * c, autograd.floor(t[:1]) + t[:1]])

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [np.array([1.0, 0.3])])
    message = str(caught.value)
    assert "<- not continuous here" in message and "f jumps at input 0[0]" in message
    assert "<- fails" not in message
    assert gradcheck(f, [np.array([1.25, 0.3])])  # away from the jump, the same rules pass


def test_a_wrong_rule_beside_a_jump_in_another_element_still_fails():
    off = Op("off", lambda x: 2 * x, lambda g, out, x: (g * 2.5,))
    with pytest.raises(GradcheckError, match=r"input 0\[1\] .*<- fails"):
        gradcheck(lambda t: autograd.concatenate([autograd.floor(t[:1]) + t[:1], off(t[1:])]), [np.array([1.0, 0.3])])


@pytest.mark.parametrize("f, x, entry", [case[1:] for case in JUMPS], ids=[case[0] for case in JUMPS])
def test_a_jump_at_the_point_heads_the_table_as_such_not_as_a_disagreement(f, x, entry):
    # the table began "1 of 2 gradients disagree with finite differences", though no rule was seen to be wrong
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [x])
    first = str(caught.value).splitlines()[0]
    assert first == (
        f"gradcheck: f is not continuous at {entry} (it jumps within eps / 4 of the point): no gradient can be "
        "checked there, and none is seen to disagree"
    )


def test_a_kink_heads_the_table_as_such_and_a_wrong_rule_beside_it_still_disagrees():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(autograd.abs, [0.0])
    assert str(caught.value).splitlines()[0] == (
        "gradcheck: f is not differentiable at input 0 (a kink: its one-sided slopes differ): no gradient can be "
        "checked there, and none is seen to disagree"
    )
    wrong = Op("sin", np.sin, lambda g, out, x: (1.1 * g * np.cos(x),))
    with pytest.raises(GradcheckError, match=r"^gradcheck: 2 of 2 gradients disagree with finite differences\n"):
        gradcheck(lambda a, b: autograd.abs(a) + wrong(b), [0.0, 0.4])
