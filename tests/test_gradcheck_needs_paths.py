"""An op of one's own whose rule takes `needs` (takes_needs=True) and skips the gradients no one reads: gradcheck of
it with every input checked runs the rule with every gradient wanted, so a rule wrong only on its skipping path
(a * b, the gradient of a computed as g * a where b's is not wanted) passed `gradcheck(op, [a, b])`, and its users
got it wrong wherever b is a constant (data). Each such op in f's graph is also checked alone with each argument held
constant in turn, and the error says which."""

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Op, Tensor

A, B = np.array([0.3, -2.0]), np.array([1.5, 0.7])


def _rule(skip_wrong: bool):
    def rule(g, out, a, b, needs):
        ga = g * b if needs[1] or not skip_wrong else g * a  # the skipping path's factor, wrong where skip_wrong
        return (ga if needs[0] else None, g * a if needs[1] else None)

    return rule


def test_a_rule_wrong_only_where_one_gradient_is_not_wanted_fails():
    op = Op("mul_needs", lambda a, b: a * b, _rule(True), takes_needs=True)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(op, [A, B])
    message = str(info.value)
    assert "the op 'mul_needs' takes needs" in message
    assert "its argument 1 held constant (needs[1] False)" in message and "<- fails" in message
    with pytest.raises(GradcheckError):  # inside a larger f too
        ag.gradcheck(lambda a, b: (op(a.sin(), b) * 2.0).sum(), [A, B])


def test_a_right_rule_taking_needs_passes_and_each_check_alone_is_of_the_op_once():
    calls = []
    right = _rule(False)

    def counted(g, out, a, b, needs):
        calls.append(tuple(needs))
        return right(g, out, a, b, needs)

    op = Op("mul_needs", lambda a, b: a * b, counted, takes_needs=True)
    assert ag.gradcheck(op, [A, B])
    assert {(True, True), (True, False), (False, True)} <= set(calls)
    assert ag.gradcheck(op, [A, Tensor(B)])  # b a constant already: its path is f's own check


def test_a_tensor_f_closes_over_is_not_moved_by_the_checks_alone_and_its_held_path_is_checked():
    # a weight f closes over (requires grad, not among gradcheck's inputs) was moved element by element by the check
    # with x held: gradcheck(f, [x]) of a 2 x 48 x through a 48 x 48 weight took 3.96 s, 0.15 s before, checking a
    # gradient not asked for (PyTorch's gradcheck checks the inputs given alone)
    rng = np.random.default_rng(0)
    w = Tensor(rng.normal(size=(6, 6)), requires_grad=True)
    seen = set()

    def forward(x, w):
        seen.add(float(np.sum(w)))
        return x @ w

    def rule(g, out, x, w, needs):
        gx = g @ w.T if needs[1] else 2 * g @ w.T  # wrong where w is data alone
        return (gx if needs[0] else None, x.T @ g if needs[1] else None)

    mm = Op("mm", forward, rule, takes_needs=True)
    with pytest.raises(GradcheckError, match=r"its argument 1 held constant \(needs\[1\] False\)"):
        ag.gradcheck(lambda x: mm(x, w).tanh().sum(), [rng.normal(size=(2, 6))])
    assert seen == {float(np.sum(w.data))}


def test_an_op_alone_at_numbers_gradcheck_refuses_is_not_a_refusal_of_fs_inputs():
    # the op is given a * 1e12, 3e11, where x + eps rounds to x: its check alone raised gradcheck's ValueError
    # "input 0[0] = 300000000000.0 ..." of no input the user gave (f's check passed before the merge of check_needs)
    op = Op("mul_needs", lambda a, b: a * b, _rule(False), takes_needs=True)
    assert ag.gradcheck(lambda a, b: op(a * 1e12, b).sum() * 1e-12, [A, B])
