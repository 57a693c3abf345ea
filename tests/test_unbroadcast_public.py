"""`autograd.unbroadcast`, for a broadcasting op of your own: its rule sums each gradient back to its
input's shape, in a plain backward and under create_graph. Users had no helper for it (the engine's is
internal), and a rule that forgot it got a ShapeError that did not say why."""

import numpy as np
import pytest

from autograd import Op, ShapeError, Tensor, gradcheck, hessian, unbroadcast

mul = Op(
    "mymul",
    lambda a, b: a * b,
    lambda g, out, a, b: (unbroadcast(g * b, np.shape(a)), unbroadcast(g * a, np.shape(b))),
)


def test_a_broadcasting_op_of_your_own_sums_its_gradients_back_and_passes_gradcheck():
    a, b = Tensor(np.array([[0.5], [2.0]]), requires_grad=True), Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    mul(a, b).sum().backward()
    assert a.grad.tolist() == [[6.0], [6.0]] and b.grad.tolist() == [2.5, 2.5, 2.5]
    assert gradcheck(mul, [np.array([[0.5], [2.0]]), np.array([1.0, 2.0, 3.0])])
    assert gradcheck(lambda x, y: mul(x, y), [0.5, 2.0])  # a Value's op: a number is its own sum


def test_unbroadcast_under_create_graph_is_differentiated():
    # sum((x * [1, 2])**2) for x of shape (1,): its second derivative is 2 * (1 + 4)
    assert hessian(lambda x: (mul(x, np.array([1.0, 2.0])) ** 2).sum())(np.array([0.5])).tolist() == [[10.0]]


@pytest.mark.parametrize(
    "g, shape, error, words",
    [
        (np.ones((2, 3)), (4,), ValueError, r"shape \(2, 3\) is no broadcast of an input of shape \(4,\)"),
        (np.ones(3), (2, 3), ValueError, r"shape \(3,\) is no broadcast of an input of shape \(2, 3\)"),
        (np.ones(3), 3, TypeError, "shape must be a tuple of ints"),
    ],
)
def test_unbroadcast_refuses_a_shape_the_gradient_is_no_broadcast_of(g, shape, error, words):
    with pytest.raises(error, match=words):
        unbroadcast(g, shape)


def test_a_rule_that_forgets_to_sum_back_is_told_how():
    forgetful = Op("mymul", lambda a, b: a * b, lambda g, out, a, b: (g * b, g * a))
    with pytest.raises(ShapeError, match=r"for input 1 of shape \(3,\).*autograd.unbroadcast\(gx, np.shape\(x\)\)"):
        forgetful(Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.ones(3), requires_grad=True)).sum().backward()


def test_a_gradient_given_as_a_list_is_summed_back_too():
    """A list was returned as it was, of the broadcast shape: the rule's ShapeError then told to unbroadcast."""
    assert unbroadcast([[1.0, 2.0], [3.0, 4.0]], (2,)).tolist() == [4.0, 6.0]
    assert unbroadcast([[1.0, 2.0], [3.0, 4.0]], ()).tolist() == 10.0
