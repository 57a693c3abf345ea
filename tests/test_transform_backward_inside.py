"""backward() inside a function a transform is running, of what the transform differentiates: refused, as
torch.func refuses backward() inside its transforms. It ran: the transform's answer was right, but the pass
wrote into `.grad` of the Tensors f closes over (w.grad [0.25 1 4], x², after one grad call) and of a
Tensor given as the argument, which the transforms promise to leave alone."""

import numpy as np
import pytest

from autograd import Tensor, Value, grad, jacobian, jvp, stack

X = np.array([0.5, -1.0, 2.0])


def test_backward_of_what_a_transform_differentiates_is_refused_and_leaves_grad_alone():
    w = Tensor(X.copy(), requires_grad=True)

    def f(x):
        y = (x * x * w).sum()
        y.backward()
        return y

    for call in (lambda: grad(f)(X), lambda: grad(f)(Tensor(X.copy(), requires_grad=True)), lambda: jvp(f, (X,), (X,))):
        with pytest.raises(TypeError, match=r"backward\(\) of a Tensor computed from what a transform"):
            call()
    assert w.grad is None

    def g(a):
        y = a * a * Value(2.0)
        y.backward()
        return y

    with pytest.raises(TypeError, match=r"backward\(\) of a Value computed from what a transform"):
        grad(g)(1.5)
    with pytest.raises(TypeError, match=r"backward\(\)"):  # on the rerun too, with the number as a 0-d Tensor
        jacobian(lambda a: f(stack([a, a, a])))(1.5)


def test_backward_of_another_graph_inside_f_still_runs():
    w = Tensor(X.copy(), requires_grad=True)

    def f(x):
        (w * w).sum().backward()  # a step of something else: no path from x
        return (x * x).sum()

    np.testing.assert_array_equal(grad(f)(X), 2 * X)
    np.testing.assert_array_equal(w.grad, 2 * X)


def test_micrograd_step_by_step_backward_inside_f_is_refused_too():
    """`_backward()`, micrograd's one step of backward (for learners stepping by hand), wrote into `.grad` of
    the Value f closes over (v.grad 2.0 after one grad call) where backward() is refused; refused alike now."""
    v = Value(3.0)

    def g(a):
        y = a * v
        y.grad = 1.0
        y._backward()
        return y

    with pytest.raises(TypeError, match=r"_backward\(\) of a Value computed from what a transform"):
        grad(g)(2.0)
    assert v.grad == 0.0 and not v.grad_computed
    w = Tensor(X.copy(), requires_grad=True)
    y = w * w  # outside a transform it steps as before
    y.grad = np.ones(3)
    y._backward()
    np.testing.assert_array_equal(w.grad, 2 * X)
