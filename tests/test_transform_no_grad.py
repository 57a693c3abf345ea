"""A transform called inside `no_grad` returns constants, as torch.func's do: the caller asked for no
graph. Inside an outer transform's f, `with no_grad(): c = grad(h)(x)` makes c a constant of the outer
function; its graph was kept, so the outer gradient went through it (9x² for 3x², checked against
torch.func)."""

import numpy as np
import pytest
import torch

from autograd import Tensor, Value, no_grad
from autograd.functional import elementwise_grad, grad, value_and_grad
from autograd.transforms import hessian, hvp, jacobian, jvp, vjp

tf = torch.func
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
X = np.array([0.5, -1.0, 2.0])

# each inner transform of y -> y ** 3 (or of its sum) at x: 3x² (or x³), built the same way on both engines
INNER = {
    "grad": (lambda x: grad(lambda y: (y**3).sum())(x), lambda x: tf.grad(lambda y: (y**3).sum())(x)),
    "value_and_grad": (
        lambda x: value_and_grad(lambda y: (y**3).sum())(x)[1],
        lambda x: tf.grad_and_value(lambda y: (y**3).sum())(x)[0],
    ),
    "elementwise_grad": (
        lambda x: elementwise_grad(lambda y: y**3)(x),
        lambda x: tf.vjp(lambda y: y**3, x)[1](torch.ones_like(x))[0],
    ),
    "jacobian": (lambda x: jacobian(lambda y: y**3)(x).sum(axis=0), lambda x: tf.jacrev(lambda y: y**3)(x).sum(0)),
    "jacobian of a scalar": (
        lambda x: jacobian(lambda y: (y**3).sum())(x),
        lambda x: tf.jacrev(lambda y: (y**3).sum())(x),
    ),
    "hessian": (
        lambda x: hessian(lambda y: (y**4).sum())(x).sum(axis=0),
        lambda x: tf.hessian(lambda y: (y**4).sum())(x).sum(0),
    ),
    "hvp": (
        lambda x: hvp(lambda y: (y**4).sum(), x, np.ones(3)),
        lambda x: tf.jvp(tf.grad(lambda y: (y**4).sum()), (x,), (torch.ones_like(x),))[1],
    ),
    "vjp's output": (lambda x: vjp(lambda y: y**3, x)[0], lambda x: tf.vjp(lambda y: y**3, x)[0]),
    "vjp's pullback": (
        lambda x: vjp(lambda y: y**3, x)[1](np.ones(3))[0],
        lambda x: tf.vjp(lambda y: y**3, x)[1](torch.ones_like(x))[0],
    ),
    "jvp's output": (
        lambda x: jvp(lambda y: y**3, (x,), (np.ones(3),))[0],
        lambda x: tf.jvp(lambda y: y**3, (x,), (torch.ones_like(x),))[0],
    ),
    "jvp's tangent": (
        lambda x: jvp(lambda y: y**3, (x,), (np.ones(3),))[1],
        lambda x: tf.jvp(lambda y: y**3, (x,), (torch.ones_like(x),))[1],
    ),
}


@pytest.mark.parametrize("name", sorted(INNER))
def test_an_inner_transform_inside_no_grad_is_a_constant_of_the_outer_function(name):
    ours, theirs = INNER[name]

    def f(x):
        with no_grad():
            c = ours(x)
        return (c * x).sum()

    def f_torch(x):
        with torch.no_grad():
            c = theirs(x)
        return (c * x).sum()

    expected = tf.grad(f_torch)(torch.tensor(X)).numpy()
    np.testing.assert_allclose(grad(f)(X), expected, rtol=1e-14)


def test_an_inner_transform_of_a_number_inside_no_grad_is_a_constant():
    def f(x):
        with no_grad():
            c = grad(lambda y: y**3)(x)  # 12 at 2: d/dx of c * x is c, not 36 (c's dependence on x counted)
        return c * x

    assert grad(f)(2.0) == 12.0


def test_nodes_given_inside_no_grad_get_data_back_as_torch_func():
    t = Tensor(np.array([1.0, 3.0]), requires_grad=True)
    with no_grad():
        g = grad(lambda y: (y * y).sum())(t)
        out, pullback = vjp(lambda y: y * y, t)
        jac = jacobian(lambda y: y * y)(Value(2.0))
    with torch.no_grad():
        assert not tf.grad(lambda y: (y * y).sum())(torch.tensor([1.0, 3.0], requires_grad=True)).requires_grad
    assert type(g) is np.ndarray and g.tolist() == [2.0, 6.0]
    assert type(out) is np.ndarray and type(jac) is float and jac == 4.0
    with no_grad():  # a pullback called inside no_grad: data too, though made outside it
        assert type(vjp(lambda y: y * y, t)[1](np.ones(2))[0]) is np.ndarray
    assert isinstance(pullback(np.ones(2))[0], Tensor)  # made there, called after it: a node, as torch.func's
    assert t.grad is None


def test_a_pullback_made_inside_no_grad_and_called_outside_it_keeps_the_graph_as_torch_func():
    """no_grad holds for the calls made inside it: vjp's output there is data, but its pullback called after the
    block, on a Tensor that requires grad (given, or closed over), differentiates as torch.func's: it returned
    an array, so a backward through it lost x's gradient (6x, [3 -6 12]) without a word."""
    t, w = Tensor(X.copy(), requires_grad=True), Tensor(X.copy(), requires_grad=True)
    tt, tw = torch.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    with no_grad():
        out, pullback = vjp(lambda y: y**3, t)
        _, closed = vjp(lambda y: y**3 * w, X)
    with torch.no_grad():
        _, pullback_torch = tf.vjp(lambda y: y**3, tt)
        _, closed_torch = tf.vjp(lambda y: y**3 * tw, torch.tensor(X))
    assert type(out) is np.ndarray
    for ours, theirs in ((pullback(np.ones(3))[0], pullback_torch), (closed(np.ones(3))[0], closed_torch)):
        assert isinstance(ours, Tensor)
        ours.sum().backward()
        theirs(torch.ones(3, dtype=torch.float64))[0].sum().backward()
    np.testing.assert_array_equal(t.grad, tt.grad.numpy())
    np.testing.assert_array_equal(w.grad, tw.grad.numpy())
