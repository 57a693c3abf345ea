"""hessian of a function of any output, as torch.func.hessian and jax.hessian (jacfwd of jacrev): shape
out + in + in, and a tree output or tuple argnums nest as theirs. It was refused for any output but one
number, by a message naming `grad`, which the caller never called."""

import numpy as np
import pytest
import torch

from autograd import ShapeError, stack
from autograd.transforms import hessian, hvp, jacobian

tf = torch.func
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
X = np.array([0.5, -1.0, 2.0])


def test_the_hessian_of_a_vector_function_has_shape_out_plus_in_plus_in_as_torch_func():
    f = lambda x: (x**3) * x.sum()  # noqa: E731
    ours, theirs = hessian(f)(X), tf.hessian(f)(torch.tensor(X)).numpy()
    assert ours.shape == theirs.shape == (3, 3, 3)
    np.testing.assert_allclose(ours, theirs, rtol=1e-14)
    np.testing.assert_allclose(ours, jacobian(jacobian(f))(X), rtol=1e-14)


def test_the_hessian_of_a_matrix_function_of_a_matrix_and_of_one_element_outputs():
    m = np.arange(6.0).reshape(2, 3) / 5 - 0.4
    f = lambda m: (m @ m.T).tanh()  # noqa: E731
    ours, theirs = hessian(f)(m), tf.hessian(f)(torch.tensor(m)).numpy()
    assert ours.shape == theirs.shape == (2, 2, 2, 3, 2, 3)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)
    g = lambda x: (x**3).sum().reshape(1)  # noqa: E731
    assert hessian(g)(X).shape == tf.hessian(g)(torch.tensor(X)).shape == (1, 3, 3)


def test_a_tree_output_tuple_argnums_and_numbers_nest_as_torch_func():
    f = lambda a, b: {"p": a * b * b, "q": (a * a * b).sum()}  # noqa: E731
    ours = hessian(f, argnums=(0, 1))(X, X + 1)
    theirs = tf.hessian(f, argnums=(0, 1))(torch.tensor(X), torch.tensor(X + 1))
    for key in ("p", "q"):
        for i in range(2):
            for j in range(2):
                np.testing.assert_allclose(ours[key][i][j], theirs[key][i][j].numpy(), rtol=1e-14)
    assert hessian(lambda x: stack([x * x, x * x * x]))(2.0).tolist() == [2.0, 12.0]
    assert hessian(lambda x: [x * x, x * x * x])(2.0) == [2.0, 12.0]


def test_hessian_names_itself_in_its_refusals():
    with pytest.raises(TypeError, match="^hessian: the function must return real numbers"):
        hessian(lambda x: "text")(X)
    with pytest.raises(TypeError, match="^hessian: with has_aux=True the function must return a pair"):
        hessian(lambda x: x.sum(), has_aux=True)(X)


def test_hvp_names_itself_in_its_refusals():
    """They named `grad`, which the caller never called."""
    with pytest.raises(ShapeError, match=r"^hvp: the function must return one number, got shape \(3,\)"):
        hvp(lambda x: x**2, X, X)
    with pytest.raises(TypeError, match="^hvp: cannot differentiate with respect to an array of dtype int64"):
        hvp(lambda x: (x**2).sum(), np.arange(3), X)
