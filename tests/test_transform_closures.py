"""A transformed function that closes over a Tensor of the caller's that requires grad: the answer
depends on that Tensor too, so it comes back as a node a backward goes through, as torch.func's does
(checked against it)."""

import numpy as np
import torch

from autograd import Tensor, grad, hessian, jvp, no_grad


def test_a_gradient_penalty_through_a_closed_over_tensor_matches_torch_func():
    """A gradient penalty: grad of f in x, where f closes over w, then a backward to w. The gradient
    came back as an array, so the penalty's dependence on w was lost: w.grad was 0, not [1 -8 64]."""
    x = np.array([0.5, -1.0, 2.0])
    w = Tensor(x, requires_grad=True)
    g = grad(lambda x: (w * x * x).sum())(x)
    ((g**2).sum() + (w * 0).sum()).backward()
    wt = torch.tensor(x, requires_grad=True)
    (torch.func.grad(lambda x: (wt * x * x).sum())(torch.tensor(x)) ** 2).sum().backward()
    assert isinstance(g, Tensor)
    np.testing.assert_allclose(w.grad, wt.grad.numpy(), rtol=1e-15)


def test_jvp_at_a_tensor_that_requires_grad_gives_a_tangent_to_differentiate():
    """jvp's primal output was a node but its tangent an array: a backward from it could not reach t."""
    t = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    _, tangent = jvp(lambda y: y**3, (t,), (np.ones(3),))
    tangent.sum().backward()
    tt = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.func.jvp(lambda y: y**3, (tt,), (torch.ones(3, dtype=torch.float64),))[1].sum().backward()
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-15)


def test_without_a_closed_over_variable_the_answers_stay_data():
    """Constants made inside f, nested transforms and jvp's own pullback are no variables of the caller."""
    x = np.array([0.5, -1.0, 2.0])
    assert type(grad(lambda x: (x * Tensor(np.ones(3))).sum())(x)) is np.ndarray
    assert type(hessian(lambda a, b: a * a * b, argnums=(0, 1))(2.0, 3.0)[0][1]) is float
    assert jvp(lambda x: x**3, (2.0,), (1.0,)) == (8.0, 12.0)
    assert type(jvp(lambda x: x**3, (x,), (np.ones(3),))[1]) is np.ndarray


def test_inside_no_grad_a_closed_over_tensor_leaves_the_answer_data():
    """torch.func.grad inside torch.no_grad gives a tensor that does not require grad: no graph for the caller."""
    w = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    with no_grad():
        g = grad(lambda y: (w * y * y).sum())(np.ones(3))
    assert type(g) is np.ndarray
    np.testing.assert_array_equal(g, [1.0, -2.0, 4.0])
