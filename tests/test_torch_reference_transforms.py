"""The function transforms against torch.func on drawn float64 inputs: grad (argnums, has_aux,
dict arguments), jacobian against jacrev, hessian, vjp, jvp, hvp against jvp of grad, and
elementwise_grad against vjp with ones. Each test function is written once, with operators and
methods both engines have, and run on chainrule's arrays and on torch tensors.
Comparison and tolerances: tests/torch_reference.py."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import EXAMPLES, assert_close, torch  # without torch: skipped

from autograd.functional import elementwise_grad, grad, value_and_grad
from autograd.testing import arrays, floats, shapes
from autograd.transforms import hessian, hvp, jacobian, jvp, vjp

tf = torch.func
F64 = np.float64
# torch.func's transforms call torch.jit.script inside torch 2.13, which warns that it is deprecated
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def as_torch(tree):
    """A tree of arrays and numbers as torch float64 tensors (numbers as 0-d tensors)."""
    if isinstance(tree, dict):
        return {k: as_torch(v) for k, v in tree.items()}
    if isinstance(tree, tuple | list):
        return type(tree)(as_torch(v) for v in tree)
    return torch.tensor(tree, dtype=torch.float64)


def close(what, ours, theirs):
    """A tree of chainrule's results against the same tree of torch's."""
    if isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), what
        for k in theirs:
            close(f"{what}[{k!r}]", ours[k], theirs[k])
    elif isinstance(theirs, tuple | list):
        assert len(ours) == len(theirs), what
        for i, (a, b) in enumerate(zip(ours, theirs)):
            close(f"{what}[{i}]", a, b)
    else:
        assert_close(what, ours, theirs.detach().numpy(), F64)


def matrix(rows, cols, seed):
    return np.random.default_rng(seed).normal(size=(rows, cols))


# The functions differentiated: each takes x (a vector) and returns a scalar (SCALAR) or a vector.
SCALAR = {
    "sin, exp, product": lambda x: (x.sin() * x.exp()).sum() * x[0],
    "tanh of a quadratic form": lambda x: (x * x).sum().tanh() + (x[1:] * x[:-1]).sum(),
    "softplus chain": lambda x: ((x * 2.0).exp() + 1.0).log().sum() / (x * x + 1.0).sum(),
}
VECTOR = {
    "elementwise": lambda x: x.sin() * x.exp(),
    "mixing": lambda x: (x * x.sum()).tanh() - x[0] * x,
}
vectors = arrays(shapes(min_dims=1, max_dims=1, max_side=4), -2.0, 2.0)


@EXAMPLES
@given(x=vectors, name=st.sampled_from(sorted(SCALAR)))
def test_grad_hessian_and_hvp_match_torch_func(x, name):
    f, tx, v = SCALAR[name], as_torch(x), np.linspace(-1.0, 1.0, len(x))
    close(f"grad of {name}", grad(f)(x), tf.grad(f)(tx))
    close(f"hessian of {name}", hessian(f)(x), tf.hessian(f)(tx))
    close(f"hvp of {name}", hvp(f, x, v), tf.jvp(tf.grad(f), (tx,), (as_torch(v),))[1])


@EXAMPLES
@given(x=vectors, name=st.sampled_from(sorted(VECTOR)), seed=st.integers(0, 99))
def test_jacobian_vjp_jvp_and_elementwise_grad_match_torch_func(x, name, seed):
    f, tx = VECTOR[name], as_torch(x)
    u, v = matrix(2, len(x), seed)
    close(f"jacobian of {name}", jacobian(f)(x), tf.jacrev(f)(tx))
    out, pullback = vjp(f, x)
    t_out, t_pullback = tf.vjp(f, tx)
    close(f"output of {name}", out, t_out)
    close(f"vjp of {name}", pullback(u), t_pullback(as_torch(u)))
    close(f"jvp of {name}", jvp(f, (x,), (v,)), tf.jvp(f, (tx,), (as_torch(v),)))
    close(f"elementwise_grad of {name}", elementwise_grad(f)(x), t_pullback(torch.ones_like(t_out))[0])


@EXAMPLES
@given(x=arrays((3, 2), -2.0, 2.0), w=arrays((2, 4), -2.0, 2.0), b=floats(-2.0, 2.0))
def test_several_arguments_trees_and_aux_match_torch_func(x, w, b):
    def loss(params, x):
        h = (x @ params["w"] + params["b"]).tanh()
        return (h * h).sum(), h.sum()

    params = {"w": w, "b": b}
    ours = grad(loss, argnums=(0, 1), has_aux=True)(params, x)
    theirs = tf.grad(loss, argnums=(0, 1), has_aux=True)(as_torch(params), as_torch(x))
    close("grad of a dict and a matrix, with aux", ours, theirs)
    (value, _), _ = value_and_grad(loss, has_aux=True)(params, x)
    close("value", value, loss(as_torch(params), as_torch(x))[0])
    layer = lambda w, x: (x @ w).sin()  # noqa: E731
    jac = jacobian(layer, argnums=(0, 1))(w, x)  # shapes (3, 4, 2, 4) and (3, 4, 3, 2)
    close("jacobian in two arguments", jac, tf.jacrev(layer, argnums=(0, 1))(as_torch(w), as_torch(x)))


@EXAMPLES
@given(x=floats(-2.0, 2.0), y=floats(0.1, 2.0))
def test_transforms_of_numbers_match_torch_func_on_0d_tensors(x, y):
    def f(x, y):
        return (x * y).sin() + x.exp() / y

    tx, ty = as_torch(x), as_torch(y)
    close("grad in two numbers", grad(f, argnums=(0, 1))(x, y), tf.grad(f, argnums=(0, 1))(tx, ty))
    close("hessian in two numbers", hessian(f, argnums=(0, 1))(x, y), tf.hessian(f, argnums=(0, 1))(tx, ty))
    close("jvp in two numbers", jvp(f, (x, y), (0.5, -1.0)), tf.jvp(f, (tx, ty), (as_torch(0.5), as_torch(-1.0))))


# Transforms nested so that the inner function closes over the outer variable, given to it as its
# argument too: each inner transform must differentiate with respect to its own argument only
NESTED = {
    "x times the inner derivative of x + y": lambda grad: lambda x: x * grad(lambda y: x + y)(x),
    "the inner derivative of y * x": lambda grad: lambda x: grad(lambda y: y * x)(x),
    "the inner derivative of x * y * y": lambda grad: lambda x: grad(lambda y: x * y * y)(x),
    "the inner derivative of sin(x * y), times exp(x)": lambda grad: (
        lambda x: grad(lambda y: (x * y).sin())(x) * x.exp()
    ),
}


@EXAMPLES
@given(x=floats(-2.0, 2.0), name=st.sampled_from(sorted(NESTED)))
def test_a_nested_transform_of_the_outer_variable_matches_torch_func(x, name):
    close(name, grad(NESTED[name](grad))(x), tf.grad(NESTED[name](tf.grad))(as_torch(x)))
