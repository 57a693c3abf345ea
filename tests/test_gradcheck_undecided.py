"""GradcheckError.undecided says a point tells nothing of the rules (a property test may reject it): every
disagreeing row is one finite differences cannot judge, or one at a kink or a jump of f, where no gradient can
be checked. The tables of kinks and jumps alone said "none is seen to disagree", yet had undecided False, so a
property test drawing such a point failed as for a wrong rule."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, Tensor, gradcheck

WRONG_SIN = Op("sin", np.sin, lambda g, out, x: (1.1 * g * np.cos(x),))


@pytest.mark.parametrize(
    ("f", "x", "words"),
    [
        (autograd.abs, 0.0, "not differentiable here"),
        (lambda t: t.relu() + t, np.array([0.0, 0.3]), "not differentiable here"),
        (lambda t: autograd.floor(t).sum(), np.array([1.0, 0.5]), "not continuous here"),
        (lambda t: autograd.sign(t), np.array([0.0]), "not continuous here"),
    ],
)
def test_a_kink_or_a_jump_alone_is_undecided(f, x, words):
    with pytest.raises(GradcheckError, match=words) as caught:
        gradcheck(f, [x])
    assert caught.value.undecided and "<- fails" not in str(caught.value)


def test_a_wrong_rule_beside_a_kink_or_a_jump_is_not_undecided():
    for breaks, at in ((autograd.abs, 0.0), (autograd.floor, 1.0)):
        with pytest.raises(GradcheckError, match="<- fails") as caught:
            gradcheck(lambda a, b, breaks=breaks: breaks(a) + WRONG_SIN(b), [np.array([at]), np.array([0.4])])
        assert not caught.value.undecided


def test_an_f_without_a_graph_at_a_kink_is_still_named_as_such():
    # undecided for a kink alone must not hide what is wrong: f computes on data, its result has no graph
    with pytest.raises(GradcheckError, match=r"^gradcheck: f's result \(a constant Tensor\) has no graph") as caught:
        gradcheck(lambda t: Tensor(np.abs(t.data)), [np.array([0.0])])
    assert not caught.value.undecided


@pytest.mark.parametrize(("f", "x"), [(np.log, 0.5e-6), (np.reciprocal, 0.5e-6)])
@pytest.mark.filterwarnings("ignore:(divide by zero|invalid value) encountered")
def test_an_f_without_a_graph_beside_a_pole_is_still_named_as_such(f, x):
    # f not finite at x - eps (log) or x - eps / 2 (1 / x), where it is finite at x, is seen to change with x: a
    # row that cannot judge the rule there hid what is wrong (the result has no graph) behind 'a smaller eps'
    with pytest.raises(GradcheckError, match=r"^gradcheck: f's result \(a constant Tensor\) has no graph") as caught:
        gradcheck(lambda t: Tensor(f(t.data)), [np.array([x])])
    assert not caught.value.undecided
