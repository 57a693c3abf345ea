"""The fix line of a failed check names the ops of the user's own: gradcheck named nn's internal ops as the user's
('one of your ops f uses ('logit_term', 'mine')' where f was nn's binary_cross_entropy_with_logits of an op of one's
own), and gradcheck_params had no fix line at all (a linear layer of one's own whose bias rule was g.mean(0), 1/8 of
the gradient over a batch of 8, failed with a table of rows named b[0], b[1], b[2] and no op named)."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import GradcheckError, Op, Tensor

RNG = np.random.default_rng(0)


def test_nns_own_ops_are_not_named_as_the_users():
    wrong = Op("mine", lambda x: 2 * x, lambda g, out, x: (3 * g,))
    y = Tensor(np.array([1.0, 0.0, 1.0]))
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(
            lambda x: nn.functional.binary_cross_entropy_with_logits(wrong(x), y), [np.array([0.3, -0.2, 0.5])]
        )
    last = str(info.value).splitlines()[-1]
    assert last.startswith("fix: the derivative rule (backward) of your op 'mine', the one op of yours f uses")


def test_gradcheck_params_names_the_op_of_ones_own_the_loss_uses():
    x = Tensor(RNG.normal(size=(8, 5)))
    linear = Op("linear", lambda x, w, b: x @ w + b, lambda g, out, x, w, b: (g @ w.T, x.T @ g, g.mean(0)))
    w, b = Tensor(RNG.normal(size=(5, 3)), requires_grad=True), Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck_params(lambda: (linear(x, w, b) ** 2).mean(), {"W": w, "b": b})
    message = str(info.value)
    assert "b[0]" in message and "<- fails" in message
    assert message.splitlines()[-1].startswith(
        "fix: the derivative rule (backward) of your op 'linear', the one op of yours the loss uses, gives a wrong "
        "slope there, between a failing row's parameter element and the loss"
    )


def test_a_node_built_by_hand_is_named_as_the_users():
    # its rule is the author's _backward, run by the engine's HandWritten: the fix line named it before the check
    # named only rules written outside chainrule's packages, then said "an op f uses" (micrograd's * with b's
    # gradient doubled, at 2 and 3: analytic 4, numeric 2)
    def mul(a, b):
        out = ag.Value(a.data * b.data, (a, b), "*")

        def _backward():
            a.grad += b.data * out.grad
            b.grad += 2 * a.data * out.grad

        out._backward = _backward
        return out

    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(mul, [2.0, 3.0])
    last = str(info.value).splitlines()[-1]
    assert last.startswith("fix: the derivative rule (backward) of your op '*', the one op of yours f uses")
