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
